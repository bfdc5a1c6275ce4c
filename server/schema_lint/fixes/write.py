"""Writing fixed files: exactly what the fixes change, never over the user's newer bytes.

Outside the fixes' edits a written file keeps its bytes: encoding, BOM, each line's own
ending (:mod:`schema_lint.fixes.endings`). The file keeps its inode's properties too:

- **Atomic replace** (the usual way): the new bytes go to a temporary file in the same
  directory, given the file's mode, owner and group and extended attributes (ACLs), then
  swap names with the file. A reader sees the old file or the new one, never a mix, and a
  crash leaves one of them whole.
- **In place** when the file has several hard links (a replace would give this name a new
  inode and leave the other names on the old text), or when the replace cannot keep the
  owner or the extended attributes, or the directory is not writable. The file is rewritten
  through its own inode under an exclusive ``flock``: this keeps every property, but it is
  not atomic: a reader may see a partly written file, and a crash mid-write can leave one.

A file is written only if its bytes are still those the fixes were computed from. The last
check comes as late as the platform allows. Before an atomic replace the bytes are read
again and the file's inode, size, mtime and ctime compared; on Linux the names are then
swapped with ``renameat2(RENAME_EXCHANGE)``, so the file taken out can be checked once more
and swapped back if someone wrote to it in between. Where that call is missing, a plain
``os.replace`` is used, and bytes written into the old inode in that instant are put back.
In place, the bytes are read again under the lock right before they are overwritten; a
writer that does not take the lock can still slip in between those two system calls.

Read-only files (no write permission bit, or not writable by this process: immutable,
read-only file system) are never rewritten, even by root: they are reported.
"""

from __future__ import annotations

import codecs
import ctypes
import errno
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from schema_lint.diagnostics import Edit
from schema_lint.fixes.edits import apply_edits
from schema_lint.fixes.endings import (
    Break,
    EndingsWouldJoin,
    breaks_of,
    carried,
    diffed,
    joined,
    normalised,
    settled,
)
from schema_lint.sources.text import DecodeError, SourceText, decode_source

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

CHANGED = "the file changed on disk since it was read; not overwritten (run the fix again)"
CHANGED_WHILE_WRITING = (
    "the file changed on disk while it was being written; your version is kept and the "
    "fixes were not applied (run the fix again)"
)

WriteHook = Callable[[str], object]
"""Called with a file's path after its bytes were checked and right before they are
replaced: tests race a writer here, deterministically."""


