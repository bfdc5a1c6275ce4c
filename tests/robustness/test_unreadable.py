"""Files and directories the user may not read: named in findings, never skipped silently."""

from __future__ import annotations

import pytest
from robust_project import KNOWN, assert_no_crash, codes, findings, make_project, run
from unprivileged import forbid, shared_directory, unprivileged_command

COMMAND = unprivileged_command()
pytestmark = pytest.mark.skipif(isinstance(COMMAND, str), reason=str(COMMAND))


def test_unreadable_files_directories_and_alembic_ini_are_named() -> None:
    assert not isinstance(COMMAND, str)
    with shared_directory() as shared:
        root = make_project(shared / "robust")
        private = root / "app" / "private"
        private.mkdir()
        (private / "hidden.py").write_text("import sqlalchemy\n")
        (root / "app" / "secret.py").write_text("import sqlalchemy\n")
        forbid(root / "app" / "secret.py")
        forbid(private)
        forbid(root / "alembic.ini")
        result = run("check", "--format", "json", "--no-cache", cwd=root, command=COMMAND)
        assert_no_crash(result)
        assert result.returncode == 1
        # The revisions are still found (a directory of revision files), the models read.
        assert codes(result, root) == sorted(
            [
                *KNOWN,
                ("SL000", "alembic.ini"),
                ("SL000", "app/private"),
                ("SL000", "app/secret.py"),
            ]
        )
        messages = {d["path"]: d["message"] for d in findings(result, root) if d["code"] == "SL000"}
        assert messages["app/secret.py"] == "file not checked: cannot be read: permission denied"
        assert messages["app/private"].startswith("directory not checked: cannot be listed")
        assert "permission denied" in messages["alembic.ini"]
        text = run("check", "--no-cache", cwd=root, command=COMMAND)  # no snippet to read
        assert_no_crash(text)
        assert "app/secret.py:1:1: SL000" in text.stdout
        # A project the user may not write to: no cache is kept, the result is the same.
        cached = run("check", "--format", "json", cwd=root, command=COMMAND)
        assert_no_crash(cached)
        assert codes(cached, root) == codes(result, root)


def test_an_unreadable_pyproject_is_a_configuration_error() -> None:
    assert not isinstance(COMMAND, str)
    with shared_directory() as shared:
        root = make_project(shared / "robust")
        forbid(root / "pyproject.toml")
        result = run("check", "--no-cache", cwd=root, command=COMMAND)
        assert_no_crash(result)
        assert result.returncode == 2
        assert "configuration error" in result.stderr
        assert "pyproject.toml: cannot be read: permission denied" in result.stderr
