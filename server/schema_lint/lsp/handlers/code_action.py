"""``textDocument/codeAction``: a quick fix per finding, "ignore for this line", fix all.

Like ruff's ``requests/code_action.rs``, actions are built statelessly from the payload each
diagnostic carries in ``data``. Fixes are libcst transformations (:mod:`schema_lint.fixes`)
computed on demand on their own worker thread, never while diagnostics are computed:

- a quick fix per finding, preferred when the fix is safe; listing one waits at most
  ``fixTitleMs`` (a setting, 1 s by default) for the fix, whose message is the title, and
  its edit is resolved lazily through ``codeAction/resolve`` when the client supports it
  (a slower fix is listed with a generic title and computed on resolve);
- "Ignore SL00x for this line": adds ``# noqa: SL00x`` or merges the code into the line's;
- ``source.fixAll.schema-lint``: every safe fix of the document, applied in rounds;
- "Create migration ..." (:mod:`~schema_lint.lsp.handlers.code_action_migration`).

Edits are ``TextDocumentEdit``s carrying the version of the text the fix was computed
from, so a client whose document moved on rejects them instead of corrupting it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, NoFix
from schema_lint.lsp import convert
from schema_lint.lsp.fixing import Target, fix_all, fix_of, fixable, noqa, target_of
from schema_lint.lsp.handlers import code_action_migration as migration
from schema_lint.rules.registry import rule_for

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer
    from schema_lint.lsp.session import Session

logger = logging.getLogger(__name__)

QUICKFIX = types.CodeActionKind.QuickFix.value
FIX_ALL = "source.fixAll.schema-lint"
KINDS = (QUICKFIX, FIX_ALL)
OPTIONS = types.CodeActionOptions(code_action_kinds=list(KINDS), resolve_provider=True)


def wanted(only: Sequence[str] | None, kind: str, *, implicit: bool = True) -> bool:
    """Whether ``context.only`` asks for ``kind`` (``None``: whatever ``implicit`` says)."""
    if only is None:
        return implicit
    return any(kind == k or kind.startswith(f"{k}.") for k in only)


# --- LSP values --------------------------------------------------------------------------------


def workspace_edit(session: Session, target: Target, edits: Sequence[Edit]) -> types.WorkspaceEdit:
    """``edits`` as versioned ``TextDocumentEdit``s (or plain ``changes``)."""
    encoding = session.caps.position_encoding
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    document_changes: list[types.TextDocumentEdit] = []
    changes: dict[str, list[types.TextEdit]] = {}
    for path, group in by_path.items():
        if path == target.path:
            uri, version, lines = target.document.uri, target.version, convert.Lines(target.text)
        else:
            found = next((d for _, d in session.documents.values() if d.path == path), None)
            text = found.latest.text if found is not None else target.read_text(path)
            uri = found.uri if found is not None else session.uri_for(path)
            version = found.latest.version if found is not None else None
            lines = convert.Lines(text or "")
        text_edits = convert.text_edits(lines, group, encoding)
        changes[uri] = text_edits
        document_changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=version
                ),
                edits=list(text_edits),
            )
        )
    if session.caps.versioned_edits:
        return types.WorkspaceEdit(document_changes=list(document_changes))
    return types.WorkspaceEdit(changes=changes)


def whole_text_edit(path: str, old: str, new: str) -> Edit:
    """One edit turning ``old`` into ``new``: the span between their common ends."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1

    def place(offset: int) -> tuple[int, int]:
        line = old.count("\n", 0, offset) + 1
        return line, offset - (old.rfind("\n", 0, offset) + 1)

    (line, col), (end_line, end_col) = place(prefix), place(len(old) - suffix)
    return Edit(path, line, col, end_line, end_col, new[prefix : len(new) - suffix])


def action_data(kind: str, target: Target, diagnostic: Diagnostic | None) -> dict[str, Any]:
    return {
        "schemaLint": kind,
        "uri": target.document.uri,
        "version": target.version,
        "diagnostic": convert.payload(diagnostic) if diagnostic is not None else None,
    }


def generic_title(diagnostic: Diagnostic) -> str:
    rule = rule_for(diagnostic.code)
    return f"Fix {diagnostic.code} ({rule.slug})" if rule is not None else f"Fix {diagnostic.code}"


def noqa_title(diagnostic: Diagnostic) -> str:
    return f"Ignore {diagnostic.code} for this line"


