"""Finding, adding and removing a model's declarations: a constraint or index call, a
column, in a model class or a ``Table(...)`` call. The drift rules' fixers share these."""

from __future__ import annotations

import libcst as cst

from schema_lint.diagnostics import Edit
from schema_lint.facts.source import Span
from schema_lint.fixes import sequence
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.edits import replacement
from schema_lint.fixes.layout import Item, render
from schema_lint.fixes.source import Source
from schema_lint.fixes.table_args import (
    add_to_class,
    add_to_table_call,
    find_table_args,
    locate,
)
from schema_lint.fixes.targets import (
    ColumnSite,
    find_column_in_class,
    find_column_in_table,
)

Target = cst.ClassDef | cst.Call


def target_of(
    src: Source, context: FixContext, table: str, schema: str | None, line: int
) -> Target | str:
    """The model class or ``Table(...)`` call declaring ``table`` near ``line``."""
    model = context.model_table(table, schema)
    found = locate(src, table, model.class_name if model else None, line)
    return found if found is not None else f"the declaration of `{table}` was not found"


def call_at(src: Source, root: cst.CSTNode, span: Span) -> cst.Call | None:
    """The call that starts where ``span`` starts, inside ``root``."""
    found: list[cst.Call] = []
    wanted = (span.line, span.col)

    class Finder(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> bool:
            if src.start(node) == wanted:
                found.append(node)
            return True

    root.visit(Finder())
    return found[0] if found else None


def column_site(target: Target, column: str, key: str | None) -> ColumnSite | str:
    """Where ``column`` (attribute ``key``) is declared in ``target``."""
    if isinstance(target, cst.ClassDef):
        return find_column_in_class(target, key or column)
    return find_column_in_table(target, column, key)


def add_item(sources: Sources, target: Target, item: Item, context: FixContext) -> list[Edit] | str:
    """Edits adding a constraint or index to ``__table_args__`` or ``Table(...)``."""
    src = sources.main
    if isinstance(target, cst.Call):
        return add_to_table_call(src, target, item, context.limit(src))
    return add_to_class(src, target, item, context, sources)


def remove_call(src: Source, target: Target, call: cst.Call) -> list[Edit] | str:
    """Edits removing the constraint or index ``call`` from ``target``: from the
    ``__table_args__`` tuple (the whole statement when it was the only item), from the
    arguments of ``Table(...)``, or a module-level ``Index(...)`` statement."""
    alone = _own_statement(src, call)
    if alone is not None:
        return alone
    if isinstance(target, cst.Call):
        return _remove_argument(src, target, call)
    found = find_table_args(target)
    if found is None:
        return "the declaration is not in `__table_args__`"
    if isinstance(found, str):
        return found
    value = found.value
    if not isinstance(value, cst.Tuple):
        return "`__table_args__` is not a tuple"
    items = [e.value for e in value.elements]
    if call not in items:
        return "the declaration is not an item of `__table_args__`"
    if len(items) == 1:
        start, end = src.start(found.statement), src.end(found.statement)
        return [replacement(src.path, (start[0], 0), (end[0] + 1, 0), "")]
    index = items.index(call)
    return [sequence.remove(src, sequence.of_tuple(src, value), index, index)]


def _remove_argument(src: Source, table: cst.Call, call: cst.Call) -> list[Edit] | str:
    values = [a.value for a in table.args]
    if call not in values:
        return "the declaration is not an argument of `Table(...)`"
    index = values.index(call)
    return [sequence.remove(src, sequence.of_call(src, table), index, index)]


def _own_statement(src: Source, call: cst.Call) -> list[Edit] | None:
    """Removing a module-level ``Index(...)`` statement: its whole lines."""
    for statement in src.statements(src.start(call)[0]):
        if (
            isinstance(statement, cst.SimpleStatementLine)
            and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and statement.body[0].value is call
        ):
            start, end = src.start(statement), src.end(statement)
            return [replacement(src.path, (start[0], 0), (end[0] + 1, 0), "")]
    return None


def replace_call(src: Source, call: cst.Call, item: Item, limit: int) -> Edit:
    """An edit replacing ``call`` by ``item``, laid out like a formatter would at its place:
    a call that must be split inside a one-line tuple splits the tuple too."""
    start, end = src.start(call), src.end(call)
    indent = src.indent(start[0])
    suffix = src.line(end[0])[end[1] :].rstrip() if start[0] == end[0] else ""
    text = render(item, indent, start[1], suffix, limit, src.indent_unit)
    tuple_ = _sole_element_of(src, call) if "\n" in text else None
    if tuple_ is None:
        return replacement(src.path, start, end, text)
    inner = indent + src.indent_unit
    text = render(item, inner, len(inner), ",", limit, src.indent_unit)
    body = f"\n{inner}{text},\n{indent}"  # the tuple's range excludes its parentheses
    if not tuple_.lpar:
        body = f"({body})"
    return replacement(src.path, src.start(tuple_), src.end(tuple_), body)


def _sole_element_of(src: Source, call: cst.Call) -> cst.Tuple | None:
    """The one-line tuple whose only element is ``call``."""
    found: list[cst.Tuple] = []

    class Finder(cst.CSTVisitor):
        def visit_Tuple(self, node: cst.Tuple) -> bool:
            if len(node.elements) == 1 and node.elements[0].value is call:
                found.append(node)
            return True

    src.around(src.start(call)[0]).visit(Finder())
    if not found or src.start(found[0])[0] != src.end(found[0])[0]:
        return None
    return found[0]
