"""Classes across the project: bases, MRO, declarative roots and their ``MetaData``.

A *root* is where a declarative hierarchy starts (a ``DeclarativeBase`` subclass,
``declarative_base()``, ``db.Model``, ``SQLModel``); it decides the metadata, hence the
naming convention, and whether Flask-SQLAlchemy names tables automatically.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import TYPE_CHECKING

from schema_lint.facts.models import (
    ClassDecl,
    Code,
    ConventionDecl,
    DbDecl,
    Dotted,
    FactoryDecl,
    MetaDataBinding,
    MetaDataDecl,
    MetaDataValue,
    Ref,
    TablenameDecl,
    Template,
)
from schema_lint.facts.source import Span
from schema_lint.schema.models.symbols import (
    Attr,
    Env,
    Lib,
    Local,
    Project,
    Symbol,
    Unread,
)
from schema_lint.vocabulary.dialects import DEFAULT_CONVENTION

if TYPE_CHECKING:
    from schema_lint.schema.models.columns import CBuild
    from schema_lint.schema.models.tables import TBuild

_DECLARATIVE_BASES = frozenset({"DeclarativeBase", "DeclarativeBaseNoMeta"})
_ROOT_DECORATORS = frozenset({"as_declarative", "as_declarative_base"})
_BUILTINS = frozenset(dir(builtins))


class MetaInfo:
    """One ``MetaData``: its naming convention and default schema, each known or not.

    ``convention`` is None when it cannot be read (``reason`` says why): names derived from
    it are then unknown, nothing else is. ``schema_reason`` is set when the default schema
    cannot be read: its tables are keyed as unqualified and names built from column labels
    (which include the schema) are unknown.
    """

    __slots__ = (
        "convention",
        "convention_span",
        "reason",
        "schema",
        "schema_reason",
        "span",
        "written",
    )

    def __init__(
        self,
        convention: dict[str, str] | None = None,
        schema: str | None = None,
        reason: str | None = None,
        *,
        schema_reason: str | None = None,
        span: Span | None = None,
        written: str | None = None,
    ) -> None:
        if convention is None and reason is None:
            convention = {}
        self.convention = convention
        self.schema = schema
        self.reason = reason
        self.schema_reason = schema_reason
        self.span = span
        """Where the ``MetaData(...)`` is written, when it is in the project."""
        self.written = written
        """The name it was reached through when it cannot be read (``Model.metadata``)."""
        self.convention_span: Span | None = None
        """Where ``X.metadata.naming_convention = ...`` sets the convention, if it does."""

    def set_convention(
        self, pairs: tuple[tuple[str, str], ...] | None, reason: str, span: Span | None = None
    ) -> None:
        if span is not None:
            self.convention_span = span
        if pairs is None:
            self.convention, self.reason = None, reason
        else:
            self.convention, self.reason = dict(pairs), None

    def effective(self) -> dict[str, str] | None:
        """The convention SQLAlchemy applies: an empty one means the default."""
        if self.convention is None:
            return None
        return self.convention or dict(DEFAULT_CONVENTION)


class Root:
    """Where a declarative hierarchy starts; ``kind`` is declarative, flask or sqlmodel."""

    __slots__ = ("autoname", "kind", "meta", "reason")

    def __init__(
        self, kind: str, meta: MetaInfo, autoname: bool = False, reason: str | None = None
    ) -> None:
        self.kind = kind
        self.meta = meta
        self.autoname = autoname
        self.reason = reason
        """Set when the root itself cannot be read: its model class may add columns."""


class Marker:
    """A base that is not a project class: a library class or a factory-made base."""

    __slots__ = ("body", "declarative", "name", "root", "tablename")

    def __init__(
        self,
        name: str,
        root: Root | None = None,
        *,
        declarative: bool = False,
        tablename: TablenameDecl | None = None,
        body: ClassNode | None = None,
    ) -> None:
        self.name = name
        self.root = root
        self.declarative = declarative
        """``DeclarativeBase``: a class listing it is itself a root."""
        self.tablename = tablename
        self.body = body
        """Flask-SQLAlchemy ``model_class`` whose body ``db.Model`` copies."""


class Progress(Enum):
    """How far the builder has mapped a class."""

    NOT_STARTED = 0
    MAPPING = 1
    """Its bases are being mapped (a cycle comes back here and stops)."""
    MAPPED = 2


class ClassNode:
    """A project class with its resolved bases; the builder fills the mapping progress."""

    __slots__ = (
        "attrs",
        "bases",
        "decl",
        "env",
        "mapped_keys",
        "mro",
        "progress",
        "table",
        "unknown_bases",
        "unresolved",
    )

    def __init__(self, env: Env, decl: ClassDecl) -> None:
        self.env = env
        self.decl = decl
        self.bases: list[ClassNode | Marker] = []
        self.unresolved: list[tuple[Span, str]] = []
        self.unknown_bases: list[tuple[Symbol | None, str]] = []
        """The unresolved bases that are names: what they denote and how they are written."""
        self.mro: list[ClassNode | Marker] = []
        self.progress = Progress.NOT_STARTED
        self.table: TBuild | None = None
        """The table builder of the table this class maps (set by the builder)."""
        self.mapped_keys: set[str] = set()
        self.attrs: dict[str, tuple[TBuild, CBuild]] = {}
        """Attribute name -> column builder, for ``Model.attr`` references."""


class Hierarchy:
    """Every class of the project, linked to its bases, with roots and metadata."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.nodes: dict[int, ClassNode] = {}
        self._markers: dict[str, Marker] = {}
        self._metas: dict[object, MetaInfo] = {}
        self._roots: dict[int, Root | None] = {}
        self._meta_override: dict[int, MetaInfo] = {}
        self._db_markers: list[tuple[Marker, Local]] = []
        self._mapped: dict[int, bool] = {}
        self.sqlmodel = Root("sqlmodel", MetaInfo())
        lower = Code("call", (Code("attr", (Code("cls", ("__name__",)), "lower")),))
        sqlmodel_tablename = TablenameDecl(
            Span("<sqlmodel>", 1, 0, 1, 0), Template(lower), declared_attr=True
        )
        self._markers["sqlmodel.SQLModel"] = Marker(
            "sqlmodel.SQLModel", self.sqlmodel, tablename=sqlmodel_tablename
        )
        self._initial: list[ClassNode] = []
        self._built = False
        for env in project.envs:
            for decl in env.module.classes:
                node = self.nodes[id(decl)] = ClassNode(env, decl)
                self._initial.append(node)
        self._apply_metadata_overrides()
        for node in self._initial:
            self._link(node)
        for node in list(self.nodes.values()):
            node.mro = self._mro(node, set())
        self._built = True
        for marker, db in self._db_markers:  # model_class metadata needs the MROs
            if marker.root is not None:
                marker.root.meta = self.db_meta(db)
        self._apply_convention_assignments()

    def all(self) -> Iterator[ClassNode]:
        """The classes of the model files (those of other modules only serve as bases)."""
        return iter(self._initial)

    def node(self, symbol: Symbol | None) -> ClassNode | None:
        if isinstance(symbol, Local) and isinstance(symbol.decl, ClassDecl):
            found = self.nodes.get(id(symbol.decl))
            return found if found is not None else self._add(symbol.env, symbol.decl)
        return None

    def _add(self, env: Env, decl: ClassDecl) -> ClassNode:
        """A class of a module read on demand: linked at once, its MRO computed once every
        class known at start is linked."""
        node = self.nodes[id(decl)] = ClassNode(env, decl)
        self._link(node)
        if self._built:
            node.mro = self._mro(node, set())
        return node

    # --- bases ---------------------------------------------------------------------------

    def _link(self, node: ClassNode) -> None:
        for parts, span in zip(node.decl.bases, node.decl.base_spans, strict=False):
            if parts is None:
                node.unresolved.append((span, "a base that is not a name"))
                continue
            base = self._base(node.env, parts)
            if isinstance(base, str):
                node.unresolved.append((span, base))
                node.unknown_bases.append((self.project.resolve(node.env, parts), ".".join(parts)))
            elif base is not None:
                node.bases.append(base)

    def _base(self, env: Env, parts: Dotted) -> ClassNode | Marker | str | None:
        """A base class, a marker, None for a harmless one, or why it cannot be read."""
        symbol = self.project.resolve(env, parts)
        written = ".".join(parts)
        if symbol is None:
            return None if parts[0] in _BUILTINS else f"base {written} is not defined"
        node = self.node(symbol)
        if node is not None:
            return node
        if isinstance(symbol, Lib):
            return self._library_base(symbol.name)
        if isinstance(symbol, Local) and isinstance(symbol.decl, FactoryDecl):
            body = None
            if symbol.decl.cls is not None:
                body = self.node(self.project.resolve(symbol.env, symbol.decl.cls))
            return self._marker(f"factory:{id(symbol.decl)}", self.factory_root(symbol), body)
        if (
            isinstance(symbol, Attr)
            and symbol.rest == ("Model",)
            and isinstance(symbol.owner.decl, DbDecl)
        ):
            return self._db_marker(symbol.owner)
        if isinstance(symbol, Unread):
            if parts[-1] == "Model" and len(parts) == 2 and symbol.project:
                reason = f"{parts[0]} is imported from a module that is not analysed"
                key = f"db:{env.path}:{parts[0]}"
                meta = MetaInfo(reason=reason, schema_reason=reason, written=f"{parts[0]}.Model")
                return self._marker(key, Root("flask", meta, autoname=True, reason=reason))
            return f"base {written} cannot be read: {symbol.reason}"
        return f"base {written} cannot be read"

    def _library_base(self, name: str) -> Marker | None:
        top, last = name.split(".", 1)[0], name.rsplit(".", 1)[-1]
        if top == "sqlmodel" and last == "SQLModel":
            return self._markers["sqlmodel.SQLModel"]
        if top == "sqlalchemy" and last in _DECLARATIVE_BASES:
            marker = self._markers.get("sqlalchemy.DeclarativeBase")
            if marker is None:
                marker = Marker("sqlalchemy.DeclarativeBase", declarative=True)
                self._markers[marker.name] = marker
            return marker
        return None

    def _marker(self, key: str, root: Root | None, body: ClassNode | None = None) -> Marker:
        marker = self._markers.get(key)
        if marker is None:
            marker = Marker(key, root, body=body)
            self._markers[key] = marker
        return marker

    def _db_marker(self, db: Local) -> Marker:
        decl = db.decl
        assert isinstance(decl, DbDecl)
        body = None
        factory = self._db_factory(db)
        if factory is not None:
            cls = factory.decl.cls if isinstance(factory.decl, FactoryDecl) else None
            if cls is not None:
                body = self.node(self.project.resolve(factory.env, cls))
        elif decl.model_class is not None:
            body = self.node(self.project.resolve(db.env, decl.model_class))
        key = f"db:{id(decl)}"
        if key not in self._markers:
            autoname = decl.autonaming if factory is None else self._naming_meta(factory)
            root = Root("flask", MetaInfo(), autoname=autoname)
            self._db_markers.append((self._marker(key, root, body), db))
        return self._markers[key]

    def _db_factory(self, db: Local) -> Local | None:
        """``model_class=declarative_base(...)`` (inline or by name): Flask-SQLAlchemy uses
        such a base as it is, with its own metadata and metaclass."""
        decl = db.decl
        assert isinstance(decl, DbDecl)
        if decl.model_base is not None:
            return Local(db.env, decl.model_base)
        if decl.model_class is not None:
            symbol = self.project.resolve(db.env, decl.model_class)
            if isinstance(symbol, Local) and isinstance(symbol.decl, FactoryDecl):
                return symbol if symbol.decl.kind == "base" else None
        return None

    def _naming_meta(self, factory: Local) -> bool:
        """Whether a ``declarative_base(metaclass=...)`` names tables like Flask-SQLAlchemy:
        only Flask's ``DefaultMeta``/``NameMetaMixin`` (directly or as a base) do."""
        decl = factory.decl
        assert isinstance(decl, FactoryDecl)
        if decl.metaclass is None:
            return False
        symbol = self.project.resolve(factory.env, decl.metaclass)
        candidates: list[Symbol | None] = [symbol]
        if isinstance(symbol, Local) and isinstance(symbol.decl, ClassDecl):
            candidates.extend(
                self.project.resolve(symbol.env, b) for b in symbol.decl.bases if b is not None
            )
        return any(
            isinstance(c, Lib) and c.name.rsplit(".", 1)[-1] in ("DefaultMeta", "NameMetaMixin")
            for c in candidates
        )

    # --- MRO -----------------------------------------------------------------------------

    def _mro(self, node: ClassNode, busy: set[int]) -> list[ClassNode | Marker]:
        if node.mro:
            return node.mro
        if id(node) in busy:
            return [node]
        busy.add(id(node))
        sequences = [self._mro_of(base, busy) for base in node.bases]
        sequences.append(list(node.bases))
        merged = _c3_merge(sequences)
        if merged is None:  # inconsistent hierarchy: keep a depth-first order
            merged = []
            for seq in sequences:
                merged.extend(b for b in seq if b not in merged)
        busy.discard(id(node))
        return [node, *merged]

    def _mro_of(self, base: ClassNode | Marker, busy: set[int]) -> list[ClassNode | Marker]:
        if isinstance(base, ClassNode):
            return self._mro(base, busy)
        if base.body is not None:
            return [base, *self._mro(base.body, busy)]
        return [base]

    def classes_in_mro(self, node: ClassNode) -> Iterator[ClassNode]:
        return (c for c in node.mro if isinstance(c, ClassNode))

    def unresolved(self, node: ClassNode) -> list[tuple[ClassNode, Span, str]]:
        return [(c, span, why) for c in self.classes_in_mro(node) for span, why in c.unresolved]

    # --- roots ---------------------------------------------------------------------------

    def is_root(self, node: ClassNode) -> bool:
        if any(isinstance(b, Marker) and b.declarative for b in node.bases):
            return True
        return any(d[-1] in _ROOT_DECORATORS for d in node.decl.decorators)

    def root(self, node: ClassNode) -> Root | None:
        key = id(node)
        if key in self._roots:
            return self._roots[key]
        self._roots[key] = None
        root: Root | None = None
        if self.is_root(node):
            root = Root("declarative", self.class_meta(node))
        else:
            root = self._registry_root(node)
            for base in node.mro[1:]:
                if root is not None:
                    break
                root = self.root(base) if isinstance(base, ClassNode) else base.root
        self._roots[key] = root
        return root

    def _registry_root(self, node: ClassNode) -> Root | None:
        for deco in node.decl.decorators:
            if len(deco) >= 2 and deco[-1] == "mapped":
                symbol = self.project.resolve(node.env, deco[:-1])
                if isinstance(symbol, Local) and isinstance(symbol.decl, FactoryDecl):
                    return self.factory_root(symbol)
        return None

    def is_mapped(self, node: ClassNode) -> bool:
        """Whether declarative maps this class (to its own table or its parent's)."""
        key = id(node)
        if key not in self._mapped:
            self._mapped[key] = False  # a cycle in the hierarchy maps nothing
            self._mapped[key] = self._is_mapped(node)
        return self._mapped[key]

    def _is_mapped(self, node: ClassNode) -> bool:
        if node.decl.abstract or self.is_root(node):
            return False
        root = self.root(node)
        if root is not None:
            return root.kind != "sqlmodel" or ("table", "True") in node.decl.keywords
        if not self.unresolved(node):
            return False
        decl = node.decl
        own = decl.tablename is not None or decl.table is not None
        inherited = any(self.is_mapped(c) for c in self.classes_in_mro(node) if c is not node)
        return own or inherited or ("table", "True") in decl.keywords

    def factory_root(self, factory: Local) -> Root:
        key = id(factory.decl)
        root = self._roots.get(key)
        if root is None:
            root = Root("declarative", self.factory_meta(factory))
            self._roots[key] = root
        return root

    # --- metadata ------------------------------------------------------------------------

    def class_meta(self, node: ClassNode) -> MetaInfo:
        """``getattr(cls, "metadata")``: the first class in the MRO that sets one."""
        for base in node.mro:
            if isinstance(base, ClassNode):
                override = self._meta_override.get(id(base))
                if override is not None:
                    return override
                if base.decl.metadata is not None:
                    return self.meta_value(base.env, base.decl.metadata)
            elif base.root is not None:
                return base.root.meta
        if self.is_root(node):
            return self._fresh(id(node))
        root = self.root(node)
        return root.meta if root is not None else MetaInfo(reason="the declarative base is unknown")

    def unknown_root_meta(self, node: ClassNode) -> MetaInfo:
        """The metadata of a class whose declarative base cannot be read: that of its last
        unresolved base (mixins come first), shared with every class and ``Base.metadata``
        reference reaching the same unknown base."""
        for cls in self.classes_in_mro(node):
            if cls.unknown_bases:
                symbol, written = cls.unknown_bases[-1]
                return self.meta_symbol(symbol, f"{written}.metadata")
        return MetaInfo(reason="the declarative base of this class cannot be read")

    def factory_meta(self, factory: Local) -> MetaInfo:
        decl = factory.decl
        assert isinstance(decl, FactoryDecl)
        override = self._meta_override.get(id(decl))
        if override is not None:
            return override
        if decl.kind == "generate" and decl.registry is not None:
            registry = self.project.resolve(factory.env, decl.registry)
            if isinstance(registry, Local) and isinstance(registry.decl, FactoryDecl):
                return self.factory_meta(registry)
            return MetaInfo(reason="the registry cannot be read")
        if decl.metadata is None:
            return self._fresh(id(decl))
        return self.meta_value(factory.env, decl.metadata)

    def db_meta(self, db: Local) -> MetaInfo:
        decl = db.decl
        assert isinstance(decl, DbDecl)
        override = self._meta_override.get(id(decl))
        if override is not None:
            return override
        if decl.metadata is not None:
            return self.meta_value(db.env, decl.metadata)
        factory = self._db_factory(db)
        if factory is not None:
            return self.factory_meta(factory)
        if decl.model_class is not None:
            node = self.node(self.project.resolve(db.env, decl.model_class))
            if node is not None and self.is_root(node):
                return self.class_meta(node)
        return self._fresh(id(decl))

    def _fresh(self, key: int) -> MetaInfo:
        meta = self._metas.get(key)
        if meta is None:
            meta = self._metas[key] = MetaInfo()
        return meta

    def meta_value(self, env: Env, value: MetaDataValue) -> MetaInfo:
        if isinstance(value, MetaDataDecl):
            meta = self._metas.get(id(value))
            if meta is None:
                meta = self._metas[id(value)] = self._meta_decl(env, value)
            return meta
        return self.meta_symbol(self.project.resolve(env, value.parts), ".".join(value.parts))

    def _meta_decl(self, env: Env, decl: MetaDataDecl) -> MetaInfo:
        schema_reason = (
            "the schema= of this MetaData cannot be read" if decl.schema_unreadable else None
        )
        meta = MetaInfo(schema=decl.schema, schema_reason=schema_reason, span=decl.span)
        if decl.unreadable:
            meta.set_convention(None, "the naming convention of this MetaData cannot be read")
        elif isinstance(decl.convention, Ref):
            meta.set_convention(*self._convention_ref(env, decl.convention))
        else:
            meta.set_convention(decl.convention or (), "")
        return meta

    def _convention_ref(self, env: Env, ref: Ref) -> tuple[tuple[tuple[str, str], ...] | None, str]:
        """A naming convention given as a name: its pairs, or None and why."""
        symbol = self.project.resolve(env, ref.parts)
        if isinstance(symbol, Local) and isinstance(symbol.decl, ConventionDecl):
            return symbol.decl.pairs, ""
        return None, f"naming convention {'.'.join(ref.parts)} cannot be read"

    def meta_symbol(self, symbol: Symbol | None, written: str) -> MetaInfo:
        """The ``MetaData`` a name denotes: ``metadata``, ``Base.metadata``, ``db.metadata``."""
        if isinstance(symbol, Local) and isinstance(symbol.decl, MetaDataBinding):
            return self.meta_value(symbol.env, symbol.decl.value)
        if (
            isinstance(symbol, Attr)
            and symbol.rest == ("Model", "metadata")
            and isinstance(symbol.owner.decl, DbDecl)
        ):
            return self.db_meta(symbol.owner)  # `db.Model.metadata is db.metadata`
        if isinstance(symbol, Attr) and symbol.rest == ("metadata",):
            owner = symbol.owner
            node = self.node(owner)
            if node is not None:
                return self.class_meta(node)
            if isinstance(owner.decl, DbDecl):
                return self.db_meta(owner)
            if isinstance(owner.decl, FactoryDecl):
                return self.factory_meta(owner)
        if isinstance(symbol, Lib) and symbol.name.endswith("SQLModel.metadata"):
            return self.sqlmodel.meta
        # The same library object reached from several files is one MetaData.
        key: object = symbol if isinstance(symbol, (Lib, Unread)) else (id(symbol), written)
        meta = self._metas.get(key)
        if meta is None:
            reason = f"metadata `{written}` cannot be read"
            meta = MetaInfo(reason=reason, schema_reason=reason, written=written)
            self._metas[key] = meta
        return meta

    def _apply_metadata_overrides(self) -> None:
        """``Base.metadata = MetaData(...)``: before any root takes its metadata."""
        for env, binding in self._bindings(attribute=False):
            owner = self.project.resolve(env, binding.target[:-1])
            meta = self.meta_value(env, binding.value)
            node = self.node(owner)
            if node is not None:
                self._meta_override[id(node)] = meta
            elif isinstance(owner, Local):
                self._meta_override[id(owner.decl)] = meta
            elif isinstance(owner, Lib) and owner.name.endswith("SQLModel"):
                self.sqlmodel.meta = meta

    def _apply_convention_assignments(self) -> None:
        """``X.metadata.naming_convention = {...}`` (assumed to run before the models)."""
        for env, binding in self._bindings(attribute=True):
            target = self.project.resolve(env, binding.target)
            meta = self.meta_symbol(target, ".".join(binding.target))
            decl = binding.value
            if not isinstance(decl, MetaDataDecl):
                continue
            span = binding.span
            if isinstance(decl.convention, Ref):
                meta.set_convention(*self._convention_ref(env, decl.convention), span)
            elif decl.unreadable:
                meta.set_convention(None, "the naming_convention assigned cannot be read", span)
            else:
                meta.set_convention(decl.convention or (), "", span)

    def _bindings(self, *, attribute: bool) -> Iterator[tuple[Env, MetaDataBinding]]:
        for env in self.project.all_envs():
            for binding in env.module.metadatas:
                if binding.attribute == attribute and (attribute or len(binding.target) > 1):
                    yield env, binding


def _c3_merge(
    sequences: Sequence[list[ClassNode | Marker]],
) -> list[ClassNode | Marker] | None:
    seqs = [list(s) for s in sequences if s]
    out: list[ClassNode | Marker] = []
    while seqs:
        for seq in seqs:
            head = seq[0]
            if not any(head in other[1:] for other in seqs):
                break
        else:
            return None
        out.append(head)
        for seq in seqs:
            if seq and seq[0] is head:
                del seq[0]
        seqs = [s for s in seqs if s]
    return out
