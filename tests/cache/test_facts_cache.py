"""The facts cache: reused when nothing changed, exact after edits, renames and deletes,
and never trusted when corrupt or foreign."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from schema_lint.cache import CacheStore, FactsCache
from schema_lint.cache.facts import SCHEMA_VERSION, header, pack
from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.project import load_project


def run(root: Path, cache_dir: Path) -> tuple[list[tuple[str, str, int]], FactsCache]:
    cache = FactsCache.load(cache_dir)
    project = load_project(root, load_config(root), cache=cache)
    result = check(project)
    found = sorted((d.code, Path(d.span.path).name, d.span.line) for d in result.diagnostics)
    return found, cache


def fresh(root: Path) -> list[tuple[str, str, int]]:
    result = check(load_project(root, load_config(root)))
    return sorted((d.code, Path(d.span.path).name, d.span.line) for d in result.diagnostics)


def test_warm_run_reuses_every_file(shop: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    cold, first = run(shop, cache_dir)
    assert first.dirty and (cache_dir / ".gitignore").read_text().strip().endswith("*")
    warm, second = run(shop, cache_dir)
    assert warm == cold
    assert not second.dirty and len(second.used) == len(first.used) == 3


def test_edit_rename_and_delete_are_seen(shop: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    run(shop, cache_dir)
    models = shop / "app" / "models.py"
    models.write_text(
        models.read_text().replace(
            '    sa.Column("group_id", sa.ForeignKey("groups.id"), nullable=False),\n',
            '    sa.Column("group_id", sa.ForeignKey("groups.id"), nullable=False),\n'
            '    sa.UniqueConstraint("user_id", "group_id"),\n',
        )
    )
    edited, cache = run(shop, cache_dir)
    assert edited == fresh(shop) and "SL001" not in [f[0] for f in edited]
    assert len(cache.used) == 3 and cache.dirty

    renamed = shop / "app" / "shop_models.py"
    models.rename(renamed)
    after_rename, _ = run(shop, cache_dir)
    assert after_rename == fresh(shop)
    assert {f[1] for f in after_rename} == {"shop_models.py"}

    (shop / "migrations" / "versions" / "0002_orders.py").unlink()
    after_delete, cache = run(shop, cache_dir)
    assert after_delete == fresh(shop)
    assert "SL002" not in {f[0] for f in after_delete}  # its indexes went with the revision
    saved = FactsCache.load(cache_dir).entry_keys
    assert saved and all(Path(key[0]).name != "0002_orders.py" for key in saved)


@pytest.mark.parametrize(
    "kind",
    ["garbage", "other-version", "other-schema", "foreign", "truncated", "old-pickle"],
)
def test_corrupt_or_foreign_cache_is_ignored_and_rebuilt(
    shop: Path, tmp_path: Path, kind: str
) -> None:
    cache_dir = tmp_path / "cache"
    expected, cache = run(shop, cache_dir)
    assert cache.file is not None
    good = cache.file.read_bytes()
    store = CacheStore.open(cache_dir)
    payloads = {
        "garbage": b"not a cache at all",
        "other-version": {**header("facts"), "version": "0.0.0", "entries": [], "schemas": []},
        "other-schema": {**header("facts"), "schema": SCHEMA_VERSION + 1},
        "foreign": {"magic": "something-else"},
        "truncated": good[: len(good) // 2],
        "old-pickle": pickle.dumps({"magic": "schema-lint-facts", "format": 1, "entries": {}}),
    }
    payload = payloads[kind]
    if isinstance(payload, dict):  # signed by this user, but not a facts file of this code
        store.write(cache.name, pack(payload))
    else:
        cache.file.write_bytes(payload)
    assert not FactsCache.load(cache_dir).entry_keys
    again, rebuilt = run(shop, cache_dir)
    assert again == expected and rebuilt.dirty
    assert FactsCache.load(cache_dir).entry_keys


def test_cli_no_cache_and_cache_dir(shop: Path, tmp_path: Path) -> None:
    import os

    from schema_lint.cli import main

    cwd = os.getcwd()
    os.chdir(shop)
    try:
        main(["check", "--no-cache", "--quiet"])
        assert not (shop / ".schema_lint_cache").exists()
        main(["check", "--quiet", "--cache-dir", str(tmp_path / "elsewhere")])
        assert not (shop / ".schema_lint_cache").exists()
        assert any((tmp_path / "elsewhere").glob("facts-*.cache"))
        main(["check", "--quiet"])
        assert any((shop / ".schema_lint_cache").glob("facts-*.cache"))
    finally:
        os.chdir(cwd)


def test_schemas_are_memoised_and_invalidated_by_content(shop: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"

    def run_with_memo() -> tuple[list[tuple[str, str, int]], FactsCache]:
        cache = FactsCache.load(cache_dir)
        project = load_project(shop, load_config(shop), cache=cache, save_cache=False)
        result = check(project, memo=cache)
        cache.save()
        found = sorted((d.code, Path(d.span.path).name, d.span.line) for d in result.diagnostics)
        return found, cache

    first, cache = run_with_memo()
    assert len(cache.schema_keys) == 2  # the models' schema and one environment's replay
    second, cache = run_with_memo()
    assert second == first and not cache.dirty
    migration = shop / "migrations" / "versions" / "0002_orders.py"
    migration.write_text(
        migration.read_text().replace(
            'op.create_index("idx_orders_created_at", "orders", ["created_at"])', "pass"
        )
    )
    third, cache = run_with_memo()
    assert third == fresh(shop) and len(third) == len(first) - 1
    assert len(FactsCache.load(cache_dir).schema_keys) == 2


def test_unchanged_project_is_answered_from_the_results_cache(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    from schema_lint.cache import ResultsCache
    from schema_lint.cli import main

    cwd = os.getcwd()
    os.chdir(shop)
    try:
        assert main(["check"]) == 1
        first = capsys.readouterr().out
        results = list((shop / ".schema_lint_cache").glob("results-*.cache"))
        assert len(results) == 1
        assert main(["check"]) == 1
        assert capsys.readouterr().out == first
        assert main(["check", "app/models.py"]) == 1
        assert capsys.readouterr().out == first  # every finding is in app/models.py
        assert main(["check", "migrations"]) == 0
        capsys.readouterr()
        models = shop / "app" / "models.py"
        models.write_text(
            models.read_text().replace(
                '    sa.Column("group_id", sa.ForeignKey("groups.id"), nullable=False),\n',
                '    sa.Column("group_id", sa.ForeignKey("groups.id"), nullable=False),\n'
                '    sa.UniqueConstraint("user_id", "group_id"),\n',
            )
        )
        assert main(["check"]) == 1
        assert "SL001" not in capsys.readouterr().out
        results[0].write_bytes(b"corrupt")
        assert ResultsCache(CacheStore.open(shop / ".schema_lint_cache")).get("anything") is None
        assert main(["check"]) == 1
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("damage", ["garbage", "wrong-shape", "other-file"])
def test_an_entry_that_does_not_decode_is_extracted_again_alone(
    shop: Path, tmp_path: Path, damage: str
) -> None:
    """Signed by this user but not valid facts for its key: that entry alone is a miss."""
    from schema_lint.cache.facts import unpack

    cache_dir = tmp_path / "cache"
    expected, cache = run(shop, cache_dir)
    store = CacheStore.open(cache_dir)
    data = store.read(cache.name)
    assert data is not None
    body = dict(unpack(data))
    rows = [list(row) for row in body["entries"]]
    models = next(row for row in rows if row[0].endswith("models.py"))
    other = next(row for row in rows if row is not models)
    models[4] = {
        "garbage": b"\xc1 not msgpack",
        "wrong-shape": pack(["app/models.py", None]),
        "other-file": other[4],  # valid facts, but of another path
    }[damage]
    body["entries"] = rows
    store.write(cache.name, pack(body))
    loaded = FactsCache.load(cache_dir)
    assert len(loaded.entry_keys) == 3
    project = load_project(shop, load_config(shop), cache=loaded, save_cache=False)
    assert project.files[models[0]].path == models[0]
    assert loaded.dirty and len(loaded.used) == 3  # re-extracted and put back
    found = sorted(
        (d.code, Path(d.span.path).name, d.span.line) for d in check(project).diagnostics
    )
    assert found == expected
