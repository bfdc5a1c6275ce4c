"""Files outside every workspace folder are analysed alone, never made the root of a scan;
clients with no workspace folder at all; documents that are not open."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import (
    FIXTURES,
    SERVER,
    Client,
    capabilities,
    codes,
    copy_project,
    initialize,
    open_document,
    wait_published,
)
from lsprotocol import types
from schema_lint.cache import CACHE_DIR_NAME

MODELS = Path("app") / "models.py"


def elsewhere(tmp_path: Path) -> Path:
    """A folder outside the workspace that looks like a project (pyproject.toml, alembic.ini,
    a migration creating two indexes) whose models are in a scratch file: were the folder
    scanned, the scratch file would get the migration's SL002 findings and a cache."""
    folder = tmp_path / "elsewhere"
    shutil.copytree(FIXTURES / "shop", folder)
    (folder / MODELS).rename(folder / "scratch.py")
    return folder.resolve()


@pytest.mark.asyncio
async def test_a_scratch_file_outside_the_workspace_is_analysed_alone(
    client: Client, project: Path, tmp_path: Path
):
    folder = elsewhere(tmp_path)
    scratch = open_document(client, folder / "scratch.py")
    # A file at the filesystem root that does not even exist: never a scan of /.
    at_root = f"file:///schema-lint-scratch-{uuid.uuid4().hex}.py"
    root_cache = Path("/") / CACHE_DIR_NAME
    root_cache_before = root_cache.exists()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=at_root,
                language_id="python",
                version=1,
                text=(project / MODELS).read_text("utf-8"),
            )
        )
    )
    # The workspace's own diagnostics still arrive (nothing big was scanned before them).
    models = open_document(client, project / MODELS)
    workspace = await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    assert codes(workspace.diagnostics) == ["SL001", "SL002", "SL002"]
    # Each outside file has its own facts only: the junction, none of the migration's indexes.
    for uri in (scratch, at_root):
        alone = await wait_published(client, uri, lambda p: bool(p.diagnostics))
        assert codes(alone.diagnostics) == ["SL001"]
    assert not (folder / CACHE_DIR_NAME).exists()
    assert root_cache.exists() == root_cache_before
    # Typing in the scratch file is analysed as usual.
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=scratch, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text="x = 1\n")],
        )
    )
    await wait_published(client, scratch, lambda p: p.version == 2 and not p.diagnostics)
    assert not (folder / CACHE_DIR_NAME).exists()


@pytest.mark.asyncio
async def test_a_file_analysed_alone_joins_a_workspace_folder_added_around_it(
    client: Client, tmp_path: Path
):
    folder = elsewhere(tmp_path)
    scratch = open_document(client, folder / "scratch.py")
    alone = await wait_published(client, scratch, lambda p: bool(p.diagnostics))
    assert codes(alone.diagnostics) == ["SL001"]
    mark = len(client.published)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)], removed=[]
            )
        )
    )
    joined = await wait_published(client, scratch, lambda p: len(p.diagnostics) == 3, after=mark)
    assert codes(joined.diagnostics) == ["SL001", "SL002", "SL002"]


# --- a client with no workspace folder at all ----------------------------------------------


@pytest_lsp.fixture(config=SERVER, params=["visual-studio-code", "neovim"])
async def folderless(lsp_client: Client, request: pytest.FixtureRequest):
    """A client that opened files, not a folder (``code file.py``, ``nvim /tmp/x.py``)."""
    result = await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(request.param),
            root_uri=None,
            workspace_folders=None,
            initialization_options={"debounceMs": 50},
        )
    )
    lsp_client.init_result = result
    lsp_client.profile = request.param
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_without_a_workspace_folder_a_file_in_an_evident_project_gets_the_project(
    folderless: Client, tmp_path: Path
):
    project = copy_project(tmp_path)
    models = open_document(folderless, project / MODELS)
    published = await wait_published(folderless, models, lambda p: len(p.diagnostics) == 3)
    assert codes(published.diagnostics) == ["SL001", "SL002", "SL002"]


@pytest.mark.asyncio
async def test_without_a_workspace_folder_a_file_in_no_project_is_analysed_alone(
    folderless: Client, tmp_path: Path
):
    loose = tmp_path / "loose"
    shutil.copytree(FIXTURES / "shop", loose)
    (loose / "pyproject.toml").unlink()
    (loose / "alembic.ini").unlink()  # the migrations are still there, unconfigured
    models = open_document(folderless, loose / MODELS)
    published = await wait_published(folderless, models, lambda p: bool(p.diagnostics))
    assert codes(published.diagnostics) == ["SL001"]
    assert not (loose / CACHE_DIR_NAME).exists()
    assert not (loose / "app" / CACHE_DIR_NAME).exists()


# --- requests on documents that are not open -------------------------------------------------


@pytest_lsp.fixture(config=SERVER)
async def puller(lsp_client: Client, project: Path):
    await initialize(lsp_client, project, "pull")
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_a_pull_for_a_document_that_is_not_open_reads_the_disk(
    puller: Client, project: Path, tmp_path: Path
):
    async def pull(uri: str) -> list[types.Diagnostic]:
        report = await puller.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
        return list(report.items)

    assert codes(await pull((project / MODELS).as_uri())) == ["SL001", "SL002", "SL002"]
    # Outside the workspace: the file alone, from disk.
    folder = elsewhere(tmp_path)
    assert codes(await pull((folder / "scratch.py").as_uri())) == ["SL001"]
    assert not (folder / CACHE_DIR_NAME).exists()
    # Neither a file nor a Python file: nothing, and an answer.
    assert await pull("untitled:Untitled-1") == []
    assert await pull((project / "pyproject.toml").as_uri()) == []
