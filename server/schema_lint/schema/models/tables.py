"""Tables being built from the models, and their conversion into :class:`Table` facts.

Constraints are kept pending with their items unresolved until every column of the table is
known (single-table subclasses and ``Model.attr = Column(...)`` add columns late); then
strings are looked up by column key, references by attribute, and names are derived from the
naming convention exactly as SQLAlchemy and its DDL compiler do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from schema_lint.facts.models import (
    ConstraintDecl,
    Dotted,
    Expr,
    Func,
    Lit,
    Modified,
    Opaque,
    Ref,
    SqlText,
)
from schema_lint.facts.schema import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Table,
    UniqueConstraint,
)
from schema_lint.facts.source import Span
from schema_lint.schema.models.columns import CBuild
from schema_lint.schema.models.hierarchy import MetaInfo
from schema_lint.schema.models.symbols import Env
from schema_lint.vocabulary.dialects import NamingTarget, convention_name, truncate_generated
from schema_lint.vocabulary.sqlalchemy import ConstraintKind


class Pending:
    """A constraint or index waiting for its table's columns.

    ``name`` is the explicit name evaluated for the class; ``name_unknown`` is set when the
    declaration gives a name that cannot be read (only that name is then unknown).
    """

    __slots__ = ("cls", "decl", "env", "inherited_from", "name", "name_unknown", "scope")

    def __init__(
        self,
        decl: ConstraintDecl,
        env: Env,
        name: str | None,
        scope: dict[str, CBuild] | None = None,
        inherited_from: str | None = None,
        cls: str | None = None,
    ) -> None:
        self.decl = decl
        self.env = env
        self.name = name
        self.scope = scope
        """Class-body variables the items may name (``Index("ix", email)``)."""
        self.inherited_from = inherited_from
        self.cls = cls
        """The ``declared_attr``'s class parameter: ``cls.<attribute>`` is a column."""
        self.name_unknown = decl.name_unreadable or (decl.name is not None and name is None)


class TBuild:
    """A table being assembled."""

    __slots__ = (
        "by_attr",
        "by_key",
        "class_name",
        "class_span",
        "columns",
        "incomplete",
        "inexact",
        "meta",
        "name",
        "naming_unknown",
        "pending",
        "schema",
        "secondary_of",
        "span",
        "unknown_names",
    )

    def __init__(self, name: str, schema: str | None, meta: MetaInfo, span: Span) -> None:
        self.name = name
        self.schema = schema
        self.meta = meta
        self.span = span
        self.class_name: str | None = None
        self.class_span: Span | None = None
        self.columns: list[CBuild] = []
        self.by_key: dict[str, CBuild] = {}
        self.by_attr: dict[str, CBuild] = {}
        self.pending: list[Pending] = []
        self.incomplete: list[str] = []
        self.naming_unknown: list[str] = []
        self.unknown_names: list[tuple[Span, str]] = []
        """Constraints whose given name cannot be read, and the matching naming reason."""
        self.inexact: list[str] = []
        self.secondary_of: list[Span] = []

    @property
    def qualified_name(self) -> str:
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def add_column(self, column: CBuild) -> bool:
        """Append ``column`` unless the table already has one of that name."""
        if any(c.name == column.name for c in self.columns):
            return False
        self.columns.append(column)
        self.by_key.setdefault(column.key, column)
        if column.attr is not None:
            self.by_attr[column.attr] = column
        return True

    def add_reason(self, reason: str) -> None:
        """Some column, key or index may be missing or wrong: rules skip the table."""
        if reason not in self.incomplete:
            self.incomplete.append(reason)

    def add_naming_reason(self, reason: str) -> None:
        """Some name is unknown (and None); everything else is known."""
        if reason not in self.naming_unknown:
            self.naming_unknown.append(reason)

    def add_inexact(self, reason: str) -> None:
        """Some fact that no rule reads may be wrong (nullability, a check's text)."""
        if reason not in self.inexact:
            self.inexact.append(reason)


