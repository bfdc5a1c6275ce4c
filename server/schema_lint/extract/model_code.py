"""Expressions and small function bodies kept as :class:`~schema_lint.facts.models.Code`.

What a class's table is called, whether a ``declared_attr`` returns a column, the value of a
constant imported from another module: these are only known when the schema is built, for a
given class. The code is kept here in a small, plain form; anything outside that form makes
the whole piece unreadable (``None``), so that the evaluation is exact or does not happen.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Collection, Mapping

from schema_lint.facts.models import Code, Literal

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Mod: "%", ast.FloorDiv: "//"}
_CMPOPS = {
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
_MAX_DEPTH = 48
_MAX_FUNCTION_LINES = 25
PASS = Code("block")
NOT_A_COLUMN = Code("const", (True,))
"""What a ``declared_attr`` returning ``column_property(...)`` and the like evaluates to."""

Construct = Callable[[ast.expr], "Code | None"]
"""Reads a returned expression as a construct (a ``result``), or None when it is not one."""


class Unreadable(Exception):
    """The code is outside what :class:`Code` keeps."""


def const(value: Literal) -> Code:
    return Code("const", (value,))


_FOLDED_METHODS = frozenset({"lower", "upper", "title", "capitalize", "strip"})


def static(code: Code) -> Literal | Code:
    """A string built only from literals, folded; ``code`` itself otherwise."""
    if code.op == "const":
        return code.args[0] if not isinstance(code.args[0], Code) else code
    if code.op == "call" and len(code.args) == 1 and isinstance(code.args[0], Code):
        method = code.args[0]
        if method.op == "attr" and method.args[1] in _FOLDED_METHODS:
            target = static(method.args[0]) if isinstance(method.args[0], Code) else None
            if isinstance(target, str):
                return str(getattr(target, str(method.args[1]))())
        return code
    if code.op in ("fstr", "binop"):
        parts = code.args if code.op == "fstr" else code.args[1:]
        if code.op == "binop" and code.args[0] != "+":
            return code
        values = [static(p) if isinstance(p, Code) else p for p in parts]
        if all(isinstance(v, str) for v in values):
            return "".join(str(v) for v in values)
    return code


class CodeReader:
    """Reads expressions (and function bodies) written in one scope.

    ``cls`` is a ``declared_attr``'s class parameter (``cls.<attr>`` is evaluated for each
    class); ``known`` are string constants of a class body bound so far (used as literals)
    and ``hidden`` the other names that body bound so far (unreadable: a class body's names
    are not module names).
    """

    def __init__(
        self,
        cls: str | None = None,
        known: Mapping[str, str] | None = None,
        hidden: Collection[str] = (),
        construct: Construct | None = None,
    ) -> None:
        self.cls = cls
        self.known = known or {}
        self.hidden = hidden
        self.construct = construct

    # --- expressions ---------------------------------------------------------------------

    def read(self, node: ast.expr) -> Code | None:
        try:
            return self.expr(node, 0)
        except (Unreadable, RecursionError):
            return None

    def expr(self, node: ast.expr, depth: int) -> Code:
        if depth > _MAX_DEPTH:
            raise Unreadable
        depth += 1
        if isinstance(node, ast.Constant):
            value = node.value
            if value is None or isinstance(value, str | int | float | bool):
                return const(value)
            raise Unreadable
        if isinstance(node, ast.Name):
            if node.id == self.cls or node.id in self.hidden:
                raise Unreadable
            if node.id in self.known:
                return const(self.known[node.id])
            return Code("name", (node.id,))
        if isinstance(node, ast.Attribute):
            if isinstance(node.value, ast.Name) and node.value.id == self.cls:
                return Code("cls", (node.attr,))
            return Code("attr", (self.expr(node.value, depth), node.attr))
        if isinstance(node, ast.Call):
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                raise Unreadable
            args = tuple(self.expr(a, depth) for a in node.args)
            return Code("call", (self.expr(node.func, depth), *args))
        if isinstance(node, ast.JoinedStr):
            return Code("fstr", tuple(self._fstr_part(v, depth) for v in node.values))
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self.expr(node.left, depth), self.expr(node.right, depth)
            return Code("binop", (_BINOPS[type(node.op)], left, right))
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand, depth)
            if isinstance(node.op, ast.Not):
                return Code("not", (operand,))
            if isinstance(node.op, ast.USub):
                return Code("binop", ("-", const(0), operand))
            raise Unreadable
        if isinstance(node, ast.BoolOp):
            op = "and" if isinstance(node.op, ast.And) else "or"
            return Code(op, tuple(self.expr(v, depth) for v in node.values))
        if isinstance(node, ast.Compare):
            return self._compare(node, depth)
        if isinstance(node, ast.IfExp):
            parts = (node.test, node.body, node.orelse)
            return Code("ifexp", tuple(self.expr(p, depth) for p in parts))
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            if any(isinstance(e, ast.Starred) for e in node.elts):
                raise Unreadable
            kind = {ast.Tuple: "tuple", ast.List: "list", ast.Set: "set"}[type(node)]
            return Code(kind, tuple(self.expr(e, depth) for e in node.elts))
        if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
            return self._comprehension(node, depth)
        if isinstance(node, ast.Subscript):
            target = self.expr(node.value, depth)
            if isinstance(node.slice, ast.Slice):
                bounds = (node.slice.lower, node.slice.upper, node.slice.step)
                limits = tuple(self.expr(b, depth) if b else const(None) for b in bounds)
                return Code("slice", (target, *limits))
            return Code("index", (target, self.expr(node.slice, depth)))
        raise Unreadable

    def _fstr_part(self, node: ast.expr, depth: int) -> Code:
        if isinstance(node, ast.FormattedValue):
            if node.conversion not in (-1, 115) or node.format_spec is not None:
                raise Unreadable
            return self.expr(node.value, depth)
        return self.expr(node, depth)

    def _compare(self, node: ast.Compare, depth: int) -> Code:
        left = self.expr(node.left, depth)
        tests = []
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.expr(right_node, depth)
            tests.append(Code("cmp", (_CMPOPS[type(op)], left, right)))
            left = right
        return tests[0] if len(tests) == 1 else Code("and", tuple(tests))

    def _comprehension(
        self, node: ast.ListComp | ast.GeneratorExp | ast.SetComp, depth: int
    ) -> Code:
        if len(node.generators) != 1:
            raise Unreadable
        generator = node.generators[0]
        if generator.is_async or not isinstance(generator.target, ast.Name):
            raise Unreadable
        variable = generator.target.id
        inner = CodeReader(self.cls, self.known, self.hidden, self.construct)
        inner.known = {k: v for k, v in self.known.items() if k != variable}
        inner.hidden = [h for h in self.hidden if h != variable]
        iterable = self.expr(generator.iter, depth)
        element = inner.expr(node.elt, depth)
        conditions = tuple(inner.expr(c, depth) for c in generator.ifs)
        code = Code("comp", (element, variable, iterable, *conditions))
        return (
            Code("call", (Code("name", ("set",)), code)) if isinstance(node, ast.SetComp) else code
        )

    # --- statements ----------------------------------------------------------------------

    def body(self, statements: list[ast.stmt]) -> Code | None:
        """A function body; None when some ``return`` cannot be kept."""
        try:
            return self.block(statements, 0)
        except (Unreadable, RecursionError):
            return None

    def block(self, statements: list[ast.stmt], depth: int) -> Code:
        return Code("block", tuple(self.statement(s, depth + 1) for s in statements))

    def statement(self, node: ast.stmt, depth: int) -> Code:
        if depth > _MAX_DEPTH:
            raise Unreadable
        if isinstance(node, ast.Return):
            return Code("return", (self._returned(node.value, depth),))
        if isinstance(node, ast.If):
            body, orelse = self.block(node.body, depth), self.block(node.orelse, depth)
            return Code("if", (self.expr(node.test, depth), body, orelse))
        if isinstance(node, ast.Raise):
            return Code("raise")
        if isinstance(node, ast.Pass | ast.Assert) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ):
            return PASS  # an assert that fails would stop the application importing
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                return Code("assign", (target.id, self._value(node.value, depth)))
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            return Code("assign", (node.target.id, self._value(node.value, depth)))
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            op = _BINOPS.get(type(node.op))
            if op is not None:
                current = Code("name", (node.target.id,))
                value = Code("binop", (op, current, self._value(node.value, depth)))
                return Code("assign", (node.target.id, value))
        if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and not node.orelse:
            iterable = self._value(node.iter, depth)
            return Code("for", (node.target.id, iterable, self.block(node.body, depth)))
        if isinstance(node, ast.Expr):
            value = self._value(node.value, depth)
            return Code("expr", (value, *_names_in(node)))
        # Anything else (with, try, while, nested definitions, imports): the names it
        # binds become unknown from here on, unless it may return.
        if _returns(node):
            raise Unreadable
        return Code("forget", tuple(_bound_in(node)))

    def _value(self, node: ast.expr, depth: int) -> Code:
        """An expression whose value may be unknown without making the body unreadable."""
        try:
            return self.expr(node, depth)
        except Unreadable:
            return Code("unknown")

    def _returned(self, node: ast.expr | None, depth: int) -> Code:
        if node is None:
            return const(None)
        if self.construct is not None:
            found = self.construct(node)
            if found is not None:
                return found
        return self.expr(node, depth)


def _returns(node: ast.AST) -> bool:
    """Whether ``node`` returns from the function it is in (nested definitions aside)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Return):
            return True
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if _returns(child):
            return True
    return False


