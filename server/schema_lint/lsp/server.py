"""The language server: ``schema-lint lsp`` (stdio, or ``--tcp HOST:PORT``).

A thin front end, like the CLI: every request and notification has its own module that
turns LSP values into calls of :mod:`schema_lint.engine`, :mod:`schema_lint.project` and
:mod:`schema_lint.fixes`, and their results back into LSP values. Logs go to stderr (stdout
carries the protocol) and warnings and errors also to the client's log
(``window/logMessage``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Generator
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from schema_lint import __version__
from schema_lint.lsp import transport
from schema_lint.lsp.capabilities import resolve
from schema_lint.lsp.session import Session

logger = logging.getLogger("schema_lint.lsp")

NAME = "schema-lint"


class SchemaLintProtocol(LanguageServerProtocol):
    """pygls' protocol, with capabilities adapted to the client once it has said what it can do."""

    _server: SchemaLintServer

    @lsp_method(types.INITIALIZE)
    def lsp_initialize(
        self, params: types.InitializeParams
    ) -> Generator[Any, Any, types.InitializeResult]:
        session = self._server.session
        session.caps = resolve(params.capabilities)
        try:
            self._server.loop = asyncio.get_running_loop()
        except RuntimeError:  # pragma: no cover - pygls always runs handlers on its loop
            self._server.loop = None
        session.initialize(params)
        result: types.InitializeResult = yield from super().lsp_initialize(params)
        if not session.caps.pull_diagnostics:
            # Pushing: a client that also pulled would show every finding twice.
            result.capabilities.diagnostic_provider = None
        return result

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: types.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, None]:
        """pygls' own handler, except for a document that is not open (where pygls 2.1.1
        raises ``KeyError``): logged and ignored."""
        if self.is_open(params.text_document.uri, "a change to"):
            yield from super().lsp_text_document__did_change(params)

    @lsp_method(types.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(
        self, params: types.DidCloseTextDocumentParams
    ) -> Generator[Any, Any, None]:
        if self.is_open(params.text_document.uri, "closing"):
            yield from super().lsp_text_document__did_close(params)

    def is_open(self, uri: str, what: str) -> bool:
        """Whether the client opened ``uri``; if not, a client's mistake to log."""
        if unquote(uri) in self.workspace.text_documents:
            return True
        logger.warning("schema-lint: %s %s, which is not open: ignored", what, uri)
        return False


class SchemaLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(NAME, __version__, protocol_cls=SchemaLintProtocol)
        self.session = Session(self)
        self.loop: asyncio.AbstractEventLoop | None = None
        """The event loop serving the client (known from ``initialize`` on)."""

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls caught an exception in a handler: log it and keep serving."""
        logger.error("schema-lint: error in a handler: %s", error, exc_info=error)

    # pygls' start_io and start_tcp, with the reader of :mod:`schema_lint.lsp.transport`.

    def _dispatcher(self) -> transport.Dispatcher:
        return transport.Dispatcher(self.protocol, lambda: self.session.shutdown_requested)

    def start_io(self, stdin: Any = None, stdout: Any = None) -> None:
        stop = self._stop_event = threading.Event()
        source = transport.stdin_source(stdin or sys.stdin.buffer, self.thread_pool)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(transport.read_messages(stop, source, self._dispatcher()))
        except BrokenPipeError:
            logger.error("schema-lint: the connection to the client is lost")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]

    def start_tcp(self, host: str, port: int) -> None:
        stop = self._stop_event = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.protocol.set_writer(writer)
            await transport.read_messages(stop, transport.stream_source(reader), self._dispatcher())
            self.shutdown()  # type: ignore[no-untyped-call]

        async def serve() -> None:
            self._server = await asyncio.start_server(connection, host, port)
            async with self._server:
                await self._server.serve_forever()

        with contextlib.suppress(asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            asyncio.run(serve())


class ClientLogHandler(logging.Handler):
    """Forwards warnings and errors to the client's log (``window/logMessage``)."""

    _LEVELS = (
        (logging.ERROR, types.MessageType.Error),
        (logging.WARNING, types.MessageType.Warning),
        (logging.INFO, types.MessageType.Info),
    )

    def __init__(self, server: SchemaLintServer) -> None:
        super().__init__(logging.WARNING)
        self.server = server
        self._local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._local, "busy", False) or self.server.protocol.writer is None:
            return
        kind = next((t for level, t in self._LEVELS if record.levelno >= level), None)
        if kind is None:
            return
        try:
            message = self.format(record)
        except Exception:
            return
        params = types.LogMessageParams(type=kind, message=message)
        loop = self.server.loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._send(params)
        else:
            loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        self._local.busy = True
        try:
            self.server.window_log_message(params)
        except Exception:
            pass
        finally:
            self._local.busy = False


def create_server() -> SchemaLintServer:
    from schema_lint.lsp.handlers import (
        code_action,
        code_action_resolve,
        configuration,
        did_change,
        did_close,
        did_open,
        did_save,
        initialized,
        pull_diagnostics,
        watched_files,
        workspace_folders,
    )

    server = SchemaLintServer()
    for module in (
        initialized,
        configuration,
        did_open,
        did_change,
        did_save,
        did_close,
        pull_diagnostics,
        code_action,
        code_action_resolve,
        watched_files,
        workspace_folders,
    ):
        module.register(server)

    @server.feature(types.SHUTDOWN)
    def shutdown(ls: SchemaLintServer, params: None) -> None:
        ls.session.shutdown()

    return server


def _configure_logging(server: SchemaLintServer) -> None:
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    package = logging.getLogger("schema_lint")
    package.setLevel(logging.INFO)
    package.addHandler(stderr)
    package.propagate = False
    client = ClientLogHandler(server)
    client.setFormatter(logging.Formatter("%(message)s"))
    package.addHandler(client)
    pygls_logger = logging.getLogger("pygls")
    pygls_logger.setLevel(logging.WARNING)
    pygls_logger.addHandler(stderr)
    pygls_logger.propagate = False


def run(tcp: str | None = None) -> int:
    """Serve until the client says ``exit``: 0 after a ``shutdown`` request, else 1."""
    server = create_server()
    _configure_logging(server)
    if tcp:
        host, port = _host_port(tcp)
        logger.info("schema-lint %s: listening on %s:%s", __version__, host, port)
        server.start_tcp(host, port)
    else:
        logger.info("schema-lint %s: language server on stdio", __version__)
        server.start_io()
    server.session.shutdown()
    return 0 if server.session.shutdown_requested else 1


def _host_port(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", value
    host = host.strip("[]") or "127.0.0.1"
    try:
        return host, int(port)
    except ValueError:
        raise SystemExit(f"schema-lint: --tcp expects HOST:PORT, not {value!r}") from None
