"""Bad input, typing fast, and a clean exit."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import (
    SERVER,
    Client,
    codes,
    initialize,
    open_document,
    replace_text,
    wait_published,
)
from lsprotocol import types

MIGRATION = Path("migrations") / "versions" / "0001_initial.py"
SLUG_INDEX = '    op.create_index(op.f("ix_labels_slug"), "labels", ["slug"])\n'


@pytest.mark.asyncio
async def test_a_syntax_error_while_typing_reports_nothing_misleading(
    client: Client, project: Path
):
    path = project / "app" / "models.py"
    models = open_document(client, path)
    good = await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    text = path.read_text("utf-8")
    # Half-typed: a new line above everything that does not parse.
    broken = text.replace("class User(Base):", "class Broken(Base:\n    x = (\n\nclass User(Base):")
    replace_text(client, models, 2, broken)
    # Meanwhile another file changes: the model's last good facts still count.
    migration_path = project / MIGRATION
    migration = open_document(client, migration_path)
    replace_text(client, migration, 2, migration_path.read_text("utf-8").replace(SLUG_INDEX, ""))
    # The server keeps answering while the model does not parse.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=models),
            range=good.diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=list(good.diagnostics)),
        )
    )
    assert actions is None  # no fixes computed on a text that does not parse
    # Typing goes on: the text parses again (lines moved) and results are fresh.
    fixed = broken.replace("class Broken(Base:\n    x = (\n", "class Broken(Base):\n    x = ()\n")
    replace_text(client, models, 3, fixed)
    final = await wait_published(client, models, lambda p: p.version == 3)
    assert codes(final.diagnostics) == ["SL001", "SL002"]
    assert all(d.data["payload"].get("index") != "ix_labels_slug" for d in final.diagnostics)
    lines = fixed.split("\n")
    junction = next(d for d in final.diagnostics if d.code == "SL001")
    assert lines[junction.range.start.line].strip() == '__tablename__ = "user_roles"'
    # Nothing was published for the version that did not parse.
    assert not [p for p in client.published if p.uri == models and p.version == 2]


@pytest.mark.asyncio
async def test_a_thousand_rapid_changes(client: Client, project: Path):
    path = project / "app" / "models.py"
    models = open_document(client, path)
    await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    text = path.read_text("utf-8")
    line = text.split("\n").index('    __tablename__ = "user_roles"')
    mark = len(client.published)
    version = 1
    typed = "  # noqa: SL001"
    for step in range(1000):
        version += 1
        # Type the comment one character at a time, and delete it again, over and over.
        position = step % (2 * len(typed))
        column = len('    __tablename__ = "user_roles"')
        if position < len(typed):
            change = types.TextDocumentContentChangePartial(
                range=types.Range(
                    types.Position(line, column + position), types.Position(line, column + position)
                ),
                text=typed[position],
            )
        else:
            back = 2 * len(typed) - position - 1
            change = types.TextDocumentContentChangePartial(
                range=types.Range(
                    types.Position(line, column + back), types.Position(line, column + back + 1)
                ),
                text="",
            )
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=models, version=version),
                content_changes=[change],
            )
        )
        if step % 100 == 0:
            await asyncio.sleep(0)
    # 1000 = 33 round trips of 30 keystrokes, then 10 more: the line ends in a noqa
    # comment with a colon and no codes.
    # The server is responsive: a request is answered promptly...
    result = await asyncio.wait_for(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=models),
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                context=types.CodeActionContext(diagnostics=[], only=["quickfix"]),
            )
        ),
        30,
    )
    assert list(result or ()) == []
    # ...and the last diagnostics are for the last version.
    last = await wait_published(client, models, lambda p: p.version == version, after=mark)
    # A noqa comment without codes silences every code on its line.
    assert codes(last.diagnostics) == ["SL002", "SL002"]
    stale = [p for p in client.published[mark:] if p.uri == models]
    assert stale[-1] is last
    assert len(stale) < 100, "changes are debounced"
    versions = [p.version for p in stale]
    assert versions == sorted(versions)


@pytest.mark.asyncio
async def test_a_document_outside_the_workspace_or_not_a_file(client: Client, tmp_path: Path):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri="untitled:Untitled-1", language_id="python", version=1, text="x = ("
            )
        )
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pyproject.toml").write_text("[tool.schema-lint]\n")
    lonely = elsewhere / "models.py"
    lonely.write_text(
        "from sqlalchemy import Column, ForeignKey, Table, MetaData\n"
        "metadata = MetaData()\n"
        'pairs = Table("pairs", metadata, Column("a_id", ForeignKey("a.id")),'
        ' Column("b_id", ForeignKey("b.id")))\n'
    )
    uri = open_document(client, lonely)
    published = await wait_published(client, uri, lambda p: bool(p.diagnostics))
    assert codes(published.diagnostics) == ["SL001"]


@pytest_lsp.fixture(config=SERVER)
async def raw_client(lsp_client: Client, project: Path):
    await initialize(lsp_client, project, "visual-studio-code")
    yield


@pytest.mark.asyncio
async def test_shutdown_then_exit_is_clean(raw_client: Client, project: Path):
    models = open_document(raw_client, project / "app" / "models.py")
    await wait_published(raw_client, models, lambda p: bool(p.diagnostics))
    await raw_client.shutdown_session()
    assert raw_client._server is not None
    assert raw_client._server.returncode == 0


@pytest.mark.asyncio
async def test_the_tcp_option_listens(tmp_path: Path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "schema_lint",
        "lsp",
        "--tcp",
        f"127.0.0.1:{port}",
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        for _ in range(300):
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the server did not listen")
        body = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
        writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        header = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        assert header.startswith(b"Content-Length:")
        writer.close()
    finally:
        process.kill()
        await process.wait()


@pytest.mark.asyncio
async def test_a_change_to_a_document_never_opened_is_logged_and_serving_goes_on(
    client: Client, project: Path
):
    # pygls 2.1.1's own handler raises KeyError on this; the server logs it and goes on.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=(project / "never_opened.py").as_uri(), version=2
            ),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(0, 0), types.Position(0, 0)), text="x"
                )
            ],
        )
    )
    from lsp_helpers import wait_for

    warning = await wait_for(
        lambda: next((m for m in client.log_messages if "never_opened.py" in m.message), None),
        what="a line about never_opened.py in the client's log",
    )
    assert warning.type == types.MessageType.Warning
    assert "not open" in warning.message
    models = open_document(client, project / "app" / "models.py")
    await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    assert not [m for m in client.log_messages if m.type == types.MessageType.Error]
