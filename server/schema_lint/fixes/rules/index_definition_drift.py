"""SL009's fix: the model's index (or uniqueness) declared as the migrations create it."""

from __future__ import annotations

import libcst as cst

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, Fix, NoFix
from schema_lint.fixes.columns import remove_flags, set_flags
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import call_at, column_site, replace_call, target_of
from schema_lint.fixes.imports import INDEX, TEXT, UNIQUE_CONSTRAINT, reference
from schema_lint.fixes.layout import CallText
from schema_lint.fixes.naming import conventional_index_name, implicit_unique_name
from schema_lint.fixes.source import Source
from schema_lint.fixes.targets import ColumnCall, constraint_keys
from schema_lint.rules.index_definition_drift import (
    CONSTRAINT_IN_DATABASE,
    DEFINITION,
    INDEX_IN_DATABASE,
    IndexDrift,
)

WHY = "unsafe: generate a migration if the database should change instead"
Target = cst.ClassDef | cst.Call


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, IndexDrift):
        return NoFix("the finding carries no index")
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    if data.declared_by == "column":
        return _on_column(src, target, context, data)
    call = call_at(src, src.around(diagnostic.span.line), diagnostic.span)
    if call is None:
        return NoFix("the model's declaration was not found at the reported line")
    if data.form == DEFINITION and _only_uniqueness(data):
        return _flag(src, ColumnCall(call), target, context, data, "the model's index")
    if data.form == CONSTRAINT_IN_DATABASE:
        made = _unique_constraint(src, target, context, data)
    else:
        made = _index(src, target, context, data)
    if isinstance(made, str):
        return NoFix(made)
    item, imports = made
    edit = replace_call(src, call, item, context.limit(src))
    message = f"Declare `{item.inline()}` as the migrations do ({WHY})"
    return Fix(message, Applicability.UNSAFE, (*imports, edit))


def _only_uniqueness(data: IndexDrift) -> bool:
    return data.columns == data.model_columns and data.where is None


def _flag(
    src: Source,
    site: ColumnCall,
    target: Target,
    context: FixContext,
    data: IndexDrift,
    what: str,
) -> Fix | NoFix:
    if data.unique:
        made = set_flags(src, site, {"unique": "True"}, target, context.limit(src))
        if isinstance(made, str):
            return NoFix(made)
        edits: list[Edit] = made
        said = f"Make {what} unique"
    else:
        edits = remove_flags(src, site.call, ["unique"])
        said = f"Make {what} not unique"
    return Fix(f"{said} ({WHY})", Applicability.UNSAFE, tuple(edits))


def _on_column(src: Source, target: Target, context: FixContext, data: IndexDrift) -> Fix | NoFix:
    """``index=True``/``unique=True`` flags on the single column."""
    if data.column_key is None:
        return NoFix("the column was not found")
    site = column_site(target, data.columns[0], data.column_key)
    if not isinstance(site, ColumnCall):
        return NoFix(site if isinstance(site, str) else "the column has no call to change")
    if data.form == DEFINITION and _only_uniqueness(data):
        return _flag(src, site, target, context, data, f"`{data.column_key}`'s index")
    if data.form == CONSTRAINT_IN_DATABASE:
        edits = remove_flags(src, site.call, ["index"])
        message = f"Remove `index=True` from `{data.column_key}`: `unique=True` stays ({WHY})"
        return Fix(message, Applicability.UNSAFE, tuple(edits))
    if data.form == INDEX_IN_DATABASE:
        name = conventional_index_name(context, data.table, data.schema, data.columns[0])
        if name == data.name:
            made = set_flags(src, site, {"index": "True"}, target, context.limit(src))
            if isinstance(made, str):
                return NoFix(made)
            message = f"Add `index=True` to `{data.column_key}` ({WHY})"
            return Fix(message, Applicability.UNSAFE, tuple(made))
    return NoFix("the index is declared by column flags: declare it with `Index(...)` by hand")


def _index(
    src: Source, target: Target, context: FixContext, data: IndexDrift
) -> tuple[CallText, tuple[Edit, ...]] | str:
    ref = reference(src, INDEX, target, context.limit(src))
    if isinstance(ref, str):
        return ref
    imports = list(ref.edits)
    args = [src.string(data.name or "")]
    args += [src.string(k) for k in constraint_keys(target, list(data.columns))]
    if data.unique:
        args.append("unique=True")
    if data.where is not None:
        text = reference(src, TEXT, target, context.limit(src))
        if isinstance(text, str):
            return text
        imports.extend(text.edits)
        keyword = "sqlite_where" if context.dialect == "sqlite" else "postgresql_where"
        args.append(f"{keyword}={text.code}({src.string(data.where)})")
    return CallText(ref.code, tuple(args)), tuple(imports)


def _unique_constraint(
    src: Source, target: Target, context: FixContext, data: IndexDrift
) -> tuple[CallText, tuple[Edit, ...]] | str:
    ref = reference(src, UNIQUE_CONSTRAINT, target, context.limit(src))
    if isinstance(ref, str):
        return ref
    args = [src.string(k) for k in constraint_keys(target, list(data.columns))]
    implicit = implicit_unique_name(context, data.table, data.schema, data.columns)
    if data.name is not None and data.name != implicit:
        args.append(f"name={src.string(data.name)}")
    return CallText(ref.code, tuple(args)), ref.edits
