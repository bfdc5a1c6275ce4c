"""``textDocument/didSave``: analyse now, and look at the disk for what changed behind us.

Saving is when files change that the editor does not tell us about (a new revision file
from ``alembic revision``, ``pyproject.toml`` edited elsewhere) for clients that cannot
watch files for us: the refresh compares the stamps of those files with the disk.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer

logger = logging.getLogger(__name__)


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: SchemaLintServer, params: types.DidSaveTextDocumentParams) -> None:
        session = ls.session
        uri = params.text_document.uri
        found = session.lookup(uri)
        if found is None:
            if unquote(uri) not in ls.workspace.text_documents:
                logger.warning("schema-lint: saving %s, which is not open: ignored", uri)
            return
        root, document = found
        if document.is_config and os.path.dirname(document.path) == str(root.path):
            root.invalidate(config=True, rescan=True)
        root.invalidate(disk=True)
        session.schedule(root, document, delay=0)
