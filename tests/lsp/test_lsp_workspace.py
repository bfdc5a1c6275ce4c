"""Cross-file updates, configuration and file watching, with both capability profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import Client, codes, open_document, replace_text, wait_for, wait_published
from lsprotocol import types

MIGRATION = Path("migrations") / "versions" / "0001_initial.py"
WATCHED = types.WORKSPACE_DID_CHANGE_WATCHED_FILES
EMAIL_INDEX = '    op.create_index(op.f("ix_users_email"), "users", ["email"])\n'


def _email(items: object) -> bool:
    return any(d.data["payload"].get("index") == "ix_users_email" for d in items)  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_editing_an_open_migration_updates_the_models_diagnostics(
    client: Client, project: Path
):
    models = open_document(client, project / "app" / "models.py")
    first = await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    assert _email(first.diagnostics)
    migration_path = project / MIGRATION
    migration = open_document(client, migration_path)
    text = migration_path.read_text("utf-8")
    assert EMAIL_INDEX in text
    mark = len(client.published)
    replace_text(client, migration, 2, text.replace(EMAIL_INDEX, ""))
    after = await wait_published(client, models, lambda p: len(p.diagnostics) == 2, after=mark)
    assert not _email(after.diagnostics)
    assert after.version == 1  # the model's own text did not change
    # ...and closing the migration without saving brings the disk's facts back.
    mark = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=migration))
    )
    back = await wait_published(client, models, lambda p: len(p.diagnostics) == 3, after=mark)
    assert _email(back.diagnostics)


@pytest.mark.asyncio
async def test_a_migration_changed_on_disk_is_seen(client: Client, project: Path):
    """With file watching (VS Code) through didChangeWatchedFiles; without it (Neovim)
    when a document is saved."""
    models_path = project / "app" / "models.py"
    models = open_document(client, models_path)
    await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    migration_path = project / MIGRATION
    migration_path.write_text(migration_path.read_text("utf-8").replace(EMAIL_INDEX, ""), "utf-8")
    mark = len(client.published)
    if client.profile == "visual-studio-code":
        watched = await wait_for(
            lambda: [r for r in client.registrations if r.method == WATCHED],
            what="a registration of watched files",
        )
        options = watched[0].register_options
        globs = [w["globPattern"] for w in options["watchers"]]
        assert "**/pyproject.toml" in globs and "**/migrations/versions/*.py" in globs
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=migration_path.as_uri(), type=types.FileChangeType.Changed)
                ]
            )
        )
    else:
        assert not [r for r in client.registrations if r.method == WATCHED]
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=models))
        )
    after = await wait_published(client, models, lambda p: len(p.diagnostics) == 2, after=mark)
    assert not _email(after.diagnostics)


@pytest.mark.asyncio
async def test_a_new_revision_file_is_seen(client: Client, project: Path):
    models = open_document(client, project / "app" / "models.py")
    await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    new = project / "migrations" / "versions" / "0002_role_name.py"
    new.write_text(
        '"""role name index"""\n'
        "from alembic import op\n\n"
        'revision = "0002"\n'
        'down_revision = "0001"\n\n\n'
        "def upgrade() -> None:\n"
        '    op.create_index("ix_roles_name", "roles", ["name"])\n\n\n'
        "def downgrade() -> None:\n"
        '    op.drop_index("ix_roles_name", table_name="roles")\n',
        "utf-8",
    )
    mark = len(client.published)
    if client.profile == "visual-studio-code":
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=new.as_uri(), type=types.FileChangeType.Created)]
            )
        )
    else:
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=models))
        )
    after = await wait_published(client, models, lambda p: len(p.diagnostics) == 4, after=mark)
    assert any(d.data["payload"].get("index") == "ix_roles_name" for d in after.diagnostics)


@pytest.mark.asyncio
async def test_pyproject_changes_reload_the_configuration(client: Client, project: Path):
    models = open_document(client, project / "app" / "models.py")
    await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text("utf-8") + 'ignore = ["SL002"]\n', "utf-8")
    mark = len(client.published)
    if client.profile == "visual-studio-code":
        client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]
            )
        )
    else:
        client.text_document_did_save(
            types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=models))
        )
    after = await wait_published(
        client, models, lambda p: codes(p.diagnostics) == ["SL001"], after=mark
    )
    assert after.version == 1


@pytest.mark.asyncio
async def test_an_open_pyproject_counts_before_it_is_saved(client: Client, project: Path):
    models = open_document(client, project / "app" / "models.py")
    await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    pyproject = project / "pyproject.toml"
    uri = open_document(client, pyproject)
    mark = len(client.published)
    replace_text(client, uri, 2, pyproject.read_text("utf-8") + 'select = ["SL002"]\n')
    await wait_published(
        client, models, lambda p: codes(p.diagnostics) == ["SL002", "SL002"], after=mark
    )
    # An invalid pyproject.toml is reported and the last good configuration stays.
    mark = len(client.published)
    replace_text(client, uri, 3, pyproject.read_text("utf-8") + "select = [\n")
    await wait_for(
        lambda: any("invalid TOML" in m.message for m in client.messages), what="message"
    )
    replace_text(client, uri, 4, pyproject.read_text("utf-8"))
    back = await wait_published(client, models, lambda p: len(p.diagnostics) == 3, after=mark)
    assert codes(back.diagnostics) == ["SL001", "SL002", "SL002"]


@pytest.mark.asyncio
async def test_workspace_configuration_and_its_changes(client: Client, project: Path):
    models = open_document(client, project / "app" / "models.py")
    await wait_published(client, models, lambda p: len(p.diagnostics) == 3)
    client.set_configuration({"ignore": ["junction-missing-unique"]}, section="schemaLint")
    mark = len(client.published)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"schemaLint": {"ignore": ["SL001"]}})
    )
    await wait_published(
        client, models, lambda p: codes(p.diagnostics) == ["SL002", "SL002"], after=mark
    )
    client.set_configuration({"enable": False}, section="schemaLint")
    mark = len(client.published)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"schemaLint": {"enable": False}})
    )
    await wait_published(client, models, lambda p: not p.diagnostics, after=mark)
