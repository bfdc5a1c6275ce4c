"""SQLAlchemy calls read into declarations: columns, constraints, tables, metadata, types."""

from __future__ import annotations

import ast
from dataclasses import replace

from schema_lint.extract.model_context import (
    Callee,
    Context,
    dotted,
    has_star_kwargs,
    keyword,
    kwarg,
    str_const,
    template,
)
from schema_lint.facts.models import (
    ColumnDecl,
    ConstraintDecl,
    Expr,
    ForeignKeyDecl,
    MetaDataDecl,
    MetaDataValue,
    Name,
    Ref,
    RelationshipDecl,
    SqlText,
    TableArgsDecl,
    TableDecl,
    TypeDecl,
)
from schema_lint.facts.source import Span

COLUMN_CALLS = frozenset({"Column", "mapped_column", "Field"})
CONSTRAINT_KINDS = {
    "Index": "index",
    "UniqueConstraint": "unique",
    "PrimaryKeyConstraint": "primary_key",
    "ForeignKeyConstraint": "foreign_key",
    "CheckConstraint": "check",
}
RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "Relationship"})
COLUMN_WRAPPERS = frozenset({"deferred", "column_property"})
CONTAINERS = frozenset(
    {"Mapped", "ClassVar", "WriteOnlyMapped", "DynamicMapped", "Final", "InitVar", "Unmapped"}
)
_CONVENTION_CLASSES = {
    "Index": "ix",
    "UniqueConstraint": "uq",
    "PrimaryKeyConstraint": "pk",
    "ForeignKeyConstraint": "fk",
    "CheckConstraint": "ck",
}
_NONE = ast.Constant(None)


def read_bool(call: ast.Call, name: str, reasons: list[str]) -> bool | None:
    """An explicit ``name=True/False``; None when absent or ``None``."""
    node = kwarg(call, name)
    if node is None:
        return None
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool)):
        return node.value
    reasons.append(f"{name}= is not a literal")
    return None


def _optional_str(node: ast.expr | None, what: str, reasons: list[str]) -> str | None:
    if node is None or isinstance(node, ast.Constant) and node.value is None:
        return None
    value = str_const(node)
    if value is None:
        reasons.append(f"{what} is not a literal")
    return value


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
        name = _optional_str(kwarg(call, "name"), "name=", reasons)
    if has_star_kwargs(call):
        reasons.append("**kwargs of a column cannot be read")
    sort_node = kwarg(call, "sort_order")
    sort_order = (
        sort_node.value
        if isinstance(sort_node, ast.Constant) and isinstance(sort_node.value, int)
        else None
    )
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
    )


def foreign_key(ctx: Context, call: ast.Call, reasons: list[str]) -> ForeignKeyDecl:
    target = call.args[0] if call.args else kwarg(call, "column")
    if target is None:
        reasons.append("ForeignKey() without a target")
        target = _NONE
    return ForeignKeyDecl(
        target=ctx.expr(target),
        ondelete=_optional_str(kwarg(call, "ondelete"), "ondelete=", reasons),
        name=_optional_str(kwarg(call, "name"), "name=", reasons),
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
        ondelete = _optional_str(kwarg(call, "ondelete"), "ondelete=", reasons)
        fks.append(ForeignKeyDecl(ctx.expr(target), ondelete=ondelete))
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
    for key_node, value in zip(node.keys, node.values):
        key = str_const(key_node) if key_node is not None else None
        if key is None:
            reasons.append("sa_column_kwargs= cannot be read")
        elif key == "name":
            name = _optional_str(value, "sa_column_kwargs name", reasons)
        elif key in flags:
            if isinstance(value, ast.Constant) and isinstance(value.value, bool):
                flags[key] = value.value
            else:
                reasons.append(f"sa_column_kwargs {key} is not a literal")
    return name


# --- types ------------------------------------------------------------------------------------


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
    except SyntaxError:
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
    elif isinstance(node, ast.Constant) and node.value is None:
        out.append(None)
    elif isinstance(node, ast.Name) and node.id in ("None", "NoneType"):
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


# --- constraints ------------------------------------------------------------------------------


def constraint(ctx: Context, node: ast.expr, cls: str | None = None) -> ConstraintDecl | None:
    """An ``Index``/constraint call, possibly wrapped in ``.ddl_if(dialect=...)``."""
    reasons: list[str] = []
    dialect = None
    outer = node
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "ddl_if"
        and isinstance(node.func.value, ast.Call)
    ):
        dialect = _optional_str(kwarg(node, "dialect"), "ddl_if(dialect=)", reasons)
        node = node.func.value
    if not isinstance(node, ast.Call):
        return None
    callee = ctx.callee(node.func)
    if callee is None or callee.name not in CONSTRAINT_KINDS:
        return None
    decl = _constraint_call(ctx, node, callee, cls, reasons)
    return replace(decl, span=ctx.span(outer), dialect=dialect) if outer is not node else decl


