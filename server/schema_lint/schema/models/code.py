"""Evaluates :class:`~schema_lint.facts.models.Code` for a class, exactly or not at all.

A name computed from ``cls.__name__`` (``.lower()``, regular expressions, a project helper
such as ``resolve_table_name(cls.__name__)``), a ``declared_attr`` that returns a column only
``if cls.allow_emails``, a table name imported as a constant from another module: each is
evaluated here with the values the class and the modules really hold. Only plain values are
computed (strings, numbers, tuples, lists and sets of them, members of the project's
enumerations); a name, attribute or call that cannot be known makes the result
:class:`Unknown`, never a guess. The work is bounded (steps, string sizes, call depth).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from schema_lint.facts.models import ClassDecl, Code, ConstDecl, FunctionDecl, Name, Template
from schema_lint.schema.models.hierarchy import ClassNode
from schema_lint.schema.models.symbols import Env, Lib, Local, Project

_MAX_STEPS = 20_000
_MAX_SIZE = 10_000
_MAX_CALLS = 16


class Unknown:
    """A value that cannot be known statically."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


@dataclass(frozen=True, slots=True)
class Result:
    """The i-th construct a ``declared_attr`` returns (see ``Code`` ``result``)."""

    index: int


@dataclass(frozen=True, slots=True, eq=False)
class Member:
    """An attribute of a project enumeration (``RenderMode.markdown``)."""

    owner: ClassDecl
    name: str
    value: Any


@dataclass(frozen=True, slots=True, eq=False)
class _Class:
    env: Env
    decl: ClassDecl


@dataclass(frozen=True, slots=True, eq=False)
class _Function:
    env: Env
    decl: FunctionDecl


@dataclass(frozen=True, slots=True, eq=False)
class _Module:
    env: Env


@dataclass(frozen=True, slots=True, eq=False)
class _Callable:
    """A function of Python itself: a builtin, one of ``re``, a method of a value."""

    function: Callable[..., Any]
    name: str = ""


@dataclass(frozen=True, slots=True)
class ClassView:
    """What ``cls`` is: the class being mapped, and its table name when known."""

    node: ClassNode
    tablename: str | None = None


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


_RE = object()
_RE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "sub": re.sub,
    "split": re.split,
    "findall": re.findall,
    "escape": re.escape,
}
_PATTERN_METHODS = frozenset({"sub", "split", "findall"})
_REGEX = frozenset({*_PATTERN_METHODS, "compile", "escape"})
_MAX_REGEX_INPUT = 256
"""Class names are short: a longer input is not worth a possibly slow regular expression."""
_STR_METHODS = frozenset(
    {
        "lower",
        "upper",
        "title",
        "capitalize",
        "casefold",
        "swapcase",
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "split",
        "rsplit",
        "join",
        "startswith",
        "endswith",
        "removeprefix",
        "removesuffix",
        "isupper",
        "islower",
        "isdigit",
        "isalpha",
        "isalnum",
        "count",
        "find",
        "format",
        "zfill",
    }
)
_SEQUENCE_METHODS = frozenset({"count", "index"})
_LIST_MUTATORS = frozenset({"append", "extend", "insert"})
_MEMBER_SAFE = frozenset({"len", "list", "tuple", "set", "frozenset", "reversed", *_LIST_MUTATORS})
"""Functions that never compare or convert the members given to them."""
_LIBRARY_ATTRIBUTES = frozenset(
    {"metadata", "registry", "query", "query_class", "model_config", "model_fields"}
)
"""Class attributes that SQLAlchemy, Flask-SQLAlchemy or SQLModel bases define."""
_BUILTINS: dict[str, Callable[..., Any]] = {
    "len": len,
    "str": str,
    "int": int,
    "bool": bool,
    "list": list,
    "tuple": tuple,
    "sorted": sorted,
    "min": min,
    "max": max,
    "any": any,
    "all": all,
    "reversed": lambda x: list(reversed(x)),
    "enumerate": lambda x, start=0: list(enumerate(x, start)),
    "zip": lambda *a: list(zip(*a, strict=False)),
    "set": lambda *a: _set(list(*a)),
    "frozenset": lambda *a: _set(list(*a)),
}
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "%": operator.mod,
    "//": operator.floordiv,
}
_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_PLAIN = (str, int, float, bool, type(None))


