"""Fixes computed directly on source text: exact output for each form, and the forms that
are reported as not fixable (with the reason)."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest
from schema_lint.diagnostics import Applicability, Diagnostic, FindingKey, Fix, NoFix, Severity
from schema_lint.facts.schema import Index, Schema, Table
from schema_lint.facts.source import Span
from schema_lint.fixes.api import compute_fix
from schema_lint.fixes.context import FixContext
from schema_lint.fixes.edits import apply_edits
from schema_lint.rules.index_missing_in_model import MissingIndex
from schema_lint.rules.junction_unique import JunctionPair
from schema_lint.vocabulary.dialects import truncate_generated

PATH = "/project/app/models.py"


def sl001(
    table: str = "user_roles", columns: tuple[str, ...] = ("user_id", "role_id")
) -> JunctionPair:
    return JunctionPair(table, None, columns)


def sl002(**changes: Any) -> MissingIndex:
    data: dict[str, Any] = {
        "table": "tokens",
        "schema": None,
        "index": "ix_tokens_digest",
        "columns": ("digest",),
        "unique": False,
        "conventional": True,
        "column_key": "digest",
        "renamed_from": None,
        "inherited_from": None,
    }
    data.update(changes)
    data["columns"] = tuple(data["columns"])
    return MissingIndex(**data)


def run(
    code: str, source: str, data: Any, *, at: str, context: FixContext | None = None
) -> Fix | NoFix:
    text = textwrap.dedent(source)
    line = next(n for n, t in enumerate(text.split("\n"), start=1) if at in t)
    span = Span(PATH, line, 0, line, 1)
    key = FindingKey(code, data.table)
    diagnostic = Diagnostic(code, "finding", span, Severity.ERROR, key, payload=data)
    return compute_fix(diagnostic, text, context or FixContext(line_length=88))


def fixed(code: str, source: str, data: Any, *, at: str, **kw: Any) -> str:
    fix = run(code, source, data, at=at, **kw)
    assert isinstance(fix, Fix), fix
    return apply_edits(textwrap.dedent(source), fix.edits)


def reason(code: str, source: str, data: Any, *, at: str, **kw: Any) -> str:
    fix = run(code, source, data, at=at, **kw)
    assert isinstance(fix, NoFix), fix
    return fix.reason


JUNCTION = """\
from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column


