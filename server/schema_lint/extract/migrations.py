"""Alembic revision files to :class:`~schema_lint.facts.migrations.Migration` facts.

The file's ``upgrade()`` is evaluated statically (see :mod:`schema_lint.extract.evaluate`)
for a target dialect; every ``op.*`` call it reaches, directly, in a ``batch_alter_table``
block, in a loop or in a helper function, becomes an operation with its source span.

What the file asks the database (``sa.inspect(bind).has_table("x")``, ``"c" in [c["name"]
for c in inspector.get_columns("t")]``) becomes a condition the replay decides against its
own state; ``metadata.create_all(bind)`` becomes a :class:`CreateAll`; the offline mode is
False and the dialect is the target's (``alembic upgrade`` on a database of that dialect).
"""

from __future__ import annotations

import ast
import builtins
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from schema_lint.extract.evaluate import (
    Deferred,
    Evaluator,
    FinalName,
    HostObject,
    LocalFunction,
    ModuleRef,
    PartialText,
    SACall,
    SQLText,
    StateNames,
    StateRows,
    Unknown,
    is_known,
    render_sql,
)
from schema_lint.extract.foreign import ForeignFunction, ForeignModules
from schema_lint.extract.raw_sql import mentioned_names, operations_from_sql
from schema_lint.facts.migrations import (
    AddColumn,
    AddConstraint,
    AlterColumn,
    CheckDef,
    ColumnDef,
    Condition,
    ConstraintDef,
    CreateAll,
    CreateIndex,
    CreateTable,
    Decide,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    Exists,
    ForeignKeyDef,
    ForeignKeyRef,
    Guarded,
    IndexDef,
    MarkIncomplete,
    MarkUncertain,
    Migration,
    Operation,
    PrimaryKeyDef,
    RenameTable,
    UniqueDef,
)
from schema_lint.facts.source import Problem, Span
from schema_lint.sources.positions import LineIndex
from schema_lint.vocabulary.sqlalchemy import MIGRATION_LIBRARIES

# Operations without any effect on tables, columns, indexes or constraints.
_NEUTRAL_OPS = frozenset(
    {
        "bulk_insert",
        "inline_literal",
        "create_table_comment",
        "drop_table_comment",
        "get_bind",
        "get_context",
        "invoke",
        "implementation_for",
        "register_operation",
        "run_async",
        "create_sequence",
        "drop_sequence",
    }
)

# Positional parameter names per operation; batch operations omit the table argument.
_SIGNATURES: dict[str, tuple[str, ...]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "rename_table": ("old_table_name", "new_table_name"),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "create_foreign_key": (
        "constraint_name",
        "source_table",
        "referent_table",
        "local_cols",
        "remote_cols",
    ),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "execute": ("sqltext",),
    "batch_alter_table": ("table_name", "schema"),
}
_BATCH_TABLE_ARG = {
    "add_column": "table_name",
    "drop_column": "table_name",
    "alter_column": "table_name",
    "create_index": "table_name",
    "drop_index": "table_name",
    "create_unique_constraint": "table_name",
    "create_primary_key": "table_name",
    "create_foreign_key": "source_table",
    "create_check_constraint": "table_name",
    "drop_constraint": "table_name",
}


# Inspector methods whose answer the replay knows: rows or names of database objects.
_INSPECTOR_ROWS = {
    "get_columns": "column",
    "get_indexes": "index",
    "get_unique_constraints": "unique",
    "get_foreign_keys": "foreign_key",
    "get_check_constraints": "check",
}
_INSPECTORS = frozenset(
    {
        "sqlalchemy.inspect",
        "sqlalchemy.inspection.inspect",
        "sqlalchemy.engine.reflection.Inspector",
        "sqlalchemy.engine.Inspector",
        "sqlalchemy.Inspector",
    }
)
"""``inspect(bind)``, and the Inspector class (``Inspector.from_engine(bind)``, or called)."""
_CONNECTIONS = frozenset({"bind", "engine", "migration_context"})
_DIALECT_CLASS = re.compile(r"sqlalchemy\.dialects\.(\w+)\..*\.?(\w*Dialect\w*)$")
# Dialect names no driver of another family contains (``mysql+mariadbconnector`` exists).
_FAMILIES = (
    frozenset({"postgresql", "postgres"}),
    frozenset({"mysql", "mariadb"}),
    frozenset({"sqlite"}),
    frozenset({"oracle"}),
    frozenset({"mssql"}),
)


