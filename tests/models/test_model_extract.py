"""Per-file extraction: what one model file declares, before cross-file resolution."""

from __future__ import annotations

import ast
import dataclasses
import pickle
from typing import Any

import pytest
from model_helpers import FIXTURES, extract_source, project_modules
from schema_lint.facts.models import (
    ClassDecl,
    Code,
    ColumnDecl,
    Func,
    Import,
    Lit,
    MetaDataDecl,
    ModelModule,
    Modified,
    Ref,
    SqlText,
    Template,
)


def _class(module: ModelModule, name: str) -> ClassDecl:
    return next(c for c in module.classes if c.name == name)


def _column(cls: ClassDecl, key: str) -> ColumnDecl:
    return next(c for c in cls.columns if c.key == key)


def _walk(value: Any) -> list[Any]:
    out = [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            out.extend(_walk(getattr(value, field.name)))
    elif isinstance(value, (tuple, list)):
        for item in value:
            out.extend(_walk(item))
    return out


def test_facts_pickle_and_hold_no_ast_nodes() -> None:
    modules = project_modules(FIXTURES / "decl2") + project_modules(FIXTURES / "sqlmodel_app")
    assert sum(len(m.classes) for m in modules) > 20
    for module in modules:
        assert pickle.loads(pickle.dumps(module)) == module
        assert not any(isinstance(v, ast.AST) for v in _walk(module))


def test_imports_keep_aliases_and_relative_levels() -> None:
    module = extract_source(
        """
        import sqlalchemy as sa
        import sqlalchemy.orm
        from sqlalchemy import Column as C
        from ..db import Base
        from . import mixins
        from .types import *
        """
    )
    assert set(module.imports) == {
        Import("sa", "sqlalchemy"),
        Import("sqlalchemy", "sqlalchemy"),
        Import("C", "sqlalchemy", "Column"),
        Import("Base", "db", "Base", 2),
        Import("mixins", "", "mixins", 1),
    }
    assert module.star_imports == (Import("*", "types", None, 1),)


def test_columns_as_declared() -> None:
    module = extract_source(
        """
        from typing import Annotated, Optional
        import sqlalchemy as sa
        from sqlalchemy import Column as C
        from sqlalchemy.orm import Mapped, mapped_column

        class User(Base):
            account_id = C("acct", sa.Integer, sa.ForeignKey("accounts.id", ondelete="CASCADE"))
            email: Mapped[Optional[str]] = mapped_column(sa.String(50), index=True, unique=True)
            name: Mapped["str | None"]
            login: Mapped[str] = mapped_column("login_name", nullable=True, sort_order=-1)
            code: Mapped[Annotated[str, mapped_column(primary_key=True)]]
            serial = C(sa.Integer, sa.Identity())
            flag = C(sa.Boolean, nullable=some_flag)
        """
    )
    user = _class(module, "User")
    account = _column(user, "account_id")
    assert (account.name, account.style, account.via) == ("acct", "Column", None)
    assert account.foreign_keys[0].target == Lit("accounts.id")
    assert account.foreign_keys[0].ondelete == "CASCADE"
    email = _column(user, "email")
    assert (email.style, email.index, email.unique, email.nullable) == (
        "mapped_column",
        True,
        True,
        None,
    )
    assert email.annotation is not None
    assert (email.annotation.container, email.annotation.optional) == ("Mapped", True)
    name = _column(user, "name")
    assert name.style == "annotation"
    assert name.annotation is not None and name.annotation.optional
    login = _column(user, "login")
    assert (login.name, login.nullable, login.sort_order) == ("login_name", True, -1)
    code = _column(user, "code")
    assert code.annotation is not None and code.annotation.column is not None
    assert code.annotation.column.primary_key is True
    assert _column(user, "serial").identity
    assert _column(user, "flag").unreadable == ("nullable= is not a literal",)


def test_spans_use_code_point_columns() -> None:
    source = (
        "from sqlalchemy import Column, Index, Integer, UniqueConstraint\n"
        "class Café(Base):\n"
        '    __tablename__ = "cafés"\n'
        '    __table_args__ = (UniqueConstraint("crème", "b"), Index("ix_ü", "b"))\n'
        "    id = Column(Integer, primary_key=True)\n"
    )
    module = extract_source(source)
    lines = source.split("\n")
    cafe = _class(module, "Café")
    assert (cafe.span.line, cafe.span.col, cafe.span.end_col) == (2, 0, len(lines[1]))
    assert cafe.tablename is not None
    assert (cafe.tablename.span.line, cafe.tablename.span.end_col) == (3, len(lines[2]))
    assert cafe.table_args is not None
    index = cafe.table_args.items[1]
    assert index.span.line == 4
    assert index.span.col == lines[3].index("Index(")
    assert index.span.end_col == lines[3].index('"b"))') + len('"b")')
    assert len(lines[3].encode()) > len(lines[3])  # byte and code-point columns differ


_LOWER_NAME = Code("call", (Code("attr", (Code("cls", ("__name__",)), "lower")),))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('__tablename__ = "users"', "users"),
        (
            "@declared_attr\ndef __tablename__(cls):\n    return cls.__name__.lower()",
            Template(_LOWER_NAME),
        ),
        (
            '@declared_attr.directive\ndef __tablename__(cls) -> str:\n    """Doc."""\n'
            '    return f"app_{cls.__name__.lower()}s"',
            Template(Code("fstr", (Code("const", ("app_",)), _LOWER_NAME, Code("const", ("s",))))),
        ),
        ("@declared_attr\ndef __tablename__(cls):\n    return compute(cls)", None),
    ],
)
def test_tablename_forms(body: str, expected: object) -> None:
    indented = "\n".join("    " + line for line in body.split("\n"))
    module = extract_source(
        "from sqlalchemy.orm import declared_attr\nclass Mixin:\n" + indented + "\n"
    )
    tablename = _class(module, "Mixin").tablename
    assert tablename is not None
    assert tablename.value == expected
    assert tablename.declared_attr == body.startswith("@")


