"""The per-user secret that signs every cache file, kept outside any project.

32 random bytes in ``$XDG_CACHE_HOME/schema-lint/key`` (``~/.cache/schema-lint/key``; on
Windows under ``%LOCALAPPDATA%``): the directory is created 0700 and the key 0600, written to a
temporary file and linked into place so that concurrent first runs agree on one key. A key
that is a link, another user's, readable by others or of the wrong size is not used.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from schema_lint.cache.directory import Refused, check_owner

KEY_BYTES = 32
KEY_FILE = "key"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def key_directory() -> Path:
    """Where the key lives: the user cache directory; :class:`Refused` when there is none."""
    base = os.environ.get("LOCALAPPDATA") if os.name == "nt" else None
    base = base or os.environ.get("XDG_CACHE_HOME")
    if not base or not os.path.isabs(base):  # the XDG specification ignores relative paths
        try:
            base = str(Path.home() / ".cache")
        except (KeyError, RuntimeError):
            raise Refused("no user cache directory (set XDG_CACHE_HOME or HOME)") from None
    return Path(base) / "schema-lint"


def user_key() -> bytes:
    """This user's cache key, created on first use; :class:`Refused` (with the reason) when it
    cannot be created or read."""
    directory = key_directory()
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(directory, 0o700)
        st = os.lstat(directory)
    except OSError as exc:
        raise Refused(f"cannot create {directory} ({exc.strerror})") from None
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise Refused(f"{directory} is not a directory")
    check_owner(st, str(directory))
    if st.st_mode & 0o077 and hasattr(os, "geteuid"):
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)
    path = directory / KEY_FILE
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    _create(directory)
    try:
        return _read(path)
    except FileNotFoundError:
        raise Refused(f"cannot create {path}") from None


def _read(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC | _NONBLOCK)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise Refused(f"cannot read {path} ({exc.strerror}); delete it for a new key") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size != KEY_BYTES:
            raise Refused(f"{path} is not a {KEY_BYTES}-byte file; delete it for a new key")
        check_owner(st, str(path))
        if st.st_mode & 0o077 and hasattr(os, "geteuid"):
            raise Refused(f"{path} is readable by other users; delete it for a new key")
        key = os.read(fd, KEY_BYTES)
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise Refused(f"cannot read {path}; delete it for a new key")
    return key


def _create(directory: Path) -> None:
    """Write a new key to a private temporary file, then link it into place (the first
    process to link wins; the others read its key)."""
    tmp = directory / f".key-{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise Refused(f"cannot create a key in {directory} ({exc.strerror})") from None
    try:
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, directory / KEY_FILE)
        except FileExistsError:
            pass
        except OSError:  # no hard links here: rename (a concurrent first run may lose its key)
            os.replace(tmp, directory / KEY_FILE)
    except OSError as exc:
        raise Refused(f"cannot create a key in {directory} ({exc.strerror})") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
