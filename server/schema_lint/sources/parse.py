"""Parsing a module into a stdlib ``ast`` tree, whatever Python version wrote it.

Facts are extracted from stdlib ``ast`` because it is an order of magnitude faster than
libcst. ``ast`` only knows the running interpreter's grammar, so when it fails on a file
that libcst (which knows every grammar up to 3.15) accepts, the statements this interpreter
cannot read are blanked out, keeping every line where it is, and the rest is parsed again.
Those statements are almost never table declarations (``type`` aliases, functions using
newer ``except`` forms), and they are reported as skipped rather than silently dropped.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ParseFailure:
    message: str
    line: int
    col: int


@dataclass(frozen=True, slots=True)
class Parsed:
    tree: ast.Module
    skipped_lines: tuple[tuple[int, int], ...] = ()
    """Line ranges (1-based, inclusive) blanked because this Python cannot parse them."""


def parse_python(text: str, filename: str = "<unknown>") -> Parsed | ParseFailure:
    """Parse ``text``; a real syntax error is returned, never raised."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Parsed(ast.parse(text, filename=filename))
    except SyntaxError as exc:
        error = ParseFailure(exc.msg or "invalid syntax", exc.lineno or 1, (exc.offset or 1) - 1)
    except (ValueError, RecursionError, MemoryError) as exc:
        return ParseFailure(f"cannot parse: {exc}", 1, 0)
    return _parse_newer_grammar(text, filename, error)


def _parse_newer_grammar(text: str, filename: str, error: ParseFailure) -> Parsed | ParseFailure:
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        module = libcst.parse_module(text)
    except Exception:  # libcst raises ParserSyntaxError and, on odd input, others
        return error
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    try:
        positions = wrapper.resolve(PositionProvider)
    except RecursionError:
        return error
    lines = text.split("\n")
    skipped: list[tuple[int, int]] = []

    def blank(node: libcst.CSTNode) -> None:
        pos = positions[node]
        start, end = pos.start.line, pos.end.line
        decorators = getattr(node, "decorators", ())
        if decorators:
            start = min(start, *(positions[d].start.line for d in decorators))
        indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
        lines[start - 1] = " " * indent + "pass"
        for i in range(start, end):
            lines[i] = ""
        skipped.append((start, end))

    def visit(statements: Sequence[libcst.CSTNode]) -> None:
        for stmt in statements:
            if _parses(wrapper.module.code_for_node(stmt)):
                continue
            body = getattr(stmt, "body", None)
            inner = getattr(body, "body", None)
            if isinstance(stmt, libcst.ClassDef) and isinstance(inner, Sequence):
                visit(inner)
            else:
                blank(stmt)

    visit(wrapper.module.body)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse("\n".join(lines), filename=filename)
    except SyntaxError:
        return error
    return Parsed(tree, tuple(skipped))


def _parses(code: str) -> bool:
    import textwrap

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(textwrap.dedent(code))
    except SyntaxError:
        return False
    except (ValueError, RecursionError):
        return False
    return True
