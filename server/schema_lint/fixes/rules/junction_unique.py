"""SL001's fix: declare ``UniqueConstraint(<pair>)`` on the junction table (unsafe)."""

from __future__ import annotations

import libcst as cst

from schema_lint.diagnostics import Applicability, Diagnostic, Fix, NoFix
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.imports import UNIQUE_CONSTRAINT, reference
from schema_lint.fixes.layout import CallText
from schema_lint.fixes.naming import unique_constraint_name
from schema_lint.fixes.table_args import add_to_class, add_to_table_call, locate
from schema_lint.fixes.targets import constraint_keys
from schema_lint.rules.junction_unique import JunctionPair


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    src = sources.main
    data = diagnostic.payload
    if not isinstance(data, JunctionPair):
        return NoFix("the finding carries no pair to make unique")
    table = data.table
    columns = list(data.columns)
    model = context.model_table(table, data.schema)
    target = locate(src, table, model.class_name if model else None, diagnostic.span.line)
    if target is None:
        return NoFix(f"the declaration of `{table}` was not found in this file")
    keys = constraint_keys(target, columns)
    ref = reference(src, UNIQUE_CONSTRAINT, target, context.limit(src))
    if isinstance(ref, str):
        return NoFix(ref)
    args = [src.string(k) for k in keys]
    name = unique_constraint_name(context, table, columns)
    if name is not None:
        args.append(f"name={src.string(name)}")
    item = CallText(ref.code, tuple(args))
    if isinstance(target, cst.Call):
        edits = add_to_table_call(src, target, item, context.limit(src))
    else:
        found = add_to_class(src, target, item, context, sources)
        if isinstance(found, str):
            return NoFix(f"{found}; add `{item.inline()}` by hand")
        edits = found
    message = (
        f"Add `{item.inline()}` to `{table}` (unsafe: it changes what the table accepts and "
        "needs a migration, which fails while duplicate pairs exist)"
    )
    return Fix(message, Applicability.UNSAFE, (*ref.edits, *edits))
