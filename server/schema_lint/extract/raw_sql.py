"""Schema operations in raw SQL passed to ``op.execute(...)``, read with a real SQL parser.

Only statements that change what schema-lint tracks become operations: CREATE/DROP INDEX,
ALTER TABLE ... ADD/DROP CONSTRAINT (UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK, and
``UNIQUE|PRIMARY KEY USING INDEX``), ALTER COLUMN ... SET/DROP NOT NULL, RENAME (of a table,
a column, a constraint, an index). Data statements and DDL without a tracked effect (``COMMENT
ON``, ``ALTER TYPE``, ``ALTER INDEX ... SET``, ``VALIDATE CONSTRAINT``) are understood and
ignored; statements that look like tracked DDL but cannot be read are reported back, with
the names they mention, so the caller can flag them as unanalysable and taint those objects.

sqlglot reads most statements; the PostgreSQL forms it keeps as an opaque ``Command`` (or
cannot parse, like ``DROP INDEX a, b``) are read from its tokens by :func:`_token_operations`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Any

from schema_lint.facts.migrations import (
    AddConstraint,
    AlterColumn,
    CheckDef,
    ConstraintFromIndex,
    CreateIndex,
    DropConstraint,
    DropIndex,
    ForeignKeyDef,
    IndexDef,
    Operation,
    PrimaryKeyDef,
    RenameConstraint,
    RenameIndex,
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
    mentioned: tuple[tuple[str | None, str], ...] = ()
    """(schema, name) of every identifier those statements mention, folded as the
    dialect folds unquoted names: the objects they may touch."""


def operations_from_sql(sql: str, dialect: str, span: Span) -> SQLResult:
    from sqlglot import exp

    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    read = _DIALECTS.get(dialect, "postgres")
    operations: list[Operation] = []
    statements, failed = _parse_statements(sql, read)
    unparsed: list[str] = []
    for text in failed:
        ops = _token_operations(text, dialect, read, span)
        if ops is None:
            unparsed.append(text)
        else:
            operations.extend(_database_names(op, dialect) for op in ops)
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
                ops = _token_operations(text, dialect, read, span)
                if ops is None:
                    unparsed.append(text)
                    continue
            else:
                continue
        operations.extend(_database_names(op, dialect) for op in ops)
    mentioned = [m for text in unparsed for m in mentioned_names(text, dialect)]
    return SQLResult(tuple(operations), tuple(unparsed), tuple(dict.fromkeys(mentioned)))


def _database_names(op: Operation, dialect: str) -> Operation:
    """Names as the database stores them: PostgreSQL cuts identifiers at 63 bytes."""
    if isinstance(op, CreateIndex) and op.index.name:
        return replace(op, index=replace(op.index, name=truncate_database(op.index.name, dialect)))
    if isinstance(op, DropIndex | DropConstraint):
        return replace(op, name=truncate_database(op.name, dialect))
    if isinstance(op, RenameIndex | RenameConstraint):
        return replace(
            op,
            name=truncate_database(op.name, dialect),
            new_name=truncate_database(op.new_name, dialect),
        )
    if isinstance(op, ConstraintFromIndex):
        return replace(
            op,
            name=truncate_database(op.name, dialect),
            index=truncate_database(op.index, dialect),
        )
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
        if statement.args.get("cascade"):
            return None  # CASCADE also drops the constraints that depend on the index
        ops: list[Operation] = []
        for table in statement.args.get("expressions") or statement.args.get("tables") or []:
            name, schema = _table_parts(table)
            ops.append(
                DropIndex(name, None, schema, span, bool(statement.args.get("exists")), True)
            )
        return ops
    if isinstance(statement, exp.Alter) and str(statement.args.get("kind", "")).upper() == "INDEX":
        actions = statement.args.get("actions") or []
        if len(actions) == 1 and isinstance(actions[0], exp.AlterRename):
            name, schema = _table_parts(statement.this)
            new_name = _table_parts(actions[0].this)[0]
            return [RenameIndex(name, new_name, schema, span, bool(statement.args.get("exists")))]
        return None  # read from the tokens
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
        actions = {}
        for event in ("DELETE", "UPDATE"):
            if f"ON {event}" in options:
                actions[event] = options.split(f"ON {event}", 1)[1].split(" ON ")[0].strip()
        return ForeignKeyDef(
            name,
            tuple(str(c.name) for c in body.expressions),
            f"{table_schema}.{table_name}" if table_schema else table_name,
            ref_columns,
            actions.get("DELETE"),
            name_final=True,
            onupdate=actions.get("UPDATE"),
        )
    if isinstance(body, exp.CheckColumnConstraint) and name is not None:
        # unnamed: PostgreSQL names it after a column of the expression; not modelled
        return CheckDef(name, body.this.sql(dialect="postgres"), name_final=True)
    return None


# -- statements read from their tokens ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    """As the database stores it: unquoted names folded (PostgreSQL: lower case)."""
    keyword: str
    """Upper case when it may be a keyword; empty for a quoted name, a string or a symbol."""


class _Tokens:
    """A cursor over one statement's tokens."""

    def __init__(self, words: list[_Word]) -> None:
        self.words = words
        self.at = 0

    def peek(self, *keywords: str) -> bool:
        ahead = self.words[self.at : self.at + len(keywords)]
        return len(ahead) == len(keywords) and all(
            w.keyword == k for w, k in zip(ahead, keywords, strict=True)
        )

    def take(self, *keywords: str) -> bool:
        if self.peek(*keywords):
            self.at += len(keywords)
            return True
        return False

    def name(self) -> tuple[str, str | None] | None:
        """A possibly schema-qualified name: (name, schema)."""
        first = self._identifier()
        if first is None:
            return None
        if self.take("."):
            second = self._identifier()
            return None if second is None else (second, first)
        return first, None

    def _identifier(self) -> str | None:
        if self.at >= len(self.words):
            return None
        word = self.words[self.at]
        if word.keyword in {".", ",", ";", "(", ")", "'"}:
            return None
        self.at += 1
        return word.text

    @property
    def done(self) -> bool:
        return self.at >= len(self.words)

    def rest(self) -> list[str]:
        return [w.keyword for w in self.words[self.at :]]


