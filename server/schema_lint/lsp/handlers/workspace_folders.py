"""``workspace/didChangeWorkspaceFolders``: scan added roots, forget removed ones (other
schemes than ``file:`` are no folders of ours)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types

from schema_lint.lsp.handlers.initialized import scan
from schema_lint.lsp.session import uri_to_path

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer


def register(server: SchemaLintServer) -> None:
    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_workspace_folders(
        ls: SchemaLintServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        session = ls.session
        for folder in params.event.removed:
            path = uri_to_path(folder.uri)
            if path is not None:
                session.remove_folder(path)
        added = []
        for folder in params.event.added:
            path = uri_to_path(folder.uri)
            if path is not None:
                # Files analysed alone that the folder holds become part of its project.
                added.append(session.add_folder(Path(path), folder.uri))
        if added:
            session.spawn(scan(ls, added), "scanning added workspace folders")
