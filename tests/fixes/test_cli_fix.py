"""``schema-lint check --fix / --unsafe-fixes / --diff`` and the JSON ``fix`` payload."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fix_helpers import copy_case

MODELS = "app/models.py"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schema_lint", "check", "--no-cache", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """One SL001 (unsafe fix) and two SL002 (safe fixes) in the same class."""
    return copy_case("combined_same_class", tmp_path)


def test_plain_check_computes_no_fixes(project: Path) -> None:
    result = run(cwd=project)
    assert result.returncode == 1
    assert "[*]" not in result.stdout and "fixable" not in result.stdout


def test_diff_prints_the_fixes_and_writes_nothing(project: Path) -> None:
    before = (project / MODELS).read_text()
    result = run("--diff", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith(f"--- {MODELS}\n+++ {MODELS}\n")
    assert '+        Index("user_roles_user_idx", "user_id"),\n' in result.stdout
    assert "UniqueConstraint(" not in result.stdout
    assert "Would fix 2 errors." in result.stderr
    assert (project / MODELS).read_text() == before
    unsafe = run("--diff", "--unsafe-fixes", cwd=project)
    assert "UniqueConstraint(" in unsafe.stdout and "Would fix 3 errors." in unsafe.stderr


def test_fix_applies_safe_fixes_then_unsafe_ones(project: Path) -> None:
    result = run("--fix", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Fixed 2 errors." in result.stdout
    assert (
        "No fixes available (1 hidden fix can be enabled with the `--unsafe-fixes` option)."
        in result.stdout
    )
    remaining = [line for line in result.stdout.split("\n") if ": SL00" in line]
    assert len(remaining) == 1 and " SL001 junction table" in remaining[0]

    result = run("--fix", "--unsafe-fixes", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Fixed 1 error." in result.stdout
    # The model now declares what no migration creates: SL003 says so until one does.
    remaining = [line for line in result.stdout.split("\n") if ": SL00" in line]
    assert len(remaining) == 1 and " SL003 unique constraint " in remaining[0]
    assert "never create it" in remaining[0]
    text = (project / MODELS).read_text()
    assert text.startswith("from sqlalchemy import ForeignKey, Index, UniqueConstraint\n")
    assert (
        '        Index("user_roles_user_idx", "user_id"),\n'
        '        UniqueConstraint("user_id", "role_id", name="uq_user_roles_user_id_role_id"),\n'
        "    )\n"
    ) in text

    result = run("--fix", "--unsafe-fixes", cwd=project)
    assert result.returncode == 1 and "Fixed" not in result.stdout


def test_unsafe_fixes_marks_fixable_findings(project: Path) -> None:
    result = run("--unsafe-fixes", cwd=project)
    assert result.returncode == 1
    marked = [line for line in result.stdout.split("\n") if ": SL00" in line]
    assert len(marked) == 3 and all(" [*] " in line for line in marked)
    assert "[*] 3 fixable with the `--fix --unsafe-fixes` option." in result.stdout


def test_json_carries_each_fix(project: Path) -> None:
    result = run("--format", "json", cwd=project)
    assert result.returncode == 1
    findings = {d["code"] + (d["payload"].get("index") or ""): d for d in json.loads(result.stdout)}
    sl001 = findings["SL001"]["fix"]
    assert sl001["applicability"] == "unsafe" and "migration" in sl001["message"]
    assert {e["content"] for e in sl001["edits"]} == {
        ", UniqueConstraint",
        "    __table_args__ = (\n"
        '        UniqueConstraint("user_id", "role_id", name="uq_user_roles_user_id_role_id"),\n'
        "    )\n",
    }
    (import_edit,) = [e for e in sl001["edits"] if e["content"] == ", UniqueConstraint"]
    assert import_edit["location"] == {"row": 1, "column": 34}
    assert import_edit["end_location"] == import_edit["location"]
    assert import_edit["filename"] == str(project / MODELS)
    sl002 = findings["SL002user_roles_user_idx"]["fix"]
    assert sl002["applicability"] == "safe"
    index = 'Index("user_roles_user_idx", "user_id")'
    assert sl002["message"] == f"Add `{index}` to `UserRole.__table_args__`"


def test_json_explains_a_finding_without_fix(tmp_path: Path) -> None:
    root = copy_case("sl001_no_table_args_after_tablename", tmp_path)
    models = root / MODELS
    text = models.read_text().replace("import ForeignKey\n", "import ForeignKey, Index\n")
    text = text.replace("import Mapped,", "import Mapped, declared_attr,")
    models.write_text(
        text.replace(
            '    __tablename__ = "user_roles"\n',
            '    __tablename__ = "user_roles"\n\n'
            "    @declared_attr.directive\n"
            "    def __table_args__(cls):\n"
            '        return (Index("ix_user_roles_role_id", "role_id"),)\n',
        )
    )
    result = run("--format", "json", cwd=root)
    (finding,) = json.loads(result.stdout)
    assert finding["fix"] is None
    assert "(no automatic fix: `__table_args__` is computed by a function" in finding["message"]
