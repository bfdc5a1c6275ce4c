"""Per-file reading context: imports, what a callee is, spans and small expressions."""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from schema_lint.extract.model_code import CodeReader, static
from schema_lint.facts.models import (
    Code,
    Dotted,
    Expr,
    Func,
    Import,
    Lit,
    Modified,
    Opaque,
    Ref,
    SqlText,
    Template,
)
from schema_lint.facts.source import Span
from schema_lint.sources.positions import LineIndex
from schema_lint.vocabulary.sqlalchemy import MODEL_LIBRARIES as LIBRARIES

_MODIFIERS = {
    "desc": "DESC",
    "asc": "ASC",
    "nulls_first": "NULLS FIRST",
    "nulls_last": "NULLS LAST",
    "nullsfirst": "NULLS FIRST",
    "nullslast": "NULLS LAST",
}
_OPAQUE_LIMIT = 200
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Callee:
    """What a called name is: ``name`` is the construct (``Column``), ``via`` the prefix the
    resolver must still check (None when it is plainly a library name or a local ``db``)."""

    name: str
    via: Dotted | None
    func: bool = False
    """``func.<name>``."""


def dotted(node: ast.expr) -> Dotted | None:
    """``a.b.c`` as ``("a", "b", "c")``; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return tuple(parts)


def str_const(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw
    return None


def kwarg(call: ast.Call, name: str) -> ast.expr | None:
    kw = keyword(call, name)
    return kw.value if kw is not None else None


def has_star_kwargs(call: ast.Call) -> bool:
    return any(kw.arg is None for kw in call.keywords)


def read_bool(call: ast.Call, name: str, reasons: list[str]) -> bool | None:
    """An explicit ``name=True/False``; None when absent or ``None``."""
    node = kwarg(call, name)
    if node is None:
        return None
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
        return node.value
    reasons.append(f"{name}= is not a literal")
    return None


def optional_str(node: ast.expr | None, what: str, reasons: list[str]) -> str | None:
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    value = str_const(node)
    if value is None:
        reasons.append(f"{what} is not a literal")
    return value


class Context:
    """Reads nodes of one file: ``imports`` maps local names to what they import."""

    __slots__ = ("_ascii", "_callees", "_lines", "db_classes", "dbs", "imports", "path", "stars")

    def __init__(
        self,
        path: str,
        text: str,
        imports: dict[str, Import],
        dbs: set[str],
        *,
        stars: bool = False,
    ) -> None:
        self.path = path
        self.stars = stars
        """The file has ``from x import *``: unknown names may come from there."""
        self._lines = LineIndex(path, text)
        self._ascii = text.isascii()
        self._callees: dict[Dotted, Callee | None] = {}
        self.imports = imports
        self.dbs = dbs
        self.db_classes: set[str] = set()
        """Classes of this file that subclass Flask-SQLAlchemy's ``SQLAlchemy``."""

    def span(self, node: ast.AST) -> Span:
        if self._ascii:  # byte offsets are code-point offsets
            line = getattr(node, "lineno", 1)
            end_line = getattr(node, "end_lineno", None) or line
            col = getattr(node, "col_offset", 0)
            end_col = getattr(node, "end_col_offset", None) or 0
            return Span(self.path, line, col, end_line, end_col)
        return self._lines.span(node)

    def first_line(self, node: ast.AST) -> Span:
        """The first line of a statement, from its first character to the end of the line."""
        line = getattr(node, "lineno", 1)
        text = self._lines.line_text(line)
        col = self._lines.span(node).col
        return Span(self.path, line, col, line, len(text.rstrip()))

    # --- names ---------------------------------------------------------------------------

    def library_name(self, parts: Dotted) -> str | None:
        """``("sa", "orm", "Mapped")`` -> ``"sqlalchemy.orm.Mapped"`` when ``sa`` is a library."""
        imp = self.imports.get(parts[0])
        if imp is None or imp.level:
            return None
        full = f"{imp.module}.{imp.name}" if imp.name else imp.module
        if full.split(".", 1)[0] not in LIBRARIES:
            return None
        return ".".join((full, *parts[1:]))

    def callee(self, func: ast.expr) -> Callee | None:
        parts = dotted(func)
        if parts is None:
            return None
        if parts in self._callees:
            return self._callees[parts]
        found = self._callees[parts] = self._callee(parts)
        return found

    def _callee(self, parts: Dotted) -> Callee | None:
        head = parts[0]
        imp = self.imports.get(head)
        if imp is None:
            if head in self.dbs and len(parts) >= 2:
                return _callee(parts[-1], None, parts)
            if self.stars:  # the resolver checks what the star import provides
                return _callee(parts[-1], parts[:-1] if len(parts) > 1 else parts, parts)
            return None
        if imp.level == 0:
            full = f"{imp.module}.{imp.name}" if imp.name else imp.module
            top = full.split(".", 1)[0]
            if top in LIBRARIES:
                return _callee(
                    parts[-1] if len(parts) > 1 else full.rsplit(".", 1)[-1], None, parts
                )
        if len(parts) == 1:
            return Callee(imp.name or head, (head,))
        return _callee(parts[-1], parts[:-1], parts)

    # --- expressions ---------------------------------------------------------------------

    def expr(self, node: ast.expr, depth: int = 0) -> Expr:
        """An index item, constraint column or foreign key target."""
        if depth > _MAX_DEPTH:
            return self.opaque(node)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return Lit(node.value)
        if isinstance(node, ast.Lambda):
            return self.expr(node.body, depth + 1)
        parts = dotted(node)
        if parts is not None:
            return Ref(parts)
        if isinstance(node, ast.Subscript):
            base = dotted(node.value)
            key = str_const(node.slice)
            if base is not None and key is not None:
                return Ref((*base, key))
        if isinstance(node, ast.Call):
            return self._call_expr(node, depth + 1)
        return self.opaque(node)

    def _call_expr(self, node: ast.Call, depth: int) -> Expr:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _MODIFIERS and not node.args:
            return Modified(self.expr(func.value, depth), _MODIFIERS[func.attr])
        callee = self.callee(func)
        if callee is None or (node.keywords and callee.name not in ("text", "literal_column")):
            return self.opaque(node)
        if callee.func or self._sql_function(func):
            return Func(callee.name, tuple(self.expr(a, depth) for a in node.args))
        if callee.name in ("text", "literal_column") and len(node.args) == 1:
            text = str_const(node.args[0])
            if text is not None:
                return SqlText(text)
        if callee.name in _MODIFIERS and len(node.args) == 1:
            # desc("name"): SQLAlchemy compiles a string here as a column's name, not a literal
            name = str_const(node.args[0])
            inner = SqlText(name) if name is not None else self.expr(node.args[0], depth)
            return Modified(inner, _MODIFIERS[callee.name])
        return self.opaque(node)

    def _sql_function(self, func: ast.expr) -> bool:
        """``coalesce`` imported from ``sqlalchemy.sql.functions``: the same as ``func.*``."""
        parts = dotted(func)
        full = self.library_name(parts) if parts is not None else None
        return full is not None and full.startswith("sqlalchemy.sql.functions.")

    def opaque(self, node: ast.AST) -> Opaque:
        try:
            source = ast.unparse(node)
        except Exception:  # ast.unparse fails on a few odd synthesised trees
            source = "<expression>"
        return Opaque(source[:_OPAQUE_LIMIT])

    def where_text(self, node: ast.expr) -> str:
        """``postgresql_where=``: ``text()`` verbatim, ``col.is_(None)`` rendered, else source
        (see :meth:`where_known`)."""
        value = self.expr(node)
        if isinstance(value, SqlText):
            return value.text
        if isinstance(value, Lit):
            return value.value
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            column = dotted(node.func.value)
            arg = node.args[0] if len(node.args) == 1 else None
            if column is not None and isinstance(arg, ast.Constant) and arg.value is None:
                if node.func.attr == "is_":
                    return f"{column[-1]} IS NULL"
                if node.func.attr in ("is_not", "isnot"):
                    return f"{column[-1]} IS NOT NULL"
        return self.opaque(node).source

    def where_known(self, node: ast.expr) -> bool:
        """Whether :meth:`where_text` reads ``node`` as SQL rather than keeping its source
        (``cls.state == StateType.SCHEDULED`` compiles to SQL only SQLAlchemy can write)."""
        return self.where_text(node) != self.opaque(node).source


