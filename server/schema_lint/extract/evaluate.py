"""A small static evaluator for the statically knowable part of Python code.

It runs a function body over literal values without importing or executing anything real:
constants, f-strings, concatenation, ``for`` loops over literal collections, calls of
functions defined in the same file, ``if``/``return`` on knowable conditions. Calls into
SQLAlchemy become :class:`SACall` values; calls on objects the host recognises (Alembic's
``op``, a batch operations object) go to the host's :class:`Host.call` hook. Anything else
evaluates to :class:`Unknown`, and statements whose effect cannot be known while they could
perform operations are reported through :class:`Host.unanalysable`, never guessed.

With a :class:`BranchHost`, an ``if`` whose condition cannot be known here (it asks the
database, or a setting) runs both branches: the host records the condition as a decision,
and every operation is guarded by the decisions on its path, early exits included (after
``if c: return`` the rest of the function runs under ``not c``). A branch that always raises
is not taken: the migrations are replayed as they succeed.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import operator
import sys
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from schema_lint.facts.migrations import (
    AllOf,
    AnyOf,
    Compared,
    Condition,
    Decision,
    Exists,
    Negation,
    Opaque,
)
from schema_lint.vocabulary.sqlalchemy import MIGRATION_LIBRARIES

MAX_STEPS = 200_000
MAX_WHILE_ITERATIONS = 1_000
MAX_DEPTH = 40


class Unknown:
    """A value that cannot be known statically; ``source`` names where it came from (the
    expression assigned, as the ``assume`` option may name it)."""

    __slots__ = ("reason", "source")

    def __init__(self, reason: str, source: tuple[str, ...] = ()) -> None:
        self.reason = reason
        self.source = source

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


class FinalName(str):
    """A name wrapped in ``op.f()`` / ``conv()``: used as is, never by naming convention."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """An imported module or a name inside one, e.g. ``sqlalchemy.Column``."""

    dotted: str


@dataclass(frozen=True, slots=True)
class SACall:
    """A call of a SQLAlchemy construct, e.g. ``sa.Column("id", sa.Integer, primary_key=True)``."""

    name: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    node: ast.Call

    def kw(self, key: str, default: Any = None) -> Any:
        return self.kwargs.get(key, default)


@dataclass(frozen=True, slots=True)
class SQLText:
    """An SQL expression as text: ``sa.text(...)``, ``func.lower(col)``, ``desc(col)``."""

    sql: str


@dataclass(frozen=True, slots=True)
class HostObject:
    """An object the host gives meaning to (``op``, ``batch_op``, a bind, a dialect)."""

    kind: str
    data: Any = None


class Deferred:
    """A value bound now and computed on first use (an import of another module of the
    project, read only if some code reaches it)."""

    __slots__ = ("_compute", "_value")

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute: Callable[[], Any] | None = compute
        self._value: Any = None

    @staticmethod
    def get(value: Any) -> Any:
        if not isinstance(value, Deferred):
            return value
        if value._compute is not None:
            compute, value._compute = value._compute, None
            value._value = Unknown("circular import")  # while computing
            value._value = compute()
        return value._value


@dataclass
class LocalFunction:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    scope: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StateRows:
    """What an Inspector reads from the database: ``get_columns("t")``, ``get_indexes("t")``.

    ``kind`` is ``column``, ``index``, ``unique``, ``foreign_key`` or ``check``.
    """

    kind: str
    table: str
    schema: str | None


@dataclass(frozen=True, slots=True)
class StateNames:
    """Names of database objects: ``get_table_names()`` (``kind`` table, ``table`` None) or
    ``[c["name"] for c in get_columns("t")]``. ``"x" in names`` is an :class:`Exists`."""

    kind: str
    table: str | None
    schema: str | None


@dataclass(frozen=True, slots=True)
class PartialText:
    """A string known in part: it starts with ``prefix`` and contains none of ``absent``
    (a dialect's description, ``postgresql+<driver>``). Only ``in`` can be answered."""

    prefix: str
    absent: frozenset[str]

    def contains(self, needle: str) -> bool | None:
        if needle in self.prefix:
            return True
        if needle in self.absent:
            return False
        return None


CONDITIONS = (Exists, Opaque, Compared, Decision, Negation, AllOf, AnyOf)
"""The classes of :data:`Condition`, for ``isinstance``."""


class Host(Protocol):
    def imported(self, dotted: str) -> Any:
        """The value an import binds: a :class:`ModuleRef` or a host object."""

    def call(
        self, target: HostObject, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        """Perform a call on a host object and return its value."""

    def attribute(self, target: HostObject, name: str) -> Any:
        """Attribute of a host object."""

    def unanalysable(self, node: ast.AST, reason: str) -> None:
        """Report a statement whose effect cannot be known."""

    def performs_operations(self, node: ast.AST, scope: dict[str, Any]) -> bool:
        """Whether ``node`` could perform operations the host cares about."""


class BranchHost(Protocol):
    """A host that keeps conditions it cannot decide for later (the migration replay)."""

    def decide(self, decision: int, condition: Condition, text: str, node: ast.AST) -> None:
        """Record decision ``decision`` on ``condition`` (as written: ``text``) where the
        ``if`` runs; the current guard applies to it."""

    def set_guard(self, guard: Condition | None) -> None:
        """Every operation from now on runs only when ``guard`` holds (None: always)."""

    def mark(self) -> tuple[int, int]:
        """How many operations and problems were recorded so far."""

    def retract(self, decision: int) -> None:
        """Forget the decision just recorded: nothing depends on it."""

    def readable_since(self, mark: tuple[int, int]) -> bool:
        """Whether an operation schema-lint can replay was recorded since ``mark``."""

    def collapse(self, mark: tuple[int, int], node: ast.stmt, what: str) -> None:
        """Report the problems since ``mark`` as one, at ``node``: none of ``what`` could be
        read, so the statements in it are one unreadable statement."""


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _UncertainExit(Exception):
    """A branch that cannot be evaluated may return, raise, break or continue."""

    def __init__(self, construct: str = "") -> None:
        super().__init__(construct)
        self.construct = construct


class _BranchExit(Exception):
    """A ``return``/``break``/``continue`` on a guarded path: the rest of ``frame`` runs
    under the opposite guard (already on the path), this branch ends here."""

    def __init__(self, frame: _Frame) -> None:
        super().__init__()
        self.frame = frame


@dataclass(eq=False)
class _Frame:
    """A function call, a loop or one iteration: what an early exit leaves."""

    kind: str
    start: int
    """The length of the path when the frame began: later entries are relative to it."""
    returns: list[tuple[Condition | None, Any]] = field(default_factory=list)
    """A function's results so far, each with the relative guard it is returned under."""


@dataclass(eq=False)
class _Entry:
    """One conjunct of the current path, removed by its owner (a branch or a frame)."""

    condition: Condition
    owner: object


class _Stop(Exception):
    """Execution cannot go on (a ``raise``, or the step budget is exhausted)."""


_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Mod: operator.mod,
    ast.FloorDiv: operator.floordiv,
}

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}

