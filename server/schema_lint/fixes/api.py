"""The fix of a diagnostic, computed on demand from the text it was found in.

Both front ends call :func:`compute_fix` through :mod:`schema_lint.fixes.loop` (``--fix``,
fix-all) or directly (JSON output, one code action). The result is data (a :class:`Fix`
of small edits, or a :class:`NoFix` saying why not), never a rewritten file, so that
several fixes in one file compose.

A rule's fixer is the ``fix`` function of the module of ``fixes/rules/`` named like the
rule's own module: adding a fix needs no registration.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from itertools import pairwise

from schema_lint.diagnostics import Diagnostic, Edit, Fix, NoFix
from schema_lint.fixes.compose import Addition, recording
from schema_lint.fixes.context import FixContext, ReadText, Sources
from schema_lint.fixes.source import NotParsed, Source, parse_source
from schema_lint.rules.registry import rule_for

Fixer = Callable[[Diagnostic, Sources, FixContext], "Fix | NoFix"]


@cache
def fixer_for(code: str) -> Fixer | None:
    """The fixer of rule ``code``: ``fixes/rules/<rule module>.fix``, or None."""
    rule = rule_for(code)
    if rule is None:
        return None
    name = rule.check.__module__.rsplit(".", 1)[-1]
    try:
        module = importlib.import_module(f"schema_lint.fixes.rules.{name}")
    except ModuleNotFoundError:
        return None
    fixer: Fixer | None = getattr(module, "fix", None)
    return fixer


def fixable(code: str) -> bool:
    """Whether findings of rule ``code`` may have a fix."""
    return fixer_for(code) is not None


def compute_fix(
    diagnostic: Diagnostic,
    text: str,
    context: FixContext,
    *,
    read_text: ReadText | None = None,
    parsed: Source | None = None,
) -> Fix | NoFix:
    """The fix of ``diagnostic``, found in ``text`` (the current text of its file).

    ``read_text`` gives the text of other files a fix may edit (a mixin's module); it
    defaults to reading them from disk. ``parsed`` is ``text`` already parsed, when the
    caller has it (one parse serves every fix of a file).
    """
    return compute_fix_parts(diagnostic, text, context, read_text=read_text, parsed=parsed)[0]


def compute_fix_parts(
    diagnostic: Diagnostic,
    text: str,
    context: FixContext,
    *,
    read_text: ReadText | None = None,
    parsed: Source | None = None,
    check: bool = True,
) -> tuple[Fix | NoFix, tuple[Addition, ...]]:
    """:func:`compute_fix`, and what the fix adds to a declaration (for the fix loop to
    compose the fixes adding to the same one). ``check=False`` leaves out checking that the
    result parses, for a caller that checks what it applies (the fix loop)."""
    fixer = fixer_for(diagnostic.code)
    if fixer is None:
        return NoFix(f"{diagnostic.code} has no automatic fix"), ()
    src = parsed if parsed is not None else parse_source(diagnostic.span.path, text)
    result, additions = _run(fixer, diagnostic, src, context, read_text)
    if isinstance(result, NotParsed) and not src.whole:
        # the statement-by-statement reading was unsure: read the whole file once
        src = parse_source(diagnostic.span.path, text, True)
        result, additions = _run(fixer, diagnostic, src, context, read_text)
    if isinstance(result, NotParsed):
        return NoFix("the file does not parse"), ()
    if isinstance(result, NoFix):
        return result, ()
    checked = _checked(result, Sources(src, read_text), parse=check)
    return checked, additions if isinstance(checked, Fix) else ()


def _run(
    fixer: Fixer,
    diagnostic: Diagnostic,
    src: Source,
    context: FixContext,
    read_text: ReadText | None,
) -> tuple[Fix | NoFix | NotParsed, tuple[Addition, ...]]:
    with recording() as additions:
        try:
            result: Fix | NoFix | NotParsed = fixer(diagnostic, Sources(src, read_text), context)
        except NotParsed as exc:
            result = exc
        except Exception as exc:  # a fix must never take the linter or the editor down
            result = NoFix(f"the fix could not be computed ({type(exc).__name__}: {exc})")
    return result, tuple(additions)


def _checked(fix: Fix, sources: Sources, *, parse: bool = True) -> Fix | NoFix:
    """``fix`` if its edits are disjoint and (``parse``) leave every file parseable."""
    by_path: dict[str, list[Edit]] = defaultdict(list)
    for edit in fix.edits:
        by_path[edit.path].append(edit)
    for path, edits in by_path.items():
        if not _disjoint(edits):
            return NoFix("the fix could not be computed (its edits overlap)")
        src = sources.get(path)
        if src is None or (parse and not src.parses_with(edits)):
            return NoFix("the fix could not be computed (the result would not parse)")
    return fix


def _disjoint(edits: list[Edit]) -> bool:
    """Edits of one fix may touch (replace a value, then append after it), never cross."""
    ordered = sorted(edits, key=lambda e: (e.line, e.col, e.end_line, e.end_col))
    return all((a.end_line, a.end_col) <= (b.line, b.col) for a, b in pairwise(ordered))
