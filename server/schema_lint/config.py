"""Configuration from ``[tool.schema-lint]`` in ``pyproject.toml``, validated strictly.

Unknown keys and values of the wrong type raise :class:`ConfigError` naming the key, which
the command line turns into exit status 2 and the language server into a message.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema_lint.sources.limits import VANISHED, Unreadable, read_source
from schema_lint.vocabulary.dialects import DIALECTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(Exception):
    """Invalid configuration; the message names the offending key."""


Assumed = str | int | float | bool


@dataclass(frozen=True, slots=True)
class EnvironmentOptions:
    """``[tool.schema-lint.migrations.environments."<name>"]``: one Alembic environment."""

    dialect: str | None = None
    """The database its revisions run on (wins over every other source)."""
    schemas: tuple[str, ...] = ()
    """The schemas unqualified tables live in: replayed once per schema (tenants)."""


@dataclass(frozen=True, slots=True)
class Config:
    root: Path
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    models: tuple[str, ...] = ()
    migrations: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    dialect: str = "postgresql"
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Options by rule code, defaults filled in."""
    dialect_given: bool = False
    """``dialect`` was stated (config or command line): it wins over ``alembic.ini`` URLs."""
    assume: tuple[tuple[str, Assumed], ...] = ()
    """``[tool.schema-lint.migrations] assume``: values of guards schema-lint cannot compute,
    by the expression as written (normalised with ``ast.unparse``)."""
    environments: tuple[tuple[str, EnvironmentOptions], ...] = ()
    """Per Alembic environment (by name, as ``--verbose`` prints it) options."""
    database_url_env: str | None = None
    """``database-url-env``: the environment variable holding ``schema-lint db``'s URL."""
    library_roots: tuple[str, ...] = ()
    """``library-roots``: directories (a ``site-packages``) where modules that are not in the
    project are looked up, so that library bases and mixins are read (never imported)."""

    def options(self, code: str) -> Mapping[str, Any]:
        return self.rule_options.get(code, {})

    def environment(self, name: str) -> EnvironmentOptions | None:
        for key, options in self.environments:
            if key.strip("/") == name.strip("/"):
                return options
        return None


_LIST_KEYS = ("select", "ignore", "models", "migrations", "exclude", "library-roots")
_TOP_KEYS = frozenset({*_LIST_KEYS, "per-file-ignores", "dialect", "database-url-env"})
_MIGRATION_KEYS = ("paths", "assume", "environments")


def read_pyproject_section(root: Path) -> dict[str, Any]:
    """``[tool.schema-lint]`` of ``root``'s ``pyproject.toml`` (empty when there is none)."""
    path = root / "pyproject.toml"
    if not os.path.lexists(path):
        return {}
    data = read_source(str(path))
    if isinstance(data, Unreadable):
        if data.kind == VANISHED:
            return {}
        raise ConfigError(f"{path}: {data.message}")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return schema_lint_section(document, path)


def schema_lint_section(document: Mapping[str, Any], path: Path | str) -> dict[str, Any]:
    """``[tool.schema-lint]`` of a parsed ``pyproject.toml``, checked to be tables."""
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: `tool` must be a table, not {toml_type(tool)}")
    section = tool.get("schema-lint", {})
    if not isinstance(section, dict):
        raise ConfigError(
            f"{path}: `tool.schema-lint` must be a table ([tool.schema-lint]), "
            f"not {toml_type(section)}"
        )
    return section