_LITERAL_TYPES = (str, int, float, bool, type(None), tuple, list, dict, set, frozenset)

_BUILTINS: dict[str, Callable[..., Any]] = {
    "len": len,
    "range": lambda *a: list(range(*a)),
    "enumerate": lambda x, start=0: list(enumerate(x, start)),
    "zip": lambda *a: list(zip(*a, strict=False)),
    "list": list,
    "tuple": tuple,
    "dict": dict,
    "set": set,
    "sorted": sorted,
    "reversed": lambda x: list(reversed(x)),
    "str": str,
    "int": int,
    "bool": bool,
    "min": min,
    "max": max,
    "any": any,
    "all": all,
    "isinstance": isinstance,
}

_STR_METHODS = frozenset(
    {
        "format",
        "upper",
        "lower",
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "join",
        "split",
        "startswith",
        "endswith",
        "title",
        "capitalize",
        "removeprefix",
        "removesuffix",
    }
)
_COLLECTION_METHODS = frozenset({"items", "keys", "values", "get", "index", "count"})
_MUTATING_METHODS: dict[type, frozenset[str]] = {
    list: frozenset({"pop", "append", "extend", "insert", "remove", "reverse", "sort"}),
    dict: frozenset({"pop", "setdefault", "update"}),
}
"""Methods that change a literal collection in place, as Python would (``queue.pop()``)."""
_PURE_LIBRARY: dict[str, Callable[..., Any]] = {
    "textwrap.dedent": textwrap.dedent,
    "inspect.cleandoc": inspect.cleandoc,
}
"""Standard library functions of strings whose result is computed (SQL text is built
with them)."""


