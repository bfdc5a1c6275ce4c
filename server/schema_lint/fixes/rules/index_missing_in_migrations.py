"""SL007's fix: remove the model's index declaration that no migration backs (unsafe)."""

from __future__ import annotations

from schema_lint.diagnostics import Applicability, Diagnostic, Fix, NoFix
from schema_lint.fixes.columns import remove_flags
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import call_at, column_site, remove_call, target_of
from schema_lint.fixes.targets import ColumnCall
from schema_lint.rules.index_missing_in_migrations import ModelOnlyIndex

WHY = "unsafe: a migration creating the index is usually the better fix"


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, ModelOnlyIndex):
        return NoFix("the finding carries no index")
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    if data.declared_by == "column" and data.column_key is not None:
        site = column_site(target, data.columns[0], data.column_key)
        if not isinstance(site, ColumnCall):
            return NoFix(site if isinstance(site, str) else "the column has no call to change")
        names = ["index", "unique"] if data.unique else ["index"]
        edits = remove_flags(src, site.call, names)
        if not edits:
            return NoFix("`index=True` was not found on the column")
        flags = " and ".join(f"`{n}=True`" for n in names)
        return Fix(
            f"Remove {flags} from `{data.column_key}` ({WHY})", Applicability.UNSAFE, tuple(edits)
        )
    call = call_at(src, src.around(diagnostic.span.line), diagnostic.span)
    if call is None:
        return NoFix("the model's `Index(...)` was not found at the reported line")
    removed = remove_call(src, target, call)
    if isinstance(removed, str):
        return NoFix(removed)
    message = f"Remove the model's index `{data.name}` ({WHY})"
    return Fix(message, Applicability.UNSAFE, tuple(removed))
