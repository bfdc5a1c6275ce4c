"""Shared state of one model-schema build: tables so far, problems, verified constructs."""

from __future__ import annotations

from collections.abc import Sequence

from schema_lint.facts.models import (
    ConstraintDecl,
    DbDecl,
    Dotted,
    Expr,
    Func,
    Lit,
    Modified,
    Opaque,
    Ref,
    TableDecl,
)
from schema_lint.facts.source import Problem, Span
from schema_lint.schema.models.code import CodeEvaluator
from schema_lint.schema.models.columns import resolve_column
from schema_lint.schema.models.hierarchy import Hierarchy, MetaInfo
from schema_lint.schema.models.symbols import Env, Local, Project
from schema_lint.schema.models.tables import Pending, TBuild

__all__ = ["BuildState", "attaches", "refs", "unreadable_items"]


class BuildState:
    """The project, its classes, the tables built so far and the problems met."""

    def __init__(self, project: Project, classes: Hierarchy, dialect: str) -> None:
        self.project = project
        self.classes = classes
        self.dialect = dialect
        self.tables: list[TBuild] = []
        self.core: dict[int, TBuild] = {}
        """Tables of ``Table(...)`` calls, by ``id`` of their declaration."""
        self.problems: list[Problem] = []
        self.code = CodeEvaluator(project)
        """Evaluates names, constants and ``declared_attr`` bodies written in the project."""
        self._reported: set[tuple[str, int, int, str]] = set()

    def problem(self, kind: str, message: str, span: Span) -> None:
        key = (span.path, span.line, span.col, kind)
        if key not in self._reported:
            self._reported.add(key)
            self.problems.append(Problem(kind, message, span))

    def verified(self, env: Env, via: Dotted | None, name: str) -> bool:
        return self.project.is_sqlalchemy(env, via, name)

    def core_table(self, env: Env, decl: TableDecl) -> TBuild | None:
        """The table of a ``Table(...)`` call (built once), None if it is not SQLAlchemy's."""
        if id(decl) in self.core:
            return self.core[id(decl)]
        if not self.verified(env, decl.via, "Table"):
            return None
        if decl.name is None:
            self.problem("unanalysable", "the name of this Table cannot be read", decl.span)
            return None
        meta = self._table_meta(env, decl)
        tb = TBuild(decl.name, decl.schema or meta.schema, meta, decl.span)
        for reason in decl.unreadable:
            tb.add_reason(reason)
        for col_decl in decl.columns:
            if self.verified(env, col_decl.via, "Column"):
                col, reasons = resolve_column(self.project, env, col_decl)
                tb.add_column(col)
                for reason in reasons:
                    tb.add_reason(reason)
        for item in decl.constraints:
            if self.verified(env, item.via, item.kind.construct):
                name = item.name if isinstance(item.name, str) else None
                tb.pending.append(Pending(item, env, name))
        self.tables.append(tb)
        self.core[id(decl)] = tb
        return tb

    def _table_meta(self, env: Env, decl: TableDecl) -> MetaInfo:
        if decl.metadata is not None:
            return self.classes.meta_value(env, decl.metadata)
        if decl.via is not None:
            symbol = self.project.resolve(env, decl.via)
            if isinstance(symbol, Local) and isinstance(symbol.decl, DbDecl):
                return self.classes.db_meta(symbol)
            return MetaInfo(reason=f"{'.'.join(decl.via)} is not analysed")
        return MetaInfo(reason="a Table without MetaData")


def refs(items: Sequence[Expr]) -> list[Ref]:
    """The column references in constraint items, also inside expressions."""
    out: list[Ref] = []
    for item in items:
        if isinstance(item, Ref):
            out.append(item)
        elif isinstance(item, Func):
            out.extend(refs(item.args))
        elif isinstance(item, Modified):
            out.extend(refs((item.operand,)))
    return out


def unreadable_items(items: Sequence[Expr]) -> bool:
    """Some item is an expression that cannot be read (it may hold column references)."""
    for item in items:
        if isinstance(item, Opaque):
            return True
        if isinstance(item, Func) and unreadable_items(item.args):
            return True
        if isinstance(item, Modified) and unreadable_items((item.operand,)):
            return True
    return False


def attaches(item: ConstraintDecl) -> bool:
    """Whether a constraint outside ``__table_args__`` attaches to its columns' table:
    SQLAlchemy only does so when it names columns as objects and none as strings."""
    return bool(refs(item.items)) and not any(isinstance(i, Lit) for i in item.items)