def is_plain(value: Any) -> bool:
    """Plain Python data all the way down (no module, construct or host object, whose
    ``repr`` would otherwise end up in built text)."""
    if isinstance(value, tuple | list | set | frozenset):
        return all(is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(is_plain(k) and is_plain(v) for k, v in value.items())
    return isinstance(value, str | int | float | bool | type(None)) and not isinstance(
        value, Unknown
    )


def is_known(value: Any) -> bool:
    if isinstance(value, Unknown):
        return False
    if isinstance(value, tuple | list | set | frozenset):
        return all(is_known(v) for v in value)
    if isinstance(value, dict):
        return all(is_known(k) and is_known(v) for k, v in value.items())
    return True


@dataclass
class Evaluator:
    """Evaluates statements of one module against ``host``."""

    host: Host
    module_scope: dict[str, Any] = field(default_factory=dict)
    steps: int = 0
    depth: int = 0
    branches: BranchHost | None = None
    """Set to evaluate ``if`` on undecidable conditions as guarded branches."""
    path: list[_Entry] = field(default_factory=list)
    frames: list[_Frame] = field(default_factory=list)
    decisions: int = 0
    owned: dict[int, Any] = field(default_factory=dict)
    """Lists and dicts a function call built (by id, kept alive so that ids stay unique): only
    those are changed in place by ``pop()``/``append()``; a module's values never are, since
    they may be read again for another call or another file."""
    module_level: int = 0

    # -- module level -------------------------------------------------------------------

    def load_module(self, tree: ast.Module) -> None:
        """Bind imports, functions and constants of the module, without running calls."""
        for stmt in tree.body:
            self._bind_definition(stmt, self.module_scope, module=True)

    def _bind_definition(self, stmt: ast.stmt, scope: dict[str, Any], *, module: bool) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    scope[alias.asname] = self.host.imported(alias.name)
                else:
                    top = alias.name.split(".")[0]
                    scope[top] = self.host.imported(top)
        elif isinstance(stmt, ast.ImportFrom):
            # The imported object's dotted name, with one leading dot per level.
            base = "." * stmt.level + (f"{stmt.module}." if stmt.module else "")
            for alias in stmt.names:
                scope[alias.asname or alias.name] = self.host.imported(f"{base}{alias.name}")
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            scope[stmt.name] = LocalFunction(stmt, scope)
        elif module and isinstance(stmt, ast.Assign | ast.AnnAssign):
            value = stmt.value
            if value is None:
                return
            result = self._safe_eval(value, scope)
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                self._assign(target, result, scope)
        elif module and isinstance(stmt, ast.If | ast.Try):
            for inner in [*stmt.body, *getattr(stmt, "orelse", [])]:
                self._bind_definition(inner, scope, module=True)

    def _safe_eval(self, node: ast.expr, scope: dict[str, Any]) -> Any:
        """Evaluate a module-level expression; host calls there are not operations."""
        if any(isinstance(n, ast.Call) for n in ast.walk(node)) and self.host.performs_operations(
            node, scope
        ):
            return Unknown("module-level call")
        self.module_level += 1
        try:
            return self.eval(node, scope)
        except (_Stop, _Return, _Break, _Continue):
            return Unknown("not evaluable")
        finally:
            self.module_level -= 1

    def _own(self, value: Any) -> Any:
        """``value``, a container just built: changeable in place when a function built it."""
        if isinstance(value, list | dict) and self.depth > 0 and not self.module_level:
            self.owned[id(value)] = value
        return value

    # -- running functions --------------------------------------------------------------

    def run_function(self, name: str) -> bool:
        """Run module function ``name`` with no arguments; False when it does not exist."""
        func = self.module_scope.get(name)
        if not isinstance(func, LocalFunction):
            return False
        with contextlib.suppress(_Stop, _UncertainExit, _BranchExit):
            self._call_local(func, [], {}, func.node)
        return True

    def call(
        self, func: LocalFunction, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        """Call a function (maybe of another module) from ``node``; its result."""
        return self._call_local(func, args, kwargs, node)

    def _call_local(
        self, func: LocalFunction, args: list[Any], kwargs: dict[str, Any], node: ast.AST
    ) -> Any:
        if self.depth >= MAX_DEPTH:
            self.host.unanalysable(node, "call nesting too deep to follow")
            return Unknown("recursion")
        scope: dict[str, Any] = dict(func.scope)
        self._bind_arguments(func.node.args, args, kwargs, scope)
        self.depth += 1
        frame = self._enter("function")
        try:
            self.exec_block(func.node.body, scope)
            frame.returns.append((self._relative_guard(frame), None))
        except _Return as ret:
            frame.returns.append((self._relative_guard(frame), ret.value))
        except _BranchExit as exit_:
            if exit_.frame is not frame:
                raise
        except _UncertainExit:
            return Unknown("the function may return early")
        finally:
            self._leave(frame)
            self.depth -= 1
        return _result(frame.returns)

    def _bind_arguments(
        self, spec: ast.arguments, args: list[Any], kwargs: dict[str, Any], scope: dict[str, Any]
    ) -> None:
        params = [*spec.posonlyargs, *spec.args]
        defaults: list[ast.expr | None] = [None] * (len(params) - len(spec.defaults))
        defaults += list(spec.defaults)
        for i, param in enumerate(params):
            if i < len(args):
                scope[param.arg] = args[i]
            elif param.arg in kwargs:
                scope[param.arg] = kwargs.pop(param.arg)
            elif defaults[i] is not None:
                scope[param.arg] = self.eval(defaults[i], scope)  # type: ignore[arg-type]
            else:
                scope[param.arg] = Unknown(f"argument {param.arg} not given")
        if spec.vararg:
            scope[spec.vararg.arg] = tuple(args[len(params) :])
        for param, default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
            if param.arg in kwargs:
                scope[param.arg] = kwargs.pop(param.arg)
            elif default is not None:
                scope[param.arg] = self.eval(default, scope)
            else:
                scope[param.arg] = Unknown(f"argument {param.arg} not given")
        if spec.kwarg:
            scope[spec.kwarg.arg] = dict(kwargs)

    # -- statements ---------------------------------------------------------------------

    def exec_block(self, body: Sequence[ast.stmt], scope: dict[str, Any]) -> None:
        for i, stmt in enumerate(body):
            try:
                self.exec_stmt(stmt, scope)
            except _UncertainExit as uncertain:
                for rest in body[i + 1 :]:
                    if self.host.performs_operations(rest, scope):
                        self.host.unanalysable(
                            rest,
                            f"it may not run: {uncertain.construct or 'an earlier branch'} "
                            "may leave early",
                        )
                raise

    def exec_stmt(self, stmt: ast.stmt, scope: dict[str, Any]) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.host.unanalysable(stmt, "too many steps to evaluate statically")
            raise _Stop
        method = _EXEC.get(type(stmt))
        if method is not None:
            method(self, stmt, scope)
        elif self.host.performs_operations(stmt, scope):
            self.host.unanalysable(stmt, f"`{type(stmt).__name__.lower()}` statement")

    def _exec_Expr(self, stmt: ast.Expr, scope: dict[str, Any]) -> None:
        value = stmt.value
        if isinstance(value, ast.Call):
            func = self.eval(value.func, scope)
            if isinstance(func, ModuleRef) and not _is_library(func.dotted):
                self.host.unanalysable(
                    stmt,
                    f"calls `{func.dotted.lstrip('.')}`, defined outside this file; "
                    "its operations are not replayed",
                )
                return
        self.eval(value, scope)

    def _exec_Assign(self, stmt: ast.Assign, scope: dict[str, Any]) -> None:
        value = self.eval(stmt.value, scope)
        if (
            self.branches is not None
            and isinstance(value, Unknown)
            and not value.source
            and isinstance(stmt.value, ast.Call | ast.Attribute | ast.Subscript)
        ):
            value = Unknown(value.reason, self._opaque(stmt.value, value, scope).keys)
        for target in stmt.targets:
            self._assign(target, value, scope)

    def _exec_AnnAssign(self, stmt: ast.AnnAssign, scope: dict[str, Any]) -> None:
        if stmt.value is not None:
            self._assign(stmt.target, self.eval(stmt.value, scope), scope)

    def _exec_AugAssign(self, stmt: ast.AugAssign, scope: dict[str, Any]) -> None:
        current = self.eval(stmt.target, scope) if isinstance(stmt.target, ast.Name) else None
        value = self.eval(stmt.value, scope)
        func = _BINOPS.get(type(stmt.op))
        result: Any = Unknown("augmented assignment")
        if func is not None and is_known(current) and is_known(value):
            try:
                result = func(current, value)
            except Exception:  # the user's own arithmetic error: unknown, not a crash
                result = Unknown("augmented assignment")
        self._assign(stmt.target, result, scope)

    def _exec_Pass(self, stmt: ast.Pass, scope: dict[str, Any]) -> None:
        pass

    def _exec_Return(self, stmt: ast.Return, scope: dict[str, Any]) -> None:
        value = self.eval(stmt.value, scope) if stmt.value is not None else None
        frame = self._frame("function")
        relative = self._relative(frame) if frame is not None else []
        if frame is None or not relative:
            raise _Return(value)
        frame.returns.append((_all(relative), value))
        self._leave_early(frame, relative)

    def _exec_Break(self, stmt: ast.Break, scope: dict[str, Any]) -> None:
        frame = self._frame("loop")
        relative = self._relative(frame) if frame is not None else []
        if frame is None or not relative:
            raise _Break
        self._leave_early(frame, relative)

    def _exec_Continue(self, stmt: ast.Continue, scope: dict[str, Any]) -> None:
        frame = self._frame("iteration")
        relative = self._relative(frame) if frame is not None else []
        if frame is None or not relative:
            raise _Continue
        self._leave_early(frame, relative)

    def _exec_Raise(self, stmt: ast.Raise, scope: dict[str, Any]) -> None:
        root = self.frames[0] if self.frames else None
        relative = self._relative(root) if root is not None else []
        if root is None or not relative:
            raise _Stop
        self._leave_early(root, relative)  # the upgrade succeeds: this path is not taken

    def _exec_Import(self, stmt: ast.Import, scope: dict[str, Any]) -> None:
        self._bind_definition(stmt, scope, module=False)

    def _exec_ImportFrom(self, stmt: ast.ImportFrom, scope: dict[str, Any]) -> None:
        self._bind_definition(stmt, scope, module=False)

    def _exec_FunctionDef(self, stmt: ast.FunctionDef, scope: dict[str, Any]) -> None:
        scope[stmt.name] = LocalFunction(stmt, scope)

    def _exec_Global(self, stmt: ast.Global, scope: dict[str, Any]) -> None:
        pass

    def _exec_Assert(self, stmt: ast.Assert, scope: dict[str, Any]) -> None:
        pass

    def _exec_If(self, stmt: ast.If, scope: dict[str, Any]) -> None:
        if self.branches is not None:
            condition = self.condition(stmt.test, scope)
            if isinstance(condition, bool):
                self.exec_block(stmt.body if condition else stmt.orelse, scope)
            else:
                self._fork(stmt, condition, scope)
            return
        test = self.eval(stmt.test, scope)
        if not is_known(test) or isinstance(test, HostObject | SACall | ModuleRef | StateNames):
            self._unknown_branch(stmt, [*stmt.body, *stmt.orelse], scope, "condition")
            return
        if isinstance(test, CONDITIONS):
            self._unknown_branch(stmt, [*stmt.body, *stmt.orelse], scope, "condition")
            return
        self.exec_block(stmt.body if test else stmt.orelse, scope)

    # -- guarded branches ---------------------------------------------------------------

    def _fork(self, stmt: ast.If, condition: Condition, scope: dict[str, Any]) -> None:
        """Run both branches of ``stmt``, each guarded by the outcome of ``condition``."""
        assert self.branches is not None
        body_raises, else_raises = _always_raises(stmt.body), _always_raises(stmt.orelse)
        if body_raises and else_raises:
            raise _Stop
        if body_raises or else_raises:  # the upgrade succeeds: that branch is not taken
            self.exec_block(stmt.orelse if body_raises else stmt.body, scope)
            return
        self.decisions += 1
        decision = self.decisions
        mark = self.branches.mark()
        header = f"if {ast.unparse(stmt.test)}"
        self.branches.decide(decision, condition, ast.unparse(stmt.test), stmt.test)
        before = dict(scope)
        body_exit = self._branch(stmt.body, Decision(decision), scope)
        after_body = dict(scope)
        scope.clear()
        scope.update(before)
        else_exit = self._branch(stmt.orelse, Negation(Decision(decision)), scope)
        if body_exit is None and else_exit is None and not self.branches.readable_since(mark):
            self.branches.collapse(mark, stmt, f"`{header}`")
            if self.branches.mark()[0] == mark[0] + 1:
                self.branches.retract(decision)
        if body_exit is not None and else_exit is not None:
            inner = max((body_exit, else_exit), key=lambda e: _index_of(self.frames, e.frame))
            raise _BranchExit(inner.frame)
        if else_exit is not None:
            scope.clear()
            scope.update(after_body)
        elif body_exit is None:
            reason = f"assigned under `{header}`"
            for name in after_body.keys() | scope.keys():
                both = name in scope and name in after_body
                if not both or not _same(scope[name], after_body[name]):
                    scope[name] = Unknown(reason)

    def _branch(
        self, body: list[ast.stmt], condition: Condition, scope: dict[str, Any]
    ) -> _BranchExit | None:
        entry = _Entry(condition, body)
        self.path.append(entry)
        self._sync_guard()
        try:
            self.exec_block(body, scope)
        except _BranchExit as exit_:
            return exit_
        finally:
            self.path.remove(entry)
            self._sync_guard()
        return None

    def _enter(self, kind: str) -> _Frame:
        frame = _Frame(kind, len(self.path))
        self.frames.append(frame)
        return frame

    def _leave(self, frame: _Frame) -> None:
        self.frames.remove(frame)
        if any(entry.owner is frame for entry in self.path):
            self.path = [entry for entry in self.path if entry.owner is not frame]
            self._sync_guard()

    def _frame(self, kind: str) -> _Frame | None:
        """The innermost frame of ``kind`` in the current function."""
        for frame in reversed(self.frames):
            if frame.kind == kind:
                return frame
            if frame.kind == "function":
                return None
        return None

    def _relative(self, frame: _Frame) -> list[Condition]:
        return [entry.condition for entry in self.path[frame.start :]]

    def _relative_guard(self, frame: _Frame) -> Condition | None:
        relative = self._relative(frame)
        return _all(relative) if relative else None

    def _leave_early(self, frame: _Frame, relative: list[Condition]) -> None:
        """Exit ``frame`` on this guarded path: the rest of it runs under the opposite."""
        self.path.append(_Entry(negate(_all(relative)), frame))
        self._sync_guard()
        raise _BranchExit(frame)

    def _sync_guard(self) -> None:
        if self.branches is not None:
            conditions = [entry.condition for entry in self.path]
            self.branches.set_guard(_all(conditions) if conditions else None)

    def condition(self, node: ast.expr, scope: dict[str, Any]) -> bool | Condition:
        """``node`` as a truth value: a bool when known, else a condition to decide later."""
        if isinstance(node, ast.BoolOp):
            is_and = isinstance(node.op, ast.And)
            parts: list[Condition] = []
            for sub in node.values:
                part = self.condition(sub, scope)
                if isinstance(part, bool):
                    if part != is_and:
                        return part
                    continue
                parts.append(part)
            if not parts:
                return is_and
            return _all(parts) if is_and else _any(parts)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.condition(node.operand, scope)
            return (not inner) if isinstance(inner, bool) else negate(inner)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left = self.eval(node.left, scope)
            right = self.eval(node.comparators[0], scope)
            op = node.ops[0]
            result = _compare_pair(op, left, right)
            if isinstance(result, bool | Exists | Negation):
                return result
            symbol = _OP_SYMBOLS.get(type(op))
            if symbol is not None and _is_literal(right) and not _is_literal(left):
                return Compared(self._opaque(node.left, left, scope), symbol, _frozen(right))
            swappable = symbol in {"==", "!=", "is", "is not"}
            if swappable and _is_literal(left) and not _is_literal(right):
                return Compared(
                    self._opaque(node.comparators[0], right, scope), str(symbol), _frozen(left)
                )
            return self._opaque(node, result, scope)
        value = self.eval(node, scope)
        if isinstance(value, CONDITIONS):
            return value
        if _is_literal(value):
            return bool(value)
        return self._opaque(node, value, scope)

    def _opaque(self, node: ast.expr, value: Any, scope: dict[str, Any]) -> Opaque:
        keys = list(value.source) if isinstance(value, Unknown) else []
        keys.append(ast.unparse(node))
        if isinstance(node, ast.Call):
            keys.append(ast.unparse(node.func))
            if not any(isinstance(sub, ast.Call) for sub in ast.walk(node.func)):
                value = self.eval(node.func, scope)  # a name: evaluating it again is harmless
        if isinstance(value, ModuleRef):
            keys.append(value.dotted.lstrip("."))
        return Opaque(tuple(dict.fromkeys(keys)))

    def _exec_For(self, stmt: ast.For, scope: dict[str, Any]) -> None:
        iterable = self.eval(stmt.iter, scope)
        if not is_known(iterable) or not isinstance(iterable, tuple | list | dict | str | set):
            self._unknown_branch(stmt, [*stmt.body, *stmt.orelse], scope, "loop")
            return
        items = list(iterable.items()) if isinstance(iterable, dict) else iterable
        if isinstance(iterable, dict):
            items = list(iterable)
        loop = self._enter("loop")
        try:
            for item in items:
                self._assign(stmt.target, item, scope)
                if not self._iteration(stmt.body, scope, loop):
                    return
            self.exec_block(stmt.orelse, scope)
        finally:
            self._leave(loop)

    def _iteration(self, body: list[ast.stmt], scope: dict[str, Any], loop: _Frame) -> bool:
        """Run one turn of ``loop``'s body; False when the loop ends there (``break``, or
        an exit out of the loop), so that its ``else`` does not run."""
        iteration = self._enter("iteration")
        try:
            self.exec_block(body, scope)
        except _Break:
            return False
        except _Continue:
            return True
        except _BranchExit as exit_:
            if exit_.frame is loop:
                return False
            if exit_.frame is not iteration:
                raise
        finally:
            self._leave(iteration)
        return True

    def _exec_While(self, stmt: ast.While, scope: dict[str, Any]) -> None:
        """Iterations run while the test is known to hold (``while queue: x =
        queue.pop()`` over a literal list); once it is not known, or an iteration depended
        on a condition left to the replay, or after :data:`MAX_WHILE_ITERATIONS`, the rest
        of the loop is an unknown loop (the iterations before it did run)."""
        loop = self._enter("loop")
        decisions, iterations = self.decisions, 0
        try:
            while True:
                test = self.eval(stmt.test, scope)
                undecided = len(self.path) > loop.start or self.decisions > decisions
                if not _is_literal(test) or undecided or iterations >= MAX_WHILE_ITERATIONS:
                    self._unknown_branch(stmt, [*stmt.body, *stmt.orelse], scope, "while loop")
                    return
                iterations += 1
                if not test:
                    break
                self.steps += 1
                if self.steps > MAX_STEPS:
                    self.host.unanalysable(stmt, "too many steps to evaluate statically")
                    raise _Stop
                if not self._iteration(stmt.body, scope, loop):
                    return
            self.exec_block(stmt.orelse, scope)
        finally:
            self._leave(loop)

    def _exec_With(self, stmt: ast.With, scope: dict[str, Any]) -> None:
        for item in stmt.items:
            value = self.eval(item.context_expr, scope)
            if item.optional_vars is not None:
                self._assign(item.optional_vars, value, scope)
        self.exec_block(stmt.body, scope)

    def _exec_Try(self, stmt: ast.Try, scope: dict[str, Any]) -> None:
        try:
            self.exec_block(stmt.body, scope)
            self.exec_block(stmt.orelse, scope)
        finally:
            self.exec_block(stmt.finalbody, scope)

    def _unknown_branch(
        self, stmt: ast.stmt, body: list[ast.stmt], scope: dict[str, Any], what: str
    ) -> None:
        if any(self.host.performs_operations(s, scope) for s in body):
            self.host.unanalysable(stmt, f"the {what} cannot be evaluated statically")
        for node in body:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
                    scope[sub.id] = Unknown(f"assigned under an unknown {what}")
        if _may_leave(body, in_loop=isinstance(stmt, ast.For | ast.While)):
            raise _UncertainExit(f"the {what} `{_header(stmt)}`")

    def _assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[target.id] = value
        elif isinstance(target, ast.Tuple | ast.List):
            if (
                is_known(value)
                and isinstance(value, tuple | list)
                and len(value) == len(target.elts)
            ):
                for sub, item in zip(target.elts, value, strict=True):
                    self._assign(sub, item, scope)
            else:
                for sub in target.elts:
                    self._assign(sub, Unknown("unpacking"), scope)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, scope)
            key = self.eval(target.slice, scope)
            if isinstance(container, dict | list) and is_known(key):
                with contextlib.suppress(TypeError, IndexError):
                    container[key] = value

    # -- expressions --------------------------------------------------------------------

    def eval(self, node: ast.expr, scope: dict[str, Any]) -> Any:
        method = _EVAL.get(type(node))
        if method is None:
            return Unknown(type(node).__name__)
        return method(self, node, scope)

    def _eval_Constant(self, node: ast.Constant, scope: dict[str, Any]) -> Any:
        return node.value

    def _eval_Name(self, node: ast.Name, scope: dict[str, Any]) -> Any:
        if node.id in scope:
            return Deferred.get(scope[node.id])
        if node.id in self.module_scope:
            return Deferred.get(self.module_scope[node.id])
        if node.id in _BUILTINS:
            return HostObject("builtin", node.id)
        return Unknown(f"name {node.id}")

    def _eval_JoinedStr(self, node: ast.JoinedStr, scope: dict[str, Any]) -> Any:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            assert isinstance(value, ast.FormattedValue)
            inner = self.eval(value.value, scope)
            if not is_plain(inner):
                return Unknown("f-string")
            spec = self.eval(value.format_spec, scope) if value.format_spec else ""
            if not isinstance(spec, str):
                return Unknown("f-string")
            conversions: dict[int, Callable[[Any], str]] = {115: str, 114: repr, 97: ascii}
            conversion = conversions.get(value.conversion)
            try:
                parts.append(format(conversion(inner) if conversion else inner, spec))
            except (TypeError, ValueError):
                return Unknown("f-string")
        return "".join(parts)

    def _eval_Tuple(self, node: ast.Tuple, scope: dict[str, Any]) -> Any:
        return tuple(self._eval_items(node.elts, scope))

    def _eval_List(self, node: ast.List, scope: dict[str, Any]) -> Any:
        return self._own(self._eval_items(node.elts, scope))

    def _eval_Set(self, node: ast.Set, scope: dict[str, Any]) -> Any:
        items = self._eval_items(node.elts, scope)
        return items if not is_known(items) else list(dict.fromkeys(items))

    def _eval_items(self, elts: list[ast.expr], scope: dict[str, Any]) -> list[Any]:
        result: list[Any] = []
        for elt in elts:
            if isinstance(elt, ast.Starred):
                value = self.eval(elt.value, scope)
                if is_known(value) and isinstance(value, tuple | list):
                    result.extend(value)
                else:
                    result.append(Unknown("starred"))
            else:
                result.append(self.eval(elt, scope))
        return result

    def _eval_Dict(self, node: ast.Dict, scope: dict[str, Any]) -> Any:
        result: dict[Any, Any] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                inner = self.eval(value, scope)
                if isinstance(inner, dict):
                    result.update(inner)
                else:
                    return Unknown("dict unpacking")
                continue
            k = self.eval(key, scope)
            if not is_known(k):
                return Unknown("dict key")
            try:
                result[k] = self.eval(value, scope)
            except TypeError:
                return Unknown("dict key")
        return self._own(result)

    def _eval_BinOp(self, node: ast.BinOp, scope: dict[str, Any]) -> Any:
        left = self.eval(node.left, scope)
        right = self.eval(node.right, scope)
        func = _BINOPS.get(type(node.op))
        if func is None or not (is_known(left) and is_known(right)):
            return Unknown("operation")
        if not isinstance(left, _LITERAL_TYPES) or not isinstance(right, _LITERAL_TYPES):
            return Unknown("operation")
        if isinstance(left, str) and not is_plain(right):
            return Unknown("operation")  # "%s" % (construct,): its repr is not SQL
        try:
            return func(left, right)
        except Exception:  # the user's own arithmetic error: unknown, not a crash
            return Unknown("operation")

    def _eval_UnaryOp(self, node: ast.UnaryOp, scope: dict[str, Any]) -> Any:
        value = self.eval(node.operand, scope)
        if isinstance(value, CONDITIONS) and isinstance(node.op, ast.Not):
            return negate(value)
        if not is_known(value) or isinstance(value, HostObject | SACall | ModuleRef | StateNames):
            return Unknown("operation")
        if isinstance(value, CONDITIONS):
            return Unknown("operation")
        if isinstance(node.op, ast.Not):
            return not value
        if isinstance(node.op, ast.USub) and isinstance(value, int | float):
            return -value
        return Unknown("operation")

    def _eval_BoolOp(self, node: ast.BoolOp, scope: dict[str, Any]) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = None
        pending: list[Condition] = []
        for sub in node.values:
            value = self.eval(sub, scope)
            if isinstance(value, CONDITIONS):
                pending.append(value)  # only its truth can be combined
                continue
            if not is_known(value) or isinstance(value, HostObject | SACall | ModuleRef):
                return Unknown("condition")
            if isinstance(value, StateNames):
                return Unknown("condition")
            if bool(value) != is_and:
                if pending and not isinstance(value, bool):
                    return Unknown("condition")  # the value depends on the condition
                return value
        if pending:
            return _all(pending) if is_and else _any(pending)
        return value

    def _eval_Compare(self, node: ast.Compare, scope: dict[str, Any]) -> Any:
        left = self.eval(node.left, scope)
        if len(node.ops) == 1:
            return _compare_pair(node.ops[0], left, self.eval(node.comparators[0], scope))
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator, scope)
            result = _compare_pair(op, left, right)
            if result is not True:
                return result if result is False else Unknown("comparison")
            left = right
        return True

    def _eval_IfExp(self, node: ast.IfExp, scope: dict[str, Any]) -> Any:
        test = self.eval(node.test, scope)
        if not is_known(test) or isinstance(test, HostObject | SACall | ModuleRef):
            return Unknown("conditional expression")
        return self.eval(node.body if test else node.orelse, scope)

    def _eval_Subscript(self, node: ast.Subscript, scope: dict[str, Any]) -> Any:
        container = self.eval(node.value, scope)
        if isinstance(node.slice, ast.Slice):
            parts = [
                self.eval(p, scope) if p is not None else None
                for p in (node.slice.lower, node.slice.upper, node.slice.step)
            ]
            if (
                is_known(container)
                and isinstance(container, str | list | tuple)
                and is_known(parts)
            ):
                return container[slice(*parts)]
            return Unknown("slice")
        key = self.eval(node.slice, scope)
        if is_known(container) and is_known(key) and isinstance(container, _LITERAL_TYPES):
            try:
                return container[key]  # type: ignore[index]
            except (KeyError, IndexError, TypeError):
                return Unknown("subscript")
        return Unknown("subscript")

    def _eval_Attribute(self, node: ast.Attribute, scope: dict[str, Any]) -> Any:
        value = self.eval(node.value, scope)
        if isinstance(value, ModuleRef):
            return self.host.imported(f"{value.dotted}.{node.attr}")
        if isinstance(value, HostObject):
            return self.host.attribute(value, node.attr)
        if node.attr == "create_all" and _a_metadata(node.value, value):
            # `Base.metadata.create_all` where `Base = declarative_base()` was evaluated
            return self.host.imported(f"{ast.unparse(node.value)}.create_all")
        mutating = node.attr in _MUTATING_METHODS.get(type(value), ())
        if mutating and self.owned.get(id(value)) is not value:
            return Unknown(f"attribute {node.attr} of a value this function did not build")
        if isinstance(value, str | dict | list | tuple) and (
            node.attr in _STR_METHODS or node.attr in _COLLECTION_METHODS or mutating
        ):
            return HostObject("method", (value, node.attr))
        return Unknown(f"attribute {node.attr}")

    def _eval_ListComp(self, node: ast.ListComp, scope: dict[str, Any]) -> Any:
        return self._comprehension(node, scope)

    def _eval_GeneratorExp(self, node: ast.GeneratorExp, scope: dict[str, Any]) -> Any:
        return self._comprehension(node, scope)

    def _eval_SetComp(self, node: ast.SetComp, scope: dict[str, Any]) -> Any:
        items = self._comprehension(node, scope)
        return list(dict.fromkeys(items)) if isinstance(items, list) and is_known(items) else items

    def _comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: dict[str, Any]
    ) -> Any:
        names = self._state_names(node, scope)
        if names is not None:
            return names
        inner = dict(scope)
        results: list[Any] = []

        def walk(generators: list[ast.comprehension]) -> Iterator[None]:
            if not generators:
                yield
                return
            first, rest = generators[0], generators[1:]
            iterable = self.eval(first.iter, inner)
            if not is_known(iterable) or not isinstance(iterable, tuple | list | dict | str):
                raise _Stop
            for item in iterable:
                self._assign(first.target, item, inner)
                if all(self.eval(cond, inner) is True for cond in first.ifs):
                    yield from walk(rest)

        try:
            for _ in walk(node.generators):
                results.append(self.eval(node.elt, inner))
        except _Stop:
            return Unknown("comprehension")
        return results

    def _state_names(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, scope: dict[str, Any]
    ) -> StateNames | None:
        """``[c["name"] for c in inspector.get_columns("t")]``: the names of those rows."""
        if len(node.generators) != 1 or node.generators[0].ifs:
            return None
        generator = node.generators[0]
        source = generator.iter
        reads = isinstance(source, ast.Name) or (
            isinstance(source, ast.Call)
            and isinstance(source.func, ast.Attribute)
            and source.func.attr in _INSPECTOR_ROWS
        )  # evaluated twice when not rows: only where that has no effect
        if not (isinstance(generator.target, ast.Name) and reads):
            return None
        element, target = node.elt, generator.target.id
        if not (
            isinstance(element, ast.Subscript)
            and isinstance(element.value, ast.Name)
            and element.value.id == target
            and isinstance(element.slice, ast.Constant)
            and element.slice.value == "name"
        ):
            return None
        rows = self.eval(generator.iter, scope)
        if isinstance(rows, StateRows):
            return StateNames(rows.kind, rows.table, rows.schema)
        return None

    def _eval_Call(self, node: ast.Call, scope: dict[str, Any]) -> Any:
        func = self.eval(node.func, scope)
        args: list[Any] = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                value = self.eval(arg.value, scope)
                if is_known(value) and isinstance(value, tuple | list):
                    args.extend(value)
                else:
                    args.append(Unknown("starred argument"))
            else:
                args.append(self.eval(arg, scope))
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            value = self.eval(keyword.value, scope)
            if keyword.arg is None:
                if isinstance(value, dict):
                    kwargs.update(value)
                else:
                    kwargs["**"] = Unknown("keyword unpacking")
            else:
                kwargs[keyword.arg] = value
        if isinstance(func, LocalFunction):
            return self._call_local(func, args, kwargs, node)
        if isinstance(func, ModuleRef):
            return _module_call(func.dotted, args, kwargs, node)
        if isinstance(func, HostObject):
            if func.kind == "builtin":
                if func.data in _COPIES and len(args) == 1 and isinstance(args[0], StateNames):
                    return args[0]
                if func.data == "isinstance" and any(isinstance(a, HostObject) for a in args):
                    return self.host.call(HostObject("isinstance"), args, kwargs, node)
                return self._own(_builtin_call(func.data, args, kwargs))
            if func.kind == "method":
                return _method_call(func.data, args, kwargs)
            return self.host.call(func, args, kwargs, node)
        if isinstance(func, SACall):
            return SACall(f"{func.name}()", tuple(args), kwargs, node)
        return Unknown("call")


