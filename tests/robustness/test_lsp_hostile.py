"""The language server meets the same hostile files: it keeps serving and names them."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import (
    SERVER,
    Client,
    codes,
    copy_project,
    initialize,
    open_document,
    replace_text,
    wait_published,
)
from lsprotocol import types

DEEP = 10_000


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = copy_project(tmp_path)
    deep = "import sqlalchemy\n\nLIMIT = " + "(" * DEEP + "1" + ")" * DEEP + "\n"
    (root / "app" / "deep.py").write_text(deep)
    os.mkfifo(root / "app" / "pipe.py")  # the scan must not wait on it
    return root


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: Client, project: Path) -> AsyncIterator[None]:
    await initialize(lsp_client, project, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_deep_nesting_on_disk_and_while_typing_keeps_the_server_up(
    client: Client, project: Path
):
    deep = open_document(client, project / "app" / "deep.py")
    published = await wait_published(client, deep, lambda p: bool(p.diagnostics))
    (finding,) = published.diagnostics
    assert finding.code == "SL000" and "too deeply nested" in finding.message
    assert finding.range.start.line == 2
    # Code actions on it are computed without libcst ever seeing the text.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=deep),
            range=finding.range,
            context=types.CodeActionContext(diagnostics=[finding]),
        )
    )
    assert actions is None or all(isinstance(a, types.CodeAction) for a in actions)
    # A model typed deeper still: the server answers and the rest is analysed.
    models = project / "app" / "models.py"
    uri = open_document(client, models)
    first = await wait_published(client, uri, lambda p: bool(p.diagnostics))
    assert "SL001" in codes(first.diagnostics)
    text = models.read_text("utf-8") + "\nDEEPER = " + "[" * DEEP + "]" * DEEP + "\n"
    replace_text(client, uri, 2, text)
    typed = await wait_published(client, uri, lambda p: p.version == 2)
    assert any(d.code == "SL000" for d in typed.diagnostics)
    replace_text(client, uri, 3, models.read_text("utf-8"))
    back = await wait_published(client, uri, lambda p: p.version == 3)
    assert codes(back.diagnostics) == codes(first.diagnostics)
