"""Fixes as data: what a fix changes, how safe it is, and why a finding has none."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any


class Applicability(str, Enum):
    SAFE = "safe"
    """The database already agrees; only the model changes."""
    UNSAFE = "unsafe"
    """Changes behaviour or needs a migration."""


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace a range of one file. Lines 1-based; columns 0-based code points."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    content: str

    def to_dict(self) -> dict[str, Any]:
        """Ruff's JSON edit, plus the file (a fix may edit another file, e.g. a mixin's)."""
        return {
            "content": self.content,
            "location": {"row": self.line, "column": self.col + 1},
            "end_location": {"row": self.end_line, "column": self.end_col + 1},
            "filename": self.path,
        }


@dataclass(frozen=True, slots=True)
class Fix:
    message: str
    applicability: Applicability
    edits: tuple[Edit, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "applicability": self.applicability.value,
            "message": self.message,
            "edits": [e.to_dict() for e in self.edits],
        }


@dataclass(frozen=True, slots=True)
class NoFix:
    """Why a finding cannot be fixed automatically (shown in messages and code actions)."""

    reason: str
