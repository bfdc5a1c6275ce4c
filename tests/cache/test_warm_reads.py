"""A warm check of an unchanged project opens one cache file: the whole result's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from schema_lint.cache import directory, store


def test_warm_unchanged_check_reads_one_cache_file(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from schema_lint.cli import main

    opened: list[str] = []
    real = directory.read_file

    def counted(where: Path, name: str) -> bytes | None:
        opened.append(name)
        return real(where, name)

    monkeypatch.setattr(store, "read_file", counted)
    monkeypatch.chdir(shop)
    assert main(["check"]) == 1  # cold: writes the facts and the results
    first = capsys.readouterr().out
    assert {name.split("-", 1)[0] for name in os.listdir(".schema_lint_cache")} >= {
        "facts",
        "results",
    }
    opened.clear()
    assert main(["check"]) == 1
    assert capsys.readouterr().out == first
    assert len(opened) == 1 and opened[0].startswith("results-"), opened
    models = shop / "app" / "models.py"
    models.write_text(models.read_text() + "\n# an edit\n")
    opened.clear()
    assert main(["check"]) == 1
    assert capsys.readouterr().out == first
    assert sorted(name.split("-", 1)[0] for name in opened) == ["facts", "results"]