class _Skip(Exception):
    """An operation whose essential arguments are not statically known."""

    def __init__(self, reason: str, names: Sequence[tuple[str | None, str]] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.names = tuple(names)
        """(schema, name) of the objects the operation may touch, beyond its arguments."""


@dataclass
class _MigrationHost:
    lines: LineIndex
    dialect: str
    operations: list[Operation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reported: set[tuple[object, ...]] = field(default_factory=set)
    guard: Condition | None = None
    foreign: ForeignModules | None = None
    """Other modules of the project the revision imports helpers from."""
    evaluator: Evaluator | None = None
    module_values: dict[str, ast.expr] = field(default_factory=dict)
    """The revision's module-level assignments (data a skipped loop may walk)."""
    consumed: set[int] = field(default_factory=set)
    """Calls whose rows the revision reads (``<call>.fetchall()``): queries, not DDL."""
    functions: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    """The function each statement of the revision is in (by the statement's id)."""
    texts: dict[str, list[ast.expr]] = field(default_factory=dict)
    """Every value the revision assigns to each name, in any function (SQL kept in a
    variable: ``conn.execute(sa.text(update_in_batches))``)."""

    # -- Host protocol ------------------------------------------------------------------

    def imported(self, dotted: str) -> Any:
        if dotted in {"alembic.op", ".op"} or dotted.endswith("alembic.op"):
            return HostObject("op")
        if dotted == "alembic.context":
            return HostObject("context")
        if dotted in _INSPECTORS:
            return HostObject("inspect")
        dialect_class = _DIALECT_CLASS.match(dotted)
        if dialect_class is not None:
            return HostObject("dialect_class", (dialect_class[1], dotted.rsplit(".", 1)[-1]))
        if dotted.endswith(".create_all") and not dotted.startswith("sqlalchemy."):
            return HostObject("create_all", dotted.lstrip(".").removesuffix(".create_all"))
        if self.foreign is not None:
            value = self.foreign.imported(dotted, self)
            if value is not None:
                return value
        return ModuleRef(dotted)

    def _span(self, node: ast.AST) -> Span:
        """Where ``node`` is reported: code of another module at the revision's call."""
        sites = self.foreign.sites if self.foreign is not None else ()
        return self.lines.span(sites[0] if sites else node)

    def attribute(self, target: HostObject, name: str) -> Any:
        kind = target.kind
        if kind in {"op", "batch"}:
            return HostObject("op_method", (name, target.data))
        if kind == "context" and name in {"get_context", "get_bind", "is_offline_mode"}:
            return HostObject("context_method", name)
        if kind == "context" and name == "get_impl":
            return HostObject("context_method", "get_context")
        if kind == "inspect" and name == "from_engine":
            return target
        if kind in _CONNECTIONS:
            if name == "dialect":
                return HostObject("dialect")
            if name == "engine":
                return HostObject("engine")
            if name in {"execute", "exec_driver_sql"}:
                return HostObject("bind_execute")
            if name == "get_bind":
                return HostObject("context_method", "get_bind")
            if name == "impl":
                return HostObject("migration_context")
            if name in {"bind", "connection"}:
                return HostObject("bind")
            if name == "as_sql":
                return False  # ``alembic upgrade`` runs online
        if kind in {"dialect", "engine"} and name == "name":
            return self.dialect
        if kind in {"dialect", "engine"} and name == "has_table":
            return HostObject("has_table", kind)
        if kind == "dialect" and name == "dialect_description":
            others = [f for f in _FAMILIES if self.dialect not in f]
            return PartialText(f"{self.dialect}+", frozenset().union(*others))
        if kind == "inspector":
            if name in {"dialect", "bind", "engine"}:
                return HostObject(name if name != "engine" else "engine")
            return HostObject("inspector_method", name)
        return Unknown(f"attribute {name}")

    def call(
        self, target: HostObject, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        if target.kind == "op_method":
            name, batch = target.data
            return self._op(name, batch, args, kwargs, node)
        if target.kind == "context_method":
            if target.data == "is_offline_mode":
                return False
            return HostObject("bind" if target.data == "get_bind" else "migration_context")
        if target.kind == "bind_execute":
            if id(node) in self.consumed and not isinstance(args[0] if args else None, str):
                return Unknown("rows of a query")  # its rows are read: a query, not DDL
            return self._op("execute", None, args[:1], {}, node)
        if target.kind == "inspect":
            connection = args[0] if args else kwargs.get("bind")
            if isinstance(connection, HostObject) and connection.kind in _CONNECTIONS:
                return HostObject("inspector")
            return Unknown("inspect() of something else than the migration's connection")
        if target.kind == "inspector_method":
            return _inspect(target.data, args, kwargs)
        if target.kind == "has_table":
            if target.data == "dialect":  # dialect.has_table(connection, name, schema)
                args = args[1:]
            return _inspect("has_table", args, kwargs)
        if target.kind == "create_all":
            return self._create_all(target.data, kwargs, node)
        if target.kind == "isinstance" and len(args) == 2:
            return self._is_dialect(args[0], args[1])
        if target.kind == "foreign_function" and self.foreign and self.evaluator:
            function: ForeignFunction = target.data
            with self.foreign.inside(function.path, node):
                return self.evaluator.call(function.function, args, kwargs, node)
        return Unknown("call")

    def _is_dialect(self, value: Any, cls: Any) -> Any:
        """``isinstance(bind.dialect, SQLiteDialect)``, for the dialect classes whose answer
        does not depend on the driver."""
        if not (isinstance(value, HostObject) and value.kind == "dialect"):
            return Unknown("isinstance")
        if not (isinstance(cls, HostObject) and cls.kind == "dialect_class"):
            return Unknown("isinstance")
        package, name = cls.data
        package = "postgresql" if package == "postgres" else package
        if package == self.dialect:
            return True if "_" not in name else Unknown("a driver's dialect class")
        if {package, self.dialect} == {"mysql", "mariadb"}:
            return Unknown("MariaDB's dialect derives from MySQL's")
        return False

    # -- BranchHost protocol ------------------------------------------------------------

    def decide(self, decision: int, condition: Condition, text: str, node: ast.AST) -> None:
        self._emit(Decide(decision, condition, text, self._span(node)))

    def set_guard(self, guard: Condition | None) -> None:
        self.guard = guard

    def mark(self) -> tuple[int, int]:
        return len(self.operations), len(self.problems)

    def readable_since(self, mark: tuple[int, int]) -> bool:
        for operation in self.operations[mark[0] :]:
            inner = operation.operation if isinstance(operation, Guarded) else operation
            if not isinstance(inner, MarkIncomplete | MarkUncertain | Decide):
                return True
        return False

    def collapse(self, mark: tuple[int, int], node: ast.stmt, what: str) -> None:
        skipped = self.problems[mark[1] :]
        if len(skipped) < 2:
            return
        del self.problems[mark[1] :]
        first = skipped[0].message.removeprefix("skipped ")
        span = self._span(node)
        self.problems.append(
            Problem(
                "unanalysable",
                f"skipped {what}: none of the {len(skipped)} statements in it can be read "
                f"(first, line {skipped[0].span.line}: {first})",
                replace(span, end_line=span.line, end_col=len(self.lines.line_text(span.line))),
            )
        )

    def retract(self, decision: int) -> None:
        last = self.operations[-1] if self.operations else None
        if isinstance(last, Guarded):
            last = last.operation
        if isinstance(last, Decide) and last.decision == decision:
            self.operations.pop()

    def unanalysable(
        self,
        node: ast.AST,
        reason: str,
        names: Sequence[tuple[str | None, str]] = (),
        *,
        scoped: bool = False,
    ) -> None:
        """Report a skipped statement and taint what it may touch (``names``: objects its
        evaluated arguments name; ``scoped``: its table's objects are tainted already)."""
        span = self._span(node)
        site: tuple[object, ...] = (span.line, span.col)
        key = site
        if self.foreign is not None and self.foreign.sites:
            key += (
                self.foreign.current,
                getattr(node, "lineno", 0),
                getattr(node, "col_offset", 0),
            )
            reason = f"{reason} (in {self.foreign.where(node)})"
        if key in self.reported:
            return
        self.reported.add(key)
        data = not scoped and not names and self._changes_rows_only(node)
        tables = [] if scoped or data else self._tables_touched(node)  # scoped: its objects
        for table in tables:
            self._emit(MarkIncomplete(table, None, f"{reason} (line {span.line})", span))
        if (not scoped or names) and not data:
            self._taint_names(node, tables, names, f"{reason} (line {span.line})", span)
        if key != site and site in self.reported:
            return  # one problem per call of a helper: the first statement it could not run
        self.reported.add(site)
        line = self.lines.line_text(span.line).strip()
        self.problems.append(Problem("unanalysable", f"skipped `{_shorten(line)}`: {reason}", span))

    def _places(self, node: ast.AST) -> list[ast.AST]:
        """``node`` and the revision's module-level values it uses, followed through the
        names those use in turn (superset: `models`, a comprehension over `table_names`)."""
        places: list[ast.AST] = [node]
        seen: set[str] = set()
        for place in places:
            for sub in ast.walk(place):
                name = sub.id if isinstance(sub, ast.Name) else None
                if name is not None and name in self.module_values and name not in seen:
                    seen.add(name)
                    places.append(self.module_values[name])
        return places

    def _changes_rows_only(self, node: ast.AST) -> bool:
        """A skipped statement that can only read or change rows (every ``execute`` in it
        runs data statements, or SQL built in its function, as prefect's batched backfills'
        `sa.text(query(batch_size))` over local functions returning f-strings, all of which
        is data): it leaves every table's shape as it was."""
        if _data_only(node, self.consumed, self.texts):
            return True
        function = self.functions.get(id(node))
        if function is None or not _builds_sql(node):
            return False
        sql = _sql_in(function)
        return bool(sql) and all(_only_data(text) for text in sql)

    def _taint_names(
        self,
        node: ast.AST,
        tables: list[str],
        known: Sequence[tuple[str | None, str]],
        reason: str,
        span: Span,
    ) -> None:
        """Make the objects a skipped statement names uncertain (see :class:`MarkUncertain`):
        its string literals and those of the revision's module-level values it uses, read
        as names (SQL text fragments read word by word). A statement that names nothing
        readable and no table taints every index and constraint that exists there."""
        names: dict[tuple[str | None, str], None] = dict.fromkeys(known)
        places = self._places(node)
        for place in places:
            for sub in ast.walk(place):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    for found in _names_in_text(sub.value, self.dialect):
                        names[found] = None
        names = {k: None for k in names if k[1] not in tables}  # those taint their table
        if not tables and not names and not self._may_change_schema(node, set()):
            return  # it reaches no operation (a loop validating rows, say)
        if not tables and _adds_only(node):  # it may have created what the models declare
            self._emit(MarkUncertain((), None, reason, span, adds_only=True))
        elif not names and not tables:
            if not _data_only(node, self.consumed, self.texts):
                self._emit(MarkUncertain((), None, reason, span))
            return
        by_schema: dict[str | None, list[str]] = {}
        for schema, name in names:
            by_schema.setdefault(schema, []).append(name)
        for schema, named in by_schema.items():
            self._emit(MarkUncertain(tuple(named), schema, reason, span))

    def _may_change_schema(
        self, node: ast.AST, seen: set[str], scope: dict[str, Any] | None = None
    ) -> bool:
        """Whether ``node`` may reach a schema operation: an Alembic operation, an
        ``execute``, or a call of a function it cannot see into (this file's functions are
        looked into)."""
        module = self.evaluator.module_scope if self.evaluator is not None else {}
        scope = {**module, **(scope or {})}
        local = {
            n.name: n
            for n in ast.walk(node)
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Call):
                continue
            func = sub.func
            if isinstance(func, ast.Attribute):
                query = func.attr in {"execute", "exec_driver_sql"} and id(sub) in self.consumed
                if query:
                    continue  # its rows are read: a query
                if func.attr in _SIGNATURES or func.attr in {"exec_driver_sql", "create_all"}:
                    return True
                if self._helper(sub):
                    return True
                continue
            if not isinstance(func, ast.Name):
                return True
            value = scope.get(func.id)
            found = value.node if isinstance(value, LocalFunction) else None
            target = local.get(func.id) or found
            if target is not None:
                if func.id not in seen:
                    seen.add(func.id)
                    if self._may_change_schema(target, seen, scope):
                        return True
                continue
            if value is None and func.id not in dir(builtins):
                return True  # a function defined where this cannot see (in upgrade())
            if isinstance(value, Deferred | HostObject) or (
                isinstance(value, ModuleRef) and value.dotted.split(".")[0] not in _LIBRARIES
            ):
                return True
        return False

    def _tables_touched(self, node: ast.AST) -> list[str]:
        """Tables a skipped statement may change: those given to operations in it and, when
        it calls a helper of the project (whose table is an argument), the tables its data
        names: the direct arguments of the helper calls (of the revision's call that led
        into a helper too), and ``*table*=`` arguments in the statement and the revision's
        module-level values it uses (``ForeignKey(table="slices")`` in a list it walks)."""
        tables = _tables_named_in(node)
        sites = self.foreign.sites[:1] if self.foreign is not None else []
        helpers = [c for c in ast.walk(node) if isinstance(c, ast.Call) and self._helper(c)]
        if not helpers and not sites:
            return tables
        places = self._places(node)
        names: list[str] = []
        for call in [*helpers, *sites]:
            if isinstance(call, ast.Call):
                names.extend(_strings([*call.args, *(k.value for k in call.keywords)]))
        for place in places:
            for sub in ast.walk(place):
                if isinstance(sub, ast.keyword) and sub.arg and "table" in sub.arg:
                    names.extend(_strings([sub.value]))
        return list(dict.fromkeys([*tables, *names]))

    def _helper(self, call: ast.Call) -> bool:
        """A call of a function of the project (of this file or another module)."""
        root = call.func
        while isinstance(root, ast.Attribute):
            root = root.value
        if not isinstance(root, ast.Name) or self.evaluator is None:
            return False
        value = self.evaluator.module_scope.get(root.id)
        if isinstance(value, LocalFunction | Deferred):
            return True
        if isinstance(value, HostObject):
            return value.kind == "foreign_function"
        return isinstance(value, ModuleRef) and value.dotted.split(".")[0] not in _LIBRARIES

    def performs_operations(self, node: ast.AST, scope: dict[str, Any]) -> bool:
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Call):
                continue
            func = sub.func
            root = func
            while isinstance(root, ast.Attribute | ast.Call):
                root = root.value if isinstance(root, ast.Attribute) else root.func
            if isinstance(root, ast.Name):
                value = scope.get(root.id)
                if isinstance(value, HostObject | LocalFunction | Unknown | Deferred):
                    return self._may_change_schema(node, set(), scope)
                if isinstance(func, ast.Attribute) and func.attr in _SIGNATURES:
                    return self._may_change_schema(node, set(), scope)
        return False

    # -- operations ---------------------------------------------------------------------

    def _op(
        self, name: str, batch: Any, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        if name == "f":
            return FinalName(args[0]) if args and isinstance(args[0], str) else Unknown("op.f")
        if name in _NEUTRAL_OPS:
            if name == "get_bind":
                return HostObject("bind")
            if name == "get_context":
                return HostObject("migration_context")
            return None
        handler = getattr(self, f"_op_{name}", None)
        if handler is None:
            self.unanalysable(node, f"`op.{name}` is not understood by schema-lint")
            return None
        if name == "execute" and node.args and _data_statement(node.args[0]):
            return None  # sa.update(t).where(...).values(...): data, never schema
        params = _bind(name, batch, args, kwargs)
        span = self._span(node)
        try:
            if name == "batch_alter_table":
                return self._op_batch_alter_table(params, span, node)
            return handler(params, span)
        except _Skip as skip:
            known, scoped = self._known_arguments(name, params, skip.reason, span)
            if batch is not None and len(batch) > 2 and scoped:  # one problem per block
                self.unanalysable(batch[2], skip.reason, known, scoped=True)
            else:
                self.unanalysable(node, skip.reason, (*skip.names, *known), scoped=scoped)
            return None

    def _known_arguments(
        self, name: str, params: dict[str, Any], reason: str, span: Span
    ) -> tuple[list[tuple[str | None, str]], bool]:
        """The names among a skipped operation's evaluated arguments (its table, its index
        or constraint), and whether it was scoped to its table: an index or constraint
        operation on a known table whose object is not known taints every index and
        constraint of that table (not its columns)."""
        schema = params.get("schema") if isinstance(params.get("schema"), str) else None
        names = [
            (schema, value)
            for key, value in params.items()
            if key in _NAMED_PARAMS and isinstance(value, str)
        ]
        table = params.get(_TABLE_PARAM.get(name, "table_name"))
        named = params.get("index_name" if "index" in name else "constraint_name")
        if name in _OBJECT_OPS and not isinstance(named, str):
            kinds = _OP_KINDS.get(name, ())
            if name == "drop_constraint":
                kinds = _DROP_KINDS.get(str(params.get("type_")), ())
            on = table if isinstance(table, str) else None  # None: any table
            why = f"{reason} (line {span.line})"
            adds = name in _ADDING_OPS
            self._emit(MarkUncertain((), schema, why, span, on, adds_only=adds, kinds=kinds))
            return [n for n in names if n[1] != table], True  # its columns stay judged
        return names, False

    def _emit(self, operation: Operation) -> None:
        if self.guard is not None:
            line = self.lines.line_text(operation.span.line).strip()
            operation = Guarded(self.guard, operation, _shorten(line))
        self.operations.append(operation)

    def _create_all(self, metadata: str, kwargs: dict[str, Any], node: ast.Call) -> None:
        if kwargs.get("tables") is not None:
            self.unanalysable(node, "`create_all(tables=...)` creating some model tables")
            return
        text = f"{metadata.rsplit('.', 2)[-1] if '.' in metadata else metadata}.create_all()"
        self._emit(CreateAll(_shorten(ast.unparse(node)) or text, self._span(node)))

    def _op_batch_alter_table(self, p: dict[str, Any], span: Span, node: ast.Call) -> Any:
        table = p.get("table_name")
        if not isinstance(table, str):  # each operation in the block taints by its kind
            unknown = Unknown("the table is not statically known")
            return HostObject("batch", (unknown, None, node))
        return HostObject("batch", (table, _opt_text(p, "schema")))

    def _op_create_table(self, p: dict[str, Any], span: Span) -> Any:
        table = _text(p, "table_name")
        columns: list[ColumnDef] = []
        constraints: list[ConstraintDef] = []
        indexes: list[IndexDef] = []
        for item in p.get("*", ()):
            if not isinstance(item, SACall):
                raise _Skip("a table element is not statically known")
            if item.name == "Column":
                columns.append(self._column(item))
                for arg in item.args:  # sa.Column("price", ..., sa.CheckConstraint(...))
                    if isinstance(arg, SACall) and arg.name == "CheckConstraint":
                        check = _constraint_from_sa(arg)
                        if check is not None:
                            constraints.append(check)
            elif item.name == "Index":
                indexes.append(_index_from_sa(item))
            else:
                constraint = _constraint_from_sa(item)
                if constraint is not None:
                    constraints.append(constraint)
        self._emit(
            CreateTable(
                table,
                _opt_text(p, "schema"),
                tuple(columns),
                tuple(constraints),
                tuple(indexes),
                span,
            )
        )
        return HostObject("table", table)

    def _op_drop_table(self, p: dict[str, Any], span: Span) -> None:
        self._emit(DropTable(_text(p, "table_name"), _opt_text(p, "schema"), span))

    def _op_rename_table(self, p: dict[str, Any], span: Span) -> None:
        self._emit(
            RenameTable(
                _text(p, "old_table_name"), _text(p, "new_table_name"), _opt_text(p, "schema"), span
            )
        )

    def _op_add_column(self, p: dict[str, Any], span: Span) -> None:
        column = p.get("column")
        if not isinstance(column, SACall) or column.name != "Column":
            raise _Skip("the column is not statically known")
        self._emit(
            AddColumn(_text(p, "table_name"), _opt_text(p, "schema"), self._column(column), span)
        )

    def _op_drop_column(self, p: dict[str, Any], span: Span) -> None:
        self._emit(
            DropColumn(
                _text(p, "table_name"), _opt_text(p, "schema"), _text(p, "column_name"), span
            )
        )

    def _op_alter_column(self, p: dict[str, Any], span: Span) -> None:
        nullable = p.get("nullable")
        new_name = p.get("new_column_name")
        if not is_known(nullable) or not is_known(new_name):
            raise _Skip("nullable or new_column_name is not statically known")
        self._emit(
            AlterColumn(
                _text(p, "table_name"),
                _opt_text(p, "schema"),
                _text(p, "column_name"),
                nullable if isinstance(nullable, bool) else None,
                new_name if isinstance(new_name, str) else None,
                span,
            )
        )

    def _op_create_index(self, p: dict[str, Any], span: Span) -> None:
        columns = p.get("columns")
        if isinstance(columns, str | SQLText):
            columns = [columns]
        if not is_known(columns) or not isinstance(columns, list | tuple):
            raise _Skip("the index columns are not statically known")
        items, expressions = _index_items(columns)
        if self.dialect == "postgresql":
            items, expressions = _with_ops(items, expressions, p.get("postgresql_ops"))
        unique = p.get("unique", False)
        if not isinstance(unique, bool):
            raise _Skip("unique= is not statically known")
        name = _name(p, "index_name")
        self._emit(
            CreateIndex(
                _text(p, "table_name"),
                _opt_text(p, "schema"),
                IndexDef(
                    name,
                    items,
                    unique,
                    expressions,
                    _where(p, self.dialect),
                    isinstance(name, FinalName),
                ),
                span,
            )
        )

    def _op_drop_index(self, p: dict[str, Any], span: Span) -> None:
        table = p.get("table_name")
        if table is not None and not isinstance(table, str):
            raise _Skip("the table name is not statically known")
        self._emit(
            DropIndex(
                _text(p, "index_name"),
                table,
                _opt_text(p, "schema"),
                span,
                bool(p.get("if_exists")),
                isinstance(p.get("index_name"), FinalName),
            )
        )

    def _op_create_unique_constraint(self, p: dict[str, Any], span: Span) -> None:
        name = _name(p, "constraint_name")
        self._emit(
            AddConstraint(
                _text(p, "table_name"),
                _opt_text(p, "schema"),
                UniqueDef(name, _columns(p, "columns"), isinstance(name, FinalName)),
                span,
            )
        )

    def _op_create_primary_key(self, p: dict[str, Any], span: Span) -> None:
        name = _name(p, "constraint_name")
        self._emit(
            AddConstraint(
                _text(p, "table_name"),
                _opt_text(p, "schema"),
                PrimaryKeyDef(name, _columns(p, "columns"), isinstance(name, FinalName)),
                span,
            )
        )

    def _op_create_foreign_key(self, p: dict[str, Any], span: Span) -> None:
        name = _name(p, "constraint_name")
        ref = _text(p, "referent_table")
        ref_schema = _opt_text(p, "referent_schema")
        ondelete, onupdate = p.get("ondelete"), p.get("onupdate")
        if ondelete is not None and not isinstance(ondelete, str):
            raise _Skip("ondelete is not statically known")
        if onupdate is not None and not isinstance(onupdate, str):
            raise _Skip("onupdate is not statically known")
        self._emit(
            AddConstraint(
                _text(p, "source_table"),
                _opt_text(p, "source_schema") or _opt_text(p, "schema"),
                ForeignKeyDef(
                    name,
                    _columns(p, "local_cols"),
                    f"{ref_schema}.{ref}" if ref_schema else ref,
                    _columns(p, "remote_cols"),
                    ondelete,
                    isinstance(name, FinalName),
                    onupdate,
                ),
                span,
            )
        )

    def _op_create_check_constraint(self, p: dict[str, Any], span: Span) -> None:
        name = _name(p, "constraint_name")
        condition = render_sql(p.get("condition"))
        self._emit(
            AddConstraint(
                _text(p, "table_name"),
                _opt_text(p, "schema"),
                CheckDef(name, condition or "", isinstance(name, FinalName)),
                span,
            )
        )

    def _op_drop_constraint(self, p: dict[str, Any], span: Span) -> None:
        type_ = p.get("type_")
        if type_ is not None and not isinstance(type_, str):
            raise _Skip("type_ is not statically known")
        self._emit(
            DropConstraint(
                _text(p, "constraint_name"),
                _text(p, "table_name"),
                _opt_text(p, "schema"),
                type_,
                span,
                bool(p.get("if_exists")),
                isinstance(p.get("constraint_name"), FinalName),
            )
        )

    def _op_execute(self, p: dict[str, Any], span: Span) -> None:
        sql = p.get("sqltext")
        if isinstance(sql, SQLText):
            sql = sql.sql
        if isinstance(sql, SACall) and sql.name in {"text", "DDL"} and sql.args:
            sql = sql.args[0]
        if not isinstance(sql, str):
            if isinstance(sql, SACall):
                return  # an insert()/update() construct: data, not schema
            raise _Skip("the SQL text is not statically known")
        result = operations_from_sql(sql, self.dialect, span)
        for operation in result.operations:
            self._emit(operation)
        for statement in result.unparsed:
            raise _Skip(f"SQL not understood: {_shorten(statement)}", result.mentioned)

    # -- construct helpers --------------------------------------------------------------

    def _column(self, call: SACall) -> ColumnDef:
        args = list(call.args)
        name = call.kw("name")
        if args and isinstance(args[0], str):
            name = args.pop(0)
        if not isinstance(name, str):
            raise _Skip("the column name is not statically known")
        fks: list[ForeignKeyRef] = []
        for arg in args:
            if isinstance(arg, SACall) and arg.name == "ForeignKey":
                target = arg.args[0] if arg.args else arg.kw("column")
                if not isinstance(target, str):
                    raise _Skip("the foreign key target is not statically known")
                fk_name = arg.kw("name")
                fks.append(
                    ForeignKeyRef(
                        target,
                        _str_or_none(arg.kw("ondelete")),
                        fk_name if isinstance(fk_name, str) else None,
                        isinstance(fk_name, FinalName),
                        _str_or_none(arg.kw("onupdate")),
                    )
                )
        flags = {}
        for key in ("primary_key", "unique", "index"):
            value = call.kw(key, False)
            if value is None:
                value = False
            if not isinstance(value, bool):
                raise _Skip(f"{key}= of column {name} is not statically known")
            flags[key] = value
        nullable = call.kw("nullable")
        if nullable is not None and not isinstance(nullable, bool):
            raise _Skip(f"nullable= of column {name} is not statically known")
        return ColumnDef(
            name,
            nullable,
            flags["primary_key"],
            flags["unique"],
            flags["index"],
            tuple(fks),
            self._span(call.node),
            _type_text(call),
        )


_LIBRARIES = frozenset(sys.stdlib_module_names) | MIGRATION_LIBRARIES
"""Modules whose functions are not the project's helpers."""

_TABLE_POSITION = {
    name: params.index(table)
    for name, params in _SIGNATURES.items()
    for table in ("table_name", "source_table", "old_table_name")
    if table in params
}


def _inspect(method: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """An Inspector's answer, as something the replay decides: names, rows or existence."""
    schema = kwargs.get("schema", args[1] if method != "has_index" and len(args) > 1 else None)
    if schema is not None and not isinstance(schema, str):
        return Unknown("schema= is not statically known")
    if method == "get_table_names":
        schema = kwargs.get("schema", args[0] if args else None)
        return (
            StateNames("table", None, schema)
            if schema is None or isinstance(schema, str)
            else Unknown("schema")
        )
    table = args[0] if args else kwargs.get("table_name")
    if not isinstance(table, str):
        return Unknown(f"the table of {method}() is not statically known")
    if method == "has_table":
        return Exists("table", table, schema)
    if method == "has_index":
        name = args[1] if len(args) > 1 else kwargs.get("index_name")
        schema = kwargs.get("schema", args[2] if len(args) > 2 else None)
        if not isinstance(name, str) or not (schema is None or isinstance(schema, str)):
            return Unknown("has_index() arguments are not statically known")
        return Exists("index", table, schema, name)
    kind = _INSPECTOR_ROWS.get(method)
    if kind is not None:
        return StateRows(kind, table, schema)
    return Unknown(f"inspector.{method}()")


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?")


def _names_in_text(text: str, dialect: str) -> list[tuple[str | None, str]]:
    """(schema, name) pairs a string literal of a skipped statement may name: the string
    itself when it is a name, else the names of the SQL text it may be part of."""
    if _NAME.fullmatch(text):
        schema, _, name = text.rpartition(".")
        return [(schema or None, name)]
    if len(text) > 20_000 or not any(c.isspace() for c in text):
        return []
    return mentioned_names(text, dialect)


_NAMED_PARAMS = frozenset(
    {
        "table_name",
        "source_table",
        "old_table_name",
        "new_table_name",
        "index_name",
        "constraint_name",
        "column_name",
    }
)
"""Arguments of a skipped operation that name what it touches."""
_OBJECT_OPS = frozenset(
    {
        "create_index",
        "drop_index",
        "create_unique_constraint",
        "create_primary_key",
        "create_foreign_key",
        "create_check_constraint",
        "drop_constraint",
    }
)
_TABLE_PARAM = {"create_foreign_key": "source_table"}
_OP_KINDS: dict[str, tuple[str, ...]] = {
    "create_index": ("index",),
    "drop_index": ("index",),
    "create_unique_constraint": ("unique",),
    "create_primary_key": ("primary",),
    "create_foreign_key": ("foreign_key",),
    "create_check_constraint": ("check",),
}
_DROP_KINDS: dict[str, tuple[str, ...]] = {
    "unique": ("unique",),
    "foreignkey": ("foreign_key",),
    "check": ("check",),
    "primary": ("primary",),
}

_DML = frozenset({"insert", "update", "delete", "select", "values", "where", "returning"})
_ROWS = frozenset(
    {
        "all",
        "first",
        "one",
        "one_or_none",
        "scalar",
        "scalars",
        "scalar_one",
        "fetchall",
        "fetchone",
        "fetchmany",
        "mappings",
        "limit",
        "order_by",
        "group_by",
        "offset",
    }
)
"""Methods of queries and of their results: a statement whose rows are read is a query."""
_ADDING_OPS = frozenset(
    {
        "create_table",
        "create_index",
        "create_unique_constraint",
        "create_foreign_key",
        "create_check_constraint",
        "add_column",
    }
)
"""Operations that only create objects (of a table, or a new table)."""


def _adds_only(node: ast.AST) -> bool:
    """A statement whose only schema operations create objects (no execute, no drop)."""
    calls = [
        sub.func.attr
        for sub in ast.walk(node)
        if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)
    ]
    schema_ops = [c for c in calls if c in _SIGNATURES and c != "batch_alter_table"]
    return bool(schema_ops) and all(c in _ADDING_OPS for c in schema_ops)


def _data_only(
    node: ast.AST,
    consumed: set[int] | frozenset[int] = frozenset(),
    texts: Mapping[str, list[ast.expr]] | None = None,
) -> bool:
    """A statement that runs only data statements and no schema operation: every
    ``execute`` in it is given a SQLAlchemy data construct (``t.update().values(...)``), or
    SQL text that is only data statements (literal, or in a variable every assignment of
    which is such text), or has its rows read (``bind.execute(query).all()``: DDL returns
    no rows)."""
    consumed = set(consumed)
    executes: list[ast.Call] = []
    for sub in ast.walk(node):
        if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)):
            continue
        name = sub.func.attr
        if name in _ROWS and isinstance(sub.func.value, ast.Call):
            consumed.add(id(sub.func.value))
        if name in {"execute", "exec_driver_sql"}:
            executes.append(sub)
        elif name in _SIGNATURES:
            return False
    if not executes:
        return False
    for call in executes:
        data = bool(call.args) and _data_statement(call.args[0])
        if not data and id(call) not in consumed and not _data_text(call, texts or {}):
            return False
    return True


def _builds_sql(node: ast.AST) -> bool:
    """Every ``execute`` in ``node`` runs text made with ``sa.text(...)`` (or a variable),
    and nothing else in it is an Alembic operation."""
    executes = [
        sub
        for sub in ast.walk(node)
        if isinstance(sub, ast.Call)
        and isinstance(sub.func, ast.Attribute)
        and sub.func.attr in {"execute", "exec_driver_sql"}
    ]
    others = any(
        isinstance(sub, ast.Call)
        and isinstance(sub.func, ast.Attribute)
        and sub.func.attr in _SIGNATURES
        and sub.func.attr != "execute"
        for sub in ast.walk(node)
    )
    return bool(executes) and not others


_SQL_START = re.compile(r"\s*(?:--[^\n]*\n\s*)*([A-Za-z]+)")
_SQL_WORDS = frozenset(
    {
        "select",
        "insert",
        "update",
        "delete",
        "merge",
        "with",
        "alter",
        "create",
        "drop",
        "truncate",
        "comment",
        "grant",
        "revoke",
        "do",
        "rename",
        "set",
        "reindex",
        "cluster",
    }
)


def _sql_in(function: ast.AST) -> list[str]:
    """The SQL-looking strings of a function: literals and f-strings (each field read as a
    placeholder) that start with an SQL keyword."""
    found: list[str] = []
    parts = {
        id(v) for sub in ast.walk(function) if isinstance(sub, ast.JoinedStr) for v in sub.values
    }
    for sub in ast.walk(function):
        if id(sub) in parts:
            continue
        if isinstance(sub, ast.JoinedStr):
            text = "".join(
                v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "0"
                for v in sub.values
            )
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            text = sub.value
        else:
            continue
        match = _SQL_START.match(text)
        if match is not None and match.group(1).lower() in _SQL_WORDS and " " in text.strip():
            found.append(text)
    return found


def _data_text(call: ast.Call, texts: Mapping[str, list[ast.expr]]) -> bool:
    """Whether the SQL an ``execute`` runs is known to be only data statements."""
    if not call.args:
        return False
    arg = call.args[0]
    if isinstance(arg, ast.Call) and arg.args:  # sa.text(...)
        func = arg.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name != "text":
            return False
        arg = arg.args[0]
    values = texts.get(arg.id, []) if isinstance(arg, ast.Name) else [arg]
    if not values:
        return False
    return all(
        isinstance(value, ast.Constant) and isinstance(value.value, str) and _only_data(value.value)
        for value in values
    )


def _only_data(sql: str) -> bool:
    """Every statement of ``sql`` is an UPDATE, INSERT, DELETE or MERGE (a common table
    expression before it allowed); a SELECT may call a function that changes the schema."""
    import sqlglot
    from sqlglot import exp

    if len(sql) > 100_000:
        return False
    try:
        statements = sqlglot.parse(sql, read="postgres")
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return False
    kinds = (exp.Update, exp.Insert, exp.Delete, exp.Merge)
    found = [s for s in statements if s is not None]
    return bool(found) and all(isinstance(s, kinds) for s in found)


def _strings(nodes: list[ast.expr]) -> list[str]:
    """The string literals among ``nodes`` that may name a table."""
    return [
        n.value
        for n in nodes
        if isinstance(n, ast.Constant)
        and isinstance(n.value, str)
        and n.value.replace("_", "").replace(".", "").isalnum()
    ]


def _tables_named_in(node: ast.AST) -> list[str]:
    """Literal table names given to operations inside a statement that was skipped."""
    tables: list[str] = []
    for sub in ast.walk(node):
        if not (isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute)):
            continue
        name = sub.func.attr
        candidates: list[ast.expr] = [
            k.value
            for k in sub.keywords
            if k.arg in {"table_name", "source_table", "old_table_name"}
        ]
        position = _TABLE_POSITION.get(name)
        if position is not None and len(sub.args) > position:
            candidates.append(sub.args[position])
        if name == "batch_alter_table" and sub.args:
            candidates.append(sub.args[0])
        for candidate in candidates:
            if isinstance(candidate, ast.Constant) and isinstance(candidate.value, str):
                tables.append(candidate.value)
    return list(dict.fromkeys(tables))


