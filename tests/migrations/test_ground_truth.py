"""The ground-truth harness on its own: fixture projects run, and the comparison is sound.

Nothing here needs schema-lint; these pass before the static replay exists.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from ground_truth import (
    EXPRESSION,
    FIXTURE_PROJECTS,
    FIXTURES_DIR,
    FixtureProject,
    Reflected,
    database_heads,
    diff_schemas,
    fixture_project,
    normalise,
    reflect_schema,
    script_heads,
    unapplied_revisions,
    upgrade_heads,
    written_names,
)

ALEMBIC = Path(sys.executable).with_name("alembic")
PORTABLE = [p for p in FIXTURE_PROJECTS if p.portable]


def test_every_fixture_directory_is_registered() -> None:
    registered = {project.name.split("/")[0] for project in FIXTURE_PROJECTS}
    on_disk = {path.name for path in FIXTURES_DIR.iterdir() if path.is_dir()}
    assert registered == on_disk


def test_a_migration_runs_on_a_fresh_postgres_database(fresh_database: str) -> None:
    project = fixture_project("revision_graph")
    upgrade_heads(project, fresh_database)

    assert unapplied_revisions(project, fresh_database) == []
    assert database_heads(fresh_database) == script_heads(project)
    assert len(script_heads(project)) == 3
    reflected = reflect_schema(fresh_database)
    assert reflected.dialect == "postgresql"
    assert set(reflected.tables) == {
        "audit_events",
        "invoice_events",
        "invoices",
        "reports",
        "users",
    }


@pytest.mark.parametrize("project", PORTABLE, ids=str)
def test_portable_fixture_builds_the_same_schema_on_both_backends(
    project: FixtureProject, tmp_path: Path, fresh_database: str
) -> None:
    """What "portable" promises: the static replay has one right answer for both."""
    results = []
    for url in (f"sqlite:///{tmp_path / 'alembic.db'}", fresh_database):
        statements = upgrade_heads(project, url)
        reflected = reflect_schema(url)
        results.append(normalise(reflected.tables, reflected, written_names(statements)))
    differences = diff_schemas(*results)
    assert not differences, "\n".join(differences)


@pytest.mark.parametrize(
    ("directory", "config"),
    [("create_table_inline", "alembic.ini"), ("pyproject_toml", "pyproject.toml")],
)
def test_alembic_command_line_finds_the_configuration(
    directory: str, config: str, tmp_path: Path
) -> None:
    """The fixtures are real projects: ``alembic upgrade heads`` works in their directory."""
    cwd = FIXTURES_DIR / directory
    assert (cwd / config).is_file()
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = subprocess.run(
        [str(ALEMBIC), "-x", f"url={url}", "upgrade", "heads"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert unapplied_revisions(fixture_project(directory), url) == []


# --- the comparison's rules ------------------------------------------------------------------


def _table(**overrides: object) -> dict[str, object]:
    table: dict[str, object] = {
        "columns": {"id": {"nullable": False, "primary_key": True}},
        "primary_key": ["id"],
        "indexes": [],
        "unique_constraints": [],
        "foreign_keys": [],
    }
    table.update(overrides)
    return table


REFLECTED = Reflected(tables={}, expression_indexes=frozenset({("t", "ix_lower")}), dialect="x")


def test_normalise_treats_names_nobody_wrote_as_unnamed() -> None:
    written = written_names(["CREATE TABLE t (a INT, CONSTRAINT uq_t_a UNIQUE (a))"])
    reflected = {
        "t": _table(
            unique_constraints=[
                {"name": "uq_t_a", "columns": ["a"]},
                {"name": "t_b_key", "columns": ["b"]},
            ]
        )
    }
    static = {
        "t": _table(
            unique_constraints=[
                {"name": None, "columns": ["b"]},
                {"name": "uq_t_a", "columns": ["a"]},
            ]
        )
    }
    assert normalise(reflected, REFLECTED, written) == normalise(static, REFLECTED, written)
    wrong = {"t": _table(unique_constraints=[{"name": "t_a_key", "columns": ["a"]}])}
    assert normalise(wrong, REFLECTED, written) != normalise(reflected, REFLECTED, written)


def test_normalise_ondelete_and_expression_indexes() -> None:
    fk = {"name": None, "columns": ["p"], "ref_table": "p", "ref_columns": ["id"]}
    reflected = {
        "t": _table(
            foreign_keys=[
                {**fk, "ondelete": "CASCADE"},
                {**fk, "columns": ["q"], "ondelete": None},
            ],
            indexes=[{"name": "ix_lower", "columns": ["lower((email)::text)"], "unique": True}],
        )
    }
    static = {
        "t": _table(
            foreign_keys=[
                {**fk, "columns": ["q"], "ondelete": "NO ACTION"},
                {**fk, "ondelete": "cascade"},
            ],
            indexes=[{"name": "ix_lower", "columns": ["lower(email)"], "unique": True}],
        )
    }
    expected = normalise(reflected, REFLECTED, set())
    assert expected == normalise(static, REFLECTED, set())
    assert expected["t"]["indexes"][0]["columns"] == [EXPRESSION]


def test_diff_names_the_table_and_both_sides() -> None:
    expected = {
        "t": _table(indexes=[{"name": "ix_t_a", "columns": ["a"], "unique": False}]),
        "gone": _table(),
    }
    actual = {
        "t": _table(indexes=[{"name": "ix_t_a", "columns": ["b"], "unique": False}]),
        "extra": _table(),
    }
    assert diff_schemas(expected, actual) == [
        "table extra: in schema-lint's schema, not built by alembic",
        '    schema-lint: {"columns": {"id": {"nullable": false, "primary_key": true}}, '
        '"foreign_keys": [], "indexes": [], "primary_key": ["id"], "unique_constraints": []}',
        "table gone: built by alembic, missing from schema-lint's schema",
        '    alembic: {"columns": {"id": {"nullable": false, "primary_key": true}}, '
        '"foreign_keys": [], "indexes": [], "primary_key": ["id"], "unique_constraints": []}',
        "table t:",
        '    indexes: only in alembic:     {"columns": ["a"], "name": "ix_t_a", "unique": false}',
        '    indexes: only in schema-lint: {"columns": ["b"], "name": "ix_t_a", "unique": false}',
    ]
