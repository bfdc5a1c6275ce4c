"""The fix of a diagnostic, computed on demand from the text it was found in.

Both front ends call :func:`compute_fix`: the command line to apply fixes and print them as
JSON, the language server to offer code actions. The result is data (a :class:`Fix` of small
edits, or a :class:`NoFix` saying why not), never a rewritten file, so that several fixes in
one file compose.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from itertools import pairwise
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Diagnostic
from schema_lint.fixes import index_missing_in_model, junction_unique
from schema_lint.fixes.context import FixContext, ReadText, Sources, context_for
from schema_lint.fixes.edits import apply_edits
from schema_lint.fixes.source import parse_source
from schema_lint.fixes.types import Edit, Fix, NoFix

if TYPE_CHECKING:
    from schema_lint.project import Project

Fixer = Callable[[Diagnostic, Sources, FixContext], "Fix | NoFix"]

FIXERS: Mapping[str, Fixer] = {
    "SL001": junction_unique.fix,
    "SL002": index_missing_in_model.fix,
}


def fixable(code: str) -> bool:
    """Whether findings of rule ``code`` may have a fix."""
    return code in FIXERS


def compute_fix(
    diagnostic: Diagnostic, text: str, project: Project, *, read_text: ReadText | None = None
) -> Fix | NoFix:
    """The fix of ``diagnostic``, found in ``text`` (the current text of its file).

    ``read_text`` gives the text of other files a fix may edit (a mixin's module); it
    defaults to reading them from disk.
    """
    if diagnostic.code not in FIXERS:
        return NoFix(f"{diagnostic.code} has no automatic fix")
    return fix_in_context(diagnostic, text, context_for(project), read_text=read_text)


def fix_in_context(
    diagnostic: Diagnostic, text: str, context: FixContext, *, read_text: ReadText | None = None
) -> Fix | NoFix:
    """:func:`compute_fix` with the project facts given explicitly."""
    fixer = FIXERS.get(diagnostic.code)
    if fixer is None:
        return NoFix(f"{diagnostic.code} has no automatic fix")
    src = parse_source(diagnostic.span.path, text)
    if src is None:
        return NoFix("the file does not parse")
    sources = Sources(src, read_text)
    try:
        result = fixer(diagnostic, sources, context)
    except Exception as exc:  # a fix must never take the linter or the editor down
        return NoFix(f"the fix could not be computed ({type(exc).__name__}: {exc})")
    if isinstance(result, NoFix):
        return result
    return _checked(result, sources)


def _checked(fix: Fix, sources: Sources) -> Fix | NoFix:
    """``fix`` if its edits are disjoint and leave every file parseable."""
    by_path: dict[str, list[Edit]] = defaultdict(list)
    for edit in fix.edits:
        by_path[edit.path].append(edit)
    for path, edits in by_path.items():
        if not _disjoint(edits):
            return NoFix("the fix could not be computed (its edits overlap)")
        src = sources.get(path)
        if src is None or parse_source(path, apply_edits(src.text, edits)) is None:
            return NoFix("the fix could not be computed (the result would not parse)")
    return fix


def _disjoint(edits: list[Edit]) -> bool:
    """Edits of one fix may touch (replace a value, then append after it), never cross."""
    ordered = sorted(edits, key=lambda e: (e.line, e.col, e.end_line, e.end_col))
    return all((a.end_line, a.end_col) <= (b.line, b.col) for a, b in pairwise(ordered))