def _bind(name: str, batch: Any, args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    params = list(_SIGNATURES.get(name, ()))
    bound: dict[str, Any] = {}
    if batch is not None and name in _BATCH_TABLE_ARG:
        table_param = _BATCH_TABLE_ARG[name]
        params.remove(table_param)
        bound[table_param] = batch[0]
        bound["schema"] = batch[1]
    if name == "create_table":
        bound["table_name"] = args[0] if args else kwargs.get("table_name")
        bound["*"] = tuple(args[1:])
    else:
        for param, value in zip(params, args, strict=False):
            bound[param] = value
    for key, value in kwargs.items():
        if key == "table_name" and batch is not None:
            continue
        bound[key] = value
    return bound


def _text(p: dict[str, Any], key: str) -> str:
    value = p.get(key)
    if not isinstance(value, str):
        raise _Skip(f"{key.replace('_', ' ')} is not statically known")
    return str(value)


def _opt_text(p: dict[str, Any], key: str) -> str | None:
    value = p.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Skip(f"{key} is not statically known")
    return str(value)


def _name(p: dict[str, Any], key: str) -> str | None:
    value = p.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _Skip(f"{key.replace('_', ' ')} is not statically known")


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _columns(p: dict[str, Any], key: str) -> tuple[str, ...]:
    value = p.get(key)
    if isinstance(value, str):
        return (value,)
    if not is_known(value) or not isinstance(value, list | tuple):
        raise _Skip(f"{key.replace('_', ' ')} are not statically known")
    if not all(isinstance(v, str) for v in value):
        raise _Skip(f"{key.replace('_', ' ')} are not plain column names")
    return tuple(str(v) for v in value)


def _index_items(items: Sequence[Any]) -> tuple[tuple[str, ...], bool]:
    result: list[str] = []
    expressions = False
    for item in items:
        if isinstance(item, str):
            result.append(item)
        elif isinstance(item, SQLText):
            result.append(item.sql)
            expressions = True
        else:
            raise _Skip("an index item is not statically known")
    return tuple(result), expressions


_NOT_TYPES = frozenset(
    {"ForeignKey", "Sequence", "Identity", "Computed", "CheckConstraint", "DefaultClause"}
)


def _type_text(call: SACall) -> str | None:
    """The source text of a ``Column(...)``'s type argument, if it has one."""
    nodes = list(call.node.args)
    if nodes and call.args and isinstance(call.args[0], str):
        nodes.pop(0)  # the column's name
    for node in nodes:
        func = node.func if isinstance(node, ast.Call) else node
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in _NOT_TYPES or isinstance(node, ast.Starred):
            continue
        return ast.unparse(node)
    return None


def _with_ops(items: tuple[str, ...], expressions: bool, ops: Any) -> tuple[tuple[str, ...], bool]:
    """``postgresql_ops={"id": "DESC"}``: each named column's item with its operator class
    or order, as PostgreSQL stores the index."""
    if ops is None:
        return items, expressions
    if not is_known(ops) or not isinstance(ops, dict):
        raise _Skip("postgresql_ops= is not statically known")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in ops.items()):
        raise _Skip("postgresql_ops= is not statically known")
    changed = tuple(f"{item} {ops[item]}" if item in ops else item for item in items)
    return changed, expressions or changed != items


