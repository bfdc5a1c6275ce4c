"""The static migration replay against the real thing.

For every fixture project and every database it is meant for (SQLite for the portable ones,
PostgreSQL for all), run ``alembic upgrade heads``, reflect the database, and compare it table
by table with ``schema-lint schema PATH --source migrations --format json``.

``test_alembic_upgrades`` proves each fixture on its own (it does not need schema-lint);
``test_static_replay_matches_alembic`` is the comparison. See ``ground_truth.normalise`` for
the few differences of representation the comparison ignores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ground_truth import (
    FIXTURE_PROJECTS,
    POSTGRESQL,
    SQLITE,
    FixtureProject,
    baseline_metadata,
    database_heads,
    diff_schemas,
    downgrade_base,
    normalise,
    reflect_schema,
    script_heads,
    static_schema,
    unapplied_revisions,
    upgrade_heads,
    written_names,
)

CASES = [
    pytest.param(
        project,
        backend,
        id=f"{project.name}-{backend}",
        marks=[pytest.mark.postgres] if backend == POSTGRESQL else [],
    )
    for project in FIXTURE_PROJECTS
    for backend in project.backends
]


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of ``backend``: a SQLite file, or a fresh PostgreSQL database."""
    if backend == SQLITE:
        return f"sqlite:///{tmp_path / 'alembic.db'}"
    url: str = request.getfixturevalue("fresh_database")
    return url


@pytest.mark.parametrize(("project", "backend"), CASES)
def test_alembic_upgrades(project: FixtureProject, backend: str, database_url: str) -> None:
    upgrade_heads(project, database_url)

    assert unapplied_revisions(project, database_url) == []
    assert set(database_heads(database_url)) <= set(script_heads(project))
    reflected = reflect_schema(database_url)
    assert reflected.dialect == backend
    assert reflected.tables, f"{project.name} built no table on {backend}"

    # the downgrades, which the static replay must ignore, are real too
    downgrade_base(project, database_url)
    before = set(baseline_metadata(project).tables) if project.baseline else set()
    assert set(reflect_schema(database_url).tables) == before


@pytest.mark.parametrize(("project", "backend"), CASES)
def test_static_replay_matches_alembic(
    project: FixtureProject, backend: str, database_url: str
) -> None:
    statements = upgrade_heads(project, database_url)
    reflected = reflect_schema(database_url)
    output = static_schema(project.path)

    written = written_names(statements)
    expected = normalise(reflected.tables, reflected, written)
    actual = normalise(output.get("tables", {}), reflected, written)
    baseline = {key for key, table in output.get("tables", {}).items() if table.get("baseline")}
    differences = diff_schemas(expected, actual, baseline)
    heads = sorted(output.get("heads", []))
    if heads != script_heads(project):
        differences.append(f"heads: alembic {script_heads(project)}, schema-lint {heads}")
    if differences:
        problems = json.dumps(output.get("problems", []), indent=2)
        pytest.fail(
            f"schema-lint's replay of {project.name} differs from what alembic built on "
            f"{backend}:\n" + "\n".join(differences) + f"\nschema-lint problems: {problems}",
            pytrace=False,
        )
