"""Replaying migration operations, in revision order, into the schema they produce.

The result aims to equal what reflecting the real database after ``alembic upgrade heads``
shows, for the target dialect: names from the naming convention (with SQLAlchemy's
truncation), PostgreSQL's own names for unnamed constraints, columns dropped together with
the indexes and constraints that use them, renames carried into every reference.

Conditions a revision asks of the database are decided against the replayed state where
they run (on a fresh database, a table no revision created does not exist); a condition
on a value schema-lint cannot compute is decided only by the project's ``assume`` option,
and what depends on an undecided condition is skipped, reported, and taints its tables.

A table the migrations alter before any revision creates it is a *baseline* table: it
existed before the first revision (``create_all`` or a dump, then ``alembic stamp``), so the
replay runs again with it present from the start, knowing only what operations state.
``metadata.create_all()`` inside a revision creates every model table that does not exist
yet, with the models' shape.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from schema_lint.facts.migrations import (
    AddColumn,
    AddConstraint,
    AllOf,
    AlterColumn,
    AnyOf,
    CheckDef,
    ColumnDef,
    Compared,
    Condition,
    ConstraintDef,
    CreateAll,
    CreateIndex,
    CreateTable,
    Decide,
    Decision,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    Exists,
    ForeignKeyDef,
    Guarded,
    IndexDef,
    MarkIncomplete,
    Migration,
    Negation,
    Opaque,
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
from schema_lint.vocabulary.sql import referenced_columns


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
    baseline: bool = False
    gone: set[tuple[str, str]] = field(default_factory=set)
    """(kind, name) of objects of a baseline table known to be dropped."""
    naming_unknown: tuple[str, ...] = ()
    uncertain: set[str] = field(default_factory=set)
    """Indexes and constraints a statement that may or may not run creates or drops."""

    def names(self, kind: str, dialect: str) -> set[str]:
        """The names of this table's objects of ``kind`` (an :class:`Exists` kind)."""
        if kind == "column":
            return {c.name for c in self.columns}
        if kind == "index":
            names = {i.name for i in self.indexes if i.name}
            if dialect == "postgresql":  # a UNIQUE constraint owns an index of its name
                names |= {u.name for u in self.uniques if u.name}
            return names
        if kind == "unique":
            return {u.name for u in self.uniques if u.name}
        if kind == "foreign_key":
            return {f.name for f in self.foreign_keys if f.name}
        if kind == "check":
            return {c.name for c in self.checks if c.name}
        return set()

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
            incomplete=tuple(dict.fromkeys(self.incomplete)),
            naming_unknown=self.naming_unknown,
            uncertain=tuple(sorted(self.uncertain)),
            baseline=self.baseline,
        )

    def column_names(self) -> set[str]:
        return {c.name for c in self.columns}


_NO_SCHEMA = object()

_COMPARED: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
    "is": lambda a, b: a == b,
    "is not": lambda a, b: a != b,
}

