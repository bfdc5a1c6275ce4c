"""The pipeline both front ends call: facts -> schema states -> rules -> diagnostics.

``schema-lint check`` and the language server differ only in where texts come from and how
diagnostics are shown; everything about schemas happens here and below.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from schema_lint.diagnostics import Coverage, Diagnostic
from schema_lint.facts.files import FileFacts
from schema_lint.facts.migrations import (
    CreateAll,
    Decide,
    Guarded,
    MarkIncomplete,
    MarkUncertain,
    Operation,
)
from schema_lint.facts.schema import Schema, Table
from schema_lint.facts.source import Problem, Span
from schema_lint.project import Project
from schema_lint.rules.context import RevisionNode, RuleContext, Side, SideKind, side_label
from schema_lint.rules.registry import RULES, selected
from schema_lint.schema.replay import replay_migrations
from schema_lint.sources.collector import paused_gc
from schema_lint.sources.suppression import suppressed
from schema_lint.vocabulary.dialects import Dialect


@dataclass(frozen=True, slots=True)
class ProjectSchemas:
    models: Schema
    migrations: Mapping[str, Schema]
    """Replayed schema per Alembic environment name."""
    env_models: Mapping[str, Schema] = field(default_factory=dict)
    """The models built for an environment's own dialect, where it is not the project's."""

    def merged_migrations(self) -> Schema:
        """Every environment's tables in one schema (for display)."""
        tables: dict[str, Table] = {}
        heads: list[str] = []
        problems: list[Problem] = []
        for schema in self.migrations.values():
            tables.update(schema.tables)
            heads.extend(schema.heads)
            problems.extend(schema.problems)
        return Schema(tables=tables, heads=tuple(heads), problems=tuple(problems))


@dataclass(frozen=True, slots=True)
class CheckResult:
    diagnostics: tuple[Diagnostic, ...]
    problems: tuple[Problem, ...]
    """What could not be read or analysed; shown with ``--verbose`` and in the editor log."""
    schemas: ProjectSchemas
    coverage: Coverage | None = None


class SchemaMemo(Protocol):
    """Somewhere to keep replayed schemas between runs (the facts cache is one)."""

    def get_schema(self, key: str) -> Schema | None: ...

    def put_schema(self, key: str, schema: Schema) -> None: ...


