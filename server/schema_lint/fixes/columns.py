"""Setting and removing keyword flags (``index=True``) on a column declaration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst

from schema_lint.diagnostics import Edit
from schema_lint.fixes import sequence
from schema_lint.fixes.edits import replacement
from schema_lint.fixes.imports import FIELD, MAPPED_COLUMN, reference
from schema_lint.fixes.source import Source, keyword
from schema_lint.fixes.targets import BareAnnotation, ColumnCall, ColumnSite


def flag(call: cst.Call, name: str) -> bool | None:
    """The literal value of a boolean keyword argument; None when absent or not a literal."""
    arg = keyword(call, name)
    if arg is None or not isinstance(arg.value, cst.Name):
        return None
    return {"True": True, "False": False}.get(arg.value.value)


def set_flags(
    src: Source, site: ColumnSite, flags: Mapping[str, str], near: cst.CSTNode, limit: int
) -> list[Edit] | str:
    """Edits giving the column at ``site`` each ``keyword=value`` of ``flags``."""
    pairs = ", ".join(f"{k}={v}" for k, v in flags.items())
    if isinstance(site, ColumnCall):
        return _set_on_call(src, site.call, flags, limit)
    if isinstance(site, BareAnnotation):
        ref = reference(src, MAPPED_COLUMN if site.mapped else FIELD, near, limit)
        if isinstance(ref, str):
            return ref
        end = src.end(site.statement.annotation.annotation)
        edit = replacement(src.path, end, end, f" = {ref.code}({pairs})")
        return [*ref.edits, edit]
    ref = reference(src, FIELD, near, limit)
    if isinstance(ref, str):
        return ref
    value = src.code(site.value)
    start, end = src.start(site.value), src.end(site.value)
    return [*ref.edits, replacement(src.path, start, end, f"{ref.code}(default={value}, {pairs})")]


def _set_on_call(src: Source, call: cst.Call, flags: Mapping[str, str], limit: int) -> list[Edit]:
    edits: list[Edit] = []
    missing: list[str] = []
    for name, value in flags.items():
        arg = keyword(call, name)
        if arg is None:
            missing.append(f"{name}={value}")
        elif src.code(arg.value) != value:
            edits.append(replacement(src.path, src.start(arg.value), src.end(arg.value), value))
    if missing:
        seq = sequence.of_call(src, call)
        edits.extend(sequence.append(src, seq, missing, limit, split=not edits))
    return edits


def remove_flags(src: Source, call: cst.Call, names: Sequence[str]) -> list[Edit]:
    """Edits removing the keyword arguments ``names`` from ``call``."""
    seq = sequence.of_call(src, call)
    indexes = [
        i for i, a in enumerate(call.args) if a.keyword is not None and a.keyword.value in names
    ]
    groups: list[list[int]] = []
    for index in indexes:
        if groups and groups[-1][-1] == index - 1:
            groups[-1].append(index)
        else:
            groups.append([index])
    return [sequence.remove(src, seq, g[0], g[-1]) for g in groups]
