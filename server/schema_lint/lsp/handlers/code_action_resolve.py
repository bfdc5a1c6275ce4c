"""``codeAction/resolve``: compute the edit of a code action listed without one.

The action's ``data`` names the document, the version it was listed for and the finding.
The fix is computed on the document's latest analysed text; if the finding moved, it is
found again by what it is about (code, table, columns, index); if it is gone, or cannot be
fixed after all, the action comes back without an edit and the user is told why.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from schema_lint.diagnostics import NoFix
from schema_lint.lsp import convert
from schema_lint.lsp.fixing import fix_of, noqa, target_of
from schema_lint.lsp.handlers import code_action_migration as migration
from schema_lint.lsp.handlers.code_action import fix_all_edit, workspace_edit

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer

logger = logging.getLogger(__name__)


async def resolve(ls: SchemaLintServer, action: types.CodeAction) -> types.CodeAction:
    data = action.data
    if action.edit is not None or not isinstance(data, dict) or "schemaLint" not in data:
        return action
    session = ls.session
    target = await target_of(session, str(data.get("uri", "")))
    if target is None:
        return _unavailable(ls, action, "the document is not open or does not parse")
    kind = data["schemaLint"]
    if kind == "fixAll":
        edit = await fix_all_edit(session, target)
        if edit is None:
            return _unavailable(ls, action, "there is nothing left to fix safely")
        action.edit = edit
        return action
    listed = convert.from_payload(data.get("diagnostic"))
    diagnostic = target.find(listed) if listed is not None else None
    if diagnostic is None:
        return _unavailable(ls, action, "the finding is gone")
    if kind == "noqa":
        action.edit = workspace_edit(session, target, [noqa(target, diagnostic)])
        return action
    if kind == migration.KIND:
        made = await migration.migration_edit(session, target, diagnostic)
        if isinstance(made, str):
            return _unavailable(ls, action, made)
        action.edit = made
        return action
    fix = await fix_of(session, target, diagnostic)
    if fix is None or isinstance(fix, NoFix):
        reason = fix.reason if isinstance(fix, NoFix) else "the fix was not computed"
        return _unavailable(ls, action, reason)
    action.edit = workspace_edit(session, target, fix.edits)
    return action


def _unavailable(ls: SchemaLintServer, action: types.CodeAction, reason: str) -> types.CodeAction:
    message = f"schema-lint: {action.title}: {reason}"
    logger.info("%s", message)
    ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Info, message=message))
    return action


def register(server: SchemaLintServer) -> None:
    @server.feature(types.CODE_ACTION_RESOLVE)
    async def code_action_resolve(
        ls: SchemaLintServer, params: types.CodeAction
    ) -> types.CodeAction:
        try:
            return await resolve(ls, params)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("schema-lint: codeAction/resolve failed")
            return params
