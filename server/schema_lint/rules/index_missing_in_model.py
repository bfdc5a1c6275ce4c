"""SL002 index-missing-in-model: the migrations create an index the model does not declare."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Related, Severity
from schema_lint.facts.schema import Index
from schema_lint.rules.compare import plain, unique_constraints
from schema_lint.rules.context import RuleContext, SideKind, TablePair
from schema_lint.rules.registry import Example, Option, Rule
from schema_lint.vocabulary.dialects import NamingTarget


def _same_shape(model: Index, db: Index) -> bool:
    if model.expressions or db.expressions:
        if model.name is None:  # its name is unknown: the text is all there is
            return model.columns == db.columns and model.unique == db.unique
        return model.name == db.name
    return model.columns == db.columns and model.unique == db.unique


def _describe(index: Index) -> str:
    kind = "unique index" if index.unique else "index"
    return f"{kind} `{index.name}` on ({', '.join(index.columns)})"


@dataclass(frozen=True, slots=True)
class MissingIndex:
    """SL002's payload: the database's index and how the model can declare it."""

    table: str
    schema: str | None
    index: str | None
    columns: tuple[str, ...]
    unique: bool
    conventional: bool
    """The naming convention gives this name: ``index=True`` on the column declares it."""
    column_key: str | None
    """The attribute of the single indexed column (None for composite indexes)."""
    renamed_from: str | None
    """The model's name for the same index, when only the name differs."""
    inherited_from: str | None
    """The mixin or abstract base that declares the single column."""


def check(context: RuleContext) -> Iterable[Diagnostic]:
    ignore = context.options["ignore-indexes"]
    seen: set[tuple[str, str | None, tuple[str, ...]]] = set()
    # the indexes the migrations created are known even on a baseline table; a database's
    # indexes are SL013's
    for pair in context.pairs(SideKind.MIGRATIONS, baseline=True):
        for index in pair.other.indexes:
            marker = (pair.key, index.name, index.columns)
            if marker in seen or _ignored(index, ignore, pair):
                continue
            seen.add(marker)
            diagnostic = _compare(pair, index, context)
            if diagnostic is not None:
                yield diagnostic


def _ignored(index: Index, patterns: Iterable[str], pair: TablePair) -> bool:
    if index.name and any(fnmatch.fnmatchcase(index.name, p) for p in patterns):
        return True
    return pair.side.excluded("index", index.name, pair.other.name)


def _compare(pair: TablePair, index: Index, context: RuleContext) -> Diagnostic | None:
    model = pair.base
    others = {i.name for i in pair.other.indexes if i.name is not None and i.name != index.name}
    # a model index of the same shape that the migrations create under its own name is not
    # this one renamed
    same = [m for m in model.indexes if _same_shape(m, index) and m.name not in others]
    if any(m.name == index.name or m.name is None for m in same):
        return None
    if index.name is not None and any(m.name == index.name for m in model.indexes):
        return None  # the same index, defined differently: SL009
    if index.unique and plain(index) and frozenset(index.columns) in unique_constraints(model):
        return None  # the same uniqueness as a constraint: SL009's form difference
    if same and model.naming_unknown:  # the model's names may not be what we derive
        return None
    if index.expressions and any(m.expressions and m.name is None for m in model.indexes):
        return None  # an expression index whose name is unknown may be this one
    where = f"`{model.qualified_name}`"
    if same:
        message = (
            f"the model names {_describe(same[0])} of {where} differently from the "
            f"database's `{index.name}`; autogenerate would drop and re-create it"
        )
    else:
        near = [m for m in model.indexes if m.columns == index.columns and not m.expressions]
        message = f"{_describe(index)} of {where} exists in the migrations but not in the model"
        if near:
            has = "unique" if near[0].unique else "not unique"
            message += f" (the model's index on these columns is {has})"
    span = model.span
    single = len(index.columns) == 1 and not index.expressions
    column = model.column(index.columns[0]) if single else None
    if column is not None and column.span is not None:
        span = model.class_span or span if column.inherited_from else column.span
    conventional = (
        single
        and not model.naming_unknown
        and index.name
        == pair.dialect.generated_name(
            context.convention, NamingTarget("ix", model.name, model.schema, index.columns)
        )
    )
    related: tuple[Related, ...] = ()
    if index.span is not None:
        related = (Related(index.span, f"`{index.name}` is created here"),)
    assert span is not None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=FindingKey(
            RULE.code,
            model.qualified_name,
            index.name or ",".join(index.columns),
            pair.side.name,
        ),
        related=related,
        suppressible_at=(index.span,) if index.span is not None else (),
        payload=MissingIndex(
            table=model.name,
            schema=model.schema,
            index=index.name,
            columns=index.columns,
            unique=index.unique,
            conventional=conventional,
            column_key=(column.key or column.name) if column is not None else None,
            renamed_from=same[0].name if same else None,
            inherited_from=column.inherited_from if column is not None else None,
        ),
    )


