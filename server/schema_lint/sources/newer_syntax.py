"""Newer syntax read on an older interpreter, by rewriting it into older syntax in place.

``ast`` knows only the running interpreter's grammar; libcst knows every grammar. When
``ast`` fails, the file is taken one statement at a time (boundaries from
:mod:`schema_lint.sources.scanner`, so that libcst only ever sees one statement, or a
compound statement's headers with its bodies stubbed out) and each statement this
interpreter cannot read is rewritten into an equivalent one it can, keeping every line and
the UTF-8 byte length of every rewritten region, so that every node keeps its line and
byte column:

- PEP 695 type parameters are blanked: ``class Repo[T: Base](Model):`` becomes
  ``class Repo          (Model):``; ``type X[T] = Y`` becomes ``(    X)       = Y``, the
  assignment ``X = Y``;
- PEP 758 ``except A, B:`` becomes ``except(A, B):``;
- a PEP 701 f-string (nested quotes of its own kind, backslashes, comments or line breaks
  in a replacement field) becomes a placeholder string of the same extent, replaced after
  parsing by the ``JoinedStr`` an older f-string would have produced.

A statement none of these rewrites makes readable is blanked (replaced by ``pass``) and
reported as skipped. A statement libcst cannot read either is a real syntax error.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from schema_lint.sources.scanner import (
    MAX_NESTING,
    LogicalLine,
    clause_keyword,
    nesting_depth,
    too_deep_message,
)

Edit = tuple[int, int, int, int, str]
"""(line, column, end line, end column, new text): lines 1-based, columns in characters."""


class SyntaxProblem(Exception):
    """A statement that no grammar reads (a real syntax error), or one nested too deeply for
    libcst to be given it, at a place in the file."""

    def __init__(self, message: str, line: int, col: int, kind: str = "syntax-error") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.kind = kind


@dataclass(slots=True)
class Rewrite:
    """The file's lines as rewritten so far, what was blanked, and f-strings to put back."""

    lines: list[str]
    logical: Sequence[LogicalLine]
    deep: bool = False
    """Some of the file nests deeper than libcst is given: measure each statement first."""
    skipped: list[tuple[int, int]] = field(default_factory=list)
    fstrings: dict[tuple[int, int], ast.JoinedStr] = field(default_factory=dict)
    """Placeholder (line, UTF-8 column) -> the f-string's node."""
    changed: bool = False


def rewrite_newer_syntax(text: str, logical: Sequence[LogicalLine], deep: bool = False) -> Rewrite:
    """``text`` rewritten statement by statement; raises :class:`SyntaxProblem`.

    ``deep``: the file nests deeper than :data:`MAX_NESTING` somewhere, so each statement
    is measured before libcst sees it.
    """
    state = Rewrite(text.split("\n"), logical, deep)
    for first, main, end in _statements(state, 0, len(logical), indent=0):
        _statement(state, first, main, end, ())
    return state


def put_back_fstrings(tree: ast.Module, fstrings: dict[tuple[int, int], ast.JoinedStr]) -> bool:
    """Replace each placeholder string in ``tree`` by its f-string; False if one is missing."""
    if not fstrings:
        return True
    lines = {line for line, _ in fstrings}
    found = 0
    for statement in tree.body:
        start = min(
            [statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))]
        )
        end = getattr(statement, "end_lineno", None) or statement.lineno
        if not any(start <= line <= end for line in lines):
            continue
        for node in ast.walk(statement):
            for name, value in ast.iter_fields(node):
                if isinstance(value, ast.Constant):
                    replacement = fstrings.get((value.lineno, value.col_offset))
                    if replacement is not None:
                        setattr(node, name, replacement)
                        found += 1
                elif isinstance(value, list):
                    for i, item in enumerate(value):
                        if isinstance(item, ast.Constant):
                            replacement = fstrings.get((item.lineno, item.col_offset))
                            if replacement is not None:
                                value[i] = replacement
                                found += 1
    return found == len(fstrings)


