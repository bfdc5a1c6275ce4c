"""Reading framed JSON-RPC messages from any client, and answering the ones that fail.

A workaround for pygls 2.1.1, whose reader (``pygls.io_.run_async``) is replaced here:

- it matches ``Content-Length: N`` case-sensitively, so after one ``content-length:``
  header it takes the body for a header line and never finds the start of a message again;
- a request whose parameters lsprotocol rejects (a position with line -1 or 2**63) or that
  is not JSON is dropped with a log line, where JSON-RPC requires an error response;
- a request after ``shutdown`` is dropped silently, where LSP requires an error response.

Here header names are case-insensitive, garbage between messages is skipped (the next
``Content-Length`` header is looked for in it), positions are clamped to what the protocol
allows (0 to 2**31 - 1; pygls clamps them to the document), and every request that cannot
be handled gets an error response. Everything else is still pygls' own handling.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

from lsprotocol import types
from pygls.protocol import JsonRPCProtocol

logger = logging.getLogger(__name__)

MAX_HEADER_LINE = 64 * 1024
"""Longer lines are garbage: read in pieces, never held whole."""
MAX_BODY = 256 * 1024 * 1024
"""A larger body is skipped unread (a bad header, or a client gone wrong)."""
MAX_UINTEGER = 2**31 - 1
"""LSP's ``uinteger``: the largest line or character lsprotocol accepts."""

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)


class ByteSource:
    """A stream of bytes read line by line or by count; b"" at the end."""

    def __init__(
        self,
        readline: Callable[[], Awaitable[bytes]],
        read: Callable[[int], Awaitable[bytes]],
    ) -> None:
        self.readline = readline
        self.read = read


def stdin_source(stdin: BinaryIO, executor: Any = None) -> ByteSource:
    """Blocking reads of ``stdin`` on ``executor`` (pygls' thread pool)."""

    def readline() -> Awaitable[bytes]:
        return asyncio.get_running_loop().run_in_executor(executor, stdin.readline, MAX_HEADER_LINE)

    def read(count: int) -> Awaitable[bytes]:
        return asyncio.get_running_loop().run_in_executor(executor, stdin.read, count)

    return ByteSource(readline, read)


def stream_source(reader: asyncio.StreamReader) -> ByteSource:
    """An asyncio stream (TCP); an over-long line comes back cut, never as an error."""

    async def readline() -> bytes:
        try:
            return await reader.readline()
        except ValueError:  # longer than the stream's limit: asyncio dropped it
            return b"<an over-long line>"

    async def read(count: int) -> bytes:
        try:
            return await reader.readexactly(count)
        except asyncio.IncompleteReadError as exc:
            return exc.partial

    return ByteSource(readline, read)


async def read_messages(
    stop: threading.Event, source: ByteSource, handle: Callable[[bytes], None]
) -> None:
    """Call ``handle`` with the body of each message until the stream ends or ``stop``."""
    length: int | None = None
    bad: list[str] = []
    headers = False
    while not stop.is_set():
        line = await source.readline()
        if not line:
            return
        if line.strip(b"\r\n") == b"" and line.endswith(b"\n"):
            if not headers:
                continue  # a stray blank line between messages
            headers = False
            if length is None:
                logger.warning(
                    "schema-lint: dropped a message without a valid Content-Length (%s)",
                    "; ".join(bad) or "no such header",
                )
                bad = []
                continue
            count, length, bad = length, None, []
            if count > MAX_BODY:
                logger.warning("schema-lint: skipped a message of %d bytes (too large)", count)
                if not await _skip(source, count):
                    return
                continue
            body = await source.read(count)
            if len(body) < count:
                return
            handle(body)
            continue
        # The last one: garbage (a dropped body) may hold the words too.
        match = next(reversed(list(_CONTENT_LENGTH.finditer(line))), None)
        if match is not None:
            if match.start() > 0 and line[: match.start()].strip():
                logger.warning(
                    "schema-lint: skipped %d bytes of garbage before a header", match.start()
                )
                length, bad = None, []
            headers = True
            value = line[match.end() :].strip()
            if value.isdigit():
                length = int(value)
            elif len(bad) < 3:
                bad.append(f"Content-Length {value[:40]!r}")
            continue
        if b":" in line and line.endswith(b"\n"):
            headers = True  # another header (Content-Type): nothing to do with it
            continue
        headers = True
        if len(bad) < 3:
            bad.append(f"not a header: {line[:40]!r}")


