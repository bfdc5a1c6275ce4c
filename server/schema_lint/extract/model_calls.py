"""SQLAlchemy calls read into declarations: columns, tables, metadata, relationships."""

from __future__ import annotations

import ast

from schema_lint.extract.model_constraints import constraint
from schema_lint.extract.model_context import (
    Callee,
    Context,
    dotted,
    has_star_kwargs,
    keyword,
    kwarg,
    optional_str,
    read_bool,
    str_const,
)
from schema_lint.facts.models import (
    ColumnDecl,
    ConstraintDecl,
    ForeignKeyDecl,
    MetaDataDecl,
    MetaDataValue,
    Ref,
    RelationshipDecl,
    TableDecl,
    TypeDecl,
)
from schema_lint.facts.source import Span
from schema_lint.vocabulary.sqlalchemy import (
    CONSTRAINT_CALLS,
    ConstraintKind,
)

_CONVENTION_CLASSES = {kind.construct: kind.convention_key for kind in ConstraintKind}
_CONVENTION_KINDS = frozenset(_CONVENTION_CLASSES.values())
_NONE = ast.Constant(None)


# --- columns ----------------------------------------------------------------------------------


def column(
    ctx: Context,
    call: ast.Call,
    callee: Callee,
    *,
    key: str | None,
    span: Span,
    annotation: TypeDecl | None = None,
    declared_attr: bool = False,
) -> ColumnDecl:
    """``Column(...)``, ``mapped_column(...)`` or SQLModel ``Field(...)``."""
    if callee.name == "Field":
        return _field(ctx, call, callee, key=key, span=span, annotation=annotation)
    reasons: list[str] = []
    name: str | None = None
    fks: list[ForeignKeyDecl] = []
    identity = False
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            reasons.append("*args of a column cannot be read")
            continue
        if i == 0 and str_const(arg) is not None:
            name = str_const(arg)
            continue
        inner = ctx.callee(arg.func) if isinstance(arg, ast.Call) else None
        if inner is not None and isinstance(arg, ast.Call):
            if inner.name == "ForeignKey":
                fks.append(foreign_key(ctx, arg, reasons))
            elif inner.name == "Identity":
                identity = True
    if name is None:
        name = optional_str(kwarg(call, "name"), "name=", reasons)
    if has_star_kwargs(call):
        reasons.append("**kwargs of a column cannot be read")
    sort_order = _int_const(kwarg(call, "sort_order"))
    return ColumnDecl(
        key=key,
        name=name,
        span=span,
        style="Column" if callee.name == "Column" else "mapped_column",
        via=callee.via,
        primary_key=read_bool(call, "primary_key", reasons),
        nullable=read_bool(call, "nullable", reasons),
        index=read_bool(call, "index", reasons),
        unique=read_bool(call, "unique", reasons),
        identity=identity,
        foreign_keys=tuple(fks),
        annotation=annotation,
        sort_order=sort_order,
        declared_attr=declared_attr,
        unreadable=tuple(reasons),
        generated=generated_default(call),
    )


def generated_default(call: ast.Call) -> bool:
    """Whether the column's default computes a value per row: ``default=`` a name, attribute
    or lambda (a callable; SQLAlchemy calls it for each insert), or ``server_default=`` a
    function call (``func.now()``, ``text("gen_random_uuid()")``)."""
    if kwarg(call, "default_factory") is not None:
        return True
    default = kwarg(call, "default")
    if isinstance(default, ast.Lambda | ast.Name | ast.Attribute):
        return not (isinstance(default, ast.Name) and default.id in {"None", "True", "False"})
    server = kwarg(call, "server_default")
    if isinstance(server, ast.Call):
        inner = server.args[0] if server.args else None
        text = inner.value if isinstance(inner, ast.Constant) else None
        return not isinstance(text, str) or "(" in text
    return False


def _int_const(node: ast.expr | None) -> int | None:
    sign = 1
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        sign, node = -1, node.operand
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return sign * node.value
    return None


def foreign_key(ctx: Context, call: ast.Call, reasons: list[str]) -> ForeignKeyDecl:
    target = call.args[0] if call.args else kwarg(call, "column")
    if target is None:
        reasons.append("ForeignKey() without a target")
        target = _NONE
    return ForeignKeyDecl(
        target=ctx.expr(target),
        ondelete=optional_str(kwarg(call, "ondelete"), "ondelete=", reasons),
        name=optional_str(kwarg(call, "name"), "name=", reasons),
        onupdate=optional_str(kwarg(call, "onupdate"), "onupdate=", reasons),
    )


