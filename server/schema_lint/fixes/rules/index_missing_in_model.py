"""SL002's fix: declare in the model the index the migrations create (safe: it exists).

``index=True`` on the column when the name follows the naming convention; ``Index("name",
...)`` in ``__table_args__`` (or ``Table(...)``) for other names and composite indexes; the
model's own index renamed when only its name differs. A mixin's column gets ``index=True``
only when every table using the mixin has the index.
"""

from __future__ import annotations

import libcst as cst

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, Fix, NoFix
from schema_lint.facts.schema import Table
from schema_lint.fixes.columns import flag, remove_flags, set_flags
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.edits import replacement
from schema_lint.fixes.imports import INDEX, reference
from schema_lint.fixes.layout import CallText
from schema_lint.fixes.naming import conventional_index_name, explicit_names_kept
from schema_lint.fixes.source import Source, last_name, literal_string, positional
from schema_lint.fixes.table_args import add_to_class, add_to_table_call, locate
from schema_lint.fixes.targets import (
    ColumnCall,
    constraint_keys,
    find_class,
    find_column_in_class,
    find_column_in_table,
)
from schema_lint.rules.index_missing_in_model import MissingIndex

Target = cst.ClassDef | cst.Call


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    src = sources.main
    data = diagnostic.payload
    if not isinstance(data, MissingIndex):
        return NoFix("the finding carries no index to declare")
    table = data.table
    columns = list(data.columns)
    model = context.model_table(table, data.schema)
    problem = _unsupported(context, model, data)
    if problem is not None:
        return NoFix(problem)
    target = locate(src, table, model.class_name if model else None, diagnostic.span.line)
    if target is None:
        return NoFix(f"the declaration of `{table}` was not found in this file")
    if data.renamed_from:
        return _rename(sources, target, context, data)
    key = data.column_key
    if data.conventional and key and len(columns) == 1:
        mixin = data.inherited_from
        found = (
            _in_mixin(sources, context, model, mixin, key, data)
            if mixin
            else _on_column(src, target, context, key, data)
        )
        if found is not None:
            return found
    return _add_index(sources, target, context, data)


def _unsupported(context: FixContext, model: Table | None, data: MissingIndex) -> str | None:
    name = data.index
    if not isinstance(name, str):
        return "the index has no name"
    schema = data.schema
    qualified = f"{schema}.{data.table}" if schema else str(data.table)
    for table in context.database_tables(qualified):
        for index in table.indexes:
            if index.name != name:
                continue
            if index.expressions:
                return "an index on expressions: declare it with the same expressions by hand"
            if index.where is not None:
                return f"a partial index (WHERE {index.where}): declare it by hand"
    if model is not None:
        for column in data.columns:
            if model.column(column) is None:
                return f"the model has no column `{column}`"
    return None


def _flags(unique: bool) -> dict[str, str]:
    return {"index": "True", "unique": "True"} if unique else {"index": "True"}


def _on_column(
    src: Source, target: Target, context: FixContext, key: str, data: MissingIndex
) -> Fix | NoFix | None:
    """``index=True`` on the column; None when the ``Index(...)`` form fits better."""
    unique = bool(data.unique)
    column = str(data.columns[0])
    if isinstance(target, cst.ClassDef):
        site = find_column_in_class(target, key)
    else:
        site = find_column_in_table(target, column, key)
    if isinstance(site, str):
        return None
    if isinstance(site, ColumnCall) and not unique and flag(site.call, "unique"):
        if flag(site.call, "index"):
            return NoFix(
                f"the model's index on `{key}` is unique and the database's is not: "
                "decide which is right"
            )
        return None
    edits = set_flags(src, site, _flags(unique), target, context.limit(src))
    if isinstance(edits, str):
        return NoFix(edits)
    pairs = ", ".join(f"{k}=True" for k in _flags(unique))
    return Fix(f"Add `{pairs}` to `{key}`", Applicability.SAFE, tuple(edits))


def _in_mixin(
    sources: Sources,
    context: FixContext,
    model: Table | None,
    mixin: str,
    key: str,
    data: MissingIndex,
) -> Fix | None:
    """``index=True`` in the mixin, if every table using the mixin has the index."""
    column = str(data.columns[0])
    unique = bool(data.unique)
    users = [
        t
        for t in context.models.tables.values()
        if (c := t.column(column)) is not None and c.inherited_from == mixin
    ]
    if model is None or not users or not all(_has_index(context, t, column, unique) for t in users):
        return None
    for path in context.class_files.get(mixin, ()):
        mixin_src = sources.get(path)
        cls = find_class(mixin_src, mixin, 0) if mixin_src is not None else None
        if mixin_src is None or cls is None:
            continue
        site = find_column_in_class(cls, key)
        if isinstance(site, str):
            return None
        if isinstance(site, ColumnCall) and not unique and flag(site.call, "unique"):
            return None
        edits = set_flags(mixin_src, site, _flags(unique), cls, context.limit(mixin_src))
        if isinstance(edits, str):
            return None
        pairs = ", ".join(f"{k}=True" for k in _flags(unique))
        message = f"Add `{pairs}` to `{key}` in mixin `{mixin}` (every table using it has it)"
        return Fix(message, Applicability.SAFE, tuple(edits))
    return None


