"""A database schema: what the models declare or what the migrations produce.

Column lists are SQL column names (never attribute keys), in declaration order. An expression
in an index is kept as its SQL text, e.g. ``lower(email)``; ``Index.expressions`` says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schema_lint.facts.source import Dependencies, Problem, Span


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    nullable: bool
    primary_key: bool = False
    key: str | None = None
    """Attribute name in the model when it differs from the SQL name."""
    span: Span | None = None
    inherited_from: str | None = None
    """Name of the mixin or abstract base class the column was declared in."""
    nullable_unknown: str | None = None
    """Why ``nullable`` may be wrong (a type from a module that is not analysed); None when
    it is known. Rules that compare nullability skip such a column."""
    type_text: str | None = None
    """The type as the migration writes it (``sa.String(length=64)``); None in the models."""
    nullable_span: Span | None = None
    """In the migrations: the operation that last set the nullability (else ``span``)."""
    generated: bool = False
    """In the models: a default computes each new row's value (``default=uuid4``)."""


@dataclass(frozen=True, slots=True)
class Index:
    name: str | None
    columns: tuple[str, ...]
    unique: bool = False
    expressions: bool = False
    """True when some item of ``columns`` is an SQL expression rather than a column name."""
    where: str | None = None
    span: Span | None = None
    declared_by: str = "index"
    """``index`` for ``Index(...)``/``create_index``, ``column`` for ``index=True``, ``sql``."""
    inherited_from: str | None = None
    dialect: str | None = None
    """Set when the index only exists on one dialect (``.ddl_if(dialect=...)``)."""


@dataclass(frozen=True, slots=True)
class UniqueConstraint:
    name: str | None
    columns: tuple[str, ...]
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    name: str | None
    columns: tuple[str, ...]
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str | None
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    ondelete: str | None = None
    span: Span | None = None
    onupdate: str | None = None


@dataclass(frozen=True, slots=True)
class CheckConstraint:
    name: str | None
    sqltext: str
    span: Span | None = None
    text_unknown: str | None = None
    """Why ``sqltext`` cannot be read (then it is empty); None when it is known."""


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    schema: str | None = None
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    indexes: tuple[Index, ...] = ()
    unique_constraints: tuple[UniqueConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    check_constraints: tuple[CheckConstraint, ...] = ()
    span: Span | None = None
    """The ``__tablename__`` line of a class, or the ``Table(`` call."""
    class_name: str | None = None
    class_span: Span | None = None
    incomplete: tuple[str, ...] = ()
    """Why the columns, keys or indexes of this table may be partial (unreadable base,
    dynamic args, ...): rules do not judge such a table."""
    secondary_of: tuple[Span, ...] = ()
    """``relationship(secondary=...)`` uses of this table."""
    naming_unknown: tuple[str, ...] = ()
    """Why names derived from the naming convention are unknown (an unreadable ``MetaData``
    or default schema). Those names are None; explicit names are kept as written. Compare
    indexes by columns and uniqueness only."""
    inexact: tuple[str, ...] = ()
    """Every reason some fact of this table is uncertain although the table is checked; each
    such fact says so itself (``Column.nullable_unknown``, ``CheckConstraint.text_unknown``)."""
    uncertain: tuple[str, ...] = ()
    """Names of indexes and constraints that a statement which may or may not run creates or
    drops: they may or may not exist, and no rule judges them (on either side)."""
    baseline: bool = False
    """The migrations alter this table before any revision creates it: it existed before the
    first revision (``create_all`` or a dump, then ``alembic stamp``). Only what operations
    state about it is known: ``indexes`` are exactly the indexes the migrations created that
    still exist (a rule may judge those); columns, keys and constraints are partial."""

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def column(self, name: str) -> Column | None:
        for column in self.columns:
            if column.name == name:
                return column
        return None


@dataclass(frozen=True, slots=True)
class Schema:
    """Tables by qualified name, plus the heads replayed and the problems met."""

    tables: dict[str, Table] = field(default_factory=dict)
    heads: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    naming_convention: tuple[tuple[str, str], ...] = ()
    """The models' ``MetaData(naming_convention=...)`` as (key, template) pairs."""
    depends_on: Dependencies | None = None
    """Modules besides the model files that the models' schema was read from."""