def _where(p: dict[str, Any], dialect: str) -> str | None:
    where = p.get(f"{dialect}_where", p.get("postgresql_where", p.get("sqlite_where")))
    return render_sql(where) if where is not None else None


def _index_from_sa(call: SACall) -> IndexDef:
    args = list(call.args)
    name = args.pop(0) if args else call.kw("name")
    if name is not None and not isinstance(name, str):
        raise _Skip("the index name is not statically known")
    items, expressions = _index_items(args)
    unique = call.kw("unique", False)
    if not isinstance(unique, bool):
        raise _Skip("unique= is not statically known")
    where = call.kw("postgresql_where", call.kw("sqlite_where"))
    return IndexDef(
        name,
        items,
        unique,
        expressions,
        render_sql(where) if where is not None else None,
        isinstance(name, FinalName),
    )


def _constraint_from_sa(call: SACall) -> ConstraintDef | None:
    name = call.kw("name")
    if name is not None and not isinstance(name, str):
        raise _Skip("the constraint name is not statically known")
    final = isinstance(name, FinalName)
    if call.name in {"PrimaryKeyConstraint", "UniqueConstraint"}:
        if not all(isinstance(a, str) for a in call.args):
            raise _Skip(f"the {call.name} columns are not statically known")
        columns = tuple(str(a) for a in call.args)
        if call.name == "PrimaryKeyConstraint":
            return PrimaryKeyDef(name, columns, final)
        return UniqueDef(name, columns, final)
    if call.name == "ForeignKeyConstraint":
        local, remote = [*call.args, call.kw("columns"), call.kw("refcolumns")][:2]
        if not (is_known(local) and is_known(remote)) or not isinstance(local, list | tuple):
            raise _Skip("the foreign key columns are not statically known")
        if not isinstance(remote, list | tuple) or not all(isinstance(r, str) for r in remote):
            raise _Skip("the foreign key columns are not statically known")
        targets = [str(r) for r in remote]
        ref_table = targets[0].rsplit(".", 1)[0] if targets else ""
        return ForeignKeyDef(
            name,
            tuple(str(c) for c in local),
            ref_table,
            tuple(t.rsplit(".", 1)[-1] for t in targets),
            _str_or_none(call.kw("ondelete")),
            final,
            _str_or_none(call.kw("onupdate")),
        )
    if call.name == "CheckConstraint":
        return CheckDef(name, render_sql(call.args[0] if call.args else None) or "", final)
    return None


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the revision header ----------------------------------------------------------------


