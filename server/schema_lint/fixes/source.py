"""One file's text parsed by libcst, with the code-point position of every node."""

from __future__ import annotations

import functools
from collections import Counter

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from schema_lint.fixes.edits import Pos
from schema_lint.sources.scanner import LIBCST_MAX_NESTING, nesting_depth


class Source:
    """A parsed file; positions are (line 1-based, column 0-based in code points)."""

    __slots__ = ("_positions", "_quote", "lines", "module", "path", "text")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.lines = text.split("\n")
        wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
        self.module = wrapper.module
        self._positions = wrapper.resolve(PositionProvider)
        self._quote: str | None = None

    def range(self, node: cst.CSTNode) -> CodeRange:
        return self._positions[node]

    def start(self, node: cst.CSTNode) -> Pos:
        pos = self._positions[node].start
        return (pos.line, pos.column)

    def end(self, node: cst.CSTNode) -> Pos:
        pos = self._positions[node].end
        return (pos.line, pos.column)

    def line(self, number: int) -> str:
        return self.lines[number - 1] if 0 < number <= len(self.lines) else ""

    def indent(self, number: int) -> str:
        text = self.line(number)
        return text[: len(text) - len(text.lstrip())]

    def starts_line(self, pos: Pos) -> bool:
        """Only whitespace precedes ``pos`` on its line."""
        return not self.line(pos[0])[: pos[1]].strip()

    def ends_line(self, pos: Pos) -> bool:
        """Only whitespace or a comment follows ``pos`` on its line."""
        rest = self.line(pos[0])[pos[1] :].strip()
        return not rest or rest.startswith("#")

    def slice(self, start: Pos, end: Pos) -> str:
        if start[0] == end[0]:
            return self.line(start[0])[start[1] : end[1]]
        parts = [self.line(start[0])[start[1] :]]
        parts.extend(self.line(n) for n in range(start[0] + 1, end[0]))
        parts.append(self.line(end[0])[: end[1]])
        return "\n".join(parts)

    def code(self, node: cst.CSTNode) -> str:
        return self.slice(self.start(node), self.end(node))

    @property
    def quote(self) -> str:
        """The file's usual string quote: ``"`` unless single quotes are the majority."""
        if self._quote is None:
            counter: Counter[str] = Counter()

            class Quotes(cst.CSTVisitor):
                def visit_SimpleString(self, node: cst.SimpleString) -> None:
                    quote = node.quote
                    body = node.value[len(node.prefix) + len(quote) : -len(quote)]
                    if len(quote) == 1 and "'" not in body and '"' not in body:
                        counter[quote] += 1

            self.module.visit(Quotes())
            self._quote = "'" if counter["'"] > counter['"'] else '"'
        return self._quote

    @property
    def indent_unit(self) -> str:
        """One level of the file's indentation (libcst infers it from the file)."""
        return self.module.default_indent

    def string(self, value: str) -> str:
        """``value`` as a string literal in the file's quote style."""
        quote = self.quote
        body = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
        return f"{quote}{body}{quote}"


@functools.lru_cache(maxsize=16)
def parse_source(path: str, text: str) -> Source | None:
    """The parsed file, or None; the last few are kept, so that fixing every finding of a
    file parses it once (a :class:`Source` is never mutated: fixes only compute edits).

    Deep nesting is refused before libcst sees it: its native parser would overflow the
    stack and take the process down (the same guard as the fallback parser's).
    """
    if nesting_depth(text, LIBCST_MAX_NESTING)[0] > LIBCST_MAX_NESTING:
        return None
    try:
        return Source(path, text)
    except Exception:  # ParserSyntaxError, RecursionError, or libcst failing on odd input
        return None


def dotted(node: cst.BaseExpression) -> tuple[str, ...] | None:
    """``a.b.c`` as ``("a", "b", "c")``; None for anything but names and attributes."""
    if isinstance(node, cst.Name):
        return (node.value,)
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return None if head is None else (*head, node.attr.value)
    return None


def last_name(node: cst.BaseExpression) -> str | None:
    parts = dotted(node)
    return parts[-1] if parts else None


def literal_string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]
