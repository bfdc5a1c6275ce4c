"""What a generated revision changes, as plain data: objects created or dropped, columns
whose nullability changes. Each change knows its exact inverse (for ``downgrade()``) and the
guard it needs before it runs (duplicates before uniqueness, NULLs before NOT NULL).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

PARTIAL_INDEX_KEYWORDS = {
    "postgresql": "postgresql_where",
    "sqlite": "sqlite_where",
    "mssql": "mssql_where",
}
"""The ``Index(...)`` keyword of a partial index's predicate on each database that has them."""


@dataclass(frozen=True, slots=True)
class Unique:
    table: str
    schema: str | None
    name: str
    columns: tuple[str, ...]
    final: bool = False
    """The name is the naming convention's (``op.f(...)``: the convention must not apply to
    it again)."""


@dataclass(frozen=True, slots=True)
class Index:
    table: str
    schema: str | None
    name: str
    columns: tuple[str, ...]
    """Column names, or SQL expressions when ``expressions``."""
    unique: bool = False
    where: str | None = None
    expressions: bool = False
    final: bool = False


@dataclass(frozen=True, slots=True)
class ForeignKey:
    table: str
    schema: str | None
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_schema: str | None
    ref_columns: tuple[str, ...]
    ondelete: str | None = None
    onupdate: str | None = None
    final: bool = False


@dataclass(frozen=True, slots=True)
class Check:
    table: str
    schema: str | None
    name: str
    condition: str
    final: bool = False


SchemaObject = Unique | Index | ForeignKey | Check


@dataclass(frozen=True, slots=True)
class Create:
    object: SchemaObject
    row_key: str | None = None
    """The table's single-column primary key (the row a ``keep-lowest`` dedupe keeps)."""

    def reverse(self) -> Drop:
        return Drop(self.object, self.row_key)


@dataclass(frozen=True, slots=True)
class Drop:
    object: SchemaObject
    row_key: str | None = None

    def reverse(self) -> Create:
        return Create(self.object, self.row_key)


@dataclass(frozen=True, slots=True)
class SetNullable:
    table: str
    schema: str | None
    column: str
    nullable: bool
    type_text: str | None
    """The column's type as the migrations write it (``sa.String(length=64)``), if known."""

    def reverse(self) -> SetNullable:
        return replace(self, nullable=not self.nullable)


Change = Create | Drop | SetNullable


def table_of(change: Change) -> tuple[str | None, str]:
    """(schema, table) the change is made to."""
    if isinstance(change, SetNullable):
        return change.schema, change.table
    return change.object.schema, change.object.table


def qualified(schema: str | None, table: str) -> str:
    return f"{schema}.{table}" if schema else table


def order(change: Change) -> int:
    """Within a table: drops first (a name may be reused), then columns, then creations."""
    if isinstance(change, Drop):
        return 0
    return 1 if isinstance(change, SetNullable) else 2


def adds_uniqueness(change: Change) -> Unique | Index | None:
    """The unique constraint or unique index ``change`` creates, if any."""
    if isinstance(change, Create):
        found = change.object
        if isinstance(found, Unique) or (isinstance(found, Index) and found.unique):
            return found
    return None


def action(change: Change) -> str:
    """What ``change`` does, without names: ``add unique constraint``, ``make NOT NULL``."""
    if isinstance(change, SetNullable):
        return "make nullable" if change.nullable else "make NOT NULL"
    verb = "add" if isinstance(change, Create) else "drop"
    found = change.object
    if isinstance(found, Index):
        return f"{verb} {'unique index' if found.unique else 'index'}"
    kind = {Unique: "unique constraint", ForeignKey: "foreign key", Check: "check constraint"}
    return f"{verb} {kind[type(found)]}"


def describe(change: Change) -> str:
    """A short phrase for messages: ``add unique constraint uq_x on user_roles``."""
    table = qualified(*table_of(change))
    if isinstance(change, SetNullable):
        return f"{action(change)} {table}.{change.column}"
    return f"{action(change)} {change.object.name} on {table}"