_DEFERRAL = frozenset({"DEFERRABLE", "NOT", "INITIALLY", "DEFERRED", "IMMEDIATE"})
_NEUTRAL_INDEX_ACTIONS = ("SET", "RESET", "ALTER", "ATTACH", "DEPENDS", "NO")


def _words(text: str, dialect: str, read: str) -> list[_Word] | None:
    import sqlglot
    from sqlglot import TokenType

    try:
        tokens = sqlglot.tokenize(text, read=read)
    except Exception:  # sqlglot's TokenError, or a bug of the tokenizer
        return None
    words: list[_Word] = []
    for token in tokens:
        if token.token_type == TokenType.IDENTIFIER:
            words.append(_Word(token.text, ""))
        elif token.token_type == TokenType.STRING:
            words.append(_Word(token.text, "'"))
        else:  # one token may hold several words: PRIMARY KEY
            for part in token.text.split() or [token.text]:
                folded = part.lower() if dialect == "postgresql" else part
                words.append(_Word(folded, part.upper()))
    return words


def _token_operations(text: str, dialect: str, read: str, span: Span) -> list[Operation] | None:
    """The operations of a statement sqlglot leaves opaque, or None when it is not one of
    the forms read here (see the module's docstring)."""
    words = _words(text, dialect, read)
    if words is None:
        return None
    tokens = _Tokens([w for w in words if w.keyword != ";"])
    if tokens.take("COMMENT", "ON"):
        return []
    if tokens.take("ALTER", "TYPE"):
        return []  # enum values and type names: nothing schema-lint tracks
    if tokens.take("DROP", "INDEX"):
        return _drop_indexes(tokens, span)
    if tokens.take("ALTER", "INDEX"):
        return _alter_index(tokens, span)
    if tokens.take("ALTER", "TABLE"):
        return _alter_table(tokens, span)
    return None


def _drop_indexes(tokens: _Tokens, span: Span) -> list[Operation] | None:
    tokens.take("CONCURRENTLY")
    if_exists = tokens.take("IF", "EXISTS")
    ops: list[Operation] = []
    while True:
        name = tokens.name()
        if name is None:
            return None
        ops.append(DropIndex(name[0], None, name[1], span, if_exists, True))
        if not tokens.take(","):
            break
    tokens.take("RESTRICT")
    return ops if tokens.done else None  # CASCADE drops the constraints that use them