def _callee(name: str, via: Dotted | None, parts: Dotted) -> Callee:
    is_func = len(parts) >= 2 and parts[-2] == "func"
    return Callee(name, via[:-1] if is_func and via else via, is_func)


def template(
    node: ast.expr,
    cls: str | None,
    names: Mapping[str, str] | None = None,
    hidden: Collection[str] = (),
) -> str | Template | None:
    """A string: literal, or computed when the schema is built (from ``cls.__name__`` and
    ``cls.__tablename__`` in a ``declared_attr``, module constants, project helpers).

    ``names`` are string constants a class body assigned before (used as they are), and
    ``hidden`` the other names it bound (unreadable). None when it cannot be kept.
    """
    code = CodeReader(cls, names, hidden).read(node)
    if code is None:
        return None
    folded = static(code)
    if isinstance(folded, str):
        return folded
    return Template(folded) if isinstance(folded, Code) else None


_PLAIN_CALLS = frozenset({"frozenset", "set", "tuple", "list", "sorted", "str"})
_STRING_METHODS = frozenset(
    {"lower", "upper", "title", "capitalize", "strip", "replace", "format", "join"}
)


def plain_value(node: ast.expr) -> bool:
    """A value worth keeping as a constant: literals, names and containers of them, strings
    built from them, ``re.compile(...)`` (not a column, a call of the project, ...)."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = dotted(sub.func)
            if func == ("re", "compile") or (func is not None and func[-1] in _PLAIN_CALLS):
                continue
            if isinstance(sub.func, ast.Attribute) and (
                isinstance(sub.func.value, ast.Constant) or sub.func.attr in _STRING_METHODS
            ):
                continue  # "-".join(...), "x".upper(), name.lower()
            return False
        if isinstance(sub, ast.Lambda | ast.Dict | ast.DictComp | ast.Await | ast.NamedExpr):
            return False
    return True
