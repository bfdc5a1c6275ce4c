"""What the client can do, resolved once at ``initialize`` into a flat frozen record.

Handlers ask ``caps.pull_diagnostics`` instead of walking ``ClientCapabilities`` (whose
every level is optional) each time, as ruff's ``session/capabilities.rs`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types
from pygls.capabilities import ServerCapabilitiesBuilder, get_capability

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


@dataclass(frozen=True, slots=True)
class ClientCaps:
    position_encoding: str = UTF16
    """The negotiated encoding of ``Position.character``: utf-16 unless the client offers
    another one first (Neovim offers utf-8)."""
    pull_diagnostics: bool = False
    """Answer ``textDocument/diagnostic`` instead of pushing. Only when the client can also
    be told to pull again (``workspace/diagnostic/refresh``): our findings depend on other
    files, and a client that cannot be asked to re-pull would keep stale ones after a
    migration changes. Otherwise diagnostics are pushed."""
    diagnostic_refresh: bool = False
    publish_version: bool = False
    related_information: bool = False
    code_description: bool = False
    diagnostic_data: bool = False
    code_action_literals: bool = False
    code_action_resolve: bool = False
    """The client resolves a code action's ``edit`` lazily through ``codeAction/resolve``."""
    code_action_preferred: bool = False
    code_action_disabled: bool = False
    code_action_data: bool = False
    versioned_edits: bool = False
    """Edits may be ``documentChanges`` (versioned ``TextDocumentEdit``s)."""
    create_files: bool = False
    """A ``WorkspaceEdit`` may create files (``resourceOperations`` has ``create``)."""
    watched_files_registration: bool = False
    watched_files_relative_patterns: bool = False
    work_done_progress: bool = False
    workspace_configuration: bool = False
    configuration_registration: bool = False
    show_message: bool = True


def resolve(capabilities: types.ClientCapabilities | None) -> ClientCaps:
    if capabilities is None:
        return ClientCaps()

    def has(path: str) -> bool:
        return bool(get_capability(capabilities, path, False))

    encoding = ServerCapabilitiesBuilder.choose_position_encoding(capabilities)
    encoding = getattr(encoding, "value", encoding)
    pull = get_capability(capabilities, "text_document.diagnostic", None) is not None
    refresh = has("workspace.diagnostics.refresh_support")
    resolve_props = get_capability(
        capabilities, "text_document.code_action.resolve_support.properties", ()
    )
    resource_operations = get_capability(
        capabilities, "workspace.workspace_edit.resource_operations", ()
    )
    pull_diagnostics = pull and refresh
    prefix = "text_document.diagnostic" if pull_diagnostics else "text_document.publish_diagnostics"
    return ClientCaps(
        position_encoding=str(encoding) if encoding in (UTF8, UTF16, UTF32) else UTF16,
        pull_diagnostics=pull_diagnostics,
        diagnostic_refresh=refresh,
        publish_version=has("text_document.publish_diagnostics.version_support"),
        related_information=has(f"{prefix}.related_information"),
        code_description=has(f"{prefix}.code_description_support"),
        diagnostic_data=has(f"{prefix}.data_support"),
        code_action_literals=get_capability(
            capabilities, "text_document.code_action.code_action_literal_support", None
        )
        is not None,
        code_action_resolve="edit" in tuple(resolve_props or ()),
        code_action_preferred=has("text_document.code_action.is_preferred_support"),
        code_action_disabled=has("text_document.code_action.disabled_support"),
        code_action_data=has("text_document.code_action.data_support"),
        # The specification: without documentChanges nor resourceOperations, only `changes`.
        versioned_edits=has("workspace.workspace_edit.document_changes")
        or bool(resource_operations),
        create_files="create" in tuple(resource_operations or ()),
        watched_files_registration=has("workspace.did_change_watched_files.dynamic_registration"),
        watched_files_relative_patterns=has(
            "workspace.did_change_watched_files.relative_pattern_support"
        ),
        work_done_progress=has("window.work_done_progress"),
        workspace_configuration=has("workspace.configuration"),
        configuration_registration=has("workspace.did_change_configuration.dynamic_registration"),
    )
