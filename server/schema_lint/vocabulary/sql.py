"""SQL conditions in a canonical form, so that two spellings of one condition compare equal.

Check constraint conditions and partial-index predicates are written by hand in models and
migrations and rewritten by the database (PostgreSQL adds parentheses and casts such as
``'a'::text``). :func:`normalise_condition` parses a condition with sqlglot for a dialect and
prints it back without those differences: whitespace, keyword and identifier case, redundant
parentheses, casts of literals to text types, and quoting of plain identifiers. sqlglot is
imported on the first call (:mod:`schema_lint.vocabulary.sql_canonical`), so that a check
without any condition never pays for it.
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=4096)
def normalise_condition(sql: str, dialect: str = "postgresql") -> str | None:
    """``sql`` in canonical form; None when it cannot be parsed (compare it as unknown)."""
    from schema_lint.vocabulary.sql_canonical import canonical_condition

    return canonical_condition(sql, dialect)


@functools.lru_cache(maxsize=4096)
def referenced_columns(sql: str, dialect: str = "postgresql") -> tuple[str, ...]:
    """The distinct column names a condition mentions, in order; empty when it cannot be
    parsed (PostgreSQL names an unnamed one-column CHECK ``<table>_<column>_check``)."""
    from schema_lint.vocabulary.sql_canonical import columns_of

    return columns_of(sql, dialect)
