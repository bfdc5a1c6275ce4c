"""Signed cache files in a checked directory: what this user wrote is all that is ever read.

A cache file is ``MAGIC``, then an HMAC-SHA256 tag, then a msgpack body. The tag is computed
with this user's secret key (:mod:`schema_lint.cache.secret`) over the magic, the file's name
and the body, and checked before the body is parsed at all: a file that arrives with a
repository, or that was altered, is ignored, never decoded.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from schema_lint.cache.directory import Refused, inspect, read_file, write_file
from schema_lint.cache.secret import user_key

MAGIC = b"schema-lint cache\n"
_TAG_BYTES = hashlib.sha256().digest_size


class CacheUnavailable(Exception):
    """Why the cache is not used this run.

    ``usage``: an explicit ``--cache-dir`` is at fault (exit status 2); ``verbose_only``: the
    user's key is unavailable, said only under ``--verbose``.
    """

    def __init__(self, message: str, *, usage: bool = False, verbose_only: bool = False) -> None:
        super().__init__(message)
        self.usage = usage
        self.verbose_only = verbose_only


@dataclass(frozen=True)
class CacheStore:
    directory: Path
    key: bytes = field(repr=False)
    warn: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    """Told (once per message) about files in the cache directory that are refused."""
    _warned: set[str] = field(default_factory=set, compare=False, repr=False)

    @classmethod
    def open(
        cls,
        directory: Path,
        *,
        explicit: bool = False,
        warn: Callable[[str], None] | None = None,
    ) -> CacheStore:
        """The cache in ``directory``; :class:`CacheUnavailable` when it must not be used."""
        try:
            inspect(directory, strict=explicit)
        except Refused as exc:
            raise CacheUnavailable(str(exc), usage=explicit) from None
        try:
            key = user_key()
        except Refused as exc:
            raise CacheUnavailable(f"no cache key: {exc}", verbose_only=True) from None
        return cls(directory, key, warn)

    def read(self, name: str) -> bytes | None:
        """The body of ``name`` if this user wrote it and it is intact; else None."""
        try:
            data = read_file(self.directory, name)
        except Refused as exc:
            self._warn(f"{exc}; ignored")
            return None
        if data is None or len(data) < len(MAGIC) + _TAG_BYTES or not data.startswith(MAGIC):
            return None
        body = memoryview(data)[len(MAGIC) + _TAG_BYTES :]
        tag = data[len(MAGIC) : len(MAGIC) + _TAG_BYTES]
        if not hmac.compare_digest(tag, self._tag(name, body)):
            return None
        return bytes(body)

    def write(self, name: str, body: bytes) -> bool:
        """Replace ``name`` with ``body``, signed; False when it cannot be written."""
        return write_file(self.directory, name, MAGIC + self._tag(name, body) + body)

    def _tag(self, name: str, body: bytes | memoryview) -> bytes:
        mac = hmac.new(self.key, MAGIC, hashlib.sha256)
        mac.update(name.encode() + b"\0")
        mac.update(body)
        return mac.digest()

    def _warn(self, message: str) -> None:
        if self.warn is not None and message not in self._warned:
            self._warned.add(message)
            self.warn(message)
