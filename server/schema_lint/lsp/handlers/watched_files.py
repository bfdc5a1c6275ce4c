"""``workspace/didChangeWatchedFiles``: revision files and configuration changed on disk.

When the client registers watchers dynamically (VS Code), we ask it to watch every
``pyproject.toml`` and ``alembic.ini`` and the revision files of each Alembic environment.
Clients that cannot (Neovim on Linux) still get fresh results: saving or opening a document
compares the stamps of those files with the disk (see :mod:`schema_lint.lsp.handlers.did_save`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import from_fs_path

from schema_lint.lsp.session import uri_to_path
from schema_lint.lsp.workspace import CONFIG_FILES

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer

logger = logging.getLogger(__name__)

REGISTRATION_TIMEOUT = 10.0


async def register_watchers(ls: SchemaLintServer, *, force: bool = False) -> None:
    """(Re-)register the watchers when the set of watched directories changed."""
    session = ls.session
    if not session.caps.watched_files_registration:
        return
    directories = tuple(sorted({d for root in session.roots for d in root.version_dirs()}))
    if not force and session.watched is not None and session.watched[1] == directories:
        return
    watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}") for name in sorted(CONFIG_FILES)]
    for directory in directories:
        pattern: types.GlobPattern
        if session.caps.watched_files_relative_patterns:
            pattern = types.RelativePattern(base_uri=from_fs_path(directory) or "", pattern="*.py")
        else:
            root = next((r for r in session.roots if r.contains(directory)), None)
            relative = os.path.relpath(directory, root.path) if root else directory
            relative = relative.replace(os.sep, "/")
            pattern = (
                f"**/{relative}/*.py" if not relative.startswith("..") else f"{directory}/*.py"
            )
        watchers.append(types.FileSystemWatcher(glob_pattern=pattern))
    registration = types.Registration(
        id=f"schema-lint-watched-files-{uuid.uuid4()}",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
    )
    try:
        if session.watched is not None:
            await asyncio.wait_for(
                ls.client_unregister_capability_async(
                    types.UnregistrationParams(
                        unregisterations=[
                            types.Unregistration(
                                id=session.watched[0],
                                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                            )
                        ]
                    )
                ),
                REGISTRATION_TIMEOUT,
            )
        await asyncio.wait_for(
            ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            ),
            REGISTRATION_TIMEOUT,
        )
        session.watched = (registration.id, directories)
    except Exception as exc:
        logger.info("schema-lint: the client did not register file watchers: %s", exc)


def register(server: SchemaLintServer) -> None:
    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: SchemaLintServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        session = ls.session
        touched = []
        for change in params.changes:
            path = uri_to_path(change.uri)
            if path is None:
                continue
            root = session.root_for(path, create=False)
            if root is None:
                continue
            name = os.path.basename(path)
            if name in CONFIG_FILES:
                root.invalidate(config=True, rescan=True)
            elif name.endswith(".py"):
                root.disk_changed([path])
            else:
                continue
            if root not in touched:
                touched.append(root)
        for root in touched:
            session.schedule(root, None, delay=0.05)
