"""Adding a constraint or index to a model: to ``__table_args__``, or to ``Table(...)``.

``__table_args__`` forms: absent (a new line after ``__tablename__`` or the docstring), a tuple
(appended, before a trailing dict), a dict (becomes ``(item, {...})``) and ``a + b`` tuples.
Computed ones (``declared_attr``, a function call, a name) and conditional ones are reported
as not fixable. A class without its own ``__table_args__`` that inherits one keeps it:
``(item, *Base.__table_args__)``.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst

from schema_lint.diagnostics import Edit
from schema_lint.fixes import sequence
from schema_lint.fixes.compose import Addition, Redo, record
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.edits import Pos, insertion, replacement
from schema_lint.fixes.layout import Item, inline, render
from schema_lint.fixes.source import Source, dotted, last_name
from schema_lint.fixes.targets import (
    assigned_names,
    body_statements,
    find_class,
    find_table_call,
    is_table_call,
)

TABLE_ARGS = "__table_args__"
CONSTRAINTS = frozenset(
    {
        "Index",
        "UniqueConstraint",
        "PrimaryKeyConstraint",
        "ForeignKeyConstraint",
        "CheckConstraint",
    }
)


@dataclass(frozen=True, slots=True)
class Assigned:
    statement: cst.SimpleStatementLine
    value: cst.BaseExpression


@functools.lru_cache(maxsize=64)  # nodes hash by identity; every fix of a table asks again
def find_table_args(cls: cst.ClassDef) -> Assigned | str | None:
    """The class's own ``__table_args__`` assignment, a reason it cannot be edited, or None."""
    found: Assigned | str | None = None
    for statement in body_statements(cls):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == TABLE_ARGS:
            found = f"`{TABLE_ARGS}` is computed by a function (`declared_attr`)"
        elif isinstance(statement, cst.SimpleStatementLine):
            for name, small in assigned_names(statement):
                if name == TABLE_ARGS and small.value is not None:
                    found = Assigned(statement, small.value)
        elif _assigns_inside(statement):
            found = f"`{TABLE_ARGS}` is assigned conditionally"
    return found


def _assigns_inside(statement: cst.BaseStatement) -> bool:
    seen = False

    class Finder(cst.CSTVisitor):
        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Name(self, node: cst.Name) -> None:
            nonlocal seen
            seen = seen or node.value == TABLE_ARGS

    statement.visit(Finder())
    return seen


def _dict_like(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Dict) or (
        isinstance(node, cst.Call) and dotted(node.func) == ("dict",)
    )


def _may_be_dict(node: cst.BaseExpression) -> bool:
    return _dict_like(node) or isinstance(node, (cst.Name, cst.Attribute, cst.Subscript))


def add_to_class(
    src: Source, cls: cst.ClassDef, item: Item, context: FixContext, sources: Sources
) -> list[Edit] | str:
    """Edits adding ``item`` to the ``__table_args__`` of ``cls``; a string says why not."""

    def redo(items: Sequence[Item]) -> list[Edit] | str:
        return add_items_to_class(src, cls, items, context, sources)

    return _recorded(src, cls, item, redo)


def _recorded(src: Source, target: cst.CSTNode, item: Item, redo: Redo) -> list[Edit] | str:
    edits = redo([item])
    if not isinstance(edits, str):
        start = src.start(target)
        record(Addition((src.path, *start), item, tuple(edits), redo))
    return edits