# --- statements ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Snippet:
    """Some of the file's lines at their own line numbers, parseable on their own."""

    base: int
    """The file line of the snippet's first line."""
    text: str
    wrapped: bool
    """A leading ``if 1:`` line makes an indented first line valid."""

    def file_line(self, line: int) -> int:
        return self.base + line - 1 - self.wrapped


def _snippet(
    state: Rewrite, ranges: Sequence[tuple[int, int]], stubs: dict[int, str] | None = None
) -> _Snippet:
    """Lines of ``ranges`` (first, last; file lines) in place, blank between, ``stubs`` over."""
    base = ranges[0][0]
    last = max(max(end for _, end in ranges), *(stubs or {0: ""}))
    out = [""] * (last - base + 1)
    for start, end in ranges:
        out[start - base : end - base + 1] = state.lines[start - 1 : end]
    for line, text in (stubs or {}).items():
        out[line - base] = text
    first = out[0]
    wrapped = bool(first) and first[0] in " \t"
    text = "\n".join(out) + "\n"
    return _Snippet(base, "if 1:\n" + text if wrapped else text, wrapped)


def _parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _span(state: Rewrite, first: int, last: int) -> tuple[int, int]:
    """The file lines of logical lines ``first`` to ``last`` (inclusive)."""
    return state.logical[first].start, state.logical[last].end


def _statements(
    state: Rewrite, i: int, j: int, indent: int | None = None
) -> Iterator[tuple[int, int, int]]:
    """Each statement of logical lines ``i:j`` as (first, main line, end) indices."""
    logical = state.logical
    if indent is None:
        indent = logical[i].indent
    k = i
    while k < j:
        if logical[k].indent != indent or clause_keyword(logical[k]):
            message = (
                "unexpected indent"
                if logical[k].indent > indent
                else "unindent does not match any outer indentation level"
                if logical[k].indent < indent
                else "invalid syntax"
            )
            raise SyntaxProblem(message, logical[k].start, logical[k].indent)
        first = k
        while logical[k].first == "@" and k + 1 < j and logical[k + 1].indent == indent:
            k += 1
        main = k
        k += 1
        if logical[main].opens_block:
            while k < j and logical[k].indent > indent:
                k += 1
            while k < j and logical[k].indent == indent and clause_keyword(logical[k]):
                k += 1
                while k < j and logical[k].indent > indent:
                    k += 1
        yield first, main, k


def _sequence(state: Rewrite, i: int, j: int, context: Sequence[tuple[int, int]]) -> None:
    """Make the statements of logical lines ``i:j`` (one block level) readable."""
    if _parses(_snippet(state, [*context, _span(state, i, j - 1)]).text):
        return
    for first, main, end in _statements(state, i, j):
        _statement(state, first, main, end, context)


def _statement(
    state: Rewrite, first: int, main: int, end: int, context: Sequence[tuple[int, int]]
) -> None:
    logical = state.logical
    whole = [*context, _span(state, first, end - 1)]
    if _parses(_snippet(state, whole).text):
        return
    if not logical[main].opens_block or end == main + 1:
        if not _rewrite(state, whole):
            _blank(state, first, end)
        return
    # A compound statement: its headers first (bodies stubbed), then each body.
    headers = [*context, _span(state, first, main)]
    stubs: dict[int, str] = {}
    bodies: list[tuple[int, int, int]] = []  # (header index, first body line, end)
    k = main
    while k < end:
        header = k
        k += 1
        headers.append(_span(state, header, header))
        if not logical[header].opens_block:
            continue  # a clause with its body on the same line
        body = k
        while k < end and logical[k].indent > logical[main].indent:
            k += 1
        if body == k:
            raise _syntax_problem(state, whole)
        first_line = state.lines[logical[body].start - 1]
        indent = first_line[: len(first_line) - len(first_line.lstrip())]
        stub = "case _: pass" if logical[header].first == "match" else "pass"
        stubs[logical[body].start] = indent + stub
        bodies.append((header, body, k))
    skeleton = _snippet(state, sorted(set(headers)), stubs)
    if not _parses(skeleton.text) and not _rewrite(state, headers, stubs):
        _blank(state, first, end)
        return
    for header, body, body_end in bodies:
        if logical[header].first == "match":
            match_header = [_span(state, header, header)]
            for case_first, case_main, case_end in _statements(state, body, body_end):
                _statement(state, case_first, case_main, case_end, match_header)
        else:
            _sequence(state, body, body_end, ())


