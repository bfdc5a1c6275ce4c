"""What a rule reads: named schema sides, the dialect, the naming convention, its options.

A *side* is one account of the schema: what the models declare, what one Alembic
environment's migrations produce, and what a live database holds. Drift rules compare two
sides at a time through :meth:`RuleContext.pairs`: the models with every other side, and
each environment's migrations with the database. It applies once the guards every such rule
needs: a table whose facts may be partial on either side, or that the project excludes from
autogenerate, is never judged. Messages name both sides with :func:`declared` and friends.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from schema_lint.diagnostics import FindingKey
from schema_lint.facts.environment import ObjectFilter
from schema_lint.facts.schema import Schema, Table
from schema_lint.facts.source import Problem, Span
from schema_lint.vocabulary.dialects import DEFAULT_CONVENTION, Dialect


class SideKind(str, Enum):
    MODELS = "models"
    MIGRATIONS = "migrations"
    DATABASE = "database"


@dataclass(frozen=True, slots=True)
class Side:
    """One account of the schema, named for messages and finding keys."""

    kind: SideKind
    name: str
    """``models``, the Alembic environment's name, or ``database``."""
    schema: Schema
    label: str = ""
    """How messages name it: "the model", "the migrations", "the migrations of
    `versions/sqlite`", "the database"."""
    filters: tuple[ObjectFilter, ...] = ()
    complete: bool = False
    """Every table of this side is known: nothing schema-lint could not read may add, drop
    or rename one. Presence rules (a table or column on one side only) need it."""
    models: Schema | None = None
    """The models built for this side's own dialect, where it is not the project's."""
    dialect: Dialect | None = None
    """This side's own dialect (an Alembic environment of ``versions/sqlite``), if any."""
    schemas: tuple[str, ...] = ()
    """The schemas this side's tree was replayed into (tenants): a table there is the model's
    table of that name when the models have none in that schema."""
    history: tuple[RevisionNode, ...] = ()
    """A migrations side: its revisions (the graph a database's stamp is placed in)."""
    uncompared: str = ""
    """A migrations side autogenerate never compares with models (``target_metadata =
    None``): why. Its tables that no model declares are not drift."""
    stamped: tuple[str, ...] | None = None
    """A database side: the revisions its ``alembic_version`` holds (None: it has no such
    table)."""

    def excluded(self, kind: str, name: str | None, table: str | None = None) -> bool:
        """Whether the project keeps this object out of autogenerate on this side."""
        return any(f.matches(kind, name, table) for f in self.filters)


@dataclass(frozen=True, slots=True)
class RevisionNode:
    """One revision of a history: what placing a database's stamp in it needs."""

    revision: str
    parents: tuple[str, ...]
    """``down_revision`` and ``depends_on`` targets."""
    span: Span


@dataclass(frozen=True, slots=True)
class TablePair:
    """One table as the base side has it (the models, or an environment's migrations when
    compared with a database) and as another side has it. Findings are reported at the base
    side's declarations."""

    base: Table
    other: Table
    side: Side
    """The other side."""
    dialect: Dialect = field(default_factory=Dialect)
    """The dialect of this comparison: the side's own, else the project's."""
    base_side: Side | None = None
    """The base side (None: the models)."""

    @property
    def key(self) -> str:
        return self.base.qualified_name

    @property
    def base_label(self) -> str:
        return self.base_side.label if self.base_side is not None else "the model"

    @property
    def base_kind(self) -> SideKind:
        return self.base_side.kind if self.base_side is not None else SideKind.MODELS

    def finding_key(self, code: str, obj: str | None) -> FindingKey:
        """The key of a finding about ``obj`` of this table, naming both sides."""
        base = self.base_side.name if self.base_side is not None else None
        return FindingKey(code, self.base.qualified_name, obj, self.side.name, base)


def side_label(kind: SideKind, name: str, several: bool) -> str:
    if kind is SideKind.MODELS:
        return "the model"
    if kind is SideKind.DATABASE:
        return "the database"
    return f"the migrations of `{name}`" if several else "the migrations"


