"""Helpers a revision file imports from other modules of the project, evaluated like its own.

``from migrations.shared.utils import create_index`` binds the helper's function, evaluated
in its own module (its imports and constants), with the revision's ``op``: the operations it
performs are the revision's, reported at the line of the revision that calls the helper.
Each module read this way is recorded (see :class:`~schema_lint.sources.modules.Reads`), so
that cached facts of the revision are reused only while the helper is unchanged.
"""

from __future__ import annotations

import ast
import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from schema_lint.extract.evaluate import (
    Deferred,
    Evaluator,
    Host,
    HostObject,
    LocalFunction,
    ModuleRef,
    Unknown,
)
from schema_lint.facts.source import Dependencies
from schema_lint.sources.modules import ProjectFiles, Reads, norm
from schema_lint.sources.parse import Parsed, parse_python
from schema_lint.vocabulary.sqlalchemy import MIGRATION_LIBRARIES, MODEL_LIBRARIES

_LIBRARIES = frozenset(sys.stdlib_module_names) | MIGRATION_LIBRARIES | MODEL_LIBRARIES
_TREES: dict[tuple[str, str], ast.Module | None] = {}
"""Parsed modules by path and content key, shared by the revisions of one process."""
_MAX_TREES = 256
_NOT_FOUND = object()


@dataclass(frozen=True, eq=False)
class ForeignFunction:
    """A function of another module of the project (hashed by identity)."""

    function: LocalFunction
    path: str


class ForeignModules:
    """The project modules one revision file reaches through its imports."""

    def __init__(self, sources: ProjectFiles, importer: str) -> None:
        self.sources = sources
        self.importer = norm(importer)
        self.reads = Reads()
        self._scopes: dict[str, dict[str, Any]] = {}
        self._modules: list[str] = []
        """The module being loaded or called into, innermost last."""
        self.sites: list[ast.AST] = []
        """Call sites of foreign functions, outermost (in the revision file) first."""

    def dependencies(self) -> Dependencies | None:
        return self.reads.dependencies(self.sources.index.digest)

    @property
    def current(self) -> str:
        """The module whose code is running (its relative imports start there)."""
        return self._modules[-1] if self._modules else self.importer

    def imported(self, dotted: str, host: Host) -> Any | None:
        """What importing ``dotted`` (leading dots: relative) from the running module binds
        when it is in the project: a function, a constant or a module; None otherwise.

        The revision's own imports are read at once; those of the modules it reaches are
        read only when used, so that a helper module does not pull in the whole project.
        """
        if dotted.split(".", 1)[0] in _LIBRARIES:  # the common case, cheaply
            return None
        level, parts = _split(dotted)
        if not parts or (not level and parts[0] in _LIBRARIES):
            return None
        self.reads.resolved = True
        importer = self.current
        if not self._modules:
            value = self._value(importer, level, parts, host)
            return None if value is _NOT_FOUND else value
        index = self.sources.index
        if not any(index.find(importer, ".".join(parts[:e]), level) for e in _ends(parts, level)):
            return None

        def compute() -> Any:
            value = self._value(importer, level, parts, host)
            return ModuleRef(dotted) if value is _NOT_FOUND else value

        return Deferred(compute)

    def _value(self, importer: str, level: int, parts: list[str], host: Host) -> Any:
        """The value, or ``_NOT_FOUND`` (also for a module: a ``ModuleRef`` stands for it,
        and its attributes come back here)."""
        index = self.sources.index
        for end in _ends(parts, level):
            path = index.find(importer, ".".join(parts[:end]), level)
            if path is None:
                continue
            if end == len(parts):
                return _NOT_FOUND
            scope = self._scope(path, host)
            if parts[end] not in scope or end + 1 < len(parts):
                return _NOT_FOUND  # not found there, or an attribute of a value
            value = Deferred.get(scope[parts[end]])
            if isinstance(value, LocalFunction):
                return HostObject("foreign_function", ForeignFunction(value, path))
            return value
        return _NOT_FOUND

    def _scope(self, path: str, host: Host) -> dict[str, Any]:
        scope = self._scopes.get(path)
        if scope is not None:
            return scope
        scope = self._scopes[path] = {}  # an import cycle sees what is bound so far
        tree = self._tree(path)
        if tree is None:
            return scope
        evaluator = Evaluator(host, module_scope=scope)
        definitions: list[ast.stmt] = []
        for stmt in _module_statements(tree.body):
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                self._defer(stmt, path, evaluator)
            else:
                definitions.append(stmt)
        with self.inside(path):
            evaluator.load_module(ast.Module(body=definitions, type_ignores=[]))
        return scope

    def _defer(self, stmt: ast.Assign | ast.AnnAssign, path: str, evaluator: Evaluator) -> None:
        """A module-level assignment, evaluated only if some code uses the name."""
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        value = stmt.value
        if value is None or not names:
            return
        scope = evaluator.module_scope

        def compute() -> Any:
            calls = any(isinstance(n, ast.Call) for n in ast.walk(value))
            if calls and evaluator.host.performs_operations(value, scope):
                return Unknown("module-level call")
            with self.inside(path):
                return evaluator.eval(value, scope)

        deferred = Deferred(compute)
        for name in names:
            scope[name] = deferred

    def _tree(self, path: str) -> ast.Module | None:
        known = self.sources.key(path)
        if known is not None and (path, known) in _TREES:
            self.reads.files[path] = known
            return _TREES[(path, known)]
        read = self.sources.read(path)
        if read is None:
            return None
        text, key = read
        self.reads.files[path] = key
        if (path, key) not in _TREES:
            if len(_TREES) >= _MAX_TREES:
                _TREES.pop(next(iter(_TREES)))
            parsed = parse_python(text, path)
            _TREES[(path, key)] = parsed.tree if isinstance(parsed, Parsed) else None
        return _TREES[(path, key)]

    @contextlib.contextmanager
    def inside(self, path: str, site: ast.AST | None = None) -> Iterator[None]:
        """Run code of module ``path`` (called from ``site`` when it is a call)."""
        self._modules.append(path)
        if site is not None:
            self.sites.append(site)
        try:
            yield
        finally:
            self._modules.pop()
            if site is not None:
                self.sites.pop()

    def where(self, node: ast.AST) -> str:
        """Where ``node`` of the running foreign module is, for messages."""
        line = getattr(node, "lineno", 0)
        return f"{_short(self.current)}, line {line}"


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Module-level statements, also inside ``if``/``try`` blocks (as ``load_module``)."""
    for stmt in body:
        if isinstance(stmt, ast.If | ast.Try):
            yield from _module_statements([*stmt.body, *stmt.orelse])
        else:
            yield stmt


def _split(dotted: str) -> tuple[int, list[str]]:
    level = len(dotted) - len(dotted.lstrip("."))
    return level, [p for p in dotted[level:].split(".") if p]


def _ends(parts: list[str], level: int) -> range:
    """How many leading names may be the module, longest first (none: the package itself)."""
    return range(len(parts), -1 if level else 0, -1)


def _short(path: str) -> str:
    parts = path.split("/")
    return "/".join(parts[-2:])
