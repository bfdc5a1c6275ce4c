"""Whether a revision is rendered in batch mode (``with op.batch_alter_table(...)``), as the
project's ``env.py`` asks autogenerate to: read statically, never run.

``render_as_batch=True``/``False`` is taken as written. Any other value (typically
``connection.dialect.name == "sqlite"``) says the revisions run on SQLite at least sometimes;
batch mode works on every database (on PostgreSQL it emits the same ``ALTER TABLE``), so it
is used. Without the option, batch mode is used when the environment runs on SQLite, which
cannot ``ALTER`` constraints.
"""

from __future__ import annotations

import ast
from pathlib import Path


def render_as_batch(script_dir: str | None, dialect: str) -> bool:
    tree = _env_tree(script_dir)
    values = [
        node.value
        for node in (ast.walk(tree) if tree is not None else ())
        if isinstance(node, ast.keyword) and node.arg == "render_as_batch"
    ]
    if not values:
        return dialect == "sqlite"
    return any(not (isinstance(v, ast.Constant) and v.value is False) for v in values)


def _env_tree(script_dir: str | None) -> ast.Module | None:
    if script_dir is None:
        return None
    try:
        return ast.parse(Path(script_dir, "env.py").read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
