"""A language server process spoken to byte by byte: for what a well-behaved client never
sends (bad headers, garbage, invalid JSON, out-of-range positions) and for launching the
server exactly as an editor does (command, working directory, environment)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

TIMEOUT = 60.0

Message = dict[str, Any]


class RawServer:
    """``command`` started with pipes; every message it writes is kept in ``received``."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        cwd: Path,
        stderr: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self._stderr_path = stderr
        self._stderr = stderr.open("wb")
        self.process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self.received: list[Message] = []
        self.ended = False
        self._condition = threading.Condition()
        self._write_lock = threading.Lock()
        self._next_id = 0
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    # --- writing ---------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        with self._write_lock:
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def send(self, message: Message, header: bytes = b"Content-Length") -> None:
        body = json.dumps(message).encode("utf-8")
        self.write(header + b": %d\r\n\r\n" % len(body) + body)

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request(self, method: str, params: Any = None, header: bytes = b"Content-Length") -> int:
        msg_id = self.new_id()
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params}, header)
        return msg_id

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def call(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> Message:
        return self.response(self.request(method, params), timeout)

    # --- reading ---------------------------------------------------------------------------

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if not line.strip():
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                assert length is not None, "the server sent a message without Content-Length"
                message = json.loads(stream.read(length))
                if "method" in message and "id" in message:  # a request of the server's
                    self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                with self._condition:
                    self.received.append(message)
                    self._condition.notify_all()
        finally:
            with self._condition:
                self.ended = True
                self._condition.notify_all()

    def wait_for(
        self, predicate: Callable[[Message], bool], timeout: float = TIMEOUT, what: str = ""
    ) -> Message:
        """The first message received that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while True:
                found = next((m for m in self.received if predicate(m)), None)
                if found is not None:
                    return found
                remaining = deadline - time.monotonic()
                if self.ended or remaining <= 0:
                    raise AssertionError(
                        f"no {what or 'such message'} (server ended: {self.ended})\n"
                        f"received: {self.received[-5:]}\nstderr: {self.stderr()[-3000:]}"
                    )
                self._condition.wait(remaining)

    def response(self, msg_id: int | str | None, timeout: float = TIMEOUT) -> Message:
        return self.wait_for(
            lambda m: "method" not in m and m.get("id", "absent") == msg_id,
            timeout,
            f"response to {msg_id!r}",
        )

    def published(self, uri: str, predicate: Callable[[list[Any]], bool]) -> Message:
        return self.wait_for(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
                and predicate(m["params"]["diagnostics"])
            ),
            what=f"diagnostics for {uri}",
        )

    def stderr(self) -> str:
        self._stderr.flush()
        return self._stderr_path.read_text("utf-8", errors="replace")

    # --- a session -------------------------------------------------------------------------

    def initialize(self, root: Path | None, capabilities: Message | None = None) -> Message:
        params: Message = {
            "processId": os.getpid(),
            "capabilities": capabilities or {},
            "rootUri": root.as_uri() if root else None,
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}] if root else None,
            "initializationOptions": {"debounceMs": 0},
        }
        result = self.call("initialize", params)
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str | None = None, uri: str | None = None) -> str:
        uri = uri or path.as_uri()
        text = path.read_text("utf-8") if text is None else text
        item = {"uri": uri, "languageId": "python", "version": 1, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})
        return uri

    def stop(self) -> int:
        """``shutdown`` and ``exit``; the exit status (the process is killed if it hangs)."""
        try:
            if self.process.poll() is None:
                self.call("shutdown", None, timeout=30)
                self.notify("exit")
            return self.process.wait(timeout=30)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._thread.join(timeout=30)
        self._stderr.close()


def codes(diagnostics: list[Any]) -> list[str]:
    return sorted(str(d["code"]) for d in diagnostics)
