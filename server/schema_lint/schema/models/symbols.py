"""Names across the files of a project: imports, modules, definitions.

Modules are found by :mod:`schema_lint.sources.modules`. The model files are given; any
other module of the project that a name leads to (a plain base class, the ``db`` object of an
``extensions.py``, a type or a constant) is read on demand through a :class:`ModuleLoader`,
and the files read that way are recorded for exact caching. Names from SQLAlchemy, SQLModel,
Flask-SQLAlchemy and the typing modules are :class:`Lib`; anything else that cannot be found
is :class:`Unread`.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from schema_lint.facts.models import (
    ClassDecl,
    ConstDecl,
    ConventionDecl,
    DbDecl,
    Dotted,
    FactoryDecl,
    FunctionDecl,
    Import,
    MetaDataBinding,
    ModelModule,
    NameAlias,
    TableDecl,
    TypeAliasDecl,
)
from schema_lint.sources.modules import ModuleIndex, Reads, norm
from schema_lint.vocabulary.sqlalchemy import MODEL_LIBRARIES as LIBRARIES

HARMLESS = frozenset(
    {"typing", "typing_extensions", "abc", "builtins", "dataclasses", "enum", "collections"}
)
"""Modules whose classes may appear as bases without contributing columns."""
_BUILTINS = frozenset(dir(builtins))
_MAX_DEPTH = 24

Definition = (
    ClassDecl
    | TableDecl
    | TypeAliasDecl
    | DbDecl
    | FactoryDecl
    | MetaDataBinding
    | ConventionDecl
    | ConstDecl
    | FunctionDecl
)


@dataclass(frozen=True, slots=True)
class Lib:
    """A library name, e.g. ``sqlalchemy.orm.DeclarativeBase``."""

    name: str


@dataclass(frozen=True, slots=True)
class Unread:
    """A name from a module that was not given; ``project`` when it looks like ours."""

    reason: str
    project: bool = False


@dataclass(frozen=True, slots=True, eq=False)
class Local:
    """A definition in one of the project's files."""

    env: Env
    decl: Definition


@dataclass(frozen=True, slots=True, eq=False)
class Attr:
    """An attribute path on a local definition: ``Base.metadata``, ``User.email``."""

    owner: Local
    rest: Dotted


class Env:
    """One module of the project and its names."""

    __slots__ = ("defs", "imports", "model_heads", "module", "path", "stars")

    def __init__(self, module: ModelModule) -> None:
        self.module = module
        self.path = norm(module.path)
        self.imports = {imp.local: imp for imp in module.imports}
        self.stars = module.star_imports
        self.defs: dict[str, Definition | NameAlias] = {}
        groups: Sequence[Sequence[Definition | NameAlias]] = (
            module.constants,
            module.functions,
            module.conventions,
            module.names,
            module.aliases,
            [m for m in module.metadatas if len(m.target) == 1 and not m.attribute],
            module.dbs,
            module.factories,
            module.tables,
            module.classes,
        )
        for group in groups:
            for decl in group:
                self.defs[_def_name(decl)] = decl
        self.model_heads = {
            base[0]
            for cls in module.classes
            for base in cls.bases
            if base is not None and len(base) == 2 and base[1] == "Model"
        }
        """Names used as ``<name>.Model`` bases here: a Flask-SQLAlchemy ``db``."""


Symbol = Lib | Unread | Local | Attr | Env


def _def_name(decl: Definition | NameAlias) -> str:
    if isinstance(decl, MetaDataBinding):
        return decl.target[0]
    if isinstance(decl, TableDecl):
        return decl.var or ""
    return decl.name


class ModuleLoader(Protocol):
    """Reads any module of the project, on demand."""

    @property
    def index(self) -> ModuleIndex: ...

    def load(self, path: str, reads: Reads) -> ModelModule | None:
        """The facts of the module at ``path`` (recording what it read in ``reads``); None
        when it cannot be read."""


