"""SL011's fix: declare in the model the column the migrations create, typed as they type it.

In a class of ``Mapped[...]`` columns, ``name: Mapped[<python type>] = mapped_column(<Type>)``
(``Optional[...]`` when nullable) after the class's last column; in a classic class,
``name = Column(<Type>, nullable=False)``; in ``Table(...)``, a ``Column("name", <Type>)``.
Only types the ``sqlalchemy`` package exports, with literal arguments, are written; tables
that no model declares are not created.
"""

from __future__ import annotations

import ast

import libcst as cst

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, Fix, NoFix
from schema_lint.fixes.context import FixContext, Sources
from schema_lint.fixes.declarations import add_item, target_of
from schema_lint.fixes.edits import insertion
from schema_lint.fixes.imports import COLUMN, MAPPED_COLUMN, OPTIONAL, reference, sqlalchemy_name
from schema_lint.fixes.layout import CallText
from schema_lint.fixes.source import last_name
from schema_lint.fixes.targets import assigned_names, body_statements
from schema_lint.rules.missing_in_model import MissingInModel

PYTHON_TYPES = {
    "Integer": "int",
    "BigInteger": "int",
    "SmallInteger": "int",
    "String": "str",
    "Text": "str",
    "Unicode": "str",
    "UnicodeText": "str",
    "VARCHAR": "str",
    "CHAR": "str",
    "Boolean": "bool",
    "Float": "float",
    "LargeBinary": "bytes",
}
WHY = "unsafe: drop the column with a migration instead if the model is right"


def fix(diagnostic: Diagnostic, sources: Sources, context: FixContext) -> Fix | NoFix:
    data = diagnostic.payload
    if not isinstance(data, MissingInModel) or data.column is None:
        return NoFix("no model declares the table: write the model by hand")
    typed = _type(data.type_text)
    if isinstance(typed, str):
        return NoFix(typed)
    name, args = typed
    src = sources.main
    target = target_of(src, context, data.table, data.schema, diagnostic.span.line)
    if isinstance(target, str):
        return NoFix(target)
    limit = context.limit(src)
    type_ref = reference(src, sqlalchemy_name(name), target, limit)
    if isinstance(type_ref, str):
        return NoFix(type_ref)
    type_code = f"{type_ref.code}({args})" if args is not None else type_ref.code
    edits: list[Edit] = list(type_ref.edits)
    if isinstance(target, cst.Call):
        column = reference(src, COLUMN, target, limit)
        if isinstance(column, str):
            return NoFix(column)
        extra = () if data.nullable else ("nullable=False",)
        item = CallText(column.code, (src.string(data.column), type_code, *extra))
        added = add_item(sources, target, item, context)
        if isinstance(added, str):
            return NoFix(added)
        edits += [*column.edits, *added]
        return _done(data, edits)
    last = _last_column(target)
    if last is None:
        return NoFix(f"`{target.name.value}` declares no column to add one after")
    statement, mapped = last
    if mapped:
        python = PYTHON_TYPES.get(name)
        if python is None:
            return NoFix(f"the Python type of `{name}` needs an import: add the column by hand")
        call = reference(src, MAPPED_COLUMN, target, limit)
        if isinstance(call, str):
            return NoFix(call)
        edits += call.edits
        annotation = python
        if data.nullable:
            optional = reference(src, OPTIONAL, target, limit)
            if isinstance(optional, str):
                return NoFix(optional)
            edits += optional.edits
            annotation = f"{optional.code}[{python}]"
        code = f"{data.column}: Mapped[{annotation}] = {call.code}({type_code})"
    else:
        column = reference(src, COLUMN, target, limit)
        if isinstance(column, str):
            return NoFix(column)
        edits += column.edits
        flag = "" if data.nullable else ", nullable=False"
        code = f"{data.column} = {column.code}({type_code}{flag})"
    end = src.end(statement)[0]
    edits.append(insertion(src.path, (end + 1, 0), f"{src.indent(end)}{code}\n"))
    return _done(data, edits)


def _done(data: MissingInModel, edits: list[Edit]) -> Fix:
    message = f"Declare column `{data.column}` in the model ({WHY})"
    return Fix(message, Applicability.UNSAFE, tuple(edits))


def _type(text: str | None) -> tuple[str, str | None] | str:
    """``sa.String(length=64)`` as (``String``, ``length=64``); a string says why not."""
    if text is None:
        return "the migration gives the column no type"
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return f"the type `{text}` cannot be read"
    func = node.func if isinstance(node, ast.Call) else node
    parts: list[str] = []
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if not isinstance(func, ast.Name):
        return f"the type `{text}` is not a SQLAlchemy type"
    parts.append(func.id)
    parts.reverse()
    if len(parts) > 2 or (len(parts) == 2 and parts[0] not in ("sa", "sqlalchemy")):
        return f"`{text}` is not exported by `sqlalchemy`: add the column by hand"
    if not isinstance(node, ast.Call):
        return parts[-1], None
    if any(
        not isinstance(a, ast.Constant) for a in [*node.args, *(k.value for k in node.keywords)]
    ):
        return f"the arguments of `{text}` are not literals: add the column by hand"
    args = [ast.unparse(a) for a in node.args]
    args += [f"{k.arg}={ast.unparse(k.value)}" for k in node.keywords if k.arg]
    return parts[-1], ", ".join(args)


def _last_column(cls: cst.ClassDef) -> tuple[cst.BaseStatement, bool] | None:
    """The class's last column statement, and whether it uses ``Mapped[...]``."""
    found: tuple[cst.BaseStatement, bool] | None = None
    for statement in body_statements(cls):
        for name, small in assigned_names(statement):
            if name.startswith("__"):
                continue
            mapped = isinstance(small, cst.AnnAssign) and _is_mapped(small.annotation.annotation)
            value = small.value
            if mapped or (isinstance(value, cst.Call) and last_name(value.func) == "Column"):
                found = (statement, mapped)
    return found


def _is_mapped(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Subscript) and last_name(node.value) == "Mapped"
