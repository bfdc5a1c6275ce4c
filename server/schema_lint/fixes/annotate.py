"""Diagnostics with their fixes attached, for the output formats.

``Diagnostic.fix`` carries the computed :class:`Fix` (what the JSON output prints and what
marks a finding ``[*]`` in the text output); a finding that cannot be fixed says why in its
message.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Applicability, Diagnostic, Fix, NoFix
from schema_lint.rules.registry import rule_for

if TYPE_CHECKING:
    from schema_lint.engine import ProjectSchemas
    from schema_lint.fixes.source import Source
    from schema_lint.project import Project


@dataclass(frozen=True, slots=True)
class Annotated:
    diagnostics: tuple[Diagnostic, ...]
    applicable: int
    """Findings whose fix ``--fix`` applies (with ``--unsafe-fixes`` if it was given)."""
    hidden: int
    """Findings with an unsafe fix that ``--unsafe-fixes`` would enable."""


def annotate(
    project: Project,
    schemas: ProjectSchemas,
    diagnostics: Iterable[Diagnostic],
    *,
    unsafe: bool,
    every: bool,
) -> Annotated:
    """Attach fixes: all of them if ``every`` (JSON), else only those ``--fix`` would apply.

    Each file is read once and its statements parsed at most once, whatever the number of
    its findings; without a finding that may have a fix, libcst is not even imported.
    """
    diagnostics = tuple(diagnostics)
    if not any(_may_fix(d.code) for d in diagnostics):
        return Annotated(diagnostics, 0, 0)
    from schema_lint.fixes.api import compute_fix, fixable
    from schema_lint.fixes.context import fix_context, read_from_disk
    from schema_lint.fixes.source import parse_source

    texts: dict[str, str | None] = {}
    parsed: dict[str, Source | None] = {}
    context = fix_context(project, schemas)
    out: list[Diagnostic] = []
    applicable = hidden = 0
    for diagnostic in diagnostics:
        if not fixable(diagnostic.code):
            out.append(diagnostic)
            continue
        path = diagnostic.span.path
        if path not in texts:
            texts[path] = text = read_from_disk(path)
            parsed[path] = parse_source(path, text) if text is not None else None
        text = texts[path]
        fix: Fix | NoFix = (
            compute_fix(diagnostic, text, context, parsed=parsed[path])
            if text is not None
            else NoFix("the file cannot be read")
        )
        if isinstance(fix, NoFix):
            message = f"{diagnostic.message} (no automatic fix: {fix.reason})"
            out.append(dataclasses.replace(diagnostic, message=message, fix=fix))
            continue
        enabled = fix.applicability is Applicability.SAFE or unsafe
        applicable += enabled
        hidden += not enabled
        out.append(dataclasses.replace(diagnostic, fix=fix) if enabled or every else diagnostic)
    return Annotated(tuple(out), applicable, hidden)


def _may_fix(code: str) -> bool:
    """Whether rule ``code`` has a fixer module (found without importing it)."""
    rule = rule_for(code)
    if rule is None:
        return False
    name = rule.check.__module__.rsplit(".", 1)[-1]
    return importlib.util.find_spec(f"schema_lint.fixes.rules.{name}") is not None


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
