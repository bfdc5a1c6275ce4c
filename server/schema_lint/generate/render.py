"""Changes as Alembic operations (``alembic.operations.ops``), rendered by Alembic's own
autogenerate renderer into the bodies of ``upgrade()`` and ``downgrade()``.

The guards of :mod:`schema_lint.generate.guards` and PostgreSQL's ``autocommit_block`` for
``CREATE INDEX CONCURRENTLY`` are custom operations with their own renderers, the way Alembic
documents extending autogenerate.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import render_python_code, renderers
from alembic.autogenerate.api import AutogenContext
from alembic.migration import MigrationContext
from alembic.operations import ops
from sqlalchemy.sql.elements import conv

from schema_lint.generate import guards
from schema_lint.generate.changes import (
    PARTIAL_INDEX_KEYWORDS,
    Change,
    Check,
    Create,
    Drop,
    ForeignKey,
    Index,
    SchemaObject,
    SetNullable,
    Unique,
    adds_uniqueness,
    order,
    table_of,
)


@dataclass(frozen=True, slots=True)
class RenderOptions:
    dialect: str
    batch: bool
    """``with op.batch_alter_table(...)`` blocks (as ``render_as_batch``)."""
    dedupe: str = guards.FAIL
    concurrently: bool = False


@dataclass(frozen=True, slots=True)
class Rendered:
    upgrades: str
    downgrades: str


class CodeOp(ops.MigrateOperation):
    """Lines of Python a guard runs, rendered as they are."""

    def __init__(self, code: str) -> None:
        self.code = code


class AutocommitBlockOp(ops.MigrateOperation):
    """Operations run outside the migration's transaction (``CREATE INDEX CONCURRENTLY``)."""

    def __init__(self, operations: Sequence[ops.MigrateOperation]) -> None:
        self.operations = list(operations)


@renderers.dispatch_for(CodeOp)
def _render_code(autogen_context: AutogenContext, op: CodeOp) -> str:
    return op.code


@renderers.dispatch_for(AutocommitBlockOp)
def _render_autocommit(autogen_context: AutogenContext, op: AutocommitBlockOp) -> str:
    lines = ["with op.get_context().autocommit_block():"]
    for inner in op.operations:
        text = renderers.dispatch(inner)(autogen_context, inner)
        lines.extend(f"    {line}" for line in str(text).splitlines())
    return "\n".join(lines)


def render(changes: Sequence[Change], options: RenderOptions) -> Rendered:
    """``upgrade()`` and ``downgrade()`` bodies; the downgrade undoes the upgrade exactly."""
    context = MigrationContext.configure(dialect_name=options.dialect)
    quote = context.dialect.identifier_preparer.quote
    undo = [change.reverse() for change in reversed(changes)]
    up = _operations(changes, options, quote, concurrent_last=True)
    down = _operations(undo, options, quote, concurrent_last=False)
    return Rendered(
        render_python_code(ops.UpgradeOps(up), render_as_batch=options.batch),
        render_python_code(ops.DowngradeOps(down), render_as_batch=options.batch),
    )


def _operations(
    changes: Sequence[Change], options: RenderOptions, quote: guards.Quote, *, concurrent_last: bool
) -> list[ops.MigrateOperation]:
    """Checks first (so that a stopped revision changed nothing), then deletions of
    duplicates, then each table's changes; concurrent index builds on their own."""
    checks: list[ops.MigrateOperation] = []
    deletes: list[ops.MigrateOperation] = []
    for change in changes:
        unique = adds_uniqueness(change)
        if unique is not None:
            key = guards.key_of(unique, quote)
            row_key = change.row_key if isinstance(change, Create) else None
            if options.dedupe == guards.KEEP_LOWEST and row_key is not None:
                deletes.append(CodeOp(guards.keep_lowest(key, row_key, quote)))
            else:
                checks.append(CodeOp(guards.duplicates_check(key)))
        elif isinstance(change, SetNullable) and not change.nullable:
            checks.append(
                CodeOp(guards.null_check(change.schema, change.table, change.column, quote))
            )
    concurrent = [c for c in changes if options.concurrently and _is_index(c)]
    tables: dict[tuple[str | None, str], list[Change]] = {}
    for change in changes:
        if change not in concurrent:
            tables.setdefault(table_of(change), []).append(change)
    body: list[ops.MigrateOperation] = [
        ops.ModifyTableOps(
            table,
            [_operation(c, options) for c in sorted(group, key=order)],
            schema=schema,
        )
        for (schema, table), group in tables.items()
    ]
    if concurrent:
        block = AutocommitBlockOp([_operation(c, options) for c in sorted(concurrent, key=order)])
        body = [*body, block] if concurrent_last else [block, *body]
    return [*checks, *deletes, *body]


