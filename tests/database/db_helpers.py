"""Running ``schema-lint db`` on fixture projects migrated with real Alembic."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REPO = Path(__file__).resolve().parents[2]
EXAMPLE_RBAC = REPO / "examples" / "rbac"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def upgrade(project: Path, url: str, revision: str = "heads") -> None:
    """``alembic upgrade`` of ``project`` (whose env.py reads ``url`` from attributes)."""
    config = Config(str(project / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


def upgrade_rbac(url: str, revision: str = "head", root: Path = EXAMPLE_RBAC) -> None:
    """``alembic upgrade`` of the RBAC demo (or a copy of it at ``root``)."""
    import argparse

    config = Config(str(root / "alembic.ini"), cmd_opts=argparse.Namespace(x=[f"url={url}"]))
    config.attributes["configure_logger"] = False
    saved = list(sys.path)
    cwd = os.getcwd()
    try:
        os.chdir(root)
        command.upgrade(config, revision)
    finally:
        os.chdir(cwd)
        sys.path[:] = saved
        for module in [m for m in sys.modules if m == "app" or m.startswith("app.")]:
            del sys.modules[module]


def schema_lint(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("schema-lint")
    run_env = {k: v for k, v in os.environ.items() if k != "SCHEMA_LINT_DATABASE_URL"}
    run_env.update(env or {})
    return subprocess.run(
        [str(script), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=run_env,
        cwd=cwd or REPO,
        check=False,
    )


def db_findings(project: Path, url: str, *extra: str) -> list[dict[str, Any]]:
    result = schema_lint(
        "db",
        str(project),
        "--url",
        url,
        "--format",
        "json",
        "--no-cache" if False else "--quiet",
        *extra,
    )
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, Any]] = json.loads(result.stdout)
    return findings


def keys(
    findings: list[dict[str, Any]],
) -> set[tuple[str, str | None, str | None, tuple[str, ...] | None]]:
    return {
        (f["code"], f["table"], f["object"], tuple(f["sides"]) if f["sides"] else None)
        for f in findings
    }


def sqlite_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