_TRUE = AllOf(())
"""The condition that always holds (an empty conjunction)."""
_COPIES = frozenset({"set", "list", "tuple", "sorted", "frozenset"})
_INSPECTOR_ROWS = frozenset(
    {
        "get_columns",
        "get_indexes",
        "get_unique_constraints",
        "get_foreign_keys",
        "get_check_constraints",
    }
)
_OP_SYMBOLS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}


def negate(condition: Condition) -> Condition:
    return condition.operand if isinstance(condition, Negation) else Negation(condition)


def _all(conditions: Sequence[Condition]) -> Condition:
    flat: list[Condition] = []
    for condition in conditions:
        flat.extend(condition.operands if isinstance(condition, AllOf) else (condition,))
    unique = list(dict.fromkeys(flat))
    return unique[0] if len(unique) == 1 else AllOf(tuple(unique))


def _any(conditions: Sequence[Condition]) -> Condition:
    if any(c == _TRUE for c in conditions):
        return _TRUE
    unique = list(dict.fromkeys(conditions))
    return unique[0] if len(unique) == 1 else AnyOf(tuple(unique))


def _result(returns: list[tuple[Condition | None, Any]]) -> Any:
    """A function's value from its results on each path (guards relative to its call)."""
    if len(returns) == 1:
        return returns[0][1]
    values = [value for _, value in returns]
    if all(_same(value, values[0]) for value in values[1:]):
        return values[0]
    if all(isinstance(value, (bool, *CONDITIONS)) for value in values):
        holds = [
            _all([guard or _TRUE, *([value] if isinstance(value, CONDITIONS) else [])])
            for guard, value in returns
            if value is not False
        ]
        return _any(holds) if holds else False
    return Unknown("the result depends on the database")


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b) or isinstance(a, Unknown):
        return False
    try:
        return bool(a == b)
    except Exception:  # an odd value's comparison: treat as different
        return False


