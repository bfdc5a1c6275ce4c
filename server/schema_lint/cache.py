"""A persistent cache of per-file facts, like ``.ruff_cache/``.

Entries are keyed by file path, content hash, role and target dialect, inside a file that
names the tool version and Python version it was written by; anything else is ignored and
rebuilt. The cache is read with a restricted unpickler that only accepts schema-lint's own
fact classes and plain builtins, so a corrupt or foreign file is never trusted blindly.
"""

from __future__ import annotations

import contextlib
import copyreg
import dataclasses
import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema_lint import __version__
from schema_lint.facts.files import FileFacts
from schema_lint.facts.schema import Schema

CACHE_DIR_NAME = ".schema_lint_cache"
_FORMAT = 1
_MAGIC = "schema-lint-facts"
_ALLOWED_BUILTINS = frozenset(
    {"frozenset", "set", "tuple", "list", "dict", "str", "int", "bool", "NoneType", "getattr"}
)


def content_key(data: bytes | str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@functools.cache
def facts_fingerprint() -> str:
    """A hash of the code behind what the cache keeps: a cache written by other code is never
    read. Covers facts, extraction, schemas and rules (the cache keeps built schemas and whole
    results too), so that a change in behaviour, not only in shape, invalidates it.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=6)
    for folder in ("facts", "vocabulary", "extract", "sources", "schema", "rules"):
        for module in sorted((package / folder).rglob("*.py")):
            digest.update(str(module.relative_to(package)).encode())
            digest.update(module.read_bytes())
    for name in ("project.py", "engine.py", "config.py", "diagnostics.py"):
        digest.update((package / name).read_bytes())
    return digest.hexdigest()


def _reducer(cls: type) -> Any:
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple(getattr(obj, name) for name in names)

    return reduce


@functools.cache
def _dispatch_table() -> dict[type, Any]:
    """Pickle facts as constructor calls: several times faster to load than slotted state."""
    from schema_lint.facts import files, migrations, models, schema, source

    table: dict[type, Any] = dict(copyreg.dispatch_table)
    for module in (files, migrations, models, schema, source):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                table[value] = _reducer(value)
    return table


@functools.cache
def register_fast_pickling() -> None:
    """Use the fast reducers for every pickler (e.g. multiprocessing's), not only ours."""
    for cls, reducer in _dispatch_table().items():
        if cls not in copyreg.dispatch_table:
            copyreg.pickle(cls, reducer)


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "schema_lint" or module.startswith("schema_lint."):
            return super().find_class(module, name)
        if module in {"builtins", "copyreg"} and (
            name in _ALLOWED_BUILTINS or name == "_reconstructor"
        ):
            return super().find_class(module, name)
        if module == "enum" or (module == "builtins" and name == "object"):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")


@dataclass
class FactsCache:
    """Facts by (path, content hash, role, dialect); loaded once, saved once per run."""

    directory: Path
    entries: dict[tuple[str, str, str, str], FileFacts] = field(default_factory=dict)
    used: set[tuple[str, str, str, str]] = field(default_factory=set)
    schemas: dict[str, Schema] = field(default_factory=dict)
    """Replayed migration schemas by the hash of their revision files (engine memo)."""
    used_schemas: set[str] = field(default_factory=set)
    dirty: bool = False

    @property
    def file(self) -> Path:
        version = f"{sys.version_info.major}{sys.version_info.minor}"
        return self.directory / f"facts-{__version__}-py{version}-{facts_fingerprint()}.pickle"

    @classmethod
    def load(cls, directory: Path) -> FactsCache:
        cache = cls(directory)
        try:
            data = cache.file.read_bytes()
        except OSError:
            return cache
        try:
            payload = _SafeUnpickler(io.BytesIO(data)).load()
        except Exception:  # any corruption: start again, never trust it
            return cache
        if (
            isinstance(payload, dict)
            and payload.get("magic") == _MAGIC
            and payload.get("format") == _FORMAT
            and payload.get("version") == __version__
            and isinstance(payload.get("entries"), dict)
        ):
            cache.entries = {
                key: value
                for key, value in payload["entries"].items()
                if isinstance(key, tuple) and len(key) == 4 and isinstance(value, FileFacts)
            }
            schemas = payload.get("schemas")
            if isinstance(schemas, dict):
                cache.schemas = {
                    k: v for k, v in schemas.items() if isinstance(k, str) and isinstance(v, Schema)
                }
        return cache

    def get(self, path: str, key: str, role: str, dialect: str) -> FileFacts | None:
        entry_key = (path, key, role, dialect)
        facts = self.entries.get(entry_key)
        if facts is not None:
            self.used.add(entry_key)
        return facts

    def put(self, path: str, key: str, role: str, dialect: str, facts: FileFacts) -> None:
        entry_key = (path, key, role, dialect)
        self.entries[entry_key] = facts
        self.used.add(entry_key)
        self.dirty = True

    def get_schema(self, key: str) -> Schema | None:
        schema = self.schemas.get(key)
        if schema is not None:
            self.used_schemas.add(key)
        return schema

    def put_schema(self, key: str, schema: Schema) -> None:
        self.schemas[key] = schema
        self.used_schemas.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the entries used by this run (dropping deleted and stale files)."""
        if (
            not self.dirty
            and len(self.used) == len(self.entries)
            and len(self.used_schemas) == len(self.schemas)
        ):
            return
        entries = {k: v for k, v in self.entries.items() if k in self.used}
        schemas = {k: v for k, v in self.schemas.items() if k in self.used_schemas}
        payload = {
            "magic": _MAGIC,
            "format": _FORMAT,
            "version": __version__,
            "entries": entries,
            "schemas": schemas,
        }
        _write(self.file, payload)


def results_key(config: object, layout: object, candidates: dict[str, tuple[str, bytes]]) -> str:
    """A key for a whole check: configuration, every file read and every ``env.py``."""
    from schema_lint.sources.discovery import ProjectLayout

    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__}|{facts_fingerprint()}|{config!r}".encode())
    for path in sorted(candidates):
        role, data = candidates[path]
        digest.update(f"|{path}|{role}|{content_key(data)}".encode())
    if isinstance(layout, ProjectLayout):
        for environment in layout.environments:
            digest.update(f"|env {environment!r}".encode())
            if environment.script_dir:
                with contextlib.suppress(OSError):
                    digest.update(Path(environment.script_dir, "env.py").read_bytes())
    return digest.hexdigest()


@dataclass
class ResultsCache:
    """The last whole-project result: a re-check of an unchanged project reads only this."""

    directory: Path

    @property
    def file(self) -> Path:
        return self.directory / f"results-{__version__}-{facts_fingerprint()}.pickle"

    def get(self, key: str) -> tuple[Any, Any] | None:
        try:
            payload = _SafeUnpickler(io.BytesIO(self.file.read_bytes())).load()
        except Exception:  # missing or corrupt: check again
            return None
        if isinstance(payload, dict) and payload.get("key") == key:
            value = payload.get("result")
            if isinstance(value, tuple) and len(value) == 2:
                return value
        return None

    def put(self, key: str, diagnostics: Any, problems: Any) -> None:
        _write(self.file, {"key": key, "result": (tuple(diagnostics), tuple(problems))})


def _write(file: Path, payload: object) -> None:
    """Write ``payload`` atomically into the cache directory, which ignores itself in git.

    A read-only checkout still gets its findings: failures to write are not errors.
    """
    directory = file.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Automatically created by schema-lint.\n*\n")
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{file.stem}-", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(fd, "wb") as handle:
            pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dispatch_table = _dispatch_table()
            pickler.dump(payload)
        os.replace(tmp, file)
    except (OSError, pickle.PicklingError):
        with contextlib.suppress(OSError):
            os.unlink(tmp)
