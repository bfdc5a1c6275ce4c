"""Writing fixed files to disk: read-only files are reported, not rewritten; mode, owner,
extended attributes, hard and symbolic links are kept; a writer racing the fix keeps its
bytes (the race is made deterministic by the writer's hook, called between the last read
and the write)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fix_helpers import copy_case, load
from schema_lint.engine import check
from schema_lint.fixes import write
from schema_lint.fixes.apply import FileChange, apply_fixes, write_changes

MODELS = "app/models.py"
CASE = "sl002_mapped_column"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_case(CASE, tmp_path)


def _changes(root: Path) -> list[FileChange]:
    project = load(root)
    result = check(project)
    return list(apply_fixes(project, result.schemas, result.diagnostics, unsafe=True).values())


def _leftovers(directory: Path) -> list[str]:
    return [name for name in os.listdir(directory) if name.endswith(".tmp")]


def test_a_read_only_file_is_reported_and_not_rewritten(root: Path) -> None:
    path = root / MODELS
    before = path.read_bytes()
    path.chmod(0o444)
    result = write_changes(_changes(root))
    assert result.written == () and result.read_only == (str(path),)
    ((skipped, why),) = result.skipped
    assert skipped == str(path) and "read-only (mode 0444)" in why
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_an_immutable_file_is_reported_and_not_rewritten(root: Path) -> None:
    path = root / MODELS
    before = path.read_bytes()
    chattr = shutil.which("chattr")
    made = chattr and subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode
    if made != 0:
        pytest.skip("cannot make a file immutable here (chattr +i)")
    try:
        result = write_changes(_changes(root))
    finally:
        subprocess.run([str(chattr), "-i", str(path)], check=True)
    assert result.read_only == (str(path),)
    assert "immutable" in result.skipped[0][1]
    assert path.read_bytes() == before


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755, 0o2775, 0o200])
def test_mode_bits_are_kept(root: Path, mode: int) -> None:
    path = root / MODELS
    path.chmod(mode)
    result = write_changes(_changes(root))
    assert result.written == (str(path),)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    path.chmod(0o644)
    assert "index=True" in path.read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_owner_and_group_are_kept(root: Path) -> None:
    path = root / MODELS
    os.chown(path, 65534, 65534)
    write_changes(_changes(root))
    assert (path.stat().st_uid, path.stat().st_gid) == (65534, 65534)
    assert "index=True" in path.read_text()


def test_extended_attributes_are_kept(root: Path) -> None:
    path = root / MODELS
    try:
        os.setxattr(path, "user.schema_lint_test", b"kept")
    except OSError:
        pytest.skip("the file system here has no user extended attributes")
    write_changes(_changes(root))
    assert os.getxattr(path, "user.schema_lint_test") == b"kept"
    assert "index=True" in path.read_text()


def test_a_hard_linked_file_keeps_its_link(root: Path, tmp_path: Path) -> None:
    path = root / MODELS
    other = tmp_path / "other_name.py"
    os.link(path, other)
    inode = path.stat().st_ino
    result = write_changes(_changes(root))
    assert result.written == (str(path),)
    assert path.stat().st_ino == other.stat().st_ino == inode
    assert path.stat().st_nlink == 2
    assert "index=True" in path.read_text() and other.read_text() == path.read_text()
    assert _leftovers(path.parent) == []


def test_a_symbolic_link_stays_a_link_to_the_fixed_file(root: Path, tmp_path: Path) -> None:
    path = root / MODELS
    real = tmp_path / "real_models.py"
    shutil.move(path, real)
    path.symlink_to(real)
    result = write_changes(_changes(root))
    assert result.written == (str(path),)
    assert path.is_symlink() and path.resolve() == real
    assert "index=True" in real.read_text()


def test_the_atomic_replace_leaves_no_temporary_file(root: Path) -> None:
    path = root / MODELS
    inode = path.stat().st_ino
    assert write_changes(_changes(root)).written == (str(path),)
    assert path.stat().st_ino != inode, "a single-link file is replaced, not rewritten"
    assert _leftovers(path.parent) == []


# -- a writer racing the fix --------------------------------------------------------------


def _rewrite_in_place(path: Path) -> None:
    """An editor that writes through the inode, the same size (same mtime tick, likely)."""
    data = path.read_bytes()
    with open(path, "r+b") as handle:
        handle.write(data.replace(b"refresh", b"REFRESH"))


def _replace_by_rename(path: Path) -> None:
    """An editor that saves by renaming a new file over the old one."""
    new = path.with_name("editor-save.swp")
    new.write_bytes(path.read_bytes().replace(b"refresh", b"REFRESH"))
    os.replace(new, path)


def _append(path: Path) -> None:
    with open(path, "ab") as handle:
        handle.write(b"# REFRESH: saved by the user\n")


WRITERS: dict[str, Callable[[Path], None]] = {
    "in place, same size": _rewrite_in_place,
    "renamed over": _replace_by_rename,
    "appended": _append,
}


@pytest.fixture(params=["atomic", "atomic without RENAME_EXCHANGE", "in place (hard link)"])
def how(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[str]:
    if request.param == "atomic without RENAME_EXCHANGE":
        monkeypatch.setattr(write, "_exchange", lambda a, b: False)  # as on macOS
    yield request.param


@pytest.mark.parametrize("writer", sorted(WRITERS))
def test_a_writer_racing_the_fix_keeps_its_bytes(
    root: Path, tmp_path: Path, how: str, writer: str
) -> None:
    path = root / MODELS
    if how.startswith("in place"):
        os.link(path, tmp_path / "second_name.py")
    changes = _changes(root)
    raced: list[bytes] = []

    def race(target: str) -> None:
        assert target == str(path)
        WRITERS[writer](path)
        raced.append(path.read_bytes())

    result = write_changes(changes, before_write=race)
    assert len(raced) == 1, "the hook runs once, between the last read and the write"
    assert result.written == ()
    ((_, why),) = result.skipped
    assert "changed on disk" in why
    assert path.read_bytes() == raced[0]
    assert b"REFRESH" in raced[0] and b"index=True" not in raced[0]
    assert _leftovers(path.parent) == []


def test_a_file_locked_by_another_process_is_not_rewritten_in_place(
    root: Path, tmp_path: Path
) -> None:
    path = root / MODELS
    os.link(path, tmp_path / "second_name.py")  # a hard link: written in place, under a lock
    before = path.read_bytes()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys\n"
            f"handle = open({str(path)!r}, 'rb')\n"
            "fcntl.flock(handle, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        result = write_changes(_changes(root))
    finally:
        holder.communicate("", timeout=30)
    assert result.written == ()
    assert "locked by another process" in result.skipped[0][1]
    assert path.read_bytes() == before
    assert write_changes(_changes(root)).written == (str(path),), "once the lock is gone"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory that another user can reach (pytest's own are root's alone)."""
    directory = Path(tempfile.mkdtemp(prefix="schema-lint-test-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")
@pytest.mark.parametrize("directory_mode", [0o777, 0o755], ids=["writable", "not writable"])
def test_another_users_file_keeps_its_owner(shared_dir: Path, directory_mode: int) -> None:
    """A user who may write the file but cannot give a new file its owner (or create one
    beside it) has it rewritten in place."""
    root = copy_case(CASE, shared_dir)
    path = root / MODELS
    changes = _changes(root)
    for directory in (root, path.parent):
        directory.chmod(directory_mode)
    path.chmod(0o666)
    inode = path.stat().st_ino
    pid = os.fork()
    if pid == 0:  # the child writes as nobody, with the code already loaded
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            os._exit(0 if write_changes(changes).written == (str(path),) else 3)
        finally:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert (path.stat().st_uid, path.stat().st_ino) == (0, inode)
    assert "index=True" in path.read_text()


@pytest.mark.parametrize("exchange", [True, False], ids=["RENAME_EXCHANGE", "os.replace"])
def test_a_write_in_the_instant_before_the_swap_is_put_back(
    root: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    """A writer that slips in after the last check (here: inside the swap call, before it)
    still keeps its bytes: the file taken out is checked and put back."""
    path = root / MODELS
    changes = _changes(root)
    real_exchange = write._exchange
    raced: list[bytes] = []

    def racing_exchange(a: str, b: str) -> bool:
        if not raced:
            _rewrite_in_place(path)
            raced.append(path.read_bytes())
            return real_exchange(a, b) if exchange else False
        return real_exchange(a, b)

    monkeypatch.setattr(write, "_exchange", racing_exchange)
    result = write_changes(changes)
    assert result.written == ()
    ((_, why),) = result.skipped
    assert "changed on disk while it was being written; your version is kept" in why
    assert path.read_bytes() == raced[0] and b"REFRESH" in raced[0]
    assert _leftovers(path.parent) == []
