"""Pull diagnostics (``textDocument/diagnostic``) for a client that can be told to re-pull."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import SERVER, Client, codes, initialize, open_document, replace_text, wait_for
from lsprotocol import types

MIGRATION = Path("migrations") / "versions" / "0001_initial.py"
EMAIL_INDEX = '    op.create_index(op.f("ix_users_email"), "users", ["email"])\n'


@pytest_lsp.fixture(config=SERVER)
async def client(lsp_client: Client, project: Path):
    result = await initialize(lsp_client, project, "pull")
    assert result.capabilities.diagnostic_provider is not None
    yield
    await lsp_client.shutdown_session()


async def _pull(client: Client, uri: str, previous: str | None = None):
    return await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=previous
        )
    )


@pytest.mark.asyncio
async def test_pull_reports_and_refreshes_on_a_workspace_change(client: Client, project: Path):
    assert client.init_result is not None
    options = client.init_result.capabilities.diagnostic_provider
    assert isinstance(options, types.DiagnosticOptions)
    assert options.inter_file_dependencies is True
    models = open_document(client, project / "app" / "models.py")
    report = await _pull(client, models)
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert codes(report.items) == ["SL001", "SL002", "SL002"]
    assert all(d.source == "schema-lint" and d.code_description for d in report.items)
    again = await _pull(client, models, report.result_id)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == report.result_id
    assert not client.published, "a pull client gets no pushed diagnostics"

    migration_path = project / MIGRATION
    migration = open_document(client, migration_path)
    await _pull(client, migration)
    refreshes = client.diagnostic_refresh_count
    replace_text(client, migration, 2, migration_path.read_text("utf-8").replace(EMAIL_INDEX, ""))
    await wait_for(lambda: client.diagnostic_refresh_count > refreshes, what="a refresh")
    fresh = await _pull(client, models, report.result_id)
    assert isinstance(fresh, types.RelatedFullDocumentDiagnosticReport)
    assert codes(fresh.items) == ["SL001", "SL002"]
    assert fresh.result_id != report.result_id


@pytest.mark.asyncio
async def test_a_pull_after_a_change_sees_the_change(client: Client, project: Path):
    path = project / "app" / "models.py"
    models = open_document(client, path)
    text = path.read_text("utf-8")
    replace_text(client, models, 2, text.replace('"user_roles"', '"user_roles"  # noqa: SL001'))
    report = await _pull(client, models)  # no waiting for the debounce
    assert codes(report.items) == ["SL002", "SL002"]
