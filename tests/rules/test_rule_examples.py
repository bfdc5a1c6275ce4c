"""Each rule's own flagged and accepted examples, run through the whole engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lint.config import load_config
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
    """The codes found in ``example``; it must read whole, unless reading is ``rule``'s job."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'example'\n")
    for rel, source in example.files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    project = load_project(tmp_path, load_config(tmp_path))
    result = check(project)
    reported = {d.span for d in result.diagnostics if d.code == rule.code}
    unread = {"syntax-error", "unanalysable", "skipped-syntax"}
    assert not [p for p in result.problems if p.kind in unread and p.span not in reported]
    return [d.code for d in result.diagnostics]


@pytest.mark.parametrize(("rule", "example", "flagged"), CASES)
def test_rule_example(tmp_path: Path, rule: Rule, example: Example, flagged: bool) -> None:
    codes = run_example(tmp_path, example, rule)
    if flagged:
        assert rule.code in codes, f"{example.title!r} should be flagged"
    else:
        assert rule.code not in codes, f"{example.title!r} should be accepted"
