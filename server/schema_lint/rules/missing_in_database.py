"""SL012 missing-in-database: the models and the migrations have it, the database lacks it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Related, Severity
from schema_lint.facts.schema import Index, Table
from schema_lint.facts.source import Span
from schema_lint.rules.compare import column_place, columns_text, declared_place
from schema_lint.rules.context import RuleContext, Side, SideKind
from schema_lint.rules.database_presence import index_match, models_for, same_database
from schema_lint.rules.example_projects import project
from schema_lint.rules.registry import Example, Rule


@dataclass(frozen=True, slots=True)
class MissingInDatabase:
    """SL012's payload: what the database lacks."""

    table: str
    schema: str | None
    kind: str
    """``table``, ``column`` or ``index``."""
    name: str | None
    """The column's or index's name (None for a table or an unnamed index)."""
    columns: tuple[str, ...]
    unique: bool


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for database in context.sides(SideKind.DATABASE):
        environments = same_database(context, database)
        for key, model in models_for(context, database).items():
            if model.incomplete or model.span is None or database.excluded("table", model.name):
                continue
            migrations = [
                t for side in environments if (t := side.schema.tables.get(key)) is not None
            ]
            if environments and not migrations:
                continue  # the migrations never create it: SL010's
            other = database.schema.tables.get(key)
            if other is None:
                created = [next((c.span for c in t.columns if c.span), None) for t in migrations]
                yield _finding(database, model, "table", None, model.span, created, environments)
                continue
            judged = [t for t in migrations if not t.incomplete and not t.baseline]
            if other.incomplete or len(judged) != len(migrations):
                continue
            yield from _columns(database, model, other, judged, bool(environments))
            yield from _indexes(database, model, other, judged, bool(environments))


def _columns(
    database: Side, model: Table, other: Table, migrations: list[Table], environments: bool
) -> Iterable[Diagnostic]:
    for column in model.columns:
        if other.column(column.name) is not None:
            continue
        if database.excluded("column", column.name, model.name):
            continue
        if any(t.column(column.name) is None for t in migrations):
            continue  # the migrations lack it too: SL010's
        span = column_place(model, column.name)
        found = [c.span for t in migrations if (c := t.column(column.name)) is not None]
        yield _finding(database, model, "column", column.name, span, found, environments)


def _indexes(
    database: Side, model: Table, other: Table, migrations: list[Table], environments: bool
) -> Iterable[Diagnostic]:
    dialect = database.dialect.name if database.dialect else "postgresql"
    uncertain = {*other.uncertain, *(n for t in migrations for n in t.uncertain)}
    for index in model.indexes:
        if index.expressions and index.name is None:
            continue  # nothing to recognise it by
        if index.name in uncertain or database.excluded("index", index.name, model.name):
            continue
        if index_match(index, other, dialect) is not False:
            continue
        if any(index_match(index, t, dialect) is False for t in migrations):
            continue  # the migrations lack it too: SL007's
        span = declared_place(model, index.span, index.inherited_from)
        created = [i.span for t in migrations for i in t.indexes if i.name == index.name]
        yield _finding(database, model, "index", index, span, created, environments)


def _finding(
    database: Side,
    model: Table,
    kind: str,
    what: str | Index | None,
    span: Span | None,
    created: Iterable[Span | None],
    environments: bool | list[Side],
) -> Diagnostic:
    where = f"`{model.qualified_name}`"
    code = "the model and the migrations" if environments else "the model"
    if isinstance(what, Index):
        named = f"`{what.name}` " if what.name else ""
        kind_text = "unique index" if what.unique else "index"
        thing = f"{kind_text} {named}on {columns_text(what.columns)} of {where}"
        obj: str | None = what.name or ",".join(what.columns)
        name, columns, unique = what.name, what.columns, what.unique
    elif kind == "column":
        thing = f"column `{what}` of {where}"
        obj, name, columns, unique = str(what), str(what), (str(what),), False
    else:
        thing = f"table {where}"
        obj, name, columns, unique = None, None, (), False
    message = (
        f"{thing} is declared in {code}, but the database does not have it: run the "
        "migrations (`alembic upgrade head`), or find out who dropped it"
    )
    related = tuple(
        Related(place, "the migrations create it here")
        for place in dict.fromkeys(c for c in created if isinstance(c, Span))
    )
    assert span is not None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=FindingKey(RULE.code, model.qualified_name, obj, database.name),
        related=related,
        payload=MissingInDatabase(model.name, model.schema, kind, name, columns, unique),
    )


_MODEL = """\
class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), index=True)
"""
_MIGRATION = """\
op.create_table(
    "invoices",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("number", sa.String(20), nullable=False),
)
op.create_index("ix_invoices_number", "invoices", ["number"])
"""
_DATABASE = """\
CREATE TABLE invoices (id INTEGER NOT NULL PRIMARY KEY, number VARCHAR(20) NOT NULL);
{index}CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('0001');
"""

RULE = Rule(
    code="SL012",
    slug="missing-in-database",
    summary="A table, column or index of the models and the migrations is missing in the database",
    severity=Severity.WARNING,
    explanation="""\
`schema-lint db` only. The models declare it and the migrations create it, yet the live
database does not have it: the migrations were not run there (see SL014), or someone dropped
it by hand (a hotfix, a rebuilt index that failed, a restore from an old dump). Queries that
rely on an index scan the table; code that uses a column fails.

Reported once, naming the database as the odd one out. When the models and the migrations
disagree as well, SL007 or SL010 reports the difference instead.

Fix: run the migrations (`alembic upgrade head`) or re-create the object with a migration.
""",
    check=check,
    payload=MissingInDatabase,
    flagged=(
        Example(
            project(_MODEL, _MIGRATION),
            "The index was dropped from the database by hand",
            database=_DATABASE.format(index=""),
        ),
    ),
    accepted=(
        Example(
            project(_MODEL, _MIGRATION),
            "The database has what the models and the migrations say",
            database=_DATABASE.format(
                index="CREATE INDEX ix_invoices_number ON invoices (number);\n"
            ),
        ),
    ),
)
