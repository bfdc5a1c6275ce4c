"""The Markdown report of ``schema-lint db`` for the RBAC demo, migrated to revision 0014 on
PostgreSQL: the hand audit's four issues (two CRITICAL junctions, two WARNING indexes)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from db_helpers import REPO, schema_lint, upgrade_rbac

GOLDEN = Path(__file__).resolve().parent / "golden" / "rbac_0014.md"


@pytest.mark.postgres
def test_rbac_report_shows_the_audits_four_issues(fresh_database: str) -> None:
    upgrade_rbac(fresh_database, "0014")
    result = schema_lint("db", "examples/rbac", "--url", fresh_database, "--format", "markdown")
    assert result.returncode == 1, result.stderr
    shown = sa.make_url(fresh_database).render_as_string(hide_password=True)
    report = result.stdout.replace(shown, "postgresql+psycopg://postgres@localhost/rbac")
    if os.environ.get("SCHEMA_LINT_UPDATE_GOLDEN"):
        GOLDEN.write_text(report, encoding="utf-8")
    assert report == GOLDEN.read_text(encoding="utf-8")
    assert "| CRITICAL | 2 |" in report and "| WARNING | 2 |" in report
    assert "erDiagram" in report


@pytest.mark.postgres
def test_rbac_report_after_fix_and_generated_migration_is_all_clear(
    fresh_database: str, tmp_path: Path
) -> None:
    """The audit's whole story: fix the models, generate the migration, upgrade: all clear."""
    demo = tmp_path / "rbac"
    shutil.copytree(REPO / "examples" / "rbac", demo)
    fixed = schema_lint("check", ".", "--no-cache", "--fix", "--unsafe-fixes", cwd=demo)
    assert "Fixed 4 errors." in fixed.stdout, fixed.stdout + fixed.stderr
    made = schema_lint(
        "migration", ".", "-m", "add unique constraints to rbac tables", "--no-cache", cwd=demo
    )
    assert made.returncode == 0, made.stdout + made.stderr
    clean = schema_lint("check", ".", "--no-cache", cwd=demo)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    upgrade_rbac(fresh_database, "head", demo)
    result = schema_lint("db", ".", "--url", fresh_database, "--format", "markdown", cwd=demo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "| CRITICAL | 0 |" in result.stdout and "| WARNING | 0 |" in result.stdout
