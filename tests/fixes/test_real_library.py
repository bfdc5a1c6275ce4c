"""The fixed golden projects, imported with real SQLAlchemy (Flask-SQLAlchemy, SQLModel):
the constraint or index each fix announced is declared, with the right columns and name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fix_helpers import CASES, HERE, Fixed, copy_case, fix_project, load
from schema_lint.engine import build_schemas
from schema_lint.vocabulary.dialects import NamingTarget, convention_name


def real_tables(root: Path) -> dict[str, Any] | str:
    """The tables of the project at ``root`` as SQLAlchemy builds them, or the error."""
    result = subprocess.run(
        [sys.executable, str(HERE / "real_tables.py"), str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        return result.stderr
    tables: dict[str, Any] = json.loads(result.stdout)
    return tables


Imported = dict[str, tuple[Fixed, dict[str, str], dict[str, Any] | str]]


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    """Each case fixed, then imported (in parallel subprocesses: importing is the slow part)."""
    base = tmp_path_factory.mktemp("real")
    fixed: dict[str, tuple[Path, Fixed, dict[str, str]]] = {}
    for name in CASES:
        root = copy_case(name, base)
        convention = dict(build_schemas(load(root)).models.naming_convention)
        fixed[name] = (root, fix_project(root), convention)
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        results = pool.map(real_tables, (fixed[n][0] for n in CASES))
        tables = dict(zip(CASES, results, strict=True))
    return {name: (fixed[name][1], fixed[name][2], tables[name]) for name in CASES}


def unique_name(convention: dict[str, str], table: str, columns: list[str]) -> str | None:
    if "uq" in convention:
        return convention_name(convention, NamingTarget("uq", table, None, columns))
    return f"uq_{table}_{'_'.join(columns)}"


@pytest.mark.parametrize("name", CASES)
def test_fixed_models_declare_what_the_fix_announced(imported: Imported, name: str) -> None:
    fixed, convention, tables = imported[name]
    assert isinstance(tables, dict), tables
    for diagnostic in fixed.before:
        if diagnostic.code not in {"SL001", "SL002"}:
            continue  # the drift rules' fixes are checked against real Alembic elsewhere
        data = diagnostic.payload
        assert diagnostic.table is not None
        table = tables[diagnostic.table]
        columns = list(data.columns)
        if diagnostic.code == "SL001":
            expected = [unique_name(convention, data.table, columns), columns]
            assert expected in table["unique_constraints"], table
        else:
            expected = [data.index, columns, data.unique]
            assert expected in table["indexes"], table
