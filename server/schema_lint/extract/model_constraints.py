"""``Index``/constraint calls and ``__table_args__`` read into declarations."""

from __future__ import annotations

import ast
from collections.abc import Collection, Mapping
from dataclasses import replace

from schema_lint.extract.model_context import (
    Callee,
    Context,
    has_star_kwargs,
    kwarg,
    optional_str,
    read_bool,
    str_const,
    template,
)
from schema_lint.facts.models import ConstraintDecl, Expr, Name, SqlText, TableArgsDecl
from schema_lint.facts.source import Span
from schema_lint.vocabulary.sqlalchemy import CONSTRAINT_CALLS, ConstraintKind


def constraint(
    ctx: Context,
    node: ast.expr,
    cls: str | None = None,
    names: Mapping[str, str] | None = None,
    hidden: Collection[str] = (),
) -> ConstraintDecl | None:
    """An ``Index``/constraint call, possibly wrapped in ``.ddl_if(dialect=...)``.

    ``cls`` is the class parameter of a ``declared_attr``; ``names`` the string constants
    a class body assigned before (``__tablename__``), usable in a name, ``hidden`` the other
    names it bound.
    """
    reasons: list[str] = []
    dialect = None
    outer = node
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "ddl_if"
        and isinstance(node.func.value, ast.Call)
    ):
        dialect = optional_str(kwarg(node, "dialect"), "ddl_if(dialect=)", reasons)
        node = node.func.value
    if not isinstance(node, ast.Call):
        return None
    callee = ctx.callee(node.func)
    if callee is None or callee.name not in CONSTRAINT_CALLS:
        return None
    decl = _constraint_call(ctx, node, callee, cls, names, hidden, reasons)
    return replace(decl, span=ctx.span(outer), dialect=dialect) if outer is not node else decl


def _constraint_call(
    ctx: Context,
    call: ast.Call,
    callee: Callee,
    cls: str | None,
    names: Mapping[str, str] | None,
    hidden: Collection[str],
    reasons: list[str],
) -> ConstraintDecl:
    kind = CONSTRAINT_CALLS[callee.name]
    args = list(call.args)
    name_node = kwarg(call, "name")
    sqltext = None
    targets: tuple[Expr, ...] = ()
    if kind is ConstraintKind.INDEX and args:
        name_node = args.pop(0)
    elif kind is ConstraintKind.CHECK:
        text = ctx.expr(args.pop(0)) if args else None
        sqltext = text.text if isinstance(text, SqlText) else getattr(text, "value", None)
        if sqltext is None:
            reasons.append("CheckConstraint text cannot be read")
    elif kind is ConstraintKind.FOREIGN_KEY:
        columns = args.pop(0) if args else kwarg(call, "columns")
        refs = args.pop(0) if args else kwarg(call, "refcolumns")
        args = _sequence(columns, reasons)
        targets = tuple(ctx.expr(n) for n in _sequence(refs, reasons))
    items: list[Expr] = []
    for arg in args:
        if isinstance(arg, ast.Starred):
            reasons.append(f"*args of {callee.name} cannot be read")
        else:
            items.append(ctx.expr(arg))
    if has_star_kwargs(call):
        reasons.append(f"**kwargs of {callee.name} cannot be read")
    where = kwarg(call, "postgresql_where")
    name = _name(name_node, cls, names, hidden)
    return ConstraintDecl(
        kind=kind,
        span=ctx.span(call),
        name=name,
        items=tuple(items),
        unique=bool(read_bool(call, "unique", reasons)) if kind is ConstraintKind.INDEX else False,
        where=ctx.where_text(where) if where is not None else None,
        where_unknown=where is not None and not ctx.where_known(where),
        ops=_ops(kwarg(call, "postgresql_ops"), reasons),
        targets=targets,
        ondelete=optional_str(kwarg(call, "ondelete"), "ondelete=", reasons),
        onupdate=optional_str(kwarg(call, "onupdate"), "onupdate=", reasons),
        sqltext=sqltext,
        via=callee.via,
        unreadable=tuple(reasons),
        name_unreadable=name is None and not _no_name(name_node),
    )


def _sequence(node: ast.expr | None, reasons: list[str]) -> list[ast.expr]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    reasons.append("ForeignKeyConstraint columns cannot be read")
    return []


def _no_name(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, ast.Constant) and node.value is None)


def _name(
    node: ast.expr | None, cls: str | None, names: Mapping[str, str] | None, hidden: Collection[str]
) -> Name:
    """The name given, None when none is given or it cannot be read (see ``_no_name``)."""
    if node is None or _no_name(node):
        return None
    value = str_const(node)
    if value is not None:
        return value
    return template(node, cls, names, hidden)


def table_args(
    ctx: Context,
    node: ast.expr | None,
    span: Span,
    cls: str | None,
    *,
    declared_attr: bool,
    names: Mapping[str, str] | None = None,
    hidden: Collection[str] = (),
) -> TableArgsDecl:
    """``__table_args__``: a tuple, a dict, or a tuple ending in a dict (see
    :func:`constraint` for ``cls`` and ``names``)."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return TableArgsDecl(span, declared_attr=declared_attr)
    reasons: list[str] = []
    options: ast.Dict | None = None
    if isinstance(node, ast.Dict):
        elements: list[ast.expr] = []
        options = node
    elif isinstance(node, ast.Tuple):
        elements = list(node.elts)
        if elements and isinstance(elements[-1], ast.Dict):
            last = elements.pop()
            assert isinstance(last, ast.Dict)
            options = last
    elif isinstance(node, (ast.Call, ast.List, ast.Set, ast.Constant, ast.ListComp)) and (
        not isinstance(node, ast.Call) or constraint(ctx, node, cls) is not None
    ):
        return TableArgsDecl(span, declared_attr=declared_attr, invalid=True)
    else:
        reason = "__table_args__ is computed and cannot be read"
        return TableArgsDecl(span, declared_attr=declared_attr, unreadable=(reason,))
    items: list[ConstraintDecl] = []
    for element in elements:
        decl = constraint(ctx, element, cls, names, hidden)
        if decl is not None:
            items.append(decl)
        elif not (isinstance(element, ast.Constant) and element.value is None):
            reasons.append(f"__table_args__ item `{ctx.opaque(element).source}` cannot be read")
    schema = None
    if options is not None:
        for key_node, value in zip(options.keys, options.values, strict=False):
            key = str_const(key_node) if key_node is not None else None
            if key is None:
                reasons.append("__table_args__ options cannot be read")
            elif key == "schema":
                schema = optional_str(value, "__table_args__ schema", reasons)
    return TableArgsDecl(span, tuple(items), schema, declared_attr, False, tuple(reasons), cls=cls)


def _ops(node: ast.expr | None, reasons: list[str]) -> tuple[tuple[str, str], ...]:
    """``postgresql_ops={"name": "gin_trgm_ops"}``, when every key and value is a literal."""
    if node is None:
        return ()
    pairs = (
        [
            (str_const(k) if k is not None else None, str_const(v))
            for k, v in zip(node.keys, node.values, strict=True)
        ]
        if isinstance(node, ast.Dict)
        else [(None, None)]
    )
    if any(k is None or v is None for k, v in pairs):
        reasons.append("postgresql_ops= cannot be read")
        return ()
    return tuple((k, v) for k, v in pairs if k is not None and v is not None)