class SchemaMemory:
    """The last few schemas, in memory: the language server's memo between two checks.

    Keyed like the cache (by content), so a keystroke in a model file reuses the replay of
    the migrations, and one in a revision the models' schema, whenever their files' contents
    are known."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._schemas: OrderedDict[str, Schema] = OrderedDict()

    def get_schema(self, key: str) -> Schema | None:
        found = self._schemas.get(key)
        if found is not None:
            self._schemas.move_to_end(key)
        return found

    def put_schema(self, key: str, schema: Schema) -> None:
        self._schemas[key] = schema
        self._schemas.move_to_end(key)
        while len(self._schemas) > self._size:
            self._schemas.popitem(last=False)


def _files_key(
    kind: str,
    files: list[FileFacts],
    dialect: str,
    convention: dict[str, str] | None,
    extra: str = "",
) -> str | None:
    """A key for a schema built from exactly these file contents, and the contents of the
    files their facts were read from (a revision's helper modules); None when not keyable."""
    if not files or any(not f.content_key for f in files):
        return None
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{kind}|{dialect}|{sorted((convention or {}).items())}|{extra}".encode())
    for facts in sorted(files, key=lambda f: f.path):
        digest.update(f"|{facts.path}={facts.content_key}".encode())
        if facts.depends_on is not None:
            digest.update(f"<{facts.depends_on.layout}{facts.depends_on.files}".encode())
    return digest.hexdigest()


def build_schemas(project: Project, memo: SchemaMemo | None = None) -> ProjectSchemas:
    """The models' schema and each environment's replay, for the dialect it runs on.

    The models are built first (once per dialect in use): a revision's ``create_all()``
    creates them, and an environment of another dialect is compared with its own build.
    """
    with paused_gc():
        return _build_schemas(project, memo)


def _build_schemas(project: Project, memo: SchemaMemo | None) -> ProjectSchemas:
    from schema_lint.schema.models import build_model_schema

    dialect = project.config.dialect
    model_files = [f for f in project.files.values() if f.model is not None]
    built: dict[str, tuple[Schema, str | None]] = {}

    def models_for(target: str) -> tuple[Schema, str | None]:
        if target not in built:
            key = _files_key("models", model_files, target, None)
            schema = memo.get_schema(key) if memo is not None and key is not None else None
            if schema is not None and not project.sources.fresh(schema.depends_on):
                schema = None  # a module the models import from has changed
            if schema is None:
                modules = [f.model for f in model_files if f.model]
                schema = build_model_schema(modules, dialect=target, loader=project.module_loader())
                if memo is not None and key is not None:
                    memo.put_schema(key, schema)
            built[target] = (schema, key)
        return built[target]

    models, _ = models_for(dialect)
    assume = project.config.assume
    migrations: dict[str, Schema] = {}
    env_models: dict[str, Schema] = {}
    for environment in project.layout.environments:
        target = environment.dialect or dialect
        env_model, models_key = models_for(target)
        if target != dialect:
            env_models[environment.name] = env_model
        files = project.migrations_of(environment.name)
        own = project.env_conventions.get(environment.name)
        convention = dict(own) if own is not None else dict(env_model.naming_convention) or None
        # The replay reads the models only where a revision calls create_all(): without one,
        # editing a model leaves it as it was.
        uses_models = any(
            _creates_all(op) for f in files if f.migration for op in f.migration.operations
        )
        models_id = (
            f"{models_key or len(model_files)}|{env_model.depends_on!r}" if uses_models else "-"
        )
        extra = f"{models_id}|{assume!r}|{environment.schemas!r}"
        keyable = models_key is not None or not model_files or not uses_models
        key = (
            _files_key("migrations", files, target, convention, extra)
            if memo is not None and keyable
            else None
        )
        cached = memo.get_schema(key) if memo is not None and key is not None else None
        if cached is None:
            revisions = [f.migration for f in files if f.migration]
            replays = [
                replay_migrations(
                    revisions,
                    dialect=target,
                    naming_convention=convention,
                    models=env_model,
                    assume=dict(assume),
                    default_schema=schema,
                )
                for schema in (environment.schemas or (None,))
            ]
            cached = _merged(replays)
            if memo is not None and key is not None:
                memo.put_schema(key, cached)
        migrations[environment.name] = cached
    return ProjectSchemas(models, migrations, env_models)


def _creates_all(op: Operation) -> bool:
    """Whether an operation is ``create_all()``, guarded or not."""
    while isinstance(op, Guarded):
        op = op.operation
    return isinstance(op, CreateAll)


def _merged(replays: list[Schema]) -> Schema:
    """One environment replayed once per tenant schema, as one schema."""
    if len(replays) == 1:
        return replays[0]
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for replay in replays:
        tables.update(replay.tables)
        problems.extend(replay.problems)
    first = replays[0]
    return Schema(tables, first.heads, tuple(dict.fromkeys(problems)), first.naming_convention)


HARMLESS_MODEL_PROBLEMS = frozenset({"ignored-constraint", "detached-index"})
"""Problems of the models' side that cannot hide a table or a column."""
HARMLESS_MIGRATION_PROBLEMS = frozenset({"create-all"})
"""Notes of a replay that leave every table known (``create_all`` creates the models')."""


def sides(project: Project, schemas: ProjectSchemas) -> tuple[Side, tuple[Side, ...]]:
    """The models' side and every Alembic environment's, named for messages and keys."""
    model_problems = [
        p
        for path in project.layout.model_files
        if (facts := project.files.get(path)) is not None
        for p in facts.problems
    ]
    model_problems.extend(schemas.models.problems)
    models = Side(
        SideKind.MODELS,
        "models",
        schemas.models,
        side_label(SideKind.MODELS, "models", False),
        complete=all(p.kind in HARMLESS_MODEL_PROBLEMS for p in model_problems)
        and _all_read(project, None),
    )
    several = len(schemas.migrations) > 1
    dialects = {e.name: e.dialect or project.config.dialect for e in project.layout.environments}
    uncompared = {e.name: e.uncompared for e in project.layout.environments}
    tenants = {e.name: e.schemas for e in project.layout.environments}
    others = tuple(
        Side(
            SideKind.MIGRATIONS,
            name,
            schema,
            side_label(SideKind.MIGRATIONS, name, several),
            project.env_filters.get(name, ()),
            complete=all(p.kind in HARMLESS_MIGRATION_PROBLEMS for p in schema.problems)
            and not any(f.problems for f in project.migrations_of(name))
            and _all_read(project, name),
            models=schemas.env_models.get(name),
            dialect=Dialect(dialects[name]) if name in schemas.env_models else None,
            schemas=tenants.get(name, ()),
            uncompared=uncompared.get(name, ""),
            history=tuple(
                RevisionNode(m.revision, (*m.down_revisions, *m.depends_on), m.span)
                for f in project.migrations_of(name)
                if (m := f.migration) is not None and m.revision
            ),
        )
        for name, schema in schemas.migrations.items()
    )
    return models, others


def _all_read(project: Project, environment: str | None) -> bool:
    """Whether every file that may hold the models (None) or this environment's revisions
    was read: an unreadable file might hold any table (SL000 names it)."""
    dirs = {
        e.name: tuple(os.path.normpath(d) for d in e.version_dirs)
        for e in project.layout.environments
    }
    mine = dirs.get(environment, ()) if environment is not None else ()
    every = tuple(d for found in dirs.values() for d in found)
    for problem in project.layout.problems:
        path = problem.span.path
        if problem.kind == "unreadable-filter":
            continue  # a filter hides nothing from the reading; said once, still compared
        if problem.kind == "unreadable-directory":
            return False
        if environment is None and not _below(path, every):
            return False
        if environment is not None and (
            _below(path, mine) or os.path.basename(path) == "alembic.ini"
        ):
            return False
    return True


def _below(path: str, directories: tuple[str, ...]) -> bool:
    return any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in directories)


