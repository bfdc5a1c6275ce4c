"""``textDocument/didClose``: forget the buffer, read the file from disk again, clear."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SchemaLintServer, params: types.DidCloseTextDocumentParams) -> None:
        session = ls.session
        found = session.closed(params.text_document.uri)
        if found is None:
            return
        root, document = found
        session.clear(document)
        # Its unsaved edits no longer count: other open documents may see other facts.
        session.schedule(root, None, delay=0)