Assumed = str | int | float | bool


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

    def __init__(
        self,
        dialect: str,
        naming_convention: Mapping[str, str] | None,
        *,
        models: Schema | None = None,
        assume: Mapping[str, Assumed] | None = None,
        default_schema: str | None = None,
        baseline: Mapping[str, tuple[str, str | None]] | None = None,
    ) -> None:
        self.dialect = dialect
        self.convention = dict(naming_convention) if naming_convention else dict(DEFAULT_CONVENTION)
        self.tables: dict[str, _TableState] = {}
        self.problems: list[Problem] = []
        self._ever: dict[str | None, set[str]] = {}
        """Every name ever given per schema: a superset of the names in use."""
        self.models = models
        self.assume = dict(assume or {})
        self.default_schema = default_schema
        self.decisions: dict[int, bool | None] = {}
        self.decides: dict[int, Decide] = {}
        self.existed: set[str] = set()
        """Keys of every table that existed at some point of the replay."""
        self.missing: dict[str, tuple[str, str | None, Span]] = {}
        """Tables altered before they ever existed, with the first operation that did."""
        for key, (name, schema) in (baseline or {}).items():
            self.tables[key] = _TableState(name, schema, baseline=True)
            self.existed.add(key)
            self._remember(schema, name)

    def run(self, migration: Migration) -> None:
        """Apply one revision's operations (its decisions are its own)."""
        self.decisions = {}
        self.decides = {}
        for op in migration.operations:
            self.apply(op)

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
        template = self.convention.get(kind)
        derivable = template is None or ("constraint_name" in template and explicit is None)
        if name is None and self.dialect == "postgresql" and kind != "ix" and derivable:
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
        key = _key(name, schema)
        table = self.tables.get(key)
        if table is None and key not in self.existed:
            self.missing.setdefault(key, (name, schema, span))
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
        op = self._normalised(op)
        handler = getattr(self, f"_apply_{type(op).__name__}")
        handler(op)

    def _normalised(self, op: Operation) -> Operation:
        schema = getattr(op, "schema", _NO_SCHEMA)
        if schema is not _NO_SCHEMA:
            normalised = self.schema_of(schema)  # type: ignore[arg-type]
            if normalised != schema:
                return replace(op, schema=normalised)  # type: ignore[arg-type]
        return op

    def schema_of(self, schema: str | None) -> str | None:
        """The schema of a table key: the environment's own for unqualified names;
        PostgreSQL's ``public``, the default, is omitted (references too, see
        :meth:`_add_constraint`)."""
        if schema is None:
            return self.default_schema
        if schema == "public" and self.dialect == "postgresql" and self.default_schema is None:
            return None
        return schema

    # -- conditions -----------------------------------------------------------------------

    def _apply_Decide(self, op: Decide) -> None:
        self.decides[op.decision] = op
        if op.text in self.assume:
            self.decisions[op.decision] = bool(self.assume[op.text])
        else:
            self.decisions[op.decision] = self.truth(op.condition)

    def _apply_Guarded(self, op: Guarded) -> None:
        value = self.truth(op.when)
        if value:
            self.apply(op.operation)
        elif value is None:
            self._undecided(op)

    def truth(self, condition: Condition) -> bool | None:
        """Whether ``condition`` holds at this point; None when it cannot be decided."""
        if isinstance(condition, Decision):
            return self.decisions.get(condition.id)
        if isinstance(condition, Negation):
            inner = self.truth(condition.operand)
            return None if inner is None else not inner
        if isinstance(condition, AllOf | AnyOf):
            decisive = isinstance(condition, AnyOf)
            unknown = False
            for operand in condition.operands:
                value = self.truth(operand)
                if value is None:
                    unknown = True
                elif value == decisive:
                    return decisive
            return None if unknown else not decisive
        if isinstance(condition, Exists):
            return self._exists(condition)
        if isinstance(condition, Opaque):
            found = self._assumed(condition)
            return None if found is None else bool(found[0])
        found = self._assumed(condition.operand)
        if found is None:
            return None
        try:
            return bool(_COMPARED[condition.op](found[0], condition.value))
        except (TypeError, KeyError):
            return None

    def _assumed(self, opaque: Opaque) -> tuple[Assumed] | None:
        for key in opaque.keys:
            if key in self.assume:
                return (self.assume[key],)
        return None

    def _exists(self, condition: Exists) -> bool | None:
        schema = self.schema_of(condition.schema)
        if condition.kind == "table":
            return _key(condition.table or "", schema) in self.tables
        if condition.table is None:
            tables = [t for t in self.tables.values() if t.schema == schema]
        else:
            table = self.tables.get(_key(condition.table, schema))
            if table is None:
                return False
            tables = [table]
        name = condition.name or ""
        if any(t.incomplete or name in t.uncertain for t in tables):
            return None  # a statement that was not understood may have changed it
        if any(name in t.names(condition.kind, self.dialect) for t in tables):
            return True
        if any(t.baseline and (condition.kind, name) not in t.gone for t in tables):
            return None  # what a baseline table held before the first revision is unknown
        return False

    def _undecided(self, op: Guarded) -> None:
        """An operation that may or may not run: skipped, reported, its tables tainted."""
        inner = self._normalised(op.operation)
        if isinstance(inner, MarkIncomplete):
            self.apply(inner)
            return
        if isinstance(inner, Decide):
            self.decides[inner.decision] = inner
            self.decisions[inner.decision] = None
            return
        why = self.why_undecided(op.when)
        if not self._uncertain_object(inner):
            reason = f"`{op.statement}` may or may not run (line {op.span.line})"
            for key in self._tables_of(inner):
                table = self.tables.get(key)
                if table is not None:
                    table.incomplete.append(reason)
        self.problems.append(Problem("unanalysable", f"skipped `{op.statement}`: {why}", op.span))

    def _uncertain_object(self, op: Operation) -> bool:
        """Taint only the named index or constraint ``op`` creates or drops, if it names one."""
        if isinstance(op, CreateIndex | AddConstraint):
            table = self.tables.get(_key(op.table, op.schema))
            if table is None:
                return True  # nothing to taint: the table does not exist here
            if isinstance(op, CreateIndex):
                item = op.index
                name = self._name("ix", item.name, item.name_final, table, item.columns)
            else:
                constraint = op.constraint
                if isinstance(constraint, PrimaryKeyDef) or constraint.name is None:
                    return False
                columns = getattr(constraint, "columns", ())
                kind = _PREFIX[type(constraint)]
                name = self._name(kind, constraint.name, constraint.name_final, table, columns)
            if name is None:
                return False
            table.uncertain.add(name)
            return True
        if isinstance(op, DropIndex | DropConstraint):
            if isinstance(op, DropConstraint) and op.type_ == "primary":
                return False
            kind = "ix" if isinstance(op, DropIndex) else _DROP_PREFIX.get(op.type_ or "", "uq")
            name = self._dropped_name(kind, op.name, op.name_final, op.table, op.schema)
            schema = op.schema
            candidates = (
                [self.tables.get(_key(op.table, schema))]
                if op.table
                else [t for t in self.tables.values() if t.schema == schema]
            )
            for table in candidates:
                if table is not None:
                    table.uncertain.add(name)
            return True
        return False

    def _tables_of(self, op: Operation) -> list[str]:
        if isinstance(op, CreateAll):
            return list(self.models.tables) if self.models is not None else []
        table = getattr(op, "table", None)
        if not isinstance(table, str):
            return []
        schema = self.schema_of(getattr(op, "schema", None))
        keys = [_key(table, schema)]
        if isinstance(op, RenameTable):
            keys.append(_key(op.new_name, schema))
        return keys

    def why_undecided(self, when: Condition) -> str:
        """What the user can write to decide ``when``: the conditions it depends on."""
        parts: list[str] = []
        for decide, polarity in self._undecided_decisions(when, True, set()):
            runs = {True: "is true", False: "is false", None: "holds"}[polarity]
            hint = _assume_hint(decide, self._reason(decide.condition))
            parts.append(f"it runs only if `{decide.text}` {runs}, {hint}")
        if not parts:
            return "it runs only under conditions schema-lint cannot decide"
        return "; ".join(dict.fromkeys(parts))

    def _undecided_decisions(
        self, condition: Condition, polarity: bool | None, seen: set[int]
    ) -> list[tuple[Decide, bool | None]]:
        if isinstance(condition, Decision):
            decide = self.decides.get(condition.id)
            if decide is None or self.decisions.get(condition.id) is not None:
                return []
            if condition.id in seen:
                return []
            seen.add(condition.id)
            inner = self._undecided_decisions(decide.condition, None, seen)
            if inner and _only_decisions(decide.condition):
                return inner  # a helper's result: name the conditions inside it
            return [(decide, polarity)]
        if isinstance(condition, Negation):
            flipped = None if polarity is None else not polarity
            return self._undecided_decisions(condition.operand, flipped, seen)
        if isinstance(condition, AllOf | AnyOf):
            found: list[tuple[Decide, bool | None]] = []
            for operand in condition.operands:
                if self.truth(operand) is None:
                    found.extend(self._undecided_decisions(operand, polarity, seen))
            return found
        return []

    def _reason(self, condition: Condition) -> str:
        """Why ``condition`` cannot be decided, naming what it asks."""
        if isinstance(condition, Opaque | Compared):
            opaque = condition if isinstance(condition, Opaque) else condition.operand
            return f"schema-lint cannot evaluate `{opaque.keys[0]}`"
        if isinstance(condition, Exists):
            what = "table" if condition.kind == "table" else condition.kind.replace("_", " ")
            where = f" of `{condition.table}`" if condition.table else ""
            return (
                f"schema-lint cannot tell whether {what} `{condition.name or condition.table}`"
                f"{where} exists at this point (a statement was not understood, or the table "
                "existed before the first revision)"
            )
        if isinstance(condition, Negation):
            return self._reason(condition.operand)
        if isinstance(condition, AllOf | AnyOf):
            reasons = [self._reason(o) for o in condition.operands if self.truth(o) is None]
            return "; ".join(dict.fromkeys(r for r in reasons if r))
        return ""

    # -- operations ---------------------------------------------------------------------

    def _apply_CreateAll(self, op: CreateAll) -> None:
        if self.models is None:
            self.problems.append(
                Problem("unanalysable", f"skipped `{op.text}`: the models are not known", op.span)
            )
            return
        created = 0
        for key, model in self.models.tables.items():
            if key in self.tables:
                continue  # create_all() checks first
            self.tables[key] = self._from_model(model, op.span)
            self.existed.add(key)
            created += 1
        self.problems.append(
            Problem(
                "create-all",
                f"`{op.text}` is read as creating every model table that does not exist yet "
                f"({created} table(s)), with the models' shape",
                op.span,
            )
        )

    def _from_model(self, model: Table, span: Span) -> _TableState:
        schema = model.schema
        table = _TableState(
            model.name,
            schema,
            columns=[replace(c, span=span, inherited_from=None) for c in model.columns],
            primary_key=model.primary_key,
            indexes=[replace(i, span=span, inherited_from=None) for i in model.indexes],
            uniques=list(model.unique_constraints),
            foreign_keys=list(model.foreign_keys),
            checks=list(model.check_constraints),
            incomplete=list(model.incomplete),
            naming_unknown=model.naming_unknown,
        )
        self._remember(schema, model.name)
        for name in table.names("index", self.dialect) | table.names("foreign_key", self.dialect):
            self._remember(schema, name)
        return table

    def _apply_CreateTable(self, op: CreateTable) -> None:
        table = _TableState(op.table, op.schema)
        self.tables[_key(op.table, op.schema)] = table
        self.existed.add(_key(op.table, op.schema))
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
            if "." not in ref_table and self.default_schema is not None:
                ref_table = f"{self.default_schema}.{ref_table}"
            elif self.dialect == "postgresql" and self.default_schema is None:
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
            mentioned = [
                c
                for c in referenced_columns(constraint.sqltext, self.dialect)
                if any(own.name == c for own in table.columns)
            ]
            cols = tuple(mentioned) if len(mentioned) == 1 else ()
            name = self._name("ck", constraint.name, constraint.name_final, table, cols)
            table.checks.append(CheckConstraint(name, constraint.sqltext, span))

    def _add_index(
        self, table: _TableState, index: IndexDef, span: Span, *, declared_by: str = "index"
    ) -> None:
        name = self._name("ix", index.name, index.name_final, table, index.columns)
        if name is not None:
            table.gone.discard(("index", name))
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
        self.existed.add(_key(op.new_name, op.schema))
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
            table.gone.discard(("column", op.column.name))
            self._add_column(table, op.column, (), op.span)
            if op.column.primary_key:
                self._set_primary_key(table, PrimaryKeyDef(None, (op.column.name,)), op.span)

    def _apply_DropColumn(self, op: DropColumn) -> None:
        table = self._table(op.table, op.schema, op.span)
        if table is None:
            return
        name = op.column
        if table.baseline:
            table.gone.add(("column", name))
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
        if op.table is not None and self.tables.get(_key(op.table, op.schema)) is None:
            self._table(op.table, op.schema, op.span)  # reported, or a baseline candidate
            return
        baseline = [t for t in candidates if t is not None and t.baseline]
        for table in baseline:
            table.gone.add(("index", op.name))
        if not op.if_exists and not baseline:
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
        if not found and op.name is not None:
            found = self._drop_unnamed(table, kind, op.name)
        if not found and table.baseline:
            kinds = ("unique", "foreign_key", "check") if kind is None else (kind,)
            table.gone.update((_GONE_KIND.get(k, k), op.name) for k in kinds)
        elif not found and not op.if_exists and kind != "check":
            self.problems.append(
                Problem(
                    "unknown-constraint",
                    f"constraint {op.name!r} does not exist on {op.table!r} at this point",
                    op.span,
                )
            )

    def _drop_unnamed(self, table: _TableState, kind: str | None, name: str) -> bool:
        """A constraint dropped by a name no known constraint has is one whose name is
        unknown (a naming convention that cannot be read): Alembic's drop succeeded. With one
        such candidate it is that one; with several, which one is unknown."""
        candidates = [
            (attr, item)
            for attr, kinds in (("uniques", "unique"), ("foreign_keys", "foreignkey"))
            if kind in (None, kinds)
            for item in getattr(table, attr)
            if item.name is None
        ]
        if len(candidates) == 1:
            attr, item = candidates[0]
            setattr(table, attr, [other for other in getattr(table, attr) if other is not item])
            return True
        if candidates:
            table.incomplete.append(
                f"`drop_constraint({name!r})` drops one of {len(candidates)} constraints "
                "whose names are unknown"
            )
            return True
        return False

    def freeze(self, heads: tuple[str, ...], problems: Sequence[Problem]) -> Schema:
        return Schema(
            tables={key: state.freeze() for key, state in self.tables.items()},
            heads=heads,
            problems=tuple(problems) + tuple(self.problems),
            naming_convention=tuple(self.convention.items()),
        )


