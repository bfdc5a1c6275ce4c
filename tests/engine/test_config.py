"""Configuration: strict validation, with messages that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lint.config import ConfigError, load_config


def config_with(tmp_path: Path, body: str):  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text("[tool.schema-lint]\n" + body)
    return load_config(tmp_path)


def test_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path)
    assert config.select is None and config.dialect == "postgresql"
    assert "created_at" in config.options("SL001")["bookkeeping-columns"]
    assert config.options("SL002")["ignore-indexes"] == ()


def test_rule_options_by_slug_or_code(tmp_path: Path) -> None:
    config = config_with(
        tmp_path,
        (
            "select = ['SL']\nignore = ['SL002']\n"
            "[tool.schema-lint.junction-missing-unique]\nbookkeeping-columns = ['stamp']\n"
            "[tool.schema-lint.SL002]\nignore-indexes = ['ix_search_*']\n"
            "[tool.schema-lint.per-file-ignores]\n'legacy/*' = ['SL001']\n"
        ),
    )
    assert config.select == ("SL",) and config.ignore == ("SL002",)
    assert config.options("SL001")["bookkeeping-columns"] == ("stamp",)
    assert config.options("SL002")["ignore-indexes"] == ("ix_search_*",)
    assert config.per_file_ignores == (("legacy/*", ("SL001",)),)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("selec = ['SL001']\n", "unknown configuration key 'selec'"),
        ("select = 'SL999'\n", "unknown rule code 'SL999'"),
        ("dialect = 'postgres'\n", "dialect must be one of"),
        ("exclude = [1]\n", "exclude must be a list of strings"),
        ("[tool.schema-lint.SL002]\nignore = ['x']\n", "unknown option SL002.ignore"),
        (
            "[tool.schema-lint.SL001]\nbookkeeping-columns = 'x'\n",
            "SL001.bookkeeping-columns must be a list",
        ),
    ],
)
def test_bad_configuration_names_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.").replace("'", ".")):
        config_with(tmp_path, body)


def test_invalid_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.schema-lint\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_config(tmp_path)


def test_migrations_table(tmp_path: Path) -> None:
    config = config_with(
        tmp_path,
        (
            "[tool.schema-lint.migrations]\n"
            "paths = ['db/migrations']\n"
            "assume = { 'settings.pg_uri' = true, \"not  os.environ.get('X')\" = false,"
            " 'get_version(op)' = 3, 'settings.backend' = 'postgresql' }\n"
            "[tool.schema-lint.migrations.environments.'db/migrations']\n"
            "dialect = 'sqlite'\n"
            "schemas = ['tenant_a', 'tenant_b']\n"
        ),
    )
    assert config.migrations == ("db/migrations",)
    assert config.assume == (
        ("settings.pg_uri", True),
        ("not os.environ.get('X')", False),  # normalised as the replay writes expressions
        ("get_version(op)", 3),
        ("settings.backend", "postgresql"),
    )
    options = config.environment("db/migrations/")
    assert options is not None and options.dialect == "sqlite"
    assert options.schemas == ("tenant_a", "tenant_b")
    assert not config.dialect_given and config_with(tmp_path, "dialect = 'sqlite'\n").dialect_given


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.schema-lint.migrations]\nasume = {}\n", "unknown key migrations.asume"),
        ("[tool.schema-lint.migrations]\nassume = { 'a b' = true }\n", "'a b' is not a Python"),
        ("[tool.schema-lint.migrations]\nassume = { 'x' = [1] }\n", "migrations.assume.x: the"),
        ("[tool.schema-lint.migrations]\nassume = 'x'\n", "migrations.assume must be a table"),
        (
            "[tool.schema-lint.migrations.environments.m]\ndialect = 'pg'\n",
            "migrations.environments.m.dialect must be one of",
        ),
        (
            "[tool.schema-lint.migrations.environments.m]\nschema = 'x'\n",
            "unknown option migrations.environments.m.schema",
        ),
        ("[tool.schema-lint.migrations]\npaths = 1\n", "migrations.paths must be a list"),
    ],
)
def test_bad_migrations_table_names_the_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        config_with(tmp_path, body)
