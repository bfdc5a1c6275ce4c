"""Import a fixture model project with the real libraries and print its MetaData as JSON.

Run in a subprocess (``python real_metadata.py <project-dir>``) so that fixture projects
never share ``sys.modules`` or SQLModel's global metadata. The output has the shape of
``schema_lint.schema.serialize.table_to_dict`` per qualified table name; names are what
PostgreSQL's DDL compiler emits (conventions applied, generated names truncated).
"""

from __future__ import annotations

import gc
import importlib
import json
import sys
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import CheckConstraint, Column, MetaData, Table, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SQLAlchemyError

DIALECT = postgresql.dialect()
COMPILER = DIALECT.ddl_compiler(DIALECT, None)
PREPARER = DIALECT.identifier_preparer


def module_names(root: Path) -> list[str]:
    names = []
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        if parts:
            names.append(".".join(parts))
    return names


def unquote(rendered: str | None) -> str | None:
    if rendered and rendered.startswith('"') and rendered.endswith('"'):
        return rendered[1:-1].replace('""', '"')
    return rendered


def rendered_name(constraint: Any) -> str | None:
    if constraint.name is None:
        return None
    try:
        return unquote(PREPARER.format_constraint(constraint))
    except SQLAlchemyError:
        return None


def expression(expr: Any) -> str:
    if isinstance(expr, Column):
        return str(expr.name)
    return str(COMPILER.sql_compiler.process(expr, include_table=False, literal_binds=True))


def on_postgresql(item: Any) -> bool:
    ddl_if = getattr(item, "_ddl_if", None)
    return ddl_if is None or ddl_if.dialect in (None, "postgresql")


def table_dict(table: Table) -> dict[str, Any]:
    """``table_to_dict``'s shape plus column order, primary key name and checks."""
    return {
        "column_order": [c.name for c in table.columns],
        "primary_key_name": rendered_name(table.primary_key) if table.primary_key.columns else None,
        "check_constraints": [
            {"name": rendered_name(c), "sqltext": str(c.sqltext)}
            for c in table.constraints
            if isinstance(c, CheckConstraint) and on_postgresql(c)
        ],
        "columns": {
            c.name: {"nullable": bool(c.nullable), "primary_key": bool(c.primary_key)}
            for c in table.columns
        },
        "primary_key": [c.name for c in table.primary_key.columns],
        "indexes": [
            {
                "name": rendered_name(index),
                "columns": [expression(e) for e in index.expressions],
                "unique": bool(index.unique),
            }
            for index in table.indexes
            if on_postgresql(index)
        ],
        "unique_constraints": [
            {"name": rendered_name(c), "columns": [col.name for col in c.columns]}
            for c in table.constraints
            if isinstance(c, UniqueConstraint) and on_postgresql(c)
        ],
        "foreign_keys": [
            {
                "name": rendered_name(fk),
                "columns": [c.name for c in fk.columns],
                "ref_table": fk.elements[0].column.table.fullname,
                "ref_columns": [e.column.name for e in fk.elements],
                "ondelete": fk.ondelete,
                "onupdate": fk.onupdate,
            }
            for fk in table.foreign_key_constraints
            if on_postgresql(fk)
        ],
    }


def main(root: Path) -> None:
    sys.path.insert(0, str(root))
    library = {id(obj) for obj in gc.get_objects() if isinstance(obj, MetaData)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in module_names(root):
            importlib.import_module(name)
    tables: dict[str, Any] = {}
    metadatas = [o for o in gc.get_objects() if isinstance(o, MetaData) and id(o) not in library]
    # A table name on several MetaData (a frozen copy of a model): the application's is the
    # one on the MetaData with the most tables, as schema-lint decides.
    for obj in sorted(metadatas, key=lambda m: len(m.tables)):
        for key, table in obj.tables.items():
            tables[key] = table_dict(table)
    json.dump(tables, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
