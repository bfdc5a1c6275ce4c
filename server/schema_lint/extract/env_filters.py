"""What a project keeps out of autogenerate on purpose: its ``env.py`` filters and
``[alembic:exclude]``, read statically into :class:`ObjectFilter` facts.

``include_object(object, name, type_, reflected, compare_to)`` and ``include_name(name,
type_, parent_names)`` (the functions given to ``context.configure``, else functions of
those names) are read where decidable: a test that leads to ``return False`` (or a ``return
<test>`` / ``return not <test>``) made of

- ``type_ == "index"``, ``type_ in ("index", "unique_constraint")`` (the kind);
- ``name == "x"``, ``name in {"x", "y"}``, ``name.startswith("x")``,
  ``name.endswith("x")``, ``re.match(r"literal_prefix", name)``, and the same on
  ``object.table.name`` / ``parent_names["table_name"]`` (the table);
- ``reflected and compare_to is None`` (an object only the database has): read as "every
  object of the kind the rest of the test names", which silences more than autogenerate
  does (the model's side too) — precision first;
- ``and``, ``or``, ``not`` of those.

Anything else (``object.info.get(...)``, a call into the project, a comparison on a column's
type) cannot be decided. Where such a test is combined with a known kind, the filter keeps
that whole kind out (silence rather than a guess); where no kind is known, the function is
reported once as unreadable and nothing is excluded for it (excluding every object of
every kind would silence the project).

``[alembic:exclude]`` in ``alembic.ini`` (the cookbook's convention, read by the project's
``env.py``): ``tables = a b*``, ``indexes = ...``, ``columns = ...`` (space or comma
separated globs).
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass

from schema_lint.facts.environment import ObjectFilter
from schema_lint.facts.source import Span

_KINDS = frozenset(
    {"table", "column", "index", "unique_constraint", "foreign_key_constraint", "schema"}
)
_INI_KEYS = {
    "tables": "table",
    "table": "table",
    "indexes": "index",
    "index": "index",
    "columns": "column",
    "column": "column",
}
_FUNCTIONS = ("include_object", "include_name")


@dataclass(frozen=True, slots=True)
class _Term:
    """One conjunction: the kinds it is limited to (None: any), a name glob, a table glob."""

    kinds: frozenset[str] | None = None
    names: tuple[str, ...] | None = None
    tables: tuple[str, ...] | None = None
    unknown: bool = False
    """Part of the conjunction could not be read."""
    reflected: bool | None = None
    """``reflected`` (True) or ``not reflected`` (False) is part of the conjunction."""


class _Unreadable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class FilterReading:
    filters: tuple[ObjectFilter, ...]
    unreadable: tuple[tuple[str, int], ...]
    """(function name, line) of each filter function that could not be read."""


def env_filters(tree: ast.Module, path: str = "env.py") -> FilterReading:
    """The filters of ``env.py`` (parsed as ``tree``, read from ``path``)."""
    functions = {
        node.name: node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    chosen: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _attr_name(node.func) == "configure":
            for keyword in node.keywords:
                if keyword.arg in _FUNCTIONS and isinstance(keyword.value, ast.Name):
                    found = functions.get(keyword.value.id)
                    if found is not None:
                        chosen[keyword.arg] = found
    for name in _FUNCTIONS:
        if name not in chosen and name in functions:
            chosen[name] = functions[name]
    filters: list[ObjectFilter] = []
    unreadable: list[tuple[str, int]] = []
    for role, function in chosen.items():
        reason = f"{role} in env.py line {function.lineno}"
        span = Span(path, function.lineno, function.col_offset, function.lineno, 0)
        try:
            terms = _excluding_terms(function, role)
        except _Unreadable:
            unreadable.append((role, function.lineno))
            continue
        for term in terms:
            if term.unknown and term.kinds is None:
                unreadable.append((role, function.lineno))
                continue
            filters.extend(_filters(term, reason, span))
    return FilterReading(tuple(dict.fromkeys(filters)), tuple(dict.fromkeys(unreadable)))


def ini_filters(
    text: str, path: str = "alembic.ini", section: str = "alembic:exclude"
) -> tuple[ObjectFilter, ...]:
    """``[alembic:exclude]`` of an ``alembic.ini``'s text (read from ``path``)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return ()
    if not parser.has_section(section):
        return ()
    filters: list[ObjectFilter] = []
    line = next(
        (i for i, text_line in enumerate(text.splitlines(), 1) if f"[{section}]" in text_line), 1
    )
    for key, value in parser.items(section):
        kind = _INI_KEYS.get(key.strip().lower())
        if kind is None:
            continue
        for glob in re.split(r"[\s,]+", value.strip()):
            if glob:
                table, _, name = glob.rpartition(".") if kind != "table" else ("", "", glob)
                reason = f"[{section}] {key} in alembic.ini"
                span = Span(path, line, 0, line, 0)
                filters.append(ObjectFilter(kind, name, table or None, reason, span))
    return tuple(filters)


