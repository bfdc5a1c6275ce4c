"""What the database has and the code does not, or the other way round: SL012 and SL013.

A live database is compared with the models *and* the migrations at once, so that each
difference is reported once, by the side that is the odd one out: an object the models and
the migrations agree on and the database lacks (SL012), or one the database has and neither
knows (SL013). When the models and the migrations disagree, the static rules (SL002, SL007,
SL010, SL011) already report it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from schema_lint.facts.schema import Index, Table
from schema_lint.facts.source import Span
from schema_lint.rules.compare import plain, unique_constraints
from schema_lint.rules.context import RuleContext, Side, SideKind
from schema_lint.rules.presence import ALEMBIC_TABLES
from schema_lint.vocabulary.sql import normalise_condition


@dataclass(frozen=True, slots=True)
class CodeTables:
    """One table as the models and each environment's migrations have it (None: absent)."""

    key: str
    model: Table | None
    migrations: tuple[Table | None, ...]
    database: Table
    side: Side

    def known(self) -> list[Table]:
        """The code's accounts of the table that can be judged (complete, not baseline)."""
        tables = [self.model, *self.migrations]
        return [t for t in tables if t is not None and not t.incomplete and not t.baseline]

    def uncertain(self) -> set[str]:
        names = set(self.database.uncertain)
        for table in (self.model, *self.migrations):
            if table is not None:
                names.update(table.uncertain)
        return names


def same_database(context: RuleContext, database: Side) -> list[Side]:
    """The environments whose migrations run on ``database``'s kind of database."""
    return [
        side
        for side in context.sides(SideKind.MIGRATIONS)
        if side.dialect is None or database.dialect is None or side.dialect == database.dialect
    ]


def models_for(context: RuleContext, database: Side) -> dict[str, Table]:
    return dict((database.models or context.models.schema).tables)


def report_place(context: RuleContext, tables: CodeTables) -> Span | None:
    """Where to report about a table: the model's declaration, else the migrations'."""
    if tables.model is not None and tables.model.span is not None:
        return tables.model.span
    for table in tables.migrations:
        if table is not None:
            span = table.span or next((c.span for c in table.columns if c.span), None)
            if span is not None:
                return span
    return project_place(context)


def project_place(context: RuleContext) -> Span | None:
    """Where to report what no file declares: the migrations' head revision, else the first
    model table."""
    for side in context.sides(SideKind.MIGRATIONS):
        heads = set(side.schema.heads)
        for node in side.history:
            if node.revision in heads:
                return node.span
    spans = [t.span for t in context.models.schema.tables.values() if t.span is not None]
    return min(spans, key=lambda s: (s.path, s.line)) if spans else None


def database_tables(context: RuleContext, database: Side) -> Iterator[CodeTables]:
    """Every database table with the code's accounts of it."""
    models = models_for(context, database)
    environments = same_database(context, database)
    for key, table in database.schema.tables.items():
        if table.name in ALEMBIC_TABLES or database.excluded("table", table.name):
            continue
        model = models.get(key)
        if model is not None and (model.incomplete or model.span is None):
            continue
        yield CodeTables(
            key,
            model,
            tuple(side.schema.tables.get(key) for side in environments),
            table,
            database,
        )


def _items(index: Index, dialect: str) -> tuple[str, ...]:
    if not index.expressions:
        return index.columns
    return tuple(normalise_condition(item, dialect) or item for item in index.columns)


def index_match(index: Index, table: Table, dialect: str) -> Index | bool | None:
    """How ``table`` knows ``index``: True (same name, or the same uniqueness as a
    constraint, or it cannot tell), an index of the same shape under another name, or False
    (unknown)."""
    for candidate in table.indexes:
        if index.name is not None and candidate.name == index.name:
            return True
    for candidate in table.indexes:
        if (
            candidate.unique == index.unique
            and candidate.expressions == index.expressions
            and _items(candidate, dialect) == _items(index, dialect)
        ):
            if candidate.name is None or index.name is None or table.naming_unknown:
                return True
            return candidate
    if index.unique and plain(index) and frozenset(index.columns) in unique_constraints(table):
        return True
    # an expression index whose name is unknown may be this one
    return index.expressions and any(c.expressions and c.name is None for c in table.indexes)
