"""SL004's fix: ``nullable=`` on the model's column, as the migrations make it (unsafe)."""

from __future__ import annotations

from schema_lint.diagnostics import Applicability, Diagnostic, Fix, NoFix
from schema_lint.fixes.columns import set_flags
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import column_site, target_of
from schema_lint.rules.nullable_drift import NullableDrift


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, NullableDrift):
        return NoFix("the finding carries no column")
    if data.inherited_from is not None:
        return NoFix(f"the column is declared in `{data.inherited_from}`: change it there")
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    site = column_site(target, data.column, data.column_key)
    if isinstance(site, str):
        return NoFix(site)
    value = "True" if data.database_nullable else "False"
    edits = set_flags(src, site, {"nullable": value}, target, context.limit(src))
    if isinstance(edits, str):
        return NoFix(edits)
    message = (
        f"Set `nullable={value}` on `{data.column_key}` (unsafe: the migrations decide; "
        "generate a migration if the database should change instead)"
    )
    return Fix(message, Applicability.UNSAFE, tuple(edits))