def _filters(term: _Term, reason: str, span: Span) -> list[ObjectFilter]:
    kinds = sorted(term.kinds) if term.kinds is not None else [None]
    # a part that cannot be read only narrows what the rest selects: keep the rest
    names = term.names if term.names is not None else ("*",)
    tables = term.tables if term.tables is not None else (None,)
    return [
        ObjectFilter(kind, name, table, reason, span, term.reflected)
        for kind in kinds
        for name in names
        for table in tables
    ]


def _attr_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    return None


def _excluding_terms(function: ast.FunctionDef | ast.AsyncFunctionDef, role: str) -> list[_Term]:
    """The conjunctions under which ``function`` returns False (excludes the object)."""
    params = [a.arg for a in function.args.args]
    names = dict(zip(_PARAMETERS[role], params, strict=False))
    reader = _Reader(names)
    terms: list[_Term] = []
    for path, value in _returns(function.body, []):
        alternatives = _falsy(value, reader)
        for test in path:
            part = reader.negated(test.test) if test.negated else reader.terms(test.test)
            alternatives = [m for a in alternatives for b in part if (m := _and([a, b]))]
        terms.extend(alternatives)
    return terms


_PARAMETERS = {
    "include_object": ("object", "name", "type_", "reflected", "compare_to"),
    "include_name": ("name", "type_", "parent_names"),
}


def _returns(
    body: list[ast.stmt], path: list[_Test], *, top: bool = True
) -> list[tuple[list[_Test], ast.expr | None]]:
    """Each ``return`` with the conditions that lead to it, for bodies of ``if``/``return``
    only (a docstring and ``pass`` aside)."""
    found: list[tuple[list[_Test], ast.expr | None]] = []
    for stmt in body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Return):
            found.append((path, stmt.value))
            return found
        if isinstance(stmt, ast.If):
            inner = _returns(stmt.body, [*path, _Test(stmt.test)], top=False)
            found.extend(inner)
            rest = [*path, _Test(stmt.test, negated=True)]
            if stmt.orelse:
                found.extend(_returns(stmt.orelse, rest, top=False))
            elif isinstance(stmt.body[-1], ast.Return) and not all(
                _excludes(value) for _, value in inner
            ):
                path = rest  # what follows runs only when the test failed
            # (a body that only excludes: A or (not A and B) excludes what A or B does; one
            # that may fall through: what follows may run either way, read as such)
            continue
        raise _Unreadable
    if top:
        found.append((path, None))  # falling off the function's end returns None: excluded
    return found


def _excludes(value: ast.expr | None) -> bool:
    return value is None or (isinstance(value, ast.Constant) and not value.value)


@dataclass(frozen=True, slots=True)
class _Test:
    test: ast.expr
    negated: bool = False


