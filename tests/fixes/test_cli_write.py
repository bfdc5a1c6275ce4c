"""``schema-lint check --fix`` and ``--diff`` as a user runs them, on files that are
read-only or have line endings of their own."""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fix_helpers import copy_case

MODELS = "app/models.py"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command's result, its output decoded as printed (line endings untranslated)."""
    result = subprocess.run(
        [sys.executable, "-m", "schema_lint", "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        timeout=120,
        check=False,
    )
    out, err = result.stdout.decode(), result.stderr.decode()
    return subprocess.CompletedProcess(result.args, result.returncode, out, err)


def test_fix_reports_a_read_only_file_and_leaves_its_findings(tmp_path: Path) -> None:
    root = copy_case("sl002_mapped_column", tmp_path)
    path = root / MODELS
    before = path.read_bytes()
    path.chmod(0o444)
    result = run("--fix", cwd=root)
    assert result.returncode == 1, result.stderr
    assert (
        f"schema-lint: {MODELS}: 4 fixes not applied: the file is read-only (mode 0444); "
        "make it writable to apply them\n" in result.stderr
    )
    assert "Fixed" not in result.stdout
    assert result.stdout.count(": SL002 ") == 4
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    path.chmod(0o644)
    assert run("--fix", cwd=root).returncode == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="git applies the diff")
@pytest.mark.parametrize(
    "endings", [[b"\r\n"], [b"\n", b"\r\n", b"\r\n"], [b"\r\n", b"\n"]], ids=str
)
def test_the_diff_applies_to_exactly_the_bytes_fix_writes(
    tmp_path: Path, endings: list[bytes]
) -> None:
    root = copy_case("sl002_mapped_column", tmp_path)
    path = root / MODELS
    lines = path.read_bytes().split(b"\n")
    data = b"".join(line + endings[i % len(endings)] for i, line in enumerate(lines[:-1]))
    path.write_bytes(data.rstrip(b"\r\n"))  # and no line ending at the end
    diff = run("--diff", cwd=root)
    assert diff.returncode == 1 and "Would fix 4 errors." in diff.stderr
    assert "\r\n" in diff.stdout and diff.stdout.endswith("\\ No newline at end of file\n")
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    subprocess.run(
        ["git", "apply", "-p0", "-"],
        input=diff.stdout.encode(),
        cwd=copy,
        check=True,
        capture_output=True,
    )
    assert run("--fix", cwd=root).returncode == 0
    assert (copy / MODELS).read_bytes() == path.read_bytes()
