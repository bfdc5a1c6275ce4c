"""Bounded work on any input: which files are read and how much, and the SQL parser's time.

A project may hold anything under a ``.py`` name: a FIFO that blocks the first reader, a
character device or a sparse file that never ends, a file only root may read, a symbolic
link to itself. :func:`read_source` reads only regular files, at most :data:`MAX_FILE_BYTES`
of them, without ever blocking, and says in words why a file could not be read.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

MAX_FILE_BYTES = 20 * 1024 * 1024
"""Larger files are not read (the largest real model file we know is under 1 MiB)."""

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
UNREADABLE = "unreadable-file"
TOO_LARGE = "file-too-large"
VANISHED = "vanished"
"""The file was removed between listing and reading: nothing to report."""


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why a file was not read; ``kind`` is a problem kind."""

    kind: str
    message: str


def read_source(path: str, limit: int = MAX_FILE_BYTES) -> bytes | Unreadable:
    """The bytes of the regular file at ``path`` (following symbolic links), or why not."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        return _open_error(path, exc)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return Unreadable(
                UNREADABLE,
                f"not a regular file ({_file_type(info.st_mode)}); not read. "
                f"If it is not source code, add it to `exclude` in [tool.schema-lint]",
            )
        if info.st_size > limit:
            return _too_large(info.st_size, limit)
        chunks = []
        remaining = limit + 1  # one byte more than allowed tells a file that grew
        want = info.st_size + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, max(want, 65536)))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            return _too_large(len(data), limit)
        return data
    except OSError as exc:
        return Unreadable(UNREADABLE, f"cannot be read: {_reason(exc)}")
    finally:
        os.close(fd)


def _too_large(size: int, limit: int) -> Unreadable:
    return Unreadable(
        TOO_LARGE,
        f"file is larger than {_mib(limit)} ({_mib(size)} or more); not read. "
        f"If it declares no tables, add it to `exclude` in [tool.schema-lint]",
    )


def _mib(size: int) -> str:
    return f"{size / 1_048_576:.0f} MiB" if size >= 1_048_576 else f"{size} bytes"


def _open_error(path: str, exc: OSError) -> Unreadable:
    if exc.errno == errno.ELOOP:
        return Unreadable(UNREADABLE, "symbolic link loop: the link leads back to itself")
    if exc.errno == errno.ENOENT:
        if os.path.islink(path):
            target = _readlink(path)
            return Unreadable(UNREADABLE, f"broken symbolic link (to `{target}`, which is missing)")
        return Unreadable(VANISHED, "removed while it was being read")
    return Unreadable(UNREADABLE, f"cannot be read: {_reason(exc)}")


def _readlink(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return (exc.strerror or str(exc)).lower()


def directory_error(exc: OSError) -> str:
    """Why a directory could not be listed, for a problem message."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; not read"
    return f"cannot be listed: {_reason(exc)}; the files in it are not read"


def _file_type(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"


# --- the SQL parser's time ---------------------------------------------------------------

MAX_SQL_CHARS = 100_000
"""Longer SQL statements are not parsed (sqlglot takes about a second for this many)."""
SQL_SECONDS_PER_FILE = 5.0
"""Once a file's SQL took this long to parse, the rest of its SQL is not parsed."""


@dataclass(slots=True)
class SqlBudget:
    """The SQL parsing time left to one file."""

    seconds: float
    spent: float = 0.0

    @property
    def exhausted(self) -> bool:
        return self.spent >= self.seconds

    @contextmanager
    def timed(self) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.spent += time.perf_counter() - start


_BUDGET: ContextVar[SqlBudget | None] = ContextVar("schema_lint_sql_budget", default=None)


@contextmanager
def file_budget(seconds: float = SQL_SECONDS_PER_FILE) -> Iterator[SqlBudget]:
    """The SQL budget of the file being read while this block runs."""
    budget = SqlBudget(seconds)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def sql_budget() -> SqlBudget:
    """The current file's SQL budget (a fresh one outside :func:`file_budget`)."""
    budget = _BUDGET.get()
    return budget if budget is not None else SqlBudget(SQL_SECONDS_PER_FILE)
