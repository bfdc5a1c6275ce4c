"""SL005's fix: the model's ``ondelete=``/``onupdate=`` as the migrations create them."""

from __future__ import annotations

import libcst as cst

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, Fix, NoFix
from schema_lint.fixes.columns import remove_flags, set_flags
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import call_at, column_site, target_of
from schema_lint.fixes.source import Source, last_name
from schema_lint.fixes.targets import ColumnCall
from schema_lint.rules.ondelete_drift import ActionDrift

_DECLARES = frozenset({"ForeignKey", "ForeignKeyConstraint"})


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, ActionDrift):
        return NoFix("the finding carries no foreign key")
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    call = _declaration(src, target, diagnostic, data)
    if isinstance(call, str):
        return NoFix(call)
    edits: list[Edit] = []
    said: list[str] = []
    for keyword, differs, value in (
        ("ondelete", data.ondelete_differs, data.ondelete),
        ("onupdate", data.onupdate_differs, data.onupdate),
    ):
        if not differs:
            continue
        if value is None:
            edits.extend(remove_flags(src, call, [keyword]))
            said.append(f"remove `{keyword}=`")
        else:
            made = set_flags(
                src, ColumnCall(call), {keyword: src.string(value)}, target, context.limit(src)
            )
            if isinstance(made, str):
                return NoFix(made)
            edits.extend(made)
            said.append(f"set `{keyword}={src.string(value)}`")
    if not edits:
        return NoFix("the clause is not written where it can be changed")
    message = (
        f"{'; '.join(said).capitalize()} on the foreign key to `{data.ref_table}` (unsafe: "
        "generate a migration if the database should change instead)"
    )
    return Fix(message, Applicability.UNSAFE, tuple(edits))


def _declaration(
    src: Source, target: cst.ClassDef | cst.Call, diagnostic: Diagnostic, data: ActionDrift
) -> cst.Call | str:
    """The ``ForeignKey(...)``, ``ForeignKeyConstraint(...)`` or SQLModel ``Field(...)``."""
    found = call_at(src, target, diagnostic.span)
    if found is not None and last_name(found.func) in _DECLARES:
        return found
    if data.column_key is None:
        return "the foreign key's declaration was not found"
    site = column_site(target, data.columns[0], data.column_key)
    if not isinstance(site, ColumnCall):
        return site if isinstance(site, str) else "the column has no call to change"
    for arg in site.call.args:
        value = arg.value
        if arg.keyword is None and isinstance(value, cst.Call) and _is_fk(value):
            return value
    if last_name(site.call.func) == "Field":
        return site.call
    return "the column's `ForeignKey(...)` was not found"


def _is_fk(call: cst.Call) -> bool:
    return last_name(call.func) == "ForeignKey"
