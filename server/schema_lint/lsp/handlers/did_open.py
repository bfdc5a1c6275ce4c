"""``textDocument/didOpen``: track the document and analyse its text right away."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: SchemaLintServer, params: types.DidOpenTextDocumentParams) -> None:
        item = params.text_document
        found = ls.session.opened(item.uri, item.text, item.version)
        if found is not None:
            root, document = found
            ls.session.schedule(root, document, delay=0)
