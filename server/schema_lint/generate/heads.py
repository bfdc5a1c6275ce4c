"""Where a new revision goes in an environment's graph: which heads hold what it changes,
and the id the project's own style gives the next revision."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from schema_lint.facts.migrations import Migration
from schema_lint.schema.revisions import order_revisions

_NUMERIC = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Graph:
    """One environment's revisions, read statically."""

    migrations: tuple[Migration, ...]
    heads: tuple[str, ...]
    _by_path: dict[str, str] = field(default_factory=dict)
    _by_id: dict[str, Migration] = field(default_factory=dict)

    @classmethod
    def of(cls, migrations: Sequence[Migration]) -> Graph:
        ordered = order_revisions(migrations)
        by_id = {m.revision: m for m in ordered.migrations}
        by_path = {os.path.realpath(m.path): m.revision for m in ordered.migrations}
        return cls(ordered.migrations, ordered.heads, by_path, by_id)

    def knows(self, revision: str) -> bool:
        return revision in self._by_id

    def history(self, revision: str) -> frozenset[str]:
        """``revision`` and every revision it builds on (``down_revision``, ``depends_on``)."""
        seen: set[str] = set()
        todo = [revision]
        while todo:
            current = todo.pop()
            if current in seen or current not in self._by_id:
                continue
            seen.add(current)
            found = self._by_id[current]
            todo.extend((*found.down_revisions, *found.depends_on))
        return frozenset(seen)

    def revision_at(self, path: str) -> str | None:
        """The revision defined in the file at ``path``."""
        return self._by_path.get(os.path.realpath(path))

    def holds(self, revision: str, paths: Iterable[str]) -> bool:
        """Whether the history of ``revision`` runs every revision defined in ``paths``."""
        needed = {r for p in paths if (r := self.revision_at(p)) is not None}
        return needed <= self.history(revision)

    def holders(self, paths: Iterable[str]) -> tuple[str, ...]:
        """The heads whose history runs every revision defined in ``paths``."""
        found = tuple(paths)
        return tuple(h for h in self.heads if self.holds(h, found))

    def next_id(self) -> str | None:
        """The next id in the project's style when every id is a number (``0014`` ->
        ``0015``); None for Alembic's own random ids."""
        ids = [m.revision for m in self.migrations]
        if not ids or not all(_NUMERIC.fullmatch(i) for i in ids):
            return None
        width = max(len(i) for i in ids)
        return str(max(int(i) for i in ids) + 1).zfill(width)
