"""The rule registry: code, slug, severity, documentation, examples and options."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from schema_lint.diagnostics import Diagnostic, Severity
from schema_lint.rules.context import RuleContext

DOCS_BASE_URL = "https://github.com/schema-lint/schema-lint/blob/main/docs/rules"


@dataclass(frozen=True, slots=True)
class Option:
    """A per-rule option in ``[tool.schema-lint.<slug>]``."""

    kind: type
    default: Any
    description: str
    item_kind: type | None = None

    def parse(self, key: str, value: Any) -> Any:
        """``value`` checked against the option's type; ``ValueError`` names ``key``."""
        if self.kind is tuple:
            if not isinstance(value, list) or not all(
                isinstance(v, self.item_kind or str) for v in value
            ):
                raise ValueError(f"{key} must be a list of strings")
            return tuple(value)
        if not isinstance(value, self.kind) or (self.kind is int and isinstance(value, bool)):
            raise ValueError(f"{key} must be of type {self.kind.__name__}")
        return value


@dataclass(frozen=True, slots=True)
class Example:
    """A small project: file path -> source. ``flagged`` examples must produce the rule.

    ``fixed`` gives, for a flagged example whose rule has a fix, each edited file's text
    after ``check --fix --unsafe-fixes`` (Fixit's ``expected_replacement``).
    """

    files: Mapping[str, str]
    title: str = ""
    fixed: Mapping[str, str] | None = None
    database: str | None = None
    """For a rule of ``schema-lint db``: the SQL that builds the live database (SQLite)."""


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    slug: str
    summary: str
    severity: Severity
    explanation: str
    """Markdown: why it matters and how to fix it."""
    check: Callable[[RuleContext], Iterable[Diagnostic]]
    flagged: tuple[Example, ...]
    accepted: tuple[Example, ...]
    options: Mapping[str, Option] = field(default_factory=dict)
    payload: type | None = None
    """The frozen dataclass its findings carry for their fix (None: no payload)."""

    @property
    def url(self) -> str:
        return f"{DOCS_BASE_URL}/{self.code}-{self.slug}.md"


def _load() -> tuple[Rule, ...]:
    """Every rule, in code order: adding a rule is one module and one line here."""
    from schema_lint.rules import (
        check_drift,
        database_revision,
        index_definition_drift,
        index_missing_in_migrations,
        index_missing_in_model,
        junction_unique,
        missing_in_database,
        missing_in_migrations,
        missing_in_model,
        nullable_drift,
        ondelete_drift,
        only_in_database,
        soft_delete_unique,
        unique_drift,
        unreadable_file,
    )

    return (
        unreadable_file.RULE,
        junction_unique.RULE,
        index_missing_in_model.RULE,
        unique_drift.RULE,
        nullable_drift.RULE,
        ondelete_drift.RULE,
        check_drift.RULE,
        index_missing_in_migrations.RULE,
        soft_delete_unique.RULE,
        index_definition_drift.RULE,
        missing_in_migrations.RULE,
        missing_in_model.RULE,
        missing_in_database.RULE,
        only_in_database.RULE,
        database_revision.RULE,
    )


RULES: tuple[Rule, ...] = _load()
_BY_CODE = {rule.code: rule for rule in RULES}


def rule_for(code_or_slug: str) -> Rule | None:
    if code_or_slug in _BY_CODE:
        return _BY_CODE[code_or_slug]
    return next((r for r in RULES if r.slug == code_or_slug), None)


def known_code_prefix(code: str) -> bool:
    """``SL``, ``SL0``, ``SL001`` and ``ALL`` select rules; anything else is a typo."""
    return code == "ALL" or (
        any(rule.code.startswith(code) for rule in RULES) and code.startswith("SL")
    )


def selected(code: str, select: Iterable[str] | None, ignore: Iterable[str]) -> bool:
    chosen = select if select is not None else ("ALL",)
    if not any(code.startswith(s) or s == "ALL" for s in chosen):
        return False
    return not any(code.startswith(i) or i == "ALL" for i in ignore)
