"""Push diagnostics over stdio, with the VS Code and Neovim capability profiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import Client, codes, open_document, replace_text, units, wait_published
from lsprotocol import types
from schema_lint.rules.registry import rule_for


@pytest.mark.asyncio
async def test_diagnostics_appear_with_everything_a_client_shows(client: Client, project: Path):
    models = project / "app" / "models.py"
    uri = open_document(client, models)
    published = await wait_published(client, uri, lambda p: bool(p.diagnostics))
    assert published.version == 1
    assert codes(published.diagnostics) == ["SL001", "SL002", "SL002"]
    text = models.read_text("utf-8").split("\n")
    migration = (project / "migrations" / "versions" / "0001_initial.py").as_uri()
    for diagnostic in published.diagnostics:
        rule = rule_for(str(diagnostic.code))
        assert rule is not None
        assert diagnostic.source == "schema-lint"
        assert diagnostic.code_description is not None
        assert diagnostic.code_description.href == rule.url
        assert diagnostic.data["code"] == diagnostic.code
        assert "payload" in diagnostic.data
    junction = next(d for d in published.diagnostics if d.code == "SL001")
    assert text[junction.range.start.line].strip() == '__tablename__ = "user_roles"'
    assert junction.severity == types.DiagnosticSeverity.Error
    email = next(
        d for d in published.diagnostics if d.data["payload"].get("index") == "ix_users_email"
    )
    assert email.severity == types.DiagnosticSeverity.Warning
    assert text[email.range.start.line].strip().startswith("email:")
    (related,) = email.related_information or ()
    assert related.location.uri == migration
    migration_lines = (project / "migrations/versions/0001_initial.py").read_text().split("\n")
    created = migration_lines[related.location.range.start.line]
    assert 'op.create_index(op.f("ix_users_email")' in created


@pytest.mark.asyncio
async def test_positions_count_the_negotiated_code_units(client: Client, project: Path):
    """A line with non-ASCII text (and an astral character) before the finding."""
    models = project / "app" / "models.py"
    uri = open_document(client, models)
    published = await wait_published(client, uri, lambda p: bool(p.diagnostics))
    expected_encoding = "utf-8" if client.profile == "neovim" else "utf-16"
    assert client.encoding == expected_encoding
    slug = next(
        d for d in published.diagnostics if d.data["payload"].get("index") == "ix_labels_slug"
    )
    line = models.read_text("utf-8").split("\n")[slug.range.start.line]
    start = line.index('Column("slug"')
    end = line.rindex(")") + 1
    assert not line[:start].isascii()
    assert slug.range.start.character == units(line[:start], client.encoding)
    assert slug.range.end.character == units(line[:end], client.encoding)
    assert slug.range.start.character != start  # the test means something


@pytest.mark.asyncio
async def test_diagnostics_are_versioned_and_clear_on_fix_and_close(client: Client, project: Path):
    models = project / "app" / "models.py"
    uri = open_document(client, models)
    await wait_published(client, uri, lambda p: p.version == 1 and bool(p.diagnostics))
    text = models.read_text("utf-8")
    fixed = text.replace(
        '    __tablename__ = "user_roles"\n',
        '    __tablename__ = "user_roles"\n'
        '    __table_args__ = (UniqueConstraint("user_id", "role_id"),)\n',
    ).replace("Integer, String, Table", "Integer, String, Table, UniqueConstraint")
    mark = len(client.published)
    replace_text(client, uri, 2, fixed)
    published = await wait_published(client, uri, lambda p: p.version == 2, after=mark)
    assert codes(published.diagnostics) == ["SL002", "SL002", "SL003"]
    mark = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    cleared = await wait_published(client, uri, after=mark)
    assert list(cleared.diagnostics) == []


@pytest.mark.asyncio
async def test_the_scan_reports_progress(client: Client, project: Path):
    def ended() -> bool:
        return any(
            reports and isinstance(reports[-1], types.WorkDoneProgressEnd)
            for reports in client.progress_reports.values()
        )

    from lsp_helpers import wait_for

    await wait_for(ended, what="the end of the scan's progress")
    (reports,) = client.progress_reports.values()
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert "files" in (reports[-1].message or "")
