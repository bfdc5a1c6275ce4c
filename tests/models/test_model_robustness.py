"""Extraction runs on every Python file of a project: it must never fail on real code."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy
from model_helpers import extract
from schema_lint.schema.models import build_model_schema


def test_library_sources_extract_and_resolve_without_errors() -> None:
    root = Path(sqlalchemy.__file__).parent
    paths = sorted(p for part in ("orm", "ext", "sql") for p in (root / part).rglob("*.py"))
    assert len(paths) > 80
    modules = [extract(str(p), p.read_text(encoding="utf-8")) for p in paths]
    assert sum(len(m.classes) for m in modules) > 500
    schema = build_model_schema(modules)
    assert schema.tables == {}
    assert schema.problems == ()
