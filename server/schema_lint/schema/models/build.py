"""The schema the models declare, resolved across every model file of a project.

This reproduces what SQLAlchemy's declarative machinery (and Flask-SQLAlchemy, SQLModel)
puts in ``MetaData`` at import time, from :class:`ModelModule` facts only: nothing is
imported or executed. What cannot be read statically makes a table ``incomplete`` with a
reason instead of being guessed.
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from schema_lint.facts.models import (
    ClassDecl,
    DbDecl,
    Dotted,
    FactoryDecl,
    FunctionDecl,
    Lit,
    MetaDataBinding,
    ModelModule,
    Ref,
    RelationshipDecl,
    TableDecl,
)
from schema_lint.facts.schema import Schema, Table
from schema_lint.schema.models.columns import CBuild, resolve_column
from schema_lint.schema.models.hierarchy import ClassNode, Hierarchy, MetaInfo
from schema_lint.schema.models.mapping import ClassMapper, camel_to_snake_case
from schema_lint.schema.models.state import (
    BuildState,
    attaches,
    refs,
    unreadable_items,
)
from schema_lint.schema.models.symbols import Attr, Env, Lib, Local, ModuleLoader, Project, Unread
from schema_lint.schema.models.tables import Finalizer, Pending, TBuild
from schema_lint.vocabulary.sqlalchemy import ConstraintKind

__all__ = ["build_model_schema", "camel_to_snake_case"]

_BUILTINS = frozenset(dir(builtins))


def build_model_schema(
    modules: Sequence[ModelModule],
    *,
    dialect: str = "postgresql",
    loader: ModuleLoader | None = None,
) -> Schema:
    """Tables, problems and naming convention declared by ``modules`` (the model files of a
    project); ``loader`` reads the project's other modules when a name leads there."""
    return _Builder(modules, dialect, loader).build()