def _is_index(change: Change) -> bool:
    return isinstance(change, Create | Drop) and isinstance(change.object, Index)


def _name(found: SchemaObject) -> str:
    return conv(found.name) if found.final else found.name


def _operation(change: Change, options: RenderOptions) -> ops.MigrateOperation:
    if isinstance(change, SetNullable):
        return ops.AlterColumnOp(
            change.table,
            change.column,
            schema=change.schema,
            existing_type=sql_type(change.type_text),
            existing_nullable=not change.nullable,
            modify_nullable=change.nullable,
        )
    found = change.object
    name = _name(found)
    if isinstance(change, Drop):
        if isinstance(found, Index):
            return ops.DropIndexOp(
                name, table_name=found.table, schema=found.schema, **_index_options(options)
            )
        kind = {Unique: "unique", ForeignKey: "foreignkey", Check: "check"}[type(found)]
        return ops.DropConstraintOp(name, found.table, type_=kind, schema=found.schema)
    if isinstance(found, Unique):
        return ops.CreateUniqueConstraintOp(
            name, found.table, list(found.columns), schema=found.schema
        )
    if isinstance(found, Index):
        return _create_index(found, name, options)
    if isinstance(found, ForeignKey):
        return ops.CreateForeignKeyOp(
            name,
            found.table,
            found.ref_table,
            list(found.columns),
            list(found.ref_columns),
            source_schema=found.schema,
            referent_schema=found.ref_schema,
            ondelete=found.ondelete,
            onupdate=found.onupdate,
        )
    return ops.CreateCheckConstraintOp(name, found.table, found.condition, schema=found.schema)


def _create_index(found: Index, name: str, options: RenderOptions) -> ops.CreateIndexOp:
    columns: list[Any] = [
        sa.text(c) if found.expressions and not c.isidentifier() else c for c in found.columns
    ]
    extra = _index_options(options)
    if found.where is not None:
        extra[PARTIAL_INDEX_KEYWORDS.get(options.dialect, "postgresql_where")] = sa.text(
            found.where
        )
    return ops.CreateIndexOp(
        name, found.table, columns, schema=found.schema, unique=found.unique, **extra
    )


def _index_options(options: RenderOptions) -> dict[str, Any]:
    return {"postgresql_concurrently": True} if options.concurrently else {}


def sql_type(text: str | None) -> sa.types.TypeEngine[Any] | None:
    """The SQLAlchemy type ``text`` writes (``sa.String(length=64)``), when it is a type of
    the ``sqlalchemy`` package with literal arguments; None otherwise (nothing is run)."""
    if text is None:
        return None
    try:
        node = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    call = node if isinstance(node, ast.Call) else None
    func = call.func if call is not None else node
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        if func.value.id not in ("sa", "sqlalchemy"):
            return None
        name = func.attr
    elif isinstance(func, ast.Name):
        name = func.id
    else:
        return None
    kind = getattr(sa.types, name, None)
    if not (isinstance(kind, type) and issubclass(kind, sa.types.TypeEngine)):
        return None
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    if call is not None:
        try:
            args = [ast.literal_eval(a) for a in call.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
        except ValueError:
            return None
        if any(k.arg is None for k in call.keywords):
            return None
    try:
        made: sa.types.TypeEngine[Any] = kind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    return made
