"""The Alembic revision graph: order, heads, and its defects as problems."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

from schema_lint.facts.migrations import Migration
from schema_lint.facts.source import Problem


@dataclass(frozen=True, slots=True)
class RevisionOrder:
    """Revisions in an order Alembic could apply them from the roots to every head."""

    migrations: tuple[Migration, ...]
    heads: tuple[str, ...]
    problems: tuple[Problem, ...]


def order_revisions(migrations: Sequence[Migration]) -> RevisionOrder:
    problems: list[Problem] = []
    by_id: dict[str, Migration] = {}
    for migration in sorted(migrations, key=lambda m: m.path):
        if not migration.revision:
            continue
        if migration.revision in by_id:
            first = by_id[migration.revision]
            problems.append(
                Problem(
                    "duplicate-revision",
                    f"revision {migration.revision!r} is also defined in {first.path}; "
                    "this file is ignored",
                    migration.span,
                )
            )
            continue
        by_id[migration.revision] = migration

    labels: dict[str, list[str]] = {}
    for migration in by_id.values():
        for label in migration.branch_labels:
            labels.setdefault(label, []).append(migration.revision)

    parents: dict[str, set[str]] = {rev: set() for rev in by_id}
    children: dict[str, set[str]] = {rev: set() for rev in by_id}
    referenced_as_down: set[str] = set()
    for migration in by_id.values():
        for down in migration.down_revisions:
            target = _resolve(down, by_id)
            if target is None:
                problems.append(
                    Problem(
                        "missing-revision",
                        f"down_revision {down!r} of revision {migration.revision!r} does not exist",
                        migration.span,
                    )
                )
                continue
            referenced_as_down.add(target)
            parents[migration.revision].add(target)
            children[target].add(migration.revision)
        for dep in migration.depends_on:
            targets = labels.get(dep) or ([t] if (t := _resolve(dep, by_id)) else [])
            if not targets:
                problems.append(
                    Problem(
                        "missing-revision",
                        f"depends_on {dep!r} of revision {migration.revision!r} does not exist",
                        migration.span,
                    )
                )
            for target in targets:
                if target != migration.revision:
                    parents[migration.revision].add(target)
                    children[target].add(migration.revision)

    indegree = {rev: len(ps) for rev, ps in parents.items()}
    ready = [(by_id[rev].path, rev) for rev, n in indegree.items() if n == 0]
    heapq.heapify(ready)
    ordered: list[Migration] = []
    while ready:
        _, rev = heapq.heappop(ready)
        ordered.append(by_id[rev])
        for child in children[rev]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, (by_id[child].path, child))
    if len(ordered) < len(by_id):
        stuck = sorted(rev for rev, n in indegree.items() if n > 0)
        for rev in stuck:
            problems.append(
                Problem(
                    "revision-cycle",
                    f"revision {rev!r} is part of, or depends on, a cycle in the revision graph "
                    f"({', '.join(stuck)}); it is not replayed",
                    by_id[rev].span,
                )
            )
    done = {m.revision for m in ordered}
    heads = tuple(sorted(r for r in done if r not in referenced_as_down))
    return RevisionOrder(tuple(ordered), heads, tuple(problems))


def _resolve(ref: str, by_id: dict[str, Migration]) -> str | None:
    if ref in by_id:
        return ref
    matches = [rev for rev in by_id if rev.startswith(ref)] if len(ref) >= 4 else []
    return matches[0] if len(matches) == 1 else None
