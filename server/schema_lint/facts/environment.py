"""What an Alembic environment's ``env.py`` and ``alembic.ini`` say beyond its revisions."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from schema_lint.facts.source import Span


@dataclass(frozen=True, slots=True)
class ObjectFilter:
    """One thing a project keeps out of autogenerate comparisons on purpose (an
    ``include_object``/``include_name`` test in ``env.py``, ``[alembic:exclude]``).

    ``kind`` is Alembic's ``type_`` (``table``, ``index``, ``unique_constraint``,
    ``column``, ``foreign_key_constraint``) or None for every kind; ``name`` and ``table``
    are globs (``fnmatchcase``); ``table`` None matches any table.
    """

    kind: str | None
    name: str
    table: str | None = None
    reason: str = ""
    span: Span | None = None
    reflected: bool | None = None
    """Only objects the database holds (True), only those the models declare (False), or
    both (None): ``reflected`` / ``not reflected`` in ``include_object``."""
    """Where the project states it (the function in ``env.py``, ``alembic.ini``)."""

    def matches(self, kind: str, name: str | None, table: str | None) -> bool:
        if self.kind is not None and self.kind != kind:
            return False
        if name is None or not fnmatch.fnmatchcase(name, self.name):
            return False
        return self.table is None or (table is not None and fnmatch.fnmatchcase(table, self.table))
