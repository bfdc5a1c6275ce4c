"""Golden files: each project under ``tests/fixtures/fixes/<case>/before`` is fixed (unsafe
fixes included) and must then equal ``before`` overlaid with ``after``, byte for byte.

``SCHEMA_LINT_UPDATE_GOLDEN=1 pytest tests/fixes/test_golden.py`` rewrites the ``after``
files; review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fix_helpers import CASES, GOLDEN, copy_case, fix_project, relative_files
from schema_lint.fixes.api import fixable

UPDATE = os.environ.get("SCHEMA_LINT_UPDATE_GOLDEN") == "1"


def expected_files(name: str) -> dict[str, str]:
    files = relative_files(GOLDEN / name / "before")
    files.update(relative_files(GOLDEN / name / "after"))
    return files


@pytest.mark.parametrize("name", CASES)
def test_fixed_project_matches_golden(tmp_path: Path, name: str) -> None:
    root = copy_case(name, tmp_path)
    fixed = fix_project(root)
    assert fixed.before, "the case must have findings to fix"
    fixable_before = {d.key for d in fixed.before if fixable(d.code)}
    still = [d for d in fixed.after if d.key in fixable_before]
    assert not still, [d.message for d in still]
    actual = relative_files(root)
    if UPDATE:
        original = relative_files(GOLDEN / name / "before")
        for rel, text in actual.items():
            if text != original[rel]:
                target = GOLDEN / name / "after" / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    assert actual == expected_files(name)


@pytest.mark.parametrize("name", CASES)
def test_fixing_again_changes_nothing(tmp_path: Path, name: str) -> None:
    root = copy_case(name, tmp_path)
    fix_project(root)
    again = fix_project(root)
    assert not again.changes
    assert again.after == again.before


def test_every_case_has_an_expected_output() -> None:
    for name in CASES:
        assert (GOLDEN / name / "after").is_dir(), name
