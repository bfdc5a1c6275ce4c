"""Decoding source bytes the way Python does, without ever raising."""

from __future__ import annotations

import io
import tokenize
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SourceText:
    """A decoded source file and how to write it back byte-for-byte compatible."""

    text: str
    encoding: str
    bom: bool
    newline: str


class DecodeError(Exception):
    """The bytes are not valid in the encoding the file declares."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def decode_source(data: bytes) -> SourceText:
    """Decode ``data`` honouring a BOM and a PEP 263 coding cookie.

    Line endings are normalised to ``\\n`` in ``text``; ``newline`` remembers the file's own.
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise DecodeError(str(exc), 1) from None
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        line = data[:start].count(b"\n") + 1
        raise DecodeError(f"cannot decode as {encoding}: {exc}", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(text=text, encoding="utf-8" if bom else encoding, bom=bom, newline=newline)