def toml_type(value: Any) -> str:
    """How TOML names the type of ``value``, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date or time"


def load_config(root: Path, overrides: Mapping[str, Any] | None = None) -> Config:
    """The configuration for the project at ``root``; ``overrides`` win (same key names)."""
    section = dict(read_pyproject_section(root))
    if overrides:
        section.update({k: v for k, v in overrides.items() if v is not None})
    return parse_config(root, section)


def parse_config(root: Path, section: Mapping[str, Any]) -> Config:
    from schema_lint.rules.registry import RULES, rule_for

    slugs = {rule.slug: rule for rule in RULES}
    values: dict[str, Any] = {}
    rule_options: dict[str, dict[str, Any]] = {
        rule.code: {name: opt.default for name, opt in rule.options.items()} for rule in RULES
    }
    for key, value in section.items():
        if key == "migrations" and isinstance(value, dict):
            values.update(_migrations(value))
        elif key in _LIST_KEYS:
            values[key.replace("-", "_")] = _string_list(key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(
                    f"per-file-ignores must be a table of glob = [codes], not {toml_type(value)}"
                )
            values["per_file_ignores"] = tuple(
                (str(glob), _codes(f"per-file-ignores.{glob}", codes))
                for glob, codes in value.items()
            )
        elif key == "dialect":
            values["dialect"] = _dialect("dialect", value)
            values["dialect_given"] = True
        elif key == "database-url-env":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(
                    "database-url-env must be the name of an environment variable, e.g. "
                    '"DATABASE_URL"'
                )
            values["database_url_env"] = value.strip()
        elif key in slugs or rule_for(key) is not None:
            rule = slugs.get(key) or rule_for(key)
            assert rule is not None
            if not isinstance(value, dict):
                raise ConfigError(f"{key} must be a table of rule options, not {toml_type(value)}")
            for name, option_value in value.items():
                option = rule.options.get(name)
                if option is None:
                    known = ", ".join(sorted(rule.options)) or "none"
                    raise ConfigError(
                        f"unknown option {key}.{name} (options of {rule.code}: {known})"
                    )
                try:
                    parsed = option.parse(f"{key}.{name}", option_value)
                except ValueError as exc:
                    raise ConfigError(str(exc)) from None
                rule_options[rule.code][name] = parsed
        else:
            raise ConfigError(f"unknown configuration key {key!r} in [tool.schema-lint]")
    for key in ("select", "ignore"):
        if key in values:
            values[key] = _codes(key, list(values[key]))
    return Config(root=root, rule_options=rule_options, **values)


def _dialect(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be a string, not {toml_type(value)}")
    if value not in DIALECTS:
        raise ConfigError(f"{key} must be one of {', '.join(DIALECTS)}, not {value!r}")
    return str(value)


def _migrations(section: Mapping[str, Any]) -> dict[str, Any]:
    """``[tool.schema-lint.migrations]``: ``paths``, ``assume`` and ``environments``."""
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key == "paths":
            values["migrations"] = _string_list("migrations.paths", value)
        elif key == "assume":
            values["assume"] = _assumptions(value)
        elif key == "environments":
            if not isinstance(value, dict):
                raise ConfigError("migrations.environments must be a table of environments")
            values["environments"] = tuple(
                (str(name), _environment(f"migrations.environments.{name}", options))
                for name, options in value.items()
            )
        else:
            raise ConfigError(
                f"unknown key migrations.{key} (keys of [tool.schema-lint.migrations]: "
                f"{', '.join(_MIGRATION_KEYS)})"
            )
    return values


def _assumptions(value: Any) -> tuple[tuple[str, Assumed], ...]:
    if not isinstance(value, dict):
        raise ConfigError('migrations.assume must be a table of "expression" = value')
    result: dict[str, Assumed] = {}
    for key, assumed in value.items():
        try:
            normalised = ast.unparse(ast.parse(str(key).strip(), mode="eval").body)
        except SyntaxError:
            raise ConfigError(
                f"migrations.assume: {key!r} is not a Python expression as written in a "
                "revision file"
            ) from None
        if not isinstance(assumed, str | int | float | bool):
            raise ConfigError(
                f"migrations.assume.{key}: the value must be true, false, a string or a number"
            )
        result[normalised] = assumed
    return tuple(result.items())


def _environment(key: str, value: Any) -> EnvironmentOptions:
    if not isinstance(value, dict):
        raise ConfigError(f"{key} must be a table (dialect, schemas)")
    dialect = None
    schemas: tuple[str, ...] = ()
    for option, option_value in value.items():
        if option == "dialect":
            dialect = _dialect(f"{key}.dialect", option_value)
        elif option == "schemas":
            schemas = _string_list(f"{key}.schemas", option_value)
        else:
            raise ConfigError(f"unknown option {key}.{option} (options: dialect, schemas)")
    return EnvironmentOptions(dialect, schemas)


def _string_list(key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{key} must be a list of strings, not {toml_type(value)}")
    wrong = next((v for v in value if not isinstance(v, str)), None)
    if wrong is not None:
        raise ConfigError(f"{key} must be a list of strings, not a list holding {toml_type(wrong)}")
    return tuple(value)


def _codes(key: str, value: Any) -> tuple[str, ...]:
    from schema_lint.rules.registry import known_code_prefix

    codes = _string_list(key, value)
    for code in codes:
        if not known_code_prefix(code):
            raise ConfigError(f"{key}: unknown rule code {code!r}")
    return codes
