"""A light tokenizer: how deeply a file nests, and where its logical lines are.

Used only where a cheap look at the text must come before a parser that could crash or
read the wrong grammar: the nesting guard in front of libcst (whose native parser
overflows the C stack on deep nesting) and the statement boundaries that let
:mod:`schema_lint.sources.newer_syntax` rewrite one statement at a time. It knows strings
(every prefix, triple quotes, PEP 701 f-strings with nested quotes and multi-line fields),
comments, brackets and line continuations; it never raises.

*Depth* estimates how deep a syntax tree gets: open brackets and f-string fields, chains of
operators, attribute accesses and calls (each link nests one node in the next), block
indentation and ``elif`` chains.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field

MAX_NESTING = 200
"""The deepest nesting read: CPython itself refuses more than 200 nested brackets."""
LIBCST_MAX_NESTING = 400
"""The deepest nesting given to libcst for a fix: it gives up on deeper chains by itself
(``RecursionError``), and its native parser overflows the stack only far beyond."""


def too_deep_message(line: int, limit: int = MAX_NESTING) -> str:
    return (
        f"too deeply nested: more than {limit} levels of brackets, operators or blocks "
        f"(line {line}); not read"
    )


_TOKEN = re.compile(
    r"""
    (?P<nl>\n)
    | (?P<ws>[ \t\f\r]+)
    | (?P<comment>\#[^\n]*)
    | (?P<str>(?:[rRbBuUfFtT]{1,2})?(?:'''|\"\"\"|'|\"))
    | (?P<name>[^\W\d]\w*)
    | (?P<num>\.?\d[\w.]*)
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    | (?P<cont>\\\r?\n)
    | (?P<sep>[,;])
    | (?P<assign>(?:\*\*|//|<<|>>|[-+*/%@&|^])=)
    | (?P<op>\*\*|//|<<|>>|[-+*/%@&|^~.])
    | (?P<other>.)
    """,
    re.VERBOSE,
)
_OPERATOR_KEYWORDS = frozenset({"not", "and", "or", "if", "else", "lambda", "await"})
_OPERAND_KEYWORDS = frozenset({"True", "False", "None"})
_KEYWORDS = frozenset(keyword.kwlist)
_CLAUSES = frozenset({"elif", "else", "except", "finally"})
# String bodies: one pattern per quote; each matches up to and including the closing quote,
# or to the end of the line (single quotes) or text (triple quotes) when unterminated.
STRING_BODY = {
    "'": re.compile(r"(?:[^'\\\n]|\\.)*(?:'|(?=\n)|\Z)", re.S),
    '"': re.compile(r'(?:[^"\\\n]|\\.)*(?:"|(?=\n)|\Z)', re.S),
    "'''": re.compile(r"(?:[^'\\]|\\.|'(?!''))*(?:'''|\Z)", re.S),
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*(?:"""|\Z)', re.S),
}
_SPEC_STOP = re.compile(r"[{}\n]")
# Inside an f-string's literal part: the next character that matters.
_FSTRING_STOP = {
    "'": re.compile(r"[{}'\\\n]"),
    '"': re.compile(r'[{}"\\\n]'),
    "'''": re.compile(r"[{}'\\]"),
    '"""': re.compile(r'[{}"\\]'),
}


@dataclass(frozen=True, slots=True)
class LogicalLine:
    """One logical line: its physical lines, indentation and shape."""

    start: int
    end: int
    indent: int
    first: str
    """Its first token (a keyword, a name, ``@``, ...)."""
    opens_block: bool
    """It ends with ``:`` outside brackets: a block follows."""


@dataclass(slots=True)
class Scan:
    depth: int = 0
    depth_line: int = 1
    """The line where the deepest nesting was reached."""
    lines: list[LogicalLine] = field(default_factory=list)


def nesting_depth(text: str, limit: int = MAX_NESTING) -> tuple[int, int]:
    """The nesting depth of ``text`` and its line; scanning stops once past ``limit``."""
    scan = _Scanner(text, limit, logical=False).run()
    return scan.depth, scan.depth_line


def scan_text(text: str, limit: int = MAX_NESTING) -> Scan:
    """Depth and logical lines; when the depth passes ``limit`` the lines are incomplete."""
    return _Scanner(text, limit, logical=True).run()


class _Scanner:
    __slots__ = (
        "chain",
        "depth",
        "depth_line",
        "elifs",
        "first",
        "indent",
        "indents",
        "last",
        "limit",
        "line",
        "line_start",
        "lines",
        "logical",
        "operand",
        "stack",
        "start",
        "text",
        "total",
    )

    def __init__(self, text: str, limit: int, *, logical: bool) -> None:
        self.text = text
        self.limit = limit
        self.logical = logical
        self.depth = 0
        self.depth_line = 1
        self.line = 1
        self.line_start = 0
        self.stack: list[int] = []
        """Per open bracket: the chain count of the level it interrupted."""
        self.chain = 0
        self.total = 0
        self.indents = [0]
        self.elifs: dict[int, int] = {}
        self.operand = False
        self.start = 0
        """First line of the logical line being read (0: none yet)."""
        self.first = ""
        self.indent = 0
        self.last = ""
        self.lines: list[LogicalLine] = []

    def _deeper(self, extra: int = 0) -> bool:
        depth = len(self.indents) - 1 + len(self.stack) + self.total + self.chain + extra
        if depth > self.depth:
            self.depth = depth
            self.depth_line = self.line
        return self.depth > self.limit

    def _end_logical(self) -> None:
        if self.start and self.logical:
            self.lines.append(
                LogicalLine(self.start, self.line, self.indent, self.first, self.last == ":")
            )
        self.start = 0
        self.chain = 0

    def _begin(self, token: str, pos: int) -> None:
        """The first token of a logical line."""
        self.start = self.line
        self.first = token
        column = pos - self.line_start
        self.indent = column
        while column < self.indents[-1]:
            self.indents.pop()
        if column > self.indents[-1]:
            self.indents.append(column)
        if token == "if":
            self.elifs[column] = 0
        elif token == "elif":
            self.elifs[column] = self.elifs.get(column, 0) + 1

    def run(self) -> Scan:
        text = self.text
        pos = 0
        size = len(text)
        match = _TOKEN.match
        while pos < size:
            m = match(text, pos)
            assert m is not None  # `other` matches any character but a newline
            kind = m.lastgroup
            value = m.group()
            if kind == "nl":
                if not self.stack:
                    self._end_logical()
                self.line += 1
                self.line_start = m.end()
                pos = m.end()
                continue
            if kind in ("ws", "comment"):
                pos = m.end()
                continue
            if kind == "cont":
                self.line += 1
                self.line_start = m.end()
                pos = m.end()
                continue
            began = not self.start and not self.stack
            if began:
                self._begin(value if kind == "name" else value[:1], pos)
                if value == "elif" and self._deeper(self.elifs.get(self.indent, 0)):
                    break
            self.last = value
            if kind == "str":
                pos = self._string(m.end(), value.lstrip("rRbBuUfFtT"), value)
                self.operand = True
                continue
            pos = m.end()
            if kind == "name":
                if value in _OPERATOR_KEYWORDS and not began:
                    self.chain += 1
                    self.operand = False
                    if self._deeper():
                        break
                else:
                    self.operand = value not in _KEYWORDS or value in _OPERAND_KEYWORDS
            elif kind == "num":
                self.operand = True
            elif kind == "open":
                if self._open():
                    break
            elif kind == "close":
                self._close()
            elif kind == "sep":
                self.chain = 0
                self.operand = False
                if value == ";" and not self.stack:
                    self.chain = 0
            elif kind == "op":
                self.chain += 1
                self.operand = False
                if self._deeper():
                    break
            else:
                self.operand = False
        else:
            self._end_logical()
        return Scan(self.depth, self.depth_line, self.lines)

    def _open(self) -> bool:
        if self.operand:
            self.chain += 1  # a call or a subscript: one more link in the chain
        self.stack.append(self.chain)
        self.total += self.chain
        self.chain = 0
        self.operand = False
        return self._deeper()

    def _close(self) -> None:
        if self.stack:
            self.chain = self.stack.pop()
            self.total -= self.chain
        self.operand = True

    def _string(self, pos: int, quote: str, token: str) -> int:
        """Skip a string whose opening quote ends at ``pos``; returns the position after it."""
        prefix = token[: len(token) - len(quote)].lower()
        if "f" not in prefix and "t" not in prefix:
            m = STRING_BODY[quote].match(self.text, pos)
            assert m is not None
            self.line += m.group().count("\n")
            return m.end()
        return self._fstring(pos, quote, "r" in prefix)

    def _fstring(self, pos: int, quote: str, raw: bool) -> int:
        """Skip an f-string body; replacement fields are code (nested strings, brackets)."""
        text = self.text
        stop = _FSTRING_STOP[quote]
        size = len(text)
        while pos < size:
            m = stop.search(text, pos)
            if m is None:
                return size
            char = m.group()
            pos = m.end()
            if char == "\\":
                if pos < size and text[pos] == "\n":
                    self.line += 1
                pos += 0 if raw else 1
            elif char == "\n":
                if len(quote) == 1:
                    return pos - 1  # unterminated: the newline ends it
                self.line += 1
            elif char in "'\"":
                if text.startswith(quote, pos - 1):
                    return pos - 1 + len(quote)
            elif char == "{":
                if text.startswith("{", pos):
                    pos += 1
                else:
                    pos = self._field(pos, quote, raw)
            # a lone "}" in the literal part ("}}" or an error) is skipped
        return size

    def _field(self, pos: int, quote: str, raw: bool) -> int:
        """Skip a replacement field's code after its ``{``; returns the position after ``}``."""
        text = self.text
        size = len(text)
        self.stack.append(self.chain)
        self.total += self.chain
        self.chain = 0
        self.operand = False
        if self._deeper():
            return size
        depth = 0
        while pos < size:
            m = _TOKEN.match(text, pos)
            assert m is not None
            kind = m.lastgroup
            value = m.group()
            if kind in ("nl", "cont"):
                self.line += 1
                self.line_start = m.end()
            elif kind == "str":
                pos = self._string(m.end(), value.lstrip("rRbBuUfFtT"), value)
                self.operand = True
                continue
            elif kind == "open":
                depth += 1
                if self._open():
                    return size
            elif kind == "close":
                if depth == 0:
                    self._close()
                    return m.end()
                depth -= 1
                self._close()
            elif kind == "op":
                self.chain += 1
                if self._deeper():
                    return size
            elif kind == "name":
                self.operand = value not in _KEYWORDS or value in _OPERAND_KEYWORDS
            elif value == ":" and depth == 0:
                return self._format_spec(m.end(), quote, raw)
            pos = m.end()
        return size

    def _format_spec(self, pos: int, quote: str, raw: bool) -> int:
        """Skip a format spec (literal text with nested fields) up to its field's ``}``."""
        text = self.text
        size = len(text)
        while pos < size:
            m = _SPEC_STOP.search(text, pos)
            if m is None:
                return size
            pos = m.end()
            char = m.group()
            if char == "{":
                pos = self._field(pos, quote, raw)
            elif char == "}":
                self._close()
                return pos
            elif len(quote) == 1:
                return pos - 1  # a newline: the string is unterminated
            else:
                self.line += 1
        return size


def clause_keyword(line: LogicalLine) -> bool:
    """Whether ``line`` continues the compound statement above it (``else:``, ...)."""
    return line.first in _CLAUSES
