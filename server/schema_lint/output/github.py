"""GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from collections.abc import Sequence

from schema_lint.diagnostics import Diagnostic, Severity
from schema_lint.output.paths import display_path


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def render(diagnostics: Sequence[Diagnostic], cwd: str) -> str:
    lines = []
    for d in diagnostics:
        level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(d.severity, "notice")
        s = d.span
        props = (
            f"file={_escape_property(display_path(s.path, cwd))},line={s.line},col={s.col + 1},"
            f"endLine={s.end_line},endColumn={s.end_col + 1},title={d.code}"
        )
        lines.append(f"::{level} {props}::{_escape(f'{d.code} {d.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")
