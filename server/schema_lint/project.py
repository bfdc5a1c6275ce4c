"""Source files to facts: discover a project, read every relevant file, extract its facts.

This is the first stage of the pipeline; :mod:`schema_lint.engine` takes it from here.
Extraction is a function of a file's bytes (and of the few other project modules it reads,
recorded in ``FileFacts.depends_on``), so it can run in parallel and be cached.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from schema_lint.cache import FactsCache, content_key
from schema_lint.config import Config
from schema_lint.facts.environment import ObjectFilter
from schema_lint.facts.files import FileFacts
from schema_lint.facts.models import ModelModule
from schema_lint.facts.source import Problem, Span
from schema_lint.sources.discovery import (
    Environment,
    ProjectLayout,
    configured_environments,
    may_be_migration,
    may_declare_tables,
    walk_project,
)
from schema_lint.sources.limits import (
    MAX_FILE_BYTES,
    VANISHED,
    Unreadable,
    file_budget,
    read_source,
)
from schema_lint.sources.modules import ModuleIndex, ProjectFiles, Reads, norm
from schema_lint.sources.parse import SYNTAX_ERROR, Parsed, ParseFailure, parse_python, too_deep
from schema_lint.sources.scanner import nesting_depth
from schema_lint.sources.suppression import ignore_file_codes, noqa_lines
from schema_lint.sources.text import DecodeError, decode_source, prefilter_bytes

if TYPE_CHECKING:
    from schema_lint.extract.env_target import EnvTarget

ROLE_MODEL = "model"
ROLE_MIGRATION = "migration"
ROLE_UNKNOWN = "unknown"
ROLE_MODULE = "module"
"""Any other Python file: read only when an import leads there."""


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    config: Config
    layout: ProjectLayout
    files: Mapping[str, FileFacts]
    env_conventions: Mapping[str, tuple[tuple[str, str], ...] | None] = field(default_factory=dict)
    """Per environment: the naming convention its ``env.py`` defines (None: the models')."""
    env_filters: Mapping[str, tuple[ObjectFilter, ...]] = field(default_factory=dict)
    """Per environment: what its ``env.py`` keeps out of autogenerate comparisons."""
    sources: ProjectFiles = field(default_factory=ProjectFiles.empty)
    """Every Python file of the project, for modules read on demand."""
    cache: FactsCache | None = field(default=None, compare=False, repr=False)
    modules: dict[tuple[str, str], ModelModule | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    """Facts of modules read on demand, by path and content key (shared between versions)."""

    def migrations_of(self, environment: str) -> list[FileFacts]:
        return [
            self.files[path]
            for path, env in self.layout.migration_files.items()
            if env == environment and path in self.files
        ]

    def dialect_of(self, path: str) -> str:
        """The dialect a file is read for: its environment's, else the project's."""
        return file_dialect(self.layout, self.config, path)

    def module_loader(self) -> ModuleLoader:
        """Reads the project's other modules for the model schema, on demand."""
        return ModuleLoader(self)


def file_dialect(layout: ProjectLayout, config: Config, path: str) -> str:
    name = layout.migration_files.get(path)
    if name is not None:
        for environment in layout.environments:
            if environment.name == name:
                return environment.dialect or config.dialect
    return config.dialect


class ModuleLoader:
    """Facts of any module of the project, extracted when a name leads there and cached by
    content like the rest (``schema.models.symbols.ModuleLoader``)."""

    def __init__(self, project: Project) -> None:
        self.project = project

    @property
    def index(self) -> ModuleIndex:
        return self.project.sources.index

    def load(self, path: str, reads: Reads) -> ModelModule | None:
        project = self.project
        read = project.sources.read(path)
        if read is None:
            return None
        text, key = read
        reads.files[norm(path)] = key
        memo = (path, key)
        if memo in project.modules:
            return project.modules[memo]
        dialect = project.config.dialect
        cache = project.cache
        facts = cache.get(path, key, ROLE_MODEL, dialect) if cache is not None else None
        if facts is None:
            facts = replace(extract_file(path, text, ROLE_MODEL, dialect), content_key=key)
            if cache is not None:
                cache.put(path, key, ROLE_MODEL, dialect, facts)
        project.modules[memo] = facts.model
        return facts.model


def extract_file(
    path: str, data: bytes | str, role: str, dialect: str, sources: ProjectFiles | None = None
) -> FileFacts:
    """The facts of one file; never raises on bad input, problems are returned instead.

    ``sources`` are the project's files: a revision's helpers in other modules are read there.
    """
    if isinstance(data, str):
        text = data.replace("\r\n", "\n")
    else:
        if len(data) > MAX_FILE_BYTES:
            return _failed(
                path,
                "file-too-large",
                f"file is larger than {MAX_FILE_BYTES // 1_048_576} MiB; not read",
                1,
            )
        try:
            text = decode_source(data).text
        except DecodeError as exc:
            return _failed(path, "decode-error", str(exc), exc.line)
    parsed = parse_python(text, path)
    if isinstance(parsed, ParseFailure):
        message = parsed.message
        if parsed.kind == SYNTAX_ERROR:
            message = f"syntax error: {message}"
        return _failed(path, parsed.kind, message, parsed.line, parsed.col, text)
    problems = [
        Problem(
            "skipped-syntax",
            "this Python version cannot read these lines (newer syntax); they are skipped",
            Span(path, start, 0, end, 0),
        )
        for start, end in parsed.skipped_lines
    ]
    migration = None
    model = None
    depends_on = None
    try:
        with file_budget():
            if role in (ROLE_MIGRATION, ROLE_UNKNOWN):
                from schema_lint.extract.foreign import ForeignModules
                from schema_lint.extract.migrations import extract_migration, looks_like_migration

                if role == ROLE_MIGRATION or looks_like_migration(parsed.tree):
                    foreign = ForeignModules(sources, path) if sources is not None else None
                    migration = extract_migration(
                        path, text, parsed.tree, dialect=dialect, modules=foreign
                    )
                    depends_on = foreign.dependencies() if foreign is not None else None
            if migration is None and role in (ROLE_MODEL, ROLE_UNKNOWN):
                from schema_lint.extract.models import extract_model_file

                model = extract_model_file(path, text, parsed.tree)
    except RecursionError:  # a deep expression that ``ast`` read but the extractors cannot
        deep = too_deep(nesting_depth(text, limit=1 << 30)[1])
        return _failed(path, deep.kind, deep.message, deep.line, 0, text)
    return FileFacts(
        path,
        model,
        migration,
        tuple(problems),
        noqa_lines(text),
        ignore_file_codes(text),
        depends_on=depends_on,
    )


def _failed(
    path: str, kind: str, message: str, line: int, col: int = 0, text: str | None = None
) -> FileFacts:
    """Facts of a file that could not be read; its ``# noqa`` comments still count."""
    span = Span(path, line, col, line, col)
    noqa = noqa_lines(text) if text is not None else ()
    ignore_file = ignore_file_codes(text) if text is not None else None
    return FileFacts(path, None, None, (Problem(kind, message, span),), noqa, ignore_file)


def discover(root: Path, config: Config) -> tuple[ProjectLayout, dict[str, tuple[str, bytes]]]:
    """The layout of the project and, for each Python file, its role and bytes."""
    problems: list[Problem] = []
    python_files, inis = walk_project(root, config.exclude, problems)
    environments = [_targeted(env, config) for env in _environments(root, config, inis, problems)]
    version_dirs = {os.path.normpath(d): env.name for env in environments for d in env.version_dirs}
    recursive_dirs = {
        os.path.normpath(d): env.name
        for env in environments
        if env.recursive
        for d in env.version_dirs
    }
    model_filter = [os.path.normpath(root / m) for m in config.models]
    candidates: dict[str, tuple[str, bytes]] = {}
    migration_files: dict[str, str] = {}
    implied: set[str] = set()
    heuristic_envs: dict[str, list[str]] = {}
    env_scripts = {os.path.normpath(os.path.dirname(d)) for d in version_dirs}
    env_scripts |= {os.path.normpath(e.script_dir) for e in environments if e.script_dir}
    for file in python_files:
        path = str(file)
        parent = os.path.dirname(path)
        data = read_source(path)
        if isinstance(data, Unreadable):
            if data.kind != VANISHED:
                problems.append(Problem(data.kind, data.message, Span(path, 1, 0, 1, 0)))
            continue
        probe = prefilter_bytes(data)
        candidates[path] = (ROLE_MODULE, data)  # unless it is more than a module
        environment = version_dirs.get(parent) or _recursive_owner(parent, recursive_dirs)
        below = None if environment is not None else _recursive_owner(parent, version_dirs)
        if environment is not None or (below is not None and may_be_migration(probe)):
            if may_be_migration(probe):
                candidates[path] = (ROLE_MIGRATION, data)
                migration_files[path] = environment or below or ""
                if environment is None:
                    implied.add(path)
            continue
        if any(_under(parent, script) for script in env_scripts):
            continue  # env.py, shared helpers, frozen model copies kept for migrations
        if not config.migrations and may_be_migration(probe):
            candidates[path] = (ROLE_UNKNOWN, data)
            heuristic_envs.setdefault(parent, []).append(path)
            continue
        reexports = file.name == "__init__.py" and b"import" in probe
        if (may_declare_tables(probe) or reexports) and (
            not model_filter or any(_under(path, m) for m in model_filter)
        ):
            candidates[path] = (ROLE_MODEL, data)
    for directory, paths in heuristic_envs.items():
        name = os.path.relpath(directory, root)
        script = os.path.dirname(directory)
        if os.path.basename(script) == "versions" and not os.path.isfile(
            os.path.join(script, "env.py")
        ):  # versions/<dialect>/ (prefect): env.py is beside `versions`
            script = os.path.dirname(script)
        has_env = os.path.isfile(os.path.join(script, "env.py"))
        found = Environment(name, (directory,), script if has_env else None)
        environments.append(_targeted(found, config))
        if has_env:  # files beside env.py (shared helpers, frozen models) are not models
            for path, (role, data) in list(candidates.items()):
                if role == ROLE_MODEL and _under(os.path.dirname(path), script):
                    candidates[path] = (ROLE_MODULE, data)
        for path in paths:
            migration_files[path] = name
    layout = ProjectLayout(
        root=str(root),
        model_files=tuple(
            p for p, (role, _) in candidates.items() if role in (ROLE_MODEL, ROLE_UNKNOWN)
        ),
        environments=tuple(environments),
        migration_files=migration_files,
        problems=tuple(problems),
        implied=frozenset(implied),
    )
    return layout, candidates


def _targeted(environment: Environment, config: Config) -> Environment:
    """``environment`` with the dialect and schemas of the database it runs on.

    The dialect comes from, first to last: the configuration of that environment, the name
    of its version directories (``versions/sqlite``), ``dialect_name=`` in its ``env.py``,
    and its ``alembic.ini`` URL unless the project states a dialect. The schemas come from
    the configuration, else from a literal schema that ``env.py`` sets.
    """
    options = config.environment(environment.name)
    target = _env_target(environment)
    candidates = [
        (options.dialect if options else None, "the configuration"),
        (environment.directory_dialect, "its directory name"),
        (target.dialect, "`dialect_name` in its env.py"),
        (None if config.dialect_given else environment.url_dialect, "its alembic.ini URL"),
    ]
    dialect, source = next(((d, s) for d, s in candidates if d), (None, ""))
    schemas: tuple[str, ...] = ()
    schemas_source = ""
    if options is not None and options.schemas:
        schemas, schemas_source = options.schemas, "the configuration"
    elif target.schema is not None:
        schemas, schemas_source = (target.schema,), "its env.py"
    elif target.dynamic_schema is not None:
        schemas_source = f"its env.py sets the schema at run time ({target.dynamic_schema})"
    return replace(
        environment,
        dialect=dialect,
        dialect_source=source,
        schemas=schemas,
        schemas_source=schemas_source,
        uncompared="its env.py sets `target_metadata = None`" if target.no_target_metadata else "",
    )


def _env_target(environment: Environment) -> EnvTarget:
    from schema_lint.extract.env_target import EnvTarget, env_target

    if environment.script_dir is None:
        return EnvTarget()
    data = read_source(os.path.join(environment.script_dir, "env.py"))
    if isinstance(data, Unreadable):  # named by the walk and by _env_conventions
        return EnvTarget()
    try:
        text = decode_source(data).text
    except DecodeError:
        return EnvTarget()
    parsed = parse_python(text)
    return env_target(parsed.tree) if isinstance(parsed, Parsed) else EnvTarget()


def _recursive_owner(directory: str, recursive_dirs: Mapping[str, str]) -> str | None:
    for root_dir, environment in recursive_dirs.items():
        if _under(directory, root_dir):
            return environment
    return None


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip(os.sep) + os.sep)


def _environments(
    root: Path, config: Config, inis: Sequence[Path], problems: list[Problem]
) -> list[Environment]:
    if not config.migrations:
        return configured_environments(root, inis, problems)
    environments = []
    for entry in config.migrations:
        path = (root / entry).resolve()
        versions = path / "versions"
        is_script = versions.is_dir() and (path / "env.py").exists()
        directory = versions if is_script else path
        environments.append(
            Environment(
                os.path.relpath(path, root), (str(directory),), str(path) if is_script else None
            )
        )
    return environments


def load_project(
    root: Path,
    config: Config,
    overrides: Mapping[str, str] | None = None,
    *,
    cache: FactsCache | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    save_cache: bool = True,
    discovered: tuple[ProjectLayout, dict[str, tuple[str, bytes]]] | None = None,
) -> Project:
    """Discover and extract every file; ``overrides`` are unsaved editor texts by path.

    Facts found in ``cache`` (same path, content, role and dialect) are reused; the rest is
    extracted, in ``jobs`` processes when there is enough to do, and stored back.
    """
    layout, candidates = discovered if discovered is not None else discover(root, config)
    texts = {norm(path): text for path, text in (overrides or {}).items()}
    keys = {
        norm(path): content_key(overrides.get(path, data) if overrides else data)
        for path, (_, data) in candidates.items()
    }
    libraries = [str((root / library).resolve()) for library in config.library_roots]
    sources = ProjectFiles(ModuleIndex(keys, libraries), keys, texts)
    files: dict[str, FileFacts] = {}
    todo: list[tuple[str, bytes | str, str, str, str]] = []
    for path, (role, data) in candidates.items():
        if role == ROLE_MODULE:
            continue
        source: bytes | str = overrides.get(path, data) if overrides else data
        key = keys[norm(path)]
        dialect = file_dialect(layout, config, path)
        cached = cache.get(path, key, role, dialect) if cache is not None else None
        if cached is not None and sources.fresh(cached.depends_on):
            files[path] = cached
        else:
            todo.append((path, source, role, key, dialect))
    for extracted, key, role, dialect in _extract_all(todo, jobs, progress, sources):
        facts = replace(extracted, content_key=key)
        files[facts.path] = facts
        if cache is not None:
            cache.put(facts.path, key, role, dialect, facts)
    if cache is not None and save_cache:
        cache.save()
    project = _finish(root, config, layout, files)
    return replace(project, sources=sources, cache=cache)


PARALLEL_MIN_BYTES = 200_000


def _extract_all(
    todo: list[tuple[str, bytes | str, str, str, str]],
    jobs: int,
    progress: Callable[[int, int], None] | None,
    sources: ProjectFiles,
) -> Iterator[tuple[FileFacts, str, str, str]]:
    total = len(todo)
    size = sum(len(item[1]) for item in todo)
    if jobs > 1 and total > 1 and size >= PARALLEL_MIN_BYTES:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from schema_lint.cache import register_fast_pickling

        register_fast_pickling()  # results come back from the workers as constructor calls
        chunks = [todo[i :: jobs * 4] for i in range(jobs * 4)]
        context = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
        done = 0
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            for results in pool.map(_extract_chunk, chunks, [sources] * len(chunks)):
                for item in results:
                    done += 1
                    if progress is not None:
                        progress(done, total)
                    yield item
        return
    for done, (path, data, role, key, dialect) in enumerate(todo, start=1):
        yield extract_file(path, data, role, dialect, sources), key, role, dialect
        if progress is not None:
            progress(done, total)


def _extract_chunk(
    chunk: list[tuple[str, bytes | str, str, str, str]], sources: ProjectFiles
) -> list[tuple[FileFacts, str, str, str]]:
    return [
        (extract_file(path, data, role, dialect, sources), key, role, dialect)
        for path, data, role, key, dialect in chunk
    ]


def _finish(
    root: Path, config: Config, layout: ProjectLayout, files: dict[str, FileFacts]
) -> Project:
    """Drop heuristic migration candidates that turned out not to be revision files."""
    migration_files = {
        path: env
        for path, env in layout.migration_files.items()
        if path in files and (files[path].migration is not None or files[path].model is None)
    }
    problems: list[Problem] = []
    for path in _disconnected(layout.implied, migration_files, files, problems):
        del migration_files[path]
    environments = tuple(
        e
        for e in layout.environments
        if e.name in set(migration_files.values()) or any(os.path.isdir(d) for d in e.version_dirs)
    )
    conventions = _env_conventions(environments, problems)
    filters = _env_filters(environments, problems)
    layout = replace(
        layout,
        environments=environments,
        migration_files=migration_files,
        problems=tuple(dict.fromkeys((*layout.problems, *problems))),
    )
    return Project(root, config, layout, files, conventions, filters)


def _env_filters(
    environments: tuple[Environment, ...], problems: list[Problem]
) -> dict[str, tuple[ObjectFilter, ...]]:
    """Each environment's autogenerate filters: ``include_object``/``include_name`` in its
    ``env.py`` and ``[alembic:exclude]`` in its ``alembic.ini``. A filter function that
    cannot be read is said once (a problem); what it may exclude is still compared."""
    from schema_lint.extract.env_filters import env_filters, ini_filters

    result: dict[str, tuple[ObjectFilter, ...]] = {}
    for environment in environments:
        found: list[ObjectFilter] = []
        config_file = environment.config_file
        if config_file and config_file.endswith(".ini"):
            data = read_source(config_file)
            if not isinstance(data, Unreadable):
                with contextlib.suppress(DecodeError):
                    found.extend(ini_filters(decode_source(data).text, config_file))
        path = os.path.join(environment.script_dir, "env.py") if environment.script_dir else ""
        env = read_source(path) if path and os.path.lexists(path) else None
        if env is not None and not isinstance(env, Unreadable):
            try:
                parsed = parse_python(decode_source(env).text, path)
            except DecodeError:
                parsed = None
            if isinstance(parsed, Parsed):
                try:
                    reading = env_filters(parsed.tree, path)
                except RecursionError:
                    reading = None
                if reading is not None:
                    found.extend(reading.filters)
                    for role, line in reading.unreadable:
                        problems.append(
                            Problem(
                                "unreadable-filter",
                                f"{role} in env.py line {line} cannot be read; objects it may "
                                "exclude are still compared (the tests schema-lint reads are "
                                "name patterns, sets, `type_ ==` and `reflected and compare_to "
                                "is None`)",
                                Span(path, line, 0, line, 0),
                            )
                        )
        if found:
            result[environment.name] = tuple(dict.fromkeys(found))
    return result


def _disconnected(
    implied: frozenset[str],
    migration_files: Mapping[str, str],
    files: Mapping[str, FileFacts],
    problems: list[Problem],
) -> list[str]:
    """The implied revision files that do not continue their environment's graph: each of
    their ``down_revision`` must be a revision the environment already has (through its own
    directories or implied files kept before), and their own id new to it."""
    if not implied:
        return []
    known: dict[str, set[str]] = {}
    for path, env in migration_files.items():
        migration = files[path].migration
        if path not in implied and migration is not None and migration.revision:
            known.setdefault(env, set()).add(migration.revision)
    pending = sorted(p for p in implied if p in migration_files)
    kept: list[str] = []
    progress = True
    while progress:
        progress = False
        for path in list(pending):
            migration = files[path].migration
            ids = known.setdefault(migration_files[path], set())
            if (
                migration is not None
                and migration.revision
                and migration.revision not in ids
                and migration.down_revisions
                and set(migration.down_revisions) <= ids
            ):
                ids.add(migration.revision)
                kept.append(path)
                pending.remove(path)
                progress = True
    by_env: dict[str, list[str]] = {}
    for path in kept:
        by_env.setdefault(migration_files[path], []).append(path)
    for env, paths in by_env.items():
        directories = sorted({os.path.dirname(p) for p in paths})
        problems.append(
            Problem(
                "environment",
                f"environment `{env}`: {len(paths)} revision file(s) in "
                f"{', '.join(directories)} are read as part of it (no alembic.ini names "
                "those directories, but they continue its revision graph)",
                Span(paths[0], 1, 0, 1, 0),
            )
        )
    return pending


def _env_conventions(
    environments: tuple[Environment, ...], problems: list[Problem]
) -> dict[str, tuple[tuple[str, str], ...] | None]:
    """Each environment's naming convention from its ``env.py``; what cannot be read is a
    problem (the environment then falls back to the models' convention)."""
    from schema_lint.extract.env_settings import env_naming_convention

    result: dict[str, tuple[tuple[str, str], ...] | None] = {}
    for environment in environments:
        result[environment.name] = None
        if environment.script_dir is None:
            continue
        path = os.path.join(environment.script_dir, "env.py")
        if not os.path.lexists(path):
            continue
        data = read_source(path)
        if isinstance(data, Unreadable):
            if data.kind != VANISHED:
                problems.append(Problem(data.kind, data.message, Span(path, 1, 0, 1, 0)))
            continue
        try:
            text = decode_source(data).text
        except DecodeError as exc:
            problems.append(Problem("decode-error", str(exc), Span(path, exc.line, 0, exc.line, 0)))
            continue
        parsed = parse_python(text, path)
        if isinstance(parsed, ParseFailure):
            message = parsed.message
            if parsed.kind == SYNTAX_ERROR:
                message = f"syntax error: {message}"
            span = Span(path, parsed.line, parsed.col, parsed.line, parsed.col)
            problems.append(Problem(parsed.kind, message, span))
            continue
        try:
            result[environment.name] = env_naming_convention(parsed.tree)
        except RecursionError:
            deep = too_deep(nesting_depth(text, limit=1 << 30)[1])
            problems.append(
                Problem(deep.kind, deep.message, Span(path, deep.line, 0, deep.line, 0))
            )
    return result


def with_file_text(project: Project, path: str, text: str | None) -> Project:
    """``project`` with one file re-read from ``text`` (None: from disk, or removed).

    Only that file is re-extracted, and the revision files whose helpers it holds; every
    other file's facts are reused. A file that now fails to parse keeps its last good facts,
    so that a syntax error while typing does not make the rest of the project look
    different; the syntax error itself is still reported.
    """
    path = os.path.abspath(path)
    files = dict(project.files)
    sources = project.sources.with_text(path, text)
    if text is None:
        read = read_source(path)
        if isinstance(read, Unreadable):
            files.pop(path, None)
            return _refresh(replace(project, files=files, sources=sources))
        data: bytes | str = read
    else:
        data = text
    role, environment = _role_of(project, path, data)
    if role is None:
        files.pop(path, None)
        return _refresh(replace(project, files=files, sources=sources))
    dialect = project.config.dialect
    if environment is not None:
        found = [e for e in project.layout.environments if e.name == environment]
        dialect = (found[0].dialect if found else None) or dialect
    facts = extract_file(path, data, role, dialect, sources)
    previous = project.files.get(path)
    broken = {"syntax-error", "decode-error"}
    if previous is not None and any(p.kind in broken for p in facts.problems):
        facts = replace(previous, problems=facts.problems, content_key="")
    files[path] = facts
    layout = project.layout
    if role != ROLE_MIGRATION and path not in layout.model_files:
        layout = replace(layout, model_files=(*layout.model_files, path))
    if environment is not None and path not in layout.migration_files:
        layout = replace(layout, migration_files={**layout.migration_files, path: environment})
    return _refresh(replace(project, layout=layout, files=files, sources=sources), path)


def _refresh(project: Project, done: str | None = None) -> Project:
    """Re-extract the files whose facts were also read from files that changed since (a
    revision whose helper module was edited, added or removed)."""
    stale = [
        path
        for path, facts in project.files.items()
        if path != done and not project.sources.fresh(facts.depends_on)
    ]
    if not stale:
        return project
    files = dict(project.files)
    for path in stale:
        read = project.sources.read(path)
        if read is None:
            continue
        role = ROLE_MIGRATION if path in project.layout.migration_files else ROLE_UNKNOWN
        dialect = project.dialect_of(path)
        facts = extract_file(path, read[0], role, dialect, project.sources)
        files[path] = replace(files[path], migration=facts.migration, depends_on=facts.depends_on)
    return replace(project, files=files)


def _role_of(project: Project, path: str, data: bytes | str) -> tuple[str | None, str | None]:
    """The role of ``path`` and, for a revision file, its environment."""
    if path in project.layout.migration_files:
        return ROLE_MIGRATION, project.layout.migration_files[path]
    raw = data.encode("utf-8", errors="replace") if isinstance(data, str) else prefilter_bytes(data)
    parent = os.path.dirname(path)
    for env in project.layout.environments:
        if parent in {os.path.normpath(d) for d in env.version_dirs}:
            return (ROLE_MIGRATION, env.name) if may_be_migration(raw) else (None, None)
    if path in project.layout.model_files or may_declare_tables(raw):
        return ROLE_MODEL, None
    return None, None