def _field(
    ctx: Context,
    call: ast.Call,
    callee: Callee,
    *,
    key: str | None,
    span: Span,
    annotation: TypeDecl | None,
) -> ColumnDecl:
    sa_column = kwarg(call, "sa_column")
    if sa_column is not None:
        inner = ctx.callee(sa_column.func) if isinstance(sa_column, ast.Call) else None
        if isinstance(sa_column, ast.Call) and inner is not None and inner.name == "Column":
            return column(ctx, sa_column, inner, key=key, span=span, annotation=annotation)
        return ColumnDecl(key, None, span, "Column", unreadable=("sa_column= cannot be read",))
    reasons: list[str] = []
    flags = {
        flag: read_bool(call, flag, reasons)
        for flag in ("primary_key", "nullable", "index", "unique")
    }
    fks: list[ForeignKeyDecl] = []
    target = kwarg(call, "foreign_key")
    if target is not None and not (isinstance(target, ast.Constant) and target.value is None):
        ondelete = optional_str(kwarg(call, "ondelete"), "ondelete=", reasons)
        onupdate = optional_str(kwarg(call, "onupdate"), "onupdate=", reasons)
        fks.append(ForeignKeyDecl(ctx.expr(target), ondelete=ondelete, onupdate=onupdate))
    name = _sa_column_kwargs(kwarg(call, "sa_column_kwargs"), flags, reasons)
    extra = kwarg(call, "sa_column_args")
    if extra is not None:
        if isinstance(extra, (ast.List, ast.Tuple)):
            for item in extra.elts:
                inner = ctx.callee(item.func) if isinstance(item, ast.Call) else None
                if isinstance(item, ast.Call) and inner is not None and inner.name == "ForeignKey":
                    fks.append(foreign_key(ctx, item, reasons))
        else:
            reasons.append("sa_column_args= cannot be read")
    if has_star_kwargs(call):
        reasons.append("**kwargs of a field cannot be read")
    return ColumnDecl(
        key=key,
        name=name,
        span=span,
        style="Field",
        via=callee.via,
        primary_key=flags["primary_key"],
        nullable=flags["nullable"],
        index=flags["index"],
        unique=flags["unique"],
        foreign_keys=tuple(fks),
        annotation=annotation,
        unreadable=tuple(reasons),
        generated=generated_default(call),
    )


def _sa_column_kwargs(
    node: ast.expr | None, flags: dict[str, bool | None], reasons: list[str]
) -> str | None:
    """Apply SQLModel's ``sa_column_kwargs={...}`` over ``flags``; returns a ``name``."""
    if node is None:
        return None
    if not isinstance(node, ast.Dict):
        reasons.append("sa_column_kwargs= cannot be read")
        return None
    name = None
    for key_node, value in zip(node.keys, node.values, strict=False):
        key = str_const(key_node) if key_node is not None else None
        if key is None:
            reasons.append("sa_column_kwargs= cannot be read")
        elif key == "name":
            name = optional_str(value, "sa_column_kwargs name", reasons)
        elif key in flags:
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                flags[key] = value.value
            else:
                reasons.append(f"sa_column_kwargs {key} is not a literal")
    return name


# --- tables and metadata ----------------------------------------------------------------------


def table(ctx: Context, call: ast.Call, callee: Callee, var: str | None) -> TableDecl:
    """``Table("name", metadata, Column(...), Index(...), ..., schema=...)``."""
    reasons: list[str] = []
    args = list(call.args)
    name = str_const(args.pop(0)) if args else None
    if name is None:
        reasons.append("the table name cannot be read")
    metadata: MetaDataValue | None = None
    if args and not _is_table_item(ctx, args[0]):
        metadata = metadata_value(ctx, args.pop(0))
    columns: list[ColumnDecl] = []
    constraints: list[ConstraintDecl] = []
    for arg in args:
        inner = ctx.callee(arg.func) if isinstance(arg, ast.Call) else None
        if isinstance(arg, ast.Call) and inner is not None and inner.name == "Column":
            col = column(ctx, arg, inner, key=None, span=ctx.span(arg))
            if col.name is None:
                reasons.append("a column without a literal name")
            columns.append(col)
            continue
        decl = constraint(ctx, arg, None)
        if decl is not None:
            constraints.append(decl)
        else:
            reasons.append(f"Table argument `{ctx.opaque(arg).source}` cannot be read")
    if has_star_kwargs(call):
        reasons.append("**kwargs of Table cannot be read")
    via = callee.via
    parts = dotted(call.func)
    if via is None and parts is not None and len(parts) == 2 and parts[0] in ctx.dbs:
        via = parts[:1]  # `db.Table(...)` of a local `db`: its metadata is implicit
    return TableDecl(
        span=ctx.span(call),
        name=name,
        var=var,
        metadata=metadata,
        schema=optional_str(kwarg(call, "schema"), "schema=", reasons),
        columns=tuple(columns),
        constraints=tuple(constraints),
        via=via,
        unreadable=tuple(reasons),
    )


