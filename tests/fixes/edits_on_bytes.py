"""Test oracle: the bytes a file may have after edits, with everything outside them kept.

Written apart from the product's code: an edit's (line, column) is located in the file's
own text (its lines ending in ``\\r\\n``, ``\\r`` or ``\\n``), and the written bytes must be
the file's bytes up to the first edit, the edit's content (each line break in it any of the
three endings), the file's bytes up to the next edit, and so on.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from schema_lint.diagnostics import Edit

ENDINGS = ("\r\n", "\r", "\n")
BOMS = (
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF8,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


def _offset(raw: str, line: int, col: int) -> int:
    """Where (1-based line, 0-based column) is in ``raw``: a column past the line's end
    means its end, a line past the last the end of the text."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", raw)]
    if line > len(starts):
        return len(raw)
    start = starts[line - 1]
    ending = re.compile(r"\r\n|\r|\n").search(raw, start)
    end = ending.start() if ending else len(raw)
    return min(start + col, end)


def kept_outside(before: bytes, edits: Iterable[Edit], codec: str) -> re.Pattern[bytes]:
    """The bytes that ``before`` may become by ``edits`` (one round, normalised positions),
    in ``codec`` after the BOM, if any."""
    bom = next((b for b in BOMS if before.startswith(b)), b"")
    raw = before[len(bom) :].decode(codec)
    newline = b"(?:" + b"|".join(re.escape(e.encode(codec)) for e in ENDINGS) + b")"
    spans = sorted(
        {
            (_offset(raw, e.line, e.col), _offset(raw, e.end_line, e.end_col), e.content): None
            for e in edits
        }
    )
    pattern = [re.escape(bom)]
    cursor = 0
    for start, end, content in spans:
        assert start >= cursor, "the oracle handles edits that do not overlap"
        pattern.append(re.escape(raw[cursor:start].encode(codec)))
        pattern.append(newline.join(re.escape(p.encode(codec)) for p in content.split("\n")))
        cursor = end
    pattern.append(re.escape(raw[cursor:].encode(codec)))
    return re.compile(b"".join(pattern), re.DOTALL)
