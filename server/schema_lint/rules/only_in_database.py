"""SL013 only-in-database: a table, column or index that neither models nor migrations know."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.facts.schema import Index
from schema_lint.facts.source import Span
from schema_lint.rules.compare import column_place, columns_text
from schema_lint.rules.context import RuleContext, SideKind
from schema_lint.rules.database_presence import (
    CodeTables,
    database_tables,
    index_match,
    project_place,
    report_place,
    same_database,
)
from schema_lint.rules.example_projects import project
from schema_lint.rules.registry import Example, Option, Rule


@dataclass(frozen=True, slots=True)
class OnlyInDatabase:
    """SL013's payload: what the database has that no code declares."""

    table: str
    schema: str | None
    kind: str
    """``table``, ``column`` or ``index``."""
    name: str | None
    columns: tuple[str, ...]
    unique: bool
    where: str | None
    code_name: str | None
    """For an index the code has under another name: that name."""


def check(context: RuleContext) -> Iterable[Diagnostic]:
    ignore_tables = context.options["ignore-tables"]
    ignore_indexes = context.options["ignore-indexes"]
    for database in context.sides(SideKind.DATABASE):
        environments = same_database(context, database)
        complete = context.models.complete and all(side.complete for side in environments)
        for tables in database_tables(context, database):
            if any(fnmatch.fnmatchcase(tables.key, p) for p in ignore_tables):
                continue
            present = [t for t in (tables.model, *tables.migrations) if t is not None]
            if not present:
                if complete:
                    yield _table(context, tables)
                continue
            known = tables.known()
            if len(known) != len(present) or tables.database.incomplete:
                continue  # some account of the table is partial: it may have anything
            if complete:
                yield from _columns(context, tables)
            yield from _indexes(context, tables, ignore_indexes)


def _table(context: RuleContext, tables: CodeTables) -> Diagnostic:
    table = tables.database
    message = (
        f"the database has table `{tables.key}`, which neither the models nor the migrations "
        "declare: made by hand or by another tool (list it in ignore-tables), or left behind"
    )
    return _diagnostic(
        project_place(context),
        message,
        FindingKey(RULE.code, tables.key, None, "database"),
        OnlyInDatabase(table.name, table.schema, "table", None, (), False, None, None),
    )


def _columns(context: RuleContext, tables: CodeTables) -> Iterable[Diagnostic]:
    table = tables.database
    for column in table.columns:
        if tables.side.excluded("column", column.name, table.name):
            continue
        if any(t.column(column.name) is not None for t in tables.known()):
            continue
        span = (
            column_place(tables.model, column.name) if tables.model is not None else None
        ) or report_place(context, tables)
        message = (
            f"the database has column `{column.name}` of `{tables.key}`, which neither the "
            "model nor the migrations declare: it was added outside the migrations"
        )
        yield _diagnostic(
            span,
            message,
            FindingKey(RULE.code, tables.key, column.name, "database"),
            OnlyInDatabase(
                table.name, table.schema, "column", column.name, (column.name,), False, None, None
            ),
        )


def _indexes(
    context: RuleContext, tables: CodeTables, ignore: Iterable[str]
) -> Iterable[Diagnostic]:
    table = tables.database
    dialect = tables.side.dialect.name if tables.side.dialect else context.dialect.name
    uncertain = tables.uncertain()
    for index in table.indexes:
        if index.name in uncertain or tables.side.excluded("index", index.name, table.name):
            continue
        if index.name and any(fnmatch.fnmatchcase(index.name, p) for p in ignore):
            continue
        matches = [index_match(index, t, dialect) for t in tables.known()]
        if any(m is True for m in matches):
            continue
        renamed = [m for m in matches if isinstance(m, Index)]
        if renamed and len(renamed) != len(matches):
            continue  # one account has it under another name, another lacks it: static rules'
        yield _index(context, tables, index, renamed[0].name if renamed else None)


def _index(
    context: RuleContext, tables: CodeTables, index: Index, code_name: str | None
) -> Diagnostic:
    table = tables.database
    kind = "unique index" if index.unique else "index"
    shape = f"{kind} `{index.name}` on {columns_text(index.columns)}"
    if index.where:
        shape += f" WHERE {index.where}"
    if code_name is not None:
        message = (
            f"the database has {shape} of `{tables.key}`, which the code names `{code_name}`: "
            "it was re-created by hand under another name"
        )
    else:
        message = (
            f"the database has {shape} of `{tables.key}`, which neither the model nor the "
            "migrations declare: it was made outside the migrations (list it in "
            "ignore-indexes if another tool owns it)"
        )
    single = index.columns[0] if len(index.columns) == 1 and not index.expressions else None
    span = None
    if tables.model is not None:
        span = column_place(tables.model, single) if single else tables.model.span
    return _diagnostic(
        span or report_place(context, tables),
        message,
        FindingKey(RULE.code, tables.key, index.name or ",".join(index.columns), "database"),
        OnlyInDatabase(
            table.name,
            table.schema,
            "index",
            index.name,
            index.columns,
            index.unique,
            index.where,
            code_name,
        ),
    )


def _diagnostic(
    span: Span | None, message: str, key: FindingKey, payload: OnlyInDatabase
) -> Diagnostic:
    assert span is not None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=key,
        payload=payload,
    )


_MODEL = """\
class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20))
"""
_MIGRATION = """\
op.create_table(
    "invoices",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("number", sa.String(20), nullable=False),
)
"""
_DATABASE = """\
CREATE TABLE invoices (id INTEGER NOT NULL PRIMARY KEY, number VARCHAR(20) NOT NULL);
{extra}CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('0001');
"""

RULE = Rule(
    code="SL013",
    slug="only-in-database",
    summary="A table, column or index of the database is declared by neither models nor migrations",
    severity=Severity.WARNING,
    explanation="""\
`schema-lint db` only. The live database has something no model declares and no migration
creates: an index built concurrently during an incident and never migrated, a column added
by a hotfix, a table left behind. The next environment built from the migrations lacks it,
and `alembic revision --autogenerate` proposes dropping it.

Reported once, naming the database as the odd one out; what the models or the migrations
know (even under another name) is the static rules' business. Alembic's own version table,
tables that belong to a PostgreSQL extension, partitions, and objects the project keeps out
of autogenerate (`include_object`) are not reported; list what another tool owns in the
options.

Fix: declare it in the model and write a migration that creates it (so that every database
has it), or drop it from this database.
""",
    check=check,
    payload=OnlyInDatabase,
    flagged=(
        Example(
            project(_MODEL, _MIGRATION),
            "An index built by hand on the live database",
            database=_DATABASE.format(
                extra="CREATE INDEX invoices_number_idx ON invoices (number);\n"
            ),
        ),
    ),
    accepted=(
        Example(
            project(_MODEL, _MIGRATION),
            "The database has only what the code declares",
            database=_DATABASE.format(extra=""),
        ),
    ),
    options={
        "ignore-tables": Option(
            tuple, (), "Glob patterns of tables (qualified names) another tool owns.", str
        ),
        "ignore-indexes": Option(tuple, (), "Glob patterns of index names another tool owns.", str),
    },
)
