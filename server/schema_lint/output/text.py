"""Ruff-style text: ``path:line:col: CODE message``, the source with a marker, a summary."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from schema_lint.diagnostics import Diagnostic, Fix
from schema_lint.output.paths import display_path
from schema_lint.sources.text import DecodeError, decode_source


@lru_cache(maxsize=64)
def _lines(path: str) -> tuple[str, ...]:
    try:
        with open(path, "rb") as handle:
            return tuple(decode_source(handle.read()).text.split("\n"))
    except (OSError, DecodeError):
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
    result = [f"{gutter} |"]
    for number in range(first, last + 1):
        text = lines[number - 1]
        result.append(f"{number:>{width}} | {text}")
        if number == d.span.line:
            end = d.span.end_col if d.span.end_line == d.span.line else len(text)
            length = max(1, end - d.span.col)
            result.append(f"{gutter} | {' ' * d.span.col}{'^' * length} {d.code}")
    result.append(f"{gutter} |")
    return result
