"""The migration a finding calls for, as one Alembic operation (or what to run instead)."""

from __future__ import annotations

from typing import Any

from schema_lint.diagnostics import Diagnostic


def _list(columns: Any) -> str:
    return "[" + ", ".join(f'"{c}"' for c in columns) + "]"


def migration_remedy(d: Diagnostic) -> str | None:
    """What a migration should do about ``d``, or None when no migration is needed."""
    p = d.payload
    code = d.code
    if code == "SL014":
        return "run `alembic upgrade head`"
    if p is None:
        return None
    table: str = str(getattr(p, "table", ""))
    if code == "SL001":
        name = f"uq_{table}_{'_'.join(p.columns)}"
        return f'`op.create_unique_constraint("{name}", "{table}", {_list(p.columns)})`'
    if code == "SL008":
        return (
            f'drop the unique key and `op.create_index("{p.name or "uq_" + table}", '
            f'"{table}", {_list(p.columns)}, unique=True, '
            f'postgresql_where=sa.text("{p.predicate}"))`'
        )
    if code in ("SL002", "SL013") and getattr(p, "kind", "index") == "index":
        if code == "SL002" and "the database agrees with the migrations" in d.message:
            return "none: the database already has it"
        index_name = getattr(p, "index", None) or getattr(p, "name", None)
        return (
            f'declare it in the model and keep it, or `op.drop_index("{index_name}", '
            f'table_name="{table}")`'
        )
    if code in ("SL007", "SL012") and getattr(p, "kind", "index") == "index":
        name = p.name
        unique = ", unique=True" if p.unique else ""
        return f'`op.create_index("{name}", "{table}", {_list(p.columns)}{unique})`'
    if code == "SL012":
        return "run `alembic upgrade head`; if it is at head, a migration that re-creates it"
    if code == "SL013":
        what = f"column `{p.name}`" if p.kind == "column" else f"table `{table}`"
        return f"declare the {what} in the models with a migration, or drop it"
    if code == "SL004":
        if "the database agrees with the migrations" in d.message:
            return None  # the model is the odd one out: its fix is the whole fix
        return f'`op.alter_column("{table}", "{p.column}", nullable={not p.database_nullable})`'
    if code == "SL003":
        if p.in_model:
            return f'`op.create_unique_constraint({_name(p.name)}, "{table}", {_list(p.columns)})`'
        return f'`op.drop_constraint({_name(p.name)}, "{table}", type_="unique")`, or declare it'
    if code == "SL005":
        return (
            "re-create the foreign key with the model's ON DELETE/ON UPDATE "
            "(`op.drop_constraint(...)`, then `op.create_foreign_key(..., ondelete=...)`)"
        )
    if code == "SL006":
        if p.model_text is not None:
            return f'`op.create_check_constraint({_name(p.name)}, "{table}", "{p.model_text}")`'
        return f'`op.drop_constraint({_name(p.name)}, "{table}", type_="check")`, or declare it'
    if code == "SL009":
        return "drop the index and create it as the model declares it"
    return None


def _name(name: str | None) -> str:
    return f'"{name}"' if name else "None"
