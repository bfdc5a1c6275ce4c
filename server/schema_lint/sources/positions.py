"""Spans for stdlib ``ast`` nodes, whose columns are UTF-8 byte offsets."""

from __future__ import annotations

import ast

from schema_lint.facts.source import Span


class LineIndex:
    """Converts ``ast`` positions of one file to :class:`Span` (code-point columns)."""

    __slots__ = ("_lines", "path")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._lines = text.split("\n")

    def line_text(self, line: int) -> str:
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def _col(self, line: int, byte_col: int) -> int:
        text = self.line_text(line)
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> Span:
        line = getattr(node, "lineno", 1)
        end_line = getattr(node, "end_lineno", None) or line
        col = self._col(line, getattr(node, "col_offset", 0))
        end_col = self._col(end_line, getattr(node, "end_col_offset", None) or 0)
        return Span(self.path, line, col, end_line, end_col)

    def line_span(self, line: int) -> Span:
        """The whole of one line, for findings that point at a line rather than a node."""
        text = self.line_text(line)
        indent = len(text) - len(text.lstrip())
        return Span(self.path, line, indent, line, len(text))