FIX_ALL_TITLE = "Fix all safe schema-lint findings"


# --- the request ---------------------------------------------------------------------------------


def ours(
    target: Target, context: types.CodeActionContext
) -> list[tuple[types.Diagnostic, Diagnostic]]:
    """The client's diagnostics that are ours, with the current finding of each."""
    found: list[tuple[types.Diagnostic, Diagnostic]] = []
    for item in context.diagnostics:
        if item.source != convert.SOURCE:
            continue
        diagnostic = convert.from_payload(item.data)
        if diagnostic is None:  # a client that drops `data`: match by code and line
            diagnostic = next(
                (
                    d
                    for d in target.diagnostics()
                    if d.code == item.code and d.span.line == item.range.start.line + 1
                ),
                None,
            )
        current = target.find(diagnostic) if diagnostic is not None else None
        if current is not None:
            found.append((item, current))
    return found


async def code_actions(
    ls: SchemaLintServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    session = ls.session
    caps = session.caps
    if not caps.code_action_literals:
        return None
    target = await target_of(session, params.text_document.uri)
    if target is None:
        return None
    only = params.context.only
    lazy = caps.code_action_resolve
    actions: list[types.CodeAction] = []
    if wanted(only, QUICKFIX):
        for item, diagnostic in ours(target, params.context):
            if fixable(diagnostic.code):
                action = await _fix_action(session, target, item, diagnostic, lazy)
                if action is not None:
                    actions.append(action)
            title = migration.offered(session, target, diagnostic)
            if title is not None:
                actions.append(migration.action(target, item, diagnostic, title))
            actions.append(_noqa_action(session, target, item, diagnostic, lazy))
    if wanted(only, FIX_ALL, implicit=lazy) and any(fixable(d.code) for d in target.diagnostics()):
        action = await _fix_all_action(session, target, lazy)
        if action is not None:
            actions.append(action)
    return actions


async def _fix_action(
    session: Session,
    target: Target,
    item: types.Diagnostic,
    diagnostic: Diagnostic,
    lazy: bool,
) -> types.CodeAction | None:
    caps = session.caps
    budget = target.root.settings.fix_title_ms / 1000 if lazy else None
    fix = await fix_of(session, target, diagnostic, budget)
    if isinstance(fix, NoFix):
        if not caps.code_action_disabled:
            return None
        return types.CodeAction(
            title=f"{generic_title(diagnostic)}: not available",
            kind=QUICKFIX,
            diagnostics=[item],
            disabled=types.CodeActionDisabled(reason=fix.reason),
        )
    action = types.CodeAction(
        title=fix.message if fix is not None else generic_title(diagnostic),
        kind=QUICKFIX,
        diagnostics=[item],
        is_preferred=(
            fix is not None and fix.applicability is Applicability.SAFE
            if caps.code_action_preferred
            else None
        ),
    )
    if lazy:
        action.data = action_data("fix", target, diagnostic)
    else:
        assert fix is not None
        action.edit = workspace_edit(session, target, fix.edits)
    return action


def _noqa_action(
    session: Session,
    target: Target,
    item: types.Diagnostic,
    diagnostic: Diagnostic,
    lazy: bool,
) -> types.CodeAction:
    action = types.CodeAction(title=noqa_title(diagnostic), kind=QUICKFIX, diagnostics=[item])
    if lazy:
        action.data = action_data("noqa", target, diagnostic)
    else:
        action.edit = workspace_edit(session, target, [noqa(target, diagnostic)])
    return action


async def _fix_all_action(session: Session, target: Target, lazy: bool) -> types.CodeAction | None:
    action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL)
    if lazy:
        action.data = action_data("fixAll", target, None)
        return action
    edit = await fix_all_edit(session, target)
    if edit is None:
        return None
    action.edit = edit
    return action


async def fix_all_edit(session: Session, target: Target) -> types.WorkspaceEdit | None:
    loop = asyncio.get_running_loop()
    new_text, count = await loop.run_in_executor(session.fix_worker, fix_all, session, target)
    if not count or new_text == target.text:
        return None
    return workspace_edit(session, target, [whole_text_edit(target.path, target.text, new_text)])


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, OPTIONS)
    async def code_action(
        ls: SchemaLintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        try:
            return await code_actions(ls, params)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("schema-lint: textDocument/codeAction failed")
            return None