def _has_index(context: FixContext, table: Table, column: str, unique: bool) -> bool:
    name = conventional_index_name(context, table.name, table.schema, column)
    return any(
        index.columns == (column,) and index.unique == unique and index.name == name
        for database in context.database_tables(table.qualified_name)
        for index in database.indexes
    )


def _index_item(
    src: Source, target: Target, context: FixContext, data: MissingIndex
) -> tuple[CallText, tuple[Edit, ...]] | str:
    if not explicit_names_kept(context):
        return (
            "the naming convention's `ix` template uses `%(constraint_name)s`, which would "
            "rename an explicit `Index(...)`"
        )
    ref = reference(src, INDEX, target, context.limit(src))
    if isinstance(ref, str):
        return ref
    keys = constraint_keys(target, list(data.columns))
    args = [src.string(str(data.index)), *(src.string(k) for k in keys)]
    if data.unique:
        args.append("unique=True")
    return CallText(ref.code, tuple(args)), ref.edits


def _add_index(
    sources: Sources,
    target: Target,
    context: FixContext,
    data: MissingIndex,
    *,
    before: tuple[Edit, ...] = (),
    message: str | None = None,
) -> Fix | NoFix:
    """``Index("name", ...)`` added to ``__table_args__`` or ``Table(...)``."""
    src = sources.main
    made = _index_item(src, target, context, data)
    if isinstance(made, str):
        return NoFix(made)
    item, import_edits = made
    if isinstance(target, cst.Call):
        edits = add_to_table_call(src, target, item, context.limit(src), split=not before)
        where = f"`Table({src.string(str(data.table))}, ...)`"
    else:
        found = add_to_class(src, target, item, context, sources)
        if isinstance(found, str):
            return NoFix(f"{found}; add `{item.inline()}` by hand")
        edits = found
        where = f"`{target.name.value}.__table_args__`"
    text = message or f"Add `{item.inline()}` to {where}"
    return Fix(text, Applicability.SAFE, (*import_edits, *before, *edits))


def _rename(
    sources: Sources,
    target: Target,
    context: FixContext,
    data: MissingIndex,
) -> Fix | NoFix:
    """Give the model's index the database's name."""
    src = sources.main
    old, new = str(data.renamed_from), str(data.index)
    literal = _index_literal(src, target, old)
    if literal is not None:
        quote = literal.quote
        body = new.replace("\\", "\\\\").replace(quote, "\\" + quote)
        code = f"{literal.prefix}{quote}{body}{quote}"
        edit = replacement(src.path, src.start(literal), src.end(literal), code)
        return Fix(f"Rename the model's index `{old}` to `{new}`", Applicability.SAFE, (edit,))
    key = data.column_key
    columns = list(data.columns)
    if isinstance(key, str) and len(columns) == 1 and not data.inherited_from:
        if isinstance(target, cst.ClassDef):
            site = find_column_in_class(target, key)
        else:
            site = find_column_in_table(target, columns[0], key)
        if isinstance(site, ColumnCall) and flag(site.call, "index"):
            names = ["index"]
            if data.unique and flag(site.call, "unique"):
                names.append("unique")
            removed = tuple(remove_flags(src, site.call, names))
            message = f"Replace `index=True` on `{key}` with an index named `{new}`"
            return _add_index(sources, target, context, data, before=removed, message=message)
    return NoFix(f"rename the model's index `{old}` to `{new}` by hand")


def _index_literal(src: Source, target: Target, name: str) -> cst.SimpleString | None:
    """The string literal naming ``Index("<name>", ...)``, preferably inside ``target``."""
    found: list[cst.SimpleString] = []

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            args = positional(node)
            if last_name(node.func) == "Index" and args:
                value = args[0].value
                if isinstance(value, cst.SimpleString) and literal_string(value) == name:
                    found.append(value)

    target.visit(Finder())
    if not found:
        for module in src.modules(("Index",)):
            module.visit(Finder())
    return found[0] if len(found) == 1 else None
