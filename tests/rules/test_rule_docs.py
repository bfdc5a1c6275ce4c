"""Every rule documents itself; docs/rules/ matches the registry."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lint.cli import main
from schema_lint.rules.docs import page_name, render_rule_markdown
from schema_lint.rules.registry import RULES, rule_for

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_docs_page_is_generated_from_the_registry(rule) -> None:  # type: ignore[no-untyped-def]
    page = DOCS / page_name(rule)
    assert page.is_file(), f"missing {page}; run python -m schema_lint.rules.docs docs/rules"
    assert page.read_text(encoding="utf-8") == render_rule_markdown(rule), (
        f"{page} is stale; run python -m schema_lint.rules.docs docs/rules"
    )
    assert rule.url.endswith(f"docs/rules/{page_name(rule)}")


def test_no_orphan_pages() -> None:
    assert {p.name for p in DOCS.glob("*.md")} == {page_name(r) for r in RULES}


def test_rule_command_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "SL001"]) == 0
    assert capsys.readouterr().out.strip() == render_rule_markdown(rule_for("SL001")).strip()
    assert main(["rule", "junction-missing-unique"]) == 0
    assert main(["rule", "SL999"]) == 2


def test_registry_is_well_formed() -> None:
    codes = [r.code for r in RULES]
    assert codes == sorted(set(codes))
    for rule in RULES:
        assert rule.flagged and rule.accepted, rule.code
        assert rule.slug == rule.slug.lower() and " " not in rule.slug
