"""The "Create migration" code actions, end to end over stdio (VS Code and Neovim profiles).

The edit is applied as the client would (the model's edits, the new file created with its
text), the server sees it, and real Alembic runs the new revision.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest
import pytest_lsp
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from lsp_helpers import (
    SERVER,
    Client,
    apply_text_edits,
    initialize,
    open_document,
    replace_text,
    wait_published,
)
from lsprotocol import types
from pytest_lsp import client_capabilities

BLOG = Path(__file__).resolve().parents[1] / "generate" / "fixtures" / "blog_classic"
FINDINGS = 10


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    target = tmp_path / "blog"
    shutil.copytree(BLOG, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target.resolve()


@pytest_lsp.fixture(config=SERVER, params=["visual-studio-code", "neovim"])
async def client(lsp_client: Client, request: pytest.FixtureRequest, blog: Path):
    await initialize(lsp_client, blog, request.param)
    yield
    await lsp_client.shutdown_session()


async def _open(client: Client, blog: Path) -> tuple[str, str, list[types.Diagnostic]]:
    path = blog / "app" / "models.py"
    uri = open_document(client, path)
    published = await wait_published(client, uri, lambda p: len(p.diagnostics) == FINDINGS)
    return uri, path.read_text("utf-8"), list(published.diagnostics)


async def _actions(client: Client, uri: str, item: types.Diagnostic) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=item.range,
            context=types.CodeActionContext(diagnostics=[item]),
        )
    )
    return [a for a in result or () if isinstance(a, types.CodeAction)]


def _model_edits(edit: types.WorkspaceEdit, uri: str) -> tuple[int | None, list[types.TextEdit]]:
    """The version and the edits of ``uri`` (the model's part of the edit)."""
    found = [
        change
        for change in edit.document_changes or ()
        if isinstance(change, types.TextDocumentEdit) and change.text_document.uri == uri
    ]
    edits = [e for change in found for e in change.edits if isinstance(e, types.TextEdit)]
    return (found[0].text_document.version if found else None), edits


def _created(edit: types.WorkspaceEdit) -> list[tuple[str, str]]:
    """(uri, text) of each file the edit creates, in order."""
    changes = list(edit.document_changes or ())
    created = []
    for index, change in enumerate(changes):
        if isinstance(change, types.CreateFile):
            assert change.options is not None and not change.options.overwrite
            following = changes[index + 1]
            assert isinstance(following, types.TextDocumentEdit)
            assert following.text_document.uri == change.uri
            (text_edit,) = following.edits
            assert isinstance(text_edit, types.TextEdit)
            created.append((change.uri, text_edit.new_text))
    return created


def _write_created(edit: types.WorkspaceEdit, client: Client, models: str) -> list[Path]:
    """Create the files as the client would, and let the server know (watched files in VS
    Code, a save of the models in Neovim, which has no watchers)."""
    paths = []
    for uri, text in _created(edit):
        path = Path(uri.removeprefix("file://"))
        assert not path.exists()
        path.write_text(text, "utf-8")
        paths.append(path)
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=uri, type=types.FileChangeType.Created)]
            )
        )
    if client.profile != "visual-studio-code":
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=models))
        )
    return paths


def _alembic(blog: Path, url: str) -> Config:
    config = Config(str(blog / "alembic.ini"))
    config.attributes["url"] = url
    return config


