"""SL003's fix: make the model's unique constraints what the migrations create (unsafe).

Only in the model: ``unique=True`` is removed from the column, or the ``UniqueConstraint``
from ``__table_args__``/``Table(...)``. Only in the migrations: ``UniqueConstraint(...)`` is
added, named only when its name is not the one it would get anyway.
"""

from __future__ import annotations

from schema_lint.diagnostics import Applicability, Diagnostic, Fix, NoFix
from schema_lint.fixes.columns import remove_flags
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import add_item, call_at, column_site, remove_call, target_of
from schema_lint.fixes.imports import UNIQUE_CONSTRAINT, reference
from schema_lint.fixes.layout import CallText
from schema_lint.fixes.naming import implicit_unique_name
from schema_lint.fixes.targets import ColumnCall, constraint_keys
from schema_lint.rules.junction_unique import BOOKKEEPING_COLUMNS, junction_pair
from schema_lint.rules.unique_drift import UniqueDrift

WHY = "unsafe: the database keeps its constraint; generate a migration if it should change"


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, UniqueDrift):
        return NoFix("the finding carries no constraint")
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    text = ", ".join(data.columns)
    if data.in_model:
        model = context.model_table(data.table, data.schema)
        pair = junction_pair(model, BOOKKEEPING_COLUMNS) if model is not None else None
        if pair is not None and set(data.columns) <= set(pair):
            return NoFix(
                f"the pair of junction table `{data.table}` must stay unique (SL001): "
                "create the constraint with a migration instead (`schema-lint migration`)"
            )
        if data.column_key is not None:
            site = column_site(target, data.columns[0], data.column_key)
            if isinstance(site, ColumnCall):
                edits = remove_flags(src, site.call, ["unique"])
                if edits:
                    message = f"Remove `unique=True` from `{data.column_key}` ({WHY})"
                    return Fix(message, Applicability.UNSAFE, tuple(edits))
        call = call_at(src, target, diagnostic.span)
        if call is None:
            return NoFix("the model's unique constraint was not found at the reported line")
        removed = remove_call(src, target, call)
        if isinstance(removed, str):
            return NoFix(removed)
        message = f"Remove the model's unique constraint on ({text}) ({WHY})"
        return Fix(message, Applicability.UNSAFE, tuple(removed))
    ref = reference(src, UNIQUE_CONSTRAINT, target, context.limit(src))
    if isinstance(ref, str):
        return NoFix(ref)
    args = [src.string(k) for k in constraint_keys(target, list(data.columns))]
    implicit = implicit_unique_name(context, data.table, data.schema, data.columns)
    if data.name is not None and data.name != implicit:
        args.append(f"name={src.string(data.name)}")
    item = CallText(ref.code, tuple(args))
    added = add_item(sources, target, item, context)
    if isinstance(added, str):
        return NoFix(f"{added}; add `{item.inline()}` by hand")
    message = f"Declare `{item.inline()}` in the model ({WHY})"
    return Fix(message, Applicability.UNSAFE, (*ref.edits, *added))