def _blank(state: Rewrite, first: int, end: int) -> None:
    """Replace a statement (decorators included) by ``pass``, keeping every line."""
    start, last = _span(state, first, end - 1)
    line = state.lines[start - 1]
    state.lines[start - 1] = line[: len(line) - len(line.lstrip())] + "pass"
    for number in range(start, last):
        state.lines[number] = ""
    state.skipped.append((start, last))
    state.changed = True


def _syntax_problem(state: Rewrite, ranges: Sequence[tuple[int, int]]) -> SyntaxProblem:
    snippet = _snippet(state, ranges)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(snippet.text)
    except SyntaxError as exc:
        line = snippet.file_line(exc.lineno or 1)
        return SyntaxProblem(
            exc.msg or "invalid syntax", max(line, 1), max((exc.offset or 1) - 1, 0)
        )
    except (ValueError, RecursionError, MemoryError) as exc:
        return SyntaxProblem(f"cannot parse: {exc}", ranges[-1][0], 0)
    return SyntaxProblem("invalid syntax", ranges[-1][0], 0)


# --- rewriting one snippet ----------------------------------------------------------------


def _rewrite(
    state: Rewrite, ranges: Sequence[tuple[int, int]], stubs: dict[int, str] | None = None
) -> bool:
    """Rewrite the newer syntax in ``ranges`` in place; False when that is not enough."""
    snippet = _snippet(state, ranges, stubs)
    if state.deep:
        depth, line = nesting_depth(snippet.text)
        if depth > MAX_NESTING:
            where = snippet.file_line(line)
            raise SyntaxProblem(too_deep_message(where), where, 0, "too-deeply-nested")
    try:
        module = cst.parse_module(snippet.text)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
    except Exception:  # libcst reads no such grammar: a real syntax error
        raise _syntax_problem(state, ranges) from None
    lines = snippet.text.split("\n")
    rewriter = _Rewriter(wrapper.module, positions, lines)
    try:
        wrapper.module.visit(rewriter)
    except _CannotRewrite:
        return False
    if not rewriter.edits:
        return False
    apply_edits(lines, rewriter.edits)
    if not _parses("\n".join(lines)):
        return False
    file_edits = [
        (snippet.file_line(a), b, snippet.file_line(c), d, text)
        for a, b, c, d, text in rewriter.edits
    ]
    apply_edits(state.lines, file_edits)
    shift = snippet.base - 1 - snippet.wrapped
    for (line, col), node in rewriter.fstrings.items():
        _shift(node, shift, 0)
        state.fstrings[(line + shift, col)] = node
    state.changed = True
    return True


def apply_edits(lines: list[str], edits: Sequence[Edit]) -> None:
    """Apply disjoint edits that keep the number of lines, right to left."""
    for line, col, end_line, end_col, text in sorted(edits, reverse=True):
        head = lines[line - 1][:col]
        tail = lines[end_line - 1][end_col:]
        lines[line - 1 : end_line] = (head + text + tail).split("\n")


class _CannotRewrite(Exception):
    pass


_LINE_END = re.compile(r":[ \t]*(?:#.*)?$")


def _blank_text(text: str) -> str:
    """Spaces of the same UTF-8 length as ``text``, line breaks kept."""
    return "\n".join(" " * len(part.encode("utf-8")) for part in text.split("\n"))


