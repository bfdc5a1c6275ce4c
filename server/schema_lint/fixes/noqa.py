"""The "ignore this finding" edit: ``# noqa: SL00x`` on a line, merged into an existing one."""

from __future__ import annotations

import io
import re
import tokenize

from schema_lint.diagnostics import Edit
from schema_lint.fixes.edits import insertion, replacement

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I)


def noqa_edit(text: str, path: str, line: int, code: str) -> Edit:
    """An edit that makes ``# noqa`` on ``line`` cover ``code``.

    Adds ``  # noqa: CODE`` after the code of the line, or adds the code to the line's
    ``# noqa: ...`` list. Empty (changes nothing) when the line is already covered (a bare
    ``# noqa`` or the code listed) or cannot carry a comment (it continues with ``\\`` or ends
    inside a string).
    """
    lines = text.split("\n")
    content = lines[line - 1] if 0 < line <= len(lines) else ""
    nothing = insertion(path, (line, len(content)), "")
    comment = _comment_start(text, line, content)
    if comment is None:
        return nothing
    if comment >= 0:
        match = _NOQA.search(content, comment)
        if match is not None:
            codes = match.group("codes")
            if codes is None or code in {c.strip().upper() for c in codes.split(",")}:
                return nothing
            return insertion(path, (line, match.end("codes")), f", {code}")
        return insertion(path, (line, len(content.rstrip())), f"  # noqa: {code}")
    end = len(content.rstrip())
    return replacement(path, (line, end), (line, len(content)), f"  # noqa: {code}")


def _comment_start(text: str, line: int, content: str) -> int | None:
    """Column of the line's comment, -1 when it has none, None when it cannot have one."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        stripped = content.rstrip()
        if stripped.endswith("\\"):
            return None
        return content.find("#")
    for token in tokens:
        (start_line, start_col), (end_line, _) = token.start, token.end
        if start_line <= line < end_line and token.type != tokenize.NL:
            return None  # a string (or other token) runs on past this line
        if start_line == line and token.type == tokenize.COMMENT:
            return start_col
    if content.rstrip().endswith("\\"):
        return None
    return -1