def add_items_to_class(
    src: Source, cls: cst.ClassDef, items: Sequence[Item], context: FixContext, sources: Sources
) -> list[Edit] | str:
    """Edits adding ``items`` to the ``__table_args__`` of ``cls``; a string says why not."""
    found = find_table_args(cls)
    if isinstance(found, str):
        return found
    limit = context.limit(src)
    if found is None:
        inherited = _inherited(src, cls, context, sources, set())
        if inherited is not None and inherited[1] == "other":
            return (
                f"`{cls.name.value}` inherits `{TABLE_ARGS}` from `{inherited[0]}`, "
                "which cannot be extended statically"
            )
        return _new_statement(src, cls, items, inherited, limit)
    value = found.value
    indent = src.indent(src.start(found.statement)[0])
    if isinstance(value, cst.Tuple):
        return _add_to_tuple(src, value, items, limit)
    if _dict_like(value):
        return _wrap_dict(src, value, items, indent, limit)
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        if isinstance(value.right, cst.Tuple):
            return _add_to_tuple(src, value.right, items, limit)
        if isinstance(value.left, cst.Tuple):
            return sequence.append(src, sequence.of_tuple(src, value.left), items, limit)
        return f"`{TABLE_ARGS}` is built by an expression"
    if isinstance(value, cst.Call) and last_name(value.func) in CONSTRAINTS:
        return f"`{TABLE_ARGS}` is one constraint, not a tuple (SQLAlchemy rejects it)"
    if isinstance(value, cst.Call):
        return f"`{TABLE_ARGS}` is built by a function call"
    if isinstance(value, (cst.Name, cst.Attribute)):
        return f"`{TABLE_ARGS}` is assigned from `{src.code(value)}`"
    return f"`{TABLE_ARGS}` is neither a tuple nor a dict (SQLAlchemy rejects it)"


def _add_to_tuple(src: Source, node: cst.Tuple, items: Sequence[Item], limit: int) -> list[Edit]:
    seq = sequence.of_tuple(src, node)
    elements = node.elements
    if elements and isinstance(elements[-1], cst.Element) and _may_be_dict(elements[-1].value):
        return sequence.insert_before(src, seq, len(elements) - 1, items, limit)
    return sequence.append(src, seq, items, limit)


def _wrap_dict(
    src: Source, node: cst.BaseExpression, items: Sequence[Item], indent: str, limit: int
) -> list[Edit]:
    """``{...}`` -> ``(item, {...})``, split over lines when long or already multi-line."""
    start, end = src.start(node), src.end(node)
    code = src.code(node)
    unit = src.indent_unit
    inner = indent + unit
    rendered = "".join(f"{inner}{render(i, inner, len(inner), ',', limit, unit)},\n" for i in items)
    split = f"(\n{rendered}{inner}" + code.replace("\n", "\n" + unit) + f",\n{indent})"
    line = src.line(start[0])
    if start[0] == end[0]:
        if len(line) + len(", ".join(inline(i) for i in items)) + 4 <= limit or len(line) > limit:
            return _hug(src, start, end, items)
        return [replacement(src.path, start, end, split)]
    if _has_multiline_string(node):
        return _hug(src, start, end, items)
    return [replacement(src.path, start, end, split)]


def _hug(src: Source, start: Pos, end: Pos, items: Sequence[Item]) -> list[Edit]:
    head = "".join(f"{inline(i)}, " for i in items)
    return [insertion(src.path, start, f"({head}"), insertion(src.path, end, ")")]


