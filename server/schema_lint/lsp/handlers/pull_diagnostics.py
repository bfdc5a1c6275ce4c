"""``textDocument/diagnostic``: pull diagnostics, for clients that can be asked to re-pull.

The answer always reflects the document's latest text (the request waits for its analysis,
skipping the debounce). ``interFileDependencies`` is true: a migration edit changes a
model's findings, and the server then sends ``workspace/diagnostic/refresh``. A document
that is not open is answered from its text on disk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from schema_lint.lsp.convert import SOURCE
from schema_lint.lsp.session import fingerprint, uri_to_path

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer

OPTIONS = types.DiagnosticOptions(
    identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False
)


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, OPTIONS)
    async def diagnostic(
        ls: SchemaLintServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        session = ls.session
        found = session.lookup(params.text_document.uri)
        if found is None:
            path = uri_to_path(params.text_document.uri)
            on_disk = await session.disk_items(path) if path is not None else []
            return types.RelatedFullDocumentDiagnosticReport(items=on_disk)
        if not found[1].is_python:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        root, document = found
        generation = document.latest.generation
        analysis = await session.fresh(root, document)
        items = session.items(document, analysis) if analysis is not None else None
        if items is None:
            # The text does not parse (or moved on meanwhile): what the client has stands.
            items = document.last_items
        else:
            document.last_items = items
        key = fingerprint(items)
        document.pulled_generation = generation
        if (
            document.pulled_key == key
            and params.previous_result_id is not None
            and params.previous_result_id == str(document.result_id)
        ):
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=str(document.result_id))
        if document.pulled_key != key or document.result_id == 0:
            session.result_ids += 1
            document.result_id = session.result_ids
        document.pulled_key = key
        return types.RelatedFullDocumentDiagnosticReport(
            items=items, result_id=str(document.result_id)
        )
