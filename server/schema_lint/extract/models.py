"""Read one model source file into a :class:`ModelModule`, without importing anything.

Only module-level statements (also inside top-level ``if``/``try``/``with`` blocks) and class
bodies are visited, once each: the cost is linear in the size of the file.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

from schema_lint.extract.model_bodies import read_class
from schema_lint.extract.model_calls import (
    column,
    convention_pairs,
    metadata_call,
    metadata_value,
    table,
)
from schema_lint.extract.model_code import CodeReader, function_code
from schema_lint.extract.model_constraints import constraint
from schema_lint.extract.model_context import Context, dotted, kwarg, plain_value
from schema_lint.extract.model_types import is_type_alias, type_decl
from schema_lint.facts.models import (
    ClassDecl,
    ConstDecl,
    ConstraintDecl,
    ConventionDecl,
    DbDecl,
    FactoryDecl,
    FunctionDecl,
    HelperCall,
    Import,
    LateColumn,
    MetaDataBinding,
    MetaDataDecl,
    ModelModule,
    NameAlias,
    Ref,
    TableDecl,
    TypeAliasDecl,
)
from schema_lint.facts.source import Span
from schema_lint.vocabulary.sqlalchemy import COLUMN_CALLS

__all__ = ["extract_model_file"]


def extract_model_file(path: str, text: str, tree: ast.Module) -> ModelModule:
    """The schema declarations of one file (``tree`` is ``parse_python(text).tree``)."""
    imports, stars = _imports(tree)
    first = Context(path, text, imports, set())
    dbs = _db_names(first, tree)
    ctx = Context(path, text, imports, dbs, stars=bool(stars))
    ctx.db_classes = first.db_classes
    reader = _ModuleReader(ctx)
    for stmt in _statements(tree.body):
        reader.statement(stmt)
    return ModelModule(
        path=path,
        imports=tuple(imports.values()),
        star_imports=tuple(stars),
        classes=tuple(reader.classes),
        tables=tuple(reader.tables),
        indexes=tuple(reader.indexes),
        aliases=tuple(reader.aliases),
        dbs=tuple(reader.dbs),
        factories=tuple(reader.factories),
        metadatas=tuple(reader.metadatas),
        conventions=tuple(reader.conventions),
        names=tuple(reader.names),
        late_columns=tuple(reader.late_columns),
        constants=tuple(reader.constants),
        functions=tuple(reader.functions),
        calls=tuple(reader.calls),
    )


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, looking inside ``if``/``try``/``with`` blocks."""
    for stmt in body:
        if isinstance(stmt, ast.If):
            yield from _statements(stmt.body)
            yield from _statements(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            yield from _statements(stmt.body)
            for handler in stmt.handlers:
                yield from _statements(handler.body)
            yield from _statements(stmt.orelse)
            yield from _statements(stmt.finalbody)
        elif isinstance(stmt, ast.With):
            yield from _statements(stmt.body)
        else:
            yield stmt


def _imports(tree: ast.Module) -> tuple[dict[str, Import], list[Import]]:
    imports: dict[str, Import] = {}
    stars: list[Import] = []
    for stmt in _statements(tree.body):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    imports[alias.asname] = Import(alias.asname, alias.name)
                else:
                    top = alias.name.split(".", 1)[0]
                    imports[top] = Import(top, top)
        elif isinstance(stmt, ast.ImportFrom):
            module = stmt.module or ""
            for alias in stmt.names:
                if alias.name == "*":
                    stars.append(Import("*", module, None, stmt.level))
                else:
                    local = alias.asname or alias.name
                    imports[local] = Import(local, module, alias.name, stmt.level)
    return imports, stars


def _db_names(ctx: Context, tree: ast.Module) -> set[str]:
    """Names bound to ``SQLAlchemy(...)`` in this module (Flask-SQLAlchemy ``db``), also
    through a subclass declared here (``class AppSQLAlchemy(SQLAlchemy)``)."""
    names: set[str] = set()
    for stmt in _statements(tree.body):
        if isinstance(stmt, ast.ClassDef) and _db_class(ctx, stmt):
            ctx.db_classes.add(stmt.name)
            continue
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if isinstance(value, ast.Call) and _is_db_call(ctx, value):
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def _db_class(ctx: Context, node: ast.ClassDef) -> bool:
    for base in node.bases:
        parts = dotted(base)
        if parts is not None and parts[-1] in ctx.db_classes:
            return True
        callee = ctx.callee(base)
        if callee is not None and callee.name == "SQLAlchemy" and callee.via is None:
            return True
    return False


def _is_db_call(ctx: Context, call: ast.Call) -> bool:
    if isinstance(call.func, ast.Name) and call.func.id in ctx.db_classes:
        return True
    callee = ctx.callee(call.func)
    return callee is not None and callee.name == "SQLAlchemy" and callee.via is None


class _ModuleReader:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.classes: list[ClassDecl] = []
        self.tables: list[TableDecl] = []
        self.indexes: list[ConstraintDecl] = []
        self.aliases: list[TypeAliasDecl] = []
        self.dbs: list[DbDecl] = []
        self.factories: list[FactoryDecl] = []
        self.metadatas: list[MetaDataBinding] = []
        self.conventions: list[ConventionDecl] = []
        self.names: list[NameAlias] = []
        self.late_columns: list[LateColumn] = []
        self.constants: list[ConstDecl] = []
        self.functions: list[FunctionDecl] = []
        self.calls: list[HelperCall] = []

    def statement(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.ClassDef):
            self.classes.append(read_class(self.ctx, stmt))
        elif isinstance(stmt, ast.FunctionDef):
            kept = function_code(stmt)
            if kept is not None:
                self.functions.append(FunctionDecl(stmt.name, *kept))
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self.assign(target, stmt.value, stmt)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self.assign(stmt.target, stmt.value, stmt)
        elif isinstance(stmt, ast.Expr):
            decl = constraint(self.ctx, stmt.value)
            callee = self.ctx.callee(stmt.value.func) if isinstance(stmt.value, ast.Call) else None
            if decl is not None:
                self.indexes.append(decl)
            elif isinstance(stmt.value, ast.Call) and callee is not None and callee.name == "Table":
                self.tables.append(table(self.ctx, stmt.value, callee, None))  # not kept in a name
            elif isinstance(stmt.value, ast.Call):
                self.helper_call(stmt.value)

    def helper_call(self, call: ast.Call) -> None:
        """A function call that is not SQLAlchemy's, given dotted names (maybe models) as
        positional arguments: ``make_index(Model.col)``, ``utils.add_fts(Model, "name")``.
        Methods of objects (``signal.connect(handler, sender=Model)``) are left out."""
        callee = dotted(call.func)
        if callee is None or len(callee) > 2 or self.ctx.library_name(callee) is not None:
            return
        args = tuple(parts for v in call.args if (parts := dotted(v)) is not None)
        if args:
            self.calls.append(HelperCall(callee, args, self.ctx.span(call)))

    def assign(self, target: ast.expr, value: ast.expr, stmt: ast.stmt) -> None:
        parts = dotted(target)
        if parts is None:
            return
        if len(parts) == 1:
            self.bind(parts[0], value, stmt)
        else:
            self.set_attribute(parts, value, stmt)

    def bind(self, name: str, value: ast.expr, stmt: ast.stmt) -> None:
        ctx = self.ctx
        span = ctx.span(stmt)
        if isinstance(value, ast.Call) and not plain_value(value):
            self.bind_call(name, value, stmt)
        elif is_type_alias(value):
            self.aliases.append(TypeAliasDecl(name, type_decl(ctx, value), span))
        elif isinstance(value, ast.Dict):
            pairs = convention_pairs(value)
            if pairs is not None:
                self.conventions.append(ConventionDecl(name, pairs))
        elif (target := dotted(value)) is not None:
            self.names.append(NameAlias(name, target))
        elif plain_value(value) and (code := CodeReader().read(value)) is not None:
            self.constants.append(ConstDecl(name, code))  # `TABLE = "users"`, a pattern

    def bind_call(self, name: str, call: ast.Call, stmt: ast.stmt) -> None:
        ctx = self.ctx
        span = ctx.span(stmt)
        if _is_db_call(ctx, call):
            self.dbs.append(_db(ctx, name, call, stmt))
            return
        imported = ctx.callee(call.func)
        if imported is not None and imported.via is not None and "SQLAlchemy" in imported.name:
            # maybe a subclass of Flask-SQLAlchemy's in another module: checked when resolved
            self.dbs.append(replace(_db(ctx, name, call, stmt), via=dotted(call.func)))
            return
        if isinstance(call.func, ast.Attribute) and call.func.attr == "generate_base":
            owner = call.func.value
            inner = ctx.callee(owner.func) if isinstance(owner, ast.Call) else None
            if (
                isinstance(owner, ast.Call)
                and inner is not None
                and inner.name == "registry"
                and inner.via is None
            ):
                # `registry(metadata=...).generate_base()`: a base on that metadata
                self.factories.append(_factory(ctx, name, owner, "declarative_base", span))
            else:  # `reg.generate_base()`, `reg` maybe imported: resolved across files
                registry = dotted(owner)
                self.factories.append(FactoryDecl(name, span, "generate", registry=registry))
            return
        callee = ctx.callee(call.func)
        if callee is None:
            decl = constraint(ctx, call)
            if decl is not None:
                self.indexes.append(decl)
            return
        kind = callee.name
        if kind == "Table":
            self.tables.append(table(ctx, call, callee, name))
        elif kind == "MetaData":
            self.metadatas.append(MetaDataBinding((name,), metadata_call(ctx, call), span))
        elif kind in ("declarative_base", "registry"):
            self.factories.append(_factory(ctx, name, call, kind, span))
        else:
            decl = constraint(ctx, call)
            if decl is not None:
                self.indexes.append(decl)

    def set_attribute(self, parts: tuple[str, ...], value: ast.expr, stmt: ast.stmt) -> None:
        ctx = self.ctx
        span = ctx.span(stmt)
        if parts[-1] == "metadata":
            self.metadatas.append(MetaDataBinding(parts, metadata_value(ctx, value), span))
        elif parts[-1] == "naming_convention" and len(parts) > 1:
            if isinstance(value, ast.Dict):
                pairs = convention_pairs(value)
                decl = MetaDataDecl(pairs, unreadable=pairs is None, span=span)
            elif (name := dotted(value)) is not None:
                decl = MetaDataDecl(Ref(name), span=span)
            else:
                decl = MetaDataDecl(unreadable=True, span=span)
            self.metadatas.append(MetaDataBinding(parts[:-1], decl, span, attribute=True))
        elif len(parts) == 2 and isinstance(value, ast.Call):
            callee = ctx.callee(value.func)
            if callee is not None and callee.name in COLUMN_CALLS - {"Field"}:
                col = column(ctx, value, callee, key=parts[1], span=span)
                self.late_columns.append(LateColumn(parts[:1], col))


def _factory(ctx: Context, name: str, call: ast.Call, kind: str, span: Span) -> FactoryDecl:
    """``declarative_base(metadata=..., cls=..., metaclass=...)`` or ``registry(...)``."""
    meta = kwarg(call, "metadata")
    cls = kwarg(call, "cls")
    metaclass = kwarg(call, "metaclass")
    return FactoryDecl(
        name,
        span,
        "base" if kind == "declarative_base" else "registry",
        metadata_value(ctx, meta) if meta is not None else None,
        cls=dotted(cls) if cls is not None else None,
        metaclass=dotted(metaclass) if metaclass is not None else None,
    )


def _db(ctx: Context, name: str, call: ast.Call, stmt: ast.stmt) -> DbDecl:
    meta = kwarg(call, "metadata")
    model_class = kwarg(call, "model_class")
    autonaming = kwarg(call, "disable_autonaming")
    span = ctx.span(stmt)
    model_base = None
    if isinstance(model_class, ast.Call):
        callee = ctx.callee(model_class.func)
        if callee is not None and callee.name == "declarative_base" and callee.via is None:
            model_base = _factory(ctx, f"{name}.Model", model_class, callee.name, span)
    return DbDecl(
        name=name,
        span=span,
        metadata=metadata_value(ctx, meta) if meta is not None else None,
        model_class=dotted(model_class) if model_class is not None else None,
        autonaming=not (isinstance(autonaming, ast.Constant) and autonaming.value is True),
        model_base=model_base,
    )
