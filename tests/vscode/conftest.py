"""Fixtures for the VS Code extension's tests: a private build of the extension, the .vsix.

The build happens in a copy of vscode-extension/ under pytest's temporary directory, so that
test runs never touch the working tree's node_modules/, dist/ or .vsix, nor each other's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from vscode_support import EXTENSION_DIR, require_tools, run


@pytest.fixture(scope="session")
def extension_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """npm, and a copy of vscode-extension/ with its dependencies installed by `npm ci`."""
    npm = require_tools("node", "npm")["npm"]
    build = tmp_path_factory.mktemp("build") / "vscode-extension"
    shutil.copytree(
        EXTENSION_DIR,
        build,
        ignore=shutil.ignore_patterns("node_modules", "dist", "out", "*.vsix"),
    )
    run([npm, "ci", "--no-audit", "--no-fund"], cwd=build, timeout=600)
    return npm, build


@pytest.fixture(scope="session")
def vsix(extension_build: tuple[str, Path]) -> Path:
    """The extension, type-checked, bundled and packaged by `npm run package`."""
    npm, build = extension_build
    run([npm, "run", "package"], cwd=build, timeout=600)
    package = build / "schema-lint.vsix"
    assert package.is_file(), f"npm run package did not write {package}"
    return package