class UserRole(Base):
    __tablename__ = "user_roles"
{args}
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
"""

UQ = 'UniqueConstraint("user_id", "role_id", name="uq_user_roles_user_id_role_id")'


def junction(args: str) -> str:
    return JUNCTION.replace("{args}", textwrap.indent(args, "    ").rstrip())


def table_args_after(args: str, **kw: Any) -> str:
    """The ``__table_args__`` lines (and what follows up to ``id``) after the SL001 fix."""
    text = fixed("SL001", junction(args), sl001(), at="__tablename__", **kw)
    body = text.split('__tablename__ = "user_roles"\n', 1)[1]
    return textwrap.dedent(body.split("    id: Mapped")[0]).rstrip("\n") + "\n"


# --- SL001: every form of __table_args__ -------------------------------------------------


def test_sl001_is_unsafe_and_says_it_needs_a_migration() -> None:
    fix = run("SL001", junction(""), sl001(), at="__tablename__")
    assert isinstance(fix, Fix)
    assert fix.applicability is Applicability.UNSAFE
    assert "migration" in fix.message and "unsafe" in fix.message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param("", f"__table_args__ = (\n    {UQ},\n)\n", id="absent"),
        pytest.param("__table_args__ = ()", f"__table_args__ = ({UQ},)\n", id="empty-tuple"),
        pytest.param(
            '__table_args__ = (Index("ix", "a"),)',
            f'__table_args__ = (\n    Index("ix", "a"),\n    {UQ},\n)\n',
            id="one-element-too-long-for-one-line",
        ),
        pytest.param(
            '__table_args__ = (\n    Index("ix", "a"),\n    Index("iy", "b")\n)',
            f'__table_args__ = (\n    Index("ix", "a"),\n    Index("iy", "b"),\n    {UQ}\n)\n',
            id="vertical-without-trailing-comma",
        ),
        pytest.param(
            '__table_args__ = (\n    Index("ix", "a"),\n    {"schema": "s"},\n)',
            f'__table_args__ = (\n    Index("ix", "a"),\n    {UQ},\n    {{"schema": "s"}},\n)\n',
            id="vertical-tuple-ending-in-dict",
        ),
        pytest.param(
            '__table_args__ = Index("ix_user_roles_role_id_and_a_long_name", "role_id"),',
            '__table_args__ = (\n    Index("ix_user_roles_role_id_and_a_long_name", "role_id"),\n'
            f"    {UQ},\n)\n",
            id="unparenthesized-one-element",
        ),
        pytest.param(
            "__table_args__ = (\n    *Mixin.__table_args__,\n)",
            f"__table_args__ = (\n    *Mixin.__table_args__,\n    {UQ},\n)\n",
            id="starred",
        ),
        pytest.param(
            "__table_args__ = (Index('ix', 'a'), OPTIONS)",
            f"__table_args__ = (\n    Index('ix', 'a'),\n    {UQ},\n    OPTIONS,\n)\n",
            id="tuple-ending-in-a-name-that-may-be-a-dict",
        ),
        pytest.param(
            '__table_args__ = Base.__table_args__ + (Index("ix", "a"),)',
            f'__table_args__ = Base.__table_args__ + (\n    Index("ix", "a"),\n    {UQ},\n)\n',
            id="tuple-concatenation",
        ),
        pytest.param(
            '__table_args__ = dict(schema="s")',
            f'__table_args__ = (\n    {UQ},\n    dict(schema="s"),\n)\n',
            id="dict-call",
        ),
        pytest.param(
            '__table_args__: ClassVar[Any] = {"schema": "s"}  # keep',
            f'__table_args__: ClassVar[Any] = (\n    {UQ},\n    {{"schema": "s"}},\n)  # keep\n',
            id="annotated-dict-with-comment",
        ),
    ],
)
def test_sl001_table_args_forms(args: str, expected: str) -> None:
    assert table_args_after(args) == expected


def test_sl001_one_line_forms_stay_on_one_line_when_they_fit() -> None:
    wide = FixContext(line_length=140)
    assert table_args_after("", context=wide) == f"__table_args__ = ({UQ},)\n"
    assert (
        table_args_after('__table_args__ = (Index("ix", "a"),)', context=wide)
        == f'__table_args__ = (Index("ix", "a"), {UQ})\n'
    )
    assert (
        table_args_after('__table_args__ = (Index("ix", "a"), Index("iy", "b"),)', context=wide)
        == f'__table_args__ = (Index("ix", "a"), Index("iy", "b"), {UQ},)\n'
    )
    assert (
        table_args_after('__table_args__ = Index("ix", "a"),', context=wide)
        == f'__table_args__ = Index("ix", "a"), {UQ}\n'
    )
    assert (
        table_args_after('__table_args__ = {"schema": "s"}', context=wide)
        == f'__table_args__ = ({UQ}, {{"schema": "s"}})\n'
    )
    assert (
        table_args_after('__table_args__ = (Index("ix", "a"), {"schema": "s"})', context=wide)
        == f'__table_args__ = (Index("ix", "a"), {UQ}, {{"schema": "s"}})\n'
    )


def test_sl001_hanging_indent_gets_a_new_aligned_line() -> None:
    args = '__table_args__ = (Index("ix", "a"),\n                  Index("iy", "b"))'
    expected = (
        '__table_args__ = (Index("ix", "a"),\n                  Index("iy", "b"),\n'
        f"                  {UQ})\n"
    )
    assert table_args_after(args, context=FixContext(line_length=120)) == expected


def test_sl001_multi_line_dict_with_a_multi_line_string_is_not_reindented() -> None:
    args = '__table_args__ = {\n    "comment": """two\nlines""",\n}'
    expected = f'__table_args__ = ({UQ}, {{\n    "comment": """two\nlines""",\n}})\n'
    assert table_args_after(args) == expected


def test_sl001_after_the_docstring_when_there_is_no_tablename() -> None:
    source = '''\
        from app import db


        class UserGroup(db.Model):
            """Who is in which group."""

            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.ForeignKey("user.id"))
            group_id = db.Column(db.ForeignKey("group.id"))
        '''
    data = sl001("user_group", ("user_id", "group_id"))
    text = fixed("SL001", source, data, at="class UserGroup", context=FixContext(line_length=110))
    assert text.split("\n")[4:7] == [
        '    """Who is in which group."""',
        '    __table_args__ = (db.UniqueConstraint("user_id", "group_id", '
        'name="uq_user_group_user_id_group_id"),)',
        "",
    ]


@pytest.mark.parametrize(
    ("mixin", "expected"),
    [
        ('__table_args__ = (Index("ix", "a"),)', "*AuditMixin.__table_args__"),
        ('__table_args__ = {"schema": "s"}', "AuditMixin.__table_args__"),
    ],
)
def test_sl001_keeps_inherited_table_args(mixin: str, expected: str) -> None:
    source = f"""\
        class AuditMixin:
            {mixin}


        class UserRole(AuditMixin, Base):
            __tablename__ = "user_roles"
            user_id = Column(ForeignKey("users.id"))
            role_id = Column(ForeignKey("roles.id"))
        """
    text = fixed("SL001", source, sl001(), at="__tablename__")
    assert f"        {expected},\n    )" in text


def test_sl001_not_fixable_when_the_inherited_table_args_are_computed() -> None:
    source = """\
        class AuditMixin:
            @declared_attr
            def __table_args__(cls):
                return (Index("ix", "a"),)


        class UserRole(AuditMixin, Base):
            __tablename__ = "user_roles"
        """
    assert "inherits `__table_args__` from `AuditMixin`" in reason(
        "SL001", source, sl001(), at="__tablename__"
    )


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (
            '@declared_attr\ndef __table_args__(cls):\n    return (Index("ix", "a"),)\n',
            "computed by a function (`declared_attr`)",
        ),
        ("__table_args__ = make_table_args('user_roles')", "built by a function call"),
        ("__table_args__ = TABLE_ARGS", "assigned from `TABLE_ARGS`"),
        ('__table_args__ = (Index("ix", "a"))', "one constraint, not a tuple"),
        (
            'if SQLITE:\n    __table_args__ = {"sqlite_autoincrement": True}',
            "assigned conditionally",
        ),
    ],
)
def test_sl001_not_fixable_forms_say_why(args: str, why: str) -> None:
    text = reason("SL001", junction(args), sl001(), at="__tablename__")
    assert why in text
    assert 'add `UniqueConstraint("user_id", "role_id"' in text


def test_sl001_one_line_class_body_is_not_fixable() -> None:
    source = 'class UserRole(Base): __tablename__ = "user_roles"\n'
    assert "on the class line" in reason("SL001", source, sl001(), at="__tablename__")


def test_sl001_on_a_table_call_with_starred_columns_and_keywords() -> None:
    source = """\
        user_roles = Table("user_roles", metadata, *pair_columns(), schema="auth")
        """
    text = fixed("SL001", source, sl001(), at="Table(", context=FixContext(line_length=200))
    assert text == (
        'from sqlalchemy import UniqueConstraint\nuser_roles = Table("user_roles", metadata, '
        f'*pair_columns(), {UQ}, schema="auth")\n'
    )


def test_sl001_table_call_inside_a_class_via_dunder_table() -> None:
    source = """\
        import sqlalchemy as sa


        class UserRole(Base):
            __table__ = sa.Table(
                "user_roles",
                Base.metadata,
                sa.Column("user_id", sa.ForeignKey("users.id")),
                sa.Column("role_id", sa.ForeignKey("roles.id")),
            )
        """
    text = fixed("SL001", source, sl001(), at="class UserRole")
    assert f"        sa.{UQ},\n    )" in text
    assert "__table_args__" not in text


def test_sl001_column_keys_and_quote_style() -> None:
    source = """\
        from sqlalchemy import Column, ForeignKey, Table

        t = Table(
            'user_roles',
            metadata,
            Column('user_id', ForeignKey('users.id'), key='user'),
            Column('role_id', ForeignKey('roles.id')),
        )
        """
    text = fixed("SL001", source, sl001(), at="Table(")
    assert (
        "    UniqueConstraint('user', 'role_id', name='uq_user_roles_user_id_role_id'),\n)" in text
    )


# --- names -------------------------------------------------------------------------------


def test_sl001_name_follows_the_naming_convention() -> None:
    convention = FixContext(naming_convention={"uq": "uq_%(table_name)s_%(column_0_N_name)s"})
    assert table_args_after("", context=convention) == (
        '__table_args__ = (UniqueConstraint("user_id", "role_id"),)\n'
    )
    named = FixContext(naming_convention={"uq": "uq_%(table_name)s_%(constraint_name)s"})
    assert table_args_after("", context=named) == (
        '__table_args__ = (UniqueConstraint("user_id", "role_id", name="user_id_role_id"),)\n'
    )


def test_sl001_long_names_are_truncated_like_sqlalchemy() -> None:
    columns = ("a_very_long_foreign_key_column_id", "another_very_long_foreign_key_id")
    text = fixed("SL001", junction(""), sl001("user_roles", columns), at="__tablename__")
    name = text.split('name="')[1].split('"')[0]
    assert name == truncate_generated(f"uq_user_roles_{'_'.join(columns)}", "postgresql")
    assert len(name) <= 63 and name.startswith("uq_user_roles_a_very_long")


# --- imports -----------------------------------------------------------------------------


def with_header(header: str) -> str:
    body = junction("").split("\n", 2)[2]
    return textwrap.dedent(header) + body


@pytest.mark.parametrize(
    ("header", "expected_import", "written"),
    [
        (
            "from sqlalchemy import Column, ForeignKey, Integer\n",
            "from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint",
            "UniqueConstraint(",
        ),
        (
            "from sqlalchemy import ForeignKey, Integer, func\n",
            "from sqlalchemy import ForeignKey, Integer, UniqueConstraint, func",
            "UniqueConstraint(",
        ),
        (
            "from sqlalchemy import Integer, ForeignKey\n",
            "from sqlalchemy import Integer, ForeignKey, UniqueConstraint",
            "UniqueConstraint(",
        ),
        (
            "from sqlalchemy import UniqueConstraint as UC, ForeignKey\n",
            "from sqlalchemy import UniqueConstraint as UC, ForeignKey",
            "UC(",
        ),
        ("from sqlalchemy import *\n", "from sqlalchemy import *", "UniqueConstraint("),
        (
            "from sqlalchemy.orm import Mapped\nimport sqlalchemy as sa\n",
            "import sqlalchemy as sa",
            "sa.UniqueConstraint(",
        ),
        (
            "from sqlalchemy import (\n    ForeignKey,\n    Integer,\n)\n",
            "    UniqueConstraint,",
            "UniqueConstraint(",
        ),
        (
            '"""Models."""\n\nfrom app.db import Base\nfrom sqlalchemy.orm import Mapped\n',
            "from sqlalchemy import UniqueConstraint",
            "UniqueConstraint(",
        ),
    ],
)
def test_imports_follow_the_file(header: str, expected_import: str, written: str) -> None:
    text = fixed("SL001", with_header(header), sl001(), at="__tablename__")
    assert expected_import in text.split("\n")
    assert f"    {written}" in text or f"({written}" in text


def test_new_import_goes_before_sqlalchemy_submodules() -> None:
    header = "from app.db import Base\nfrom sqlalchemy.orm import Mapped, mapped_column\n"
    text = fixed("SL001", with_header(header), sl001(), at="__tablename__")
    assert text.split("\n")[:3] == [
        "from app.db import Base",
        "from sqlalchemy import UniqueConstraint",
        "from sqlalchemy.orm import Mapped, mapped_column",
    ]


def test_name_already_taken_uses_the_module_alias_or_is_not_fixable() -> None:
    taken = "import sqlalchemy as sa\nfrom app.constraints import UniqueConstraint\n"
    text = fixed("SL001", with_header(taken), sl001(), at="__tablename__")
    assert "sa.UniqueConstraint(" in text
    class_taken = "class UniqueConstraint:\n    pass\n\n\n"
    assert "already names something else" in reason(
        "SL001", class_taken + junction(""), sl001(), at="__tablename__"
    )


def test_flask_db_object_style() -> None:
    source = """\
        from app import db


        class UserRole(db.Model):
            __tablename__ = "user_roles"
            user_id = db.Column(db.ForeignKey("users.id"))
            role_id = db.Column(db.ForeignKey("roles.id"))
        """
    text = fixed("SL001", source, sl001(), at="__tablename__")
    assert f"    __table_args__ = (\n        db.{UQ},\n    )\n" in text
    assert text.startswith("from app import db\n\n")


# --- SL002 -------------------------------------------------------------------------------

TOKEN = """\
    from sqlalchemy import Column, String
    from sqlalchemy.orm import Mapped, mapped_column


    class Token(Base):
        __tablename__ = "tokens"
        id: Mapped[int] = mapped_column(primary_key=True)
        digest{column}
    """


def token(column: str) -> str:
    return TOKEN.replace("{column}", column)


def digest_line(column: str, **changes: Any) -> str:
    text = fixed("SL002", token(column), sl002(**changes), at="    digest")
    return next(line.strip() for line in text.split("\n") if line.strip().startswith("digest"))


def test_sl002_is_safe_and_a_single_small_insertion() -> None:
    fix = run("SL002", token(": Mapped[str] = mapped_column(String(64))"), sl002(), at="digest")
    assert isinstance(fix, Fix)
    assert fix.applicability is Applicability.SAFE
    assert fix.message == "Add `index=True` to `digest`"
    ((edit),) = fix.edits
    assert (edit.line, edit.col, edit.end_line, edit.end_col) == (8, 50, 8, 50)
    assert edit.content == ", index=True"


@pytest.mark.parametrize(
    ("column", "changes", "expected"),
    [
        (
            ": Mapped[str] = mapped_column(String(64))",
            {},
            "digest: Mapped[str] = mapped_column(String(64), index=True)",
        ),
        (
            ": Mapped[str] = mapped_column(String(64), index=False)",
            {"unique": True},
            "digest: Mapped[str] = mapped_column(String(64), index=True, unique=True)",
        ),
        (
            " = Column(String(64), unique=True)",
            {"unique": True},
            "digest = Column(String(64), unique=True, index=True)",
        ),
        (": Mapped[str]", {}, "digest: Mapped[str] = mapped_column(index=True)"),
        (
            ": str = Field(sa_column=Column(String(64)))",
            {},
            "digest: str = Field(sa_column=Column(String(64), index=True))",
        ),
    ],
)
def test_sl002_index_true_forms(column: str, changes: dict, expected: str) -> None:
    assert digest_line(column, **changes) == expected


def test_sl002_column_with_a_unique_constraint_gets_an_index_instead() -> None:
    text = fixed("SL002", token(" = Column(String(64), unique=True)"), sl002(), at="    digest")
    assert '    __table_args__ = (Index("ix_tokens_digest", "digest"),)\n' in text
    assert "digest = Column(String(64), unique=True)\n" in text


def test_sl002_unique_mismatch_is_not_fixable() -> None:
    column = " = Column(String(64), index=True, unique=True)"
    assert "decide which is right" in reason("SL002", token(column), sl002(), at="    digest")


def test_sl002_declared_attr_column_in_a_mixin_class_body() -> None:
    source = """\
        class Token(Base):
            __tablename__ = "tokens"

            @declared_attr
            def digest(cls):
                return Column(String(64))
        """
    text = fixed("SL002", source, sl002(), at="class Token")
    assert "        return Column(String(64), index=True)\n" in text


def database(index: Index) -> FixContext:
    table = Table("tokens", indexes=(index,))
    return FixContext(migrations={"alembic": Schema(tables={"tokens": table})})


def test_sl002_expression_and_partial_indexes_are_not_fixable() -> None:
    column = ": Mapped[str] = mapped_column(String(64))"
    expression = database(Index("ix_lower", ("lower(digest)",), expressions=True))
    data = sl002(index="ix_lower", columns=["lower(digest)"], conventional=False)
    assert "expressions" in reason("SL002", token(column), data, at="digest", context=expression)
    partial = database(Index("ix_live", ("digest",), where="revoked_at IS NULL"))
    data = sl002(index="ix_live", conventional=False)
    assert "partial index (WHERE revoked_at IS NULL)" in reason(
        "SL002", token(column), data, at="digest", context=partial
    )


def test_sl002_index_template_with_constraint_name_is_not_fixable() -> None:
    context = FixContext(naming_convention={"ix": "ix_%(constraint_name)s"})
    column = ": Mapped[str] = mapped_column(String(64))"
    data = sl002(index="idx_digest", conventional=False)
    assert "%(constraint_name)s" in reason(
        "SL002", token(column), data, at="digest", context=context
    )


def test_sl002_renames_a_module_level_index() -> None:
    source = """\
        class Token(Base):
            __tablename__ = "tokens"
            digest = Column(String(64))


        Index(u'ix_token_digest', Token.digest)
        """
    data = sl002(index="tokens_digest_idx", conventional=False, renamed_from="ix_token_digest")
    text = fixed("SL002", source, data, at="__tablename__")
    assert text.endswith("Index(u'tokens_digest_idx', Token.digest)\n")


def test_sl002_rename_without_a_literal_name_is_not_fixable() -> None:
    column = " = Column(String(64))"
    data = sl002(index="tokens_digest_idx", conventional=False, renamed_from="ix_other")
    assert "by hand" in reason("SL002", token(column), data, at="__tablename__")


def test_unparsable_text_and_unknown_codes() -> None:
    assert reason("SL001", "class X(:\n", sl001(), at="class") == "the file does not parse"
    assert "no automatic fix" in reason("SL999", "x = 1\n", sl001(), at="x")


def test_new_lines_use_the_file_indentation_unit() -> None:
    source = """\
        from sqlalchemy import Column, ForeignKey, UniqueConstraint


        class UserRole(Base):
          __tablename__ = "user_roles"
          __table_args__ = {"schema": "auth"}
          user_id = Column(ForeignKey("users.id"))
          role_id = Column(ForeignKey("roles.id"))
        """
    text = fixed("SL001", source, sl001(), at="__tablename__")
    assert text.split("\n")[5:9] == [
        "  __table_args__ = (",
        f"    {UQ},",
        '    {"schema": "auth"},',
        "  )",
    ]