@pytest.mark.parametrize(
    ("args", "items", "schema", "invalid", "unreadable"),
    [
        ('(UniqueConstraint("a", "b"),)', 1, None, False, False),
        ('{"schema": "audit"}', 0, "audit", False, False),
        (
            '(Index("ix", "a"), UniqueConstraint("b"), {"schema": "s", "comment": "x"})',
            2,
            "s",
            False,
            False,
        ),
        ('(UniqueConstraint("a", "b"))', 0, None, True, False),
        ('[UniqueConstraint("a", "b")]', 0, None, True, False),
        ("Mixin.__table_args__ + (Index('ix', 'a'),)", 0, None, False, True),
        ("(*common_args, Index('ix', 'a'))", 1, None, False, True),
        ("None", 0, None, False, False),
    ],
)
def test_table_args_forms(
    args: str, items: int, schema: str | None, invalid: bool, unreadable: bool
) -> None:
    module = extract_source(
        f"""
        from sqlalchemy import Index, UniqueConstraint

        class Thing(Base):
            __table_args__ = {args}
        """
    )
    table_args = _class(module, "Thing").table_args
    assert table_args is not None
    assert len(table_args.items) == items
    assert (table_args.schema, table_args.invalid, bool(table_args.unreadable)) == (
        schema,
        invalid,
        unreadable,
    )


def test_declared_attr_table_args_keep_name_templates() -> None:
    module = extract_source(
        """
        import sqlalchemy as sa
        from sqlalchemy.orm import declared_attr

        class Mixin:
            @declared_attr
            def __table_args__(cls):
                return (sa.Index(f"ix_{cls.__tablename__}_owner", "owner_id"),)
        """
    )
    table_args = _class(module, "Mixin").table_args
    assert table_args is not None and table_args.declared_attr
    assert table_args.items[0].name == Template(
        Code(
            "fstr",
            (Code("const", ("ix_",)), Code("cls", ("__tablename__",)), Code("const", ("_owner",))),
        )
    )


def test_index_items_and_options() -> None:
    module = extract_source(
        """
        import sqlalchemy as sa
        from sqlalchemy import Index, desc, func, text

        Index("ix_a", User.email, User.__table__.c.name, users.c["login"])
        Index("ix_b", func.lower(User.email), desc(User.created), User.name.asc())
        Index("ix_c", text("lower(email)"), postgresql_where=text("deleted_at IS NULL"))
        Index("ix_d", User.email, postgresql_where=User.deleted_at.is_(None)).ddl_if(
            dialect="postgresql"
        )
        sa.Index(None, "a", unique=True)
        """
    )
    a, b, c, d, e = module.indexes
    assert a.items == (
        Ref(("User", "email")),
        Ref(("User", "__table__", "c", "name")),
        Ref(("users", "c", "login")),
    )
    assert b.items == (
        Func("lower", (Ref(("User", "email")),)),
        Modified(Ref(("User", "created")), "DESC"),
        Modified(Ref(("User", "name")), "ASC"),
    )
    assert (c.items, c.where) == ((SqlText("lower(email)"),), "deleted_at IS NULL")
    assert (d.dialect, d.where) == ("postgresql", "deleted_at IS NULL")
    assert d.span.line == 8 and d.span.end_line == 10
    assert (e.name, e.items, e.unique) == (None, (Lit("a"),), True)


