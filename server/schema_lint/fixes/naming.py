"""Names for the constraints and indexes a fix declares."""

from __future__ import annotations

from collections.abc import Sequence

from schema_lint.fixes.context import FixContext
from schema_lint.vocabulary.dialects import (
    DEFAULT_CONVENTION,
    NamingTarget,
    convention_name,
    postgres_default_name,
    truncate_generated,
)


def unique_constraint_name(context: FixContext, table: str, columns: Sequence[str]) -> str | None:
    """The explicit ``name=`` of a new unique constraint; None when the project's naming
    convention names it (a ``uq`` template without ``%(constraint_name)s``)."""
    template = context.naming_convention.get("uq")
    if template is not None and "constraint_name" not in template:
        return None
    if template is not None:
        return "_".join(columns)
    return truncate_generated(f"uq_{table}_{'_'.join(columns)}", context.dialect)


def conventional_index_name(
    context: FixContext, table: str, schema: str | None, column: str
) -> str | None:
    """The name ``index=True`` on ``column`` gives, as the rule computes it."""
    convention = dict(context.naming_convention) or dict(DEFAULT_CONVENTION)
    name = convention_name(convention, NamingTarget("ix", table, schema, (column,)))
    return truncate_generated(name, context.dialect) if name else None


def explicit_names_kept(context: FixContext) -> bool:
    """Whether ``Index("name", ...)`` keeps its name (no ``%(constraint_name)s`` in ``ix``)."""
    return "constraint_name" not in context.naming_convention.get("ix", "")


def implicit_unique_name(
    context: FixContext, table: str, schema: str | None, columns: Sequence[str]
) -> str | None:
    """The name an unnamed ``UniqueConstraint(*columns)`` gets: from the naming convention,
    else the database's own (PostgreSQL ``<table>_<columns>_key``); None when unknown."""
    convention = dict(context.naming_convention)
    if "uq" in convention:
        name = convention_name(convention, NamingTarget("uq", table, schema, columns))
        return truncate_generated(name, context.dialect) if name else None
    if context.dialect == "postgresql":
        return postgres_default_name(table, columns, "key", ())
    return None
