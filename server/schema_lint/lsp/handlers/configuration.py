"""Settings: ``workspace/configuration`` (section ``schemaLint``), re-read on
``workspace/didChangeConfiguration``; clients without it send the settings along instead."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from schema_lint.lsp.settings import SECTION, Settings

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer

logger = logging.getLogger(__name__)

CONFIGURATION_TIMEOUT = 10.0


async def pull_settings(ls: SchemaLintServer) -> bool:
    """Ask the client for the global and per-root ``schemaLint`` settings and apply them.

    Returns whether some root's settings changed.
    """
    session = ls.session
    if not session.caps.workspace_configuration:
        return False
    roots = list(session.roots)
    items = [types.ConfigurationItem(section=SECTION)]
    items.extend(types.ConfigurationItem(scope_uri=root.uri, section=SECTION) for root in roots)
    try:
        result: Sequence[Any] | None = await asyncio.wait_for(
            ls.workspace_configuration_async(types.ConfigurationParams(items=items)),
            CONFIGURATION_TIMEOUT,
        )
    except Exception as exc:
        logger.warning("schema-lint: workspace/configuration failed: %s", exc)
        return False
    answers = list(result or ())
    session.settings = session.initial_settings.merged(answers[0] if answers else None)
    _warn(session.settings)
    changed = False
    for index, root in enumerate(roots, start=1):
        scoped = answers[index] if index < len(answers) and root.uri else None
        settings = session.settings.merged(scoped) if scoped is not None else session.settings
        _warn(settings)
        if settings != root.settings:
            root.update_settings(settings)
            changed = True
    return changed


def apply_pushed_settings(ls: SchemaLintServer, raw: Any) -> bool:
    """Settings sent in ``didChangeConfiguration`` by a client that cannot be asked."""
    session = ls.session
    session.settings = session.initial_settings.merged(raw)
    _warn(session.settings)
    changed = False
    for root in session.roots:
        if root.settings != session.settings:
            root.update_settings(session.settings)
            changed = True
    return changed


_warned: set[str] = set()


def _warn(settings: Settings) -> None:
    for warning in settings.warnings:
        if warning not in _warned:
            _warned.add(warning)
            logger.warning("schema-lint: settings: %s", warning)


async def register_for_changes(ls: SchemaLintServer) -> None:
    """Clients that register notifications dynamically only send this one if asked to."""
    if not ls.session.caps.configuration_registration:
        return
    registration = types.Registration(
        id=f"schema-lint-configuration-{uuid.uuid4()}",
        method=types.WORKSPACE_DID_CHANGE_CONFIGURATION,
        register_options=types.DidChangeConfigurationRegistrationOptions(section=SECTION),
    )
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(
                types.RegistrationParams(registrations=[registration])
            ),
            CONFIGURATION_TIMEOUT,
        )
    except Exception as exc:
        logger.info("schema-lint: the client did not register didChangeConfiguration: %s", exc)


def register(server: SchemaLintServer) -> None:
    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(
        ls: SchemaLintServer, params: types.DidChangeConfigurationParams
    ) -> None:
        session = ls.session
        if session.caps.workspace_configuration:
            await pull_settings(ls)
        else:
            apply_pushed_settings(ls, params.settings)
        for root in session.roots:
            # The pyproject.toml part may have changed too: always reload.
            root.invalidate(config=True)
            session.schedule(root, None, delay=0)
