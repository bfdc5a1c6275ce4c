"""Helpers for the model-side tests: extract sources, build schemas, ask real SQLAlchemy."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

from schema_lint.extract.models import extract_model_file
from schema_lint.facts.models import ModelModule
from schema_lint.facts.schema import Schema, Table
from schema_lint.schema.models import build_model_schema
from schema_lint.schema.serialize import table_to_dict
from schema_lint.sources.parse import Parsed, parse_python

HERE = Path(__file__).parent
FIXTURES = HERE.parent / "fixtures" / "models"
PROJECTS = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def extract(path: str, text: str) -> ModelModule:
    parsed = parse_python(text, path)
    assert isinstance(parsed, Parsed), parsed
    return extract_model_file(path, text, parsed.tree)


def extract_source(source: str, path: str = "/proj/app/models.py") -> ModelModule:
    return extract(path, textwrap.dedent(source))


def build(files: dict[str, str], dialect: str = "postgresql") -> Schema:
    """The schema of in-memory files ``{path: source}`` (sources are dedented)."""
    modules = [extract(path, textwrap.dedent(text)) for path, text in files.items()]
    return build_model_schema(modules, dialect=dialect)


def build_one(source: str, dialect: str = "postgresql") -> Schema:
    return build({"/proj/app/models.py": source}, dialect)


def project_modules(root: Path) -> list[ModelModule]:
    return [extract(str(p), p.read_text()) for p in sorted(root.rglob("*.py"))]


def comparable(table: Table) -> dict[str, Any]:
    """``table_to_dict`` plus what the equivalence test also checks, lists sorted."""
    data = table_to_dict(table)
    data["column_order"] = [c.name for c in table.columns]
    data["primary_key_name"] = table.primary_key.name if table.primary_key else None
    data["check_constraints"] = [
        {"name": c.name, "sqltext": c.sqltext} for c in table.check_constraints
    ]
    return normalise(data)


_NAMED = ("indexes", "unique_constraints", "foreign_keys", "check_constraints")


def mask_unknown(table: Table, ours: dict[str, Any], real: dict[str, Any]) -> dict[str, Any]:
    """``real`` with what ``table`` honestly leaves unknown hidden the same way: the names
    it gives as None when its names are unknown, check texts when they are inexact."""
    real = json.loads(json.dumps(real))
    if table.naming_unknown:
        if ours["primary_key_name"] is None:
            real["primary_key_name"] = None
        for key in _NAMED:
            for item in ours[key]:
                if item["name"] is not None:
                    continue
                for other in real[key]:
                    if {**other, "name": None} == item:
                        other["name"] = None
                        break
    if table.inexact:
        for item in ours["check_constraints"]:
            for other in real["check_constraints"]:
                if item["sqltext"] == "" and other["name"] == item["name"]:
                    other["sqltext"] = ""
    return normalise(real)


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    for key in ("indexes", "unique_constraints", "foreign_keys", "check_constraints"):
        data[key] = sorted(data[key], key=lambda item: json.dumps(item, sort_keys=True))
    return data


def real_tables(root: Path) -> dict[str, dict[str, Any]]:
    """The project's tables as the real libraries build them (in a subprocess)."""
    script = HERE / "real_metadata.py"
    result = subprocess.run(
        [sys.executable, str(script), str(root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    tables: dict[str, dict[str, Any]] = json.loads(result.stdout)
    return {name: normalise(table) for name, table in tables.items()}


def pipeline_schema(root: Path) -> Schema:
    """The models' schema of a project on disk as ``check`` reads it: discovery picks the
    model files, and any other module a name leads to is read on demand."""
    from schema_lint.config import load_config
    from schema_lint.engine import build_schemas
    from schema_lint.project import load_project

    return build_schemas(load_project(root, load_config(root))).models