def _is_table_item(ctx: Context, node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute) and node.func.attr == "ddl_if":
        return True
    callee = ctx.callee(node.func)
    return callee is not None and (callee.name == "Column" or callee.name in CONSTRAINT_CALLS)


def metadata_value(ctx: Context, node: ast.expr) -> MetaDataValue:
    if isinstance(node, ast.Call):
        callee = ctx.callee(node.func)
        if callee is not None and callee.name == "MetaData":
            return metadata_call(ctx, node)
    parts = dotted(node)
    if parts is not None:
        return Ref(parts)
    return MetaDataDecl(unreadable=True, schema_unreadable=True, span=ctx.span(node))


_METADATA_PARAMETERS = ("schema", "quote_schema", "naming_convention", "info")
"""``MetaData``'s parameters in SQLAlchemy 2 order (all may be given positionally)."""


def metadata_call(ctx: Context, call: ast.Call) -> MetaDataDecl:
    """``MetaData(schema=..., naming_convention=...)``: each part readable or not on its own."""
    given = {name: kwarg(call, name) for name in ("schema", "naming_convention")}
    starred = has_star_kwargs(call) or any(isinstance(a, ast.Starred) for a in call.args)
    for name, arg in zip(_METADATA_PARAMETERS, call.args, strict=False):
        if name in given and not isinstance(arg, ast.Starred):
            given[name] = arg
    schema_reasons: list[str] = []
    schema = optional_str(given["schema"], "schema=", schema_reasons)
    node = given["naming_convention"]
    convention: tuple[tuple[str, str], ...] | Ref | None = None
    unreadable = False
    if isinstance(node, ast.Dict):
        pairs = convention_pairs(node)
        unreadable = pairs is None
        convention = pairs
    elif node is not None and not (isinstance(node, ast.Constant) and node.value is None):
        parts = dotted(node)
        if parts is None:
            unreadable = True
        else:
            convention = Ref(parts)
    return MetaDataDecl(
        convention,
        schema,
        unreadable=unreadable or starred,
        schema_unreadable=bool(schema_reasons) or starred,
        span=ctx.span(call),
    )


def convention_pairs(node: ast.Dict) -> tuple[tuple[str, str], ...] | None:
    """A naming convention dict of literals; keys may be constraint classes.

    A custom token (``"column_names": some_function``) is left out: templates that use it
    then give unknown names. None when a template itself cannot be read.
    """
    pairs: list[tuple[str, str]] = []
    for key_node, value in zip(node.keys, node.values, strict=False):
        if key_node is None:
            return None
        key = str_const(key_node)
        custom = key is not None and key not in _CONVENTION_KINDS
        if key is None:
            parts = dotted(key_node)
            key = _CONVENTION_CLASSES.get(parts[-1]) if parts else None
        text = str_const(value)
        if text is None and custom:
            continue
        if key is None or text is None:
            return None
        pairs.append((key, text))
    return tuple(pairs)


def relationship(ctx: Context, call: ast.Call, callee: Callee, key: str) -> RelationshipDecl | None:
    """``relationship(..., secondary=...)`` or SQLModel ``Relationship(link_model=...)``."""
    kw = keyword(call, "secondary")
    link = False
    if kw is None and callee.name == "Relationship":
        kw = keyword(call, "link_model")
        link = True
    if kw is None or (isinstance(kw.value, ast.Constant) and kw.value.value is None):
        return None
    return RelationshipDecl(key, ctx.expr(kw.value), ctx.span(kw), link, callee.via)
