"""Import a project's models with the real libraries; print each table's unique constraints
and indexes as JSON.

Run in a subprocess (``python real_tables.py <project-dir>``) so that projects never share
``sys.modules`` or SQLModel's global metadata. Names are what PostgreSQL's DDL compiler
emits, naming conventions applied.
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError

PREPARER = postgresql.dialect().identifier_preparer


def module_names(root: Path) -> list[str]:
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[0] == "alembic":
            continue
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            names.append(".".join(parts))
    return names


def name_of(item: Any) -> str | None:
    if item.name is None:
        return None
    try:
        return str(PREPARER.format_constraint(item)).strip('"')
    except SQLAlchemyError:
        return str(item.name)


def describe(table: Table) -> dict[str, Any]:
    return {
        "unique_constraints": sorted(
            [name_of(c), [col.name for col in c.columns]]
            for c in table.constraints
            if isinstance(c, UniqueConstraint)
        ),
        "indexes": sorted(
            [name_of(i), [col.name for col in i.columns], bool(i.unique)] for i in table.indexes
        ),
    }


def main(root: Path) -> None:
    sys.path.insert(0, str(root))
    for name in module_names(root):
        importlib.import_module(name)
    tables = {
        t.fullname: describe(t)
        for t in gc.get_objects()
        if isinstance(t, Table) and t.schema not in {"pg_catalog", "information_schema"}
    }
    print(json.dumps(tables, sort_keys=True))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
