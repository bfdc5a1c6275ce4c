"""Output on a terminal whose encoding cannot show everything: replaced, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from robust_project import KNOWN, assert_no_crash, make_project, run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "projét")  # a path that ASCII cannot show
    models = root / "app" / "models.py"
    # The flagged junction's line carries an accent and CJK characters.
    models.write_text(
        models.read_text().replace(
            "user_roles = Table(", "user_roles = Table(  # rôles des utilisateurs, 用户角色"
        )
    )
    return root


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_narrow_stdout_replaces_what_it_cannot_print(
    project: Path, encoding: str, output: str
) -> None:
    result = run(
        "check",
        "--format",
        output,
        "--no-cache",
        "--verbose",
        cwd=project,
        env={"PYTHONIOENCODING": encoding},
    )
    assert_no_crash(result)
    assert result.returncode == 1
    if output == "text":
        assert "用户角色" not in result.stdout and "?" in result.stdout
        assert "SL001" in result.stdout and "SL002" in result.stdout
    elif output in ("json", "sarif"):
        json.loads(result.stdout)  # escaped, still valid
        assert all(code in result.stdout for code, _ in KNOWN)
    else:
        lines = result.stdout.splitlines()
        assert len(lines) == 2 and all(line.startswith("::") for line in lines)


def test_narrow_stderr_replaces_too(project: Path) -> None:
    (project / "app" / "cassé.py").write_text("import sqlalchemy\nclass 用户(:\n")
    result = run(
        "check",
        "--ignore",
        "SL000",
        "--no-cache",
        cwd=project,
        env={"PYTHONIOENCODING": "ascii"},
    )
    assert_no_crash(result)
    assert "[syntax-error]" in result.stderr  # the problem, its path replaced
