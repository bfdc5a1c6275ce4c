"""Helpers for the VS Code extension's tests (a module name no other test directory uses)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTENSION_DIR = REPO / "vscode-extension"
E2E_DIR = REPO / "scripts" / "vscode_e2e"


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def require_tools(*names: str) -> dict[str, str]:
    """The tools' paths; skip when one is missing on a developer's machine, never in CI."""
    found = {name: shutil.which(name) for name in names}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (the VS Code extension tests need them)"
        if in_ci():
            pytest.fail(f"{reason}; CI must have them", pytrace=False)
        pytest.skip(reason)
    return {name: path for name, path in found.items() if path is not None}


def run(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    """Runs a command, failing the test with its output when it fails."""
    result = subprocess.run(
        args,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"`{' '.join(args)}` in {cwd} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}",
            pytrace=False,
        )
    return result
