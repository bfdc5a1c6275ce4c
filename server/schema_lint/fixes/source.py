"""One file's text, read for a fix one statement at a time.

A fix edits a few lines of a file; it never needs a position map of all of it. The text is
first split into its top-level statements and logical lines by a light regular-expression
scan (strings, comments, brackets and line continuations). Only the statements a fix looks at
are parsed with libcst (each on its own, its positions shifted to the file's lines); the
result of a fix is checked by parsing only the statements it edits. The file's quote style
and indentation unit come from the same scan. When the scan is unsure (a statement it
delimits does not parse alone, an f-string it cannot read), the whole file is parsed once,
as before, so that a fix never depends on the shortcut.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import re
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from schema_lint.diagnostics import Edit
from schema_lint.fixes.edits import Pos, apply_edits, line_offsets
from schema_lint.sources.scanner import LIBCST_MAX_NESTING, STRING_BODY, nesting_depth

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
    | (?P<str>(?<![\w])(?P<prefix>[rRbBuUfFtT]{0,2})(?P<quote>'''|\"\"\"|'|\"))
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    | (?P<cont>\\\r?\n)
    | (?P<nl>\n)
    """,
    re.VERBOSE,
)
_CLAUSE = re.compile(r"(?:else|elif|except|finally)\b")
_DOUBLED_BRACES = re.compile(r"\{\{|\}\}")


T = TypeVar("T")
N = TypeVar("N", bound=cst.CSTNode)


class NotParsed(Exception):
    """A statement a fix needs does not parse (or nests too deeply for libcst)."""


@dataclass(frozen=True, slots=True)
class Logical:
    """A logical line: its first and last physical lines, indentation, and whether it opens
    a block (ends with ``:``)."""

    start: int
    end: int
    indent: str
    opens: bool


@dataclass(frozen=True, slots=True)
class Layout:
    logical: tuple[Logical, ...]
    chunks: tuple[int, ...]
    """First line of each top-level statement's lines (the first is line 1); a statement's
    lines run to the line before the next one's."""
    quotes: Counter[str] | None
    """Counts of plain one-character-quoted strings; None when the scan could not tell."""
    indent_unit: str


def _scan(text: str, lines: Sequence[str]) -> Layout:
    """The logical lines, top-level statements, quotes and indentation unit of ``text``."""
    logical: list[list[object]] = []
    quotes: Counter[str] | None = Counter()
    depth = 0
    line = 1
    line_start = 0
    comment_at = -1
    is_open = False

    def begin(number: int) -> bool:
        physical = lines[number - 1] if number <= len(lines) else ""
        stripped = physical.lstrip(" \t\f\r")
        if not stripped or stripped.startswith("#"):
            return False
        logical.append([number, number, physical[: len(physical) - len(stripped)], False])
        return True

    def finish(end: int) -> None:
        code = text[line_start : comment_at if comment_at >= line_start else end].rstrip()
        entry = logical[-1]
        entry[1] = line
        entry[3] = code.endswith(":")

    is_open = begin(1)
    pos = 0
    while True:
        match = _TOKEN.search(text, pos)
        if match is None:
            break
        kind = match.lastgroup
        start = match.start()
        pos = match.end()
        if kind == "comment":
            comment_at = start
        elif kind == "nl":
            if depth == 0 and is_open:
                finish(start)
                is_open = False
            line += 1
            line_start = pos
            if depth == 0 and not is_open:
                is_open = begin(line)
        elif kind == "cont":
            line += 1
            line_start = pos
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        else:
            quote = match.group("quote")
            body_match = STRING_BODY[quote].match(text, pos)
            body_end = body_match.end() if body_match is not None else len(text)
            closed = body_end - pos >= len(quote) and text.endswith(quote, pos, body_end)
            if not closed:
                quotes = None
            elif quotes is not None:
                prefix, body = match.group("prefix").lower(), text[pos : body_end - len(quote)]
                _count(quotes, prefix, quote, body)
                if ("f" in prefix or "t" in prefix) and not _count_fields(quotes, body):
                    quotes = None
            newlines = text.count("\n", pos, body_end)
            if newlines:
                line += newlines
                line_start = text.rfind("\n", pos, body_end) + 1
            pos = body_end
    if is_open:
        finish(len(text))
    found = tuple(Logical(*entry) for entry in logical)  # type: ignore[arg-type]
    return Layout(found, _chunks(found, lines), quotes, _indent_unit(found))