def _is_literal(value: Any) -> bool:
    return isinstance(value, _LITERAL_TYPES) and is_known(value)


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(value)
    return value


def _compare_pair(op: ast.cmpop, left: Any, right: Any) -> Any:
    """``left <op> right``: a bool, an :class:`Exists` for names the database holds, or
    :class:`Unknown`."""
    if isinstance(right, PartialText) and isinstance(op, ast.In | ast.NotIn):
        found = right.contains(left) if isinstance(left, str) else None
        if found is None:
            return Unknown("comparison")
        return found if isinstance(op, ast.In) else not found
    if isinstance(right, StateNames) and isinstance(op, ast.In | ast.NotIn):
        if not isinstance(left, str):
            return Unknown("comparison")
        if right.kind == "table":
            exists = Exists("table", left, right.schema)
        else:
            exists = Exists(right.kind, right.table, right.schema, left)
        return exists if isinstance(op, ast.In) else Negation(exists)
    for side in (left, right):
        if not is_known(side) or isinstance(
            side,
            HostObject | SACall | ModuleRef | StateNames | StateRows | LocalFunction | PartialText,
        ):
            return Unknown("comparison")
        if isinstance(side, CONDITIONS):
            return Unknown("comparison")
    try:
        return bool(_COMPARE[type(op)](left, right))
    except TypeError:
        return Unknown("comparison")


