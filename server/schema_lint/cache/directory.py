"""The cache directory: created, never followed, and refused when it is not this user's.

Everything happens relative to a descriptor of the directory opened with ``O_NOFOLLOW``
(``openat``-style), so that a symbolic link, at the directory or at any file in it, is never
followed: files are read with ``O_NOFOLLOW`` and written as new files renamed into place.
On a platform without ``dir_fd`` support, the same checks are made on paths.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

GITIGNORE_FIRST_LINE = "# Automatically created by schema-lint."
_GITIGNORE = f"{GITIGNORE_FIRST_LINE}\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by schema-lint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
MAX_FILE_BYTES = 256 * 1024 * 1024
"""A larger cache file is not read (no project's facts come near it)."""

_AT = (
    os.open in os.supports_dir_fd
    and os.rename in os.supports_dir_fd  # os.replace takes the same dir_fd arguments
    and hasattr(os, "O_NOFOLLOW")
    and hasattr(os, "O_DIRECTORY")
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


class Refused(Exception):
    """A directory or file the cache will not use; the message says why."""


def current_user() -> int | None:
    """The effective user id (None where the platform has none)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def check_owner(st: os.stat_result, what: str) -> None:
    user = current_user()
    if user is not None and st.st_uid != user:
        raise Refused(f"{what} is owned by another user (uid {st.st_uid})")


def inspect(path: Path, *, strict: bool) -> None:
    """Refuse ``path`` as a cache directory when it exists and is a symbolic link, not a
    directory, or another user's. ``strict`` (an explicit ``--cache-dir``) also refuses a
    directory holding anything but a schema-lint cache, e.g. a system folder."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise Refused(f"{path} cannot be read ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise Refused(f"{path} is a symbolic link; schema-lint does not follow it")
    if not stat.S_ISDIR(st.st_mode):
        raise Refused(f"{path} is not a directory")
    check_owner(st, str(path))
    if strict and not _looks_like_cache(path):
        raise Refused(
            f"{path} is not empty and is not a schema-lint cache directory "
            "(give a new or empty directory)"
        )


def _looks_like_cache(path: Path) -> bool:
    """Empty, or marked by our ``.gitignore``, or holding only cache-named files."""
    try:
        with os.scandir(path) as entries:
            names = [entry.name for entry in entries]
    except OSError:
        return False
    if ".gitignore" in names:
        try:
            with open_file(path, ".gitignore") as (fd, _):
                if os.read(fd, len(GITIGNORE_FIRST_LINE)).decode() == GITIGNORE_FIRST_LINE:
                    return True
        except (OSError, Refused, UnicodeDecodeError):
            pass
    return all(
        name in {".gitignore", "CACHEDIR.TAG"}
        or name.startswith(("facts-", "results-", ".facts-", ".results-"))
        for name in names
    )


@contextlib.contextmanager
def _directory(path: Path, *, create: bool) -> Iterator[int | None]:
    """A descriptor of the cache directory (None without ``dir_fd`` support), created with
    mode 0700 and its markers when ``create``; refused when it is a link or not ours.

    ``FileNotFoundError`` when it does not exist and ``create`` is false.
    """
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
    if not _AT:
        inspect(path, strict=False)
        if not path.is_dir():
            raise FileNotFoundError(path)
        if create:
            _markers(None, path)
        yield None
        return
    try:
        fd = os.open(path, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise Refused(f"{path} is a symbolic link; schema-lint does not follow it") from None
        if exc.errno == errno.ENOTDIR:
            raise Refused(f"{path} is not a directory") from None
        raise Refused(f"{path} cannot be opened ({exc.strerror})") from None
    try:
        check_owner(os.fstat(fd), str(path))
        if create:
            _markers(fd, path)
        yield fd
    finally:
        os.close(fd)


def _markers(dfd: int | None, path: Path) -> None:
    """Ignored by git and by backup tools (an existing file or link is left alone)."""
    _create(dfd, path, ".gitignore", _GITIGNORE.encode())
    _create(dfd, path, "CACHEDIR.TAG", _CACHEDIR_TAG.encode())


@contextlib.contextmanager
def open_file(directory: Path, name: str) -> Iterator[tuple[int, int]]:
    """``name`` in ``directory`` opened for reading, never through a link: (fd, size).

    ``FileNotFoundError`` when it is absent; :class:`Refused` when it is a link, not a regular
    file, another user's, or too large.
    """
    flags = os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK
    with _directory(directory, create=False) as dfd:
        try:
            if dfd is None:
                if os.path.islink(directory / name):
                    raise OSError(errno.ELOOP, "is a symbolic link")
                fd = os.open(directory / name, flags)
            else:
                fd = os.open(name, flags, dir_fd=dfd)
        except FileNotFoundError:
            raise
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Refused(f"{directory / name} is a symbolic link; not followed") from None
            raise Refused(f"{directory / name} cannot be opened ({exc.strerror})") from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Refused(f"{directory / name} is not a regular file")
            check_owner(st, str(directory / name))
            if st.st_size > MAX_FILE_BYTES:
                raise Refused(f"{directory / name} is too large to be a cache file")
            yield fd, st.st_size
        finally:
            os.close(fd)


def read_file(directory: Path, name: str) -> bytes | None:
    """The bytes of ``name`` (None when absent); :class:`Refused` as :func:`open_file`."""
    try:
        with open_file(directory, name) as (fd, size):
            chunks = []
            remaining = size
            while remaining > 0:
                chunk = os.read(fd, remaining)
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            return b"".join(chunks)
    except (FileNotFoundError, NotADirectoryError):
        return None


def write_file(directory: Path, name: str, data: bytes) -> bool:
    """Replace ``name`` with ``data`` atomically (a new file renamed into place, mode 0600).

    False when it cannot be written (a read-only checkout still gets its findings); a link
    at ``name`` is replaced, never written through.
    """
    tmp = f".{name}.{secrets.token_hex(6)}.tmp"
    try:
        with _directory(directory, create=True) as dfd:
            if not _create(dfd, directory, tmp, data):
                return False
            try:
                if dfd is None:
                    os.replace(directory / tmp, directory / name)
                else:
                    os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
            except OSError:
                with contextlib.suppress(OSError):
                    if dfd is None:
                        os.unlink(directory / tmp)
                    else:
                        os.unlink(tmp, dir_fd=dfd)
                return False
        return True
    except (OSError, Refused):
        return False


def _create(dfd: int | None, directory: Path, name: str, data: bytes) -> bool:
    """Create ``name`` (never an existing file or link) holding ``data``; False on failure."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    try:
        if dfd is None:
            fd = os.open(directory / name, flags, 0o600)
        else:
            fd = os.open(name, flags, 0o600, dir_fd=dfd)
    except OSError:
        return False
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError:
        with contextlib.suppress(OSError):
            if dfd is None:
                os.unlink(directory / name)
            else:
                os.unlink(name, dir_fd=dfd)
        return False
    finally:
        os.close(fd)
    return True