def _bound_in(node: ast.stmt) -> list[str]:
    names: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store):
            names.append(sub.id)
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(sub.name)
        elif isinstance(sub, ast.alias):
            names.append((sub.asname or sub.name).split(".", 1)[0])
        elif isinstance(sub, ast.ExceptHandler) and sub.name:
            names.append(sub.name)
    return list(dict.fromkeys(names))


def _names_in(node: ast.stmt) -> list[str]:
    """Local names an expression statement may change (``parts.append(x)``)."""
    return list(dict.fromkeys(n.id for n in ast.walk(node) if isinstance(n, ast.Name)))


def function_code(node: ast.FunctionDef) -> tuple[tuple[str, ...], tuple[Code, ...], Code] | None:
    """A small module-level function as (parameters, defaults, body); None when it is not
    kept (``*args``, keyword-only parameters, too large, unreadable returns)."""
    args = node.args
    if args.vararg or args.kwarg or args.kwonlyargs or node.decorator_list:
        return None
    if (node.end_lineno or node.lineno) - node.lineno > _MAX_FUNCTION_LINES:
        return None  # helpers that compute a name are short; do not read long functions
    reader = CodeReader()
    defaults = tuple(reader.read(d) for d in args.defaults)
    if any(d is None for d in defaults):
        return None
    body = reader.body(_without_docstring(node.body))
    if body is None:
        return None
    params = tuple(a.arg for a in (*args.posonlyargs, *args.args))
    return params, tuple(d for d in defaults if d is not None), body


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        return body[1:]
    return body
