"""Class bodies read into :class:`ClassDecl`: columns, ``__tablename__``, ``__table_args__``."""

from __future__ import annotations

import ast
from dataclasses import replace

from schema_lint.extract.model_calls import (
    column,
    metadata_value,
    relationship,
    table,
)
from schema_lint.extract.model_code import NOT_A_COLUMN, CodeReader, static
from schema_lint.extract.model_constraints import constraint, table_args
from schema_lint.extract.model_context import (
    Context,
    dotted,
    kwarg,
    plain_value,
    str_const,
    template,
)
from schema_lint.extract.model_types import type_decl
from schema_lint.facts.models import (
    ClassDecl,
    Code,
    ColumnDecl,
    ConstDecl,
    ConstraintDecl,
    DeclaredAttrDecl,
    Dotted,
    MetaDataDecl,
    MetaDataValue,
    Ref,
    RelationshipDecl,
    TableArgsDecl,
    TableDecl,
    TablenameDecl,
    Template,
)
from schema_lint.facts.source import Span
from schema_lint.vocabulary.sqlalchemy import (
    COLUMN_CALLS,
    COLUMN_WRAPPERS,
    CONSTRAINT_CALLS,
    RELATIONSHIP_CALLS,
    ConstraintKind,
)

_NOT_COLUMNS = frozenset(
    {"association_proxy", "synonym", "hybrid_property", "query_expression", "composite"}
)


def read_class(ctx: Context, node: ast.ClassDef) -> ClassDecl:
    reader = _ClassReader(ctx)
    for stmt in node.body:
        reader.statement(stmt)
    bases: list[Dotted | None] = []
    for base in node.bases:
        target = base.value if isinstance(base, ast.Subscript) else base
        bases.append(dotted(target))
    keywords = tuple(
        (kw.arg, str(kw.value.value))
        for kw in node.keywords
        if kw.arg is not None and isinstance(kw.value, ast.Constant)
    )
    decorators: list[Dotted] = []
    for deco in node.decorator_list:
        parts = dotted(deco.func if isinstance(deco, ast.Call) else deco)
        if parts is not None:
            decorators.append(parts)
    return ClassDecl(
        name=node.name,
        span=ctx.first_line(node),
        bases=tuple(bases),
        base_spans=tuple(ctx.span(b) for b in node.bases),
        keywords=keywords,
        decorators=tuple(decorators),
        abstract=reader.abstract,
        tablename=reader.tablename,
        table_args=reader.table_args,
        table=reader.table,
        metadata=reader.metadata,
        columns=tuple(reader.columns),
        relationships=tuple(reader.relationships),
        constraints=tuple(reader.constraints),
        names=tuple(reader.names),
        unreadable=tuple(reader.unreadable),
        constants=tuple(ConstDecl(k, v) for k, v in reader.constants.items()),
        declared=tuple(reader.declared),
    )


