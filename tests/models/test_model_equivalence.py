"""The correctness bar: for every fixture project, the schema read statically equals the
``MetaData`` that SQLAlchemy / Flask-SQLAlchemy / SQLModel build when the models are
imported (in a subprocess), table by table, with PostgreSQL's names.

Each project is read as ``check`` reads it (discovery, then the other modules read on
demand), and also with every file given as a model file: both must agree with the libraries.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
from model_helpers import (
    FIXTURES,
    PROJECTS,
    comparable,
    mask_unknown,
    pipeline_schema,
    project_modules,
    real_tables,
)
from schema_lint.facts.schema import Schema
from schema_lint.schema.models import build_model_schema

EXPECTED_PROBLEMS = {
    "decl2": {("ignored-constraint", "orders.py", 30), ("detached-index", "reports.py", 32)},
    "classic": set(),
    "flask_app": set(),
    "flask_declarative": set(),
    "sqlmodel_app": set(),
    "modules": set(),
    "real_world": {
        ("duplicate-table", "initial_models.py", 10),
        ("unanalysable", "setup.py", 40),
        ("unanalysable", "base.py", 24),
    },
}


def test_every_project_has_expectations() -> None:
    assert set(PROJECTS) == set(EXPECTED_PROBLEMS)


@functools.cache
def _real(project: str) -> dict[str, dict[str, Any]]:
    return real_tables(FIXTURES / project)


def _schema(project: str, how: str) -> Schema:
    root = FIXTURES / project
    if how == "pipeline":
        return pipeline_schema(root)
    return build_model_schema(project_modules(root))


HOW = ("pipeline", "every-file")


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("project", PROJECTS)
def test_tables_match_real_metadata(project: str, how: str) -> None:
    real = _real(project)
    schema = _schema(project, how)
    ours = {name: comparable(table) for name, table in schema.tables.items()}
    assert len(real) >= 4
    assert sorted(ours) == sorted(real)
    for name in sorted(real):
        expected = mask_unknown(schema.tables[name], ours[name], real[name])
        assert ours[name] == expected, name


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("project", PROJECTS)
def test_fixture_projects_are_complete_and_report_their_defects(project: str, how: str) -> None:
    schema = _schema(project, how)
    assert {name: t.incomplete for name, t in schema.tables.items() if t.incomplete} == {}
    problems = {(p.kind, p.span.path.rsplit("/", 1)[-1], p.span.line) for p in schema.problems}
    assert problems == EXPECTED_PROBLEMS[project]
