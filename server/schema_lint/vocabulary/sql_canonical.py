"""The sqlglot half of :mod:`schema_lint.vocabulary.sql`: imported on the first condition to
normalise, since sqlglot alone takes about a tenth of a second to import."""

from __future__ import annotations

import logging
from typing import Any

import sqlglot
from sqlglot import exp

_TEXT_TYPES = frozenset({"TEXT", "VARCHAR", "CHAR", "NCHAR", "NVARCHAR", "BPCHAR"})
_READ = {"postgresql": "postgres", "mariadb": "mysql", "mssql": "tsql"}

logging.getLogger("sqlglot").setLevel(logging.ERROR)


def canonical_condition(sql: str, dialect: str) -> str | None:
    """``sql`` in canonical form; None when it cannot be parsed (compare it as unknown)."""
    text = sql.strip()
    if not text:
        return None
    try:
        tree: Any = sqlglot.parse_one(text, read=_READ.get(dialect, dialect))
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return None
    for node in reversed(list(tree.walk(bfs=False))):
        replacement = _canonical(node)
        if replacement is not node:
            if node is tree:
                tree = replacement
            else:
                node.replace(replacement)
    tree = tree.transform(_parenthesised)
    canonical: str = tree.sql(dialect="postgres", normalize=True, identify=False)
    return canonical.lower()


def _canonical(node: Any) -> Any:
    """Drop what does not change the meaning: every parenthesis (the tree keeps the
    grouping), casts to text types (and arrays of them), identifier case; and write the
    forms PostgreSQL stores a condition in as it was written: ``x = ANY (ARRAY[a, b])`` is
    ``x IN (a, b)``, ``x <> ALL (ARRAY[a, b])`` is ``x NOT IN (a, b)``, and ``BETWEEN``
    is two comparisons."""
    if isinstance(node, exp.Paren):
        return node.this
    if isinstance(node, exp.Cast) and _text_type(node.to):
        return node.this
    if isinstance(node, exp.Identifier):
        return exp.to_identifier(node.name.lower())
    if isinstance(node, exp.Between):
        low = exp.GTE(this=node.this.copy(), expression=node.args["low"].copy())
        high = exp.LTE(this=node.this.copy(), expression=node.args["high"].copy())
        return exp.And(this=low, expression=high)
    if isinstance(node, exp.EQ | exp.NEQ):
        items = _array_items(node.expression, exp.Any if isinstance(node, exp.EQ) else exp.All)
        if items is not None:
            found = exp.In(this=node.this.copy(), expressions=items)
            return found if isinstance(node, exp.EQ) else exp.Not(this=found)
    return node


def _array_items(node: Any, quantifier: type) -> list[Any] | None:
    """The items of ``ANY (ARRAY[...])`` (or ``ALL``), else None."""
    if isinstance(node, exp.Anonymous) and str(node.this).upper() == "ALL":
        if quantifier is not exp.All or len(node.expressions) != 1:
            return None
        inner = node.expressions[0]
    elif isinstance(node, quantifier):
        inner = getattr(node, "this", None)
    else:
        return None
    while isinstance(inner, exp.Paren | exp.Cast):
        inner = inner.this
    if not isinstance(inner, exp.Array):
        return None
    return [item.copy() for item in inner.expressions]


def _text_type(to: exp.DataType) -> bool:
    kind = to.this
    if kind == exp.DataType.Type.ARRAY:
        inner = to.expressions
        return len(inner) == 1 and isinstance(inner[0], exp.DataType) and _text_type(inner[0])
    return isinstance(kind, exp.DataType.Type) and kind.name.upper() in _TEXT_TYPES


_GROUPED = (exp.Binary, exp.Not, exp.Neg)


def _parenthesised(node: Any) -> Any:
    """Parenthesise every operator operand that is itself an operator: one spelling of a
    grouping, whatever parentheses the author wrote."""
    if isinstance(node, _GROUPED):
        for key in ("this", "expression"):
            child = node.args.get(key)
            if isinstance(child, _GROUPED):
                node.set(key, exp.Paren(this=child))
    return node


def columns_of(sql: str, dialect: str) -> tuple[str, ...]:
    """The distinct column names a condition mentions, in order; empty when it cannot be
    parsed."""
    try:
        tree: Any = sqlglot.parse_one(sql.strip(), read=_READ.get(dialect, dialect))
    except (sqlglot.errors.SqlglotError, RecursionError, ValueError):
        return ()
    names: dict[str, None] = {}
    for column in tree.find_all(exp.Column):
        names.setdefault(column.name.lower() if not column.this.quoted else column.name)
    return tuple(names)
