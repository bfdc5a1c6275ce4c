"""``schema-lint db`` against SQLite: the RBAC demo migrated with real Alembic, altered by
hand; each alteration is found, nothing else beyond the demo's four known issues, and the
database file is byte-for-byte unchanged."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from db_helpers import EXAMPLE_RBAC, db_findings, keys, schema_lint, sqlite_digest, upgrade_rbac

STATIC = {
    ("SL001", "user_roles", "user_id,role_id", None),
    ("SL001", "role_permissions", "role_id,permission_id", None),
    ("SL002", "refresh_tokens", "ix_refresh_tokens_token_hash", ("models", "alembic")),
    ("SL002", "refresh_tokens", "ix_refresh_tokens_user_id", ("models", "alembic")),
}
"""What ``check`` finds in the demo: a database migrated to head adds nothing."""


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("rbac") / "rbac.db"
    upgrade_rbac(f"sqlite:///{path}")
    return path


@pytest.fixture
def database(migrated: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "rbac.db"
    copy.write_bytes(migrated.read_bytes())
    return copy


def test_migrated_database_adds_nothing(database: Path) -> None:
    digest = sqlite_digest(database)
    assert keys(db_findings(EXAMPLE_RBAC, f"sqlite:///{database}")) == STATIC
    assert sqlite_digest(database) == digest


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("DROP INDEX ix_audit_logs_action", ("SL012", "audit_logs", "ix_audit_logs_action")),
        (
            "CREATE INDEX anime_year_idx ON anime (year)",
            ("SL013", "anime", "anime_year_idx"),
        ),
        ("ALTER TABLE users ADD COLUMN nickname VARCHAR(40)", ("SL013", "users", "nickname")),
        ("UPDATE alembic_version SET version_num = '0012'", ("SL014", None, "revision")),
    ],
    ids=["drop-index", "add-index", "add-column", "stamp-older"],
)
def test_each_alteration_is_found(
    database: Path, statement: str, expected: tuple[str, ...]
) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute(statement)
    connection.close()
    digest = sqlite_digest(database)
    found = keys(db_findings(EXAMPLE_RBAC, f"sqlite:///{database}"))
    assert {k[:3] for k in found - STATIC} == {expected}
    assert found >= STATIC
    assert sqlite_digest(database) == digest


def test_stamp_message_names_the_pending_revisions(database: Path) -> None:
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0012'")
    connection.close()
    [stamp] = [
        f for f in db_findings(EXAMPLE_RBAC, f"sqlite:///{database}") if f["code"] == "SL014"
    ]
    assert stamp["message"] == (
        "the database is stamped at `0012`, not at the migrations' head `0014`: `0013`, `0014` "
        "are pending (`alembic upgrade head`)"
    )
    assert stamp["filename"].endswith("0013_add_roles_is_system.py")


def test_missing_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = schema_lint("db", str(EXAMPLE_RBAC), "--url", f"sqlite:///{missing}")
    assert result.returncode == 2
    assert result.stderr == f"schema-lint: no SQLite database file at {missing}\n"
    assert not missing.exists()


def test_no_url_is_a_usage_error(tmp_path: Path) -> None:
    result = schema_lint("db", str(tmp_path))
    assert result.returncode == 2
    assert "no database URL" in result.stderr and "SCHEMA_LINT_DATABASE_URL" in result.stderr


@pytest.mark.parametrize("fmt", ["text", "sarif", "github", "markdown"])
def test_formats(database: Path, fmt: str) -> None:
    result = schema_lint("db", str(EXAMPLE_RBAC), "--url", f"sqlite:///{database}", "--format", fmt)
    assert result.returncode == 1, result.stderr
    assert "SL001" in result.stdout and "Traceback" not in result.stderr