class Project:
    """Resolves dotted names written in one module to what they denote."""

    def __init__(self, modules: Sequence[ModelModule], loader: ModuleLoader | None = None) -> None:
        self.envs = [Env(m) for m in modules]
        """The model files: they declare the tables."""
        self.loaded: list[Env] = []
        """Other modules read because a name led there; they only define names."""
        self._by_path = {env.path: env for env in self.envs}
        self._loader = loader
        self.index = loader.index if loader is not None else ModuleIndex(self._by_path)
        self.reads = Reads()
        self._unreadable: set[str] = set()
        self._memo: dict[tuple[int, str], Symbol | None] = {}

    def all_envs(self) -> list[Env]:
        return [*self.envs, *self.loaded]

    # --- modules -------------------------------------------------------------------------

    def find_module(self, env: Env, module: str, level: int) -> Env | Lib | Unread:
        written = "." * level + module
        if not level:
            top = module.split(".", 1)[0]
            if top in LIBRARIES or top in HARMLESS:
                return Lib(module)
        self.reads.resolved = True
        path = self.index.find(env.path, module, level, libraries=True)
        if path is None:
            internal = bool(level) or self.index.internal(module)
            where = "is not analysed" if self._loader is None else "is not in the project"
            if self._loader is not None and not internal:
                where += (
                    " (name the site-packages that holds it under [tool.schema-lint] "
                    "library-roots to read it)"
                    if not self.index.libraries
                    else " nor under library-roots"
                )
            return Unread(f"module {written} {where}", project=internal)
        return self._module(path, written)

    def _module(self, path: str, written: str) -> Env | Unread:
        found = self._by_path.get(path)
        if found is not None:
            return found
        module = None
        if self._loader is not None and path not in self._unreadable:
            module = self._loader.load(path, self.reads)
        if module is None:
            self._unreadable.add(path)
            return Unread(f"module {written} cannot be read", project=True)
        env = self._by_path[path] = Env(module)
        self.loaded.append(env)
        return env

    def _submodule(self, env: Env, name: str) -> Env | Unread | None:
        path = self.index.submodule(env.path, name)
        return self._module(path, name) if path is not None else None

    # --- names ---------------------------------------------------------------------------

    def lookup(self, env: Env, name: str, depth: int = 0) -> Symbol | None:
        """What ``name`` denotes at the top level of ``env``; None for builtins/undefined."""
        key = (id(env), name)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = Unread(f"{name}: circular import")
        result = self._lookup(env, name, depth)
        self._memo[key] = result
        return result

    def _lookup(self, env: Env, name: str, depth: int) -> Symbol | None:
        if depth > _MAX_DEPTH:
            return Unread(f"{name}: too many indirections")
        decl = env.defs.get(name)
        if isinstance(decl, NameAlias):
            return self.resolve(env, decl.target, depth + 1)
        if (
            isinstance(decl, DbDecl)
            and decl.via is not None
            and not self._flask_class(env, decl.via, depth + 1)
        ):
            called = ".".join(decl.via)
            return Unread(f"{name} = {called}(...) is not known to be Flask-SQLAlchemy's")
        if decl is not None:
            return Local(env, decl)
        imp = env.imports.get(name)
        if imp is not None:
            return self._imported(env, imp, depth)
        unread: Unread | None = None
        for star in env.stars:
            module = self.find_module(env, star.module, star.level)
            if isinstance(module, Env):
                found = self.lookup(module, name, depth + 1)
                if found is not None:
                    return found
            elif isinstance(module, Lib):
                if name not in _BUILTINS:
                    return Lib(f"{module.name}.{name}")
            else:
                unread = module
        if name in _BUILTINS:
            return None
        return unread

    def _imported(self, env: Env, imp: Import, depth: int) -> Symbol:
        if imp.name is None:
            return self.find_module(env, imp.module, 0)
        module = self.find_module(env, imp.module, imp.level)
        if isinstance(module, Lib):
            return Lib(f"{module.name}.{imp.name}" if module.name else imp.name)
        if isinstance(module, Unread):
            return module
        found = self.lookup(module, imp.name, depth + 1)
        if found is not None:
            return found
        sub = self._submodule(module, imp.name)
        if sub is not None:
            return sub
        return Unread(f"{imp.name} is not found in {module.path}", project=True)

    def _flask_class(self, env: Env, parts: Dotted, depth: int) -> bool:
        """Whether ``parts`` is Flask-SQLAlchemy's ``SQLAlchemy`` or a project subclass."""
        if depth > _MAX_DEPTH:
            return False
        symbol = self.resolve(env, parts, depth)
        if isinstance(symbol, Lib):
            return symbol.name.startswith("flask_sqlalchemy.") and symbol.name.endswith(
                ".SQLAlchemy"
            )
        if isinstance(symbol, Local) and isinstance(symbol.decl, ClassDecl):
            owner = symbol.env
            return any(
                base is not None and self._flask_class(owner, base, depth + 1)
                for base in symbol.decl.bases
            )
        return False

    def resolve(self, env: Env, parts: Dotted, depth: int = 0) -> Symbol | None:
        """What the dotted name ``parts`` written in ``env`` denotes."""
        symbol = self.lookup(env, parts[0], depth)
        start = 1
        imp = env.imports.get(parts[0])
        if isinstance(symbol, Unread) and imp is not None and imp.name is None and not imp.level:
            for end in range(len(parts), 1, -1):  # `import app.models` then `app.models.X`
                module = self.find_module(env, ".".join(parts[:end]), 0)
                if isinstance(module, Env):
                    symbol, start = module, end
                    break
        for i in range(start, len(parts)):
            part = parts[i]
            if isinstance(symbol, Lib):
                symbol = Lib(f"{symbol.name}.{part}")
            elif isinstance(symbol, Env):
                found = self.lookup(symbol, part, depth + 1)
                if found is None:
                    found = self._submodule(symbol, part)
                symbol = found if found is not None else Unread(f"{part} is not found")
            elif isinstance(symbol, Local):
                return Attr(symbol, parts[i:])
            else:
                return symbol
        return symbol

    def is_sqlalchemy(self, env: Env, via: Dotted | None, name: str) -> bool:
        """Whether ``<via>.<name>`` (or ``name`` re-exported as ``via``) is SQLAlchemy's."""
        if via is None:
            return True
        symbol = self.resolve(env, via)
        if isinstance(symbol, Env):
            symbol = self.lookup(symbol, name)
        if isinstance(symbol, Local):
            return isinstance(symbol.decl, DbDecl)
        if isinstance(symbol, Lib):
            return symbol.name.split(".", 1)[0] in LIBRARIES
        if isinstance(symbol, Unread):
            return symbol.project or via[0] in env.model_heads
        return False