_MODEL = """\
from sqlalchemy import Index, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64){extra})
"""

_MIGRATION = '''\
"""refresh tokens"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = None


def upgrade():
    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
    )
    op.create_index({name}, "refresh_tokens", ["token_hash"]){comment}


def downgrade():
    op.drop_table("refresh_tokens")
'''


def _example(extra: str, name: str, comment: str = "") -> dict[str, str]:
    migration = _MIGRATION.replace("{name}", name).replace("{comment}", comment)
    return {
        "app/models.py": _MODEL.replace("{extra}", extra),
        "alembic/versions/0005_refresh_tokens.py": migration,
    }


RULE = Rule(
    code="SL002",
    slug="index-missing-in-model",
    summary="An index created by the migrations is not declared in the model",
    severity=Severity.WARNING,
    explanation="""\
When a migration creates an index that the model does not declare, the model and the
database drift apart: `alembic revision --autogenerate` proposes `op.drop_index(...)` for a
real, used index, and a reviewer who trusts it silently loses the index in production.

schema-lint replays the migrations statically and compares each index with the model's
`index=True` columns and `Index(...)` declarations (in `__table_args__`, in `Table(...)`,
at module level or from a mixin): same columns in the same order, same uniqueness, same
name. Expression indexes are compared by name.

Fix: add `index=True` to the column when the name follows the naming convention, else
`Index("<name>", "<column>", ...)` in `__table_args__`. Indexes kept in migrations on
purpose are silenced with the `ignore-indexes` option (name globs) or with `# noqa: SL002`
on the migration line that creates the index.
""",
    check=check,
    payload=MissingIndex,
    flagged=(
        Example(
            _example("", 'op.f("ix_refresh_tokens_token_hash")'),
            "The migration indexes token_hash; the model does not",
            fixed={"app/models.py": _MODEL.replace("{extra}", ", index=True")},
        ),
        Example(
            _example(", index=True", '"idx_refresh_tokens_token_hash"'),
            "The model's index is named ix_refresh_tokens_token_hash",
            fixed={
                "app/models.py": _MODEL.replace("{extra}", "").replace(
                    '    __tablename__ = "refresh_tokens"\n',
                    '    __tablename__ = "refresh_tokens"\n'
                    "    __table_args__ = "
                    '(Index("idx_refresh_tokens_token_hash", "token_hash"),)\n',
                )
            },
        ),
    ),
    accepted=(
        Example(
            _example(", index=True", 'op.f("ix_refresh_tokens_token_hash")'),
            "index=True matches the conventional name",
        ),
        Example(
            _example("", '"idx_refresh_tokens_token_hash"', "  # noqa: SL002"),
            "Kept in the migrations on purpose",
        ),
    ),
    options={
        "ignore-indexes": Option(
            tuple,
            (),
            "Glob patterns of index names the rule ignores.",
            str,
        ),
    },
)
