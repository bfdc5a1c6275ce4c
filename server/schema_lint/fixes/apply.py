"""Applying many fixes at once, as ``check --fix`` does, and showing them as a diff.

Fixes are applied in rounds, like ruff: in each round every fix whose edits do not collide
with one already taken is applied; the others wait. If some waited, the project is checked
again on the new texts and their findings get fresh fixes, until nothing is left to do.
"""

from __future__ import annotations

import difflib
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Diagnostic
from schema_lint.fixes.api import fix_in_context, fixable
from schema_lint.fixes.context import context_for, remember_schemas
from schema_lint.fixes.edits import apply_edits, compatible
from schema_lint.fixes.source import parse_source
from schema_lint.fixes.types import Applicability, Edit, Fix
from schema_lint.fixes.write import WriteResult, write_changes
from schema_lint.sources.text import DecodeError, decode_source

if TYPE_CHECKING:
    from schema_lint.project import Project

__all__ = [
    "FileChange",
    "WriteResult",
    "apply_fixes",
    "fixed_count",
    "unified_diff",
    "write_changes",
]

MAX_ROUNDS = 10


@dataclass(frozen=True, slots=True)
class FileChange:
    path: str
    original: bytes
    """The file's bytes when it was read: it is only written if they are still the same."""
    new_text: str
    """The fixed text, lines ending in ``\\n`` (written back with the file's own endings)."""
    applied: tuple[Diagnostic, ...]
    """The findings whose fixes were applied, each under its own file if its fix edits it,
    else under the file its fix edits (a mixin's)."""


def fixed_count(changes: Mapping[str, FileChange]) -> int:
    return sum(len(c.applied) for c in changes.values())


Key = tuple[str, str | None, tuple[str, ...], str | None]


def _key(d: Diagnostic) -> Key:
    """What identifies a finding across re-checks, when its position has moved."""
    return (d.code, d.table, d.columns, d.index)


class _Files:
    """Each file's original bytes and current text."""

    def __init__(self) -> None:
        self.original: dict[str, bytes] = {}
        self.texts: dict[str, str | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self.texts:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
                self.original[path] = data
                self.texts[path] = decode_source(data).text
            except (OSError, DecodeError):
                self.texts[path] = None
        return self.texts[path]


def apply_fixes(
    project: Project, diagnostics: Iterable[Diagnostic], *, unsafe: bool
) -> dict[str, FileChange]:
    """The files that the fixes of ``diagnostics`` change (safe ones, unsafe ones too if
    ``unsafe``), with their new texts; nothing is written."""
    from schema_lint.engine import check
    from schema_lint.project import with_file_text

    files = _Files()
    pending = [d for d in diagnostics if fixable(d.code)]
    wanted = {_key(d) for d in pending}
    paths = {d.span.path for d in pending}
    done: set[Key] = set()
    applied: dict[str, list[Diagnostic]] = defaultdict(list)
    for _ in range(MAX_ROUNDS):
        taken, waiting = _one_round(project, pending, files, done, unsafe=unsafe)
        if not taken:
            break
        for diagnostic, fix in taken:
            done.add(_key(diagnostic))
            edited = [e.path for e in fix.edits]
            own = diagnostic.span.path
            applied[own if own in edited else edited[0]].append(diagnostic)
        if not waiting:
            break
        for path in {e.path for _, fix in taken for e in fix.edits}:
            project = with_file_text(project, path, files.texts[path])
        result = check(project, only_paths=paths)
        remember_schemas(project, result.schemas)
        pending = [d for d in result.diagnostics if _key(d) in wanted and _key(d) not in done]
    changes: dict[str, FileChange] = {}
    for path, original in files.original.items():
        text = files.texts[path]
        if text is not None and text != decode_source(original).text:
            changes[path] = FileChange(path, original, text, tuple(applied.get(path, ())))
    return changes


def _one_round(
    project: Project,
    pending: Sequence[Diagnostic],
    files: _Files,
    done: set[Key],
    *,
    unsafe: bool,
) -> tuple[list[tuple[Diagnostic, Fix]], bool]:
    """Apply every fix of ``pending`` that does not collide; return them and whether some
    had to wait."""
    context = context_for(project)
    taken: list[tuple[Diagnostic, Fix]] = []
    accepted: list[Edit] = []
    waiting = False
    for diagnostic in sorted(pending, key=lambda d: d.sort_key):
        text = files.text(diagnostic.span.path)
        if _key(diagnostic) in done or text is None:
            continue
        fix = fix_in_context(diagnostic, text, context, read_text=files.text)
        if not isinstance(fix, Fix) or (fix.applicability is Applicability.UNSAFE and not unsafe):
            continue
        if not compatible(fix.edits, accepted) or not _parses_with(files, accepted, fix):
            waiting = True
            continue
        taken.append((diagnostic, fix))
        accepted.extend(e for e in fix.edits if e not in accepted)
    by_path: dict[str, list[Edit]] = defaultdict(list)
    for edit in accepted:
        by_path[edit.path].append(edit)
    for path, edits in by_path.items():
        text = files.text(path)
        assert text is not None
        files.texts[path] = apply_edits(text, edits)
    return taken, waiting


def _parses_with(files: _Files, accepted: Sequence[Edit], fix: Fix) -> bool:
    """Each file ``fix`` edits still parses with it and the edits accepted before it."""
    for path in {e.path for e in fix.edits}:
        text = files.text(path)
        edits = [e for e in (*accepted, *fix.edits) if e.path == path]
        if text is None or parse_source(path, apply_edits(text, edits)) is None:
            return False
    return True


def unified_diff(changes: Mapping[str, FileChange], cwd: str | None = None) -> str:
    """``--diff`` output: a unified diff per changed file, paths relative to ``cwd``."""
    out: list[str] = []
    for path in sorted(changes):
        change = changes[path]
        name = os.path.relpath(path, cwd) if cwd else path
        old = _diff_lines(decode_source(change.original).text)
        new = _diff_lines(change.new_text)
        out.extend(difflib.unified_diff(old, new, fromfile=name, tofile=name))
    return "".join(out)


def _diff_lines(text: str) -> list[str]:
    lines = [line + "\n" for line in text.split("\n")]
    if text.endswith("\n"):
        lines.pop()
    return lines
