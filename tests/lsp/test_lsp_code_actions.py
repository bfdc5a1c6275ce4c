"""Code actions: quick fixes, "ignore for this line", fix all; ``context.only``; resolve."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import (
    SERVER,
    Client,
    apply_text_edits,
    codes,
    edits_for,
    initialize,
    open_document,
    replace_text,
    wait_published,
)
from lsprotocol import types

FIX_ALL = "source.fixAll.schema-lint"


@pytest_lsp.fixture(config=SERVER, params=["visual-studio-code", "neovim", "no-resolve"])
async def client(lsp_client: Client, request: pytest.FixtureRequest, project: Path):
    # Listing waits for each fix (its message is the title; its safety makes it preferred).
    await initialize(lsp_client, project, request.param, {"fixTitleMs": 60_000})
    yield
    await lsp_client.shutdown_session()


async def _open(client: Client, project: Path) -> tuple[str, str, types.PublishDiagnosticsParams]:
    path = project / "app" / "models.py"
    uri = open_document(client, path)
    published = await wait_published(client, uri, lambda p: len(p.diagnostics) == 3)
    return uri, path.read_text("utf-8"), published


async def _actions(
    client: Client,
    uri: str,
    diagnostics: list[types.Diagnostic],
    only: list[str] | None = None,
) -> list[types.CodeAction]:
    rng = (
        diagnostics[0].range
        if diagnostics
        else types.Range(types.Position(0, 0), types.Position(0, 0))
    )
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    assert result is not None
    return [a for a in result if isinstance(a, types.CodeAction)]


async def _edit_of(client: Client, action: types.CodeAction) -> types.WorkspaceEdit:
    if client.profile == "no-resolve":
        assert action.edit is not None and action.data is None
        return action.edit
    assert action.edit is None and action.data is not None  # computed lazily
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None
    return resolved.edit


async def _apply(
    client: Client, uri: str, text: str, edit: types.WorkspaceEdit, version: int
) -> str:
    edit_version, edits = edits_for(edit, uri)
    assert edits
    if client.profile == "neovim" or edit.document_changes:
        assert edit.document_changes, "edits are versioned TextDocumentEdits"
        assert edit_version == version - 1
    new_text = apply_text_edits(text, edits, client.encoding)
    replace_text(client, uri, version, new_text)
    return new_text


@pytest.mark.asyncio
async def test_quick_fix_for_a_safe_finding_is_preferred_and_fixes_it(
    client: Client, project: Path
):
    uri, text, published = await _open(client, project)
    email = next(
        d for d in published.diagnostics if d.data["payload"].get("index") == "ix_users_email"
    )
    actions = await _actions(client, uri, [email])
    fix, ignore = (a for a in actions if a.kind == types.CodeActionKind.QuickFix)
    assert fix.title.startswith("Add `index=True`")
    assert fix.is_preferred is True
    assert list(fix.diagnostics or ()) == [email]
    assert ignore.title == "Ignore SL002 for this line"
    new_text = await _apply(client, uri, text, await _edit_of(client, fix), 2)
    assert "mapped_column(String(255), index=True)" in new_text
    after = await wait_published(client, uri, lambda p: p.version == 2)
    assert codes(after.diagnostics) == ["SL001", "SL002"]
    assert all(d.data["payload"].get("index") != "ix_users_email" for d in after.diagnostics)


@pytest.mark.asyncio
async def test_quick_fix_for_an_unsafe_finding_is_offered_not_preferred(
    client: Client, project: Path
):
    uri, text, published = await _open(client, project)
    junction = next(d for d in published.diagnostics if d.code == "SL001")
    (fix, _ignore) = await _actions(client, uri, [junction], only=[types.CodeActionKind.QuickFix])
    assert "UniqueConstraint" in fix.title and "unsafe" in fix.title
    assert not fix.is_preferred
    new_text = await _apply(client, uri, text, await _edit_of(client, fix), 2)
    assert 'UniqueConstraint("user_id", "role_id"' in new_text
    after = await wait_published(client, uri, lambda p: p.version == 2)
    # The model now declares a constraint no migration creates: SL003 until one does.
    assert codes(after.diagnostics) == ["SL002", "SL002", "SL003"]


@pytest.mark.asyncio
async def test_ignore_for_this_line_adds_noqa(client: Client, project: Path):
    uri, text, published = await _open(client, project)
    junction = next(d for d in published.diagnostics if d.code == "SL001")
    actions = await _actions(client, uri, [junction], only=[types.CodeActionKind.QuickFix])
    ignore = next(a for a in actions if a.title == "Ignore SL001 for this line")
    new_text = await _apply(client, uri, text, await _edit_of(client, ignore), 2)
    line = new_text.split("\n")[junction.range.start.line]
    assert line == '    __tablename__ = "user_roles"  # noqa: SL001'
    after = await wait_published(client, uri, lambda p: p.version == 2)
    assert codes(after.diagnostics) == ["SL002", "SL002"]


@pytest.mark.asyncio
async def test_ignore_merges_into_an_existing_noqa(client: Client, project: Path):
    path = project / "app" / "models.py"
    path.write_text(
        path.read_text("utf-8").replace(
            '__tablename__ = "user_roles"', '__tablename__ = "user_roles"  # noqa: E501'
        ),
        "utf-8",
    )
    uri, text, published = await _open(client, project)
    junction = next(d for d in published.diagnostics if d.code == "SL001")
    actions = await _actions(client, uri, [junction])
    ignore = next(a for a in actions if a.title == "Ignore SL001 for this line")
    new_text = await _apply(client, uri, text, await _edit_of(client, ignore), 2)
    assert '__tablename__ = "user_roles"  # noqa: E501, SL001' in new_text


@pytest.mark.asyncio
async def test_fix_all_applies_the_safe_fixes_only(client: Client, project: Path):
    uri, text, _ = await _open(client, project)
    (fix_all,) = await _actions(client, uri, [], only=[FIX_ALL])
    assert fix_all.kind == FIX_ALL
    new_text = await _apply(client, uri, text, await _edit_of(client, fix_all), 2)
    assert "String(255), index=True)" in new_text
    assert "UniqueConstraint" not in new_text  # unsafe
    after = await wait_published(client, uri, lambda p: p.version == 2)
    assert codes(after.diagnostics) == ["SL001"]


@pytest.mark.asyncio
async def test_context_only_is_honoured(client: Client, project: Path):
    uri, _text, published = await _open(client, project)
    everything = list(published.diagnostics)
    quick = await _actions(client, uri, everything, only=[types.CodeActionKind.QuickFix])
    assert quick and all(a.kind == types.CodeActionKind.QuickFix for a in quick)
    assert len(quick) == 6  # a fix and an "ignore" per finding
    source = await _actions(client, uri, everything, only=[types.CodeActionKind.Source])
    assert [a.kind for a in source] == [FIX_ALL]
    nothing = await _actions(client, uri, everything, only=[types.CodeActionKind.Refactor])
    assert nothing == []


@pytest.mark.asyncio
async def test_stale_action_data_is_handled(client: Client, project: Path):
    """Resolving for a finding that is gone returns the action unchanged; the server lives.

    A client that cannot resolve gets every edit with the action itself instead."""
    uri, text, published = await _open(client, project)
    junction = next(d for d in published.diagnostics if d.code == "SL001")
    (fix, _) = await _actions(client, uri, [junction], only=[types.CodeActionKind.QuickFix])
    if client.profile == "no-resolve":
        assert fix.edit is not None and fix.data is None
        return
    replace_text(
        client,
        uri,
        2,
        text.replace('__tablename__ = "user_roles"', '__tablename__ = "user_roles"  # noqa'),
    )
    await wait_published(client, uri, lambda p: p.version == 2)
    resolved = await client.code_action_resolve_async(fix)
    assert resolved.edit is None
    bogus = types.CodeAction(title="x", data={"schemaLint": "fix", "uri": uri, "diagnostic": 3})
    assert (await client.code_action_resolve_async(bogus)).edit is None
    assert await _actions(client, uri, [junction]) is not None


@pytest_lsp.fixture(config=SERVER)
async def impatient(lsp_client: Client, project: Path):
    await initialize(lsp_client, project, "visual-studio-code", {"fixTitleMs": 0})
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_a_fix_not_ready_for_the_listing_is_computed_on_resolve(
    impatient: Client, project: Path
):
    client = impatient
    uri, text, published = await _open(client, project)
    email = next(
        d for d in published.diagnostics if d.data["payload"].get("index") == "ix_users_email"
    )
    (fix, _ignore) = await _actions(client, uri, [email], only=[types.CodeActionKind.QuickFix])
    assert fix.title == "Fix SL002 (index-missing-in-model)"
    assert not fix.is_preferred and fix.edit is None
    new_text = await _apply(client, uri, text, await _edit_of(client, fix), 2)
    assert "mapped_column(String(255), index=True)" in new_text
