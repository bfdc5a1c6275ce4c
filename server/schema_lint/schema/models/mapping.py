"""Declarative classes mapped to tables, as SQLAlchemy, Flask-SQLAlchemy and SQLModel do.

``__tablename__`` and ``__table_args__`` are looked up along the MRO with declarative's
rules (a mapped superclass's plain values do not apply, ``declared_attr`` ones do); columns
are the class's own followed by copies from mixins and abstract bases in MRO order, unless
an earlier class in the MRO defines the same attribute.
"""

from __future__ import annotations

import re

from schema_lint.facts.models import (
    ColumnDecl,
    DeclaredAttrDecl,
    Ref,
    RelationshipDecl,
    TableArgsDecl,
    TableDecl,
)
from schema_lint.facts.source import Span
from schema_lint.schema.models.code import ClassView, Result, Unknown
from schema_lint.schema.models.columns import CBuild, annotation_info, resolve_column
from schema_lint.schema.models.hierarchy import ClassNode, Progress, Root
from schema_lint.schema.models.state import BuildState, attaches, unreadable_items
from schema_lint.schema.models.symbols import Local
from schema_lint.schema.models.tables import Pending, TBuild
from schema_lint.vocabulary.sqlalchemy import ConstraintKind

_CAMEL = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")


def camel_to_snake_case(name: str) -> str:
    """Flask-SQLAlchemy 3's automatic table name (``flask_sqlalchemy.model``)."""
    return _CAMEL.sub(r"_\1", name).lower().lstrip("_")