def _always_raises(body: Sequence[ast.stmt]) -> bool:
    return any(isinstance(stmt, ast.Raise) for stmt in body)


def _index_of(frames: list[_Frame], frame: _Frame) -> int:
    for i, candidate in enumerate(frames):
        if candidate is frame:
            return i
    return -1


def _header(stmt: ast.stmt) -> str:
    if isinstance(stmt, ast.For):
        return f"for {ast.unparse(stmt.target)} in {ast.unparse(stmt.iter)}"
    if isinstance(stmt, ast.While):
        return f"while {ast.unparse(stmt.test)}"
    if isinstance(stmt, ast.If):
        return f"if {ast.unparse(stmt.test)}"
    return type(stmt).__name__.lower()


def _is_library(dotted: str) -> bool:
    """A call into the standard library or SQLAlchemy/Alembic cannot hide operations."""
    top = dotted.split(".", 1)[0]
    return bool(top) and (top in MIGRATION_LIBRARIES or top in sys.stdlib_module_names)


def _may_leave(body: Sequence[ast.stmt], *, in_loop: bool) -> bool:
    """Whether ``body`` may return or raise (or break/continue an enclosing loop)."""
    for stmt in body:
        if isinstance(stmt, ast.Return | ast.Raise):
            return True
        if isinstance(stmt, ast.Break | ast.Continue) and not in_loop:
            return True
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        inner_loop = in_loop or isinstance(stmt, ast.For | ast.While | ast.AsyncFor)
        for field_name in ("body", "orelse", "finalbody", "handlers"):
            children = getattr(stmt, field_name, None)
            if (
                isinstance(children, list)
                and children
                and _may_leave(
                    [c for c in children if isinstance(c, ast.stmt)]
                    + [s for h in children if isinstance(h, ast.ExceptHandler) for s in h.body],
                    in_loop=inner_loop,
                )
            ):
                return True
    return False


