"""Ruff-style text: ``path:line:col: CODE message``, the source with a marker, a summary."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from schema_lint.diagnostics import Diagnostic, Fix
from schema_lint.output.paths import display_path
from schema_lint.sources.limits import Unreadable, read_source
from schema_lint.sources.text import DecodeError, decode_source


@lru_cache(maxsize=64)
def _lines(path: str) -> tuple[str, ...]:
    """The lines of ``path`` for a snippet; none for what cannot be read (a FIFO, a device)."""
    data = read_source(path)
    if isinstance(data, Unreadable):
        return ()
    try:
        return tuple(decode_source(data).text.split("\n"))
    except DecodeError:
        return ()


def render(diagnostics: Sequence[Diagnostic], cwd: str) -> str:
    out: list[str] = []
    for d in diagnostics:
        span = d.span
        path = display_path(span.path, cwd)
        fixable = "[*] " if isinstance(d.fix, Fix) else ""
        out.append(f"{path}:{span.line}:{span.col + 1}: {d.code} {fixable}{d.message}")
        out.extend(_snippet(d))
        for related in d.related:
            rpath = display_path(related.span.path, cwd)
            out.append(
                f"  = note: {rpath}:{related.span.line}:{related.span.col + 1}: {related.message}"
            )
        out.append("")
    count = len(diagnostics)
    if count:
        out.append(f"Found {count} error{'s' if count != 1 else ''}.")
    else:
        out.append("All checks passed!")
    return "\n".join(out) + "\n"


def _snippet(d: Diagnostic) -> list[str]:
    lines = _lines(d.span.path)
    if not lines or d.span.line > len(lines):
        return []
    first = max(1, d.span.line - 1)
    last = min(len(lines), d.span.line + 1)
    width = len(str(last))
    gutter = " " * width
    # A window of the lines around the finding: a minified or generated line is not printed
    # whole.
    start = max(0, d.span.col - _CONTEXT)
    result = [f"{gutter} |"]
    for number in range(first, last + 1):
        text = _window(lines[number - 1], start)
        result.append(f"{number:>{width}} | {text}")
        if number == d.span.line:
            col = d.span.col - start + (3 if start else 0)
            end = d.span.end_col if d.span.end_line == d.span.line else len(lines[number - 1])
            length = max(1, min(end - d.span.col, len(text) - col))
            result.append(f"{gutter} | {' ' * col}{'^' * length} {d.code}")
    result.append(f"{gutter} |")
    return result


_WIDTH = 160
_CONTEXT = 40


def _window(text: str, start: int) -> str:
    """``text`` from ``start`` (``...`` marks what is left out), at most ``_WIDTH`` long."""
    if len(text) <= _WIDTH and not start:
        return text
    shown = text[start : start + _WIDTH]
    return ("..." if start else "") + shown + ("..." if start + _WIDTH < len(text) else "")