class ClassMapper:
    """Maps every project class, parents first, recording tables in ``state``."""

    def __init__(self, state: BuildState) -> None:
        self.state = state
        self.project = state.project
        self.classes = state.classes
        self.code = state.code

    def map(self, node: ClassNode) -> None:
        if node.progress is not Progress.NOT_STARTED:
            return
        node.progress = Progress.MAPPING
        for base in self.classes.classes_in_mro(node):
            if base is not node:
                self.map(base)
        if self.classes.is_mapped(node):
            root = self.classes.root(node)
            parent = self._mapped_parent(node)
            if root is not None and root.kind == "sqlmodel":
                if parent is None:  # SQLModel does not map a table model's table subclass
                    self._map_class(node, root, None, *self._sqlmodel_columns(node))
            else:
                self._map_class(node, root, parent, *self._declarative_columns(node))
        node.progress = Progress.MAPPED

    def _mapped_parent(self, node: ClassNode) -> ClassNode | None:
        for base in self.classes.classes_in_mro(node):
            if base is not node and base.table is not None:
                return base
        return None

    def _map_class(
        self,
        node: ClassNode,
        root: Root | None,
        parent: ClassNode | None,
        columns: list[CBuild],
        column_reasons: list[str],
    ) -> None:
        decl = node.decl
        reasons = [*self.ancestry_reasons(node), *column_reasons]
        if root is not None and root.reason is not None:
            reasons.append(root.reason)
        if decl.table is not None:
            self._explicit_table(node, reasons)
            return
        name, span, readable = self._tablename(node)
        if not readable:
            message = f"the table name of {decl.name} cannot be read statically"
            self.state.problem("unanalysable", message, decl.span)
            reasons.append(message)
            name = f"<{decl.name}>"
        flask = root is not None and root.kind == "flask" and root.autoname
        if flask and self._flask_autoname(node):
            name, span = camel_to_snake_case(decl.name), None
        found = self._table_args(node)
        if found is not None and found[0].choices is not None:
            found = (self._chosen_args(found[0], found[1], node, name), found[1], found[2])
        args = found[0] if found is not None and (name is not None or not found[2]) else None
        if name is not None and flask and self._flask_single_table(parent, columns, args):
            name = None
        if name is None:
            if parent is None or parent.table is None:
                return  # SQLAlchemy refuses a mapped class without a table
            tb = parent.table
            if found is not None and not found[2]:
                reasons.append(f"{decl.name} has __table_args__ but no table: SQLAlchemy raises")
            columns = [c for c in columns if tb.add_column(c)]
        else:
            meta = (
                self.classes.class_meta(node)
                if root is not None
                else self.classes.unknown_root_meta(node)
            )
            schema = args.schema if args is not None and args.schema else meta.schema
            tb = TBuild(name, schema, meta, span or decl.span)
            tb.class_name, tb.class_span = decl.name, decl.span
            self.state.tables.append(tb)
            for col in columns:
                tb.add_column(col)
        node.table = tb
        node.attrs = dict(parent.attrs) if parent is not None else {}
        for col in columns:
            if col.attr is not None:
                node.attrs[col.attr] = (tb, col)
                node.mapped_keys.add(col.attr)
        # Names a class body binds before a later expression of the same body.
        scope = {c.attr: c for c in columns if c.attr is not None and c.inherited_from is None}
        if name is not None and found is not None and args is not None:
            self._add_table_args(node, tb, found[0], found[1], reasons, scope)
        for item in decl.constraints:
            if not self.state.verified(node.env, item.via, item.kind.construct):
                continue
            if attaches(item):
                name = self.code.name(item.name, node.env, ClassView(node))
                tb.pending.append(Pending(item, node.env, name, scope))
            elif unreadable_items(item.items):
                reasons.append(f"{item.kind.construct}() in {decl.name} cannot be read")
        for reason in reasons:
            tb.add_reason(reason)

    def _explicit_table(self, node: ClassNode, reasons: list[str]) -> None:
        decl = node.decl
        table = decl.table
        tb: TBuild | None = None
        if isinstance(table, TableDecl):
            tb = self.state.core_table(node.env, table)
        elif isinstance(table, Ref):
            symbol = self.project.resolve(node.env, table.parts)
            if isinstance(symbol, Local) and isinstance(symbol.decl, TableDecl):
                tb = self.state.core_table(symbol.env, symbol.decl)
        if tb is None:
            return
        tb.class_name, tb.class_span = decl.name, decl.span
        for reason in reasons:
            tb.add_reason(reason)
        node.table = tb
        node.attrs = {c.key: (tb, c) for c in tb.columns}
        node.mapped_keys = set(node.attrs)

    def ancestry_reasons(self, node: ClassNode) -> list[str]:
        reasons: list[str] = []
        for cls, span, why in self.classes.unresolved(node):
            self.state.problem("unresolved-base", f"{cls.decl.name}: {why}", span)
            reasons.append(f"{cls.decl.name}: {why}")
        for cls in self.classes.classes_in_mro(node):
            if cls is node or not self.classes.is_mapped(cls):
                reasons.extend(cls.decl.unreadable)
        return reasons

    def _tablename(self, node: ClassNode) -> tuple[str | None, Span | None, bool]:
        """``__tablename__`` as declarative reads it: (name, span, readable)."""
        first = None
        for base in node.mro:
            decl = base.decl.tablename if isinstance(base, ClassNode) else base.tablename
            if decl is None:
                continue
            if first is None:
                first = (base, decl)
            mapped = base is not node and isinstance(base, ClassNode) and self._is_mapped(base)
            if not mapped or decl.declared_attr:
                owner, value = first
                if value.none:
                    return None, None, True
                if value.value is None:
                    return None, None, False
                env = owner.env if isinstance(owner, ClassNode) else node.env
                name = value.value
                if not isinstance(name, str):
                    name = self.code.evaluate(name, env, ClassView(node))
                if name is None:  # a declared_attr returning None: no table of its own
                    return None, None, True
                span = value.span if owner is node and not value.declared_attr else None
                return (name, span, True) if isinstance(name, str) else (None, None, False)
        return None, None, True

    def _is_mapped(self, node: ClassNode) -> bool:
        return self.classes.is_mapped(node)

    def _chosen_args(
        self, args: TableArgsDecl, owner: ClassNode, node: ClassNode, name: str | None
    ) -> TableArgsDecl:
        """The ``__table_args__`` a ``declared_attr`` that decides per class returns for
        ``node`` (unreadable when that cannot be evaluated)."""
        assert args.choices is not None
        value = self._run(args.choices, owner, node, name)
        if isinstance(value, Result):
            chosen = args.choices.results[value.index]
            if isinstance(chosen, TableArgsDecl):
                return chosen
        if value is None:
            return TableArgsDecl(args.span, declared_attr=True)
        reason = value.reason if isinstance(value, Unknown) else "it is not a tuple or a dict"
        message = f"__table_args__ of {owner.decl.name} cannot be read for {node.decl.name}"
        return TableArgsDecl(args.span, declared_attr=True, unreadable=(f"{message}: {reason}",))

    def _run(
        self, attr: DeclaredAttrDecl, owner: ClassNode, node: ClassNode, name: str | None = None
    ) -> object:
        """What a ``declared_attr`` of ``owner`` returns for the class ``node``."""
        return self.code.evaluate(attr.program, owner.env, ClassView(node, name))

    def _table_args(self, node: ClassNode) -> tuple[TableArgsDecl, ClassNode, bool] | None:
        """``__table_args__`` as declarative reads it, its owner and whether inherited."""
        first: tuple[TableArgsDecl, ClassNode] | None = None
        for base in self.classes.classes_in_mro(node):
            args = base.decl.table_args
            if args is None:
                continue
            if first is None:
                first = (args, base)
            if base is node or not self._is_mapped(base) or args.declared_attr:
                return first[0], first[1], base is not node
        return None

    def _add_table_args(
        self,
        node: ClassNode,
        tb: TBuild,
        args: TableArgsDecl,
        owner: ClassNode,
        reasons: list[str],
        scope: dict[str, CBuild],
    ) -> None:
        if args.invalid:
            self.state.problem(
                "invalid-table-args",
                "__table_args__ must be a tuple or a dict (a single constraint needs a "
                "trailing comma): SQLAlchemy raises ArgumentError",
                args.span,
            )
            reasons.append("__table_args__ is neither a tuple nor a dict")
            return
        reasons.extend(args.unreadable)
        inherited = owner.decl.name if owner is not node else None
        # A plain tuple in the class's own body may name its columns by their variables.
        own = scope if owner is node and not args.declared_attr else None
        for item in args.items:
            if self.state.verified(owner.env, item.via, item.kind.construct):
                name = self.code.name(item.name, owner.env, ClassView(node, tb.name))
                tb.pending.append(Pending(item, owner.env, name, own, inherited, args.cls))

    def _flask_autoname(self, node: ClassNode) -> bool:
        """``flask_sqlalchemy.model.should_set_tablename``."""
        if node.decl.abstract or self.classes.is_root(node):
            return False
        for base in self.classes.classes_in_mro(node):
            decl = base.decl.tablename
            if decl is None:
                continue
            if decl.declared_attr:
                return False
            return not (base is node or base.decl.abstract or self.classes.root(base) is None)
        return True

    def _flask_single_table(
        self, parent: ClassNode | None, columns: list[CBuild], args: TableArgsDecl | None
    ) -> bool:
        """Flask-SQLAlchemy's ``__table_cls__``: no primary key under a mapped parent."""
        if parent is None or parent.table is None:
            return False
        if any(c.primary_key for c in columns):
            return False
        return not (
            args is not None and any(i.kind is ConstraintKind.PRIMARY_KEY for i in args.items)
        )

    # --- columns -----------------------------------------------------------------------

    def _declarative_columns(self, node: ClassNode) -> tuple[list[CBuild], list[str]]:
        chosen: list[tuple[ColumnDecl, ClassNode]] = []
        reasons: list[str] = []
        for base in self.classes.classes_in_mro(node):
            if base is not node and self._is_mapped(base):
                continue
            own = [
                col
                for col in base.decl.columns
                if (base is node or (col.key is not None and self._definer(node, col.key) is base))
                and self._is_declarative_column(base, col)
            ]
            own.extend(self._declared_columns(base, node, reasons))
            if base.decl.declared:  # in the order the body binds them
                order = {name: i for i, name in enumerate(base.decl.names)}
                own.sort(key=lambda c: order.get(c.key or "", len(order)))
            chosen.extend((col, base) for col in own)
        columns, resolve_reasons = self._resolve(chosen, node, sqlmodel=False)
        columns.sort(key=lambda c: c.sort_order)
        return columns, [*reasons, *resolve_reasons]

    def _declared_columns(
        self, owner: ClassNode, node: ClassNode, reasons: list[str]
    ) -> list[ColumnDecl]:
        """The columns ``owner``'s per-class ``declared_attr``s give ``node``."""
        out: list[ColumnDecl] = []
        for attr in owner.decl.declared:
            if attr.name.startswith("__") or self._definer(node, attr.name) is not owner:
                continue
            value = self._run(attr, owner, node)
            if isinstance(value, Result):
                result = attr.results[value.index]
                if isinstance(result, ColumnDecl) and self._is_declarative_column(owner, result):
                    out.append(result)
            elif isinstance(value, Unknown):
                reasons.append(
                    f"declared_attr `{attr.name}` of {owner.decl.name} cannot be read for "
                    f"{node.decl.name}: {value.reason}"
                )
        return out

    def declared_relationships(self, node: ClassNode) -> list[tuple[ClassNode, RelationshipDecl]]:
        """The relationships per-class ``declared_attr``s give the mapped class ``node``
        (only those known: an unknown one is not counted as a use)."""
        out: list[tuple[ClassNode, RelationshipDecl]] = []
        for base in self.classes.classes_in_mro(node):
            if base is not node and self._is_mapped(base):
                continue
            for attr in base.decl.declared:
                if attr.name.startswith("__") or self._definer(node, attr.name) is not base:
                    continue
                value = self._run(attr, base, node)
                if isinstance(value, Result):
                    result = attr.results[value.index]
                    if isinstance(result, RelationshipDecl):
                        out.append((base, result))
        return out

    def _is_declarative_column(self, owner: ClassNode, col: ColumnDecl) -> bool:
        if col.style in ("Column", "mapped_column"):
            return self.state.verified(owner.env, col.via, col.style)
        if col.style == "annotation" and col.annotation is not None:
            if col.annotation.container != "Mapped":
                return False
            target = annotation_info(self.project, owner.env, col.annotation).target
            model = self.classes.node(target)  # `x: Mapped[Model]` needs relationship()
            return model is None or self.classes.root(model) is None
        return False

    def _definer(self, node: ClassNode, key: str) -> ClassNode | None:
        """The class Python's attribute lookup finds ``key`` on first."""
        for base in self.classes.classes_in_mro(node):
            if key in base.decl.names or key in base.mapped_keys:
                return base
        return None

    def _sqlmodel_columns(self, node: ClassNode) -> tuple[list[CBuild], list[str]]:
        fields: dict[str, tuple[ColumnDecl, ClassNode]] = {}
        for base in reversed(list(self.classes.classes_in_mro(node))):
            relationships = {r.key for r in base.decl.relationships}
            for col in base.decl.columns:
                key = col.key
                if key is None or key.startswith("_") or key in relationships:
                    continue
                if col.annotation is not None and col.annotation.container == "ClassVar":
                    continue
                if col.style == "mapped_column" or (
                    col.style in ("Column", "Field")
                    and not self.state.verified(base.env, col.via, col.style)
                ):
                    continue
                fields[key] = (col, base)
        return self._resolve(list(fields.values()), node, sqlmodel=True)

    def _resolve(
        self, chosen: list[tuple[ColumnDecl, ClassNode]], node: ClassNode, *, sqlmodel: bool
    ) -> tuple[list[CBuild], list[str]]:
        out: list[CBuild] = []
        all_reasons: list[str] = []
        for decl, owner in chosen:
            inherited = owner.decl.name if owner is not node else None
            col, reasons = resolve_column(
                self.project, owner.env, decl, sqlmodel=sqlmodel, inherited_from=inherited
            )
            out.append(col)
            all_reasons.extend(reasons)
        return out, all_reasons
