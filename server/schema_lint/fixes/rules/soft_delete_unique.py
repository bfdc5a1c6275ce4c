"""SL008's fix: a partial unique index over live rows instead of a plain unique key."""

from __future__ import annotations

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, Fix, NoFix
from schema_lint.fixes.columns import remove_flags
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import (
    add_item,
    call_at,
    column_site,
    replace_call,
    target_of,
)
from schema_lint.fixes.imports import INDEX, TEXT, reference
from schema_lint.fixes.layout import CallText
from schema_lint.fixes.targets import ColumnCall, constraint_keys
from schema_lint.rules.soft_delete_unique import SoftDeleteUnique
from schema_lint.vocabulary.dialects import truncate_generated

WHERE = {"postgresql": "postgresql_where", "sqlite": "sqlite_where"}
WHY = "unsafe: it changes what the table accepts and needs a migration"


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, SoftDeleteUnique):
        return NoFix("the finding carries no unique key")
    keyword = WHERE.get(context.dialect)
    if keyword is None:
        return NoFix(f"{context.dialect} has no partial indexes")
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    limit = context.limit(src)
    text = reference(src, TEXT, target, limit)
    if isinstance(text, str):
        return NoFix(text)
    where = f"{keyword}={text.code}({src.string(data.predicate)})"
    if data.declared_by == "index":
        call = call_at(src, src.around(diagnostic.span.line), diagnostic.span)
        if call is None:
            return NoFix("the model's `Index(...)` was not found at the reported line")
        args = [src.code(a).strip().rstrip(",").strip() for a in call.args]
        rebuilt = CallText(src.code(call.func), (*args, where))
        edit = replace_call(src, call, rebuilt, limit)
        message = f"Make the unique index partial: `{data.predicate}` ({WHY})"
        return Fix(message, Applicability.UNSAFE, (*text.edits, edit))
    ref = reference(src, INDEX, target, limit)
    if isinstance(ref, str):
        return NoFix(ref)
    name = data.name or truncate_generated(
        f"uq_{data.table}_{'_'.join(data.columns)}", context.dialect
    )
    keys = constraint_keys(target, list(data.columns))
    item = CallText(
        ref.code, (src.string(name), *(src.string(k) for k in keys), "unique=True", where)
    )
    removed: list[Edit]
    if data.declared_by == "column" and data.column_key is not None:
        site = column_site(target, data.columns[0], data.column_key)
        if not isinstance(site, ColumnCall):
            return NoFix(site if isinstance(site, str) else "the column has no call to change")
        removed = remove_flags(src, site.call, ["unique"])
        added = add_item(sources, target, item, context)
        if isinstance(added, str):
            return NoFix(f"{added}; add `{item.inline()}` by hand")
        edits = (*ref.edits, *text.edits, *removed, *added)
    else:
        call = call_at(src, src.around(diagnostic.span.line), diagnostic.span)
        if call is None:
            return NoFix("the model's `UniqueConstraint(...)` was not found at the reported line")
        edits = (*ref.edits, *text.edits, replace_call(src, call, item, limit))
    message = f"Replace the unique key with `{item.inline()}` ({WHY})"
    return Fix(message, Applicability.UNSAFE, edits)
