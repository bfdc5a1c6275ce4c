"""The server and the CLI never import from the working directory: a hostile workspace
(``schema_lint.py``, ``pygls.py``... that would leave a marker if imported), and the server
launched exactly as the VS Code extension and the README's Neovim set-up launch it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_helpers import copy_project
from raw_rpc import RawServer, codes

BIN = Path(sys.executable).parent
SCRIPT = BIN / ("schema-lint.exe" if os.name == "nt" else "schema-lint")
EXTENSION_DIR = Path(__file__).resolve().parents[2] / "vscode-extension"

THIRD_PARTY = ("pygls", "lsprotocol", "cattrs", "attrs", "libcst", "typing_extensions")
"""What the server imports besides the standard library."""
EARLY_STDLIB = ("importlib", "warnings", "contextlib", "functools", "types", "operator")
"""What ``python -m`` imports from the path before any code of ours runs."""

CAPABILITIES = {
    "textDocument": {
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix"]}}}
    }
}


def hostile(tmp_path: Path, names: tuple[str, ...]) -> tuple[Path, Path]:
    """A real project whose top folder holds a module for each of ``names`` that leaves a
    marker in a folder of its own when imported; that project and the marker folder."""
    project = copy_project(tmp_path, "shop")
    markers = tmp_path / "markers"
    markers.mkdir()
    for name in names:
        (project / f"{name}.py").write_text(
            f"open({str(markers / name)!r}, 'w').close()\n", "utf-8"
        )
    return project, markers


def environment(*, safe_path: bool = False, path_first: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONSAFEPATH", "PYTHONPATH")}
    if safe_path:
        env["PYTHONSAFEPATH"] = "1"
    if path_first is not None:
        env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    return env


# How each front end starts the server, and from where.
LAUNCHES = {
    # vscode-extension/src/serverResolution.ts: the interpreter's own command, preferred...
    "vscode-command-beside-the-interpreter": ([str(SCRIPT), "lsp"], "workspace", {}),
    # ...else `python -m` with PYTHONSAFEPATH=1, in the extension's own folder (Python 3.10
    # ignores PYTHONSAFEPATH)...
    "vscode-python-m": (
        [sys.executable, "-m", "schema_lint", "lsp"],
        "extension",
        {"safe_path": True},
    ),
    # ...whose PYTHONSAFEPATH alone is enough from the workspace itself (Python >= 3.11).
    "python-m-safe-path-in-the-workspace": (
        [sys.executable, "-m", "schema_lint", "lsp"],
        "workspace",
        {"safe_path": True},
    ),
    # README and docs/neovim.md: cmd = { 'schema-lint', 'lsp' }, found on PATH, started in
    # Neovim's working directory (the project).
    "neovim-schema-lint-on-path": (["schema-lint", "lsp"], "workspace", {"path_first": BIN}),
}


@pytest.fixture
def started() -> Iterator[list[RawServer]]:
    servers: list[RawServer] = []
    yield servers
    for server in servers:
        server.close()


@pytest.mark.parametrize("launch", list(LAUNCHES))
def test_a_hostile_workspace_is_never_imported_by_the_server(
    launch: str, tmp_path: Path, started: list[RawServer]
):
    if launch == "python-m-safe-path-in-the-workspace" and sys.version_info < (3, 11):
        pytest.skip("PYTHONSAFEPATH is Python 3.11's")
    assert SCRIPT.is_file(), "pip installs the schema-lint command beside the interpreter"
    command, where, options = LAUNCHES[launch]
    project, markers = hostile(tmp_path, ("schema_lint", *THIRD_PARTY, *EARLY_STDLIB))
    cwd = project if where == "workspace" else EXTENSION_DIR
    server = RawServer(command, cwd=cwd, env=environment(**options), stderr=tmp_path / "stderr.log")
    started.append(server)
    server.initialize(project, CAPABILITIES)
    models = server.open(project / "app" / "models.py")
    findings = server.published(models, lambda items: len(items) == 3)["params"]["diagnostics"]
    assert codes(findings) == ["SL001", "SL002", "SL002"]
    # A quick fix is computed with libcst, the last of the server's imports.
    junction = next(d for d in findings if d["code"] == "SL001")
    answer = server.call(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": models},
            "range": junction["range"],
            "context": {"diagnostics": [junction]},
        },
    )
    titles = [action["title"] for action in answer["result"]]
    assert any("unique" in title.lower() for title in titles), titles
    assert server.stop() == 0
    assert sorted(p.name for p in markers.iterdir()) == []


def check(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "check", "--no-cache", "--unsafe-fixes", "--diff", "."],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    "launch",
    [
        "schema-lint",
        pytest.param(
            "python -P -m",
            marks=pytest.mark.skipif(sys.version_info < (3, 11), reason="-P is Python 3.11's"),
        ),
    ],
)
def test_a_check_from_a_hostile_folder_never_imports_it(launch: str, tmp_path: Path):
    project, markers = hostile(tmp_path, ("schema_lint", *THIRD_PARTY, *EARLY_STDLIB))
    command = (
        [str(SCRIPT)] if launch == "schema-lint" else [sys.executable, "-P", "-m", "schema_lint"]
    )
    result = check(command, project, environment())
    assert "+++" in result.stdout and "UniqueConstraint" in result.stdout, result.stderr[-3000:]
    assert sorted(p.name for p in markers.iterdir()) == []


def test_python_m_check_never_imports_the_folder_s_copies_of_our_dependencies(tmp_path: Path):
    """Without -P, ``python -m`` runs a ``schema_lint.py`` or ``importlib.py`` of the
    working directory before any code of ours; from then on, nothing is imported from it."""
    project, markers = hostile(tmp_path, THIRD_PARTY)
    result = check([sys.executable, "-m", "schema_lint"], project, environment())
    assert "+++" in result.stdout and "UniqueConstraint" in result.stdout, result.stderr[-3000:]
    assert sorted(p.name for p in markers.iterdir()) == []
