"""Diagnostics with their fixes attached, for the output formats.

``Diagnostic.data["fix"]`` carries ``Fix.to_dict()`` (what the JSON output prints and what
marks a finding ``[*]`` in the text output); a finding that cannot be fixed says why in its
message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Diagnostic
from schema_lint.fixes.api import compute_fix, fixable
from schema_lint.fixes.context import read_from_disk
from schema_lint.fixes.types import Applicability, Fix

if TYPE_CHECKING:
    from schema_lint.project import Project


@dataclass(frozen=True, slots=True)
class Annotated:
    diagnostics: tuple[Diagnostic, ...]
    applicable: int
    """Findings whose fix ``--fix`` applies (with ``--unsafe-fixes`` if it was given)."""
    hidden: int
    """Findings with an unsafe fix that ``--unsafe-fixes`` would enable."""


def annotate(
    project: Project, diagnostics: Iterable[Diagnostic], *, unsafe: bool, every: bool
) -> Annotated:
    """Attach fixes: all of them if ``every`` (JSON), else only those ``--fix`` would apply."""
    texts: dict[str, str | None] = {}
    out: list[Diagnostic] = []
    applicable = hidden = 0
    for diagnostic in diagnostics:
        if not fixable(diagnostic.code):
            out.append(diagnostic)
            continue
        path = diagnostic.span.path
        if path not in texts:
            texts[path] = read_from_disk(path)
        text = texts[path]
        fix = compute_fix(diagnostic, text, project) if text is not None else None
        if not isinstance(fix, Fix):
            reason = fix.reason if fix is not None else "the file cannot be read"
            message = f"{diagnostic.message} (no automatic fix: {reason})"
            out.append(dataclasses.replace(diagnostic, message=message))
            continue
        enabled = fix.applicability is Applicability.SAFE or unsafe
        applicable += enabled
        hidden += not enabled
        if enabled or every:
            data = {**diagnostic.data, "fix": fix.to_dict()}
            out.append(dataclasses.replace(diagnostic, data=data))
        else:
            out.append(diagnostic)
    return Annotated(tuple(out), applicable, hidden)


def hint(annotated: Annotated, *, unsafe: bool) -> str | None:
    """Ruff's closing line about available fixes, or None."""
    option = "`--fix --unsafe-fixes`" if unsafe else "`--fix`"
    hidden = ""
    if annotated.hidden:
        fixes = "fix" if annotated.hidden == 1 else "fixes"
        hidden = f"{annotated.hidden} hidden {fixes} can be enabled with the `--unsafe-fixes` "
        hidden += "option"
    if annotated.applicable:
        line = f"[*] {annotated.applicable} fixable with the {option} option"
        return f"{line} ({hidden})." if hidden else f"{line}."
    return f"No fixes available ({hidden})." if hidden else None
