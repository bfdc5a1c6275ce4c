"""The pipeline's layers, enforced: no package imports upward.

Every ``import`` in ``server/schema_lint`` (also those inside functions and under
``TYPE_CHECKING``) is checked against what its package may import, from the bottom
(``facts/``, ``vocabulary/``) to the front ends (``cli.py``, ``lsp/``). The README's
Development section describes the same layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "schema_lint"

BOTTOM = {"facts", "vocabulary"}
ALLOWED: dict[str, set[str]] = {
    "vocabulary": set(),
    "facts": {"vocabulary"},
    "diagnostics": BOTTOM,
    "sources": BOTTOM,
    "extract": BOTTOM | {"sources"},
    "schema": BOTTOM | {"sources"},
    "rules": BOTTOM | {"diagnostics"},
    "config": BOTTOM | {"rules", "sources"},
    "cache": BOTTOM | {"diagnostics", "sources", "rules", "config"},
    "project": BOTTOM | {"sources", "extract", "cache", "config"},
    "engine": BOTTOM | {"diagnostics", "sources", "schema", "rules", "project", "config"},
    "fixes": BOTTOM | {"diagnostics", "sources", "rules", "engine", "project", "config", "schema"},
    "output": BOTTOM | {"diagnostics", "sources", "rules"},
    "database": BOTTOM,
    "audit": BOTTOM | {"diagnostics", "database", "engine", "project", "rules", "config"},
    "generate": BOTTOM | {"diagnostics", "sources", "schema", "rules", "engine", "project"},
}
"""Of our own top-level packages and modules, what each may import (besides itself)."""

THIRD_PARTY: dict[str, set[str]] = {
    "libcst": {"fixes", "sources"},
    "pygls": {"lsp"},
    "lsprotocol": {"lsp"},
    "sqlglot": {"extract", "vocabulary"},
    "sqlalchemy": {"database", "generate"},
    "alembic": {"generate"},
    "mako": {"generate"},
}
"""Libraries only some layers may import (``sources`` for its libcst fallback parser)."""


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node.lineno))
    return found


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_import(path: Path) -> None:
    layer = _layer(path)
    allowed = ALLOWED.get(layer)
    wrong = []
    for module, line in _imports(path):
        parts = module.split(".")
        if parts[0] == "schema_lint" and len(parts) > 1:
            target = parts[1]
            if allowed is not None and target != layer and target not in allowed:
                wrong.append(f"line {line}: {module}")
        elif parts[0] in THIRD_PARTY and layer not in THIRD_PARTY[parts[0]]:
            wrong.append(f"line {line}: {module}")
    assert not wrong, f"{layer} must not import: {wrong}"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from schema_lint.fixes import api\n    import libcst\n")
    assert _imports(bad) == [("schema_lint.fixes", 2), ("libcst", 3)]
    assert "fixes" not in ALLOWED["rules"] and "rules" not in THIRD_PARTY["libcst"]
