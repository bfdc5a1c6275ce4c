"""SL002 index-missing-in-model: the migrations create an index the model does not declare."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from schema_lint.diagnostics import Diagnostic, Related, Severity
from schema_lint.facts.schema import Index, Table
from schema_lint.rules.registry import Example, Option, Rule, RuleContext
from schema_lint.sources.suppression import suppressed
from schema_lint.vocabulary.dialects import (
    DEFAULT_CONVENTION,
    NamingTarget,
    convention_name,
    truncate_generated,
)


def _same_shape(model: Index, db: Index) -> bool:
    if model.expressions or db.expressions:
        if model.name is None:  # its name is unknown: the text is all there is
            return model.columns == db.columns and model.unique == db.unique
        return model.name == db.name
    return model.columns == db.columns and model.unique == db.unique


def _describe(index: Index) -> str:
    kind = "unique index" if index.unique else "index"
    return f"{kind} `{index.name}` on ({', '.join(index.columns)})"


def check(context: RuleContext) -> Iterable[Diagnostic]:
    ignore = context.options["ignore-indexes"]
    convention = dict(context.models.naming_convention) or dict(DEFAULT_CONVENTION)
    seen: set[tuple[str, str | None, tuple[str, ...]]] = set()
    for schema in context.migrations.values():
        for key, db_table in schema.tables.items():
            model = context.models.tables.get(key)
            if model is None or model.incomplete or model.span is None or db_table.incomplete:
                continue
            for index in db_table.indexes:
                marker = (key, index.name, index.columns)
                if marker in seen or _ignored(index, ignore, context):
                    continue
                seen.add(marker)
                diagnostic = _compare(model, index, convention)
                if diagnostic is not None:
                    yield diagnostic


def _ignored(index: Index, patterns: Iterable[str], context: RuleContext) -> bool:
    if index.name and any(fnmatch.fnmatchcase(index.name, p) for p in patterns):
        return True
    span = index.span
    return span is not None and suppressed(
        RULE.code, context.migration_line_codes(span.path, span.line)
    )


def _compare(model: Table, index: Index, convention: dict[str, str]) -> Diagnostic | None:
    same = [m for m in model.indexes if _same_shape(m, index)]
    if any(m.name == index.name or m.name is None for m in same):
        return None
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
    column_key = None
    if single:
        column = model.column(index.columns[0])
        if column is not None and column.span is not None:
            span = model.class_span or span if column.inherited_from else column.span
            column_key = column.key or column.name
    conventional = (
        single
        and not model.naming_unknown
        and index.name == _convention_name(model, index, convention)
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
        table=model.qualified_name,
        columns=index.columns,
        index=index.name,
        related=related,
        data={
            "table": model.name,
            "schema": model.schema,
            "index": index.name,
            "columns": list(index.columns),
            "unique": index.unique,
            "conventional": conventional,
            "column_key": column_key,
            "renamed_from": same[0].name if same else None,
            "inherited_from": (
                model.column(index.columns[0]).inherited_from  # type: ignore[union-attr]
                if column_key
                else None
            ),
        },
    )


def _convention_name(model: Table, index: Index, convention: dict[str, str]) -> str | None:
    name = convention_name(convention, NamingTarget("ix", model.name, model.schema, index.columns))
    return truncate_generated(name, "postgresql") if name else None


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
    flagged=(
        Example(
            _example("", 'op.f("ix_refresh_tokens_token_hash")'),
            "The migration indexes token_hash; the model does not",
        ),
        Example(
            _example(", index=True", '"idx_refresh_tokens_token_hash"'),
            "The model's index is named ix_refresh_tokens_token_hash",
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
