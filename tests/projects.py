"""Small projects written to disk by tests that read a project as ``check`` does."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: source}`` (dedented) under ``root``, with a ``pyproject.toml``."""
    (root / "pyproject.toml").write_text("")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root