def check(
    project: Project,
    *,
    only_paths: Collection[str] | None = None,
    memo: SchemaMemo | None = None,
    database: Callable[[Project, ProjectSchemas], Side] | None = None,
) -> CheckResult:
    """Run every selected rule; report diagnostics in ``only_paths`` (default: all files).

    ``database`` builds a live database's side (``schema-lint db``): the rules then compare
    it too.
    """
    schemas = build_schemas(project, memo)
    config = project.config
    models, others = sides(project, schemas)
    if database is not None:
        others = (*others, database(project, schemas))
    dialect = Dialect(config.dialect)
    convention = dict(schemas.models.naming_convention)
    diagnostics: list[Diagnostic] = []
    file_problems = (
        *project.layout.problems,
        *(p for f in project.files.values() for p in f.problems),
    )
    for rule in RULES:
        if not selected(rule.code, config.select, config.ignore):
            continue
        context = RuleContext(
            models, others, config.options(rule.code), dialect, convention, problems=file_problems
        )
        for diagnostic in rule.check(context):
            if _keep(diagnostic, project, only_paths):
                diagnostics.append(diagnostic)
    problems = list(file_problems)
    problems.extend(_environment_notes(project))
    problems.extend(_filter_notes(project, schemas))
    problems.extend(_incomplete_tables(schemas))
    problems.extend(schemas.models.problems)
    for schema in schemas.migrations.values():
        problems.extend(schema.problems)
    unique_problems = tuple(dict.fromkeys(problems))
    return CheckResult(
        tuple(sorted(dict.fromkeys(diagnostics), key=lambda d: d.sort_key)),
        unique_problems,
        schemas,
        coverage(project, schemas, unique_problems),
    )


_MARKERS = (MarkIncomplete, MarkUncertain, Decide)
"""Operations that are not statements: what a skipped statement taints, and conditions."""


def coverage(project: Project, schemas: ProjectSchemas, problems: Sequence[Problem]) -> Coverage:
    """The figures of the summary line. A statement is an operation a revision file yields
    (a ``Guarded`` one counts as what it guards; the markers of :data:`_MARKERS` do not) or
    an ``unanalysable`` problem located in a revision file (one per skipped statement); an
    operation the replay skipped under a condition it could not decide is one of those
    problems, so it counts as skipped, not as understood."""
    revisions = {path: f.migration for path, f in project.files.items() if f.migration}
    read = sum(
        1
        for migration in revisions.values()
        for op in migration.operations
        if not isinstance(op.operation if isinstance(op, Guarded) else op, _MARKERS)
    )
    extracted = {p for m in revisions.values() for p in m.problems}
    extracted.update(p for path in revisions for p in project.files[path].problems)
    skipped = [p for p in problems if p.kind == "unanalysable" and p.span.path in revisions]
    undecided = sum(1 for p in skipped if p not in extracted)  # the replay's, one per operation
    understood = max(read - undecided, 0)
    tables = schemas.models.tables.values()
    return Coverage(
        model_tables=len(tables),
        checked_tables=sum(1 for t in tables if not t.incomplete),
        statements=understood + len(skipped),
        understood=understood,
    )


def _filter_notes(project: Project, schemas: ProjectSchemas) -> list[Problem]:
    """What each autogenerate filter of the project keeps out of the comparison (listed by
    ``--verbose``)."""
    notes: list[Problem] = []
    for name, filters in project.env_filters.items():
        sides = [schemas.models, schemas.migrations.get(name)]
        for object_filter in filters:
            matched: dict[str, None] = {}
            for schema in sides:
                for table in schema.tables.values() if schema is not None else ():
                    for kind, what, names in (
                        ("table", "table", [table.name]),
                        ("column", "column", [c.name for c in table.columns]),
                        ("index", "index", [i.name for i in table.indexes]),
                        ("unique_constraint", "unique", [u.name for u in table.unique_constraints]),
                        (
                            "foreign_key_constraint",
                            "foreign key",
                            [f.name for f in table.foreign_keys],
                        ),
                    ):
                        for found in names:
                            if object_filter.matches(kind, found, table.name):
                                where = "" if kind == "table" else f" of `{table.name}`"
                                matched[f"{what} `{found}`{where}"] = None
            span = object_filter.span or _environment_span(project, name, None)
            shown = list(matched)[:10]
            more = f" and {len(matched) - 10} more" if len(matched) > 10 else ""
            what = ", ".join(shown) + more if matched else "nothing in this project"
            pattern = f"{object_filter.kind or 'object'} `{object_filter.name}`"
            if object_filter.table:
                pattern += f" of `{object_filter.table}`"
            notes.append(
                Problem(
                    "autogenerate-filter",
                    f"{object_filter.reason} keeps {pattern} out of autogenerate, so out of "
                    f"the comparison: {what}",
                    span,
                )
            )
    return notes