def _dispatch(prefix: str) -> dict[type, Callable[..., Any]]:
    """Handlers by node type, looked up once instead of by name on every node."""
    table: dict[type, Callable[..., Any]] = {}
    for attribute in dir(Evaluator):
        if attribute.startswith(prefix):
            node_type = getattr(ast, attribute[len(prefix) :], None)
            if isinstance(node_type, type):
                table[node_type] = getattr(Evaluator, attribute)
    return table


_EXEC = _dispatch("_exec_")
_EVAL = _dispatch("_eval_")


def _builtin_call(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if not is_known(args) or not is_known(kwargs):
        return Unknown(f"{name}()")
    if name == "str" and not is_plain(args):
        return Unknown(f"{name}()")
    try:
        return _BUILTINS[name](*args, **kwargs)
    except Exception:  # the user's own error: unknown, not a crash
        return Unknown(f"{name}()")


def _method_call(data: tuple[Any, str], args: list[Any], kwargs: dict[str, Any]) -> Any:
    value, name = data
    if not is_known(args) or not is_known(kwargs) or not is_known(value):
        return Unknown(f".{name}()")
    if isinstance(value, str) and not (is_plain(args) and is_plain(kwargs)):
        return Unknown(f".{name}()")  # text built from something else than plain values
    try:
        result = getattr(value, name)(*args, **kwargs)
    except Exception:  # the user's own error: unknown, not a crash
        return Unknown(f".{name}()")
    if name in {"items", "keys", "values"}:
        return list(result)
    return result


def _module_call(dotted: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call) -> Any:
    pure = _PURE_LIBRARY.get(dotted)
    if pure is not None:
        if not (is_known(args) and is_known(kwargs)) or not all(isinstance(a, str) for a in args):
            return Unknown(f"call of {dotted}")
        try:
            return pure(*args, **kwargs)
        except Exception:  # the user's own error: unknown, not a crash
            return Unknown(f"call of {dotted}")
    parts = dotted.split(".")
    if parts[0] not in {"sqlalchemy", "sa", "alembic"} and not dotted.startswith("sqlalchemy"):
        return Unknown(f"call of {dotted}")
    name = parts[-1]
    if name == "conv" or (len(parts) >= 2 and parts[-2:] == ["op", "f"]):
        return FinalName(args[0]) if args and isinstance(args[0], str) else Unknown("conv")
    if name in {"text", "literal_column"} and args and isinstance(args[0], str):
        return SQLText(args[0])
    if name in {"column"} and args and isinstance(args[0], str):
        return SQLText(args[0])
    if "func" in parts[:-1]:
        rendered = [render_sql(a) for a in args]
        if all(r is not None for r in rendered):
            return SQLText(f"{name}({', '.join(r for r in rendered if r is not None)})")
        return Unknown(f"func.{name}")
    if name in {"desc", "asc"} and len(args) == 1:
        inner = render_sql(args[0])
        return SQLText(f"{inner} {name.upper()}") if inner is not None else Unknown(name)
    return SACall(name, tuple(args), kwargs, node)


def render_sql(value: Any) -> str | None:
    """SQL text for an index item or function argument, when knowable."""
    if isinstance(value, SQLText):
        return value.sql
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _a_metadata(node: ast.expr, value: Any) -> bool:
    """``X.metadata`` or a ``MetaData(...)`` value: what ``create_all`` is called on."""
    if isinstance(value, SACall) and value.name == "MetaData":
        return True
    return isinstance(node, ast.Attribute) and node.attr == "metadata"