def _constraint_call(
    ctx: Context, call: ast.Call, callee: Callee, cls: str | None, reasons: list[str]
) -> ConstraintDecl:
    kind = CONSTRAINT_KINDS[callee.name]
    args = list(call.args)
    name_node = kwarg(call, "name")
    sqltext = None
    targets: tuple[Expr, ...] = ()
    if kind == "index" and args:
        name_node = args.pop(0)
    elif kind == "check":
        text = ctx.expr(args.pop(0)) if args else None
        sqltext = text.text if isinstance(text, SqlText) else getattr(text, "value", None)
        if sqltext is None:
            reasons.append("CheckConstraint text cannot be read")
    elif kind == "foreign_key":
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
    return ConstraintDecl(
        kind=kind,
        span=ctx.span(call),
        name=_name(name_node, cls, reasons),
        items=tuple(items),
        unique=bool(read_bool(call, "unique", reasons)) if kind == "index" else False,
        where=ctx.where_text(where) if where is not None else None,
        targets=targets,
        ondelete=_optional_str(kwarg(call, "ondelete"), "ondelete=", reasons),
        sqltext=sqltext,
        via=callee.via,
        unreadable=tuple(reasons),
    )


def _sequence(node: ast.expr | None, reasons: list[str]) -> list[ast.expr]:
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    reasons.append("ForeignKeyConstraint columns cannot be read")
    return []


def _name(node: ast.expr | None, cls: str | None, reasons: list[str]) -> Name:
    if node is None or isinstance(node, ast.Constant) and node.value is None:
        return None
    value = str_const(node)
    if value is not None:
        return value
    if cls is not None:
        evaluated = template(node, cls)
        if evaluated is not None:
            return evaluated
    reasons.append("a constraint name cannot be read")
    return None


def table_args(
    ctx: Context, node: ast.expr | None, span: Span, cls: str | None, *, declared_attr: bool
) -> TableArgsDecl:
    """``__table_args__``: a tuple, a dict, or a tuple ending in a dict."""
    if node is None or isinstance(node, ast.Constant) and node.value is None:
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
        decl = constraint(ctx, element, cls)
        if decl is not None:
            items.append(decl)
        elif not (isinstance(element, ast.Constant) and element.value is None):
            reasons.append(f"__table_args__ item `{ctx.opaque(element).source}` cannot be read")
    schema = None
    if options is not None:
        for key_node, value in zip(options.keys, options.values):
            key = str_const(key_node) if key_node is not None else None
            if key is None:
                reasons.append("__table_args__ options cannot be read")
            elif key == "schema":
                schema = _optional_str(value, "__table_args__ schema", reasons)
    return TableArgsDecl(span, tuple(items), schema, declared_attr, False, tuple(reasons))


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
    return TableDecl(
        span=ctx.span(call),
        name=name,
        var=var,
        metadata=metadata,
        schema=_optional_str(kwarg(call, "schema"), "schema=", reasons),
        columns=tuple(columns),
        constraints=tuple(constraints),
        via=callee.via,
        unreadable=tuple(reasons),
    )


def _is_table_item(ctx: Context, node: ast.expr) -> bool:
    if not isinstance(node, ast.Call):
        return False
    if isinstance(node.func, ast.Attribute) and node.func.attr == "ddl_if":
        return True
    callee = ctx.callee(node.func)
    return callee is not None and (callee.name == "Column" or callee.name in CONSTRAINT_KINDS)


def metadata_value(ctx: Context, node: ast.expr) -> MetaDataValue:
    if isinstance(node, ast.Call):
        callee = ctx.callee(node.func)
        if callee is not None and callee.name == "MetaData":
            return metadata_call(ctx, node)
    parts = dotted(node)
    if parts is not None:
        return Ref(parts)
    return MetaDataDecl(unreadable=True)


def metadata_call(ctx: Context, call: ast.Call) -> MetaDataDecl:
    reasons: list[str] = []
    schema = _optional_str(kwarg(call, "schema"), "schema=", reasons)
    node = kwarg(call, "naming_convention")
    convention: tuple[tuple[str, str], ...] | Ref | None = None
    if isinstance(node, ast.Dict):
        pairs = convention_pairs(node)
        if pairs is None:
            reasons.append("naming_convention")
        convention = pairs
    elif node is not None and not (isinstance(node, ast.Constant) and node.value is None):
        parts = dotted(node)
        if parts is None:
            reasons.append("naming_convention")
        else:
            convention = Ref(parts)
    return MetaDataDecl(convention, schema, bool(reasons) or has_star_kwargs(call))


def convention_pairs(node: ast.Dict) -> tuple[tuple[str, str], ...] | None:
    """A naming convention dict of literals; keys may be constraint classes."""
    pairs: list[tuple[str, str]] = []
    for key_node, value in zip(node.keys, node.values):
        if key_node is None:
            return None
        key = str_const(key_node)
        if key is None:
            parts = dotted(key_node)
            key = _CONVENTION_CLASSES.get(parts[-1]) if parts else None
        text = str_const(value)
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
    if kw is None or isinstance(kw.value, ast.Constant) and kw.value.value is None:
        return None
    return RelationshipDecl(key, ctx.expr(kw.value), ctx.span(kw), link, callee.via)
