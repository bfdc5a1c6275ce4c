"""Parsing a module into a stdlib ``ast`` tree, whatever Python version wrote it.

Facts are extracted from stdlib ``ast`` because it is an order of magnitude faster than
libcst. ``ast`` only knows the running interpreter's grammar; when it fails, the file is
first measured (:mod:`schema_lint.sources.scanner`: nesting too deep for any parser is a
problem of its own, and libcst never sees it), then the statements this interpreter cannot
read are rewritten into older syntax in place (:mod:`schema_lint.sources.newer_syntax`),
and the result is parsed again. A statement that no rewrite makes readable is blanked and
reported as skipped; one that libcst cannot read either is the file's syntax error.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass

from schema_lint.sources.scanner import MAX_NESTING, scan_text, too_deep_message

SYNTAX_ERROR = "syntax-error"
TOO_DEEP = "too-deeply-nested"
_SCAN_LIMIT = 50 * MAX_NESTING
"""Past this depth the file is not even split into statements."""


@dataclass(frozen=True, slots=True)
class ParseFailure:
    message: str
    line: int
    col: int
    kind: str = SYNTAX_ERROR
    """A problem kind: ``syntax-error`` or ``too-deeply-nested``."""


@dataclass(frozen=True, slots=True)
class Parsed:
    tree: ast.Module
    skipped_lines: tuple[tuple[int, int], ...] = ()
    """Line ranges (1-based, inclusive) blanked because this Python cannot parse them."""


def parse_python(text: str, filename: str = "<unknown>") -> Parsed | ParseFailure:
    """Parse ``text``; a real syntax error is returned, never raised."""
    nul = text.find("\x00")
    if nul >= 0:
        line_start = text.rfind("\n", 0, nul) + 1
        line = text.count("\n", 0, nul) + 1
        return ParseFailure(
            "the file contains a NUL byte; Python cannot read it", line, nul - line_start
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Parsed(ast.parse(text, filename=filename))
    except SyntaxError as exc:
        error = ParseFailure(
            exc.msg or "invalid syntax", exc.lineno or 1, max((exc.offset or 1) - 1, 0)
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        error = ParseFailure(f"cannot parse: {exc or type(exc).__name__}", 1, 0)
    return _parse_newer_grammar(text, filename, error)


def too_deep(depth_line: int) -> ParseFailure:
    return ParseFailure(too_deep_message(depth_line), depth_line, 0, TOO_DEEP)


def _parse_newer_grammar(text: str, filename: str, error: ParseFailure) -> Parsed | ParseFailure:
    from schema_lint.sources.newer_syntax import (
        SyntaxProblem,
        put_back_fstrings,
        rewrite_newer_syntax,
    )

    try:
        scan = scan_text(text, limit=_SCAN_LIMIT)
    except RecursionError:  # f-strings nested in f-strings, hundreds deep
        return too_deep(error.line)
    if scan.depth > _SCAN_LIMIT:
        return too_deep(scan.depth_line)
    if error.message.startswith("cannot parse"):  # the parser's own limits, not a grammar
        return too_deep(scan.depth_line) if scan.depth > MAX_NESTING else error
    try:
        state = rewrite_newer_syntax(text, scan.lines, deep=scan.depth > MAX_NESTING)
    except SyntaxProblem as exc:
        return ParseFailure(exc.message, exc.line, exc.col, exc.kind)
    except RecursionError:
        return too_deep(scan.depth_line)
    if not state.changed:
        return error
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse("\n".join(state.lines), filename=filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return error
    if not put_back_fstrings(tree, state.fstrings):
        return error
    return Parsed(tree, tuple(state.skipped))
