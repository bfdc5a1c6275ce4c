"""Line endings through fixes: which ending each line of a fixed text gets on disk.

Fixes work on texts whose lines end in ``\\n``; the file's own lines may end in ``\\r\\n``,
``\\r`` or ``\\n``, mixed. Every line break of a fixed text is either one of the file's (it
keeps its own ending) or one a fix wrote (it takes the ending of the line where the fix
starts: the line it is inserted next to). The edits tell which is which exactly; without
them (:func:`diffed`) a line diff stands in, which is exact unless lines repeat around an
edit in a file of mixed endings.
"""

from __future__ import annotations

import difflib
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schema_lint.diagnostics import Edit
from schema_lint.fixes.edits import line_offsets, spans

LINE_END = re.compile(r"\r\n|\r|\n")
"""A line ending as Python reads source code."""


@dataclass(frozen=True, slots=True)
class Break:
    """One line break of a text as it is written: its ending and whether a fix wrote it."""

    ending: str
    new: bool = False


def breaks_of(raw: str) -> list[Break]:
    """The line breaks of a text with its own endings."""
    return [Break(ending) for ending in LINE_END.findall(raw)]


def normalised(raw: str) -> str:
    return LINE_END.sub("\n", raw)


def _ending_at(breaks: Sequence[Break], line: int, default: str) -> str:
    """The ending of 0-based ``line``; the last line has none, so its predecessor's."""
    if line < len(breaks):
        return breaks[line].ending
    return breaks[-1].ending if breaks else default


def carried(text: str, breaks: Sequence[Break], edits: Iterable[Edit], default: str) -> list[Break]:
    """The line breaks of ``apply_edits(text, edits)``: ``breaks`` (those of ``text``) outside
    the edits, and for each ``\\n`` an edit writes, the ending of the line the edit starts in.
    ``default`` serves a text without any line break."""
    offsets = line_offsets(text)

    def before(offset: int) -> int:
        """How many line breaks of ``text`` lie before ``offset``."""
        return bisect_right(offsets, offset) - 1

    out: list[Break] = []
    cursor = 0
    for start, end, content in spans(text, edits):
        if start > cursor:
            out.extend(breaks[before(cursor) : before(start)])
        count = content.count("\n")
        if count:
            ending = _ending_at(breaks, before(start), default)
            out.extend([Break(ending, new=True)] * count)
        cursor = max(cursor, end)
    out.extend(breaks[before(cursor) : len(breaks)])
    return out


def diffed(old: str, breaks: Sequence[Break], new: str, default: str) -> list[Break]:
    """The line breaks of ``new`` by a line diff with ``old`` (whose breaks are ``breaks``):
    a kept line keeps its ending; a replaced line takes the ending of the line it replaces,
    an inserted one that of the line it is inserted before."""
    old_lines, new_lines = old.split("\n"), new.split("\n")
    out: list[Break] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(j2 - j1):
            if tag == "equal" and i1 + k < len(breaks):
                out.append(breaks[i1 + k])
            else:
                line = i1 + k if i1 + k < i2 else i2
                out.append(Break(_ending_at(breaks, line, default), new=True))
    del out[len(new_lines) - 1 :]
    return out


class EndingsWouldJoin(ValueError):
    """An edit brings a ``\r`` line ending next to an empty line ending in ``\n``: written as
    they are, the two would read as one ``\r\n``."""


def settled(text: str, breaks: Sequence[Break]) -> list[Break]:
    """The line breaks of ``text`` as they can be written, all counted as the file's own.

    A ``\r`` followed by an empty line ending in ``\n`` would read as one ``\r\n``. Where
    one of the two breaks is a fix's, it becomes ``\r\n``; where both are the file's own
    (an edit emptied the line between them), :class:`EndingsWouldJoin` is raised, as no
    bytes but the edits' may change.
    """
    lines = text.split("\n")
    if len(breaks) != len(lines) - 1:
        raise ValueError("the line breaks do not match the text")
    endings = [b.ending for b in breaks]
    for i in range(len(endings) - 1):
        if endings[i] == "\r" and not lines[i + 1] and endings[i + 1] == "\n":
            if breaks[i].new:
                endings[i] = "\r\n"
            elif breaks[i + 1].new:
                endings[i + 1] = "\r\n"
            else:
                raise EndingsWouldJoin(f"line {i + 2}")
    return [Break(ending) for ending in endings]


def joined(text: str, breaks: Sequence[Break]) -> str:
    """``text`` (lines ending in ``\n``) with its line breaks written as ``breaks`` say."""
    lines = text.split("\n")
    endings = [b.ending for b in settled(text, breaks)]
    out = [part for pair in zip(lines, endings, strict=False) for part in pair]
    out.append(lines[-1])
    return "".join(out)