def _environment_notes(project: Project) -> list[Problem]:
    """What each environment is replayed for, when that is not simply the project's."""
    notes: list[Problem] = []
    dialect = project.config.dialect
    for environment in project.layout.environments:
        where = _environment_span(project, environment.name, environment.script_dir)
        if environment.dialect and environment.dialect != dialect:
            notes.append(
                Problem(
                    "environment",
                    f"environment `{environment.name}` is replayed for {environment.dialect} "
                    f"({environment.dialect_source}) and compared with the models for "
                    f"{environment.dialect}",
                    where,
                )
            )
        if environment.uncompared:
            notes.append(
                Problem(
                    "environment",
                    f"environment `{environment.name}`: {environment.uncompared}, so "
                    "autogenerate never compares it with models; the tables it creates that no "
                    "model declares are not reported",
                    where,
                )
            )
        if environment.schemas_source and not environment.schemas:
            notes.append(
                Problem(
                    "environment",
                    f"environment `{environment.name}`: {environment.schemas_source}; its "
                    "unqualified tables are compared with the models' unqualified tables (list "
                    "the schemas under [tool.schema-lint.migrations.environments."
                    f'"{environment.name}"] schemas = [...] to replay it once per schema)',
                    where,
                )
            )
    names = {e.name.strip("/") for e in project.layout.environments}
    for name, _ in project.config.environments:
        if name.strip("/") not in names:
            notes.append(
                Problem(
                    "configuration",
                    f"[tool.schema-lint.migrations.environments.{name!r}] matches no Alembic "
                    f"environment (found: {', '.join(sorted(names)) or 'none'})",
                    Span(str(project.root / "pyproject.toml"), 1, 0, 1, 0),
                )
            )
    return notes


def _environment_span(project: Project, name: str, script_dir: str | None) -> Span:
    if script_dir is not None and os.path.isfile(os.path.join(script_dir, "env.py")):
        return Span(os.path.join(script_dir, "env.py"), 1, 0, 1, 0)
    files = sorted(f.path for f in project.migrations_of(name))
    return Span(files[0] if files else str(project.root), 1, 0, 1, 0)


def _incomplete_tables(schemas: ProjectSchemas) -> list[Problem]:
    """Tables the rules do not judge, and why: unknown is not a finding."""
    problems = []
    for table in schemas.models.tables.values():
        if table.incomplete and table.span is not None:
            problems.append(
                Problem(
                    "incomplete-table",
                    f"model table `{table.qualified_name}` is not checked: "
                    + "; ".join(table.incomplete),
                    table.span,
                )
            )
    for schema in schemas.migrations.values():
        for table in schema.tables.values():
            model = schemas.models.tables.get(table.qualified_name)
            if table.incomplete and model is not None and model.span is not None:
                problems.append(
                    Problem(
                        "incomplete-table",
                        f"the migrations' `{table.qualified_name}` is not compared with the model: "
                        + "; ".join(dict.fromkeys(table.incomplete)),
                        model.span,
                    )
                )
    return problems


def _keep(diagnostic: Diagnostic, project: Project, only_paths: Collection[str] | None) -> bool:
    """Whether ``diagnostic`` is reported: the one place suppressions are applied.

    ``# noqa`` counts on the reported line and on each of ``suppressible_at``; an
    ``ignore-file`` comment and ``per-file-ignores`` count for any of those files.
    """
    path = diagnostic.span.path
    if only_paths is not None and path not in only_paths:
        return False
    code = diagnostic.code
    for span in (diagnostic.span, *diagnostic.suppressible_at):
        facts = project.files.get(span.path)
        if facts is None:
            continue
        if suppressed(code, facts.ignore_file) or suppressed(code, facts.noqa_codes(span.line)):
            return False
    places = {diagnostic.span.path, *(s.path for s in diagnostic.suppressible_at)}
    for place in places:
        rel = os.path.relpath(place, project.root).replace(os.sep, "/")
        for pattern, codes in project.config.per_file_ignores:
            if fnmatch.fnmatch(rel, pattern) and any(code.startswith(c) for c in codes):
                return False
    return True