def _has_multiline_string(node: cst.CSTNode) -> bool:
    found = False

    class Finder(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            nonlocal found
            found = found or "\n" in node.value

        def visit_FormattedString(self, node: cst.FormattedString) -> None:
            nonlocal found
            found = found or node.start.endswith(('"""', "'''"))

    node.visit(Finder())
    return found


def _new_statement(
    src: Source,
    cls: cst.ClassDef,
    items: Sequence[Item],
    inherited: tuple[str, str] | None,
    limit: int,
) -> list[Edit] | str:
    statements = body_statements(cls)
    if not statements:
        return f"the body of `{cls.name.value}` is on the class line"
    indent = src.indent(src.start(statements[0])[0])
    members = list(items)
    if inherited is not None:
        base, form = inherited
        members.append(f"*{base}.{TABLE_ARGS}" if form == "tuple" else f"{base}.{TABLE_ARGS}")
    one_line = f"{indent}{TABLE_ARGS} = ({', '.join(inline(m) for m in members)}"
    one_line += ",)" if len(members) == 1 else ")"
    if len(one_line) <= limit:
        text = one_line + "\n"
    else:
        unit = src.indent_unit
        inner = indent + unit
        body = "".join(
            f"{inner}{render(m, inner, len(inner), ',', limit, unit)},\n" for m in members
        )
        text = f"{indent}{TABLE_ARGS} = (\n{body}{indent})\n"
    anchor = _anchor(statements)
    if anchor is None:
        first = statements[0]
        line = src.start(first)[0] - len(getattr(first, "leading_lines", ()))
        return [insertion(src.path, (line, 0), text)]
    return [line_after(src, src.end(anchor)[0], text)]


def _anchor(statements: list[cst.BaseStatement]) -> cst.BaseStatement | None:
    """The ``__tablename__`` assignment, else the docstring, to insert after."""
    for statement in statements:
        if any(name == "__tablename__" for name, _ in assigned_names(statement)):
            return statement
    first = statements[0]
    if isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1:
        small = first.body[0]
        if isinstance(small, cst.Expr) and isinstance(
            small.value, (cst.SimpleString, cst.ConcatenatedString)
        ):
            return first
    return None


def line_after(src: Source, line: int, text: str) -> Edit:
    """An edit inserting the full line(s) ``text`` after line ``line``."""
    if line < len(src.lines):
        return insertion(src.path, (line + 1, 0), text)
    return insertion(src.path, (line, len(src.line(line))), "\n" + text.rstrip("\n"))


def _inherited(
    src: Source, cls: cst.ClassDef, context: FixContext, sources: Sources, seen: set[str]
) -> tuple[str, str] | None:
    """(base as written, ``tuple``/``dict``/``other``) for the first base class in the project
    that provides ``__table_args__``, directly or through its own bases."""
    seen.add(cls.name.value)
    for base in cls.bases:
        parts = dotted(base.value)
        if parts is None or parts[-1] in seen:
            continue
        found = _lookup_class(src, parts[-1], context, sources)
        if found is None:
            continue
        base_src, base_cls = found
        args = find_table_args(base_cls)
        written = src.code(base.value)
        if isinstance(args, Assigned):
            value = args.value
            form = (
                "tuple"
                if isinstance(value, cst.Tuple)
                else "dict"
                if _dict_like(value)
                else "other"
            )
            return (written, form)
        if isinstance(args, str):
            return (written, "other")
        deeper = _inherited(base_src, base_cls, context, sources, seen)
        if deeper is not None:
            return (written, deeper[1])
    return None


def _lookup_class(
    src: Source, name: str, context: FixContext, sources: Sources
) -> tuple[Source, cst.ClassDef] | None:
    for candidate in (src, *(sources.get(p) for p in context.class_files.get(name, ()))):
        if candidate is None:
            continue
        for module in candidate.modules((name,)):
            for statement in module.body:
                if isinstance(statement, cst.ClassDef) and statement.name.value == name:
                    return candidate, statement
    return None


def add_to_table_call(
    src: Source, call: cst.Call, item: Item, limit: int, *, split: bool = True
) -> list[Edit]:
    """Edits adding ``item`` as a positional argument after the last column or constraint
    (``split``: lay a long one-line call out over several lines)."""

    def redo(items: Sequence[Item]) -> list[Edit]:
        return add_items_to_table_call(src, call, items, limit, split=split)

    edits = _recorded(src, call, item, redo)
    assert not isinstance(edits, str)
    return edits


def add_items_to_table_call(
    src: Source, call: cst.Call, items: Sequence[Item], limit: int, *, split: bool = True
) -> list[Edit]:
    """Edits adding ``items`` as positional arguments after the last column or constraint."""
    seq = sequence.of_call(src, call)
    last = max(i for i, a in enumerate(call.args) if a.keyword is None and a.star != "**")
    if last == len(call.args) - 1:
        return sequence.append(src, seq, items, limit, split=split)
    return sequence.insert_before(src, seq, last + 1, items, limit, split=split)


def locate(
    src: Source, table: str, class_name: str | None, line: int
) -> cst.ClassDef | cst.Call | None:
    """The ``Table(...)`` call or model class that declares ``table``, near ``line``."""
    call = find_table_call(src, table, line)
    if call is not None:
        return call
    cls = find_class(src, class_name, line)
    if cls is None:
        return None
    return _dunder_table(cls) or cls


@functools.lru_cache(maxsize=64)
def _dunder_table(cls: cst.ClassDef) -> cst.Call | None:
    """The ``__table__ = Table(...)`` of ``cls``."""
    for statement in body_statements(cls):
        for name, small in assigned_names(statement):
            if name == "__table__" and small.value is not None and is_table_call(small.value):
                assert isinstance(small.value, cst.Call)
                return small.value
    return None
