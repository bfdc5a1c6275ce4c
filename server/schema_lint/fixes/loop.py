"""The one fix loop: ``check --fix``/``--diff`` and the editor's fix-all both call it.

Fixes are applied in rounds, like ruff: in each round every fix whose edits do not collide
with one already taken is applied; the others wait. If some waited, the project is checked
again on the new texts and their findings get fresh fixes, until nothing is left to do.
Everything the loop reads comes in explicitly: the project, the schemas a check built for
it, and the current text of every file (an editor's buffers or the disk).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Diagnostic, Edit, FindingKey, Fix
from schema_lint.fixes.api import compute_fix, fixable
from schema_lint.fixes.context import FixContext, ReadText, fix_context
from schema_lint.fixes.edits import apply_edits, compatible
from schema_lint.fixes.source import Source, parse_source

if TYPE_CHECKING:
    from schema_lint.engine import ProjectSchemas
    from schema_lint.project import Project

MAX_ROUNDS = 10

Accept = Callable[[Diagnostic, Fix], bool]
"""Whether a computed fix may be applied (its safety, the files it edits)."""


@dataclass(frozen=True, slots=True)
class FixOutcome:
    texts: Mapping[str, str]
    """The new text of every file the fixes changed."""
    applied: Mapping[str, tuple[Diagnostic, ...]]
    """The findings whose fixes were applied, each under its own file if its fix edits it,
    else under the file its fix edits (a mixin's)."""
    rounds: int

    @property
    def count(self) -> int:
        return sum(len(found) for found in self.applied.values())


class _Texts:
    """The current text of each file, and its parse (one per text)."""

    def __init__(self, read: ReadText) -> None:
        self._read = read
        self.texts: dict[str, str | None] = {}
        self.changed: set[str] = set()
        self._parsed: dict[str, Source | None] = {}

    def text(self, path: str) -> str | None:
        if path not in self.texts:
            self.texts[path] = self._read(path)
        return self.texts[path]

    def parsed(self, path: str) -> Source | None:
        if path not in self._parsed:
            text = self.text(path)
            self._parsed[path] = None if text is None else parse_source(path, text)
        return self._parsed[path]

    def update(self, path: str, text: str) -> None:
        self.texts[path] = text
        self.changed.add(path)
        self._parsed.pop(path, None)


def fix_all(
    project: Project,
    schemas: ProjectSchemas,
    diagnostics: Iterable[Diagnostic],
    *,
    read_text: ReadText,
    accept: Accept,
    context: FixContext | None = None,
) -> FixOutcome:
    """Apply the fixes of ``diagnostics`` that ``accept`` takes; nothing is written."""
    from schema_lint.engine import check
    from schema_lint.project import with_file_text

    texts = _Texts(read_text)
    pending = [d for d in diagnostics if fixable(d.code)]
    wanted = {d.key for d in pending}
    paths = {d.span.path for d in pending}
    done: set[FindingKey] = set()
    applied: dict[str, list[Diagnostic]] = defaultdict(list)
    context = context or fix_context(project, schemas)
    rounds = 0
    while pending and rounds < MAX_ROUNDS:
        rounds += 1
        taken, waiting = _one_round(pending, texts, context, done, accept)
        if not taken:
            break
        for diagnostic, fix in taken:
            edited = [e.path for e in fix.edits]
            own = diagnostic.span.path
            applied[own if own in edited else edited[0]].append(diagnostic)
        if not waiting:
            break
        for path in {e.path for _, fix in taken for e in fix.edits}:
            project = with_file_text(project, path, texts.texts[path])
        result = check(project, only_paths=paths)
        context = fix_context(project, result.schemas)
        pending = [d for d in result.diagnostics if d.key in wanted and d.key not in done]
    changed = {path: text for path in texts.changed if (text := texts.texts[path]) is not None}
    return FixOutcome(changed, {p: tuple(ds) for p, ds in applied.items()}, rounds)


def _one_round(
    pending: Sequence[Diagnostic],
    texts: _Texts,
    context: FixContext,
    done: set[FindingKey],
    accept: Accept,
) -> tuple[list[tuple[Diagnostic, Fix]], bool]:
    """Apply every accepted fix of ``pending`` that does not collide; return them and
    whether some had to wait for a later round."""
    taken: list[tuple[Diagnostic, Fix]] = []
    accepted: list[Edit] = []
    waiting = False
    for diagnostic in sorted(pending, key=lambda d: d.sort_key):
        path = diagnostic.span.path
        text = texts.text(path)
        if diagnostic.key in done or text is None:
            continue
        fix = compute_fix(
            diagnostic, text, context, read_text=texts.text, parsed=texts.parsed(path)
        )
        if not isinstance(fix, Fix):
            continue  # another round, on other texts, may find one
        if not accept(diagnostic, fix):
            done.add(diagnostic.key)
            continue
        if not compatible(fix.edits, accepted) or not _parses_with(texts, accepted, fix):
            waiting = True
            continue
        done.add(diagnostic.key)
        taken.append((diagnostic, fix))
        accepted.extend(e for e in fix.edits if e not in accepted)
    by_path: dict[str, list[Edit]] = defaultdict(list)
    for edit in accepted:
        by_path[edit.path].append(edit)
    for path, edits in by_path.items():
        text = texts.text(path)
        assert text is not None
        texts.update(path, apply_edits(text, edits))
    return taken, waiting


def _parses_with(texts: _Texts, accepted: Sequence[Edit], fix: Fix) -> bool:
    """Each file ``fix`` edits still parses with it and the edits accepted before it."""
    for path in {e.path for e in fix.edits}:
        before = [e for e in accepted if e.path == path]
        if not before:
            continue  # the fix alone was checked when it was computed
        src = texts.parsed(path)
        edits = [*before, *(e for e in fix.edits if e.path == path)]
        if src is None or not src.parses_with(edits):
            return False
    return True
