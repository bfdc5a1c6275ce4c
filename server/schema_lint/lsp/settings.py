"""Editor settings, typed, and the configuration they make with ``[tool.schema-lint]``.

Three sources, like esbonio's ``server/_configuration.py``: ``initializationOptions`` (what
the client knew at start-up), the ``schemaLint`` section of ``workspace/configuration``
(per workspace folder, re-read on ``workspace/didChangeConfiguration``) and, underneath
both, ``[tool.schema-lint]`` in the folder's ``pyproject.toml``. An editor ``select``
replaces the file's, an editor ``ignore`` adds to it (as the VS Code extension documents).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from schema_lint.config import Config, ConfigError, parse_config, schema_lint_section
from schema_lint.rules.registry import known_code_prefix, rule_for
from schema_lint.vocabulary.dialects import DIALECTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SECTION = "schemaLint"
DEFAULT_DEBOUNCE_MS = 150
DEFAULT_FIX_TITLE_MS = 1000


@dataclass(frozen=True, slots=True)
class Settings:
    enable: bool = True
    select: tuple[str, ...] = ()
    """Codes or prefixes; empty: whatever ``pyproject.toml`` selects."""
    ignore: tuple[str, ...] = ()
    """Codes or prefixes ignored on top of ``pyproject.toml``'s."""
    dialect: str | None = None
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    """Pause in typing before an analysis starts."""
    fix_title_ms: int = DEFAULT_FIX_TITLE_MS
    """How long listing code actions may wait for a fix, whose message is the action's title
    and whose safety makes it preferred; a slower fix is listed with a generic title and
    computed on ``codeAction/resolve``."""
    warnings: tuple[str, ...] = field(default=(), compare=False)
    """What was wrong with the settings (unknown rule names...), to tell the user once."""

    def merged(self, raw: Any) -> Settings:
        """These settings updated by a ``schemaLint`` object (absent keys keep their value)."""
        return _parse(unwrap(raw), self)


def unwrap(raw: Any) -> Mapping[str, Any]:
    """The ``schemaLint`` object, whether or not the client wrapped it in its section name."""
    if not isinstance(raw, Mapping):
        return {}
    inner = raw.get(SECTION)
    if isinstance(inner, Mapping):
        return inner
    return raw


def _parse(raw: Mapping[str, Any], base: Settings) -> Settings:
    warnings: list[str] = []
    values: dict[str, Any] = {}
    if "enable" in raw:
        if isinstance(raw["enable"], bool):
            values["enable"] = raw["enable"]
        elif raw["enable"] is not None:
            warnings.append(f"{SECTION}.enable must be true or false")
    for key in ("select", "ignore"):
        if key in raw and raw[key] is not None:
            codes, problems = _codes(key, raw[key])
            values[key] = codes
            warnings.extend(problems)
    if "dialect" in raw:
        dialect = raw["dialect"]
        if dialect in (None, ""):
            values["dialect"] = None
        elif dialect in DIALECTS:
            values["dialect"] = dialect
        else:
            warnings.append(f"{SECTION}.dialect must be one of {', '.join(DIALECTS)}")
    for key, name in (("debounceMs", "debounce_ms"), ("fixTitleMs", "fix_title_ms")):
        value = raw.get(key)
        if value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            values[name] = int(value)
        else:
            warnings.append(f"{SECTION}.{key} must be a number of milliseconds >= 0")
    return replace(base, warnings=tuple(warnings), **values)


def _codes(key: str, value: Any) -> tuple[tuple[str, ...], list[str]]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return (), [f"{SECTION}.{key} must be a list of rule codes or names"]
    codes: list[str] = []
    problems: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            continue
        text = item.strip()
        rule = rule_for(text) or rule_for(text.upper())
        code = rule.code if rule is not None else text.upper()
        if rule is None and not known_code_prefix(code):
            problems.append(f"{SECTION}.{key}: unknown rule {text!r} (ignored)")
            continue
        if code not in codes:
            codes.append(code)
    return tuple(codes), problems


def read_pyproject(root: Path, text: str | None = None) -> dict[str, Any]:
    """``[tool.schema-lint]`` from ``text`` (an unsaved editor buffer) or from disk."""
    path = root / "pyproject.toml"
    if text is None:
        if not path.is_file():
            return {}
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return schema_lint_section(data, path)


def make_config(root: Path, settings: Settings, pyproject_text: str | None = None) -> Config:
    """The configuration of the project at ``root`` with the editor settings applied.

    Raises :class:`ConfigError` when ``pyproject.toml`` is invalid.
    """
    section = dict(read_pyproject(root, pyproject_text))
    if settings.select:
        section["select"] = list(settings.select)
    if settings.ignore:
        existing = section.get("ignore", [])
        if isinstance(existing, str):
            existing = [existing]
        if isinstance(existing, list):
            section["ignore"] = [*existing, *(c for c in settings.ignore if c not in existing)]
    if settings.dialect:
        section["dialect"] = settings.dialect
    return parse_config(root, section)


def fallback_config(root: Path, settings: Settings) -> Config:
    """The configuration used when ``pyproject.toml`` is invalid and nothing better is known."""
    section: dict[str, Any] = {}
    if settings.select:
        section["select"] = list(settings.select)
    if settings.ignore:
        section["ignore"] = list(settings.ignore)
    if settings.dialect:
        section["dialect"] = settings.dialect
    return parse_config(root, section)


DISCOVERY_FIELDS = ("models", "migrations", "exclude", "dialect")


def needs_rescan(old: Config, new: Config) -> bool:
    """Whether a configuration change changes which files are read or how (not just rules)."""
    return any(getattr(old, name) != getattr(new, name) for name in DISCOVERY_FIELDS)