def looks_like_migration(tree: ast.Module) -> bool:
    """A module that assigns ``revision`` and ``down_revision`` and defines ``upgrade``."""
    names: set[str] = set()
    upgrade = False
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "upgrade":
            upgrade = True
        for target in _assigned_names(stmt):
            names.add(target)
    return upgrade and {"revision", "down_revision"} <= names


def _assigned_names(stmt: ast.stmt) -> list[str]:
    if isinstance(stmt, ast.Assign):
        return [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        return [stmt.target.id]
    return []


def extract_migration(
    path: str,
    text: str,
    tree: ast.Module,
    *,
    dialect: str = "postgresql",
    modules: ForeignModules | None = None,
) -> Migration | None:
    """The migration in ``tree``, or ``None`` when the file is not a revision file;
    ``modules`` gives the helpers it imports from other modules of the project."""
    lines = LineIndex(path, text)
    host = _MigrationHost(lines, dialect, foreign=modules)
    evaluator = host.evaluator = Evaluator(host, branches=host)
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name):
            host.module_values[stmt.targets[0].id] = stmt.value
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(function):
                host.functions.setdefault(id(inner), function)  # outermost first: upgrade()
    for sub in ast.walk(tree):
        if isinstance(sub, ast.Assign):
            for target in sub.targets:
                if isinstance(target, ast.Name):
                    host.texts.setdefault(target.id, []).append(sub.value)
        if isinstance(sub, ast.Attribute) and sub.attr in _ROWS and isinstance(sub.value, ast.Call):
            host.consumed.add(id(sub.value))
        elif isinstance(sub, ast.For | ast.comprehension) and isinstance(sub.iter, ast.Call):
            host.consumed.add(id(sub.iter))  # its rows are walked: a query
    evaluator.load_module(tree)
    scope = evaluator.module_scope
    revision_node = next((s for s in tree.body if "revision" in _assigned_names(s)), None)
    if revision_node is None or not any("down_revision" in _assigned_names(s) for s in tree.body):
        return None
    span = lines.span(revision_node)
    revision = scope.get("revision")
    problems: list[Problem] = []
    if not isinstance(revision, str):
        problems.append(Problem("unanalysable", "the revision id is not a literal string", span))
        return Migration(path, "", (), (), (), (), tuple(problems), span)
    if not evaluator.run_function("upgrade"):
        problems.append(Problem("unanalysable", "the revision file has no upgrade()", span))
    return Migration(
        path=path,
        revision=revision,
        down_revisions=_ids(scope.get("down_revision")),
        branch_labels=_ids(scope.get("branch_labels")),
        depends_on=_ids(scope.get("depends_on")),
        operations=tuple(host.operations),
        problems=tuple(problems + host.problems),
        span=span,
    )


def _ids(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(v for v in value if isinstance(v, str))
    return ()


_DML_ROOTS = frozenset({"update", "delete", "insert", "select"})
_CLAUSES = frozenset(
    {
        "where",
        "values",
        "filter",
        "filter_by",
        "returning",
        "order_by",
        "group_by",
        "having",
        "limit",
        "offset",
        "join",
        "outerjoin",
        "select_from",
        "execution_options",
        "params",
        "distinct",
        "with_only_columns",
        "inline",
        "on_conflict_do_nothing",
        "on_conflict_do_update",
        "prefix_with",
    }
)


def _data_statement(node: ast.expr) -> bool:
    """An SQLAlchemy DML construct (``sa.update(t).where(...).values(...)``,
    ``table.delete()``, ``select(...)``): it reads or changes rows, never the schema."""
    if any(
        isinstance(s, ast.Call) and isinstance(s.func, ast.Attribute) and s.func.attr in _DML
        for s in ast.walk(node)
    ):
        return True
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _CLAUSES
    ):
        node = node.func.value
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    return name in _DML_ROOTS
