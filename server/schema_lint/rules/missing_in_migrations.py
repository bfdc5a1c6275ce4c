"""SL010 table-or-column-missing-in-migrations: the model has it, no migration creates it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.rules.compare import column_place
from schema_lint.rules.context import RuleContext
from schema_lint.rules.example_projects import project
from schema_lint.rules.presence import in_models_only
from schema_lint.rules.registry import Example, Rule


@dataclass(frozen=True, slots=True)
class MissingInMigrations:
    """SL010's payload: the model's table, and its column when only a column is missing."""

    table: str
    schema: str | None
    column: str | None


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for found in in_models_only(context):
        table = found.table
        where = f"`{table.qualified_name}`"
        if found.column is None:
            span = table.span
            message = (
                f"table {where} is declared in the model, but no migration creates it: "
                "autogenerate will propose `create_table`"
            )
        else:
            span = column_place(table, found.column.name)
            message = (
                f"column `{found.column.name}` of {where} is declared in the model, but "
                f"{found.side.label} never create it: autogenerate will propose `add_column`"
            )
        assert span is not None
        column = found.column.name if found.column is not None else None
        yield Diagnostic(
            code=RULE.code,
            message=message,
            span=span,
            severity=RULE.severity,
            key=FindingKey(RULE.code, table.qualified_name, column, found.side.name),
            payload=MissingInMigrations(table.name, table.schema, column),
        )


_MODEL = """\
class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    total: Mapped[int]
"""
_CREATE = """\
op.create_table(
    "invoices",
    sa.Column("id", sa.Integer(), primary_key=True),
    {total}
)
"""

RULE = Rule(
    code="SL010",
    slug="table-or-column-missing-in-migrations",
    summary="A table or column of the model is created by no migration",
    severity=Severity.WARNING,
    explanation="""\
A model table or column that no migration creates does not exist in a database built by
`alembic upgrade head`: the application fails on its first query that touches it, and
autogenerate proposes `create_table`/`add_column` (what `alembic check` reports).

Reported only where the whole history was read: a revision schema-lint could not analyse, or
a history that starts from an existing schema (a baseline), may have created it. Tables the
project keeps out of autogenerate (`include_object`) are not reported.

No automatic fix: the fix is a migration (`schema-lint migration`), or removing the model.
""",
    check=check,
    payload=MissingInMigrations,
    flagged=(
        Example(
            project(_MODEL, _CREATE.format(total="")),
            "`total` is in the model only",
        ),
        Example(
            project(_MODEL, 'op.create_table("payments", sa.Column("id", sa.Integer()))'),
            "No migration creates `invoices`",
        ),
    ),
    accepted=(
        Example(
            project(
                _MODEL, _CREATE.format(total='sa.Column("total", sa.Integer(), nullable=False),')
            ),
            "Both sides have every column",
        ),
        Example(
            project(
                _MODEL,
                'op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True))\n'
                'op.add_column("invoices", sa.Column("total", sa.Integer(), nullable=False))',
            ),
            "A later `add_column` counts",
        ),
    ),
)
