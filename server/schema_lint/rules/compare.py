"""What the drift rules compare, written once: uniqueness in its two forms, referential
actions, and the places a finding is reported at."""

from __future__ import annotations

from collections.abc import Sequence

from schema_lint.facts.schema import Index, Table, UniqueConstraint
from schema_lint.facts.source import Span


def columns_text(columns: Sequence[str]) -> str:
    return f"({', '.join(columns)})"


def unique_constraints(table: Table) -> dict[frozenset[str], UniqueConstraint]:
    """The table's unique constraints by column set (the first of duplicates)."""
    found: dict[frozenset[str], UniqueConstraint] = {}
    for unique in table.unique_constraints:
        found.setdefault(frozenset(unique.columns), unique)
    return found


def plain(index: Index) -> bool:
    """An index on columns only, over every row (no expression, no predicate)."""
    return not index.expressions and index.where is None


def unique_index_on(table: Table, columns: frozenset[str]) -> Index | None:
    """A plain unique index over exactly ``columns``: the other form of a unique constraint."""
    for index in table.indexes:
        if index.unique and plain(index) and frozenset(index.columns) == columns:
            return index
    return None


def referential_action(value: str | None) -> str | None:
    """``ON DELETE``/``ON UPDATE`` as the database stores it: ``NO ACTION`` is no clause."""
    if value is None:
        return None
    action = " ".join(value.upper().split())
    return None if action == "NO ACTION" else action


def column_place(table: Table, column: str) -> Span | None:
    """Where to report about ``column`` of a model table: its declaration, or the class line
    when a mixin declares it, or the table's line."""
    found = table.column(column)
    if found is not None and found.span is not None:
        return table.class_span or table.span if found.inherited_from else found.span
    return table.span


def declared_place(
    table: Table, span: Span | None, inherited_from: str | None = None
) -> Span | None:
    """Where to report about a model declaration: its own line, or the class line when a
    mixin or base declares it (the finding is about this table), or the table's line."""
    if inherited_from is not None:
        return table.class_span or table.span
    if span is not None and table.span is not None and span.path == table.span.path:
        return span
    return table.span
