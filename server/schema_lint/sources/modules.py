"""Any module of a project, found by its dotted name and read on demand.

This is the one place that maps an import to a file. The model schema (a base class, a
``db`` object, a type or a constant imported from a module that declares no table) and the
migration evaluator (a helper function in ``migrations/utils.py``) both resolve imports here,
and read the few modules they need when they need them.

A dotted name is found by the suffix of a file's path (``app.models.user`` is
``.../app/models/user.py`` or ``.../app/models/user/__init__.py``) because the directories on
``sys.path`` are not known statically. Only a match that starts at a directory
without an ``__init__.py`` counts (an import root, as for ``src/`` layouts): a match starting
inside a package is what a library of the same name would shadow (``import pydantic`` is not
``app/utils/pydantic.py``, ``import logging`` not ``app/logging.py``). Among equals the file
closest to the importing one wins. Relative imports are resolved exactly.

Modules that are not in the project (a library's base class or mixin) are looked up in the
*library roots* the configuration names (``library-roots``, a ``site-packages``), by their
exact dotted path, and read the same way: statically, never imported. Only the model schema
asks for them.

What was read is recorded as :class:`~schema_lint.facts.source.Dependencies` so that facts
computed from other files are reused only while those files are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from schema_lint.facts.source import Dependencies
from schema_lint.sources.limits import Unreadable, read_source
from schema_lint.sources.text import DecodeError, decode_source

MAX_MODULE_BYTES = 20 * 1024 * 1024


def norm(path: str) -> str:
    """The form paths are compared in (POSIX separators, normalised)."""
    return posixpath.normpath(path.replace("\\", "/"))


def content_key(data: bytes | str) -> str:
    """The hash facts are keyed by (the same as the cache's)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


class ModuleIndex:
    """Dotted module names of a project's Python files."""

    __slots__ = ("_by_dotted", "_found", "_library_files", "_paths", "_tops", "digest", "libraries")

    def __init__(self, paths: Iterable[str], libraries: Iterable[str] = ()) -> None:
        self._paths = frozenset(norm(p) for p in paths)
        self.libraries = tuple(norm(root) for root in libraries)
        """Directories where a module that is not in the project is looked up."""
        self._library_files: dict[str, bool] = {}
        self._by_dotted: dict[str, list[tuple[str, str]]] = {}
        self._found: dict[tuple[str, str, int], str | None] = {}
        """Dotted suffix -> (path, directory where the suffix starts)."""
        for path in sorted(self._paths):
            parts = path.split("/")
            parts[-1] = parts[-1].removesuffix(".py")
            if parts[-1] == "__init__":
                parts.pop()
            for i, part in enumerate(parts):
                if part and part != ".":
                    start = "/".join(parts[:i]) or "/"
                    self._by_dotted.setdefault(".".join(parts[i:]), []).append((path, start))
        self._tops = {
            dotted.split(".", 1)[0]
            for dotted, found in self._by_dotted.items()
            if any(not self._package(start) for _, start in found)
        }
        """First names of the modules an import can reach (folders on an import root)."""
        digest = hashlib.blake2b(digest_size=16)
        for path in sorted(self._paths):
            digest.update(path.encode("utf-8", "surrogateescape") + b"\0")
        for root in self.libraries:
            digest.update(b"lib:" + root.encode("utf-8", "surrogateescape") + b"\0")
        self.digest = digest.hexdigest()
        """Identifies the set of files: what an import finds depends on nothing else."""

    def __contains__(self, path: str) -> bool:
        path = norm(path)
        return path in self._paths or self.library_file(path)

    def library_file(self, path: str) -> bool:
        """Whether ``path`` is a module file under a library root."""
        path = norm(path)
        if path not in self._library_files:
            inside = any(_under(path, root) for root in self.libraries)
            self._library_files[path] = inside and path.endswith(".py") and _regular_file(path)
        return self._library_files[path]

    @property
    def paths(self) -> frozenset[str]:
        return self._paths

    def find(
        self, importer: str, module: str, level: int = 0, *, libraries: bool = False
    ) -> str | None:
        """The file ``import module`` (``from <level dots>module import ...``) reaches from
        ``importer``; None when no file of the project is that module. With ``libraries``,
        a module the project does not have is looked up under the library roots too (and a
        library module's own imports are resolved there)."""
        query = (posixpath.dirname(norm(importer)), module, level)
        if query not in self._found:
            self._found[query] = self._find(importer, module, level)
        found = self._found[query]
        if found is None and libraries and self.libraries:
            found = self._find_library(importer, module, level)
        return found

    def _find_library(self, importer: str, module: str, level: int) -> str | None:
        if level:
            if not self.library_file(importer):
                return None
            base = posixpath.dirname(norm(importer))
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            return self._library_module(base, module.split(".") if module else [])
        for root in self.libraries:
            found = self._library_module(root, module.split("."))
            if found is not None:
                return found
        return None

    def _library_module(self, base: str, parts: list[str]) -> str | None:
        if any(not part.isidentifier() for part in parts):
            return None
        stem = posixpath.join(base, *parts)
        for candidate in (f"{stem}.py", posixpath.join(stem, "__init__.py")):
            candidate = posixpath.normpath(candidate)
            if not any(_under(candidate, root) for root in self.libraries):
                continue
            if candidate not in self._library_files:
                self._library_files[candidate] = _regular_file(candidate)
            if self._library_files[candidate]:
                return candidate
        return None

    def _find(self, importer: str, module: str, level: int) -> str | None:
        if level:
            base = posixpath.dirname(norm(importer))
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            stem = posixpath.join(base, *module.split(".")) if module else base
            for candidate in (f"{stem}.py", posixpath.join(stem, "__init__.py")):
                if posixpath.normpath(candidate) in self._paths:
                    return posixpath.normpath(candidate)
            return None
        found = self._by_dotted.get(module)
        if not found:
            return None
        rooted = [path for path, start in found if not self._package(start)]
        if not rooted:
            return None  # `import pydantic` is not `app/utils/pydantic.py`
        near = posixpath.dirname(norm(importer)) + "/"  # closest to the importing directory
        return max(rooted, key=lambda p: (len(posixpath.commonprefix([p, near])), p))

    def submodule(self, package: str, name: str) -> str | None:
        """``package/name.py`` (or a sub-package) when ``package`` is an ``__init__.py``."""
        package = norm(package)
        if not package.endswith("/__init__.py"):
            return None
        if self.library_file(package):
            return self._library_module(posixpath.dirname(package), [name])
        base = posixpath.join(posixpath.dirname(package), name)
        for candidate in (f"{base}.py", f"{base}/__init__.py"):
            if candidate in self._paths:
                return candidate
        return None

    def internal(self, module: str) -> bool:
        """Whether a module that is not found looks like one of the project's own (its first
        name is a top-level package or module of the project) rather than a library."""
        return module.split(".", 1)[0] in self._tops

    def _package(self, directory: str) -> bool:
        return posixpath.join(directory, "__init__.py") in self._paths


def _under(path: str, root: str) -> bool:
    return path.startswith(root.rstrip("/") + "/")


def _regular_file(path: str) -> bool:
    """A regular file, not followed through a symlink that leaves nothing to chance."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


@dataclass(frozen=True, slots=True)
class ProjectFiles:
    """Every Python file of a project: where each module is and what it contains now.

    ``keys`` are the content keys of the files as discovered, ``texts`` the unsaved editor
    texts that replace them. A file is read (from ``texts`` or from disk) only when some
    analysis needs it.
    """

    index: ModuleIndex
    keys: Mapping[str, str] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> ProjectFiles:
        return cls(ModuleIndex(()))

    def read(self, path: str) -> tuple[str, str] | None:
        """The text of ``path`` and its content key; None when it cannot be read."""
        path = norm(path)
        text = self.texts.get(path)
        if text is not None:
            return text, content_key(text)
        if path not in self.index:
            return None
        data = read_source(path, MAX_MODULE_BYTES)  # regular files only, bounded
        if isinstance(data, Unreadable):
            return None
        try:
            decoded = decode_source(data).text
        except DecodeError:
            return None
        return decoded, content_key(data)

    def with_text(self, path: str, text: str | None) -> ProjectFiles:
        """These files with ``path`` holding ``text`` (None: as on disk, or removed)."""
        path = norm(path)
        texts = dict(self.texts)
        keys = dict(self.keys)
        paths = set(self.index.paths)
        if text is None:
            texts.pop(path, None)
            data = read_source(path, MAX_MODULE_BYTES)
            if isinstance(data, Unreadable):
                keys.pop(path, None)
                paths.discard(path)
            else:
                keys[path] = content_key(data)
                paths.add(path)
        else:
            texts[path] = text
            keys[path] = content_key(text)
            paths.add(path)
        index = (
            self.index if paths == self.index.paths else ModuleIndex(paths, self.index.libraries)
        )
        return ProjectFiles(index, keys, texts)

    def key(self, path: str) -> str | None:
        return self.keys.get(norm(path))

    def fresh(self, dependencies: Dependencies | None) -> bool:
        """Whether facts computed with ``dependencies`` still hold for these files."""
        if dependencies is None:
            return True
        if dependencies.layout and dependencies.layout != self.index.digest:
            return False
        return all(self._key_of(path) == key for path, key in dependencies.files)

    def _key_of(self, path: str) -> str | None:
        key = self.keys.get(path)
        if key is None and self.index.library_file(path):
            read = self.read(path)
            key = read[1] if read is not None else None
        return key


class Reads:
    """Records the other files an analysis reads, for :class:`Dependencies`."""

    __slots__ = ("files", "resolved")

    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.resolved = False
        """Some import was looked up in the project (its files decide the answer)."""

    def dependencies(self, layout: str) -> Dependencies | None:
        if not self.files and not self.resolved:
            return None
        return Dependencies(tuple(sorted(self.files.items())), layout)
