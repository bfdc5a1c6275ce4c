"""The JSON shape of a schema, as printed by ``schema-lint schema``."""

from __future__ import annotations

from typing import Any

from schema_lint.facts.schema import Schema, Table
from schema_lint.facts.source import Problem


def schema_to_dict(schema: Schema) -> dict[str, Any]:
    return {
        "tables": {name: table_to_dict(schema.tables[name]) for name in sorted(schema.tables)},
        "heads": list(schema.heads),
        "problems": [problem_to_dict(p) for p in schema.problems],
    }


def table_to_dict(table: Table) -> dict[str, Any]:
    data = _table_dict(table)
    if table.baseline:  # existed before the first revision: only the facts listed are known
        data["baseline"] = True
    return data


def _table_dict(table: Table) -> dict[str, Any]:
    return {
        "columns": {
            c.name: {"nullable": c.nullable, "primary_key": c.primary_key} for c in table.columns
        },
        "primary_key": list(table.primary_key.columns) if table.primary_key else [],
        "indexes": [
            {"name": i.name, "columns": list(i.columns), "unique": i.unique}
            for i in sorted(table.indexes, key=lambda i: (i.name or "", i.columns))
        ],
        "unique_constraints": [
            {"name": u.name, "columns": list(u.columns)}
            for u in sorted(table.unique_constraints, key=lambda u: (u.name or "", u.columns))
        ],
        "foreign_keys": [
            {
                "name": f.name,
                "columns": list(f.columns),
                "ref_table": f.ref_table,
                "ref_columns": list(f.ref_columns),
                "ondelete": f.ondelete,
                "onupdate": f.onupdate,
            }
            for f in sorted(table.foreign_keys, key=lambda f: (f.name or "", f.columns))
        ],
    }


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    span = problem.span
    return {
        "kind": problem.kind,
        "message": problem.message,
        "filename": span.path,
        "location": {"row": span.line, "column": span.col + 1},
    }