MAX_PASSES = 4
"""Replays with a grown baseline before the tables still missing are reported instead."""


def replay_migrations(
    migrations: Sequence[Migration],
    *,
    dialect: str = "postgresql",
    naming_convention: Mapping[str, str] | None = None,
    models: Schema | None = None,
    assume: Mapping[str, Assumed] | None = None,
    default_schema: str | None = None,
) -> Schema:
    """The schema produced by upgrading through every revision to all heads.

    ``models`` is what ``metadata.create_all()`` in a revision creates; ``assume`` decides
    conditions on values schema-lint cannot compute (keys: expressions as written,
    normalised with ``ast.unparse``); ``default_schema`` is where unqualified tables live.
    """
    order = order_revisions(migrations)
    problems: list[Problem] = list(order.problems)
    for migration in sorted(migrations, key=lambda m: m.path):
        problems.extend(migration.problems)
    found: dict[str, tuple[str, str | None, Span]] = {}
    for _ in range(MAX_PASSES):
        seeded = dict(found)
        replayer = Replayer(
            dialect,
            naming_convention,
            models=models,
            assume=assume,
            default_schema=default_schema,
            baseline={key: (name, schema) for key, (name, schema, _) in seeded.items()},
        )
        for migration in order.migrations:
            replayer.run(migration)
        if not replayer.missing:
            break
        found.update(replayer.missing)
    for key, (_, _, span) in seeded.items():
        problems.append(
            Problem(
                "baseline-table",
                f"table `{key}` is altered before any revision creates it: it is taken to "
                "exist before the first revision (made by `create_all()` or a dump, then "
                "`alembic stamp`); only what the migrations state about it is known",
                span,
            )
        )
    return replayer.freeze(order.heads, problems)


