"""The code a revision runs before it adds uniqueness or NOT NULL: Python text for
``upgrade()``/``downgrade()``, with SQL that PostgreSQL, SQLite and MySQL all accept.

- ``fail``: count the groups of rows that share the new unique key (or the rows that are
  NULL), and stop with a message giving the count and the query that lists them. Every
  check of a revision runs before its first change, so a stopped revision changed nothing.
- ``keep-lowest``: delete all but the row with the lowest primary key of each group. The
  groups are read through a derived table (``SELECT ... FROM (SELECT MIN(...) ...) AS kept``),
  which MySQL requires to delete from the table it reads.

Rows whose key has a NULL are never duplicates (a unique constraint accepts them), and a
partial index only counts the rows its predicate keeps. Offline (``alembic upgrade --sql``)
nothing can be counted, so checks are skipped; deletions are emitted as SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from schema_lint.generate.changes import Index, Unique, qualified

FAIL = "fail"
KEEP_LOWEST = "keep-lowest"
DEDUPE_POLICIES = (FAIL, KEEP_LOWEST)

PLACEHOLDER = "{found}"
"""Where a check's message says how many groups or rows it found."""

Quote = Callable[[str], str]
"""Quotes one identifier where the database needs it (its SQLAlchemy preparer)."""


@dataclass(frozen=True, slots=True)
class Key:
    """The rows a new unique key makes distinct: the table, the key's items, the predicate."""

    table: str
    items: tuple[str, ...]
    """Quoted column names, or SQL expressions."""
    where: str | None
    label: str
    """How messages name the key: ``(user_id, role_id)``."""
    what: str
    """How messages name the new object: ``the unique constraint uq_x``."""


def key_of(found: Unique | Index, quote: Quote) -> Key:
    table = _table(found.schema, found.table, quote)
    expressions = isinstance(found, Index) and found.expressions
    items = tuple(found.columns if expressions else (quote(c) for c in found.columns))
    where = found.where if isinstance(found, Index) else None
    kind = "unique constraint" if isinstance(found, Unique) else "unique index"
    return Key(table, items, where, f"({', '.join(found.columns)})", f"the {kind} {found.name}")


def _table(schema: str | None, table: str, quote: Quote) -> str:
    return f"{quote(schema)}.{quote(table)}" if schema else quote(table)


def _live(key: Key) -> str:
    """The rows the key constrains: no NULL in the key, and the predicate."""
    conditions = [f"{item} IS NOT NULL" for item in key.items]
    if key.where:
        conditions.append(f"({key.where})")
    return " AND ".join(conditions)


def duplicates_query(key: Key) -> str:
    """The query listing each group of duplicates and its size."""
    items = ", ".join(key.items)
    return (
        f"SELECT {items}, COUNT(*) AS copies FROM {key.table} WHERE {_live(key)} "
        f"GROUP BY {items} HAVING COUNT(*) > 1"
    )


def duplicates_check(key: Key) -> str:
    items = ", ".join(key.items)
    count = (
        f"SELECT COUNT(*) FROM (SELECT {items} FROM {key.table} WHERE {_live(key)} "
        f"GROUP BY {items} HAVING COUNT(*) > 1) AS duplicate_groups"
    )
    message = (
        f"{key.table} holds {{found}} group(s) of rows with the same {key.label}: "
        f"{key.what} cannot be created. See them with: {duplicates_query(key)}"
    )
    comment = (
        f"Rows of {key.table} with the same {key.label} would make {key.what} fail: "
        "stop before changing anything (schema-lint migration --dedupe fail)."
    )
    return _check(comment, count, message)


def null_check(schema: str | None, name: str, column: str, quote: Quote) -> str:
    """Stop while some row of table ``name`` has no value in ``column``."""
    target = _table(schema, name, quote)
    condition = f"{quote(column)} IS NULL"
    shown = f"{qualified(schema, name)}.{column}"
    message = (
        f"{shown} is NULL in {{found}} row(s) and cannot become NOT NULL. "
        f"See them with: SELECT * FROM {target} WHERE {condition}"
    )
    comment = f"{shown} becomes NOT NULL: stop while some row has no value in it."
    return _check(comment, f"SELECT COUNT(*) FROM {target} WHERE {condition}", message)


def keep_lowest(key: Key, row_key: str, quote: Quote) -> str:
    """Delete all but the row with the lowest ``row_key`` of each group of duplicates."""
    items = ", ".join(key.items)
    pk = quote(row_key)
    live = _live(key)
    sql = (
        f"DELETE FROM {key.table} WHERE {live} AND {pk} NOT IN (SELECT kept.keep_id FROM "
        f"(SELECT MIN({pk}) AS keep_id FROM {key.table} WHERE {live} GROUP BY {items}) AS kept)"
    )
    comment = (
        f"schema-lint migration --dedupe keep-lowest: of each group of {key.table} rows with "
        f"the same {key.label}, keep the row with the lowest {row_key} and delete the others, "
        f"so that {key.what} can be created (SQL for PostgreSQL, SQLite and MySQL)."
    )
    return "\n".join([*_comment(comment), f"op.execute({_literal(sql, 4, 84)})"])


def _check(comment: str, count_sql: str, message: str) -> str:
    lines = [
        *_comment(comment),
        "if not op.get_context().as_sql:",
        f"    found = op.get_bind().execute(sa.text({_literal(count_sql, 8, 43)})).scalar()",
        "    if found:",
        f"        raise RuntimeError({_literal(message, 12, 68, formatted=True)})",
    ]
    return "\n".join(lines)


def _comment(text: str) -> list[str]:
    return [f"# {line}" for line in _wrap(text, 86)]


def _literal(text: str, indent: int, room: int, *, formatted: bool = False) -> str:
    """``text`` as Python string literals: inline when it fits in ``room`` characters, else
    one literal per line, indented by ``indent``."""
    parts = _wrap(text, 88 - indent, keep_spaces=True)

    def literal(part: str) -> str:
        if formatted and PLACEHOLDER in part:  # an f-string: other braces are doubled
            escaped = part.replace("{", "{{").replace("}", "}}")
            return "f" + repr(escaped.replace("{{found}}", PLACEHOLDER))
        return repr(part)

    if len(parts) == 1 and len(literal(parts[0])) <= room:
        return literal(parts[0])
    pad = " " * indent
    inner = "\n".join(f"{pad}{literal(p)}" for p in parts)
    return f"\n{inner}\n{' ' * (indent - 4)}"


def _wrap(text: str, width: int, *, keep_spaces: bool = False) -> Sequence[str]:
    """Split ``text`` at spaces into pieces of at most about ``width`` characters; with
    ``keep_spaces`` each piece after the first starts with the space it was split at."""
    words = text.split(" ")
    pieces: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and len(candidate) > width:
            pieces.append(current)
            current = word
        else:
            current = candidate
    pieces.append(current)
    if keep_spaces:
        return [pieces[0], *(f" {p}" for p in pieces[1:])]
    return pieces
