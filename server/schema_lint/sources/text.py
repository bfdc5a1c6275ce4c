"""Decoding source bytes the way Python does, without ever raising."""

from __future__ import annotations

import codecs
import io
import re
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


# Longest first: a UTF-32 LE BOM begins with the UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_COOKIE = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.M)


def wide_encoding(data: bytes) -> str | None:
    """The UTF-16 or UTF-32 encoding of ``data``, from its BOM or its coding cookie.

    Python itself only reads ASCII-compatible source files, but editors on Windows save
    "Unicode" files as UTF-16 with a BOM; those are read too. None for any other file.
    """
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            return encoding
    if b"\x00" not in data[:4]:
        return None
    for encoding in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"):
        width = 4 if "32" in encoding else 2
        head = data[: width * 400]
        head = head[: len(head) - len(head) % width]
        text = head.decode(encoding, errors="replace")
        found = _COOKIE.search("\n".join(text.split("\n", 2)[:2]))
        if found and _codec_name(found.group(1)).startswith(encoding[:6]):
            return encoding
    return None


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name


def prefilter_bytes(data: bytes) -> bytes:
    """``data`` as UTF-8 for byte searches (a UTF-16 file's words are not ASCII bytes)."""
    encoding = wide_encoding(data)
    if encoding is None:
        return data
    return data.decode(encoding, errors="replace").encode("utf-8")


def decode_source(data: bytes) -> SourceText:
    """Decode ``data`` honouring a BOM and a PEP 263 coding cookie.

    Line endings are normalised to ``\\n`` in ``text``; ``newline`` remembers the file's own.
    UTF-16 and UTF-32 files are read when a BOM or a coding cookie says so; their
    ``encoding`` (``utf-16`` with a BOM, ``utf-16-le`` without) writes them back the same.
    """
    wide = wide_encoding(data)
    if wide is not None:
        encoding = wide
    else:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:
            raise DecodeError(str(exc), 1) from None
        if _codec_name(encoding).startswith(("utf-16", "utf-32")):
            raise DecodeError(
                f"the coding cookie says {encoding}, but the file is not in that encoding", 1
            )
    bom = encoding == "utf-8-sig"
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        start = getattr(exc, "start", 0)
        line = data[:start].count(b"\n") + 1
        if wide is not None:
            line = data[:start].decode(encoding, errors="replace").count("\n") + 1
        raise DecodeError(f"cannot decode as {encoding}: {exc}", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    newline = "\r\n" if "\r\n" in text else "\n"
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceText(text=text, encoding="utf-8" if bom else encoding, bom=bom, newline=newline)
