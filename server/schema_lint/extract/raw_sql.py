"""Schema operations in raw SQL passed to ``op.execute(...)``, read with a real SQL parser.

Only statements that change what schema-lint tracks become operations: CREATE/DROP INDEX,
ALTER TABLE ... ADD/DROP CONSTRAINT, ALTER COLUMN ... SET/DROP NOT NULL, RENAME. Data
statements and other DDL are ignored; statements that look like tracked DDL but cannot be
parsed are reported back so the caller can flag them as unanalysable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from schema_lint.facts.migrations import (
    AddConstraint,
    AlterColumn,
    CreateIndex,
    DropConstraint,
    DropIndex,
    ForeignKeyDef,
    IndexDef,
    Operation,
    PrimaryKeyDef,
    RenameTable,
    UniqueDef,
)
from schema_lint.facts.source import Span
from schema_lint.sources.limits import MAX_SQL_CHARS, sql_budget
from schema_lint.vocabulary.dialects import truncate_database

_DIALECTS = {
    "postgresql": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "mssql": "tsql",
    "oracle": "oracle",
}
_TRACKED_WORDS = ("INDEX", "CONSTRAINT", "PRIMARY KEY", "UNIQUE", "NOT NULL", "RENAME")


@dataclass(frozen=True, slots=True)
class SQLResult:
    operations: tuple[Operation, ...]
    unparsed: tuple[str, ...]
    """Statements that may change tracked schema but could not be understood."""


def operations_from_sql(sql: str, dialect: str, span: Span) -> SQLResult:
    from sqlglot import exp

    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    read = _DIALECTS.get(dialect, "postgres")
    operations: list[Operation] = []
    statements, unparsed = _parse_statements(sql, read)
    for statement in statements:
        if statement is None:
            continue
        if dialect == "postgresql":
            for identifier in statement.find_all(exp.Identifier):
                if not identifier.quoted:
                    identifier.set("this", str(identifier.this).lower())
        try:
            ops = _statement_operations(statement, exp, span, read)
        except (_Unsupported, RecursionError):
            ops = None
        if ops is None:
            text = statement.sql(dialect=read)
            if isinstance(statement, exp.Command | exp.Alter | exp.Create | exp.Drop) and (
                _may_change_tracked_schema(text)
            ):
                unparsed.append(text)
            continue
        operations.extend(_database_names(op, dialect) for op in ops)
    return SQLResult(tuple(operations), tuple(unparsed))


def _database_names(op: Operation, dialect: str) -> Operation:
    """Names as the database stores them: PostgreSQL cuts identifiers at 63 bytes."""
    if isinstance(op, CreateIndex) and op.index.name:
        return replace(op, index=replace(op.index, name=truncate_database(op.index.name, dialect)))
    if isinstance(op, DropIndex | DropConstraint):
        return replace(op, name=truncate_database(op.name, dialect))
    if isinstance(op, AddConstraint) and op.constraint.name:
        name = truncate_database(op.constraint.name, dialect)
        return replace(op, constraint=replace(op.constraint, name=name))
    return op


class _Unsupported(Exception):
    pass


def _parse_statements(sql: str, read: str) -> tuple[list[Any], list[str]]:
    """sqlglot's statements of ``sql``, and the tracked-looking ones it could not parse.

    The work is bounded: a statement longer than ``MAX_SQL_CHARS`` is not parsed, nor is any
    once the file's SQL time budget is spent, and a failure of any kind (sqlglot raises
    ``RecursionError`` on some 50 nested parentheses) costs only the statement it is in.
    """
    import sqlglot

    budget = sql_budget()
    if len(sql) <= MAX_SQL_CHARS and not budget.exhausted:
        try:
            with budget.timed():
                return list(sqlglot.parse(sql, read=read)), []
        except Exception:  # SqlglotError, RecursionError, or a bug of the parser
            pass
    statements: list[Any] = []
    unparsed: list[str] = []
    for part in _split_statements(sql):
        if len(part) <= MAX_SQL_CHARS and not budget.exhausted:
            try:
                with budget.timed():
                    statements.extend(sqlglot.parse(part, read=read))
                continue
            except Exception:
                pass
        if _may_change_tracked_schema(part):
            unparsed.append(part.strip())
    return statements, unparsed


def _split_statements(sql: str) -> list[str]:
    return [part for part in sql.split(";") if part.strip()]


def _may_change_tracked_schema(sql: str) -> bool:
    upper = " ".join(sql.upper().split())
    if not upper.startswith(("CREATE", "DROP", "ALTER")):
        return False
    return any(word in upper for word in _TRACKED_WORDS)


def _name(node: Any) -> str | None:
    if node is None:
        return None
    return str(node.name) if hasattr(node, "name") and node.name else str(node.this)


def _table_parts(table: Any) -> tuple[str, str | None]:
    schema = table.args.get("db")
    return str(table.name), (str(schema.name) if schema is not None else None)


def _statement_operations(
    statement: Any, exp: Any, span: Span, read: str = "postgres"
) -> list[Operation] | None:
    if isinstance(statement, exp.Create) and str(statement.args.get("kind", "")).upper() == "INDEX":
        return [_create_index(statement, exp, span, read)]
    if isinstance(statement, exp.Drop) and str(statement.args.get("kind", "")).upper() == "INDEX":
        ops: list[Operation] = []
        for table in statement.args.get("expressions") or statement.args.get("tables") or []:
            name, schema = _table_parts(table)
            ops.append(
                DropIndex(name, None, schema, span, bool(statement.args.get("exists")), True)
            )
        return ops
    if isinstance(statement, exp.Alter) and str(statement.args.get("kind", "")).upper() == "TABLE":
        table, schema = _table_parts(statement.this)
        result: list[Operation] = []
        for action in statement.args.get("actions") or []:
            op = _alter_action(action, table, schema, exp, span)
            if op is None:
                return None
            result.extend(op)
        return result
    return None


def _create_index(statement: Any, exp: Any, span: Span, read: str) -> CreateIndex:
    index = statement.this
    params = index.args.get("params")
    table, schema = _table_parts(index.args["table"])
    columns: list[str] = []
    expressions = False
    for item in (params.args.get("columns") if params else None) or []:
        inner = item.this if isinstance(item, exp.Ordered) else item
        descending = isinstance(item, exp.Ordered) and item.args.get("desc")
        if isinstance(inner, exp.Column) and not descending:
            columns.append(str(inner.name))
        else:
            # in the dialect it was read in: an order's NULLS default (first in SQLite, last
            # in PostgreSQL) stays implicit, as in the models
            columns.append(item.sql(dialect=read))
            expressions = True
    where = params.args.get("where") if params else None
    name_node = index.this
    name = str(name_node.name) if name_node is not None else None
    if name is None:
        raise _Unsupported
    return CreateIndex(
        table,
        schema,
        IndexDef(
            name=name,
            columns=tuple(columns),
            unique=bool(statement.args.get("unique")),
            expressions=expressions,
            where=where.this.sql(dialect="postgres") if where is not None else None,
            name_final=True,
        ),
        span,
    )


def _alter_action(
    action: Any, table: str, schema: str | None, exp: Any, span: Span
) -> list[Operation] | None:
    if isinstance(action, exp.AddConstraint):
        ops: list[Operation] = []
        for constraint in action.expressions:
            name = None
            body = constraint
            if isinstance(constraint, exp.Constraint):
                name = str(constraint.this.name)
                bodies = constraint.expressions
                if len(bodies) != 1:
                    return None
                body = bodies[0]
            definition = _constraint_def(body, name, exp)
            if definition is None:
                return None
            ops.append(AddConstraint(table, schema, definition, span))
        return ops
    if isinstance(action, exp.Drop) and str(action.args.get("kind", "")).upper() == "CONSTRAINT":
        return [
            DropConstraint(
                _table_parts(t)[0],
                table,
                schema,
                None,
                span,
                bool(action.args.get("exists")),
                True,
            )
            for t in action.args.get("expressions") or action.args.get("tables") or []
        ]
    if isinstance(action, exp.AlterColumn):
        allow_null = action.args.get("allow_null")
        drop = action.args.get("drop")
        if allow_null is None and not drop:
            return []
        nullable = bool(drop) if allow_null is None else bool(allow_null)
        return [AlterColumn(table, schema, str(action.this.name), nullable, None, span)]
    if isinstance(action, exp.RenameColumn):
        return [
            AlterColumn(
                table, schema, str(action.this.name), None, str(action.args["to"].name), span
            )
        ]
    if isinstance(action, exp.AlterRename):
        return [RenameTable(table, _table_parts(action.this)[0], schema, span)]
    return [] if not _may_change_tracked_schema(action.sql()) else None


def _constraint_def(body: Any, name: str | None, exp: Any) -> Any:
    if isinstance(body, exp.UniqueColumnConstraint):
        columns = tuple(str(c.name) for c in body.this.expressions)
        return UniqueDef(name, columns, name_final=True)
    if isinstance(body, exp.PrimaryKey):
        return PrimaryKeyDef(name, tuple(str(c.name) for c in body.expressions), name_final=True)
    if isinstance(body, exp.ForeignKey):
        ref = body.args.get("reference")
        if ref is None:
            return None
        target = ref.this
        ref_table = target.this if isinstance(target, exp.Schema) else target
        ref_columns = (
            tuple(str(c.name) for c in target.expressions) if isinstance(target, exp.Schema) else ()
        )
        table_name, table_schema = _table_parts(ref_table)
        options = " ".join(str(o) for o in ref.args.get("options") or []).upper()
        ondelete = None
        if "ON DELETE" in options:
            ondelete = options.split("ON DELETE", 1)[1].split(" ON ")[0].strip()
        return ForeignKeyDef(
            name,
            tuple(str(c.name) for c in body.expressions),
            f"{table_schema}.{table_name}" if table_schema else table_name,
            ref_columns,
            ondelete,
            name_final=True,
        )
    return None