@pytest.mark.asyncio
async def test_create_migration_for_the_junction_fix(client: Client, blog: Path, tmp_path: Path):
    uri, text, diagnostics = await _open(client, blog)
    junction = next(d for d in diagnostics if d.code == "SL001")
    actions = await _actions(client, uri, junction)
    titles = [a.title for a in actions]
    action = next(a for a in actions if a.title == "Create migration for this fix")
    assert titles.index("Create migration for this fix") < titles.index(
        "Ignore SL001 for this line"
    )
    assert action.edit is None and action.kind == types.CodeActionKind.QuickFix
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None

    # one WorkspaceEdit: the model's edit (versioned), then the new revision file
    version, model_edits = _model_edits(resolved.edit, uri)
    assert version == 1 and model_edits
    new_text = apply_text_edits(text, model_edits, client.encoding)
    assert 'UniqueConstraint("post_id", "tag_id", name="uq_post_tags_post_id_tag_id")' in new_text
    ((created_uri, revision),) = _created(resolved.edit)
    assert created_uri.startswith((blog / "migrations" / "versions").as_uri() + "/")
    # file_template with the date; the slug cut at 40 characters, as Alembic cuts it
    assert created_uri.endswith("_0003_add_unique_constraint_uq_post_tags_post_.py")
    assert "revision: str = '0003'" in revision and "= '0002'" in revision
    assert (
        "batch_op.create_unique_constraint('uq_post_tags_post_id_tag_id', ['post_id', 'tag_id'])"
        in revision
    )
    assert "GROUP BY post_id, tag_id HAVING COUNT(*) > 1" in revision.replace(
        "'\n            '", ""
    )
    assert "alter_column" not in revision  # only what the fix needs

    # the client applies it: the server then finds neither SL001 nor an SL003 for the pair
    (blog / "app" / "models.py").write_text(new_text, "utf-8")
    replace_text(client, uri, 2, new_text)
    mark = len(client.published)
    (path,) = _write_created(resolved.edit, client, uri)
    after = await wait_published(
        client, uri, lambda p: len(p.diagnostics) == FINDINGS - 1, after=mark
    )
    assert all(d.code != "SL001" for d in after.diagnostics)
    assert all("post_tags" not in d.message for d in after.diagnostics)

    # and real Alembic runs it: the pair is unique, the downgrade undoes it
    url = f"sqlite:///{tmp_path / 'blog.db'}"
    command.upgrade(_alembic(blog, url), "head")
    db = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        uniques = sa.inspect(db).get_unique_constraints("post_tags")
        assert [(u["name"], u["column_names"]) for u in uniques] == [
            ("uq_post_tags_post_id_tag_id", ["post_id", "tag_id"])
        ]
    finally:
        db.dispose()
    command.downgrade(_alembic(blog, url), "-1")
    assert path.is_file()


@pytest.mark.asyncio
async def test_create_migration_to_match_the_model(client: Client, blog: Path):
    uri, _, diagnostics = await _open(client, blog)
    index = next(d for d in diagnostics if d.code == "SL007")
    actions = await _actions(client, uri, index)
    action = next(a for a in actions if a.title == "Create migration to match the model")
    resolved = await client.code_action_resolve_async(action)
    assert resolved.edit is not None
    assert _model_edits(resolved.edit, uri) == (None, [])  # the model stays as it is
    ((_, revision),) = _created(resolved.edit)
    assert "batch_op.create_index(batch_op.f('ix_posts_slug'), ['slug'], unique=False)" in revision
    assert "batch_op.drop_index(batch_op.f('ix_posts_slug'))" in revision
    mark = len(client.published)
    _write_created(resolved.edit, client, uri)
    after = await wait_published(
        client, uri, lambda p: len(p.diagnostics) == FINDINGS - 1, after=mark
    )
    assert all(d.code != "SL007" for d in after.diagnostics)


def _without_file_creation() -> types.ClientCapabilities:
    caps = copy.deepcopy(client_capabilities("visual-studio-code"))
    assert caps.workspace is not None and caps.workspace.workspace_edit is not None
    caps.workspace.workspace_edit.resource_operations = [types.ResourceOperationKind.Rename]
    return caps


@pytest_lsp.fixture(config=SERVER)
async def plain_client(lsp_client: Client, blog: Path, monkeypatch: pytest.MonkeyPatch):
    import lsp_helpers

    monkeypatch.setattr(lsp_helpers, "capabilities", lambda profile: _without_file_creation())
    await initialize(lsp_client, blog, "visual-studio-code")
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_not_offered_to_a_client_that_cannot_create_files(plain_client: Client, blog: Path):
    uri, _, diagnostics = await _open(plain_client, blog)
    junction = next(d for d in diagnostics if d.code == "SL001")
    titles = [a.title for a in await _actions(plain_client, uri, junction)]
    assert "Ignore SL001 for this line" in titles
    assert not any(title.startswith("Create migration") for title in titles)
