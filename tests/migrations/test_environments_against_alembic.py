"""Alembic environments that target a database of their own, against the real thing.

``tests/fixtures/environments/``:

- ``dialect_trees``: one version tree per dialect (``versions/postgresql``,
  ``versions/sqlite``, as prefect keeps them), each run with ``alembic -c <dialect>.ini`` on
  its own database; the models declare indexes for one dialect only (``.ddl_if``).
- ``tenant_schemas``: a core tree run in the ``core`` schema (its ``env.py`` sets
  ``search_path`` to a constant), and a tenant tree run once per tenant schema (chosen at
  run time; ``pyproject.toml`` lists them for schema-lint).

Each is migrated with real Alembic, reflected, and compared with ``schema-lint schema``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from alembic import command
from ground_truth import (
    POSTGRESQL,
    REPO_ROOT,
    SQLITE,
    alembic_config,
    diff_schemas,
    normalise,
    recording_statements,
    reflect_schema,
    schema_lint_command,
    static_schema,
    written_names,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "environments"
DIALECT_TREES = FIXTURES / "dialect_trees"
TENANTS = FIXTURES / "tenant_schemas"


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == SQLITE:
        return f"sqlite:///{tmp_path / 'alembic.db'}"
    url: str = request.getfixturevalue("fresh_database")
    return url


def _compare(tables: dict[str, object], statements: list[str], url: str) -> list[str]:
    reflected = reflect_schema(url)
    written = written_names(statements)
    expected = normalise(reflected.tables, reflected, written)
    actual = normalise(tables, reflected, written)  # type: ignore[arg-type]
    return diff_schemas(expected, actual)


@pytest.mark.parametrize(
    "backend",
    [SQLITE, pytest.param(POSTGRESQL, marks=pytest.mark.postgres)],
)
def test_each_dialect_tree_is_replayed_for_its_own_database(
    backend: str, database_url: str
) -> None:
    with recording_statements() as statements:
        command.upgrade(alembic_config(DIALECT_TREES / f"{backend}.ini", database_url), "heads")
    environment = static_schema(DIALECT_TREES)["environments"][f"migrations/versions/{backend}"]
    assert environment["dialect"] == backend
    differences = _compare(environment["tables"], statements, database_url)
    assert not differences, "\n".join(differences)


def _check(project: Path) -> list[dict[str, object]]:
    result = subprocess.run(
        [*schema_lint_command(), "check", str(project), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    findings: list[dict[str, object]] = json.loads(result.stdout)
    return findings


def test_each_dialect_tree_is_compared_with_the_models_for_that_dialect() -> None:
    """Reproduction 18 end to end: with the PostgreSQL dialect stated, the SQLite tree is still
    compared with the SQLite models, where `ix_events_kind_sqlite` exists."""
    assert _check(DIALECT_TREES) == []
    result = subprocess.run(
        [*schema_lint_command(), "check", str(DIALECT_TREES), "--no-cache", "--verbose"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    assert "environment `migrations/versions/sqlite` is replayed for sqlite (its directory " in (
        result.stderr
    )


@pytest.mark.postgres
def test_tenant_schemas_match_alembic(fresh_database: str) -> None:
    with recording_statements() as statements:
        for tree in ("core", "tenants"):
            command.upgrade(alembic_config(TENANTS / tree / "alembic.ini", fresh_database), "heads")
    output = static_schema(TENANTS)
    assert set(output["tables"]) == {
        "core.orgs",
        "tenant_a.tickets",
        "tenant_a.ticket_tags",
        "tenant_b.tickets",
        "tenant_b.ticket_tags",
    }
    differences = _compare(output["tables"], statements, fresh_database)
    assert not differences, "\n".join(differences)


def test_tenant_models_are_compared_with_every_tenant_schema() -> None:
    """The models' unqualified `tickets` is each tenant's (one finding for all tenants);
    `core.orgs` is the core tree's, and agrees. `ticket_tags`, which each tenant's revision
    creates and no model declares, is reported per tenant schema (SL011)."""
    findings = _check(TENANTS)
    assert sorted((f["code"], f["table"], f["object"]) for f in findings) == [
        ("SL002", "tickets", "ix_tickets_id_title"),
        ("SL011", "tenant_a.ticket_tags", None),
        ("SL011", "tenant_b.ticket_tags", None),
    ]
