"""What one Alembic revision file says: its place in the graph and its schema operations.

Operations are the statically evaluated ``upgrade()`` of the file, in execution order, with
names, tables and columns resolved to literals. Names passed through ``op.f()`` are marked
``final`` (the naming convention does not apply to them).
"""

from __future__ import annotations

from dataclasses import dataclass

from schema_lint.facts.source import Problem, Span


@dataclass(frozen=True, slots=True)
class ForeignKeyRef:
    """``sa.ForeignKey("table.column")`` on a column."""

    target: str
    ondelete: str | None = None
    name: str | None = None
    name_final: bool = False
    onupdate: str | None = None


@dataclass(frozen=True, slots=True)
class ColumnDef:
    name: str
    nullable: bool | None = None
    """``None`` when not given: nullable unless part of the primary key."""
    primary_key: bool = False
    unique: bool = False
    index: bool = False
    foreign_keys: tuple[ForeignKeyRef, ...] = ()
    span: Span | None = None
    type_text: str | None = None
    """The column's type as written in the migration (``sa.String(length=64)``)."""


@dataclass(frozen=True, slots=True)
class PrimaryKeyDef:
    name: str | None
    columns: tuple[str, ...]
    name_final: bool = False


@dataclass(frozen=True, slots=True)
class UniqueDef:
    name: str | None
    columns: tuple[str, ...]
    name_final: bool = False


@dataclass(frozen=True, slots=True)
class ForeignKeyDef:
    name: str | None
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    ondelete: str | None = None
    name_final: bool = False
    onupdate: str | None = None


@dataclass(frozen=True, slots=True)
class CheckDef:
    name: str | None
    sqltext: str
    name_final: bool = False


@dataclass(frozen=True, slots=True)
class IndexDef:
    name: str | None
    columns: tuple[str, ...]
    unique: bool = False
    expressions: bool = False
    where: str | None = None
    name_final: bool = False


ConstraintDef = PrimaryKeyDef | UniqueDef | ForeignKeyDef | CheckDef


@dataclass(frozen=True, slots=True)
class CreateTable:
    table: str
    schema: str | None
    columns: tuple[ColumnDef, ...]
    constraints: tuple[ConstraintDef, ...]
    indexes: tuple[IndexDef, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class DropTable:
    table: str
    schema: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class RenameTable:
    table: str
    new_name: str
    schema: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class AddColumn:
    table: str
    schema: str | None
    column: ColumnDef
    span: Span


@dataclass(frozen=True, slots=True)
class DropColumn:
    table: str
    schema: str | None
    column: str
    span: Span


@dataclass(frozen=True, slots=True)
class AlterColumn:
    table: str
    schema: str | None
    column: str
    nullable: bool | None
    new_name: str | None
    span: Span


@dataclass(frozen=True, slots=True)
class CreateIndex:
    table: str
    schema: str | None
    index: IndexDef
    span: Span


@dataclass(frozen=True, slots=True)
class DropIndex:
    name: str
    table: str | None
    schema: str | None
    span: Span
    if_exists: bool = False
    name_final: bool = False


@dataclass(frozen=True, slots=True)
class AddConstraint:
    table: str
    schema: str | None
    constraint: ConstraintDef
    span: Span


@dataclass(frozen=True, slots=True)
class DropConstraint:
    name: str
    table: str
    schema: str | None
    type_: str | None
    """``unique``, ``foreignkey``, ``primary``, ``check`` or ``None`` (any)."""
    span: Span
    if_exists: bool = False
    name_final: bool = False


@dataclass(frozen=True, slots=True)
class MarkIncomplete:
    """A statement that could not be evaluated may change this table."""

    table: str
    schema: str | None
    reason: str
    span: Span


Operation = (
    CreateTable
    | DropTable
    | RenameTable
    | AddColumn
    | DropColumn
    | AlterColumn
    | CreateIndex
    | DropIndex
    | AddConstraint
    | DropConstraint
    | MarkIncomplete
)


@dataclass(frozen=True, slots=True)
class Migration:
    """One revision file."""

    path: str
    revision: str
    down_revisions: tuple[str, ...]
    branch_labels: tuple[str, ...]
    depends_on: tuple[str, ...]
    operations: tuple[Operation, ...]
    problems: tuple[Problem, ...]
    span: Span
    """The ``revision = ...`` assignment."""
