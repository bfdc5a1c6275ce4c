"""Class bodies read into :class:`ClassDecl`: columns, ``__tablename__``, ``__table_args__``."""

from __future__ import annotations

import ast

from schema_lint.extract.model_calls import (
    column,
    metadata_value,
    relationship,
    table,
)
from schema_lint.extract.model_constraints import constraint, table_args
from schema_lint.extract.model_context import Context, dotted, kwarg, str_const, template
from schema_lint.extract.model_types import type_decl
from schema_lint.facts.models import (
    ClassDecl,
    ColumnDecl,
    ConstraintDecl,
    Dotted,
    MetaDataDecl,
    MetaDataValue,
    Ref,
    RelationshipDecl,
    TableArgsDecl,
    TableDecl,
    TablenameDecl,
)
from schema_lint.facts.source import Span
from schema_lint.vocabulary.sqlalchemy import (
    COLUMN_CALLS,
    COLUMN_WRAPPERS,
    CONSTRAINT_CALLS,
    RELATIONSHIP_CALLS,
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

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    self.assign(target.id, None, stmt.value, stmt)
                elif isinstance(target, ast.Tuple):
                    self.names.extend(e.id for e in target.elts if isinstance(e, ast.Name))
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            self.assign(stmt.target.id, stmt.annotation, stmt.value, stmt)
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.names.append(stmt.name)
            self.function(stmt)
        elif isinstance(stmt, ast.ClassDef):
            self.names.append(stmt.name)
        elif isinstance(stmt, ast.Expr):
            decl = constraint(self.ctx, stmt.value, None, self.consts)
            if decl is not None:
                self.constraints.append(decl)
        elif isinstance(stmt, ast.If):
            before = dict(self.consts)
            for inner in (*stmt.body, *stmt.orelse):
                self.statement(inner)
            for key, value in list(self.consts.items()):  # a branch may not run
                if before.get(key) != value:
                    del self.consts[key]

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
        """Remember ``key`` as a string constant of the body, or forget an earlier one."""
        text = template(value, None, self.consts) if value is not None else None
        if isinstance(text, str):
            self.consts[key] = text
        else:
            self.consts.pop(key, None)

    def value(self, key: str, annotation: ast.expr | None, value: ast.expr, span: Span) -> bool:
        """Record a construct assigned to ``key``; False when it is a plain value."""
        ctx = self.ctx
        if not isinstance(value, ast.Call):
            return isinstance(value, ast.Tuple) and len(value.elts) == 1  # `x = Column(),`
        callee = ctx.callee(value.func)
        if callee is None:
            decl = constraint(ctx, value, None, self.consts)
            if decl is not None:
                self.constraints.append(decl)
            return decl is not None
        typed = type_decl(ctx, annotation) if annotation is not None else None
        if callee.name in COLUMN_CALLS:
            self.columns.append(column(ctx, value, callee, key=key, span=span, annotation=typed))
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
            decl = constraint(ctx, value, None, self.consts)
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
            self.tablename = TablenameDecl(span, self.consts.get(key), none=none)
        elif key == "__table_args__":
            self.table_args = table_args(
                ctx, value, span, None, declared_attr=False, names=self.consts
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
        """A ``@declared_attr`` producing ``__tablename__``, ``__table_args__`` or a column."""
        decorators = [dotted(d.func if isinstance(d, ast.Call) else d) for d in fn.decorator_list]
        if not any(d is not None and "declared_attr" in d for d in decorators):
            return
        ctx = self.ctx
        cls = fn.args.args[0].arg if fn.args.args else "cls"
        result = _single_return(fn)
        span = ctx.first_line(fn)
        if fn.name == "__tablename__":
            value = template(result, cls) if result is not None else None
            self.tablename = TablenameDecl(span, value, declared_attr=True)
        elif fn.name == "__table_args__":
            if result is None:
                reason = "__table_args__ is computed and cannot be read"
                self.table_args = TableArgsDecl(span, declared_attr=True, unreadable=(reason,))
            else:
                self.table_args = table_args(ctx, result, span, cls, declared_attr=True)
        elif fn.name.startswith("__"):
            return
        elif isinstance(result, ast.Call) and (callee := ctx.callee(result.func)) is not None:
            if callee.name in COLUMN_CALLS:
                typed = type_decl(ctx, fn.returns) if fn.returns is not None else None
                self.columns.append(
                    column(
                        ctx,
                        result,
                        callee,
                        key=fn.name,
                        span=ctx.span(result),
                        annotation=typed,
                        declared_attr=True,
                    )
                )
            elif callee.name in RELATIONSHIP_CALLS:
                rel = relationship(ctx, result, callee, fn.name)
                if rel is not None:
                    self.relationships.append(rel)
        elif result is None or isinstance(result, ast.Call):
            self.unreadable.append(f"declared_attr `{fn.name}` cannot be read")


def _single_return(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    body = list(fn.body)
    if body and isinstance(body[0], ast.Expr) and str_const(body[0].value) is not None:
        body.pop(0)
    if len(body) == 1 and isinstance(body[0], ast.Return):
        return body[0].value
    return None
