"""What one Alembic revision file says: its place in the graph and its schema operations.

Operations are the statically evaluated ``upgrade()`` of the file, in execution order, with
names, tables and columns resolved to literals. Names passed through ``op.f()`` are marked
``final`` (the naming convention does not apply to them).

What depends on the database the file runs against (``if not inspector.has_table("x")``, a
project setting) is kept as data for the replay: a :class:`Decide` evaluates a
:class:`Condition` against the replayed state where the ``if`` runs, and operations under it
are :class:`Guarded` by the decisions they depend on.
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
class RenameIndex:
    """``ALTER INDEX [IF EXISTS] name RENAME TO new_name``: on whichever table of ``schema``
    has it (on PostgreSQL, the index of a unique or primary key constraint renames the
    constraint too)."""

    name: str
    new_name: str
    schema: str | None
    span: Span
    if_exists: bool = False


@dataclass(frozen=True, slots=True)
class RenameConstraint:
    """``ALTER TABLE table RENAME CONSTRAINT name TO new_name``."""

    table: str
    schema: str | None
    name: str
    new_name: str
    span: Span


@dataclass(frozen=True, slots=True)
class ConstraintFromIndex:
    """``ALTER TABLE table ADD CONSTRAINT name UNIQUE|PRIMARY KEY USING INDEX index``: the
    index becomes the constraint (PostgreSQL renames it to the constraint's name), with the
    index's columns."""

    table: str
    schema: str | None
    name: str
    kind: str
    """``unique`` or ``primary``."""
    index: str
    span: Span


@dataclass(frozen=True, slots=True)
class CreateAll:
    """``metadata.create_all(bind)``: every model table that does not exist yet is created,
    with the models' shape."""

    text: str
    """The call as written, for messages."""
    span: Span


@dataclass(frozen=True, slots=True)
class MarkIncomplete:
    """A statement that could not be evaluated may change this table."""

    table: str
    schema: str | None
    reason: str
    span: Span


@dataclass(frozen=True, slots=True)
class MarkUncertain:
    """A statement that could not be read may create, drop or rename the objects it names.

    Each of ``names`` (as written, case-folded like the dialect folds identifiers) that is a
    table at this point makes that table incomplete; any other name becomes uncertain on
    every table of ``schema`` (an index or constraint of that name is judged by no rule).
    With no name at all (``names`` empty) every index and constraint that exists at this
    point in ``schema`` (of ``table`` only, when given) becomes uncertain: the statement may
    have touched any of them. A statement that can only create objects (``adds_only``:
    ``create_index``, ``create_table``, ... with an unknown name or table) cannot change
    those: then the indexes and constraints the *models* declare there become uncertain
    (the statement may have created one of them).
    """

    names: tuple[str, ...]
    schema: str | None
    reason: str
    span: Span
    table: str | None = None
    adds_only: bool = False
    kinds: tuple[str, ...] = ()
    """With no name: only objects of these kinds (``index``, ``unique``, ``foreign_key``,
    ``check``, ``primary``; empty: every kind) — a skipped ``drop_index`` touches no foreign
    key."""


# -- conditions the replay decides -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Exists:
    """The database has this object where the condition is evaluated.

    ``kind`` is ``table`` (``name`` is None), ``column``, ``index``, ``unique``,
    ``foreign_key`` or ``check`` (named ``name`` on ``table``; an index with ``table`` None
    may be on any table of ``schema``).
    """

    kind: str
    table: str | None
    schema: str | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Opaque:
    """A value schema-lint cannot compute (a setting, a helper defined elsewhere), taken as a
    condition: only the project's ``assume`` option decides it.

    ``keys`` are the names the option may use for it, most specific first: the expression as
    written (normalised), the called function as written, its import path.
    """

    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Compared:
    """An opaque value compared with a literal: ``settings.db == "postgresql"``."""

    operand: Opaque
    op: str
    """``==``, ``!=``, ``in``, ``not in``, ``is``, ``is not``, ``<``, ``<=``, ``>``, ``>=``."""
    value: str | int | float | bool | tuple[str | int | float | bool | None, ...] | None


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of the :class:`Decide` with this id, in the same revision file."""

    id: int


@dataclass(frozen=True, slots=True)
class Negation:
    operand: Condition


@dataclass(frozen=True, slots=True)
class AllOf:
    operands: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    operands: tuple[Condition, ...]


Condition = Exists | Opaque | Compared | Decision | Negation | AllOf | AnyOf


@dataclass(frozen=True, slots=True)
class Decide:
    """An ``if`` whose condition depends on the database: evaluated against the replayed
    state at this point, its outcome is :class:`Decision` ``decision`` for later guards."""

    decision: int
    condition: Condition
    text: str
    """The condition as written, normalised: what the ``assume`` option calls it."""
    span: Span


@dataclass(frozen=True, slots=True)
class Guarded:
    """An operation that runs only when ``when`` holds (a formula over decisions)."""

    when: Condition
    operation: Operation
    statement: str
    """The statement's first line as written, for messages."""

    @property
    def span(self) -> Span:
        return self.operation.span


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
    | RenameIndex
    | RenameConstraint
    | ConstraintFromIndex
    | CreateAll
    | MarkIncomplete
    | MarkUncertain
    | Decide
    | Guarded
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