class Change(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def original(self) -> bytes: ...

    @property
    def new_text(self) -> str: ...

    @property
    def rounds(self) -> tuple[tuple[Edit, ...], ...] | None: ...


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    """(path, why) for each file left alone."""
    read_only: tuple[str, ...] = ()
    """The skipped files that are read-only."""


class NotWritten(Exception):
    """Why a file is left alone."""

    def __init__(self, why: str, *, read_only: bool = False) -> None:
        super().__init__(why)
        self.read_only = read_only


# -- the bytes -------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)


def _bom_and_codec(original: bytes, source: SourceText) -> tuple[bytes, str]:
    """The file's BOM (kept as it is) and the codec of the bytes after it."""
    name = codecs.lookup(source.encoding).name
    for bom, family, codec in _BOMS:
        if original.startswith(bom) and (name == family or name.startswith(family + "-")):
            return bom, codec
    return b"", source.encoding


def file_text(data: bytes) -> str:
    """A file's bytes decoded as they are: without the BOM, with their own line endings."""
    source = decode_source(data)
    bom, codec = _bom_and_codec(data, source)
    return data[len(bom) :].decode(codec)


def encode_like(
    original: bytes, new_text: str, rounds: tuple[tuple[Edit, ...], ...] | None = None
) -> bytes:
    """``new_text`` as the bytes of the file whose bytes were ``original``: its encoding, BOM
    and line endings. ``rounds`` are the edits that made ``new_text`` from ``original``'s
    text (see :mod:`schema_lint.fixes.endings` for what happens without them).

    Raises :class:`NotWritten` when the result would not read back as ``new_text``.
    """
    try:
        source = decode_source(original)
        bom, codec = _bom_and_codec(original, source)
        raw = file_text(original)
    except (DecodeError, UnicodeDecodeError, LookupError) as exc:
        raise NotWritten(f"cannot read the file's encoding again: {exc}") from None
    lead = "\ufeff" if raw.startswith("\ufeff") and not source.text.startswith("\ufeff") else ""
    raw = raw[len(lead) :]
    if normalised(raw) != source.text:
        raise NotWritten("cannot reproduce the file's bytes outside the fixes; not rewritten")
    try:
        breaks = _breaks(source.text, breaks_of(raw), new_text, rounds)
        data = bom + (lead + joined(new_text, breaks)).encode(codec)
    except EndingsWouldJoin as exc:
        raise NotWritten(
            f"the fixes empty {exc} between a CR and an LF line ending, which would then read "
            "as one CRLF; not rewritten (give the file one kind of line ending)"
        ) from None
    except UnicodeEncodeError as exc:
        raise NotWritten(f"cannot encode the fixed text as {source.encoding}: {exc}") from None
    try:
        readable = decode_source(data).text == new_text
    except DecodeError:
        readable = False
    if not readable:
        raise NotWritten("the fixed file would not read back as fixed; not rewritten")
    return data


def _breaks(
    text: str, breaks: list[Break], new_text: str, rounds: tuple[tuple[Edit, ...], ...] | None
) -> list[Break]:
    """The line breaks of ``new_text``: carried through the edits, or else by a line diff.
    In a text left without any, new lines take the file's most common ending."""
    counts = Counter(b.ending for b in breaks)
    default = max(counts, key=counts.__getitem__) if counts else "\n"
    if rounds is not None:
        current, carried_breaks = text, breaks
        for edits in rounds:
            carried_breaks = carried(current, carried_breaks, edits, default)
            current = apply_edits(current, edits)
            carried_breaks = settled(current, carried_breaks)
        if current == new_text:
            return carried_breaks
    return diffed(text, breaks, new_text, default)


def encoded(change: Change) -> bytes:
    """The bytes that writing ``change`` puts on disk."""
    return encode_like(change.original, change.new_text, change.rounds)


# -- the disk --------------------------------------------------------------------------------


def write_changes(
    changes: Mapping[str, Change] | Iterable[Change], *, before_write: WriteHook | None = None
) -> WriteResult:
    """Write each changed file (``apply_fixes``'s result, or its values) unless it is
    read-only or changed on disk since it was read."""
    written: list[str] = []
    skipped: list[tuple[str, str]] = []
    read_only: list[str] = []
    for change in changes.values() if isinstance(changes, Mapping) else changes:
        try:
            write_file(change.path, change.original, encoded(change), before_write)
        except NotWritten as exc:
            skipped.append((change.path, str(exc)))
            if exc.read_only:
                read_only.append(change.path)
        else:
            written.append(change.path)
    return WriteResult(tuple(written), tuple(skipped), tuple(read_only))


def write_file(
    path: str, original: bytes, data: bytes, before_write: WriteHook | None = None
) -> None:
    """Put ``data`` in the file at ``path`` (through symbolic links) if it still holds
    ``original``; raise :class:`NotWritten` otherwise."""
    target = os.path.realpath(path)
    try:
        _write(target, original, data, before_write)
    except FileNotFoundError:
        raise NotWritten("the file was removed since it was read; not written") from None
    except OSError as exc:
        raise NotWritten(f"cannot write: {exc.strerror or exc}") from None


def _write(target: str, original: bytes, data: bytes, before_write: WriteHook | None) -> None:
    fd = os.open(target, os.O_RDONLY)
    try:
        seen = os.fstat(fd)
        if not stat.S_ISREG(seen.st_mode):
            raise NotWritten("not a regular file; not rewritten")
        _check_writable(target, seen)
        staged = None
        if seen.st_nlink == 1:
            try:
                staged = _stage(target, seen, data)
            except OSError:
                staged = None  # e.g. a directory this process may not write in
        if staged is None:
            _write_in_place(target, original, data, before_write)
            return
        try:
            _replace(target, staged, fd, seen, original, before_write)
        finally:
            if os.path.lexists(staged):
                os.unlink(staged)
    finally:
        os.close(fd)
    _sync_directory(os.path.dirname(target))


def _check_writable(path: str, st: os.stat_result) -> None:
    """Raise :class:`NotWritten` if the file is read-only (by mode, even for root)."""
    mode = stat.S_IMODE(st.st_mode)
    why = None
    if getattr(st, "st_flags", 0) & (stat.UF_IMMUTABLE | stat.SF_IMMUTABLE | stat.UF_APPEND):
        why = "the file is immutable"
    elif not mode & 0o222:
        why = f"the file is read-only (mode {mode:04o}); make it writable to apply them"
    elif not os.access(path, os.W_OK, effective_ids=os.access in os.supports_effective_ids):
        if hasattr(os, "statvfs") and os.statvfs(path).f_flag & os.ST_RDONLY:
            why = "the file is on a read-only file system"
        else:
            why = "the file is not writable by this user, or immutable"
    if why is not None:
        raise NotWritten(why, read_only=True)


def _identity(st: os.stat_result, *, renamed: bool = False) -> tuple[int, ...]:
    """What tells a file's content changed; a rename changes the ctime, not the content."""
    if renamed:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _same_file(path: str, fd: int) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (os.fstat(fd).st_dev, os.fstat(fd).st_ino)


def _read_all(fd: int) -> bytes:
    """The whole file open as ``fd``, from its start."""
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    """``data`` as the whole content of the file open as ``fd``."""
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.ftruncate(fd, len(data))


def _stage(target: str, st: os.stat_result, data: bytes) -> str | None:
    """A temporary file beside ``target`` holding ``data`` with ``target``'s mode, owner,
    group and extended attributes; None when those cannot all be kept."""
    directory, name = os.path.split(target)
    fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        _write_all(fd, data)
        own = os.fstat(fd)
        if (own.st_uid, own.st_gid) != (st.st_uid, st.st_gid):
            os.fchown(fd, st.st_uid, st.st_gid)
        os.fchmod(fd, stat.S_IMODE(st.st_mode))  # after chown, which clears set-id bits
        _copy_xattrs(target, fd)
        os.fsync(fd)
    except OSError:
        os.close(fd)
        os.unlink(temporary)
        return None
    os.close(fd)
    return temporary


def _copy_xattrs(source: str, fd: int) -> None:
    if not hasattr(os, "listxattr"):
        return  # pragma: no cover - not Linux
    try:
        names = os.listxattr(source)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.ENODATA):
            return
        raise
    for name in names:
        os.setxattr(fd, name, os.getxattr(source, name))