def _count(quotes: Counter[str], prefix: str, quote: str, body: str) -> None:
    """Count a plain string the way :attr:`Source.quote` counts libcst's ``SimpleString``."""
    if "f" in prefix or "t" in prefix:
        return
    if len(quote) == 1 and "'" not in body and '"' not in body:
        quotes[quote] += 1


def _count_fields(quotes: Counter[str], body: str) -> bool:
    """Count the plain strings in the fields of an f-string's ``body`` (libcst's tree has
    them); False when the body is beyond this reading (a nested f-string, a quote or a
    bracket in a format spec, an unclosed field): then libcst is asked."""
    plain = _DOUBLED_BRACES.sub("  ", body)
    pos = plain.find("{")
    while pos >= 0:
        depth = 0
        end = pos + 1
        spec = False
        while end < len(plain):
            char = plain[end]
            if char in "'\"":
                if spec:
                    return False
                prefix = ""
                while len(prefix) < 2 and plain[end - len(prefix) - 1] in "rRbBuUfFtT":
                    prefix = plain[end - len(prefix) - 1] + prefix
                if plain[end - len(prefix) - 1].isalnum() or "f" in prefix.lower():
                    return False
                quote = char * 3 if plain.startswith(char * 3, end) else char
                inner = STRING_BODY[quote].match(plain, end + len(quote))
                if inner is None or not plain.endswith(quote, end + len(quote), inner.end()):
                    return False
                text = plain[end + len(quote) : inner.end() - len(quote)]
                _count(quotes, prefix.lower(), quote, text)
                end = inner.end()
                continue
            if char in "([{":
                if spec:
                    return False
                depth += 1
            elif char in ")]}":
                if depth == 0:
                    break
                depth -= 1
            elif char == ":" and depth == 0:
                spec = True
            end += 1
        else:
            return False
        pos = plain.find("{", end + 1)
    return True


def _chunks(logical: Sequence[Logical], lines: Sequence[str]) -> tuple[int, ...]:
    starts = [1]
    decorated = False
    for entry in logical:
        if entry.indent:
            continue
        first = lines[entry.start - 1]
        if not decorated and not _CLAUSE.match(first) and entry.start > 1:
            starts.append(entry.start)
        decorated = first.startswith("@")
    return tuple(starts)


def _indent_unit(logical: Sequence[Logical]) -> str:
    """libcst's ``default_indent``: the first indentation in the file."""
    return next((entry.indent for entry in logical if entry.indent), "    ")


