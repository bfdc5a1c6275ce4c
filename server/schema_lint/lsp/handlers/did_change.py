"""``textDocument/didChange``: the unsaved text counts; analyse it after a pause in typing.

pygls has already applied the (incremental) changes to its copy of the document; the new
text becomes the document's latest snapshot, which supersedes any analysis scheduled for
an older one that has not started yet. A change to a document that is not open never gets
here: the protocol logs and ignores it (:class:`~schema_lint.lsp.server.SchemaLintProtocol`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: SchemaLintServer, params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        text = ls.workspace.get_text_document(uri).source
        found = ls.session.changed(uri, text, params.text_document.version)
        if found is not None:
            root, document = found
            ls.session.schedule(root, document)