_VERBS = {
    SideKind.MODELS: ("declares", "does not declare", "is declared in"),
    SideKind.MIGRATIONS: ("create", "never create", "is created by"),
    SideKind.DATABASE: ("has", "does not have", "exists in"),
}


def has(kind: SideKind) -> str:
    """The verb for what a side holds, agreeing with its label: "the migrations create"."""
    return _VERBS[kind][0]


def lacks(kind: SideKind) -> str:
    """ "the model does not declare", "the migrations never create", "the database does not
    have"."""
    return _VERBS[kind][1]


def declared(kind: SideKind, label: str) -> str:
    """ "is declared in the model", "is created by the migrations", "exists in the database"."""
    return f"{_VERBS[kind][2]} {label}"


@dataclass(frozen=True, slots=True)
class RuleContext:
    models: Side
    others: tuple[Side, ...] = ()
    """Every other side: each Alembic environment's replay, then a live database if any."""
    options: Mapping[str, Any] = field(default_factory=dict)
    dialect: Dialect = field(default_factory=Dialect)
    naming_convention: Mapping[str, str] = field(default_factory=dict)
    """The models' ``MetaData(naming_convention=...)`` (empty: SQLAlchemy's default)."""
    problems: tuple[Problem, ...] = ()
    """What could not be read: every problem of the project's files and directories."""

    @property
    def convention(self) -> Mapping[str, str]:
        """The naming convention in effect: the models' own, else SQLAlchemy's default."""
        return self.naming_convention or DEFAULT_CONVENTION

    def sides(self, kind: SideKind) -> Iterator[Side]:
        return (side for side in self.others if side.kind is kind)

    def pairs(
        self, kind: SideKind | None = SideKind.MIGRATIONS, *, baseline: bool = False
    ) -> Iterator[TablePair]:
        """Each table of the models with its counterpart on every side of ``kind`` (None:
        every side), in the sides' order; with a database side, also each environment's
        migrations with the database.

        Skipped, because judging them would be guesswork: base tables that are incomplete
        or have no place to report at, tables incomplete on the other side, tables the
        project excludes from autogenerate on that side, and baseline tables (whose shape is
        unknown) unless ``baseline``: a rule that reads only the indexes the migrations
        created may judge those. A side with its own dialect pairs with the models built
        for it.
        """
        for side in self.others:
            if kind is not None and side.kind is not kind:
                continue
            models = side.models or self.models.schema
            for key, other in side.schema.tables.items():
                model = models.tables.get(key)
                if model is None and other.schema in side.schemas:
                    model = models.tables.get(other.name)
                if model is None or model.incomplete or model.span is None:
                    continue
                pair = self._pair(model, other, side, None, baseline)
                if pair is not None:
                    yield pair
        if kind is SideKind.MIGRATIONS:
            return
        for database in self.sides(SideKind.DATABASE):
            for migrations in self.sides(SideKind.MIGRATIONS):
                if not _same_database(migrations, database):
                    continue
                for key, table in migrations.schema.tables.items():
                    found = database.schema.tables.get(key)
                    if found is None or table.incomplete or table.baseline:
                        continue
                    if migrations.excluded("table", table.name):
                        continue
                    base = replace(table, span=table.span or _first_span(table))
                    if base.span is None:
                        continue
                    pair = self._pair(base, found, database, migrations, baseline)
                    if pair is not None:
                        yield pair

    def _pair(
        self, base: Table, other: Table, side: Side, base_side: Side | None, baseline: bool
    ) -> TablePair | None:
        if other.incomplete or side.excluded("table", other.name):
            return None
        if other.baseline and not baseline:
            return None
        uncertain = (*base.uncertain, *other.uncertain)
        if uncertain:
            # an uncertain object is not judged on either side, whatever name the other side
            # knows it by: its counterpart of the same kind and columns goes too (optuna)
            shapes = _shapes(base, uncertain) | _shapes(other, uncertain)
            base, other = (
                _without(base, uncertain, shapes, _names(other)),
                _without(other, uncertain, shapes, _names(base)),
            )
        filters = (*side.filters, *(base_side.filters if base_side is not None else ()))
        if filters:
            # `reflected` filters apply to what the database holds, `not reflected` ones to
            # what the models declare (prefect: `not reflected and name.endswith("desc")`)
            base = _unfiltered(base, tuple(f for f in filters if f.reflected is not True))
            other = _unfiltered(other, tuple(f for f in filters if f.reflected is not False))
        dialect = side.dialect or (base_side.dialect if base_side else None) or self.dialect
        return TablePair(base, other, side, dialect, base_side)


