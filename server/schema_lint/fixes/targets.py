"""Finding what a fix edits: the model class or ``Table(...)`` call, and a column in it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import libcst as cst

from schema_lint.fixes.source import Source, dotted, keyword, last_name, literal_string, positional
from schema_lint.vocabulary.sqlalchemy import COLUMN_CALLS


def _contains(src: Source, node: cst.CSTNode, line: int) -> bool:
    code_range = src.range(node)
    return code_range.start.line <= line <= code_range.end.line


def is_table_call(node: cst.CSTNode, table: str | None = None) -> bool:
    if not isinstance(node, cst.Call) or last_name(node.func) != "Table":
        return False
    args = positional(node)
    name = literal_string(args[0].value) if args else None
    return name is not None and (table is None or name == table)


def find_table_call(src: Source, table: str, line: int) -> cst.Call | None:
    """The innermost ``Table("<table>", ...)`` call spanning ``line``."""
    return src.memo(("table-call", table, line), lambda: _find_table_call(src, table, line))


def _find_table_call(src: Source, table: str, line: int) -> cst.Call | None:
    module = src.around(line)
    calls = src.memo(
        ("table-calls", id(module)),
        lambda: [node for node in src.nodes(module, cst.Call) if is_table_call(node)],
    )
    found = [c for c in calls if is_table_call(c, table) and _contains(src, c, line)]
    return found[-1] if found else None


def find_class(src: Source, name: str | None, line: int) -> cst.ClassDef | None:
    """The class called ``name`` (the one spanning ``line`` if several), else the innermost
    class spanning ``line``."""
    return src.memo(("class", name, line), lambda: _find_class(src, name, line))


def _find_class(src: Source, name: str | None, line: int) -> cst.ClassDef | None:
    named: list[cst.ClassDef] = []
    spanning: list[cst.ClassDef] = []
    for module in src.modules((name,) if name is not None else (), (line,)):
        for node in src.nodes(module, cst.ClassDef):
            if name is not None and node.name.value == name:
                named.append(node)
            if _contains(src, node, line):
                spanning.append(node)
    if len(named) == 1:
        return named[0]
    both = [c for c in spanning if c in named]
    if both:
        return both[-1]
    if named:
        return None
    return spanning[-1] if spanning else None


def body_statements(cls: cst.ClassDef) -> list[cst.BaseStatement]:
    body = cls.body
    return list(body.body) if isinstance(body, cst.IndentedBlock) else []


def assigned_names(statement: cst.BaseStatement) -> list[tuple[str, cst.Assign | cst.AnnAssign]]:
    """``(name, small statement)`` for each plain-name assignment in a simple statement."""
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    found: list[tuple[str, cst.Assign | cst.AnnAssign]] = []
    for small in statement.body:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                if isinstance(target.target, cst.Name):
                    found.append((target.target.value, small))
        elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
            found.append((small.target.value, small))
    return found


def is_declared_attr(node: cst.FunctionDef) -> bool:
    for decorator in node.decorators:
        expression = decorator.decorator
        if isinstance(expression, cst.Call):
            expression = expression.func
        if "declared_attr" in (dotted(expression) or ()):
            return True
    return False


@dataclass(frozen=True, slots=True)
class ColumnCall:
    """A ``Column``/``mapped_column``/``Field`` call to add keyword arguments to."""

    call: cst.Call


@dataclass(frozen=True, slots=True)
class BareAnnotation:
    """``key: Mapped[int]`` or SQLModel ``key: int``, without a value."""

    statement: cst.AnnAssign
    mapped: bool
    """``Mapped[...]``: add ``= mapped_column(...)``; else SQLModel: add ``= Field(...)``."""


@dataclass(frozen=True, slots=True)
class PlainDefault:
    """SQLModel ``key: str = "x"``: becomes ``Field(default="x", ...)``."""

    value: cst.BaseExpression


ColumnSite = ColumnCall | BareAnnotation | PlainDefault


def _column_call(value: cst.BaseExpression | None) -> cst.Call | None:
    if not isinstance(value, cst.Call) or last_name(value.func) not in COLUMN_CALLS:
        return None
    if last_name(value.func) == "Field":
        inner = keyword(value, "sa_column")
        if inner is not None and isinstance(inner.value, cst.Call):
            return inner.value
    return value


def _is_sqlmodel_table(cls: cst.ClassDef) -> bool:
    return any(
        k.keyword is not None and k.keyword.value == "table" and dotted(k.value) == ("True",)
        for k in cls.keywords
    )


def find_column_in_class(cls: cst.ClassDef, key: str) -> ColumnSite | str:
    """Where the column attribute ``key`` is declared in ``cls``; a string says why not."""
    site: ColumnSite | str = f"`{key}` is not declared in the body of `{cls.name.value}`"
    for statement in body_statements(cls):
        if isinstance(statement, cst.FunctionDef) and statement.name.value == key:
            site = _declared_attr_column(statement, key)
            continue
        for name, small in assigned_names(statement):
            if name != key:
                continue
            value = small.value
            call = _column_call(value)
            if call is not None:
                site = ColumnCall(call)
            elif isinstance(small, cst.AnnAssign) and value is None:
                container = small.annotation.annotation
                mapped = (
                    isinstance(container, cst.Subscript) and last_name(container.value) == "Mapped"
                )
                if mapped or _is_sqlmodel_table(cls):
                    site = BareAnnotation(small, mapped)
                else:
                    site = f"`{key}` has no column declaration to add `index=True` to"
            elif isinstance(small, cst.AnnAssign) and value is not None and _is_sqlmodel_table(cls):
                site = PlainDefault(value)
            else:
                site = f"`{key}` is not declared with `Column`, `mapped_column` or `Field`"
    return site


def _declared_attr_column(node: cst.FunctionDef, key: str) -> ColumnSite | str:
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
    returns = [
        small.value
        for statement in body
        if isinstance(statement, cst.SimpleStatementLine)
        for small in statement.body
        if isinstance(small, cst.Return)
    ]
    call = _column_call(returns[0]) if is_declared_attr(node) and len(returns) == 1 else None
    if call is None:
        return f"`{key}` is built by a function; add `index=True` to the column it returns"
    return ColumnCall(call)


def find_column_in_table(call: cst.Call, name: str, key: str | None) -> ColumnCall | str:
    """The ``Column("<name>", ...)`` argument of a ``Table(...)`` call."""
    for arg in positional(call):
        value = arg.value
        if not isinstance(value, cst.Call) or last_name(value.func) != "Column":
            continue
        args = positional(value)
        column_name = literal_string(args[0].value) if args else None
        key_arg = keyword(value, "key")
        column_key = literal_string(key_arg.value) if key_arg is not None else None
        if column_name == name or (key is not None and column_key == key):
            return ColumnCall(value)
    return f"column `{name}` is not written as a `Column(...)` in this `Table(...)`"


def constraint_keys(target: cst.ClassDef | cst.Call, columns: list[str]) -> list[str]:
    explicit = _explicit_keys(target)
    return [explicit.get(c, c) for c in columns]


@functools.lru_cache(maxsize=64)  # nodes hash by identity; every fix of a table asks again
def _explicit_keys(target: cst.ClassDef | cst.Call) -> dict[str, str]:
    """How ``Index``/``UniqueConstraint`` strings name ``columns`` (SQL names) in ``target``.

    They name the columns of the ``Table``, keyed by SQL name unless a column has an explicit
    ``key=``; a declarative attribute name (``member = mapped_column("user_id")``) is not one.
    """
    explicit: dict[str, str] = {}
    for attribute, call in _column_calls(target):
        key = keyword(call, "key")
        key_value = literal_string(key.value) if key is not None else None
        args = positional(call)
        name = literal_string(args[0].value) if args else None
        name = name or attribute
        if key_value is not None and name is not None:
            explicit[name] = key_value
    return explicit


def _column_calls(target: cst.ClassDef | cst.Call) -> list[tuple[str | None, cst.Call]]:
    """(attribute name or None, ``Column``/``mapped_column`` call) declared in ``target``."""
    if isinstance(target, cst.Call):
        return [
            (None, a.value)
            for a in positional(target)
            if isinstance(a.value, cst.Call) and last_name(a.value.func) == "Column"
        ]
    found: list[tuple[str | None, cst.Call]] = []
    for statement in body_statements(target):
        for name, small in assigned_names(statement):
            call = _column_call(small.value)
            if call is not None:
                found.append((name, call))
    return found
