"""Per-file facts: the unit that is extracted in parallel and cached by content hash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.facts.migrations import Migration
from schema_lint.facts.source import Dependencies, Problem

if TYPE_CHECKING:
    from schema_lint.facts.models import ModelModule


@dataclass(frozen=True, slots=True)
class FileFacts:
    path: str
    model: ModelModule | None
    migration: Migration | None
    problems: tuple[Problem, ...]
    noqa: tuple[tuple[int, frozenset[str]], ...]
    """Lines with a ``# noqa`` comment and their codes (empty: bare ``# noqa``)."""
    ignore_file: frozenset[str] | None
    """Codes of a ``# schema-lint: ignore-file[...]`` comment (empty: every code)."""
    content_key: str = ""
    """Hash of the content the facts were extracted from (see :mod:`schema_lint.cache`)."""
    depends_on: Dependencies | None = None
    """Other files of the project the facts were also read from (a revision's helpers)."""

    def noqa_codes(self, line: int) -> frozenset[str] | None:
        """The codes of the ``# noqa`` on ``line`` (empty: every code; None: no comment)."""
        for number, codes in self.noqa:
            if number == line:
                return codes
        return None
