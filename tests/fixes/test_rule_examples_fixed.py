"""Each rule's own flagged examples, fixed: the exact text its ``fixed`` states, nothing left.

Loops over the registry: a rule added with a fixer and flagged examples is tested here
without touching this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fix_helpers import fix_project
from schema_lint.fixes.api import fixable
from schema_lint.rules.registry import RULES, Example, Rule

CASES = [
    pytest.param(rule, example, id=f"{rule.code}-flagged-{i}")
    for rule in RULES
    for i, example in enumerate(rule.flagged)
    if example.fixed is not None
]


def write(root: Path, example: Example) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'example'\n")
    for rel, source in example.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_flagged_example_is_fixed(tmp_path: Path, rule: Rule, example: Example) -> None:
    assert example.fixed is not None
    write(tmp_path, example)
    fixed = fix_project(tmp_path)
    assert rule.code in {d.code for d in fixed.before}
    assert rule.code not in {d.code for d in fixed.after}, fixed.after
    for rel, text in example.files.items():
        assert (tmp_path / rel).read_text() == example.fixed.get(rel, text), rel


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_a_rule_with_a_fix_states_it_for_every_flagged_example(rule: Rule) -> None:
    stated = [example.fixed is not None for example in rule.flagged]
    assert all(stated) if fixable(rule.code) else not any(stated), rule.code
