"""``textDocument/didClose``: forget the buffer, read the file from disk again, clear.

Closing a document that is not open never gets here (see
:class:`~schema_lint.lsp.server.SchemaLintProtocol`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: SchemaLintServer, params: types.DidCloseTextDocumentParams) -> None:
        session = ls.session
        uri = params.text_document.uri
        found = session.closed(uri)
        if found is None:  # not analysed (another scheme...)
            return
        root, document = found
        session.clear(document)
        if root.single_file is None:
            # Its unsaved edits no longer count: other open documents may see other facts.
            session.schedule(root, None, delay=0)