def test_module_level_bindings() -> None:
    module = extract_source(
        """
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy import Column, Integer, MetaData, Table
        from sqlalchemy.orm import declarative_base, registry
        from typing import Annotated, Optional

        CONVENTION = {"ix": "ix_%(column_0_label)s", "uq": "uq_%(table_name)s"}
        metadata = MetaData(naming_convention=CONVENTION, schema="app")
        db = SQLAlchemy(metadata=metadata, disable_autonaming=True)
        Base = declarative_base(metadata=metadata)
        reg = registry()
        Generated = reg.generate_base()
        Model = db.Model
        intpk = Annotated[int, mapped_column(primary_key=True)]
        OptStr = Optional[str]
        things = Table("things", metadata, Column("id", Integer, primary_key=True))
        Base.metadata.naming_convention = {"pk": "pk_%(table_name)s"}
        User.extra = Column(Integer, index=True)
        """
    )
    assert [c.name for c in module.conventions] == ["CONVENTION"]
    binding = module.metadatas[0]
    assert binding.target == ("metadata",)
    assert binding.value == MetaDataDecl(Ref(("CONVENTION",)), "app")
    assert module.metadatas[1].attribute and module.metadatas[1].target == ("Base", "metadata")
    (db,) = module.dbs
    assert (db.name, db.metadata, db.autonaming) == ("db", Ref(("metadata",)), False)
    assert [(f.name, f.kind) for f in module.factories] == [
        ("Base", "base"),
        ("reg", "registry"),
        ("Generated", "generate"),
    ]
    assert [(n.name, n.target) for n in module.names] == [("Model", ("db", "Model"))]
    assert [a.name for a in module.aliases] == ["intpk", "OptStr"]
    assert module.aliases[1].type.optional
    (things,) = module.tables
    assert (things.var, things.name, things.metadata) == ("things", "things", Ref(("metadata",)))
    (late,) = module.late_columns
    assert (late.owner, late.column.key, late.column.index) == (("User",), "extra", True)


def test_flask_db_calls_carry_the_prefix_to_check() -> None:
    module = extract_source(
        """
        from .extensions import db
        from flask_sqlalchemy import SQLAlchemy

        local = SQLAlchemy()

        class A(db.Model):
            x = db.Column(db.Integer, primary_key=True)
            y = local.Column(local.Integer)
        """
    )
    a = _class(module, "A")
    assert _column(a, "x").via == ("db",)
    assert _column(a, "y").via is None
    assert a.bases == (("db", "Model"),)


def test_sqlmodel_fields() -> None:
    module = extract_source(
        """
        from typing import Optional
        from sqlmodel import Column, Field, Relationship, SQLModel, String

        class Hero(SQLModel, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="CASCADE")
            power: str = Field(sa_column=Column("power_name", String(40), index=True))
            rank: int = Field(default=0, sa_column_kwargs={"name": "hero_rank", "unique": True})
            age: int = 3
            teams: list["Team"] = Relationship(link_model=HeroTeam)
        """
    )
    hero = _class(module, "Hero")
    assert hero.keywords == (("table", "True"),)
    assert [c.key for c in hero.columns] == ["id", "team_id", "power", "rank", "age"]
    team_id = _column(hero, "team_id")
    assert team_id.style == "Field"
    assert team_id.foreign_keys[0].target == Lit("team.id")
    assert team_id.foreign_keys[0].ondelete == "CASCADE"
    power = _column(hero, "power")
    assert (power.style, power.name, power.index) == ("Column", "power_name", True)
    rank = _column(hero, "rank")
    assert (rank.name, rank.unique) == ("hero_rank", True)
    assert _column(hero, "age").style == "default"
    (rel,) = hero.relationships
    assert (rel.key, rel.secondary, rel.link_model) == ("teams", Ref(("HeroTeam",)), True)
