"""Engine values to and from LSP values.

Spans count columns in code points (Python ``str`` indices); LSP positions count them in
the negotiated encoding's code units: UTF-16 unless the client chose UTF-8 or UTF-32.
Conversions read the line's text, so a line with non-ASCII text before a finding still maps
exactly. Lines are split on ``\\n`` only, as the engine does (a ``\\r`` before it is part of
the line and never precedes a finding).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lsprotocol import types

from schema_lint.diagnostics import (
    Diagnostic,
    Edit,
    FindingKey,
    Related,
    Severity,
    payload_from_json,
    payload_to_json,
)
from schema_lint.facts.source import Span
from schema_lint.lsp.capabilities import UTF8, UTF32, ClientCaps
from schema_lint.rules.registry import rule_for

SOURCE = "schema-lint"
PAYLOAD_VERSION = 2

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


class Lines:
    """The lines of one text, for position conversions."""

    __slots__ = ("_lines",)

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")

    def __len__(self) -> int:
        return len(self._lines)

    def text(self, line: int) -> str:
        """Line ``line`` (1-based), or "" past either end."""
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""


def units(line_text: str, col: int, encoding: str) -> int:
    """Code units of ``encoding`` before code point ``col`` of ``line_text``."""
    col = max(0, min(col, len(line_text)))
    if encoding == UTF32 or line_text.isascii():
        return col
    prefix = line_text[:col]
    if encoding == UTF8:
        return len(prefix.encode("utf-8"))
    return len(prefix.encode("utf-16-le")) // 2


def code_points(line_text: str, character: int, encoding: str) -> int:
    """The code point column of LSP ``character`` (in ``encoding`` units) on ``line_text``."""
    character = max(0, character)
    if line_text.isascii() or encoding == UTF32:
        return character
    if encoding == UTF8:
        data = line_text.encode("utf-8")[:character]
        return len(data.decode("utf-8", errors="ignore"))
    data = line_text.encode("utf-16-le")[: character * 2]
    return len(data.decode("utf-16-le", errors="ignore"))


def position(lines: Lines, line: int, col: int, encoding: str) -> types.Position:
    """The LSP position of 1-based ``line`` and code point ``col``."""
    if line < 1:
        return types.Position(0, 0)
    if line > len(lines):
        last = len(lines)
        text = lines.text(last)
        return types.Position(max(0, last - 1), units(text, len(text), encoding))
    return types.Position(line - 1, units(lines.text(line), col, encoding))


def span_range(lines: Lines, span: Span, encoding: str) -> types.Range:
    start = position(lines, span.line, span.col, encoding)
    end = position(lines, span.end_line, span.end_col, encoding)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start, end)


def edit_range(lines: Lines, edit: Edit, encoding: str) -> types.Range:
    return types.Range(
        position(lines, edit.line, edit.col, encoding),
        position(lines, edit.end_line, edit.end_col, encoding),
    )


def from_position(lines: Lines, pos: types.Position, encoding: str) -> tuple[int, int]:
    """The 1-based line and code point column of a client's position, clamped to the text:
    one past a line's end is that end, one past the last line the end of the text. (Negative
    ones and ones past 2**31 never get here: :mod:`schema_lint.lsp.transport` clamps them.)"""
    if pos.line >= len(lines):
        last = len(lines)
        return last, len(lines.text(last))
    text = lines.text(pos.line + 1)
    return pos.line + 1, min(len(text), code_points(text, pos.character, encoding))


def lsp_range_to_span(path: str, lines: Lines, rng: types.Range, encoding: str) -> Span:
    """The code point span of an LSP range (for matching a client's range to ours)."""
    start = from_position(lines, rng.start, encoding)
    end = max(start, from_position(lines, rng.end, encoding))
    return Span(path, *start, *end)


# --- diagnostics ---------------------------------------------------------------------------


def payload(diagnostic: Diagnostic) -> dict[str, Any]:
    """What a code action needs to rebuild ``diagnostic`` statelessly: the engine's finding
    (place, key, related places) and its rule's typed payload, serialised as everywhere."""

    def span(s: Span) -> list[Any]:
        return [s.path, s.line, s.col, s.end_line, s.end_col]

    key = diagnostic.key
    return {
        "schemaLint": PAYLOAD_VERSION,
        "code": diagnostic.code,
        "message": diagnostic.message,
        "severity": diagnostic.severity.value,
        "span": span(diagnostic.span),
        "key": [key.code, key.table, key.object, key.side],
        "related": [[*span(r.span), r.message] for r in diagnostic.related],
        "suppressibleAt": [span(s) for s in diagnostic.suppressible_at],
        "payload": payload_to_json(diagnostic.payload),
    }


def from_payload(data: Any) -> Diagnostic | None:
    """The engine diagnostic a payload describes; None if it is not one of ours."""
    if not isinstance(data, dict) or data.get("schemaLint") != PAYLOAD_VERSION:
        return None
    try:
        path, line, col, end_line, end_col = data["span"]
        related = tuple(
            Related(Span(str(p), int(a), int(b), int(c), int(d)), str(message))
            for p, a, b, c, d, message in data.get("related") or ()
        )
        code, table, obj, side = data["key"]
        rule = rule_for(str(data["code"]))
        return Diagnostic(
            code=str(data["code"]),
            message=str(data.get("message", "")),
            span=Span(str(path), int(line), int(col), int(end_line), int(end_col)),
            severity=Severity(data.get("severity", "warning")),
            key=FindingKey(str(code), _opt(table), _opt(obj), _opt(side)),
            related=related,
            suppressible_at=tuple(
                Span(str(p), int(a), int(b), int(c), int(d))
                for p, a, b, c, d in data.get("suppressibleAt") or ()
            ),
            payload=payload_from_json(rule.payload if rule else None, data.get("payload")),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


def to_lsp(
    diagnostic: Diagnostic,
    lines: Lines,
    caps: ClientCaps,
    uri_for: Callable[[str], str],
    lines_for: Callable[[str], Lines | None],
) -> types.Diagnostic:
    """``diagnostic`` on the document whose text is ``lines``.

    ``uri_for`` and ``lines_for`` give the URI and text of the files related places are in.
    """
    encoding = caps.position_encoding
    rule = rule_for(diagnostic.code)
    message = diagnostic.message
    related: list[types.DiagnosticRelatedInformation] | None = None
    if diagnostic.related:
        related = []
        for item in diagnostic.related:
            other = lines_for(item.span.path)
            if other is None:
                continue
            location = types.Location(
                uri_for(item.span.path), span_range(other, item.span, encoding)
            )
            related.append(types.DiagnosticRelatedInformation(location, item.message))
        if not caps.related_information and related:
            places = "; ".join(
                f"{r.message} ({_short(r.location.uri)}:{r.location.range.start.line + 1})"
                for r in related
            )
            message = f"{message} [{places}]"
            related = None
    return types.Diagnostic(
        range=span_range(lines, diagnostic.span, encoding),
        message=message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=rule.url) if rule is not None else None,
        source=SOURCE,
        related_information=related or None,
        data=payload(diagnostic),
    )


def _short(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def text_edits(lines: Lines, edits: Sequence[Edit], encoding: str) -> list[types.TextEdit]:
    return [types.TextEdit(edit_range(lines, e, encoding), e.content) for e in edits]
