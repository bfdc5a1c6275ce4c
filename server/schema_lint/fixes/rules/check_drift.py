"""SL006's fix: the model's check constraint as the migrations create it (unsafe)."""

from __future__ import annotations

import libcst as cst

from schema_lint.diagnostics import Applicability, Diagnostic, Fix, NoFix
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import add_item, call_at, remove_call, target_of
from schema_lint.fixes.edits import replacement
from schema_lint.fixes.imports import CHECK_CONSTRAINT, reference
from schema_lint.fixes.layout import CallText
from schema_lint.fixes.source import positional
from schema_lint.rules.check_drift import CheckDrift

WHY = "unsafe: generate a migration if the database should change instead"


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, CheckDrift):
        return NoFix("the finding carries no check constraint")
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    if data.model_text is None:
        assert data.database_text is not None
        ref = reference(src, CHECK_CONSTRAINT, target, context.limit(src))
        if isinstance(ref, str):
            return NoFix(ref)
        args = [src.string(data.database_text)]
        if data.name and not _generated(data.name, data.table):
            args.append(f"name={src.string(data.name)}")
        item = CallText(ref.code, tuple(args))
        added = add_item(sources, target, item, context)
        if isinstance(added, str):
            return NoFix(f"{added}; add `{item.inline()}` by hand")
        return Fix(f"Declare `{item.inline()}` ({WHY})", Applicability.UNSAFE, (*ref.edits, *added))
    call = call_at(src, target, diagnostic.span)
    if call is None:
        return NoFix("the model's `CheckConstraint(...)` was not found at the reported line")
    if data.database_text is None:
        removed = remove_call(src, target, call)
        if isinstance(removed, str):
            return NoFix(removed)
        return Fix(
            f"Remove the model's check `{data.model_text}` ({WHY})",
            Applicability.UNSAFE,
            tuple(removed),
        )
    given = positional(call)
    if not given or not isinstance(given[0].value, cst.SimpleString | cst.ConcatenatedString):
        return NoFix("the model's condition is not a string literal")
    condition = given[0].value
    edit = replacement(
        src.path, src.start(condition), src.end(condition), src.string(data.database_text)
    )
    message = f"Make the model's check `{data.database_text}` ({WHY})"
    return Fix(message, Applicability.UNSAFE, (edit,))


def _generated(name: str, table: str) -> bool:
    """A name PostgreSQL chose itself (``<table>_<column>_check``)."""
    return name.startswith(f"{table}_") and name.endswith("_check")