def _plain(text: str) -> str:
    """``text`` with ASCII replaced by spaces: as long in characters and in UTF-8 bytes."""
    return "".join(c if ord(c) > 127 else " " for c in text)


class _Rewriter(cst.CSTVisitor):
    """Collects byte-length-preserving edits that turn newer syntax into older syntax."""

    def __init__(self, module: cst.Module, positions: Any, lines: list[str]) -> None:
        super().__init__()
        self.module = module
        self.positions = positions
        self.lines = lines
        self.edits: list[Edit] = []
        self.fstrings: dict[tuple[int, int], ast.JoinedStr] = {}

    def range(self, node: cst.CSTNode) -> CodeRange:
        result: CodeRange = self.positions[node]
        return result

    def text(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        (line, col), (end_line, end_col) = start, end
        if line == end_line:
            return self.lines[line - 1][col:end_col]
        parts = [self.lines[line - 1][col:]]
        parts.extend(self.lines[line : end_line - 1])
        parts.append(self.lines[end_line - 1][:end_col])
        return "\n".join(parts)

    def blank(self, node: cst.CSTNode) -> None:
        """Blank ``node``; across lines, each broken line ends in ``\\``."""
        where = self.range(node)
        start = (where.start.line, where.start.column)
        end = (where.end.line, where.end.column)
        blank = _blank_text(self.text(start, end))
        if start[0] != end[0]:
            parts = blank.split("\n")
            parts[:-1] = [p[:-1] + "\\" if p else "\\" for p in parts[:-1]]
            blank = "\n".join(parts)
        self.edits.append((*start, *end, blank))

    # PEP 695 -----------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        if node.type_parameters is not None:
            self.blank(node.type_parameters)
        return True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node.type_parameters is not None:
            self.blank(node.type_parameters)
        return True

    def visit_TypeParameters(self, node: cst.TypeParameters) -> bool:
        return False

    def visit_TypeAlias(self, node: cst.TypeAlias) -> bool:
        keyword = self.range(node).start
        name = self.range(node.name)
        after = self.range(node.type_parameters).end if node.type_parameters else name.end
        value = self.range(node.value).start
        line = keyword.line
        if not (name.start.line == after.line == line) or value.line != line:
            raise _CannotRewrite
        text = self.lines[line - 1]
        equals = text.find("=", after.column, value.column)
        if equals < 0:
            raise _CannotRewrite
        head = text[keyword.column : name.start.column]
        middle = text[name.end.column : equals]
        if middle:  # `type X = Y` -> `(    X) = Y`
            self.edits.append(
                (line, keyword.column, line, name.start.column, "(" + _blank_text(head)[1:])
            )
            self.edits.append((line, name.end.column, line, equals, ")" + _blank_text(middle)[1:]))
        else:  # `type X=Y` -> `(   X)=Y`: the name moves one column left
            title = text[name.start.column : name.end.column]
            new = "(" + _blank_text(head)[2:] + title + ")"
            self.edits.append((line, keyword.column, line, equals, new))
        return True

    # PEP 758 -----------------------------------------------------------------------------

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> bool:
        self._parenthesize(node.type)
        return True

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> bool:
        self._parenthesize(node.type)
        return True

    def _parenthesize(self, types: cst.BaseExpression | None) -> None:
        """``except A, B:`` -> ``except(A, B):`` (the last type moves left when it must)."""
        if not isinstance(types, cst.Tuple) or types.lpar or len(types.elements) < 2:
            return
        where = self.range(types)
        line = where.start.line
        if where.end.line != line:
            raise _CannotRewrite
        text = self.lines[line - 1]
        start, end = where.start.column, where.end.column
        if start == 0 or not text[start - 1].isspace():
            raise _CannotRewrite
        self.edits.append((line, start - 1, line, start, "("))
        if end < len(text) and text[end] in " \t":
            self.edits.append((line, end, line, end + 1, ")"))
            return
        last = self.range(types.elements[-1].value).start
        if last.line == line and last.column > 0 and text[last.column - 1] in " \t":
            moved = text[last.column : end]
            self.edits.append((line, last.column - 1, line, end, moved + ")"))
        elif _LINE_END.match(text, end):  # `except A,B:`: only the colon moves right
            self.edits.append((line, end, line, end, ")"))
        else:
            raise _CannotRewrite

    # PEP 701 -----------------------------------------------------------------------------

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        self._string(node)
        return False

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self._string(node)
        return False

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        return False

    def _string(self, node: cst.ConcatenatedString | cst.FormattedString) -> None:
        parts = list(_string_parts(node))
        first, last = self.range(parts[0]).start, self.range(parts[-1]).end
        start, end = (first.line, first.column), (last.line, last.column)
        if _expression_parses(self.text(start, end)):
            return
        joined = self._joined(parts, start, end)
        self.edits.append((*start, *end, self._placeholder(start, end)))
        self.fstrings[(start[0], _utf8_col(self.lines[start[0] - 1], start[1]))] = joined

    def _placeholder(self, start: tuple[int, int], end: tuple[int, int]) -> str:
        """A plain string literal as long as the f-string, in characters and in bytes."""
        original = self.text(start, end)
        if start[0] == end[0]:
            return '"' + _plain(original[1:-1]) + '"'
        parts = original.split("\n")
        head, middle, tail = parts[0], parts[1:-1], parts[-1]
        if len(tail) < 2:
            raise _CannotRewrite
        out = ['""' + _plain(head[2:])]
        out[0] = out[0][:-1] + "\\" if len(out[0]) > 2 else out[0] + "\\"
        out.extend(_plain(m)[:-1] + "\\" if m else "\\" for m in middle)
        out.append(_plain(tail[:-2]) + _blank_text(tail[-2:])[2:] + '""')
        return "\n".join(out)

    def _joined(
        self,
        parts: Sequence[cst.SimpleString | cst.FormattedString],
        start: tuple[int, int],
        end: tuple[int, int],
    ) -> ast.JoinedStr:
        values: list[ast.expr] = []
        for part in parts:
            if isinstance(part, cst.SimpleString):
                value = _literal(self.module.code_for_node(part))
                if not isinstance(value, str):
                    raise _CannotRewrite
                values.append(ast.Constant(value))
            else:
                values.extend(self._fstring_values(part.parts, part.prefix))
        node = ast.JoinedStr(_merged(values))
        where = {
            "lineno": start[0],
            "col_offset": _utf8_col(self.lines[start[0] - 1], start[1]),
            "end_lineno": end[0],
            "end_col_offset": _utf8_col(self.lines[end[0] - 1], end[1]),
        }
        _place(node, where)
        return node

    def _fstring_values(
        self, parts: Sequence[cst.BaseFormattedStringContent], prefix: str
    ) -> list[ast.expr]:
        raw = "r" in prefix.lower()
        values: list[ast.expr] = []
        for part in parts:
            if isinstance(part, cst.FormattedStringText):
                text = part.value.replace("{{", "{").replace("}}", "}")
                values.append(ast.Constant(text if raw else _unescape(text)))
                continue
            if not isinstance(part, cst.FormattedStringExpression):
                raise _CannotRewrite
            code = self.module.code_for_node(part.expression)
            where = self.range(part.expression).start
            expression = _expression(
                code, where.line, _utf8_col(self.lines[where.line - 1], where.column)
            )
            conversion = ord(part.conversion) if part.conversion else -1
            spec = None
            if part.format_spec is not None:
                spec = ast.JoinedStr(_merged(self._fstring_values(part.format_spec, prefix)))
            if part.equal is not None:
                values.append(
                    ast.Constant(
                        self.module.code_for_node(part.whitespace_before_expression)
                        + code
                        + self.module.code_for_node(part.whitespace_after_expression)
                        + self.module.code_for_node(part.equal.whitespace_before)
                        + "="
                        + self.module.code_for_node(part.equal.whitespace_after)
                    )
                )
                if conversion == -1 and spec is None:
                    conversion = ord("r")
            values.append(ast.FormattedValue(expression, conversion, spec))
        return values


def _place(node: ast.JoinedStr, where: dict[str, int]) -> None:
    """Give the f-string, its parts and format specs its extent, as Python 3.11 does."""
    for key, value in where.items():
        setattr(node, key, value)
    for part in node.values:
        for key, value in where.items():
            setattr(part, key, value)
        if isinstance(part, ast.FormattedValue) and isinstance(part.format_spec, ast.JoinedStr):
            _place(part.format_spec, where)


def _string_parts(
    node: cst.BaseExpression,
) -> Iterator[cst.SimpleString | cst.FormattedString]:
    if isinstance(node, cst.ConcatenatedString):
        yield from _string_parts(node.left)
        yield from _string_parts(node.right)
    elif isinstance(node, cst.SimpleString | cst.FormattedString):
        yield node
    else:
        raise _CannotRewrite


def _merged(values: list[ast.expr]) -> list[ast.expr]:
    """Adjacent string constants joined, empty ones dropped (as the compiler does)."""
    out: list[ast.expr] = []
    for value in values:
        if isinstance(value, ast.Constant):
            if not value.value:
                continue
            last = out[-1] if out else None
            if isinstance(last, ast.Constant) and isinstance(last.value, str):
                out[-1] = ast.Constant(last.value + str(value.value))
                continue
        out.append(value)
    return out


def _utf8_col(line: str, col: int) -> int:
    return col if line.isascii() else len(line[:col].encode("utf-8"))


def _expression_parses(code: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(f"({code})", mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def _expression(code: str, line: int, col: int) -> ast.expr:
    """``code`` (an expression at ``line``, UTF-8 column ``col``) as an ``ast`` node."""
    text = f"({code})"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            node = ast.parse(text, mode="eval").body
    except SyntaxError:
        node = _newer_expression(text)
    except (ValueError, RecursionError, MemoryError):
        raise _CannotRewrite from None
    _shift(node, line - 1, col - 1)
    return node


def _newer_expression(text: str) -> ast.expr:
    """An expression that itself holds newer syntax (an f-string in an f-string)."""
    try:
        module = cst.parse_module(text + "\n")
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        positions = wrapper.resolve(PositionProvider)
    except Exception:
        raise _CannotRewrite from None
    lines = (text + "\n").split("\n")
    rewriter = _Rewriter(wrapper.module, positions, lines)
    wrapper.module.visit(rewriter)
    apply_edits(lines, rewriter.edits)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _CannotRewrite from None
    if not put_back_fstrings(tree, rewriter.fstrings) or len(tree.body) != 1:
        raise _CannotRewrite
    statement = tree.body[0]
    if not isinstance(statement, ast.Expr):
        raise _CannotRewrite
    return statement.value


def _shift(node: ast.AST, lines: int, first_line_cols: int) -> None:
    """Move ``node``: columns on its first line by ``first_line_cols``, then every line."""
    for child in ast.walk(node):
        where: Any = child
        if not hasattr(where, "lineno"):
            continue
        if where.lineno == 1:
            where.col_offset += first_line_cols
        end = getattr(where, "end_lineno", None)
        if end == 1:
            where.end_col_offset = (where.end_col_offset or 0) + first_line_cols
        where.lineno += lines
        if end is not None:
            where.end_lineno = end + lines


def _literal(code: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.literal_eval(code)
    except (SyntaxError, ValueError):
        raise _CannotRewrite from None


_ESCAPE = re.compile(
    r"\\(N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\n|.)", re.S
)


def _unescape(text: str) -> str:
    """The value of a (non-raw) string literal's body, escapes decoded as Python does."""
    if "\\" not in text:
        return text
    return _ESCAPE.sub(lambda m: str(_literal('"\\' + m.group(1) + '"')), text)
