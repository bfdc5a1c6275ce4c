"""Paths as shown to users: relative to the working directory when below it."""

from __future__ import annotations

import os


def display_path(path: str, cwd: str) -> str:
    try:
        rel = os.path.relpath(path, cwd)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
