"""``python -m schema_lint`` and the ``schema-lint`` command: never import from the working
directory.

``python -m`` puts the working directory first on ``sys.path``, and editors start the
language server in the user's project: its ``pygls.py`` or ``sqlalchemy.py`` would be
imported instead of the real ones, and run. Before anything else is imported, the working
directory (and the empty entry, which means it) leaves ``sys.path``, and ``PYTHONSAFEPATH``
keeps it off the path of the processes a parallel scan starts (Python >= 3.11).

What no code of ours can stop: a ``schema_lint.py`` in the working directory runs before
this file does when started as ``python -m schema_lint``. The safe launches are the
``schema-lint`` command (its ``sys.path[0]`` is its own ``bin`` directory) and
``python -P -m schema_lint`` (or ``PYTHONSAFEPATH=1``, Python >= 3.11).
"""

from __future__ import annotations

import os
import sys


def isolate_path() -> None:
    """Drop the working directory from ``sys.path``, here and in child interpreters."""
    try:
        cwd: str | None = os.getcwd()
    except OSError:  # a working directory deleted under us: "" would still mean it
        cwd = None
    sys.path[:] = [
        entry
        for entry in sys.path
        if entry not in ("", ".") and (cwd is None or os.path.abspath(entry) != cwd)
    ]
    os.environ.setdefault("PYTHONSAFEPATH", "1")


def main() -> int:
    isolate_path()
    from schema_lint.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