class _Reader:
    def __init__(self, names: dict[str, str]) -> None:
        self.names = names

    def param(self, node: ast.expr, role: str) -> bool:
        return isinstance(node, ast.Name) and self.names.get(role) == node.id

    def table_of(self, node: ast.expr) -> bool:
        """``object.table.name`` or ``parent_names["table_name"]``."""
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "name"
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "table"
            and self.param(node.value.value, "object")
        ):
            return True
        return (
            isinstance(node, ast.Subscript)
            and self.param(node.value, "parent_names")
            and isinstance(node.slice, ast.Constant)
            and node.slice.value == "table_name"
        )

    def terms(self, node: ast.expr) -> list[_Term]:
        """``node`` as a disjunction of conjunctions (each a :class:`_Term`)."""
        if isinstance(node, ast.BoolOp):
            parts = [self.terms(v) for v in node.values]
            if isinstance(node.op, ast.Or):
                return [t for part in parts for t in part]
            result: list[_Term] = [_Term()]
            for part in parts:
                result = [m for a in result for b in part if (m := _and([a, b])) is not None]
            return result
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.negated(node.operand)
        atom = self.atom(node)
        return [atom]

    def negated(self, node: ast.expr) -> list[_Term]:
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self.terms(node.operand)
        if self.param(node, "reflected"):
            return [_Term(reflected=False)]  # what the models declare (prefect)
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            flipped = {ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In}
            op = flipped.get(type(node.ops[0]))
            if op is not None:
                return self.terms(ast.Compare(node.left, [op()], node.comparators))
        return [_Term(unknown=True)]  # the complement of a pattern is not a glob

    def atom(self, node: ast.expr) -> _Term:
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            left, op, right = node.left, node.ops[0], node.comparators[0]
            values = _strings(right)
            if values is not None and isinstance(op, ast.Eq | ast.In):
                if isinstance(op, ast.Eq) and len(values) != 1:
                    return _Term(unknown=True)
                if self.param(left, "type_"):
                    return _Term(kinds=frozenset(values) & _KINDS)
                if self.param(left, "name"):
                    return _Term(names=tuple(_escape(v) for v in values))
                if self.table_of(left):
                    return _Term(tables=tuple(_escape(v) for v in values))
            none = isinstance(right, ast.Constant) and right.value is None
            if isinstance(op, ast.Is) and self.param(left, "compare_to") and none:
                return _Term()  # with `reflected`: see the module's docstring
        if self.param(node, "reflected"):
            return _Term(reflected=True)
        if _any_of(node):  # any([name.endswith(s) for s in {"asc", "desc"}])
            assert isinstance(node, ast.Call)
            inner = node.args[0]
            assert isinstance(inner, ast.ListComp | ast.GeneratorExp | ast.SetComp)
            loop = inner.generators[0]
            values = _strings(loop.iter)
            elt = inner.elt
            if (
                values
                and isinstance(loop.target, ast.Name)
                and isinstance(elt, ast.Call)
                and isinstance(elt.func, ast.Attribute)
                and elt.func.attr in {"startswith", "endswith"}
                and len(elt.args) == 1
                and isinstance(elt.args[0], ast.Name)
                and elt.args[0].id == loop.target.id
            ):
                call = ast.Call(elt.func, [ast.Tuple([ast.Constant(v) for v in values])], [])
                return self.atom(call)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, target = node.func.attr, node.func.value
            args = [_strings(a) for a in node.args]
            if method in {"startswith", "endswith"} and len(args) == 1 and args[0]:
                globs = tuple(
                    f"{_escape(v)}*" if method == "startswith" else f"*{_escape(v)}"
                    for v in args[0]
                )
                if self.param(target, "name"):
                    return _Term(names=globs)
                if self.table_of(target):
                    return _Term(tables=globs)
            regex = method in {"match", "search", "fullmatch"} and _attr_name(target) == "re"
            if regex and len(node.args) == 2 and self.param(node.args[1], "name"):
                glob = _regex_glob(node.args[0], method)
                if glob is not None:
                    return _Term(names=(glob,))
        return _Term(unknown=True)


def _any_of(node: ast.expr) -> bool:
    """``any(<one comprehension over one loop without conditions>)``."""
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "any"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.ListComp | ast.GeneratorExp | ast.SetComp)
        and len(node.args[0].generators) == 1
        and not node.args[0].generators[0].ifs
    )


def _falsy(value: ast.expr | None, reader: _Reader) -> list[_Term]:
    """When ``return value`` excludes the object: always (False, None), never (True), or
    under the returned test's negation."""
    if value is None:
        return [_Term()]
    if isinstance(value, ast.Constant):
        return [] if value.value else [_Term()]
    return reader.negated(value)


def _and(terms: list[_Term]) -> _Term | None:
    """The conjunction of ``terms``, None when it can never hold (two different kinds)."""
    result = _Term()
    for item in terms:
        kinds = result.kinds
        if item.kinds is not None:
            kinds = item.kinds if kinds is None else kinds & item.kinds
            if not kinds:
                return None
        names = result.names if item.names is None else item.names
        if result.names is not None and item.names is not None:
            names = tuple(n for n in item.names if n in result.names) or item.names
        tables = result.tables if item.tables is None else item.tables
        reflected = result.reflected if item.reflected is None else item.reflected
        if None not in (result.reflected, item.reflected) and result.reflected != item.reflected:
            return None  # reflected and not reflected
        result = _Term(kinds, names, tables, result.unknown or item.unknown, reflected)
    return result


def _strings(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
    ):
        return [e.value for e in node.elts]  # type: ignore[attr-defined]
    return None


def _escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _regex_glob(node: ast.expr, method: str) -> str | None:
    """A glob for a regular expression made of literal text and ``.*`` (``^ix_``,
    ``.*_case_insensitive$``, ``trgm_.*_idx``); None for anything else."""
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return None
    pattern = node.value
    anchored_start = method in {"match", "fullmatch"} or pattern.startswith("^")
    pattern = pattern.removeprefix("^")
    anchored_end = method == "fullmatch" or (pattern.endswith("$") and not pattern.endswith("\\$"))
    pattern = pattern.removesuffix("$") if pattern.endswith("$") and anchored_end else pattern
    parts: list[str] = []
    for part in re.split(r"(?<!\\)\.\*", pattern):
        if re.search(r"(?<!\\)[.^$*+?{}\[\]|()]", part):
            return None
        parts.append(_escape(re.sub(r"\\(.)", r"\1", part)))
    glob = "*".join(parts)
    glob = f"{'' if anchored_start else '*'}{glob}{'' if anchored_end else '*'}"
    return re.sub(r"\*+", "*", glob)
