"""Each rule's own flagged and accepted examples, run through the whole engine."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from schema_lint.audit import audit
from schema_lint.config import load_config
from schema_lint.database.reflect import reflect
from schema_lint.database.session import read_only
from schema_lint.engine import check
from schema_lint.project import load_project
from schema_lint.rules.registry import RULES, Example, Rule

CASES = [
    pytest.param(rule, example, flagged, id=f"{rule.code}-{kind}-{i}")
    for rule in RULES
    for flagged, kind, examples in (
        (True, "flagged", rule.flagged),
        (False, "accepted", rule.accepted),
    )
    for i, example in enumerate(examples)
]


def run_example(tmp_path: Path, example: Example, rule: Rule) -> list[str]:
    """The codes found in ``example``, by ``check`` or by ``db`` against a real SQLite
    database built from the example's SQL; it must read whole, unless reading is ``rule``'s
    job."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'example'\n")
    for rel, source in example.files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    if example.database is None:
        result = check(load_project(tmp_path, load_config(tmp_path)))
        diagnostics = result.diagnostics
    else:
        database = tmp_path / "live.db"
        with sqlite3.connect(database) as connection:
            connection.executescript(example.database)
        connection.close()
        project = load_project(tmp_path, load_config(tmp_path, {"dialect": "sqlite"}))
        with read_only(sa.make_url(f"sqlite:///{database}")) as session:
            audited = audit(project, lambda schemas: reflect(session, schemas))
        result = audited.result
        diagnostics = audited.diagnostics
    reported = {d.span for d in diagnostics if d.code == rule.code}
    unread = {"syntax-error", "unanalysable", "skipped-syntax"}
    assert not [p for p in result.problems if p.kind in unread and p.span not in reported]
    return [d.code for d in diagnostics]


@pytest.mark.parametrize(("rule", "example", "flagged"), CASES)
def test_rule_example(tmp_path: Path, rule: Rule, example: Example, flagged: bool) -> None:
    codes = run_example(tmp_path, example, rule)
    if flagged:
        assert rule.code in codes, f"{example.title!r} should be flagged"
    else:
        assert rule.code not in codes, f"{example.title!r} should be accepted"