RefResolver = Callable[[Env, Dotted], "tuple[TBuild, CBuild] | None"]


class _Item:
    __slots__ = ("columns", "expression", "text")

    def __init__(self, text: str, columns: list[CBuild], expression: bool) -> None:
        self.text = text
        self.columns = columns
        self.expression = expression


class Finalizer:
    """Turns a :class:`TBuild` into a :class:`Table` for one dialect."""

    def __init__(self, dialect: str, resolve_ref: RefResolver) -> None:
        self.dialect = dialect
        self.resolve_ref = resolve_ref

    def table(self, tb: TBuild) -> Table:
        convention = tb.meta.effective()
        if convention is None:
            tb.add_naming_reason(tb.meta.reason or "the naming convention cannot be read")
        pending = [
            p for p in tb.pending if p.decl.dialect is None or p.decl.dialect == self.dialect
        ]
        for p in pending:
            for reason in p.decl.unreadable:
                if p.decl.kind is ConstraintKind.CHECK:  # only its text is unknown
                    tb.add_inexact(reason)
                else:
                    tb.add_reason(reason)
            if p.name_unknown:
                line = p.decl.span.line
                construct = p.decl.kind.construct
                reason = f"the name of the {construct} at line {line} cannot be read"
                tb.add_naming_reason(reason)
                tb.unknown_names.append((p.decl.span, reason))
        for col in tb.columns:
            for reason in col.inexact:
                tb.add_inexact(reason)
        primary_key = self._primary_key(tb, convention, pending)
        indexes: list[Index] = []
        uniques: list[UniqueConstraint] = []
        fks: list[ForeignKey] = []
        checks: list[CheckConstraint] = []
        for col in tb.columns:
            if col.index:
                name = self._name(convention, "ix", None, tb, [col])
                indexes.append(
                    Index(
                        name,
                        (col.name,),
                        unique=col.unique,
                        span=col.span,
                        declared_by="column",
                        inherited_from=col.inherited_from,
                    )
                )
            elif col.unique:
                name = self._name(convention, "uq", None, tb, [col])
                uniques.append(UniqueConstraint(name, (col.name,), col.span))
            for fk, env in col.fks:
                target = self._target(tb, env, fk.target)
                if target is not None:
                    ref_table, ref_name, ref_column = target
                    name = self._name(convention, "fk", fk.name, tb, [col], ref_name, [ref_column])
                    fks.append(
                        ForeignKey(
                            name,
                            (col.name,),
                            ref_table,
                            (ref_column,),
                            fk.ondelete,
                            col.span,
                            onupdate=fk.onupdate,
                        )
                    )
        uncertain: list[str] = []
        for p in pending:
            kind = p.decl.kind
            if kind is ConstraintKind.INDEX:
                indexes.append(self._index(tb, convention, p))
                if p.decl.where_unknown and indexes[-1].name is not None:
                    uncertain.append(indexes[-1].name)
            elif kind is ConstraintKind.UNIQUE:
                cols = self._columns(tb, p)
                name = self._pending_name(convention, "uq", p, tb, cols)
                uniques.append(UniqueConstraint(name, tuple(c.name for c in cols), p.decl.span))
            elif kind is ConstraintKind.FOREIGN_KEY:
                made = self._foreign_key(tb, convention, p)
                if made is not None:
                    fks.append(made)
            elif kind is ConstraintKind.CHECK:
                name = self._pending_name(convention, "ck", p, tb, [])
                unknown = "; ".join(p.decl.unreadable) or None
                checks.append(
                    CheckConstraint(name, p.decl.sqltext or "", p.decl.span, text_unknown=unknown)
                )
        return Table(
            name=tb.name,
            schema=tb.schema,
            columns=tuple(
                Column(
                    c.name,
                    c.nullable,
                    c.primary_key,
                    key=c.attr if c.attr is not None and c.attr != c.name else None,
                    span=c.span,
                    inherited_from=c.inherited_from,
                    nullable_unknown="; ".join(c.inexact) or None,
                    generated=c.generated,
                )
                for c in tb.columns
            ),
            primary_key=primary_key,
            indexes=tuple(indexes),
            unique_constraints=tuple(uniques),
            foreign_keys=tuple(fks),
            check_constraints=tuple(checks),
            span=tb.span,
            class_name=tb.class_name,
            class_span=tb.class_span,
            incomplete=tuple(tb.incomplete),
            secondary_of=tuple(tb.secondary_of),
            naming_unknown=tuple(tb.naming_unknown),
            inexact=tuple(tb.inexact),
            uncertain=tuple(uncertain),
        )

    def _primary_key(
        self, tb: TBuild, convention: dict[str, str] | None, pending: Sequence[Pending]
    ) -> PrimaryKey | None:
        explicit = [p for p in pending if p.decl.kind is ConstraintKind.PRIMARY_KEY]
        name = None
        span = None
        if explicit:
            last = explicit[-1]
            cols = self._columns(tb, last)
            for col in cols:
                col.primary_key = True
                if col.explicit is None:
                    col.nullable = False
            name, span = last.name, last.decl.span
            if last.name_unknown:
                return PrimaryKey(None, tuple(c.name for c in cols), span)
        else:
            cols = [c for c in tb.columns if c.primary_key]
        if not cols:
            return None
        pk_name = self._name(convention, "pk", name, tb, cols)
        return PrimaryKey(pk_name, tuple(c.name for c in cols), span)

    def _index(self, tb: TBuild, convention: dict[str, str] | None, p: Pending) -> Index:
        items = [self._item(tb, p, expr, top=True) for expr in p.decl.items]
        ops = dict(p.decl.ops) if self.dialect == "postgresql" else {}
        items = [
            _Item(f"{i.text} {ops[i.text]}", i.columns, True) if i.text in ops else i for i in items
        ]
        columns = [c for item in items for c in item.columns]
        return Index(
            self._pending_name(convention, "ix", p, tb, columns),
            tuple(item.text for item in items),
            unique=p.decl.unique,
            expressions=any(item.expression for item in items),
            where=p.decl.where,
            span=p.decl.span,
            inherited_from=p.inherited_from,
            dialect=p.decl.dialect,
        )

    def _foreign_key(
        self, tb: TBuild, convention: dict[str, str] | None, p: Pending
    ) -> ForeignKey | None:
        cols = self._columns(tb, p)
        targets = [self._target(tb, p.env, t) for t in p.decl.targets]
        if not targets or any(t is None for t in targets):
            return None
        ref_table = targets[0][0] if targets[0] else ""
        ref_name = targets[0][1] if targets[0] else ""
        ref_columns = [t[2] for t in targets if t is not None]
        name = self._pending_name(convention, "fk", p, tb, cols, ref_name, ref_columns)
        return ForeignKey(
            name,
            tuple(c.name for c in cols),
            ref_table,
            tuple(ref_columns),
            p.decl.ondelete,
            p.decl.span,
            onupdate=p.decl.onupdate,
        )

    def _columns(self, tb: TBuild, p: Pending) -> list[CBuild]:
        out: list[CBuild] = []
        for expr in p.decl.items:
            item = self._item(tb, p, expr, top=True)
            if item.expression or len(item.columns) != 1:
                tb.add_reason(f"constraint item `{item.text}` is not a column")
            else:
                out.append(item.columns[0])
        return out

    def _item(self, tb: TBuild, p: Pending, expr: Expr, *, top: bool) -> _Item:
        if isinstance(expr, Lit):
            if not top:
                return _Item("'" + expr.value.replace("'", "''") + "'", [], True)
            col = tb.by_key.get(expr.value)
            if col is None:
                tb.add_reason(f"a constraint names no column {expr.value!r}")
                return _Item(expr.value, [], False)
            return _Item(col.name, [col], False)
        if isinstance(expr, Ref):
            col = self._ref(tb, p, expr.parts)
            if col is None:
                tb.add_reason(f"`{'.'.join(expr.parts)}` cannot be resolved to a column")
                return _Item(expr.parts[-1], [], not top)
            return _Item(col.name, [col], not top)
        if isinstance(expr, SqlText):
            return _Item(expr.text, [], True)
        if isinstance(expr, Func):
            args = [self._item(tb, p, a, top=False) for a in expr.args]
            text = f"{expr.name}({', '.join(a.text for a in args)})"
            return _Item(text, [c for a in args for c in a.columns], True)
        if isinstance(expr, Modified):
            inner = self._item(tb, p, expr.operand, top=False)
            return _Item(f"{inner.text} {expr.suffix}", inner.columns, True)
        assert isinstance(expr, Opaque)
        tb.add_reason(f"index expression `{expr.source}` cannot be read")
        return _Item(expr.source, [], True)

    def _ref(self, tb: TBuild, p: Pending, parts: Dotted) -> CBuild | None:
        if p.scope is not None and len(parts) == 1 and parts[0] in p.scope:
            return p.scope[parts[0]]
        if p.cls is not None and parts[0] == p.cls:
            if len(parts) == 2:
                return tb.by_attr.get(parts[1])
            if len(parts) == 4 and parts[1] == "__table__" and parts[2] in ("c", "columns"):
                return tb.by_key.get(parts[3])
            return None
        found = self.resolve_ref(p.env, parts)
        return found[1] if found is not None else None

    def _target(self, tb: TBuild, env: Env, target: Expr) -> tuple[str, str, str] | None:
        """A foreign key target as (qualified table, table name, column name)."""
        if isinstance(target, Lit) and "." in target.value:
            table, column = target.value.rsplit(".", 1)
            return table, table.rsplit(".", 1)[-1], column
        if isinstance(target, Ref):
            found = self.resolve_ref(env, target.parts)
            if found is not None:
                ref_tb, col = found
                return ref_tb.qualified_name, ref_tb.name, col.name
        text = target.value if isinstance(target, Lit) else getattr(target, "source", "?")
        if isinstance(target, Ref):
            text = ".".join(target.parts)
        tb.add_reason(f"foreign key target `{text}` cannot be read")
        return None

    def _pending_name(
        self,
        convention: dict[str, str] | None,
        kind: str,
        p: Pending,
        tb: TBuild,
        columns: Sequence[CBuild],
        referred_table: str | None = None,
        referred_columns: Sequence[str] = (),
    ) -> str | None:
        if p.name_unknown:
            return None
        return self._name(convention, kind, p.name, tb, columns, referred_table, referred_columns)

    def _name(
        self,
        convention: dict[str, str] | None,
        kind: str,
        explicit: str | None,
        tb: TBuild,
        columns: Sequence[CBuild],
        referred_table: str | None = None,
        referred_columns: Sequence[str] = (),
    ) -> str | None:
        """The name SQLAlchemy gives; None when it does not name it or the name is unknown.

        With an unknown convention, explicit names are kept as written and generated ones
        are None; with an unknown default schema, generated names that include column
        labels (``<schema>_<table>_<column>``) are None.
        """
        if convention is None:
            return explicit
        template = convention.get(kind)
        generated = template is not None and (explicit is None or "constraint_name" in template)
        labels = generated and template is not None and "_label)s" in template
        if labels and tb.schema is None and tb.meta.schema_reason is not None:
            tb.add_naming_reason(tb.meta.schema_reason)
            return None
        target = NamingTarget(
            kind=kind,
            table=tb.name,
            schema=tb.schema,
            columns=[c.name for c in columns],
            keys=[c.key for c in columns],
            name=explicit,
            referred_table=referred_table,
            referred_columns=referred_columns,
        )
        name = convention_name(convention, target)
        if generated and name is not None:
            name = truncate_generated(name, self.dialect)
        elif generated and template is not None and (explicit or "constraint_name" not in template):
            tb.add_naming_reason(f"the naming convention {kind!r} uses a token that cannot be read")
        return name
