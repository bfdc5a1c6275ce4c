"""Tables and columns on one side only: what SL010 and SL011 share."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from schema_lint.facts.schema import Column, Table
from schema_lint.rules.context import RuleContext, Side, SideKind

ALEMBIC_TABLES = frozenset({"alembic_version"})


@dataclass(frozen=True, slots=True)
class Missing:
    """A table (``column`` None) or a column that ``side`` has and ``other`` lacks."""

    table: Table
    column: Column | None
    model: Table | None
    """The model's table (for a column missing from it, or where to report)."""
    side: Side


def in_models_only(context: RuleContext) -> Iterator[Missing]:
    """Model tables no environment's migrations create (environments may split the tables
    between them, so a table counts as missing only when every one was read whole and none
    has it), and columns an environment's table lacks."""
    sides = list(context.sides(SideKind.MIGRATIONS))
    if not sides:
        return
    for key, table in context.models.schema.tables.items():
        if table.incomplete or table.span is None:
            continue
        found = False
        for side in sides:
            if side.excluded("table", table.name):
                found = True
                continue
            other = _counterpart(side, key)
            if other is None:
                continue
            found = True
            if side.complete and not other.incomplete and context.models.complete:
                model = (side.models or context.models.schema).tables.get(key, table)
                for column in model.columns:
                    if other.column(column.name) is None:
                        yield Missing(model, column, model, side)
        if not found and all(side.complete for side in sides):
            yield Missing(table, None, table, sides[0])


def _counterpart(side: Side, key: str) -> Table | None:
    """The side's table for the model table ``key`` (in a tenant schema if need be)."""
    found = side.schema.tables.get(key)
    for schema in side.schemas:
        found = found or side.schema.tables.get(f"{schema}.{key}")
    return found


def in_migrations_only(context: RuleContext, ignored: frozenset[str]) -> Iterator[Missing]:
    """Tables and columns the migrations create that the models never declare."""
    if not context.models.complete:
        return
    for side in context.sides(SideKind.MIGRATIONS):
        if not side.complete:
            continue
        for key, table in side.schema.tables.items():
            if table.incomplete or table.name in ALEMBIC_TABLES or key in ignored:
                continue
            if side.excluded("table", table.name):
                continue
            models = side.models or context.models.schema
            model = models.tables.get(key)
            if model is None and table.schema in side.schemas:
                model = models.tables.get(table.name)
            if model is None:
                if not side.uncompared:  # tables kept without models on purpose
                    yield Missing(table, None, None, side)
            elif not model.incomplete and model.span is not None:
                for column in table.columns:
                    excluded = side.excluded("column", column.name, table.name)
                    if model.column(column.name) is None and not excluded:
                        yield Missing(table, column, model, side)
