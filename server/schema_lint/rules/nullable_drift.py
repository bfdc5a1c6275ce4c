"""SL004 nullable-drift: a column NOT NULL on one side and nullable on the other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, Related, Severity
from schema_lint.facts.schema import Column
from schema_lint.rules.compare import column_place
from schema_lint.rules.context import RuleContext, TablePair
from schema_lint.rules.example_projects import fixed_model, project
from schema_lint.rules.registry import Example, Rule


@dataclass(frozen=True, slots=True)
class NullableDrift:
    """SL004's payload: the column and what the migrations make it."""

    table: str
    schema: str | None
    column: str
    column_key: str
    database_nullable: bool
    inherited_from: str | None


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for pair in context.pairs(None):
        for column in pair.base.columns:
            other = pair.other.column(column.name)
            if other is None or not _comparable(column, other):
                continue
            if column.nullable != other.nullable:
                yield _finding(pair, column, other)


def _comparable(model: Column, database: Column) -> bool:
    """Both nullabilities are known, and neither column is part of a primary key (always
    NOT NULL in the database, whatever the model's annotation says)."""
    return not (
        model.primary_key
        or database.primary_key
        or model.nullable_unknown
        or database.nullable_unknown
    )


def _state(nullable: bool) -> str:
    return "nullable" if nullable else "NOT NULL"


def _finding(pair: TablePair, column: Column, other: Column) -> Diagnostic:
    model = pair.base
    span = column_place(model, column.name)
    assert span is not None
    message = (
        f"column `{model.qualified_name}.{column.name}` is {_state(column.nullable)} in "
        f"{pair.base_label} but {_state(other.nullable)} in {pair.side.label}"
    )
    place = other.nullable_span or other.span
    related = (Related(place, f"made {_state(other.nullable)} here"),) if place else ()
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=pair.finding_key(RULE.code, column.name),
        related=related,
        suppressible_at=(place,) if place is not None else (),
        payload=NullableDrift(
            table=model.name,
            schema=model.schema,
            column=column.name,
            column_key=column.key or column.name,
            database_nullable=other.nullable,
            inherited_from=column.inherited_from,
        ),
    )


_MODEL = """\
class Article(Base):
    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[{title}] = mapped_column(String(200){extra})
"""
_TABLE = """\
op.create_table(
    "articles",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("title", sa.String(200), nullable={nullable}),
)
"""


def _articles(title: str, nullable: str, extra: str = "") -> dict[str, str]:
    return project(_MODEL.format(title=title, extra=extra), _TABLE.format(nullable=nullable))


RULE = Rule(
    code="SL004",
    slug="nullable-drift",
    summary="A column is NOT NULL on one side and nullable on the other",
    severity=Severity.WARNING,
    explanation="""\
When the model lets a column be NULL that the database declares NOT NULL, inserts the
application believes valid fail; in the other direction the application meets NULLs it does
not expect. `alembic revision --autogenerate` reports either as `modify_nullable`.

Nullability follows SQLAlchemy exactly: an explicit `nullable=` wins, else
`Mapped[Optional[X]]` / `X | None` is nullable and `Mapped[X]` is not, else a column is
nullable unless it is part of the primary key. Primary-key columns are NOT NULL in the
database whatever the model says, and are not compared; nor is a column whose type comes
from a module schema-lint does not read.

Fix (unsafe): set `nullable=` on the model's column to what the migrations make it. If the
database is what should change, keep the model and generate a migration instead.
""",
    check=check,
    payload=NullableDrift,
    flagged=(
        Example(
            _articles("Optional[str]", "False"),
            "The model allows NULL; the migration says NOT NULL",
            fixed=fixed_model(_MODEL.format(title="Optional[str]", extra=", nullable=False")),
        ),
        Example(
            _articles("str", "True"),
            "`Mapped[str]` is NOT NULL; the migration allows NULL",
            fixed=fixed_model(_MODEL.format(title="str", extra=", nullable=True")),
        ),
    ),
    accepted=(
        Example(_articles("Optional[str]", "True"), "`Optional` and `nullable=True` agree"),
        Example(
            _articles("Optional[str]", "False", ", nullable=False"),
            "An explicit `nullable=False` wins over the annotation",
        ),
    ),
)
