"""Whether a project's ``script.py.mako`` may be rendered: only when it runs nothing of its own.

A Mako template is Python: ``<% %>`` blocks, ``<%! %>`` module code, tags that include other
files, and any expression (``${config.get_main_option(...)}``) run when it is rendered. The
revision's template is rendered only when every expression and control line reads the values
Alembic passes it (``message``, ``upgrades``, ``imports``, ...) through literals, conditions,
``repr``/``str``/``len``/``bool`` and the usual filters. Anything else is reported with its
line, and nothing is rendered.
"""

from __future__ import annotations

import ast
import re

from mako import parsetree
from mako.exceptions import MakoException
from mako.lexer import Lexer

_CALLS = frozenset({"repr", "str", "len", "bool"})
_FILTERS = frozenset({"comma", "n", "h", "u", "x", "trim", "str", "entity", "unicode"})
_NODES = (
    ast.Expression,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.IfExp,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
    ast.Tuple,
    ast.List,
)
_FOR = re.compile(r"for\s+(.+?)\s+in\s+(.+?)\s*:\s*$", re.DOTALL)
_IF = re.compile(r"(?:if|elif)\s+(.+?)\s*:\s*$", re.DOTALL)


def unsafe_construct(text: str) -> tuple[int, str] | None:
    """The line and description of the first construct of template ``text`` that would run
    code of its own when rendered; None when it runs none."""
    try:
        tree = Lexer(text).parse()
    except MakoException as exc:
        return getattr(exc, "lineno", 1) or 1, f"the template does not parse ({exc})"
    return _first_unsafe(tree)


def _first_unsafe(node: parsetree.Node) -> tuple[int, str] | None:
    for child in node.get_children():
        found = _unsafe(child)
        if found is None and isinstance(child, parsetree.ControlLine | parsetree.TextTag):
            found = _first_unsafe(child)
        if found is not None:
            return found
    return None


def _unsafe(node: parsetree.Node) -> tuple[int, str] | None:
    line = int(getattr(node, "lineno", 1) or 1)
    if isinstance(node, parsetree.Text | parsetree.Comment | parsetree.TextTag):
        return None
    if isinstance(node, parsetree.Expression):
        filters = [f.strip() for f in (node.escapes or "").split(",") if f.strip()]
        odd = [f for f in filters if f not in _FILTERS]
        if odd:
            return line, f"the filter `{odd[0]}` in `${{{node.text.strip()}}}`"
        return None if _safe_expression(node.text) else (line, f"`${{{node.text.strip()}}}`")
    if isinstance(node, parsetree.ControlLine):
        return None if _safe_control(node) else (line, f"`% {node.text.strip()}`")
    if isinstance(node, parsetree.Code):
        return line, "a Python block (`<% ... %>`)"
    if isinstance(node, parsetree.Tag):
        return line, f"the tag `<%{node.keyword}>`"
    return line, f"a {type(node).__name__} node"


def _safe_control(node: parsetree.ControlLine) -> bool:
    if node.isend or node.keyword in ("else", "endif", "endfor"):
        return True
    text = node.text.strip()
    if node.keyword in ("if", "elif"):
        match = _IF.fullmatch(text)
        return match is not None and _safe_expression(match.group(1))
    if node.keyword == "for":
        match = _FOR.fullmatch(text)
        if match is None or not _safe_expression(match.group(2)):
            return False
        try:
            target = ast.parse(match.group(1), mode="eval").body
        except SyntaxError:
            return False
        names = target.elts if isinstance(target, ast.Tuple) else [target]
        return all(isinstance(n, ast.Name) for n in names)
    return False


def _safe_expression(text: str) -> bool:
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if not (
                isinstance(node.func, ast.Name)
                and node.func.id in _CALLS
                and len(node.args) == 1
                and not node.keywords
            ):
                return False
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                return False
        elif not isinstance(node, _NODES):
            return False
    return True
