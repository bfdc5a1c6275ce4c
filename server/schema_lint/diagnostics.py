"""What the rules report: findings, their keys and payloads, and fixes as data.

A :class:`Diagnostic` is plain frozen data. Its :class:`FindingKey` names the finding
independently of where it is reported (code, side, table, object), so that the cache, the
language server and ``--fix`` recognise it after an edit moved it. Its *payload* is a small
frozen dataclass declared by its rule: exactly what the rule's fix needs, typed. A computed
:class:`Fix` is a list of :class:`Edit` s; :class:`NoFix` says why there is none.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any

from schema_lint.facts.source import Span


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Coverage:
    """How much of a project was read: the summary line after a check."""

    model_tables: int
    checked_tables: int
    """Model tables the rules judge (not incomplete)."""
    statements: int
    """Migration statements: those read plus those skipped."""
    understood: int
    """Schema operations the revision files yield and the replay applies (a statement under
    a condition it cannot decide is skipped, not understood)."""

    def line(self, *, verbose: bool, hidden: bool = False) -> str:
        """``checked 95 of 102 model tables; 212 of 230 migration statements understood``,
        and where the rest is listed when something was not read (``hidden``: problems
        were left unlisted)."""
        text = (
            f"checked {self.checked_tables} of {self.model_tables} model tables; "
            f"{self.understood} of {self.statements} migration statements understood"
        )
        missed = self.checked_tables < self.model_tables or self.understood < self.statements
        if (missed or hidden) and not verbose:
            text += "; --verbose lists the rest"
        return text


@dataclass(frozen=True, slots=True)
class Related:
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class FindingKey:
    """What identifies a finding across edits: rule, side compared, table and object.

    ``object`` is what the finding is about within the table: an index or constraint name,
    a column, or a column list written ``a,b``; ``side`` names the side the base side was
    compared with (None for rules that read the models alone), and ``base`` the base side
    when it is not the models (an environment's migrations compared with the database).
    """

    code: str
    table: str | None = None
    object: str | None = None
    side: str | None = None
    base: str | None = None

    def __str__(self) -> str:
        side = f"{self.base}>{self.side}" if self.base else self.side or ""
        parts = [self.code, side, self.table or "", self.object or ""]
        return "/".join(parts)

    @property
    def sides(self) -> tuple[str, str] | None:
        """The two sides a drift finding compares (None for a rule of the models alone)."""
        if self.side is None:
            return None
        return (self.base or "models", self.side)


Payload = Any
"""A rule's payload: an instance of the frozen dataclass the rule declares (``payload``)."""


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    span: Span
    severity: Severity
    key: FindingKey
    related: tuple[Related, ...] = ()
    suppressible_at: tuple[Span, ...] = ()
    """Other places where a ``# noqa`` for this code silences it (the migration line that
    created the object); the reported line always counts."""
    payload: Payload = field(default=None, compare=False, hash=False)
    """What the rule's fix needs (the rule's payload type), or None."""
    fix: Fix | NoFix | None = field(default=None, compare=False, hash=False)
    """The computed fix, when a front end asked for it."""

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.path, self.span.line, self.span.col, self.code)

    @property
    def table(self) -> str | None:
        return self.key.table


# --- fixes as data ------------------------------------------------------------------------


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


# --- payloads as JSON ---------------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))


def payload_to_json(payload: Payload) -> dict[str, Any] | None:
    """A payload as a JSON object: the same shape in JSON output, the LSP and the cache."""
    if payload is None:
        return None
    return {f.name: _to_json(getattr(payload, f.name)) for f in dataclasses.fields(payload)}


def _to_json(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list | frozenset | set):
        return [_to_json(v) for v in value]
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"payload values must be scalars or sequences, not {type(value).__name__}")


def payload_from_json(payload_type: type | None, data: Any) -> Payload:
    """The payload ``data`` describes, typed as ``payload_type``; None when it does not fit."""
    if payload_type is None or not isinstance(data, dict):
        return None
    hints = _hints(payload_type)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(payload_type):
        if f.name not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                return None
            continue
        converted = _from_json(hints[f.name], data[f.name])
        if converted is _INVALID:
            return None
        values[f.name] = converted
    return payload_type(**values)


_INVALID = object()


@cache
def _hints(payload_type: type) -> dict[str, Any]:
    return typing.get_type_hints(payload_type)


def _from_json(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            converted = _from_json(option, value)
            if converted is not _INVALID:
                return converted
        return _INVALID
    if origin is tuple:
        if not isinstance(value, list):
            return _INVALID
        args = typing.get_args(hint)
        item = args[0] if args else Any
        items = [_from_json(item, v) for v in value]
        return _INVALID if _INVALID in items else tuple(items)
    if hint is Any:
        return value
    if hint is type(None):
        return None if value is None else _INVALID
    if isinstance(hint, type) and issubclass(hint, Enum):
        try:
            return hint(value)
        except ValueError:
            return _INVALID
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type) and isinstance(value, hint):
        if hint is int and isinstance(value, bool):
            return _INVALID
        return value
    return _INVALID