def _replace(
    target: str,
    staged: str,
    fd: int,
    seen: os.stat_result,
    original: bytes,
    before_write: WriteHook | None,
) -> None:
    """Swap ``staged`` in for ``target`` if ``target`` still is what was read (``fd``)."""
    if _read_all(fd) != original:  # the last read: the hook races it
        raise NotWritten(CHANGED)
    if before_write is not None:
        before_write(target)
    try:
        now = os.stat(target)
    except OSError:
        raise NotWritten(CHANGED) from None
    if _identity(now) != _identity(seen) or _identity(os.fstat(fd)) != _identity(seen):
        raise NotWritten(CHANGED)
    if _exchange(staged, target):
        taken_out = os.lstat(staged)
        if (
            taken_out.st_ino != seen.st_ino
            or _identity(os.fstat(fd), renamed=True) != _identity(seen, renamed=True)
            or _read_all(fd) != original
        ):
            try:
                _exchange(staged, target)  # theirs back at ``target``, ours at ``staged``
            except OSError:
                os.replace(staged, target)  # theirs back; ours dropped
            raise NotWritten(CHANGED_WHILE_WRITING)
        return
    os.replace(staged, target)
    if _identity(os.fstat(fd), renamed=True) != _identity(seen, renamed=True) or (
        _read_all(fd) != original
    ):
        _restore(target, fd)
        raise NotWritten(CHANGED_WHILE_WRITING)


def _restore(target: str, fd: int) -> None:
    """Put back the bytes that someone wrote into the replaced file (still open as ``fd``)."""
    theirs = _read_all(fd)
    staged = _stage(target, os.fstat(fd), theirs)
    if staged is not None:
        os.replace(staged, target)
        return
    ours = os.open(target, os.O_WRONLY)
    try:
        _write_all(ours, theirs)
        os.fsync(ours)
    finally:
        os.close(ours)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@cache
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError, TypeError):
        return None
    path, fd = ctypes.c_char_p, ctypes.c_int
    function.argtypes = [fd, path, fd, path, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def _exchange(a: str, b: str) -> bool:
    """Atomically swap the names ``a`` and ``b`` (Linux ``renameat2(RENAME_EXCHANGE)``);
    False where the system or the file system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(error, os.strerror(error), b)


def _write_in_place(
    target: str, original: bytes, data: bytes, before_write: WriteHook | None
) -> None:
    """Rewrite ``target`` through its own inode, under an exclusive lock."""
    fd = os.open(target, os.O_RDWR)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise NotWritten("the file is locked by another process; not rewritten") from None
        if _read_all(fd) != original:
            raise NotWritten(CHANGED)
        if before_write is not None:
            before_write(target)
        if not _same_file(target, fd) or _read_all(fd) != original:
            raise NotWritten(CHANGED)
        _write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)  # also releases the lock


def _sync_directory(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