def _same_database(migrations: Side, database: Side) -> bool:
    """An environment replayed for another dialect than the database's runs elsewhere."""
    own = migrations.dialect
    return own is None or database.dialect is None or own.name == database.dialect.name


def _first_span(table: Table) -> Span | None:
    """Where the migrations create a table: its first column's operation."""
    return next((c.span for c in table.columns if c.span is not None), None)


def _unfiltered(table: Table, filters: tuple[ObjectFilter, ...]) -> Table:
    """``table`` without the columns, indexes and constraints the project keeps out of
    autogenerate (Alembic's ``type_`` names)."""

    def kept(kind: str, name: str | None) -> bool:
        return not any(f.matches(kind, name, table.name) for f in filters)

    return replace(
        table,
        columns=tuple(c for c in table.columns if kept("column", c.name)),
        indexes=tuple(i for i in table.indexes if kept("index", i.name)),
        unique_constraints=tuple(
            u for u in table.unique_constraints if kept("unique_constraint", u.name)
        ),
        foreign_keys=tuple(f for f in table.foreign_keys if kept("foreign_key_constraint", f.name)),
    )


Shape = tuple[str, frozenset[str]]


def _shapes(table: Table, names: tuple[str, ...]) -> set[Shape]:
    """The kind and columns of each index, unique or foreign key named ``names``."""
    found: set[Shape] = {("index", frozenset(i.columns)) for i in table.indexes if i.name in names}
    # uniqueness in the other form (a unique index for a unique constraint) is its counterpart
    found |= {
        ("unique", frozenset(i.columns)) for i in table.indexes if i.name in names and i.unique
    }
    unique = {frozenset(u.columns) for u in table.unique_constraints if u.name in names}
    found |= {("unique", columns) for columns in unique} | {("index", c) for c in unique}
    found |= {("fk", frozenset(f.columns)) for f in table.foreign_keys if f.name in names}
    found |= {("check", _text_shape(c.sqltext)) for c in table.check_constraints if c.name in names}
    return found


def _text_shape(sql: str) -> frozenset[str]:
    return frozenset({"".join(sql.split()).lower()})


def _names(table: Table) -> set[str]:
    found = {i.name for i in table.indexes} | {u.name for u in table.unique_constraints}
    found |= {f.name for f in table.foreign_keys} | {c.name for c in table.check_constraints}
    return {name for name in found if name is not None}


def _without(
    table: Table,
    names: tuple[str, ...],
    shapes: set[Shape] | None = None,
    named_there: set[str] | None = None,
) -> Table:
    """``table`` without the indexes and constraints named ``names``, nor those of
    ``shapes`` unless the other side has one of their name (then it is their counterpart,
    not the uncertain object under another name)."""
    shapes, there = shapes or set(), named_there or set()

    def gone(name: str | None, shape: Shape) -> bool:
        return name in names or (shape in shapes and name not in there)

    return replace(
        table,
        indexes=tuple(
            i for i in table.indexes if not gone(i.name, ("index", frozenset(i.columns)))
        ),
        unique_constraints=tuple(
            u
            for u in table.unique_constraints
            if not gone(u.name, ("unique", frozenset(u.columns)))
        ),
        foreign_keys=tuple(
            f for f in table.foreign_keys if not gone(f.name, ("fk", frozenset(f.columns)))
        ),
        check_constraints=tuple(
            c
            for c in table.check_constraints
            if not gone(c.name, ("check", _text_shape(c.sqltext)))
        ),
    )
