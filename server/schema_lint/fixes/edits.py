"""Text edits: positions, applying several edits to one text, and telling when they collide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from schema_lint.diagnostics import Edit

Pos = tuple[int, int]
"""A (line, column) position: line 1-based, column 0-based in code points."""


def insertion(path: str, pos: Pos, content: str) -> Edit:
    return Edit(path, pos[0], pos[1], pos[0], pos[1], content)


def replacement(path: str, start: Pos, end: Pos, content: str) -> Edit:
    return Edit(path, start[0], start[1], end[0], end[1], content)


def start_of(edit: Edit) -> Pos:
    return (edit.line, edit.col)


def end_of(edit: Edit) -> Pos:
    return (edit.end_line, edit.end_col)


def line_offsets(text: str) -> list[int]:
    """Offset of the first character of each line (index 0 is line 1)."""
    offsets = [0]
    index = text.find("\n")
    while index >= 0:
        offsets.append(index + 1)
        index = text.find("\n", index + 1)
    return offsets


def to_offset(offsets: Sequence[int], text: str, pos: Pos) -> int:
    line, col = pos
    if line > len(offsets):
        return len(text)
    start = offsets[line - 1]
    end = offsets[line] - 1 if line < len(offsets) else len(text)
    return min(start + col, end)


class EditedText(str):
    """A text made by :func:`apply_edits`, which remembers the text it was made from and the
    edits, so that the writer can apply the same edits to the file's own bytes (line endings
    included) instead of guessing them from a diff. It is a plain ``str`` to everyone else."""

    before: str
    edits: tuple[Edit, ...]

    def __reduce__(self) -> tuple[Any, ...]:
        return (str, (str(self),))  # the history is not worth storing (e.g. in a cache)


def edit_rounds(text: str, base: str) -> tuple[tuple[Edit, ...], ...] | None:
    """The edits, round by round, by which :func:`apply_edits` made ``text`` from ``base``;
    None when ``text`` was not made that way."""
    rounds: list[tuple[Edit, ...]] = []
    while isinstance(text, EditedText):
        rounds.append(text.edits)
        text = text.before
    return tuple(reversed(rounds)) if text == base else None


def spans(text: str, edits: Iterable[Edit]) -> list[tuple[int, int, str]]:
    """Each edit as (start offset, end offset, content), in the order they are applied."""
    offsets = line_offsets(text)
    return sorted(
        (
            (to_offset(offsets, text, start_of(e)), to_offset(offsets, text, end_of(e)), e.content)
            for e in dict.fromkeys(edits)
        ),
        key=lambda item: (item[0], item[1]),
    )


def apply_edits(text: str, edits: Iterable[Edit]) -> EditedText:
    """``text`` with every edit applied once; edits must not overlap (:func:`overlapping`)."""
    edits = tuple(dict.fromkeys(edits))
    parts: list[str] = []
    cursor = 0
    for start, end, content in spans(text, edits):
        parts.append(text[cursor:start])
        parts.append(content)
        cursor = max(cursor, end)
    parts.append(text[cursor:])
    result = EditedText("".join(parts))
    result.before = text
    result.edits = edits
    return result


def overlapping(a: Edit, b: Edit) -> bool:
    """Whether two edits of the same file cannot both be applied unambiguously.

    Touching ranges and two insertions at the same place count as overlapping (their order
    would be a guess); identical edits do not (applying one applies both).
    """
    if a.path != b.path or a == b:
        return False
    return start_of(a) <= end_of(b) and start_of(b) <= end_of(a)


def compatible(edits: Sequence[Edit], accepted: Sequence[Edit]) -> bool:
    return not any(overlapping(e, other) for e in edits for other in accepted)
