"""What the rules report: findings with their places, related places and fix payload."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from schema_lint.facts.source import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Related:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    severity: Severity
    table: str | None = None
    columns: tuple[str, ...] = ()
    index: str | None = None
    related: tuple[Related, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    """Rule-specific facts a fix needs (e.g. the index name and uniqueness to declare)."""

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.col, self.code)
