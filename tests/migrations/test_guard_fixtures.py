"""What schema-lint says about the guard and baseline fixtures besides their tables (which
``test_against_alembic`` compares with the real database)."""

from __future__ import annotations

import shutil
from pathlib import Path

from ground_truth import fixture_project, static_schema


def test_every_guard_of_the_guards_fixture_is_decided() -> None:
    problems = static_schema(fixture_project("guards").path)["problems"]
    assert problems == []


def test_without_assume_the_setting_guard_is_named(tmp_path: Path) -> None:
    copy = tmp_path / "guards"
    shutil.copytree(fixture_project("guards").path, copy)
    (copy / "pyproject.toml").write_text("")
    data = static_schema(copy)
    (problem,) = data["problems"]
    assert problem["filename"].endswith("gd0006_setting.py")
    assert 'assume = { "feature_settings.SEARCH_INDEXES" = true|false }' in problem["message"]
    assert [i["name"] for i in data["tables"]["audit_log"]["indexes"]] == []


def test_baseline_tables_are_named_where_they_are_first_altered() -> None:
    data = static_schema(fixture_project("baseline_stamp").path)
    assert sorted(
        (p["kind"], p["message"].split("`")[1], p["location"]["row"]) for p in data["problems"]
    ) == [
        ("baseline-table", "accounts", 18),
        ("baseline-table", "memos", 24),
        ("baseline-table", "notes", 23),
    ]
    assert {k for k, t in data["tables"].items() if t.get("baseline")} == {"accounts", "memos"}


def test_create_all_in_a_revision_is_a_note() -> None:
    (note,) = static_schema(fixture_project("create_all_revision").path)["problems"]
    assert note["kind"] == "create-all" and "(3 table(s))" in note["message"]
    assert note["filename"].endswith("cr0001_create_all.py") and note["location"]["row"] == 19
