"""Adding to and removing from comma-separated code: tuples, call arguments, import names.

Edits keep the layout they find. A vertical sequence (elements on lines of their own) gets a new
line indented like its siblings, with a trailing comma when the last element has one; a one-line
sequence stays on one line unless the new line would exceed the line length, in which case it
is split one element per line like a formatter would.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from schema_lint.diagnostics import Edit
from schema_lint.fixes.edits import Pos, insertion, replacement
from schema_lint.fixes.layout import Item, inline, render
from schema_lint.fixes.source import Source


@dataclass(frozen=True, slots=True)
class Element:
    start: Pos
    end: Pos
    comma: Pos | None
    """End of the comma that follows the element, if any."""


@dataclass(frozen=True, slots=True)
class Bracketed:
    """A comma-separated sequence and its brackets."""

    open: Pos | None
    """Just after the opening bracket; None when there are no brackets."""
    close: Pos | None
    """The closing bracket."""
    elements: tuple[Element, ...]
    tuple_syntax: bool = False
    """A tuple: the comma of a one-element tuple is syntax, not a style choice."""
    call: bool = False
    """Call arguments: split like a call (arguments on one indented line first)."""


def _element(src: Source, node: cst.CSTNode, comma: object) -> Element:
    comma_end = src.end(comma) if isinstance(comma, cst.Comma) else None
    return Element(src.start(node), src.end(node), comma_end)


def of_tuple(src: Source, node: cst.Tuple) -> Bracketed:
    elements = tuple(_element(src, e, e.comma) for e in node.elements)
    if node.lpar and node.rpar:
        open_ = src.start(node.lpar[0])
        close = src.end(node.rpar[-1])
        return Bracketed((open_[0], open_[1] + 1), (close[0], close[1] - 1), elements, True)
    return Bracketed(None, None, elements, True)


def of_call(src: Source, node: cst.Call) -> Bracketed:
    func_end = src.end(node.func)
    end = src.end(node)
    line, col = func_end
    while src.line(line).find("(", col) < 0 and line < end[0]:
        line, col = line + 1, 0
    open_ = (line, src.line(line).find("(", col) + 1)
    elements = tuple(_element(src, a, a.comma) for a in node.args)
    return Bracketed(open_, (end[0], end[1] - 1), elements, call=True)


def of_import(src: Source, node: cst.ImportFrom) -> Bracketed:
    assert not isinstance(node.names, cst.ImportStar)
    elements = tuple(_element(src, a, a.comma) for a in node.names)
    if node.lpar and node.rpar:
        open_ = src.start(node.lpar)
        close = src.end(node.rpar)
        return Bracketed((open_[0], open_[1] + 1), (close[0], close[1] - 1), elements)
    return Bracketed(None, None, elements)


def _on_own_line(src: Source, seq: Bracketed, element: Element) -> bool:
    """Whether ``element`` starts a line below the start of ``seq`` (a vertical layout)."""
    first_line = seq.open[0] if seq.open else seq.elements[0].start[0]
    return element.start[0] > first_line and src.starts_line(element.start)


def _sibling_indent(src: Source, element: Element) -> str:
    if src.starts_line(element.start):
        return src.indent(element.start[0])
    return " " * element.start[1]


def _lines(src: Source, items: Sequence[Item], indent: str, limit: int, last_comma: bool) -> str:
    out = []
    for number, item in enumerate(items, start=1):
        comma = "," if number < len(items) or last_comma else ""
        out.append(
            f"{indent}{render(item, indent, len(indent), comma, limit, src.indent_unit)}{comma}\n"
        )
    return "".join(out)


def append(
    src: Source, seq: Bracketed, items: Sequence[Item], limit: int, *, split: bool = True
) -> list[Edit]:
    """Edits adding ``items`` after the last element of ``seq``; ``split``: lay a one-line
    sequence out one element per line if the line gets too long."""
    path = src.path
    elements = seq.elements
    if not elements:
        assert seq.open is not None
        text = ", ".join(inline(i) for i in items)
        if seq.tuple_syntax and len(items) == 1:
            text += ","
        return [insertion(path, seq.open, text)]
    last = elements[-1]
    if _on_own_line(src, seq, last):
        indent = _sibling_indent(src, last)
        trailing = last.comma is not None
        if seq.close is not None and src.starts_line(seq.close):
            edits = [] if trailing else [insertion(path, last.end, ",")]
            block = _lines(src, items, indent, limit, trailing)
            return [*edits, insertion(path, (seq.close[0], 0), block)]
        block = "".join(
            f"\n{indent}{render(i, indent, len(indent), ',', limit, src.indent_unit)}"
            + ("," if n < len(items) or trailing else "")
            for n, i in enumerate(items, start=1)
        )
        return [insertion(path, last.comma or last.end, block if trailing else "," + block)]
    text = ", ".join(inline(i) for i in items)
    if last.comma is not None:
        trailing = not (seq.tuple_syntax and len(elements) == 1)
        content = f" {text}{',' if trailing else ''}"
        edit = insertion(path, last.comma, content)
    else:
        edit = insertion(path, last.end, f", {text}")
    if not split:
        return [edit]
    return [_split_if_too_long(src, seq, len(elements), items, edit, limit) or edit]


def insert_before(
    src: Source,
    seq: Bracketed,
    index: int,
    items: Sequence[Item],
    limit: int,
    *,
    split: bool = True,
) -> list[Edit]:
    """Edits adding ``items`` just before element ``index`` of ``seq`` (``split``: as in
    :func:`append`)."""
    target = seq.elements[index]
    if _on_own_line(src, seq, target):
        indent = src.indent(target.start[0])
        block = _lines(src, items, indent, limit, True)
        return [insertion(src.path, (target.start[0], 0), block)]
    text = ", ".join(inline(i) for i in items) + ", "
    edit = insertion(src.path, target.start, text)
    if not split:
        return [edit]
    return [_split_if_too_long(src, seq, index, items, edit, limit) or edit]


def _split_if_too_long(
    src: Source, seq: Bracketed, index: int, items: Sequence[Item], edit: Edit, limit: int
) -> Edit | None:
    """A replacement laying ``seq`` out one element per line, when adding ``items`` on its
    one line would make the line longer than ``limit`` (and it was not already)."""
    elements = seq.elements
    start = seq.open or elements[0].start
    end = seq.close or elements[-1].comma or elements[-1].end
    line = src.line(start[0])
    if start[0] != end[0] or len(line) > limit or len(line) + len(edit.content) <= limit:
        return None
    indent = src.indent(start[0])
    inner = indent + src.indent_unit
    texts = [src.slice(e.start, e.end) for e in elements]
    unit = src.indent_unit
    texts[index:index] = [render(i, inner, len(inner), ",", limit, unit) for i in items]
    if seq.call and all("\n" not in t for t in texts):
        body = ", ".join(texts)
        if len(inner) + len(body) <= limit:
            return replacement(src.path, start, end, f"\n{inner}{body}\n{indent}")
    body = "".join(f"{inner}{t},\n" for t in texts)
    if seq.open is None:
        return replacement(src.path, start, end, f"(\n{body}{indent})")
    return replacement(src.path, start, end, f"\n{body}{indent}")


def remove(src: Source, seq: Bracketed, first: int, last: int) -> Edit:
    """An edit removing elements ``first`` to ``last`` (inclusive) and the commas between."""
    elements = seq.elements
    head, tail = elements[first], elements[last]
    after = tail.comma or tail.end
    if _on_own_line(src, seq, head) and src.ends_line(after):
        return replacement(src.path, (head.start[0], 0), (after[0] + 1, 0), "")
    if first > 0:
        return replacement(src.path, elements[first - 1].end, tail.end, "")
    if last < len(elements) - 1:
        return replacement(src.path, head.start, elements[last + 1].start, "")
    return replacement(src.path, head.start, after, "")
