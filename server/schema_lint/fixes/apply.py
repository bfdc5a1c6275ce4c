"""``check --fix`` and ``--diff``: the fix loop over the files on disk, and the diff."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, Fix
from schema_lint.fixes.edits import edit_rounds
from schema_lint.fixes.loop import fix_all
from schema_lint.fixes.write import NotWritten, WriteResult, encoded, file_text, write_changes
from schema_lint.sources.text import DecodeError, decode_source

if TYPE_CHECKING:
    from schema_lint.engine import ProjectSchemas
    from schema_lint.project import Project

__all__ = [
    "FileChange",
    "WriteResult",
    "apply_fixes",
    "diff_changes",
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
    rounds: tuple[tuple[Edit, ...], ...] | None = None
    """The edits that made ``new_text`` from the text read, round by round, so that they can
    be applied to the file's own bytes; None if unknown (then a line diff stands in)."""


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
    changes: dict[str, FileChange] = {}
    for path, text in outcome.texts.items():
        if path not in disk.original:
            continue
        read = decode_source(disk.original[path]).text
        if text != read:
            applied = outcome.applied.get(path, ())
            rounds = edit_rounds(text, read)
            changes[path] = FileChange(path, disk.original[path], text, applied, rounds)
    return changes


def unified_diff(changes: Mapping[str, FileChange], cwd: str | None = None) -> str:
    r"""``--diff`` output: a unified diff per changed file, paths relative to ``cwd``.

    The diff is of the bytes that ``--fix`` would write, decoded: each line carries its own
    line ending as the file has it (``\r\n``, ``\r`` or ``\n``), like ``diff -u`` and
    ``git diff`` print them, so a changed ending shows as a changed line; a last line without
    an ending is followed by ``\ No newline at end of file``. Files that would not be
    written are left out (:func:`diff_changes` says why).
    """
    return diff_changes(changes, cwd)[0]


def diff_changes(
    changes: Mapping[str, FileChange], cwd: str | None = None
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """:func:`unified_diff`'s text, and (path, why) for each file left out of it."""
    out: list[str] = []
    left_out: list[tuple[str, str]] = []
    for path in sorted(changes):
        change = changes[path]
        try:
            new = encoded(change)
        except NotWritten as exc:
            left_out.append((path, str(exc)))
            continue
        name = os.path.relpath(path, cwd) if cwd else path
        old_lines, new_lines = _diff_lines(change.original), _diff_lines(new)
        for line in difflib.unified_diff(old_lines, new_lines, fromfile=name, tofile=name):
            out.append(line)
            if not line.endswith(("\n", "\r")):
                out.append("\n\\ No newline at end of file\n")
    return "".join(out), tuple(left_out)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def _diff_lines(data: bytes) -> list[str]:
    """The lines of a file's bytes, decoded, each with its own ending."""
    return _LINE.findall(file_text(data))
