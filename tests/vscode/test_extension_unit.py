"""The VS Code extension builds: its node unit tests pass and `npm run package` writes a .vsix."""

from __future__ import annotations

import dataclasses
import json
import zipfile
from pathlib import Path

import pytest
from vscode_support import EXTENSION_DIR, run

pytestmark = pytest.mark.timeout(900)


def test_node_unit_tests_pass(extension_build: tuple[str, Path]) -> None:
    npm, build = extension_build
    result = run([npm, "test"], cwd=build, timeout=600)
    output = result.stdout + result.stderr
    assert "# fail 0" in output, output[-4000:]
    assert "# pass 0" not in output, "node's test runner ran no test"


def test_vsix_holds_the_bundle_and_the_manifest(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
    assert "extension/dist/extension.js" in names
    assert "extension/readme.md" in names
    assert not any("node_modules" in name or name.endswith(".ts") for name in names), sorted(names)
    assert manifest["main"] == "./dist/extension.js"
    assert "onLanguage:python" in manifest["activationEvents"]
    settings = manifest["contributes"]["configuration"]["properties"]
    assert {
        "schemaLint.enable",
        "schemaLint.select",
        "schemaLint.ignore",
        "schemaLint.path",
        "schemaLint.interpreter",
        "schemaLint.trace.server",
    } <= set(settings)
    commands = {command["command"] for command in manifest["contributes"]["commands"]}
    assert {"schemaLint.restart", "schemaLint.showLogs"} <= commands


CLIENT_ONLY = {"path", "interpreter", "trace.server"}


def test_settings_mirror_the_server() -> None:
    """Every setting the server reads is a setting of the extension, with the same default."""
    settings_module = pytest.importorskip("schema_lint.lsp.settings")
    from schema_lint.config import DIALECTS

    manifest = json.loads((EXTENSION_DIR / "package.json").read_text())
    properties = manifest["contributes"]["configuration"]["properties"]
    ours = {key.removeprefix("schemaLint."): spec for key, spec in properties.items()}

    server_defaults = {}
    for field in dataclasses.fields(settings_module.Settings):
        if field.name == "warnings":
            continue
        head, *rest = field.name.split("_")
        server_defaults[head + "".join(part.title() for part in rest)] = field.default

    assert set(ours) - CLIENT_ONLY == set(server_defaults)
    for key, default in server_defaults.items():
        expected = list(default) if isinstance(default, tuple) else default
        assert ours[key]["default"] == ("" if expected is None else expected), key
    assert [d for d in ours["dialect"]["enum"] if d] == list(DIALECTS)
