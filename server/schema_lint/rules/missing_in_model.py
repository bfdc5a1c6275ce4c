"""SL011 table-or-column-missing-in-model: the migrations create it, the model lacks it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Related, Severity
from schema_lint.rules.context import RuleContext
from schema_lint.rules.example_projects import fixed_model, project
from schema_lint.rules.presence import in_migrations_only
from schema_lint.rules.registry import Example, Option, Rule


@dataclass(frozen=True, slots=True)
class MissingInModel:
    """SL011's payload: the table and column as the migrations create them."""

    table: str
    schema: str | None
    column: str | None
    type_text: str | None
    """The column's type as the migration writes it (``sa.String(length=64)``)."""
    nullable: bool


def check(context: RuleContext) -> Iterable[Diagnostic]:
    ignored = frozenset(context.options["ignore-tables"])
    for found in in_migrations_only(context, ignored):
        table, column = found.table, found.column
        where = f"`{table.qualified_name}`"
        created = column.span if column is not None else None
        if column is None or found.model is None:
            created = next((c.span for c in table.columns if c.span is not None), None)
            span = created
            message = (
                f"{found.side.label} create table {where}, which no model declares: "
                "autogenerate will propose dropping it"
            )
        else:
            span = found.model.span
            message = (
                f"{found.side.label} create column `{column.name}` of {where}, which the model "
                "does not declare: autogenerate will propose dropping it"
            )
        if span is None:
            continue
        related = (Related(created, "created here"),) if created is not None else ()
        name = column.name if column is not None else None
        yield Diagnostic(
            code=RULE.code,
            message=message,
            span=span,
            severity=RULE.severity,
            key=FindingKey(RULE.code, table.qualified_name, name, found.side.name),
            related=related,
            suppressible_at=tuple(r.span for r in related),
            payload=MissingInModel(
                table=table.name,
                schema=table.schema,
                column=name,
                type_text=column.type_text if column is not None else None,
                nullable=column.nullable if column is not None else True,
            ),
        )


_MODEL = """\
class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
_CREATE = """\
op.create_table(
    "invoices",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("note", sa.String(length=200), nullable=True),
)
"""

RULE = Rule(
    code="SL011",
    slug="table-or-column-missing-in-model",
    summary="A table or column the migrations create is declared by no model",
    severity=Severity.WARNING,
    explanation="""\
A column the migrations create and the model lacks is invisible to the application, and
`alembic revision --autogenerate` proposes dropping it with its data (what `alembic check`
reports as `remove_column`/`remove_table`).

Reported only where every model file was read; Alembic's own `alembic_version`, tables the
project keeps out of autogenerate (`include_object`) and tables listed in the
`ignore-tables` option are not reported. A table reported here is shown at the migration
that creates it.

Fix (unsafe, columns only): add the column to the model, typed as the migration types it.
""",
    check=check,
    payload=MissingInModel,
    flagged=(
        Example(
            project(_MODEL, _CREATE),
            "`note` exists in the database only",
            fixed=fixed_model(
                _MODEL + "    note: Mapped[Optional[str]] = mapped_column(String(length=200))\n"
            ),
        ),
    ),
    accepted=(
        Example(
            project(
                _MODEL + "    note: Mapped[Optional[str]] = mapped_column(String(200))\n",
                _CREATE,
            ),
            "The model declares it",
        ),
    ),
    options={
        "ignore-tables": Option(
            tuple, (), "Tables other tools own (qualified names) that SL011 ignores.", str
        ),
    },
)
