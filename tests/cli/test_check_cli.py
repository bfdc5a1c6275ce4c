"""``schema-lint check`` end to end: findings, formats, exit codes, suppression, config."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from schema_lint.rules.registry import RULES

FIXTURE = Path(__file__).parent / "fixtures" / "shop"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schema_lint", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(FIXTURE, root)
    return root


def findings(result: subprocess.CompletedProcess[str], root: Path) -> list[tuple[Any, ...]]:
    data = json.loads(result.stdout)
    return sorted(
        (
            d["code"],
            str(Path(d["filename"]).relative_to(root)),
            d["location"]["row"],
            d["table"],
            (d["payload"] or {}).get("index"),
        )
        for d in data
    )


EXPECTED = [
    ("SL001", "app/models.py", 31, "user_groups", None),
    ("SL002", "app/models.py", 40, "orders", "ix_orders_user_id_created_at"),
    ("SL002", "app/models.py", 44, "orders", "idx_orders_created_at"),
]


def test_json_findings_and_exit_status(shop: Path) -> None:
    result = run("check", "--format", "json", "--no-cache", cwd=shop)
    assert result.returncode == 1, result.stderr
    assert findings(result, shop) == EXPECTED
    data = json.loads(result.stdout)
    sl002 = next(d for d in data if d["object"] == "idx_orders_created_at")
    assert sl002["payload"]["columns"] == ["created_at"] and sl002["severity"] == "warning"
    assert sl002["key"] == "SL002/migrations/orders/idx_orders_created_at"
    assert sl002["url"].endswith("SL002-index-missing-in-model.md")
    (related,) = sl002["related"]
    assert related["filename"].endswith("0002_orders.py") and related["location"]["row"] == 17
    assert set(data[0]) >= {
        "code",
        "message",
        "filename",
        "location",
        "end_location",
        "severity",
        "url",
        "table",
        "object",
        "side",
        "key",
        "related",
        "payload",
        "fix",
    }


def test_text_output_like_ruff(shop: Path) -> None:
    result = run("check", "--no-cache", cwd=shop)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app/models.py:31:15: SL001 junction table `user_groups`")
    assert "31 | user_groups = sa.Table(" in result.stdout
    assert any(line.strip().startswith("|") and "^" in line for line in lines)
    assert lines[-1] == "Found 3 errors."


def test_select_ignore_and_clean_exit(shop: Path) -> None:
    only_sl001 = run("check", "--format", "json", "--select", "SL001", "--no-cache", cwd=shop)
    assert [f[0] for f in findings(only_sl001, shop)] == ["SL001"]
    clean = run("check", "--ignore", "SL", "--no-cache", cwd=shop)
    assert clean.returncode == 0 and "All checks passed!" in clean.stdout


def test_noqa_and_ignore_file(shop: Path) -> None:
    models = shop / "app" / "models.py"
    text = models.read_text().replace(
        "user_groups = sa.Table(", "user_groups = sa.Table(  # noqa: SL001"
    )
    models.write_text(text)
    migration = shop / "migrations" / "versions" / "0002_orders.py"
    migration.write_text(
        migration.read_text().replace('["created_at"])', '["created_at"])  # noqa: SL002')
    )
    result = run("check", "--format", "json", "--no-cache", cwd=shop)
    assert [f[4] for f in findings(result, shop)] == ["ix_orders_user_id_created_at"]
    models.write_text("# schema-lint: ignore-file\n" + text)
    assert run("check", "--no-cache", cwd=shop).returncode == 0


def test_configuration_options_and_errors(shop: Path) -> None:
    pyproject = shop / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + (
            "\n[tool.schema-lint.index-missing-in-model]\nignore-indexes = ['idx_*']\n"
            "[tool.schema-lint.per-file-ignores]\n'app/*.py' = ['SL001']\n"
        )
    )
    result = run("check", "--format", "json", "--no-cache", cwd=shop)
    assert [f[4] for f in findings(result, shop)] == ["ix_orders_user_id_created_at"]
    pyproject.write_text(pyproject.read_text() + "\n[tool.schema-lint.SL001]\ncolor = 1\n")
    bad = run("check", "--no-cache", cwd=shop)
    assert bad.returncode == 2
    assert "unknown option SL001.color" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_usage_errors_exit_2(shop: Path) -> None:
    assert run("check", "--format", "yaml", cwd=shop).returncode == 2
    missing = run("check", "nope.py", cwd=shop)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert run("check", "--select", "XX1", cwd=shop).returncode == 2


def test_given_files_restrict_reports_but_read_the_whole_project(shop: Path) -> None:
    migration = shop / "migrations" / "versions" / "0002_orders.py"
    only_migration = run("check", "--format", "json", "--no-cache", str(migration), cwd=shop)
    assert only_migration.returncode == 0 and json.loads(only_migration.stdout) == []
    only_models = run("check", "--format", "json", "--no-cache", "app/models.py", cwd=shop)
    assert findings(only_models, shop) == EXPECTED


def test_github_annotations(shop: Path) -> None:
    result = run("check", "--format", "github", "--no-cache", cwd=shop)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=app/models.py,line=31,col=15,")
    assert "title=SL001::SL001 junction table" in lines[0]
    assert sum(line.startswith("::warning ") for line in lines) == 2


def test_sarif_has_the_required_structure(shop: Path) -> None:
    result = run("check", "--format", "sarif", "--no-cache", cwd=shop)
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (run_,) = sarif["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "schema-lint"
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in RULES]
    assert len(run_["results"]) == 3
    for item in run_["results"]:
        assert item["ruleId"] == driver["rules"][item["ruleIndex"]]["id"]
        assert item["level"] in {"error", "warning", "note"}
        assert item["message"]["text"]
        region = item["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        uri = item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "app/models.py"


def test_syntax_error_is_a_finding_and_the_rest_is_checked(shop: Path) -> None:
    (shop / "app" / "broken.py").write_text("import sqlalchemy\nclass Broken(:\n")
    result = run("check", "--format", "json", "--no-cache", cwd=shop)
    assert result.returncode == 1
    assert findings(result, shop) == sorted([*EXPECTED, ("SL000", "app/broken.py", 2, None, None)])
    sl000 = next(d for d in json.loads(result.stdout) if d["code"] == "SL000")
    assert sl000["message"].startswith("file not checked: syntax error")
    assert "Traceback" not in result.stderr
    # Ignored, the finding is still said on stderr: never unnoticed.
    ignored = run("check", "--format", "json", "--no-cache", "--ignore", "SL000", cwd=shop)
    assert findings(ignored, shop) == EXPECTED
    assert "app/broken.py:2:" in ignored.stderr and "syntax error" in ignored.stderr


def test_verbose_lists_what_could_not_be_analysed(shop: Path) -> None:
    migration = shop / "migrations" / "versions" / "0002_orders.py"
    migration.write_text(
        migration.read_text().replace(
            "def upgrade() -> None:\n",
            "def upgrade() -> None:\n    op.create_index('ix_x', get_table(), ['a'])\n",
        )
    )
    quiet = run("check", "--no-cache", cwd=shop)
    assert "--verbose" in quiet.stderr
    verbose = run("check", "--verbose", "--no-cache", cwd=shop)
    assert "0002_orders.py:10:" in verbose.stderr and "[unanalysable]" in verbose.stderr


def test_schema_command(shop: Path) -> None:
    result = run("schema", ".", "--source", "migrations", cwd=shop)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["heads"] == ["0002"]
    assert set(schema["tables"]) == {"users", "groups", "user_groups", "orders"}
    models = json.loads(run("schema", ".", "--source", "models", cwd=shop).stdout)
    assert models["tables"]["users"]["indexes"] == [
        {"name": "ix_users_email", "columns": ["email"], "unique": True}
    ]
    text = run("schema", ".", "--format", "text", cwd=shop).stdout
    assert "index idx_orders_created_at (created_at)" in text
