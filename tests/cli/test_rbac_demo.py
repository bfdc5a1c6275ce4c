"""The README's first command: the audit's four defects, and nothing else."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schema_lint", "check", "examples/rbac", "--no-cache", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_reports_exactly_the_audit_findings() -> None:
    result = run("--format", "json")
    assert result.returncode == 1, result.stderr
    found = sorted(
        (
            d["code"],
            d["table"],
            tuple(d["payload"]["columns"]),
            d["payload"].get("index"),
            Path(d["filename"]).name,
        )
        for d in json.loads(result.stdout)
    )
    assert found == [
        ("SL001", "role_permissions", ("role_id", "permission_id"), None, "role_permission.py"),
        ("SL001", "user_roles", ("user_id", "role_id"), None, "user_role.py"),
        (
            "SL002",
            "refresh_tokens",
            ("token_hash",),
            "ix_refresh_tokens_token_hash",
            "refresh_token.py",
        ),
        ("SL002", "refresh_tokens", ("user_id",), "ix_refresh_tokens_user_id", "refresh_token.py"),
    ]
    for finding in json.loads(result.stdout):
        if finding["code"] == "SL002":
            (related,) = finding["related"]
            assert Path(related["filename"]).name == "0005_create_refresh_tokens.py"


def test_demo_text_output() -> None:
    result = run()
    lines = result.stdout.splitlines()
    headers = [line for line in lines if line.startswith("examples/rbac/")]
    assert headers == [
        "examples/rbac/app/models/refresh_token.py:19:5: SL002 index `ix_refresh_tokens_user_id`"
        " on (user_id) of `refresh_tokens` exists in the migrations but not in the model",
        "examples/rbac/app/models/refresh_token.py:21:5: SL002 index "
        "`ix_refresh_tokens_token_hash` on (token_hash) of `refresh_tokens` exists in the "
        "migrations but not in the model",
        "examples/rbac/app/models/role_permission.py:12:5: SL001 junction table "
        "`role_permissions` has no unique constraint on (role_id, permission_id): the same pair "
        "can be stored twice",
        "examples/rbac/app/models/user_role.py:12:5: SL001 junction table `user_roles` has no "
        "unique constraint on (user_id, role_id): the same pair can be stored twice",
    ]
    assert lines[-1] == "Found 4 errors."
    # everything read: the summary line says so, and nothing else is said
    assert result.stderr == (
        "checked 12 of 12 model tables; 33 of 33 migration statements understood\n"
    )