class Source:
    """A file's text, parsed a statement at a time; positions are (line 1-based, column
    0-based in code points) in the file.

    ``whole``: parse the whole file as one statement (the fallback when the scan is unsure).
    """

    __slots__ = (
        "_layout",
        "_lock",
        "_members",
        "_memo",
        "_modules",
        "_offsets",
        "_positions",
        "_quote",
        "lines",
        "path",
        "text",
        "whole",
    )

    def __init__(self, path: str, text: str, *, whole: bool = False) -> None:
        self.path = path
        self.text = text
        self.whole = whole
        self.lines = text.split("\n")
        layout = _scan(text, self.lines)
        if whole:
            layout = Layout(layout.logical, (1,), layout.quotes, layout.indent_unit)
        self._layout = layout
        self._modules: dict[int, cst.Module] = {}
        self._positions: dict[cst.CSTNode, tuple[CodeRange, int]] = {}
        self._offsets: list[int] | None = None
        self._quote: str | None = None
        self._memo: dict[Hashable, Any] = {}
        self._members: dict[int, list[cst.CSTNode]] = {}
        self._lock = threading.RLock()  # one parse of each statement, whatever the threads

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per ``key`` for this text (a finder's result: the text and
        its parsed statements never change, and every fix of the file asks again)."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = compute()
            found: T = self._memo[key]
        return found

    def nodes(self, module: cst.Module, kind: type[N]) -> list[N]:
        """Every node of type ``kind`` in ``module`` (one of :meth:`modules`), in the order
        a visitor meets them; the statements are walked once, whatever the number of fixes
        asking."""
        by_type: dict[type, list[cst.CSTNode]] = self.memo(
            ("nodes", id(module)), lambda: self._by_type(module)
        )
        found = by_type.get(kind, [])
        return found  # type: ignore[return-value]  # keyed by the exact type

    def within(self, node: cst.CSTNode, kind: type[N]) -> list[N]:
        """Every node of type ``kind`` inside ``node`` (itself included), in visiting order."""
        start, end = self.start(node), self.end(node)
        return [
            n
            for n in self.nodes(self.around(start[0]), kind)
            if start <= self.start(n) and self.end(n) <= end
        ]

    def _by_type(self, module: cst.Module) -> dict[type, list[cst.CSTNode]]:
        """The nodes of ``module`` by type, each list in visiting order (by start, the
        outer before the inner): read from its positions, without walking it again."""
        found: dict[type, list[cst.CSTNode]] = {}
        for node in self._members.get(id(module), ()):
            found.setdefault(type(node), []).append(node)
        positions = self._positions

        def order(node: cst.CSTNode) -> tuple[int, int, int, int]:
            where = positions[node][0]
            return (where.start.line, where.start.column, -where.end.line, -where.end.column)

        for nodes in found.values():
            nodes.sort(key=order)
        return found

    # --- statements -----------------------------------------------------------------------

    def _chunk_lines(self, index: int) -> tuple[int, int]:
        chunks = self._layout.chunks
        last = chunks[index + 1] - 1 if index + 1 < len(chunks) else len(self.lines)
        return chunks[index], last

    def _chunk(self, index: int) -> cst.Module:
        found = self._modules.get(index)
        if found is not None:
            return found
        with self._lock:
            found = self._modules.get(index)
            return found if found is not None else self._parse_chunk(index)

    def _parse_chunk(self, index: int) -> cst.Module:
        first, last = self._chunk_lines(index)
        code = "\n".join(self.lines[first - 1 : last])
        if last < len(self.lines):
            code += "\n"
        if nesting_depth(code, LIBCST_MAX_NESTING)[0] > LIBCST_MAX_NESTING:
            raise NotParsed("too deeply nested")
        try:
            wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
            positions = wrapper.resolve(PositionProvider)
        except Exception as exc:  # ParserSyntaxError, RecursionError, odd input
            raise NotParsed(str(exc)) from exc
        shift = first - 1
        self._positions.update((node, (where, shift)) for node, where in positions.items())
        self._modules[index] = wrapper.module
        self._members[id(wrapper.module)] = list(positions)
        return wrapper.module

    def _index(self, line: int) -> int:
        return max(0, bisect.bisect_right(self._layout.chunks, line) - 1)

    def around(self, line: int) -> cst.Module:
        """The top-level statement(s) on ``line``, as a module to visit."""
        return self._chunk(self._index(line))

    def statements(self, line: int) -> Sequence[cst.BaseStatement]:
        return self.around(line).body

    def modules(self, words: Iterable[str] = (), lines: Iterable[int] = ()) -> list[cst.Module]:
        """The top-level statements mentioning one of ``words`` (as a word) or on one of
        ``lines``, each group as a module to visit, in file order."""
        return [self._chunk(i) for i in sorted(self._indexes(words, lines))]

    def top_level(self, names: Iterable[str] = ()) -> list[cst.BaseStatement]:
        """The top-level import statements, the first statement, and every top-level
        statement that may bind one of ``names`` (``name =``, ``name:``, ``def name``,
        ``class name``), in file order."""
        wanted: set[int] = set()
        for name in names:
            wanted.update(self.memo(("binds", name), functools.partial(self._binding, name)))
        for index, first in enumerate(self._layout.chunks):
            head = self.lines[first - 1] if first <= len(self.lines) else ""
            if index == 0 or re.match(r"(?:import|from)\b", head):
                wanted.add(index)
        return [s for i in sorted(wanted) for s in self._chunk(i).body]

    def _binding(self, name: str) -> frozenset[int]:
        word = re.escape(name)
        pattern = rf"(?<![\w.]){word}\s*(?:=(?!=)|:)|\b(?:class|def)\s+{word}(?!\w)"
        return self._matching(pattern)

    def _indexes(self, words: Iterable[str], lines: Iterable[int]) -> set[int]:
        found = {self._index(line) for line in lines}
        for word in words:
            found.update(self.memo(("word", word), functools.partial(self._mentions, word)))
        return found

    def _mentions(self, word: str) -> frozenset[int]:
        return self._matching(rf"(?<!\w){re.escape(word)}(?!\w)")

    def _matching(self, pattern: str) -> frozenset[int]:
        """The top-level statements where ``pattern`` matches."""
        if self._offsets is None:
            self._offsets = line_offsets(self.text)
        offsets = self._offsets
        return frozenset(
            self._index(bisect.bisect_right(offsets, match.start()))
            for match in re.finditer(pattern, self.text)
        )

    def first_statement(self) -> cst.BaseStatement | None:
        for index in range(len(self._layout.chunks)):
            body = self._chunk(index).body
            if body:
                return body[0]
        return None

    # --- positions ------------------------------------------------------------------------

    def range(self, node: cst.CSTNode) -> CodeRange:
        where, shift = self._positions[node]
        if not shift:
            return where
        return CodeRange(
            (where.start.line + shift, where.start.column),
            (where.end.line + shift, where.end.column),
        )

    def start(self, node: cst.CSTNode) -> Pos:
        where, shift = self._positions[node]
        return (where.start.line + shift, where.start.column)

    def end(self, node: cst.CSTNode) -> Pos:
        where, shift = self._positions[node]
        return (where.end.line + shift, where.end.column)

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

    # --- style ----------------------------------------------------------------------------

    @property
    def quote(self) -> str:
        """The file's usual string quote: ``"`` unless single quotes are the majority."""
        if self._quote is None:
            counter = self._layout.quotes
            if counter is None:
                counter = _libcst_quotes(self.text)
            self._quote = "'" if counter["'"] > counter['"'] else '"'
        return self._quote

    @property
    def indent_unit(self) -> str:
        """One level of the file's indentation (libcst's inference: its first indent)."""
        return self._layout.indent_unit

    def string(self, value: str) -> str:
        """``value`` as a string literal in the file's quote style."""
        quote = self.quote
        body = value.replace("\\", "\\\\").replace(quote, "\\" + quote)
        return f"{quote}{body}{quote}"

    # --- checking a result ----------------------------------------------------------------

    def parses_with(self, edits: Sequence[Edit], before: Sequence[Edit] = ()) -> bool:
        """Whether the statements ``edits`` touch still parse once they are applied, with
        the edits ``before`` them (already checked) that touch the same statements: each
        group of logical lines on its own (dedented) when that is possible, else the
        top-level statements around them."""
        mine = [e for e in edits if e.path == self.path]
        if not mine:
            return True
        windows = self._windows(mine)
        near = [
            e
            for e in before
            if e.path == self.path
            and any(lo <= e.end_line and e.line <= hi for lo, hi, _ in windows)
        ]
        if near:
            windows = self._windows([*near, *mine])
        return all(self._window_parses(first, last, group) for first, last, group in windows)

    def _windows(self, edits: Sequence[Edit]) -> list[tuple[int, int, list[Edit]]]:
        spans: list[tuple[int, int, Edit]] = []
        for edit in edits:
            first = self._logical_line(edit.line, start=True)
            last = self._logical_line(edit.end_line, start=False)
            spans.append((min(first, edit.line), max(last, edit.end_line), edit))
        spans.sort(key=lambda s: (s[0], s[1]))
        merged: list[tuple[int, int, list[Edit]]] = []
        for first, last, edit in spans:
            if merged and first <= merged[-1][1]:
                lo, hi, group = merged[-1]
                merged[-1] = (lo, max(hi, last), [*group, edit])
            else:
                merged.append((first, last, [edit]))
        return merged

    def _logical_line(self, line: int, *, start: bool) -> int:
        """The first (``start``) or last line of the logical line holding ``line``; a line
        between logical lines belongs to the one before it."""
        logical = self._layout.logical
        starts = self.memo("starts", lambda: [entry.start for entry in logical])
        index = bisect.bisect_right(starts, line) - 1
        if index < 0:
            return 1 if start else line
        entry = logical[index]
        if start:
            return entry.start
        return entry.end if line <= entry.end else line

    def _window_parses(self, first: int, last: int, edits: list[Edit]) -> bool:
        every = self._layout.logical
        starts = self.memo("starts", lambda: [entry.start for entry in every])
        logical = every[bisect.bisect_left(starts, first) : bisect.bisect_right(starts, last)]
        simple = bool(logical) and not any(e.opens for e in logical)
        if simple and logical[0].start == first:
            indent = logical[0].indent
            code = self._edited(first, last, edits)
            dedented = _dedent(code, indent)
            if dedented is not None and _parses(dedented):
                return True
        lo = self._layout.chunks[self._index(first)]
        index = self._index(last)
        hi = self._chunk_lines(index)[1]
        return _parses(self._edited(lo, hi, edits))

    def _edited(self, first: int, last: int, edits: list[Edit]) -> str:
        code = "\n".join(self.lines[first - 1 : last])
        if last < len(self.lines):
            code += "\n"
        shift = first - 1
        moved = [
            Edit(e.path, e.line - shift, e.col, e.end_line - shift, e.end_col, e.content)
            for e in edits
        ]
        return str(apply_edits(code, moved))


