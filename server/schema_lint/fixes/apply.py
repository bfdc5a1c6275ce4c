"""``check --fix`` and ``--diff``: the fix loop over the files on disk, and the diff."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Applicability, Diagnostic, Fix
from schema_lint.fixes.loop import fix_all
from schema_lint.fixes.write import WriteResult, write_changes
from schema_lint.sources.text import DecodeError, decode_source

if TYPE_CHECKING:
    from schema_lint.engine import ProjectSchemas
    from schema_lint.project import Project

__all__ = [
    "FileChange",
    "WriteResult",
    "apply_fixes",
    "fixed_count",
    "unified_diff",
    "write_changes",
]


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


class _Disk:
    """Each file's bytes as first read, and its decoded text."""

    def __init__(self) -> None:
        self.original: dict[str, bytes] = {}

    def text(self, path: str) -> str | None:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            self.original[path] = data
            return decode_source(data).text
        except (OSError, DecodeError):
            return None


def apply_fixes(
    project: Project, schemas: ProjectSchemas, diagnostics: Iterable[Diagnostic], *, unsafe: bool
) -> dict[str, FileChange]:
    """The files that the fixes of ``diagnostics`` change (safe ones, unsafe ones too if
    ``unsafe``), with their new texts; nothing is written."""
    disk = _Disk()

    def accept(diagnostic: Diagnostic, fix: Fix) -> bool:
        return unsafe or fix.applicability is Applicability.SAFE

    outcome = fix_all(project, schemas, diagnostics, read_text=disk.text, accept=accept)
    return {
        path: FileChange(path, disk.original[path], text, outcome.applied.get(path, ()))
        for path, text in outcome.texts.items()
        if path in disk.original and text != decode_source(disk.original[path]).text
    }


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
