"""``schema-lint migration``: generate the Alembic revision that resolves the drift findings.

``plan`` turns findings into changes (pure data), ``render`` turns changes into Alembic
operations rendered by Alembic, ``scripts`` writes the file through Alembic's
``ScriptDirectory``; ``api.generate`` is what the CLI and the language server call. Only this
package imports Alembic (an optional dependency: ``schema-lint[migration]``).
"""

from __future__ import annotations

import functools
import importlib.util

INSTALL_HINT = "pip install 'schema-lint[migration]'"


@functools.cache
def alembic_missing() -> str | None:
    """Why revisions cannot be generated here (Alembic or Mako is not installed), or None."""
    for module in ("alembic", "mako"):
        if importlib.util.find_spec(module) is None:
            return f"generating a migration needs Alembic, which is not installed: {INSTALL_HINT}"
    return None