def _dedent(code: str, indent: str) -> str | None:
    if not indent:
        return code
    out = []
    for line in code.split("\n"):
        if line.startswith(indent):
            out.append(line[len(indent) :])
        elif line.strip():
            return None
        else:
            out.append("")
    return "\n".join(out)


def _parses(code: str) -> bool:
    if nesting_depth(code, LIBCST_MAX_NESTING)[0] > LIBCST_MAX_NESTING:
        return False
    try:
        cst.parse_module(code)
    except Exception:
        return False
    return True


def _libcst_quotes(text: str) -> Counter[str]:
    """The quote count from the whole file's libcst tree (when the scan was unsure)."""
    counter: Counter[str] = Counter()

    class Quotes(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            quote = node.quote
            body = node.value[len(node.prefix) + len(quote) : -len(quote)]
            if len(quote) == 1 and "'" not in body and '"' not in body:
                counter[quote] += 1

    with contextlib.suppress(Exception):  # then the fix needs no string anyway
        cst.parse_module(text).visit(Quotes())
    return counter


@functools.lru_cache(maxsize=16)
def parse_source(path: str, text: str, whole: bool = False) -> Source:
    """The file, ready to be parsed statement by statement; the last few are kept, so that
    every fix of a file shares one (a :class:`Source` only computes edits, its text never
    changes)."""
    return Source(path, text, whole=whole)


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
