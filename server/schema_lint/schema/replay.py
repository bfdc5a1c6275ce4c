"""Replaying migration operations, in revision order, into the schema they produce.

The result aims to equal what reflecting the real database after ``alembic upgrade heads``
shows, for the target dialect: names from the naming convention (with SQLAlchemy's
truncation), PostgreSQL's own names for unnamed constraints, columns dropped together with
the indexes and constraints that use them, renames carried into every reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from schema_lint.facts.migrations import (
    AddColumn,
    AddConstraint,
    AlterColumn,
    CheckDef,
    ColumnDef,
    ConstraintDef,
    CreateIndex,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    ForeignKeyDef,
    IndexDef,
    MarkIncomplete,
    Migration,
    Operation,
    PrimaryKeyDef,
    RenameTable,
    UniqueDef,
)
from schema_lint.facts.schema import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
    UniqueConstraint,
)
from schema_lint.facts.source import Problem, Span
from schema_lint.schema.revisions import order_revisions
from schema_lint.vocabulary.dialects import (
    DEFAULT_CONVENTION,
    NamingTarget,
    convention_name,
    postgres_default_name,
    truncate_generated,
)


@dataclass
class _TableState:
    name: str
    schema: str | None
    columns: list[Column] = field(default_factory=list)
    primary_key: PrimaryKey | None = None
    indexes: list[Index] = field(default_factory=list)
    uniques: list[UniqueConstraint] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    checks: list[CheckConstraint] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)

    def freeze(self) -> Table:
        return Table(
            name=self.name,
            schema=self.schema,
            columns=tuple(self.columns),
            primary_key=self.primary_key,
            indexes=tuple(self.indexes),
            unique_constraints=tuple(self.uniques),
            foreign_keys=tuple(self.foreign_keys),
            check_constraints=tuple(self.checks),
            incomplete=tuple(self.incomplete),
        )

    def column_names(self) -> set[str]:
        return {c.name for c in self.columns}


def _default_schema(op: Operation) -> Operation:
    """PostgreSQL's ``public`` is the default schema: table keys omit it (references too, see
    :meth:`Replayer._add_constraint`)."""
    if getattr(op, "schema", None) == "public":
        return replace(op, schema=None)
    return op


class _LazyTaken:
    """Membership in the names in use, scanning the schema only for a possible clash."""

    def __init__(self, replayer: Replayer, schema: str | None) -> None:
        self._replayer = replayer
        self._schema = schema
        self._exact: set[str] | None = None

    def __contains__(self, name: object) -> bool:
        if name not in self._replayer._ever.get(self._schema, ()):
            return False
        if self._exact is None:
            self._exact = self._replayer.taken(self._schema)
        return name in self._exact


def _key(name: str, schema: str | None) -> str:
    return f"{schema}.{name}" if schema else name


class Replayer:
    """Applies operations to a mutable schema state."""

    def __init__(self, dialect: str, naming_convention: Mapping[str, str] | None) -> None:
        self.dialect = dialect
        self.convention = dict(naming_convention) if naming_convention else dict(DEFAULT_CONVENTION)
        self.tables: dict[str, _TableState] = {}
        self.problems: list[Problem] = []
        self._ever: dict[str | None, set[str]] = {}
        """Every name ever given per schema: a superset of the names in use."""

    # -- naming -------------------------------------------------------------------------

    def _name(
        self,
        kind: str,
        explicit: str | None,
        final: bool,
        table: _TableState,
        columns: Sequence[str],
        referred: tuple[str, Sequence[str]] | None = None,
    ) -> str | None:
        if final:
            name = explicit
            generated = True
        else:
            name = convention_name(
                self.convention,
                NamingTarget(
                    kind,
                    table.name,
                    table.schema,
                    columns,
                    name=explicit,
                    referred_table=referred[0].rsplit(".", 1)[-1] if referred else None,
                    referred_columns=referred[1] if referred else (),
                ),
            )
            generated = name is not None and name != explicit
        if name is not None and generated:
            name = truncate_generated(name, self.dialect)
        if name is None and self.dialect == "postgresql" and kind != "ix":
            label = {"uq": "key", "fk": "fkey", "pk": "pkey", "ck": "check"}[kind]
            cols = () if kind == "pk" else columns[:1] if kind == "ck" else columns
            name = postgres_default_name(table.name, cols, label, _LazyTaken(self, table.schema))
        if name is not None:
            self._remember(table.schema, name)
        return name

    def _remember(self, schema: str | None, name: str) -> None:
        self._ever.setdefault(schema, set()).add(name)

    def taken(self, schema: str | None) -> set[str]:
        names: set[str] = set()
        for table in self.tables.values():
            if table.schema != schema:
                continue
            names.add(table.name)
            names.update(i.name for i in table.indexes if i.name)
            names.update(u.name for u in table.uniques if u.name)
            names.update(f.name for f in table.foreign_keys if f.name)
            names.update(c.name for c in table.checks if c.name)
            if table.primary_key and table.primary_key.name:
                names.add(table.primary_key.name)
        return names

    # -- lookup -------------------------------------------------------------------------

    def _table(self, name: str, schema: str | None, span: Span) -> _TableState | None:
        table = self.tables.get(_key(name, schema))
        if table is None:
            self.problems.append(
                Problem(
                    "unknown-table",
                    f"table {_key(name, schema)!r} does not exist at this point of the migrations; "
                    "the operation is ignored",
                    span,
                )
            )
        return table

    # -- operations ---------------------------------------------------------------------

    def apply(self, op: Operation) -> None:
        if self.dialect == "postgresql":
            op = _default_schema(op)
        handler = getattr(self, f"_apply_{type(op).__name__}")
        handler(op)

    def _apply_CreateTable(self, op: CreateTable) -> None:
        table = _TableState(op.table, op.schema)
        self.tables[_key(op.table, op.schema)] = table
        self._remember(op.schema, op.table)
        pk_columns = [c.name for c in op.columns if c.primary_key]
        for constraint in op.constraints:
            if isinstance(constraint, PrimaryKeyDef):
                pk_columns = list(constraint.columns)
        for column in op.columns:
            self._add_column(table, column, pk_columns, op.span)
        if pk_columns:
            pk_def = next((c for c in op.constraints if isinstance(c, PrimaryKeyDef)), None)
            self._set_primary_key(table, pk_def or PrimaryKeyDef(None, tuple(pk_columns)), op.span)
        for constraint in op.constraints:
            if not isinstance(constraint, PrimaryKeyDef):
                self._add_constraint(table, constraint, op.span)
        for index in op.indexes:
            self._add_index(table, index, op.span)

    def _add_column(
        self, table: _TableState, column: ColumnDef, pk_columns: Sequence[str], span: Span
    ) -> None:
        is_pk = column.primary_key or column.name in pk_columns
        nullable = False if is_pk else (True if column.nullable is None else column.nullable)
        table.columns = [c for c in table.columns if c.name != column.name]
        table.columns.append(
            Column(column.name, nullable, is_pk, span=column.span, type_text=column.type_text)
        )
        if column.index:
            self._add_index(
                table, IndexDef(None, (column.name,), column.unique), span, declared_by="column"
            )
        elif column.unique:
            self._add_constraint(table, UniqueDef(None, (column.name,)), span)
        for fk in column.foreign_keys:
            ref_table, _, ref_column = fk.target.rpartition(".")
            self._add_constraint(
                table,
                ForeignKeyDef(
                    fk.name,
                    (column.name,),
                    ref_table,
                    (ref_column,),
                    fk.ondelete,
                    fk.name_final,
                    fk.onupdate,
                ),
                span,
            )

    def _set_primary_key(self, table: _TableState, pk: PrimaryKeyDef, span: Span) -> None:
        name = self._name("pk", pk.name, pk.name_final, table, pk.columns)
        table.primary_key = PrimaryKey(name, pk.columns, span)
        table.columns = [
            replace(c, nullable=False, primary_key=True) if c.name in pk.columns else c
            for c in table.columns
        ]

    def _add_constraint(self, table: _TableState, constraint: ConstraintDef, span: Span) -> None:
        if isinstance(constraint, PrimaryKeyDef):
            self._set_primary_key(table, constraint, span)
        elif isinstance(constraint, UniqueDef):
            name = self._name(
                "uq", constraint.name, constraint.name_final, table, constraint.columns
            )
            table.uniques.append(UniqueConstraint(name, constraint.columns, span))
        elif isinstance(constraint, ForeignKeyDef):
            name = self._name(
                "fk",
                constraint.name,
                constraint.name_final,
                table,
                constraint.columns,
                (constraint.ref_table, constraint.ref_columns),
            )
            ref_table = constraint.ref_table
            if self.dialect == "postgresql":
                ref_table = ref_table.removeprefix("public.")
            table.foreign_keys.append(
                ForeignKey(
                    name,
                    constraint.columns,
                    ref_table,
                    constraint.ref_columns,
                    constraint.ondelete.upper() if constraint.ondelete else None,
                    span,
                    constraint.onupdate.upper() if constraint.onupdate else None,
                )
            )
        elif isinstance(constraint, CheckDef):
            name = self._name("ck", constraint.name, constraint.name_final, table, ())
            table.checks.append(CheckConstraint(name, constraint.sqltext, span))

    def _add_index(
        self, table: _TableState, index: IndexDef, span: Span, *, declared_by: str = "index"
    ) -> None:
        name = self._name("ix", index.name, index.name_final, table, index.columns)
        table.indexes.append(
            Index(
                name,
                index.columns,
                index.unique,
                index.expressions,
                index.where,
                span,
                declared_by=declared_by,
            )
        )

    def _apply_MarkIncomplete(self, op: MarkIncomplete) -> None:
        table = self.tables.get(_key(op.table, op.schema))
        if table is not None:
            table.incomplete.append(op.reason)

    def _apply_DropTable(self, op: DropTable) -> None:
        if self._table(op.table, op.schema, op.span) is not None:
            del self.tables[_key(op.table, op.schema)]

    def _apply_RenameTable(self, op: RenameTable) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is None:
            return
        del self.tables[_key(op.table, op.schema)]
        table.name = op.new_name
        self.tables[_key(op.new_name, op.schema)] = table
        self._remember(op.schema, op.new_name)
        old, new = _key(op.table, op.schema), _key(op.new_name, op.schema)
        for other in self.tables.values():
            other.foreign_keys = [
                replace(fk, ref_table=new) if fk.ref_table == old else fk
                for fk in other.foreign_keys
            ]

    def _apply_AddColumn(self, op: AddColumn) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is not None:
            self._add_column(table, op.column, (), op.span)
            if op.column.primary_key:
                self._set_primary_key(table, PrimaryKeyDef(None, (op.column.name,)), op.span)

    def _apply_DropColumn(self, op: DropColumn) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is None:
            return
        name = op.column
        table.columns = [c for c in table.columns if c.name != name]
        table.indexes = [i for i in table.indexes if name not in i.columns]
        table.uniques = [u for u in table.uniques if name not in u.columns]
        table.foreign_keys = [f for f in table.foreign_keys if name not in f.columns]
        if table.primary_key and name in table.primary_key.columns:
            table.primary_key = None

    def _apply_AlterColumn(self, op: AlterColumn) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is None:
            return
        old = op.column
        new = op.new_name or old
        table.columns = [
            replace(
                c,
                name=new,
                nullable=c.nullable if op.nullable is None else op.nullable,
                nullable_span=c.nullable_span if op.nullable is None else op.span,
            )
            if c.name == old
            else c
            for c in table.columns
        ]
        if new == old:
            return

        def rename(columns: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(new if c == old else c for c in columns)

        table.indexes = [replace(i, columns=rename(i.columns)) for i in table.indexes]
        table.uniques = [replace(u, columns=rename(u.columns)) for u in table.uniques]
        table.foreign_keys = [replace(f, columns=rename(f.columns)) for f in table.foreign_keys]
        if table.primary_key:
            table.primary_key = replace(
                table.primary_key, columns=rename(table.primary_key.columns)
            )
        key = _key(table.name, table.schema)
        for other in self.tables.values():
            other.foreign_keys = [
                replace(f, ref_columns=rename(f.ref_columns)) if f.ref_table == key else f
                for f in other.foreign_keys
            ]

    def _apply_CreateIndex(self, op: CreateIndex) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is not None:
            self._add_index(table, op.index, op.span, declared_by="index")

    def _dropped_name(
        self, kind: str, name: str, final: bool, table: str | None, schema: str | None
    ) -> str:
        """A dropped object's name through a ``%(constraint_name)s`` convention."""
        template = self.convention.get(kind, "")
        if final or table is None or "constraint_name" not in template:
            return name
        target = NamingTarget(kind, table, schema, (), name=name)
        resolved = convention_name(self.convention, target)
        return truncate_generated(resolved, self.dialect) if resolved else name

    def _apply_DropIndex(self, op: DropIndex) -> None:
        op = replace(op, name=self._dropped_name("ix", op.name, op.name_final, op.table, op.schema))
        candidates = (
            [self.tables.get(_key(op.table, op.schema))]
            if op.table
            else [t for t in self.tables.values() if t.schema == op.schema]
        )
        for table in candidates:
            if table is None:
                continue
            remaining = [i for i in table.indexes if i.name != op.name]
            if len(remaining) != len(table.indexes):
                table.indexes = remaining
                return
        if not op.if_exists:
            self.problems.append(
                Problem(
                    "unknown-index",
                    f"index {op.name!r} does not exist at this point of the migrations",
                    op.span,
                )
            )

    def _apply_AddConstraint(self, op: AddConstraint) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is not None:
            self._add_constraint(table, op.constraint, op.span)

    def _apply_DropConstraint(self, op: DropConstraint) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is None:
            return
        kind = op.type_
        prefix = {"unique": "uq", "foreignkey": "fk", "check": "ck", "primary": "pk"}.get(
            kind or "", "uq"
        )
        op = replace(
            op, name=self._dropped_name(prefix, op.name, op.name_final, op.table, op.schema)
        )
        found = False
        if kind in (None, "unique"):
            kept = [u for u in table.uniques if u.name != op.name]
            found |= len(kept) != len(table.uniques)
            table.uniques = kept
        if kind in (None, "foreignkey"):
            kept_fks = [f for f in table.foreign_keys if f.name != op.name]
            found |= len(kept_fks) != len(table.foreign_keys)
            table.foreign_keys = kept_fks
        if kind in (None, "check"):
            kept_checks = [c for c in table.checks if c.name != op.name]
            found |= len(kept_checks) != len(table.checks)
            table.checks = kept_checks
        if kind in (None, "primary") and table.primary_key and table.primary_key.name == op.name:
            table.primary_key = None
            found = True
        if not found and not op.if_exists and kind != "check":
            self.problems.append(
                Problem(
                    "unknown-constraint",
                    f"constraint {op.name!r} does not exist on {op.table!r} at this point",
                    op.span,
                )
            )

    def freeze(self, heads: tuple[str, ...], problems: Sequence[Problem]) -> Schema:
        return Schema(
            tables={key: state.freeze() for key, state in self.tables.items()},
            heads=heads,
            problems=tuple(problems) + tuple(self.problems),
            naming_convention=tuple(self.convention.items()),
        )


def replay_migrations(
    migrations: Sequence[Migration],
    *,
    dialect: str = "postgresql",
    naming_convention: Mapping[str, str] | None = None,
) -> Schema:
    """The schema produced by upgrading through every revision to all heads."""
    order = order_revisions(migrations)
    replayer = Replayer(dialect, naming_convention)
    problems: list[Problem] = list(order.problems)
    for migration in sorted(migrations, key=lambda m: m.path):
        problems.extend(migration.problems)
    for migration in order.migrations:
        for op in migration.operations:
            replayer.apply(op)
    return replayer.freeze(order.heads, problems)
