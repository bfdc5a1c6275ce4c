"""Type annotations reduced to what decides mapping and nullability."""

from __future__ import annotations

import ast

from schema_lint.extract.model_calls import column
from schema_lint.extract.model_context import Context, dotted, str_const
from schema_lint.facts.models import ColumnDecl, TypeDecl
from schema_lint.vocabulary.sqlalchemy import COLUMN_CALLS

CONTAINERS = frozenset(
    {"Mapped", "ClassVar", "WriteOnlyMapped", "DynamicMapped", "Final", "InitVar", "Unmapped"}
)


def type_decl(ctx: Context, node: ast.expr) -> TypeDecl:
    """What an annotation says: ``Mapped[Optional[int]]``, ``Mapped[intpk]``, ``str | None``."""
    node = _unstring(node)
    container: str | None = None
    inner: ast.expr | None = node
    if isinstance(node, ast.Subscript):
        parts = dotted(node.value)
        if parts is not None and parts[-1] in CONTAINERS:
            container, inner = parts[-1], node.slice
    else:
        parts = dotted(node)
        if parts is not None and parts[-1] in CONTAINERS:
            container, inner = parts[-1], None
    if inner is None:
        return TypeDecl(container=container, opaque=True)
    optional, target, col, opaque = _inner_type(ctx, inner, 0)
    return TypeDecl(container, optional, target, col, opaque)


def _unstring(node: ast.expr) -> ast.expr:
    text = str_const(node)
    if text is None:
        return node
    try:
        return ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return node


def _inner_type(
    ctx: Context, node: ast.expr, depth: int
) -> tuple[bool, tuple[str, ...] | None, ColumnDecl | None, bool]:
    members: list[ast.expr | None] = []
    _union_members(node, members, 0)
    optional = None in members
    rest = [m for m in members if m is not None]
    if len(rest) != 1 or depth > 8:
        return optional, None, None, True
    only = rest[0]
    if isinstance(only, ast.Subscript):
        parts = dotted(only.value)
        if parts is None or parts[-1] != "Annotated":
            return optional, None, None, True
        elts = only.slice.elts if isinstance(only.slice, ast.Tuple) else [only.slice]
        sub_optional, target, col, opaque = _inner_type(ctx, elts[0], depth + 1)
        for meta in elts[1:]:
            if col is not None:
                break
            callee = ctx.callee(meta.func) if isinstance(meta, ast.Call) else None
            if isinstance(meta, ast.Call) and callee is not None and callee.name in COLUMN_CALLS:
                col = column(ctx, meta, callee, key=None, span=ctx.span(meta))
        return optional or sub_optional, target, col, opaque
    parts = dotted(only)
    if parts is None:
        return optional, None, None, True
    return optional, parts, None, False


def _union_members(node: ast.expr, out: list[ast.expr | None], depth: int) -> None:
    node = _unstring(node)
    if depth > 16:
        out.append(node)
    elif (isinstance(node, ast.Constant) and node.value is None) or (
        isinstance(node, ast.Name) and node.id in ("None", "NoneType")
    ):
        out.append(None)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        _union_members(node.left, out, depth + 1)
        _union_members(node.right, out, depth + 1)
    elif isinstance(node, ast.Subscript) and (parts := dotted(node.value)) is not None:
        if parts[-1] == "Optional":
            _union_members(node.slice, out, depth + 1)
            out.append(None)
        elif parts[-1] == "Union":
            elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            for elt in elts:
                _union_members(elt, out, depth + 1)
        else:
            out.append(node)
    else:
        out.append(node)


def is_type_alias(node: ast.expr) -> bool:
    """``Annotated[...]``, ``Optional[...]``, ``Union[...]`` or ``X | None`` at module level."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return True
    if isinstance(node, ast.Subscript):
        parts = dotted(node.value)
        return parts is not None and parts[-1] in ("Annotated", "Optional", "Union")
    return False
