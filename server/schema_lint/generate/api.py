"""``schema-lint migration``: the revision that brings the migrations to what the models
declare, for the findings selected. Both front ends call :func:`generate`.

Per Alembic environment with changes, one revision on the head whose history holds the
tables changed (``head`` chooses), with the next id in the project's style (every id a
number: the next number; else Alembic's own), rendered by Alembic and written through its
``ScriptDirectory``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from schema_lint.diagnostics import Diagnostic, FindingKey
from schema_lint.engine import CheckResult
from schema_lint.generate.batch import render_as_batch
from schema_lint.generate.changes import (
    Change,
    Create,
    SetNullable,
    action,
    adds_uniqueness,
    describe,
    qualified,
    table_of,
)
from schema_lint.generate.guards import FAIL, KEEP_LOWEST
from schema_lint.generate.heads import Graph
from schema_lint.generate.plan import EnvironmentPlan, Planned, Skipped, plan
from schema_lint.generate.scripts import GenerateError, RevisionFile, ScriptOptions
from schema_lint.project import Project

__all__ = ["GenerateError", "Generated", "Options", "Revision", "generate", "remaining"]


@dataclass(frozen=True, slots=True)
class Options:
    message: str | None = None
    rev_id: str | None = None
    dedupe: str = FAIL
    dry_run: bool = False
    head: str | None = None
    select: tuple[str, ...] | None = None
    """Codes or prefixes (None: :data:`schema_lint.generate.plan.DEFAULT_SELECT`)."""
    concurrently: bool = False
    hooks: bool = True


@dataclass(frozen=True, slots=True)
class Revision:
    file: RevisionFile
    environment: str
    changes: tuple[Planned, ...]

    @property
    def findings(self) -> tuple[Diagnostic, ...]:
        return tuple(dict.fromkeys(p.finding for p in self.changes))


@dataclass(frozen=True, slots=True)
class Generated:
    revisions: tuple[Revision, ...]
    skipped: tuple[Skipped, ...]


def generate(project: Project, result: CheckResult, options: Options) -> Generated:
    """Write (or, for a dry run, render) the revisions; :class:`GenerateError` says why not."""
    from schema_lint.generate.render import RenderOptions, render
    from schema_lint.generate.scripts import write_revision

    if options.dedupe not in (FAIL, KEEP_LOWEST):
        raise GenerateError(f"--dedupe must be {FAIL} or {KEEP_LOWEST}, not {options.dedupe!r}")
    planned = plan(project, result, options.select)
    if options.head is not None and len(planned.environments) > 1:
        names = ", ".join(e.environment.name for e in planned.environments)
        raise GenerateError(
            f"--head names one head, but several Alembic environments need a revision ({names})"
        )
    jobs = [
        (env_plan, graph, head, changes)
        for env_plan in planned.environments
        for graph in [_graph(project, env_plan)]
        for head, changes in _by_head(env_plan, graph, options.head)
    ]
    per_environment = [env_plan.environment.name for env_plan, *_ in jobs]
    if options.rev_id is not None and len(per_environment) != len(set(per_environment)):
        raise GenerateError("--rev-id names one revision, but several heads need one")
    for *_, changes in jobs:  # every refusal before the first file is written
        _check_keep_lowest(changes, options)
    revisions = []
    taken: dict[str, int] = {}
    for env_plan, graph, head, changes in jobs:
        environment = env_plan.environment
        rendered = render(
            [p.change for p in changes],
            RenderOptions(
                env_plan.dialect,
                batch=render_as_batch(environment.script_dir, env_plan.dialect),
                dedupe=options.dedupe,
                concurrently=options.concurrently,
            ),
        )
        rev_id = options.rev_id or _next_id(graph, taken, environment.name)
        migrations = {
            os.path.realpath(f.path): f.migration
            for f in project.migrations_of(environment.name)
            if f.migration is not None
        }
        written = write_revision(
            Path(project.root),
            environment,
            migrations,
            ScriptOptions(
                rev_id=rev_id,
                message=options.message or summary([p.change for p in changes]),
                head=head,
                upgrades=rendered.upgrades,
                downgrades=rendered.downgrades,
                dry_run=options.dry_run,
                hooks=options.hooks,
            ),
        )
        revisions.append(Revision(written, environment.name, tuple(changes)))
    return Generated(tuple(revisions), planned.skipped)


def remaining(revisions: Sequence[Revision], after: CheckResult) -> tuple[Diagnostic, ...]:
    """The findings the revisions were generated for that ``after`` still reports."""
    keys: set[FindingKey] = {f.key for r in revisions for f in r.findings}
    return tuple(d for d in after.diagnostics if d.key in keys)


def summary(changes: Sequence[Change]) -> str:
    """A revision message: ``add unique constraints on user_roles, role_permissions``."""
    if len(changes) == 1:
        return describe(changes[0])
    actions = set(map(action, changes))
    tables = ", ".join(dict.fromkeys(qualified(*table_of(c)) for c in changes))
    if len(actions) == 1 and not isinstance(changes[0], SetNullable):
        kind = actions.pop()
        return f"{kind}{'es' if kind.endswith('index') else 's'} on {tables}"
    return f"match the models on {tables}"


def _graph(project: Project, env_plan: EnvironmentPlan) -> Graph:
    files = project.migrations_of(env_plan.environment.name)
    return Graph.of([f.migration for f in files if f.migration is not None])


def _by_head(
    env_plan: EnvironmentPlan, graph: Graph, head: str | None
) -> list[tuple[str, list[Planned]]]:
    """The changes of one environment grouped by the head their revision goes on."""
    name = env_plan.environment.name
    if head is not None:
        outside = [
            qualified(*table_of(p.change))
            for p in env_plan.changes
            if graph.knows(head) and not graph.holds(head, p.anchors)
        ]
        if outside:
            raise GenerateError(
                f"--head {head}: {', '.join(f'`{t}`' for t in dict.fromkeys(outside))} "
                f"is not in the history of {head}"
            )
        return [(head, list(env_plan.changes))]
    if not graph.heads:
        raise GenerateError(f"environment `{name}` has no revision to build on")
    groups: dict[str, list[Planned]] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    for planned in env_plan.changes:
        holders = graph.holders(planned.anchors)
        if len(graph.heads) == 1:
            holders = graph.heads
        if len(holders) == 1:
            groups.setdefault(holders[0], []).append(planned)
        else:
            ambiguous[qualified(*table_of(planned.change))] = holders or graph.heads
    if ambiguous:
        where = "; ".join(f"`{t}`: {', '.join(h)}" for t, h in ambiguous.items())
        raise GenerateError(
            f"environment `{name}` has several heads, and more than one holds the tables to "
            f"change ({where}): choose the head with --head"
        )
    return list(groups.items())


def _check_keep_lowest(changes: Sequence[Planned], options: Options) -> None:
    if options.dedupe != KEEP_LOWEST:
        return
    for planned in changes:
        unique = adds_uniqueness(planned.change)
        change = planned.change
        if unique is not None and isinstance(change, Create) and change.row_key is None:
            raise GenerateError(
                f"--dedupe keep-lowest: `{qualified(unique.schema, unique.table)}` has no "
                "single-column primary key to keep the lowest row by; use --dedupe fail "
                "and remove its duplicates by hand"
            )


def _next_id(graph: Graph, taken: dict[str, int], environment: str) -> str:
    from alembic.util import rev_id

    found = graph.next_id()
    if found is None:
        return str(rev_id())
    offset = taken.get(environment, 0)
    taken[environment] = offset + 1
    return str(int(found) + offset).zfill(len(found))