class CodeEvaluator:
    """Evaluates code written in the project's modules (one per schema build)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._constants: dict[int, Any] = {}
        self._steps = 0
        self._calls = 0

    # --- entry points --------------------------------------------------------------------

    def name(self, value: Name, env: Env, cls: ClassView) -> str | None:
        """A name as evaluated for a class: None when none is given or it is unknown."""
        if value is None or isinstance(value, str):
            return value
        result = self.evaluate(value, env, cls)
        return result if isinstance(result, str) else None

    def evaluate(self, template: Template | Code, env: Env, cls: ClassView | None) -> Any:
        """The value of an expression, or what a ``block`` returns; :class:`Unknown` when it
        cannot be known."""
        code = template.code if isinstance(template, Template) else template
        self._steps = 0
        self._calls = 0
        try:
            if code.op == "block":
                return self._run_body(code, env, {}, cls)
            return self._value(code, env, {}, cls)
        except _Stop as stop:
            return Unknown(stop.reason)
        except RecursionError:
            return Unknown("too deeply nested")

    # --- statements ----------------------------------------------------------------------

    def _run_body(self, body: Code, env: Env, frame: dict[str, Any], cls: ClassView | None) -> Any:
        try:
            self._block(body, env, frame, cls)
        except _Return as returned:
            return returned.value
        return None

    def _block(self, block: Code, env: Env, frame: dict[str, Any], cls: ClassView | None) -> None:
        for statement in block.args:
            assert isinstance(statement, Code)
            self._statement(statement, env, frame, cls)

    def _statement(
        self, code: Code, env: Env, frame: dict[str, Any], cls: ClassView | None
    ) -> None:
        self._step()
        op, args = code.op, code.args
        if op == "return":
            raise _Return(self._value(_code(args[0]), env, frame, cls))
        if op == "assign":
            frame[_text(args[0])] = self._value(_code(args[1]), env, frame, cls)
        elif op == "block":
            self._block(code, env, frame, cls)
        elif op == "if":
            test = self._truth(self._value(_code(args[0]), env, frame, cls))
            if test is None:
                self._unknown_branch((_code(args[1]), _code(args[2])), frame, "a condition")
            else:
                self._block(_code(args[1] if test else args[2]), env, frame, cls)
        elif op == "for":
            self._for(code, env, frame, cls)
        elif op == "expr":
            value = self._value(_code(args[0]), env, frame, cls)
            if isinstance(value, Unknown):  # it may have changed the names it uses
                frame.update({_text(n): value for n in args[1:]})
        elif op == "forget":
            frame.update({_text(n): Unknown("assigned by code not read") for n in args})
        elif op == "raise":
            raise _Stop("it raises an exception")
        else:
            raise _Stop(f"statement {op}")

    def _for(self, code: Code, env: Env, frame: dict[str, Any], cls: ClassView | None) -> None:
        variable, body = _text(code.args[0]), _code(code.args[2])
        iterable = self._value(_code(code.args[1]), env, frame, cls)
        if not isinstance(iterable, str | list | tuple) or not _known(iterable):
            self._unknown_branch((body,), frame, "a loop", variable)
            return
        for item in list(iterable):
            frame[variable] = item
            self._block(body, env, frame, cls)

    def _unknown_branch(
        self, blocks: tuple[Code, ...], frame: dict[str, Any], what: str, *extra: str
    ) -> None:
        """Code that may or may not run: only harmless when it cannot leave the function;
        then every name it binds or uses is unknown afterwards."""
        names: set[str] = set(extra)
        for block in blocks:
            for sub in _walk(block):
                if sub.op in ("return", "raise"):
                    raise _Stop(f"{what} cannot be evaluated")
                if sub.op in ("assign", "for"):
                    names.add(_text(sub.args[0]))
                elif sub.op in ("expr", "forget"):
                    names.update(_text(a) for a in sub.args[1 if sub.op == "expr" else 0 :])
        frame.update({n: Unknown(f"set under {what} that cannot be evaluated") for n in names})

    # --- expressions ---------------------------------------------------------------------

    def _value(self, code: Code, env: Env, frame: dict[str, Any], cls: ClassView | None) -> Any:
        self._step()
        op, args = code.op, code.args
        if op == "const":
            return args[0]
        if op == "name":
            name = _text(args[0])
            return frame[name] if name in frame else self._global(env, name)
        if op == "cls":
            return self._class_attribute(cls, _text(args[0]))
        if op == "result":
            return Result(int(str(args[0])))
        if op == "unknown":
            return Unknown("an expression that is not read")
        values = [
            self._value(a, env, frame, cls) if isinstance(a, Code) else a
            for a in args
            if op not in ("comp", "and", "or", "ifexp")
        ]
        if op == "attr":
            return self._attribute(values[0], _text(values[1]))
        if op == "call":
            return self._call(values[0], values[1:])
        if op in ("tuple", "list"):
            return _sized(tuple(values) if op == "tuple" else list(values))
        if op == "set":
            return _set(values)
        if op == "fstr":
            return _format(values)
        if op == "binop":
            return _binop(_text(values[0]), values[1], values[2])
        if op == "cmp":
            return _compare(_text(values[0]), values[1], values[2])
        if op == "not":
            truth = self._truth(values[0])
            return Unknown("a condition") if truth is None else not truth
        if op in ("and", "or"):
            return self._bool(op, args, env, frame, cls)
        if op == "ifexp":
            test = self._truth(self._value(_code(args[0]), env, frame, cls))
            if test is None:
                return Unknown("a condition")
            return self._value(_code(args[1] if test else args[2]), env, frame, cls)
        if op == "comp":
            return self._comprehension(args, env, frame, cls)
        if op == "index":
            return _index(values[0], values[1])
        if op == "slice":
            return _slice(values[0], values[1:])
        return Unknown(f"expression {op}")

    def _bool(
        self,
        op: str,
        args: tuple[Any, ...],
        env: Env,
        frame: dict[str, Any],
        cls: ClassView | None,
    ) -> Any:
        value: Any = None
        for arg in args:
            value = self._value(_code(arg), env, frame, cls)
            truth = self._truth(value)
            if truth is None:
                return Unknown("a condition")
            if truth == (op == "or"):
                return value
        return value

    def _comprehension(
        self, args: tuple[Any, ...], env: Env, frame: dict[str, Any], cls: ClassView | None
    ) -> Any:
        element, variable, iterable_code, *conditions = args
        iterable = self._value(_code(iterable_code), env, frame, cls)
        if not isinstance(iterable, str | list | tuple | frozenset) or not _known(iterable):
            return Unknown("a comprehension over an unknown value")
        if isinstance(iterable, frozenset):
            return Unknown("a comprehension over a set")  # its order is not the source's
        inner = dict(frame)
        out: list[Any] = []
        for item in iterable:
            inner[_text(variable)] = item
            tests = [self._truth(self._value(_code(c), env, inner, cls)) for c in conditions]
            if any(t is None for t in tests):
                return Unknown("a condition")
            if all(tests):
                out.append(self._value(_code(element), env, inner, cls))
        return _sized(out)

    def _truth(self, value: Any) -> bool | None:
        """``bool(value)``; None when unknown (an enumeration member may define it)."""
        if isinstance(value, (*_PLAIN, list, tuple, frozenset)):
            return bool(value)  # a container's truth is its length, known even if items are not
        if isinstance(value, Result | re.Pattern):
            return True
        return None

    # --- names ---------------------------------------------------------------------------

    def _global(self, env: Env, name: str) -> Any:
        imported = env.imports.get(name)
        if imported is not None and imported.module == "re" and not imported.level:
            if imported.name is None:
                return _RE
            function = _RE_FUNCTIONS.get(imported.name)
            if function is not None:
                return _Callable(function, imported.name)
            if imported.name == "compile":
                return _Callable(_compile, "compile")
        symbol = self.project.lookup(env, name)
        if symbol is None:
            builtin = _BUILTINS.get(name)
            return _Callable(builtin, name=name) if builtin else Unknown(f"name {name}")
        return self._symbol(symbol, name)

    def _symbol(self, symbol: Any, written: str) -> Any:
        if isinstance(symbol, Env):
            return _Module(symbol)
        if isinstance(symbol, Local):
            decl = symbol.decl
            if isinstance(decl, ConstDecl):
                return self._constant(symbol.env, decl)
            if isinstance(decl, FunctionDecl):
                return _Function(symbol.env, decl)
            if isinstance(decl, ClassDecl):
                return _Class(symbol.env, decl)
        if isinstance(symbol, Lib) and symbol.name == "re":
            return _RE
        return Unknown(f"{written} cannot be read")

    def _constant(self, env: Env, decl: ConstDecl) -> Any:
        key = id(decl)
        if key not in self._constants:
            self._constants[key] = Unknown(f"{decl.name} refers to itself")
            self._constants[key] = self._value(decl.value, env, {}, None)
        return self._constants[key]

    def _class_attribute(self, cls: ClassView | None, name: str) -> Any:
        if cls is None:
            return Unknown("cls outside a class")
        if name == "__name__":
            return cls.node.decl.name
        if name == "__tablename__":
            if cls.tablename is None:
                return Unknown("the table name")
            return cls.tablename
        for base in cls.node.mro:
            if not isinstance(base, ClassNode):
                if name.startswith("_") or name in _LIBRARY_ATTRIBUTES:
                    return Unknown(f"cls.{name} may come from a library class")
                continue  # declarative bases define no attribute of the application's
            if name in base.decl.names:
                for constant in base.decl.constants:
                    if constant.name == name:
                        return self._constant(base.env, constant)
                return Unknown(f"cls.{name} is not a constant")
        return Unknown(f"cls.{name} is not defined in the project")

    def _attribute(self, target: Any, name: str) -> Any:
        if target is _RE:
            if name == "compile":
                return _Callable(_compile, "compile")
            function = _RE_FUNCTIONS.get(name)
            return _Callable(function, name) if function is not None else Unknown(f"re.{name}")
        if isinstance(target, _Module):
            symbol = self.project.resolve(target.env, (name,))
            return self._symbol(symbol, name)
        if isinstance(target, _Class):
            return self._class_member(target, name)
        if isinstance(target, re.Pattern) and name in _PATTERN_METHODS:
            return _Callable(getattr(target, name), name)
        if isinstance(target, str) and name in _STR_METHODS:
            return _Callable(getattr(target, name), name)
        if isinstance(target, list | tuple) and name in _SEQUENCE_METHODS:
            return _Callable(getattr(target, name), name)
        if isinstance(target, list) and name in _LIST_MUTATORS:
            return _Callable(getattr(target, name), name=name)
        if isinstance(target, Unknown):
            return target
        return Unknown(f"attribute {name}")

    def _class_member(self, target: _Class, name: str) -> Any:
        constant = next((c for c in target.decl.constants if c.name == name), None)
        if constant is None:
            return Unknown(f"{target.decl.name}.{name} is not a constant")
        value = self._constant(target.env, constant)
        if self._is_enum(target.env, target.decl, 0):
            return Member(target.decl, name, value)
        return value

    def _is_enum(self, env: Env, decl: ClassDecl, depth: int) -> bool:
        if depth > 8:
            return False
        for base in decl.bases:
            if base is None:
                continue
            symbol = self.project.resolve(env, base)
            if isinstance(symbol, Lib) and symbol.name.startswith("enum."):
                return True
            if (
                isinstance(symbol, Local)
                and isinstance(symbol.decl, ClassDecl)
                and self._is_enum(symbol.env, symbol.decl, depth + 1)
            ):
                return True
        return False

    # --- calls ---------------------------------------------------------------------------

    def _call(self, function: Any, args: list[Any]) -> Any:
        if isinstance(function, _Function):
            return self._call_function(function, args)
        if not isinstance(function, _Callable):
            if isinstance(function, Unknown):
                return function
            return Unknown("a call that is not read")
        if not all(_known(a) for a in args):
            return Unknown("a call with unknown arguments")
        members = any(isinstance(a, Member) for a in _flat(args))
        if members and function.name not in _MEMBER_SAFE:
            return Unknown("a call on enumeration members")  # it may compare them
        if function.name in _REGEX and any(
            isinstance(a, str) and len(a) > _MAX_REGEX_INPUT for a in args
        ):
            return Unknown("a regular expression on a long string")  # bounded time
        try:
            result = function.function(*args)
        except Exception:  # the project's own error (bad pattern, wrong type): unknown
            return Unknown("the call fails")
        if isinstance(result, set):
            result = frozenset(result)
        return _sized(result)

    def _call_function(self, function: _Function, args: list[Any]) -> Any:
        decl, params = function.decl, function.decl.params
        first_default = len(params) - len(decl.defaults)
        if self._calls >= _MAX_CALLS or not first_default <= len(args) <= len(params):
            return Unknown(f"a call of {decl.name}")
        frame = dict(zip(params, args, strict=False))
        for i in range(len(args), len(params)):
            frame[params[i]] = self._value(decl.defaults[i - first_default], function.env, {}, None)
        self._calls += 1
        try:
            return self._run_body(decl.body, function.env, frame, None)
        finally:
            self._calls -= 1

    def _step(self) -> None:
        self._steps += 1
        if self._steps > _MAX_STEPS:
            raise _Stop("too much to evaluate")


# --- values ------------------------------------------------------------------------------


def _code(value: Any) -> Code:
    assert isinstance(value, Code)
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _walk(code: Code) -> Iterator[Code]:
    yield code
    for arg in code.args:
        if isinstance(arg, Code):
            yield from _walk(arg)


def _flat(values: Any) -> Iterator[Any]:
    for value in values:
        if isinstance(value, list | tuple | frozenset):
            yield from _flat(value)
        else:
            yield value


def _known(value: Any) -> bool:
    if isinstance(value, list | tuple | frozenset):
        return all(_known(v) for v in value)
    return isinstance(value, (*_PLAIN, Member, re.Pattern))


def _sized(value: Any) -> Any:
    if isinstance(value, str | list | tuple | frozenset) and len(value) > _MAX_SIZE:
        return Unknown("a value too large")
    return value


def _compile(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return _compiled(pattern, flags)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str, flags: int) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _equal(a: Any, b: Any) -> bool | None:
    """Whether two values are equal: None when it depends on what members stand for."""
    if isinstance(a, Member) or isinstance(b, Member):
        if isinstance(a, Member) and isinstance(b, Member):
            if a.owner is b.owner and a.name == b.name:
                return True
            if a.owner is b.owner and _known(a.value) and _known(b.value):
                return False if a.value != b.value else None  # equal values are aliases
        return None
    if not (_known(a) and _known(b)):
        return None
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if type(a) is not type(b) or len(a) != len(b):
            return False
        results = [_equal(x, y) for x, y in zip(a, b, strict=True)]
        return None if None in results else all(results)
    return bool(a == b)


def _contains(container: Any, item: Any) -> bool | None:
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    if not isinstance(container, list | tuple | frozenset):
        return None
    results = [_equal(item, element) for element in container]
    if True in results:
        return True
    return None if None in results else False


def _compare(op: str, left: Any, right: Any) -> Any:
    if op in ("==", "!="):
        equal = _equal(left, right)
        if equal is None:
            return Unknown("a comparison")
        return equal if op == "==" else not equal
    if op in ("in", "not in"):
        inside = _contains(right, left)
        if inside is None:
            return Unknown("a membership test")
        return inside if op == "in" else not inside
    if op in ("is", "is not"):
        if left is None or right is None or isinstance(left, bool) or isinstance(right, bool):
            if not (_known(left) and _known(right)) or isinstance(left, Member):
                return Unknown("an identity test")
            same = left is right
            return same if op == "is" else not same
        return Unknown("an identity test")
    if not (isinstance(left, _PLAIN) and isinstance(right, _PLAIN)):
        return Unknown("a comparison")
    try:
        return _ORDER[op](left, right)
    except (TypeError, KeyError):
        return Unknown("a comparison")


def _binop(op: str, left: Any, right: Any) -> Any:
    if not (_known(left) and _known(right)) or any(
        isinstance(v, Member | re.Pattern) for v in (left, right)
    ):
        return Unknown("an operation")
    if op == "*" and any(isinstance(v, int) and v > _MAX_SIZE for v in (left, right)):
        return Unknown("a value too large")
    if op == "%" and isinstance(left, str):
        return Unknown("%-formatting")
    try:
        return _sized(_BINOPS[op](left, right))
    except Exception:  # the project's own error: unknown, not a crash
        return Unknown("an operation")


def _format(parts: list[Any]) -> Any:
    out: list[str] = []
    for part in parts:
        if not isinstance(part, _PLAIN):
            return Unknown("an f-string")
        out.append(str(part))
    return _sized("".join(out))


def _set(values: list[Any]) -> Any:
    unique: list[Any] = []
    for value in values:
        if not _known(value):
            return Unknown("a set of unknown values")
        matches = [_equal(value, u) for u in unique]
        if None in matches:
            return Unknown("a set whose members may be equal")
        if True not in matches:
            unique.append(value)
    if any(isinstance(u, Member) for u in unique):
        return tuple(unique)  # distinct members: order is irrelevant for len and `in`
    try:
        return frozenset(unique)
    except TypeError:
        return Unknown("a set of unhashable values")


def _index(target: Any, key: Any) -> Any:
    if isinstance(target, str | list | tuple) and isinstance(key, int) and _known(target):
        try:
            return target[key]
        except IndexError:
            return Unknown("an index out of range")
    return Unknown("an index")


def _slice(target: Any, bounds: list[Any]) -> Any:
    if not isinstance(target, str | list | tuple) or not _known(target):
        return Unknown("a slice")
    if not all(b is None or (isinstance(b, int) and not isinstance(b, bool)) for b in bounds):
        return Unknown("a slice")
    if bounds[2] == 0:
        return Unknown("a slice")
    return target[slice(*bounds)]