_GONE_KIND = {"unique": "unique", "foreignkey": "foreign_key", "check": "check"}
_DROP_PREFIX = {"unique": "uq", "foreignkey": "fk", "check": "ck", "primary": "pk"}
_PREFIX: dict[type, str] = {UniqueDef: "uq", ForeignKeyDef: "fk", CheckDef: "ck"}


def _only_decisions(condition: Condition) -> bool:
    if isinstance(condition, Decision):
        return True
    if isinstance(condition, Negation):
        return _only_decisions(condition.operand)
    if isinstance(condition, AllOf | AnyOf):
        return all(_only_decisions(o) for o in condition.operands)
    return False


def _assume_hint(decide: Decide, reason: str) -> str:
    """``reason`` and the ``assume`` entry that decides it."""
    key, value = decide.text, "true|false"
    compared = _first_compared(decide.condition)
    opaque = _first_opaque(decide.condition)
    if compared is not None and not isinstance(compared.value, bool | None | tuple):
        key = compared.operand.keys[0]
        value = '"..."' if isinstance(compared.value, str) else "<its value>"
    elif compared is None and opaque is not None:
        key = opaque.keys[0]
    quoted = key.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f"and {reason}: state its value for `alembic upgrade` on a fresh database in "
        f'pyproject.toml, [tool.schema-lint.migrations] assume = {{ "{quoted}" = {value} }}'
    )


def _first_opaque(condition: Condition) -> Opaque | None:
    if isinstance(condition, Opaque):
        return condition
    if isinstance(condition, Compared):
        return condition.operand
    if isinstance(condition, Negation):
        return _first_opaque(condition.operand)
    if isinstance(condition, AllOf | AnyOf):
        for operand in condition.operands:
            found = _first_opaque(operand)
            if found is not None:
                return found
    return None


def _first_compared(condition: Condition) -> Compared | None:
    if isinstance(condition, Compared):
        return condition
    if isinstance(condition, Negation):
        return _first_compared(condition.operand)
    if isinstance(condition, AllOf | AnyOf):
        for operand in condition.operands:
            found = _first_compared(operand)
            if found is not None:
                return found
    return None
