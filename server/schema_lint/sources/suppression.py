"""``# noqa`` and ``# schema-lint: ignore-file`` comments."""

from __future__ import annotations

import re

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.I)
_IGNORE_FILE = re.compile(r"#\s*schema-lint:\s*ignore-file(?:\[(?P<codes>[^\]]*)\])?")
_FILE_HEADER_LINES = 30


def noqa_lines(text: str) -> tuple[tuple[int, frozenset[str]], ...]:
    """Each line with a ``# noqa`` comment and its codes; an empty set means every code."""
    if "noqa" not in text and "NOQA" not in text:
        return ()
    result: list[tuple[int, frozenset[str]]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "#" not in line:
            continue
        match = _NOQA.search(line)
        if match is None:
            continue
        codes = match.group("codes")
        parsed = frozenset(c.strip().upper() for c in codes.split(",")) if codes else frozenset()
        result.append((number, parsed))
    return tuple(result)


def ignore_file_codes(text: str) -> frozenset[str] | None:
    """Codes of an ``ignore-file`` comment near the top of the file; None when absent."""
    if "schema-lint:" not in text:
        return None
    for line in text.split("\n", _FILE_HEADER_LINES)[:_FILE_HEADER_LINES]:
        match = _IGNORE_FILE.search(line)
        if match:
            codes = match.group("codes")
            if not codes:
                return frozenset()
            return frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
    return None


def suppressed(code: str, codes: frozenset[str] | None) -> bool:
    """Whether a noqa/ignore-file code set (None: no comment) silences ``code``."""
    if codes is None:
        return False
    return not codes or any(code.startswith(c) for c in codes)
