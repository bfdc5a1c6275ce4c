"""Whatever bytes a client sends, the server answers what it can, errs what it cannot, and
keeps serving: a raw JSON-RPC client over stdio (the bytes are written by hand)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_helpers import copy_project
from raw_rpc import RawServer, codes

SERVER = [sys.executable, "-m", "schema_lint", "lsp"]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RawServer]:
    running = RawServer(SERVER, cwd=tmp_path, stderr=tmp_path / "stderr.log")
    try:
        yield running
    finally:
        running.close()


def framed(body: bytes, header: bytes = b"Content-Length") -> bytes:
    return header + b": %d\r\n\r\n" % len(body) + body


def request_bytes(
    msg_id: int, method: str, params: object, header: bytes = b"Content-Length"
) -> bytes:
    body = json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return framed(body.encode(), header)


def code_action(
    uri: str, start: tuple[int, int], end: tuple[int, int], diagnostics: object = ()
) -> dict[str, object]:
    return {
        "textDocument": {"uri": uri},
        "range": {
            "start": {"line": start[0], "character": start[1]},
            "end": {"line": end[0], "character": end[1]},
        },
        "context": {"diagnostics": list(diagnostics)},  # type: ignore[call-overload]
    }


CAPABILITIES = {
    "textDocument": {
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}}
    }
}


def test_bad_bytes_get_errors_and_the_server_keeps_serving(server: RawServer, tmp_path: Path):
    project = copy_project(tmp_path)
    server.initialize(project, CAPABILITIES)
    models = server.open(project / "app" / "models.py")
    findings = server.published(models, lambda items: len(items) == 3)["params"]["diagnostics"]
    nothing = code_action(models, (0, 0), (0, 0))

    # A lower-case header name (header names are case-insensitive), and one in capitals.
    first = server.new_id()
    server.write(request_bytes(first, "textDocument/codeAction", nothing, b"content-length"))
    assert server.response(first)["result"] == []
    second = server.new_id()
    server.write(request_bytes(second, "textDocument/codeAction", nothing, b"CONTENT-LENGTH"))
    assert server.response(second)["result"] == []

    # Garbage glued to the next header, and a block of lines that are no headers at all.
    glued = server.new_id()
    server.write(b"\x00\xff\xfe garbage" + request_bytes(glued, "textDocument/codeAction", nothing))
    assert server.response(glued)["result"] == []
    after_lines = server.new_id()
    server.write(b"this is not a header\r\nnor: is this one\r\n\r\n")
    server.write(request_bytes(after_lines, "textDocument/codeAction", nothing))
    assert server.response(after_lines)["result"] == []
    # A Content-Length that is no number: the message is dropped; the next one is read.
    unknown = server.new_id()
    server.write(b"Content-Length: twelve\r\n\r\n{}" + request_bytes(unknown, "shutdownx", None))
    assert server.response(unknown)["error"]["code"] == -32601  # method not found: read

    # Invalid JSON: a parse error, whose id is null (it cannot be known).
    server.write(framed(b'{"jsonrpc": "2.0", "id": %d, "method": ' % server.new_id()))
    assert server.response(None)["error"]["code"] == -32700
    # JSON that is no JSON-RPC message: an invalid request, with its id when it has one.
    no_method = server.new_id()
    server.write(framed(b'{"jsonrpc": "2.0", "id": %d}' % no_method))
    assert server.response(no_method)["error"]["code"] == -32600
    server.write(framed(b"[1, 2, 3]"))
    server.wait_for(lambda m: m.get("id", 0) is None and m["error"]["code"] == -32600)

    # Positions out of range (line -1, 2**63, a character past 2**31) are clamped, and the
    # request is answered: its actions for the findings it names.
    answer = server.call(
        "textDocument/codeAction", code_action(models, (-1, -5), (2**63, 2**40), findings)
    )
    titles = [action["title"] for action in answer["result"]]
    assert "Ignore SL001 for this line" in titles, answer
    # Parameters that no clamping makes valid: an error response, never silence.
    answer = server.call("textDocument/codeAction", {"textDocument": 5, "range": None})
    assert answer["error"]["code"] == -32602
    # A change with positions out of range is applied within the document (at its end).
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": models, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 2**63, "character": -1},
                        "end": {"line": 2**63, "character": 2**63},
                    },
                    "text": "\n# appended at the end\n",
                }
            ],
        },
    )

    # A valid request gets the right answer: the findings of the text as changed.
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": models}})
    assert codes(answer["result"]["items"]) == ["SL001", "SL002", "SL002"]
    server.wait_for(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == models
            and m["params"]["version"] == 2
        ),
        what="the diagnostics of version 2",
    )

    log = server.stderr()
    assert "garbage before a header" in log
    assert "without a valid Content-Length" in log
    assert "not JSON" in log
    assert server.stop() == 0


def test_requests_after_shutdown_get_an_error_response(server: RawServer, tmp_path: Path):
    server.initialize(copy_project(tmp_path))
    assert server.call("shutdown")["result"] is None
    answer = server.call("textDocument/diagnostic", {"textDocument": {"uri": "file:///x.py"}})
    assert answer["error"]["code"] == -32600
    server.notify("exit")
    assert server.process.wait(timeout=30) == 0


def test_a_change_to_a_document_never_opened_is_logged_and_ignored(
    server: RawServer, tmp_path: Path
):
    project = copy_project(tmp_path)
    server.initialize(project)
    never = (project / "never_opened.py").as_uri()
    server.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": never, "version": 2},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 0, "character": 0},
                        "end": {"line": 0, "character": 0},
                    },
                    "text": "x",
                }
            ],
        },
    )
    server.notify("textDocument/didClose", {"textDocument": {"uri": never}})
    models = server.open(project / "app" / "models.py")
    server.published(models, lambda items: len(items) == 3)
    log = server.stderr()
    assert "never_opened.py, which is not open: ignored" in log
    assert "KeyError" not in log and "Traceback" not in log
    assert server.stop() == 0