def _alter_index(tokens: _Tokens, span: Span) -> list[Operation] | None:
    if_exists = tokens.take("IF", "EXISTS")
    name = tokens.name()
    if name is None:
        return None
    if tokens.take("RENAME", "TO"):
        new = tokens.name()
        if new is None or not tokens.done:
            return None
        return [RenameIndex(name[0], new[0], name[1], span, if_exists)]
    if any(tokens.peek(word) for word in _NEUTRAL_INDEX_ACTIONS):
        return []  # storage parameters, tablespace, statistics, partitions: not tracked
    return None


def _alter_table(tokens: _Tokens, span: Span) -> list[Operation] | None:
    if_exists = tokens.take("IF", "EXISTS")
    tokens.take("ONLY")
    table = tokens.name()
    if table is None or if_exists:
        return None  # a table that may not exist: its changes may not happen
    tokens.take("*")
    name, schema = table
    if tokens.take("RENAME", "CONSTRAINT"):
        old = tokens.name()
        if old is None or not tokens.take("TO"):
            return None
        new = tokens.name()
        if new is None or not tokens.done:
            return None
        return [RenameConstraint(name, schema, old[0], new[0], span)]
    if tokens.take("VALIDATE", "CONSTRAINT"):
        return [] if tokens.name() is not None and tokens.done else None
    if tokens.take("ADD", "CONSTRAINT"):
        constraint = tokens.name()
        if constraint is None:
            return None
        if tokens.take("UNIQUE"):
            kind = "unique"
        elif tokens.take("PRIMARY", "KEY"):
            kind = "primary"
        else:
            return None
        if not tokens.take("USING", "INDEX"):
            return None
        index = tokens.name()
        if index is None or any(word not in _DEFERRAL for word in tokens.rest()):
            return None
        return [ConstraintFromIndex(name, schema, constraint[0], kind, index[0], span)]
    return None


_LEXEME = re.compile(
    r"""'(?:[^']|'')*'?"""  # a string literal (maybe cut where a fragment ends)
    r'|"(?P<quoted>(?:[^"]|"")+)"'
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_$]*)"
    r"|(?P<dot>\.)"
    r"|--[^\n]*"
    r"|\S"
)


def mentioned_names(text: str, dialect: str) -> list[tuple[str | None, str]]:
    """(schema, name) of the names SQL text that was not understood mentions (a whole
    statement, or a literal fragment of one): quoted names, and unquoted words but the few
    keywords of DDL, folded as the dialect folds them (a keyword taken for a name costs
    nothing: no object of that name is judged)."""
    lexemes: list[tuple[str, str | None]] = []  # (kind, name)
    for match in _LEXEME.finditer(text):
        if match["quoted"] is not None:
            lexemes.append(("name", match["quoted"].replace('""', '"')))
        elif match["word"] is not None:
            word = match["word"]
            if word.upper() in _NOT_NAMES:
                lexemes.append(("keyword", None))
            else:
                lexemes.append(("name", word.lower() if dialect == "postgresql" else word))
        elif match["dot"] is not None:
            lexemes.append(("dot", None))
        else:
            lexemes.append(("other", None))
    names: list[tuple[str | None, str]] = []
    for i, (kind, name) in enumerate(lexemes):
        if kind != "name" or name is None:
            continue
        if i + 1 < len(lexemes) and lexemes[i + 1][0] == "dot":
            continue  # a schema (or a table, before a column): the next name is the object
        qualified = i >= 2 and lexemes[i - 1][0] == "dot" and lexemes[i - 2][0] == "name"
        names.append((lexemes[i - 2][1] if qualified else None, name))
    return names


_NOT_NAMES = frozenset(
    {
        "EXCLUDE",
        "USING",
        "WITH",
        "TABLE",
        "INDEX",
        "CONSTRAINT",
        "ON",
        "ONLY",
        "EXISTS",
        "NOT",
        "NULL",
        "SET",
        "DROP",
        "CREATE",
        "UNIQUE",
        "PRIMARY",
        "KEY",
        "FOREIGN",
        "REFERENCES",
        "CHECK",
        "DEFAULT",
        "TYPE",
        "RENAME",
        "WHERE",
        "AND",
        "OR",
        "ADD",
        "ALTER",
        "ATTACH",
        "CASCADE",
        "COLUMN",
        "CONCURRENTLY",
        "DEFERRABLE",
        "DEFERRED",
        "IF",
        "IMMEDIATE",
        "INITIALLY",
        "NOWAIT",
        "OWNED",
        "RESTRICT",
        "TO",
        "VALID",
        "VALUE",
    }
)
