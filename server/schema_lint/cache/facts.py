"""The persistent facts cache, like ``.ruff_cache/``: per-file facts and replayed schemas.

Entries are keyed by file path, content hash, role and target dialect (schemas by the hash
of the files they were built from), inside one signed file named for the tool version,
Python version and code fingerprint. Each entry is a msgpack blob decoded only when it is
asked for, and written back as it was read unless it changed: an unchanged project costs
one read, a one-file edit one encoding. An entry that does not decode is a miss.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgpack

from schema_lint import __version__
from schema_lint.cache.codec import Unencodable
from schema_lint.cache.keys import facts_fingerprint
from schema_lint.cache.registry import facts_codec
from schema_lint.cache.store import CacheStore, CacheUnavailable
from schema_lint.facts.files import FileFacts
from schema_lint.facts.schema import Schema
from schema_lint.sources.collector import paused_gc

SCHEMA_VERSION = 1
"""The layout of cache files; a file of another layout is ignored."""

EntryKey = tuple[str, str, str, str]
"""(path, content hash, role, dialect)."""

T = TypeVar("T")

DECODE_ERRORS = (ValueError, TypeError, RecursionError, msgpack.UnpackException)
"""What decoding bad data may raise (``Invalid`` is a ``ValueError``)."""


def pack(value: Any) -> bytes:
    return msgpack.packb(value, use_bin_type=True)  # type: ignore[no-any-return]


def unpack(data: bytes) -> Any:
    """Plain data: arrays as tuples, str map keys, no extension types trusted."""
    return msgpack.unpackb(data, use_list=False, raw=False, strict_map_key=True)


def header(kind: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "kind": kind,
        "version": __version__,
        "fingerprint": facts_fingerprint(),
    }


def read_body(store: CacheStore, name: str, kind: str) -> dict[str, Any] | None:
    """The signed body of ``name`` if it is a ``kind`` file of this code; else None."""
    data = store.read(name)
    if data is None:
        return None
    try:
        body = unpack(data)
    except DECODE_ERRORS:
        return None
    expected = header(kind)
    if type(body) is not dict or any(body.get(k) != v for k, v in expected.items()):
        return None
    return body


@dataclass
class _Blobs:
    """Entries of one kind: blobs as read, values decoded or put this run."""

    blobs: dict[Any, bytes] = field(default_factory=dict)
    values: dict[Any, Any] = field(default_factory=dict)
    used: set[Any] = field(default_factory=set)

    def get(self, key: Any, decode: Callable[[Any], Any], check: Callable[[Any], bool]) -> Any:
        value = self.values.get(key)
        if value is None:
            blob = self.blobs.get(key)
            if blob is None:
                return None
            try:
                with paused_gc():
                    value = decode(unpack(blob))
            except DECODE_ERRORS:
                value = None
            if value is None or not check(value):
                del self.blobs[key]  # rejected as a whole: extracted again
                return None
            self.values[key] = value
        self.used.add(key)
        return value

    def put(self, key: Any, value: Any) -> None:
        self.values[key] = value
        self.blobs.pop(key, None)
        self.used.add(key)

    def saved(self, encode: Callable[[Any], Any]) -> list[tuple[Any, bytes]]:
        """The used entries as blobs: reused as read, or encoded (skipped if they cannot be)."""
        result = []
        for key in self.used:
            blob = self.blobs.get(key)
            if blob is None:
                try:
                    blob = pack(encode(self.values[key]))
                except (Unencodable, ValueError, TypeError, OverflowError):
                    continue
            result.append((key, blob))
        return result


@dataclass
class FactsCache:
    """Facts by (path, content hash, role, dialect); loaded once, saved once per run."""

    store: CacheStore | None
    _entries: _Blobs = field(default_factory=_Blobs)
    _schemas: _Blobs = field(default_factory=_Blobs)
    dirty: bool = False

    @property
    def name(self) -> str:
        version = f"{sys.version_info.major}{sys.version_info.minor}"
        return f"facts-{__version__}-py{version}-{facts_fingerprint()}.cache"

    @property
    def file(self) -> Path | None:
        return self.store.directory / self.name if self.store is not None else None

    @property
    def used(self) -> set[EntryKey]:
        return self._entries.used

    @property
    def entry_keys(self) -> set[EntryKey]:
        """Every entry held, read or put."""
        return set(self._entries.blobs) | set(self._entries.values)

    @property
    def schema_keys(self) -> set[str]:
        return set(self._schemas.blobs) | set(self._schemas.values)

    @classmethod
    def load(cls, where: CacheStore | Path | None) -> FactsCache:
        """The cache in a store (or a directory, opened quietly); an empty one that saves
        nothing when there is no usable cache."""
        store = where
        if isinstance(where, Path):
            try:
                store = CacheStore.open(where)
            except CacheUnavailable:
                store = None
        cache = cls(store if isinstance(store, CacheStore) else None)
        if cache.store is None:
            return cache
        body = read_body(cache.store, cache.name, "facts")
        if body is None:
            return cache
        entries, schemas = body.get("entries"), body.get("schemas")
        if type(entries) is not tuple or type(schemas) is not tuple:
            return cache
        for row in entries:
            if _row(row, 5):
                cache._entries.blobs[row[:4]] = row[4]
        for row in schemas:
            if _row(row, 2):
                cache._schemas.blobs[row[0]] = row[1]
        return cache

    def get(self, path: str, key: str, role: str, dialect: str) -> FileFacts | None:
        found = self._entries.get(
            (path, key, role, dialect),
            facts_codec().decoder(FileFacts),
            lambda facts: facts.path == path and facts.content_key == key,
        )
        return found  # type: ignore[no-any-return]

    def put(self, path: str, key: str, role: str, dialect: str, facts: FileFacts) -> None:
        self._entries.put((path, key, role, dialect), facts)
        self.dirty = True

    def get_schema(self, key: str) -> Schema | None:
        found = self._schemas.get(key, facts_codec().decoder(Schema), lambda _: True)
        return found  # type: ignore[no-any-return]

    def put_schema(self, key: str, schema: Schema) -> None:
        self._schemas.put(key, schema)
        self.dirty = True

    def save(self) -> None:
        """Write the entries used by this run (dropping deleted and stale files)."""
        if self.store is None:
            return
        if (
            not self.dirty
            and self._entries.used == set(self._entries.blobs) | set(self._entries.values)
            and self._schemas.used == set(self._schemas.blobs) | set(self._schemas.values)
        ):
            return
        entries = self._entries.saved(facts_codec().encoder(FileFacts))
        schemas = self._schemas.saved(facts_codec().encoder(Schema))
        body = header("facts")
        body["entries"] = [[*key, blob] for key, blob in entries]
        body["schemas"] = [[key, blob] for key, blob in schemas]
        self.store.write(self.name, pack(body))


def _row(row: Any, width: int) -> bool:
    """A row of ``width - 1`` str key parts and a bytes blob."""
    return (
        type(row) is tuple
        and len(row) == width
        and all(type(part) is str for part in row[:-1])
        and type(row[-1]) is bytes
    )
