"""What a rule reads: named schema sides, the dialect, the naming convention, its options.

A *side* is one account of the schema: what the models declare, what one Alembic
environment's migrations produce, and (later) what a live database holds. Drift rules
compare the models with each other side through :meth:`RuleContext.pairs`, which applies
once the guards every such rule needs: a table whose facts may be partial on either side,
or that the project excludes from autogenerate, is never judged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from schema_lint.facts.environment import ObjectFilter
from schema_lint.facts.schema import Schema, Table
from schema_lint.facts.source import Problem
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
    """How messages name it: "the migrations", "the migrations of `versions/sqlite`"."""
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

    def excluded(self, kind: str, name: str | None, table: str | None = None) -> bool:
        """Whether the project keeps this object out of autogenerate on this side."""
        return any(f.matches(kind, name, table) for f in self.filters)


@dataclass(frozen=True, slots=True)
class TablePair:
    """One table as the models declare it and as another side has it."""

    model: Table
    other: Table
    side: Side
    dialect: Dialect = field(default_factory=Dialect)
    """The dialect of this comparison: the side's own, else the project's."""

    @property
    def key(self) -> str:
        return self.model.qualified_name


def side_label(kind: SideKind, name: str, several: bool) -> str:
    if kind is SideKind.MODELS:
        return "the models"
    if kind is SideKind.DATABASE:
        return "the database"
    return f"the migrations of `{name}`" if several else "the migrations"


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
        self, kind: SideKind = SideKind.MIGRATIONS, *, baseline: bool = False
    ) -> Iterator[TablePair]:
        """Each model table with its counterpart on every side of ``kind``, in that side's order.

        Skipped, because judging them would be guesswork: model tables that are incomplete
        or have no place to report at, tables incomplete on the other side, tables the
        project excludes from autogenerate on that side, and baseline tables (whose shape is
        unknown) unless ``baseline``: a rule that reads only the indexes the migrations
        created may judge those. A side with its own dialect pairs with the models built
        for it.
        """
        for side in self.sides(kind):
            models = side.models or self.models.schema
            for key, other in side.schema.tables.items():
                model = models.tables.get(key)
                if model is None and other.schema in side.schemas:
                    model = models.tables.get(other.name)
                if model is None or model.incomplete or model.span is None:
                    continue
                if other.incomplete or side.excluded("table", other.name):
                    continue
                if other.baseline and not baseline:
                    continue
                if other.uncertain:
                    model, other = (
                        _without(model, other.uncertain),
                        _without(other, other.uncertain),
                    )
                yield TablePair(model, other, side, side.dialect or self.dialect)


def _without(table: Table, names: tuple[str, ...]) -> Table:
    """``table`` without the indexes and constraints named ``names``."""
    return replace(
        table,
        indexes=tuple(i for i in table.indexes if i.name not in names),
        unique_constraints=tuple(u for u in table.unique_constraints if u.name not in names),
        foreign_keys=tuple(f for f in table.foreign_keys if f.name not in names),
        check_constraints=tuple(c for c in table.check_constraints if c.name not in names),
    )