async def _skip(source: ByteSource, count: int) -> bool:
    while count > 0:
        chunk = await source.read(min(count, 1 << 20))
        if not chunk:
            return False
        count -= len(chunk)
    return True


def clamp_positions(obj: dict[str, Any]) -> dict[str, Any]:
    """``json`` object hook: a position's line and character within 0 .. 2**31 - 1."""
    if len(obj) == 2 and "line" in obj and "character" in obj:
        for key in ("line", "character"):
            value = obj[key]
            if type(value) is int and not 0 <= value <= MAX_UINTEGER:
                obj[key] = 0 if value < 0 else MAX_UINTEGER
    return obj


class Dispatcher:
    """Turns message bodies into pygls messages; answers those that cannot be handled."""

    def __init__(self, protocol: JsonRPCProtocol, shutting_down: Callable[[], bool]) -> None:
        self.protocol = protocol
        self.shutting_down = shutting_down

    def __call__(self, body: bytes) -> None:
        try:
            raw = json.loads(body, object_hook=clamp_positions)
        except (ValueError, RecursionError) as exc:
            logger.warning("schema-lint: a message that is not JSON: %s", _short(exc))
            self.error(None, PARSE_ERROR, f"Parse error: {_short(exc)}")
            return
        if not _is_message(raw):
            logger.warning("schema-lint: a message that is not JSON-RPC 2.0: %.200s", body)
            msg_id = raw.get("id") if isinstance(raw, dict) else None
            self.error(_valid_id(msg_id), INVALID_REQUEST, "Invalid Request")
            return
        msg_id, method = raw.get("id"), raw.get("method")
        is_request = method is not None and "id" in raw
        if is_request and method != types.EXIT and self.shutting_down():
            self.error(msg_id, INVALID_REQUEST, f"{method}: the server is shutting down")
            return
        try:
            message = self.protocol.structure_message(raw)
        except Exception as exc:
            self.unstructured(raw, exc)
            return
        try:
            self.protocol.handle_message(message)
        except Exception:
            logger.exception("schema-lint: could not handle %s", method or "a response")
            if is_request:
                self.error(msg_id, -32603, f"{method}: internal error")

    def unstructured(self, raw: dict[str, Any], exc: Exception) -> None:
        """A message lsprotocol rejects: answer a request, fail a response's waiter."""
        msg_id, method = raw.get("id"), raw.get("method")
        why = _short(exc.__cause__ or exc)
        if method is not None and "id" in raw:
            logger.warning(
                "schema-lint: %s request %r: invalid parameters: %s", method, msg_id, why
            )
            self.error(msg_id, INVALID_PARAMS, f"{method}: invalid parameters: {why}")
        elif method is not None:
            logger.warning(
                "schema-lint: %s notification ignored: invalid parameters: %s", method, why
            )
        else:
            logger.warning("schema-lint: invalid response to request %r: %s", msg_id, why)
            error = types.ResponseError(code=INVALID_PARAMS, message=f"invalid response: {why}")
            failed: Any = types.ResponseErrorMessage(id=msg_id, error=error)
            self.protocol.handle_message(failed)

    def error(self, msg_id: int | str | None, code: int, message: str) -> None:
        # pygls 2.1.1 has no public way to answer a request it did not dispatch, and its
        # converter leaves out an id that is null (JSON-RPC's id for "unknown").
        response = {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
        self.protocol._send_data(response)


def _is_message(raw: Any) -> bool:
    if not isinstance(raw, dict) or raw.get("jsonrpc") != "2.0":
        return False
    if "method" in raw:
        return isinstance(raw["method"], str) and (
            "id" not in raw or _valid_id(raw["id"]) is not None
        )
    return _valid_id(raw.get("id")) is not None and ("result" in raw or "error" in raw)


def _valid_id(value: Any) -> int | str | None:
    if isinstance(value, str) or (type(value) is int):
        return value
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