class _ClassReader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.abstract = False
        self.tablename: TablenameDecl | None = None
        self.table_args: TableArgsDecl | None = None
        self.table: TableDecl | Ref | None = None
        self.metadata: MetaDataValue | None = None
        self.columns: list[ColumnDecl] = []
        self.relationships: list[RelationshipDecl] = []
        self.constraints: list[ConstraintDecl] = []
        self.names: list[str] = []
        self.unreadable: list[str] = []
        self.registry = False
        self.consts: dict[str, str] = {}
        """String constants assigned so far in the body: later expressions of the body may
        use them (``Index(f"ix_{__tablename__}_name", ...)``)."""
        self.constants: dict[str, Code] = {}
        """Names whose last binding so far is a plain value (``cls.<name>`` in a
        ``declared_attr`` evaluates them)."""
        self.declared: list[DeclaredAttrDecl] = []
        self.results: list[ColumnDecl | RelationshipDecl | TableArgsDecl] = []

        self.hidden: set[str] = set()
        """Names bound so far that are not string constants: a later expression of the body
        that uses them cannot be read (they are not the module's names)."""

    def bound(self, *names: str) -> None:
        """``names`` are bound to something that is not a plain value."""
        self.names.extend(names)
        self.hidden.update(names)
        for name in names:
            self.consts.pop(name, None)
            self.constants.pop(name, None)

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    self.assign(target.id, None, stmt.value, stmt)
                elif isinstance(target, ast.Tuple):
                    self.bound(*(e.id for e in target.elts if isinstance(e, ast.Name)))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            self.assign(stmt.target.id, stmt.annotation, stmt.value, stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.bound(stmt.name)
            self.function(stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.bound(stmt.name)
        elif isinstance(stmt, ast.Expr):
            decl = constraint(self.ctx, stmt.value, None, self.consts, self.hidden)
            if decl is not None:
                self.constraints.append(decl)
        elif isinstance(stmt, ast.If):
            consts, constants = dict(self.consts), dict(self.constants)
            for inner in (*stmt.body, *stmt.orelse):
                self.statement(inner)
            for key, text in list(self.consts.items()):  # a branch may not run
                if consts.get(key) != text:
                    del self.consts[key]
                    self.hidden.add(key)
            for key, code in list(self.constants.items()):
                if constants.get(key) != code:
                    del self.constants[key]

    def assign(
        self, key: str, annotation: ast.expr | None, value: ast.expr | None, stmt: ast.stmt
    ) -> None:
        ctx = self.ctx
        self.names.append(key)
        span = ctx.span(stmt)
        self._constant(key, value)
        if key.startswith("__") and key.endswith("__"):
            self.dunder(key, value, span)
        elif key == "metadata" and value is not None:
            if not self.registry:
                self.metadata = metadata_value(ctx, value)
        elif key == "registry" and value is not None and self.registry_metadata(value):
            self.registry = True
        elif value is None:
            if annotation is not None:
                decl = type_decl(ctx, annotation)
                self.columns.append(ColumnDecl(key, None, span, "annotation", annotation=decl))
        elif not self.value(key, annotation, value, span) and annotation is not None:
            decl = type_decl(ctx, annotation)
            self.columns.append(ColumnDecl(key, None, span, "default", annotation=decl))

    def registry_metadata(self, value: ast.expr) -> bool:
        """``registry = registry(metadata=...)`` in a ``DeclarativeBase`` subclass: tables go
        to the registry's metadata (``DeclarativeBase`` prefers it to ``metadata =``)."""
        ctx = self.ctx
        if isinstance(value, ast.Call):
            callee = ctx.callee(value.func)
            if callee is None or callee.name != "registry" or callee.via is not None:
                return False
            meta = kwarg(value, "metadata")
            self.metadata = metadata_value(ctx, meta) if meta is not None else MetaDataDecl()
            return True
        parts = dotted(value)
        if parts is None:
            return False
        self.metadata = Ref((*parts, "metadata"))
        return True

    def _constant(self, key: str, value: ast.expr | None) -> None:
        """Remember ``key`` as a constant of the body, or forget an earlier one."""
        hidden = self.hidden
        plain = value is not None and plain_value(value)  # not a column, a call, ...
        code = CodeReader(None, self.consts, hidden).read(value) if plain and value else None
        text = static(code) if code is not None else None
        if isinstance(text, str):
            self.consts[key] = text
            self.hidden.discard(key)
        else:
            self.consts.pop(key, None)
            self.hidden.add(key)
        if code is not None:
            self.constants[key] = code
        else:
            self.constants.pop(key, None)

    def value(self, key: str, annotation: ast.expr | None, value: ast.expr, span: Span) -> bool:
        """Record a construct assigned to ``key``; False when it is a plain value."""
        ctx = self.ctx
        if not isinstance(value, ast.Call):
            return isinstance(value, ast.Tuple) and len(value.elts) == 1  # `x = Column(),`
        callee = ctx.callee(value.func)
        if callee is None:
            decl = constraint(ctx, value, None, self.consts, self.hidden)
            if decl is not None:
                self.constraints.append(decl)
            return decl is not None
        typed = type_decl(ctx, annotation) if annotation is not None else None
        if callee.name in COLUMN_CALLS:
            self.columns.append(column(ctx, value, callee, key=key, span=span, annotation=typed))
            for arg in value.args:  # mapped_column(CheckConstraint("qty >= 0"))
                check = constraint(ctx, arg, None, self.consts, self.hidden)
                if check is not None and check.kind is ConstraintKind.CHECK:
                    # attached to the column's table, as SQLAlchemy does
                    self.constraints.append(replace(check, items=(Ref((key,)),)))
        elif callee.name in COLUMN_WRAPPERS:
            inner = value.args[0] if value.args else None
            wrapped = ctx.callee(inner.func) if isinstance(inner, ast.Call) else None
            if isinstance(inner, ast.Call) and wrapped is not None and wrapped.name == "Column":
                self.columns.append(column(ctx, inner, wrapped, key=key, span=span))
        elif callee.name in RELATIONSHIP_CALLS:
            rel = relationship(ctx, value, callee, key)
            if rel is not None:
                self.relationships.append(rel)
        elif callee.name in CONSTRAINT_CALLS:
            decl = constraint(ctx, value, None, self.consts, self.hidden)
            if decl is not None:
                self.constraints.append(decl)
        else:
            return callee.name in _NOT_COLUMNS
        return True

    def dunder(self, key: str, value: ast.expr | None, span: Span) -> None:
        ctx = self.ctx
        if value is None:  # an annotation only, e.g. `__table_args__: Any`
            return
        if key == "__tablename__":
            none = isinstance(value, ast.Constant) and value.value is None
            name = None if none else template(value, None, self.consts, self.hidden)
            self.tablename = TablenameDecl(span, name, none=none)
        elif key == "__table_args__":
            self.table_args = table_args(
                ctx, value, span, None, declared_attr=False, names=self.consts, hidden=self.hidden
            )
        elif key == "__abstract__":
            self.abstract = isinstance(value, ast.Constant) and value.value is True
        elif key == "__table__":
            callee = ctx.callee(value.func) if isinstance(value, ast.Call) else None
            if isinstance(value, ast.Call) and callee is not None and callee.name == "Table":
                self.table = table(ctx, value, callee, None)
            elif (parts := dotted(value)) is not None:
                self.table = Ref(parts)

    def function(self, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """A ``@declared_attr`` producing ``__tablename__``, ``__table_args__`` or a column.

        A body that is one ``return`` is read as it is; any other is kept as a program
        evaluated for each class (see :class:`DeclaredAttrDecl`).
        """
        decorators = [dotted(d.func if isinstance(d, ast.Call) else d) for d in fn.decorator_list]
        if not any(d is not None and "declared_attr" in d for d in decorators):
            return
        ctx = self.ctx
        cls = fn.args.args[0].arg if fn.args.args else "cls"
        result = _single_return(fn)
        span = ctx.first_line(fn)
        if fn.name == "__tablename__":
            value = template(result, cls) if result is not None else None
            if value is None and result is None:
                body = CodeReader(cls).body(_body(fn))
                value = Template(body) if body is not None else None
            self.tablename = TablenameDecl(span, value, declared_attr=True)
        elif fn.name == "__table_args__":
            if result is not None:
                self.table_args = table_args(ctx, result, span, cls, declared_attr=True)
                return
            choices = self.program(fn, cls, span)
            if choices is None:
                reason = "__table_args__ is computed and cannot be read"
                self.table_args = TableArgsDecl(span, declared_attr=True, unreadable=(reason,))
            else:
                self.table_args = TableArgsDecl(span, declared_attr=True, cls=cls, choices=choices)
        elif fn.name.startswith("__"):
            return
        elif isinstance(result, ast.Call) and self.construct(fn, result) is not None:
            self.columns.extend(c for c in self.results if isinstance(c, ColumnDecl))
            self.relationships.extend(r for r in self.results if isinstance(r, RelationshipDecl))
            self.results = []
        elif result is None or isinstance(result, ast.Call):
            program = self.program(fn, cls, span)
            if program is None:
                self.unreadable.append(f"declared_attr `{fn.name}` cannot be read")
            else:
                self.declared.append(program)

    def program(
        self, fn: ast.FunctionDef | ast.AsyncFunctionDef, cls: str, span: Span
    ) -> DeclaredAttrDecl | None:
        """The body of a ``declared_attr`` as a program over ``cls``, its ``return``s of
        constructs read as they are (``results``)."""
        self.results = []
        table_args_kind = fn.name == "__table_args__"

        def construct(node: ast.expr) -> Code | None:
            if table_args_kind:
                if not isinstance(node, ast.Tuple | ast.Dict):
                    return None
                self.results.append(table_args(self.ctx, node, span, cls, declared_attr=True))
                return Code("result", (len(self.results) - 1,))
            return self.construct(fn, node)

        body = CodeReader(cls, construct=construct).body(_body(fn))
        results, self.results = tuple(self.results), []
        if body is None:
            return None
        return DeclaredAttrDecl(fn.name, span, Template(body), results)

    def construct(self, fn: ast.FunctionDef | ast.AsyncFunctionDef, node: ast.expr) -> Code | None:
        """A column or relationship returned by a ``declared_attr`` (added to ``results``),
        or a value that is no column (``column_property(...)``); None for anything else."""
        ctx = self.ctx
        callee = ctx.callee(node.func) if isinstance(node, ast.Call) else None
        if not isinstance(node, ast.Call) or callee is None:
            return None
        if callee.name in COLUMN_WRAPPERS:
            inner = node.args[0] if node.args else None
            wrapped = ctx.callee(inner.func) if isinstance(inner, ast.Call) else None
            if not (isinstance(inner, ast.Call) and wrapped and wrapped.name == "Column"):
                return NOT_A_COLUMN
            node, callee = inner, wrapped
        if callee.name in COLUMN_CALLS:
            typed = type_decl(ctx, fn.returns) if fn.returns is not None else None
            self.results.append(
                column(
                    ctx,
                    node,
                    callee,
                    key=fn.name,
                    span=ctx.span(node),
                    annotation=typed,
                    declared_attr=True,
                )
            )
        elif callee.name in RELATIONSHIP_CALLS:
            rel = relationship(ctx, node, callee, fn.name)
            if rel is None:
                return NOT_A_COLUMN
            self.results.append(rel)
        elif callee.name in _NOT_COLUMNS:
            return NOT_A_COLUMN
        else:
            return None
        return Code("result", (len(self.results) - 1,))


def _body(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    """The statements of a function without its docstring."""
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and str_const(body[0].value) is not None:
        body.pop(0)
    return body


def _single_return(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    body = _body(fn)
    if len(body) == 1 and isinstance(body[0], ast.Return):
        return body[0].value
    return None
