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
from schema_lint.fixes.api import compute_fix_parts, fixable
from schema_lint.fixes.compose import Addition
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


@dataclass(frozen=True, slots=True)
class _Computed:
    diagnostic: Diagnostic
    fix: Fix
    additions: tuple[Addition, ...]

    @property
    def addition(self) -> Addition | None:
        """What the fix adds to a declaration, when that and its own edits are all it does."""
        if len(self.additions) != 1:
            return None
        addition = self.additions[0]
        return addition if all(e in self.fix.edits for e in addition.edits) else None


def _one_round(
    pending: Sequence[Diagnostic],
    texts: _Texts,
    context: FixContext,
    done: set[FindingKey],
    accept: Accept,
) -> tuple[list[tuple[Diagnostic, Fix]], bool]:
    """Apply every accepted fix of ``pending`` that does not collide; return them and
    whether some had to wait for a later round. Fixes adding to the same declaration are
    composed into one edit instead of colliding (:mod:`schema_lint.fixes.compose`)."""
    computed: list[_Computed] = []
    for diagnostic in sorted(pending, key=lambda d: d.sort_key):
        path = diagnostic.span.path
        text = texts.text(path)
        if diagnostic.key in done or text is None:
            continue
        fix, additions = compute_fix_parts(
            diagnostic, text, context, read_text=texts.text, parsed=texts.parsed(path), check=False
        )
        if not isinstance(fix, Fix):
            continue  # another round, on other texts, may find one
        if not accept(diagnostic, fix):
            done.add(diagnostic.key)
            continue
        computed.append(_Computed(diagnostic, fix, additions))
    taken: list[tuple[Diagnostic, Fix]] = []
    accepted: list[Edit] = []
    waiting = False
    for members, edits in _compose(computed):
        if not compatible(edits, accepted):
            waiting = True
            continue
        if not _parses_with(texts, accepted, edits):
            if accepted and _parses_with(texts, (), edits):
                waiting = True  # it parses on its own: after the others, it may again
            continue  # a fix whose result would not parse is no fix
        for member in members:
            done.add(member.diagnostic.key)
            taken.append((member.diagnostic, member.fix))
        accepted.extend(e for e in edits if e not in accepted)
    by_path: dict[str, list[Edit]] = defaultdict(list)
    for edit in accepted:
        by_path[edit.path].append(edit)
    for path, changes in by_path.items():
        text = texts.text(path)
        assert text is not None
        texts.update(path, apply_edits(text, changes))
    return taken, waiting


def _compose(
    computed: Sequence[_Computed],
) -> list[tuple[list[_Computed], tuple[Edit, ...]]]:
    """The fixes to apply, in order: alone, or several adding to the same declaration as
    one group with one edit adding all their items (in the order of their findings)."""
    by_key: dict[tuple[str, int, int], list[_Computed]] = defaultdict(list)
    for entry in computed:
        addition = entry.addition
        if addition is not None:
            by_key[addition.key].append(entry)
    out: list[tuple[list[_Computed], tuple[Edit, ...]]] = []
    grouped: set[int] = set()
    for entry in computed:
        if id(entry) in grouped:
            continue
        addition = entry.addition
        group = by_key.get(addition.key, []) if addition is not None else []
        group = [m for m in group if id(m) not in grouped]
        if len(group) < 2:
            out.append(([entry], entry.fix.edits))
            continue
        members: list[_Computed] = []
        own: list[Edit] = []
        for member in group:
            assert member.addition is not None
            rest = [e for e in member.fix.edits if e not in member.addition.edits]
            if compatible(rest, own):
                members.append(member)
                own.extend(e for e in rest if e not in own)
        items = [m.addition.item for m in members if m.addition is not None]
        combined = group[0].additions[0].redo(items)
        if isinstance(combined, str) or not compatible(combined, own):
            out.append(([entry], entry.fix.edits))  # the others go on their own
            grouped.add(id(entry))
            continue
        grouped.update(id(m) for m in members)
        out.append((members, (*own, *combined)))
    return out


def _parses_with(texts: _Texts, accepted: Sequence[Edit], edits: Sequence[Edit]) -> bool:
    """Each file ``edits`` edit still parses with them and the edits accepted before them
    (only the statements they touch are parsed again)."""
    for path in {e.path for e in edits}:
        src = texts.parsed(path)
        if src is None or not src.parses_with(edits, accepted):
            return False
    return True
