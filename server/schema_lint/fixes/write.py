"""Writing fixed files: atomically, in their own encoding and line endings, never over
changes made on disk since they were read."""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from schema_lint.sources.text import decode_source

_LINE_END = re.compile(r"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"


class Change(Protocol):
    @property
    def path(self) -> str: ...

    @property
    def original(self) -> bytes: ...

    @property
    def new_text(self) -> str: ...


@dataclass(frozen=True, slots=True)
class WriteResult:
    written: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    """(path, why) for each file left alone."""


def encode_like(original: bytes, new_text: str) -> bytes:
    """``new_text`` as bytes in the encoding, BOM and line endings of ``original``.

    Lines that the fixes did not touch keep their exact bytes, even in a file with mixed line
    endings; new lines get the file's usual ending.
    """
    source = decode_source(original)
    raw = original[len(_BOM) :] if source.bom else original
    pieces = _LINE_END.split(raw.decode(source.encoding))
    endings = _LINE_END.findall(raw.decode(source.encoding))
    old_lines = source.text.split("\n")
    assert len(pieces) == len(old_lines)
    new_lines = new_text.split("\n")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, _, j1, j2 in matcher.get_opcodes():
        for offset in range(j2 - j1):
            j = j1 + offset
            out.append(pieces[i1 + offset] if tag == "equal" else new_lines[j])
            if j < len(new_lines) - 1:
                i = i1 + offset
                out.append(endings[i] if tag == "equal" and i < len(endings) else source.newline)
    data = "".join(out).encode(source.encoding)
    return _BOM + data if source.bom else data


def write_changes(changes: Mapping[str, Change] | Iterable[Change]) -> WriteResult:
    """Write each changed file (``apply_fixes``'s result, or its values) unless it changed on
    disk since it was read."""
    written: list[str] = []
    skipped: list[tuple[str, str]] = []
    for change in changes.values() if isinstance(changes, Mapping) else changes:
        try:
            data = encode_like(change.original, change.new_text)
        except (UnicodeEncodeError, LookupError) as exc:
            skipped.append((change.path, f"cannot encode the fixed text: {exc}"))
            continue
        reason = _write_atomically(change.path, change.original, data)
        if reason is None:
            written.append(change.path)
        else:
            skipped.append((change.path, reason))
    return WriteResult(tuple(written), tuple(skipped))


def _unchanged(path: str, original: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read() == original
    except OSError:
        return False


def _write_atomically(path: str, original: bytes, data: bytes) -> str | None:
    """Write ``data`` through a temporary file in the same directory; None when written."""
    if not _unchanged(path, original):
        return "the file changed on disk since it was read; not overwritten"
    directory, name = os.path.split(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        fd, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        return f"cannot write: {exc}"
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if not _unchanged(path, original):
            os.unlink(temporary)
            return "the file changed on disk since it was read; not overwritten"
        os.replace(temporary, path)
    except OSError as exc:
        if os.path.exists(temporary):
            os.unlink(temporary)
        return f"cannot write: {exc}"
    return None
