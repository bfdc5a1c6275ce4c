"""Helpers of the language server tests: a recording client, waiting on conditions, edits."""

from __future__ import annotations

import asyncio
import copy
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 60.0
T = TypeVar("T")


class Client(LanguageClient):
    """pytest-lsp's client, also keeping every publishDiagnostics (with its version) and
    every capability registration the server asks for."""

    published: list[types.PublishDiagnosticsParams]
    registrations: list[types.Registration]
    init_result: types.InitializeResult | None
    profile: str

    @property
    def encoding(self) -> str:
        """The position encoding the server chose."""
        assert self.init_result is not None
        return str(self.init_result.capabilities.position_encoding or "utf-16")


def _publish(client: Client, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


def _register(client: Client, params: types.RegistrationParams) -> None:
    client.registrations.extend(params.registrations)


def _unregister(client: Client, params: types.UnregistrationParams) -> None:
    gone = {u.id for u in params.unregisterations}
    client.registrations[:] = [r for r in client.registrations if r.id not in gone]


def make_client() -> Client:
    client = Client(converter_factory=default_converter)
    client.published = []
    client.registrations = []
    client.init_result = None
    client.profile = ""
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _publish
    features[types.CLIENT_REGISTER_CAPABILITY] = _register
    features[types.CLIENT_UNREGISTER_CAPABILITY] = _unregister
    register_lsp_features(client, features)
    return client


SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "schema_lint", "lsp"], client_factory=make_client
)


def capabilities(profile: str) -> types.ClientCapabilities:
    """The capabilities of a client pytest-lsp knows, or one of ours built on them.

    ``pull``: VS Code's, plus pull diagnostics with refresh (what vscode-languageclient 9
    sends). ``no-resolve``: VS Code's without ``codeAction/resolve``.
    """
    if profile == "pull":
        caps = copy.deepcopy(client_capabilities("visual-studio-code"))
        assert caps.text_document is not None and caps.workspace is not None
        caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
            dynamic_registration=False,
            related_document_support=False,
            related_information=True,
            code_description_support=True,
            data_support=True,
        )
        caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
            refresh_support=True
        )
        return caps
    if profile == "no-resolve":
        caps = copy.deepcopy(client_capabilities("visual-studio-code"))
        assert caps.text_document is not None and caps.text_document.code_action is not None
        caps.text_document.code_action.resolve_support = None
        return caps
    return client_capabilities(profile)


def copy_project(tmp_path: Path, name: str = "shop") -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target.resolve()


async def initialize(
    client: Client,
    root: Path,
    profile: str,
    options: dict[str, Any] | None = None,
) -> types.InitializeResult:
    result = await client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities(profile),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name=root.name)],
            initialization_options={"debounceMs": 50, **(options or {})},
        )
    )
    client.init_result = result
    client.profile = profile
    return result


async def wait_for(
    condition: Callable[[], T | None], timeout: float = TIMEOUT, what: str = "condition"
) -> T:
    """Poll ``condition`` until it returns something truthy (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def wait_published(
    client: Client,
    uri: str,
    predicate: Callable[[types.PublishDiagnosticsParams], bool] = lambda p: True,
    *,
    after: int = 0,
    timeout: float = TIMEOUT,
) -> types.PublishDiagnosticsParams:
    """The first diagnostics published for ``uri`` (from index ``after``) that satisfy
    ``predicate``."""

    def find() -> types.PublishDiagnosticsParams | None:
        for params in client.published[after:]:
            if params.uri == uri and predicate(params):
                return params
        return None

    return await wait_for(find, timeout, f"publishDiagnostics for {uri}")


def codes(items: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in items)


def open_document(client: Client, path: Path, version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=path.read_text("utf-8")
            )
        )
    )
    return uri


def replace_text(client: Client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def units(text: str, encoding: str) -> int:
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-32":
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def offset_of(text: str, position: types.Position, encoding: str) -> int:
    lines = text.split("\n")
    line = lines[position.line] if position.line < len(lines) else ""
    col = 0
    while col < len(line) and units(line[:col], encoding) < position.character:
        col += 1
    return sum(len(x) + 1 for x in lines[: position.line]) + col


def apply_text_edits(text: str, edits: Sequence[types.TextEdit], encoding: str) -> str:
    spans = sorted(
        (
            (offset_of(text, e.range.start, encoding), offset_of(text, e.range.end, encoding), e)
            for e in edits
        ),
        key=lambda item: (item[0], item[1]),
        reverse=True,
    )
    for start, end, edit in spans:
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_for(edit: types.WorkspaceEdit, uri: str) -> tuple[int | None, list[types.TextEdit]]:
    """The version and text edits a workspace edit makes to ``uri``."""
    result: list[types.TextEdit] = []
    version: int | None = None
    for change in edit.document_changes or ():
        assert isinstance(change, types.TextDocumentEdit)
        if change.text_document.uri == uri:
            version = change.text_document.version
            result.extend(e for e in change.edits if isinstance(e, types.TextEdit))
    for changed_uri, text_edits in (edit.changes or {}).items():
        if changed_uri == uri:
            result.extend(text_edits)
    return version, result