class _Builder:
    def __init__(
        self, modules: Sequence[ModelModule], dialect: str, loader: ModuleLoader | None
    ) -> None:
        project = Project(modules, loader)
        self.loader = loader
        self.state = BuildState(project, Hierarchy(project), dialect)
        self.project = project
        self.classes = self.state.classes
        self.mapper = ClassMapper(self.state)

    def build(self) -> Schema:
        state = self.state
        for env in self.project.envs:
            for decl in env.module.tables:
                state.core_table(env, decl)
        for node in self.classes.all():
            self.mapper.map(node)
        for node in self.classes.all():
            self._class_constraint_problems(node)
            if node.table is None and self._looks_like_a_model(node):
                self.mapper.ancestry_reasons(node)
        for env in self.project.envs:
            self._late_columns(env)
            self._module_constraints(env)
            self._helper_calls(env)
        by_name: dict[str, TBuild] = {}
        for tb in state.tables:
            by_name.setdefault(tb.qualified_name, tb)
            by_name.setdefault(tb.name, tb)
        for node in self.classes.all():
            for rel in node.decl.relationships:
                self._secondary(node.env, rel, by_name)
            if node.table is not None:
                for owner, rel in self.mapper.declared_relationships(node):
                    self._secondary(owner.env, rel, by_name)
        finalizer = Finalizer(state.dialect, self._resolve_ref)
        by_key: dict[str, list[tuple[TBuild, Table]]] = {}
        for tb in state.tables:
            table = finalizer.table(tb)
            by_key.setdefault(table.qualified_name, []).append((tb, table))
        chosen = {key: self._one_table(key, found) for key, found in by_key.items()}
        self._metadata_problems(list(chosen.values()))
        tables = {key: table for key, (_, table) in chosen.items()}
        project = self.project
        return Schema(
            tables=tables,
            problems=tuple(state.problems),
            naming_convention=self._convention(),
            depends_on=project.reads.dependencies(project.index.digest) if self.loader else None,
        )

    def _one_table(self, key: str, found: list[tuple[TBuild, Table]]) -> tuple[TBuild, Table]:
        """The table checked under ``key``: tables belong to a ``MetaData``, and a copy of a
        table on another one (a frozen model kept for data migrations) is not the same.

        The application's is outside a migrations folder, then on the ``MetaData`` with the
        most tables (the root of a copy is usually readable while the application's may not
        be, so size alone can pick the copy)."""
        if len(found) == 1:
            return found[0]
        sizes = Counter(id(tb.meta) for tb in self.state.tables)

        def rank(tb: TBuild) -> tuple[bool, int]:
            return not _in_migrations(tb.span.path), sizes[id(tb.meta)]

        best = max(rank(tb) for tb, _ in found)
        main = [(tb, t) for tb, t in found if rank(tb) == best]
        first_tb, first = main[0]
        if len({id(tb.meta) for tb, _ in main}) > 1:
            reason = f"table {key} is declared on several MetaData of the same size"
            return first_tb, replace(first, incomplete=(*first.incomplete, reason))
        where = f"{first_tb.span.path}:{first_tb.span.line}"
        for tb, _ in found:
            if rank(tb) != best:
                on = "another" if tb.meta is not first_tb.meta else "the same"
                self.state.problem(
                    "duplicate-table",
                    f"table {key} is also declared on {on} MetaData at {where}, which is the "
                    "one checked: this copy is not",
                    tb.span,
                )
        if len(main) > 1:
            reason = f"table {key} is declared more than once"
            return first_tb, replace(first, incomplete=(*first.incomplete, reason))
        return first_tb, first

    def _metadata_problems(self, chosen: list[tuple[TBuild, Table]]) -> None:
        """Say which names are unknown in tables that are otherwise checked (incomplete tables
        are reported on their own): once per ``MetaData`` whose convention or schema cannot
        be read, and at each constraint whose given name cannot be read."""
        groups: dict[int, list[tuple[TBuild, Table]]] = {}
        for tb, table in chosen:
            if table.incomplete:
                continue
            for span, _ in tb.unknown_names:
                self.state.problem(
                    "unanalysable",
                    "this name cannot be read statically: the index or constraint is compared "
                    "by its columns and uniqueness only",
                    span,
                )
            if table.naming_unknown or tb.meta.schema_reason:
                groups.setdefault(id(tb.meta), []).append((tb, table))
        for group in groups.values():
            self._metadata_problem(group)

    def _metadata_problem(self, group: list[tuple[TBuild, Table]]) -> None:
        meta = group[0][0].meta
        own = {reason for tb, _ in group for _, reason in tb.unknown_names}
        schema = meta.schema_reason
        reasons = list(dict.fromkeys(r for _, t in group for r in t.naming_unknown if r not in own))
        named = [t for _, t in group if set(t.naming_unknown) - own - {schema}]
        labels = [t for _, t in group if schema in t.naming_unknown]
        first = group[0][0].span
        default = "checked as if in the default schema"
        if meta.convention is None:  # the whole MetaData is unknown
            message = (
                f"{'; '.join(reasons)}: the names its naming convention gives in {len(group)} "
                "table(s) are unknown, so their indexes are compared by columns and uniqueness "
                "only" + (f", and its tables are {default}" if schema else "")
            )
            self.state.problem("unanalysable", message, meta.convention_span or meta.span or first)
            return
        others = [r for r in reasons if r != schema]
        if others and named:
            self.state.problem(
                "unanalysable",
                f"{'; '.join(others)}: the names it gives in {len(named)} table(s) are unknown, "
                "so their indexes are compared by columns and uniqueness only",
                meta.convention_span or meta.span or named[0].span or first,
            )
        if schema is not None:
            message = f"{schema}: its {len(group)} table(s) are {default}"
            if labels:
                message += (
                    f", and the names built from column labels in {len(labels)} of them are "
                    "unknown (compared by columns and uniqueness only)"
                )
            self.state.problem("unanalysable", message, meta.span or first)

    # --- late additions ----------------------------------------------------------------

    def _late_columns(self, env: Env) -> None:
        for late in env.module.late_columns:
            node = self.classes.node(self.project.resolve(env, late.owner))
            if node is None or node.table is None:
                continue
            if not self.state.verified(env, late.column.via, late.column.style):
                continue
            col, reasons = resolve_column(self.project, env, late.column)
            tb = node.table
            if tb.add_column(col):
                node.attrs[col.attr or col.name] = (tb, col)
            for reason in reasons:
                tb.add_reason(reason)

    def _module_constraints(self, env: Env) -> None:
        for item in env.module.indexes:
            if not self.state.verified(env, item.via, item.kind.construct):
                continue
            construct = item.kind.construct
            if not attaches(item):
                if unreadable_items(item.items):
                    continue
                if item.kind is ConstraintKind.INDEX:
                    self.state.problem(
                        "detached-index",
                        f"{construct}() outside a table without any column object (only "
                        "names as strings or text): it is attached to no table and never "
                        "created",
                        item.span,
                    )
                else:
                    self.state.problem(
                        "ignored-constraint",
                        f"{construct}() outside a table with columns given as strings is "
                        "attached to no table and ignored",
                        item.span,
                    )
                continue
            for ref in refs(item.items):
                found = self._resolve_ref(env, ref.parts)
                if found is not None:
                    name = item.name if isinstance(item.name, str) else None
                    found[0].pending.append(Pending(item, env, name))
                    break

    def _helper_calls(self, env: Env) -> None:
        """``make_fts_index(Model, "col")``: a project function given a model at module level
        may add indexes or constraints to its table, which is then not judged; given a
        ``MetaData`` (``make_searchable(Base.metadata)``), to every table on it."""
        for call in env.module.calls:
            if call.callee[0] in _BUILTINS and call.callee[0] not in env.defs:
                continue
            symbol = self.project.resolve(env, call.callee)
            if isinstance(symbol, Lib) or (isinstance(symbol, Unread) and not symbol.project):
                continue  # a library function (event.listen, ...)
            if isinstance(symbol, Local) and not isinstance(symbol.decl, ClassDecl | FunctionDecl):
                continue  # a table, a metadata, a factory...: not a helper
            if isinstance(symbol, Attr) and isinstance(symbol.owner.decl, DbDecl):
                continue  # `db.Table(...)`, `db.Index(...)`: Flask-SQLAlchemy's own
            written = ".".join(call.callee)
            reason = f"`{written}(...)` at line {call.span.line} may add indexes or constraints"
            for arg in call.args:
                tb = self._table_of(env, arg)
                tables = [tb] if tb is not None else self._tables_on(env, arg)
                for table in tables:
                    table.add_reason(reason)
                if not tables:
                    continue
                if tb is not None:
                    target = f"{tb.qualified_name}, which is not checked"
                else:
                    target = (
                        f"the {len(tables)} table(s) of `{'.'.join(arg)}`, which are not checked"
                    )
                self.state.problem(
                    "unanalysable",
                    f"`{written}(...)` is not read statically: it may add indexes or "
                    f"constraints to {target}",
                    call.span,
                )

    def _tables_on(self, env: Env, parts: Dotted) -> list[TBuild]:
        """The tables of the ``MetaData`` a name denotes (``Base.metadata``, ``metadata``,
        ``db``, a declarative base), if it denotes one."""
        symbol = self.project.resolve(env, parts)
        written = ".".join(parts)
        meta: MetaInfo | None = None
        node = self.classes.node(symbol)
        if node is not None and self.classes.is_root(node):
            meta = self.classes.class_meta(node)
        elif isinstance(symbol, Local) and isinstance(symbol.decl, DbDecl):
            meta = self.classes.db_meta(symbol)
        elif isinstance(symbol, Local) and isinstance(symbol.decl, FactoryDecl):
            meta = self.classes.factory_meta(symbol)
        elif (isinstance(symbol, Local) and isinstance(symbol.decl, MetaDataBinding)) or (
            isinstance(symbol, Attr) and symbol.rest[-1:] == ("metadata",)
        ):
            meta = self.classes.meta_symbol(symbol, written)
        if meta is None:
            return []
        return [tb for tb in self.state.tables if tb.meta is meta]

    def _table_of(self, env: Env, parts: Dotted) -> TBuild | None:
        """The table a model, its ``__table__``, one of its columns, or a ``Table`` denotes."""
        symbol = self.project.resolve(env, parts)
        if isinstance(symbol, Attr):
            symbol = symbol.owner
        node = self.classes.node(symbol)
        if node is not None:
            return node.table
        if isinstance(symbol, Local) and isinstance(symbol.decl, TableDecl):
            return self.state.core.get(id(symbol.decl))
        return None

    def _class_constraint_problems(self, node: ClassNode) -> None:
        for item in node.decl.constraints:
            construct = item.kind.construct
            if not self.state.verified(node.env, item.via, construct):
                continue
            if unreadable_items(item.items):
                continue
            if not attaches(item):
                self.state.problem(
                    "ignored-constraint",
                    f"{construct}() written in the body of {node.decl.name} with columns as "
                    "strings is silently ignored by SQLAlchemy: put it in __table_args__",
                    item.span,
                )
            elif not self.classes.is_mapped(node) and not self.classes.unresolved(node):
                self.state.problem(
                    "ignored-constraint",
                    f"{construct}() in the body of {node.decl.name}, which is not mapped, is "
                    "never attached to a table: declare it in __table_args__ (with "
                    "@declared_attr on a mixin)",
                    item.span,
                )

    def _looks_like_a_model(self, node: ClassNode) -> bool:
        """A class with an unreadable base that declares table things (worth a problem)."""
        decl = node.decl
        if not node.unresolved:
            return False
        if decl.tablename or decl.table or decl.table_args or ("table", "True") in decl.keywords:
            return True
        return any(
            (
                c.style in ("Column", "mapped_column", "Field")
                and self.state.verified(node.env, c.via, c.style)
            )
            or (c.annotation is not None and c.annotation.container == "Mapped")
            for c in decl.columns
        )

    def _secondary(self, env: Env, rel: RelationshipDecl, by_name: dict[str, TBuild]) -> None:
        if not self.state.verified(env, rel.via, "relationship"):
            return
        target = rel.secondary
        tb: TBuild | None = None
        if isinstance(target, Lit):
            tb = by_name.get(target.value)
            if tb is None and target.value.replace(".", "").isidentifier():
                target = Ref(tuple(target.value.split(".")))
        if isinstance(target, Ref):
            symbol = self.project.resolve(env, target.parts)
            if isinstance(symbol, Attr) and symbol.rest == ("__table__",):
                symbol = symbol.owner
            node = self.classes.node(symbol)
            if node is not None and node.table is not None:
                tb = node.table
            elif isinstance(symbol, Local) and isinstance(symbol.decl, TableDecl):
                tb = self.state.core.get(id(symbol.decl))
        if tb is not None:
            tb.secondary_of.append(rel.span)

    # --- references --------------------------------------------------------------------

    def _resolve_ref(self, env: Env, parts: Dotted) -> tuple[TBuild, CBuild] | None:
        """``Model.attr``, ``Model.__table__.c.key`` or ``table.c.key`` as a column."""
        symbol = self.project.resolve(env, parts)
        if not isinstance(symbol, Attr):
            return None
        rest = symbol.rest
        node = self.classes.node(symbol.owner)
        if node is not None:
            if len(rest) == 1:
                return node.attrs.get(rest[0])
            if len(rest) == 3 and rest[0] == "__table__" and rest[1] in ("c", "columns"):
                tb = node.table
                if tb is not None and rest[2] in tb.by_key:
                    return tb, tb.by_key[rest[2]]
            return None
        if (
            isinstance(symbol.owner.decl, TableDecl)
            and len(rest) == 2
            and rest[0] in ("c", "columns")
        ):
            tb = self.state.core.get(id(symbol.owner.decl))
            if tb is not None and rest[1] in tb.by_key:
                return tb, tb.by_key[rest[1]]
        return None

    def _convention(self) -> tuple[tuple[str, str], ...]:
        counts = Counter(id(tb.meta) for tb in self.state.tables)
        if not counts:
            return ()
        most = counts.most_common(1)[0][0]
        meta = next(tb.meta for tb in self.state.tables if id(tb.meta) == most)
        return tuple((meta.effective() or {}).items())


_MIGRATION_FOLDERS = frozenset({"migrations", "migration", "alembic", "db_migrations"})


def _in_migrations(path: str) -> bool:
    """Whether a file is inside a folder named like an Alembic script folder."""
    parts = path.replace("\\", "/").split("/")[:-1]
    return any(part in _MIGRATION_FOLDERS for part in parts)
