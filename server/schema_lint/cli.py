"""The ``schema-lint`` command: a thin front end over :mod:`schema_lint.engine`.

Exit status like ruff and Fixit: 0 clean, 1 findings, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schema_lint import __version__
from schema_lint.cache import (
    CACHE_DIR_NAME,
    CacheStore,
    CacheUnavailable,
    FactsCache,
    ResultsCache,
    results_key,
)
from schema_lint.config import Config, ConfigError, load_config
from schema_lint.diagnostics import Diagnostic
from schema_lint.facts.source import Problem
from schema_lint.output.paths import display_path
from schema_lint.output.progress import ProgressBar
from schema_lint.project import Project
from schema_lint.rules.unreadable_file import RULE as UNREADABLE
from schema_lint.rules.unreadable_file import UNREADABLE_KINDS
from schema_lint.sources.discovery import ProjectLayout, find_project_root
from schema_lint.vocabulary.dialects import DIALECTS

if TYPE_CHECKING:
    from schema_lint.fixes.apply import FileChange

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [c.strip().upper() for c in value.split(",") if c.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schema-lint",
        description="Keep SQLAlchemy models, Alembic migrations and the database in agreement.",
    )
    parser.add_argument("--version", action="version", version=f"schema-lint {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="report findings (the default job)")
    check.add_argument("paths", nargs="*", help="files or directories (default: the project)")
    check.add_argument("--select", type=_codes, help="comma-separated codes or prefixes")
    check.add_argument("--ignore", type=_codes, help="comma-separated codes or prefixes")
    check.add_argument("--format", choices=["text", "json", "sarif", "github"], default="text")
    check.add_argument("--dialect", choices=DIALECTS, help="target database dialect")
    check.add_argument(
        "--verbose", "-v", action="store_true", help="also list what could not be analysed"
    )
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")
    check.add_argument("--fix", action="store_true", help="apply safe fixes")
    check.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply (or show) unsafe fixes"
    )
    check.add_argument(
        "--diff", action="store_true", help="print the fixes as a diff; write nothing"
    )
    _add_cache_arguments(check)

    schema = commands.add_parser("schema", help="print the schema models or migrations produce")
    schema.add_argument("path", nargs="?", default=".", help="project directory")
    schema.add_argument("--source", choices=["migrations", "models"], default="migrations")
    schema.add_argument("--format", choices=["json", "text"], default="json")
    schema.add_argument("--dialect", choices=DIALECTS, help="target database dialect")
    _add_cache_arguments(schema)

    db = commands.add_parser(
        "db", help="audit a live database against the models and the migrations (read-only)"
    )
    db.add_argument("paths", nargs="*", help="files or directories (default: the project)")
    db.add_argument(
        "--url",
        help="SQLAlchemy URL of the database (default: $SCHEMA_LINT_DATABASE_URL, or the "
        "variable [tool.schema-lint] database-url-env names)",
    )
    db.add_argument("--select", type=_codes, help="comma-separated codes or prefixes")
    db.add_argument("--ignore", type=_codes, help="comma-separated codes or prefixes")
    db.add_argument(
        "--format", choices=["text", "json", "sarif", "github", "markdown"], default="text"
    )
    db.add_argument(
        "--timeout", type=float, default=30.0, help="seconds any one query may take (30)"
    )
    db.add_argument(
        "--verbose", "-v", action="store_true", help="also list what could not be analysed"
    )
    db.add_argument("--quiet", "-q", action="store_true", help="print findings only")
    db.add_argument("--exit-zero", action="store_true", help="exit 0 even with findings")

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", help="a code such as SL001, or a slug")
    rule.add_argument("--all", action="store_true", help="list every rule")

    from schema_lint.cli_migration import add_parser as add_migration_parser

    add_migration_parser(commands)

    lsp = commands.add_parser("lsp", help="run the language server (stdio by default)")
    lsp.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    return parser


def _add_cache_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument(
        "--cache-dir",
        type=Path,
        help=f"cache directory, yours and not a link (default: <project>/{CACHE_DIR_NAME})",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for a cold scan (default: the number of cores)",
    )


class UsageError(Exception):
    """A bad command line (exit status 2); the message names what is wrong."""


def _store(root: Path, args: argparse.Namespace) -> CacheStore | None:
    """The cache for this run, or None: ``--no-cache``, or a cache that must not be used
    (said on stderr; a missing key only under ``--verbose``). An explicit ``--cache-dir``
    that is a link, not a directory or someone else's is a :class:`UsageError`."""
    if args.no_cache:
        return None
    explicit = args.cache_dir is not None
    directory = Path(os.path.abspath(args.cache_dir)) if explicit else root / CACHE_DIR_NAME
    quiet = getattr(args, "quiet", False)

    def warn(message: str) -> None:
        if not quiet:
            print(f"schema-lint: cache: {message}", file=sys.stderr)

    try:
        return CacheStore.open(directory, explicit=explicit, warn=warn)
    except CacheUnavailable as exc:
        if exc.usage:
            raise UsageError(f"--cache-dir: {exc}") from None
        if not exc.verbose_only or getattr(args, "verbose", False):
            warn(f"{exc}; running without the cache")
        return None


def _load(
    root: Path,
    config: Config,
    args: argparse.Namespace,
    store: CacheStore | None,
    discovered: tuple[ProjectLayout, dict[str, tuple[str, bytes]]] | None = None,
) -> tuple[Project, FactsCache | None]:
    """Load the project through the cache, with a progress bar on a slow terminal scan.

    The cache is saved by the caller once the schemas are built, so that it keeps them too.
    """
    from schema_lint.project import load_project

    cache = FactsCache.load(store) if store is not None else None
    quiet = getattr(args, "quiet", False)
    progress = ProgressBar() if sys.stderr.isatty() and not quiet else None
    try:
        project = load_project(
            root,
            config,
            cache=cache,
            jobs=max(1, args.jobs),
            progress=progress,
            save_cache=False,
            discovered=discovered,
        )
    finally:
        if progress is not None:
            progress.close()
    return project, cache


def _printable_streams() -> None:
    """Replace what the terminal's encoding cannot show rather than fail (a cp1252 console
    and a CJK table name, ``PYTHONIOENCODING=ascii`` and a path with an accent)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a stream that cannot change
                reconfigure(errors="replace")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command != "lsp":
        _printable_streams()
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "schema":
            return _schema(args)
        if args.command == "db":
            from schema_lint.database.errors import DatabaseError

            try:
                return _db(args)
            except DatabaseError as exc:
                print(f"schema-lint: {exc}", file=sys.stderr)
                return EXIT_ERROR
        if args.command == "rule":
            return _rule(args)
        if args.command == "migration":
            from schema_lint.cli_migration import run as migration

            return migration(args)
        if args.command == "lsp":
            from schema_lint.lsp.server import run

            return int(run(args.tcp))
    except ConfigError as exc:
        print(f"schema-lint: configuration error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except UsageError as exc:
        print(f"schema-lint: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    return EXIT_ERROR


def _root_and_targets(paths: Sequence[str]) -> tuple[Path, set[str] | None, list[str]]:
    """The project root, the files to report on (None: all), and missing paths."""
    if not paths:
        return find_project_root(Path.cwd()), None, []
    missing = [p for p in paths if not os.path.exists(p)]
    existing = [Path(p).resolve() for p in paths if os.path.exists(p)]
    if not existing:
        return Path.cwd(), set(), missing
    common = Path(os.path.commonpath([str(p if p.is_dir() else p.parent) for p in existing]))
    root = find_project_root(common)
    if len(existing) == 1 and existing[0] == root:
        return root, None, missing
    targets: set[str] = set()
    for path in existing:
        if path.is_dir():
            targets.add(str(path) + os.sep)
        else:
            targets.add(str(path))
    return root, targets, missing


def _config(root: Path, args: argparse.Namespace) -> Config:
    overrides: dict[str, Any] = {}
    for key in ("select", "ignore", "dialect"):
        value = getattr(args, key, None)
        if value is not None:
            overrides[key] = value
    return load_config(root, overrides)


def _check(args: argparse.Namespace) -> int:
    root, targets, missing = _root_and_targets(args.paths)
    for path in missing:
        print(f"schema-lint: {path}: no such file or directory", file=sys.stderr)
    if missing:
        return EXIT_ERROR
    config = _config(root, args)
    store = _store(root, args)
    plain = not (args.fix or args.diff or args.unsafe_fixes or args.format == "json")
    results = key = discovered = None
    if plain and store is not None:
        from schema_lint.project import discover

        discovered = discover(root, config)
        if not discovered[0].problems:  # unreadable files are not in the results' key
            results = ResultsCache(store)
            key = results_key(config, *discovered)
            hit = results.get(key)
            if hit is not None:
                only = _targeted(targets, discovered[1])
                return _report(args, _only(hit[0], only), hit[1], only, 0, None)
    from schema_lint.engine import check  # not needed when the whole result is cached

    project, cache = _load(root, config, args, store, discovered)
    only = _targeted(targets, [*project.files, *(p.span.path for p in project.layout.problems)])
    result = check(project, memo=cache)
    if results is not None and key is not None:
        results.put(key, result.diagnostics, result.problems)
    result = replace(result, diagnostics=_only(result.diagnostics, only))
    if cache is not None:
        cache.save()
    cwd = os.getcwd()
    fixed = 0
    if args.fix or args.diff:
        from schema_lint.fixes.apply import apply_fixes, diff_changes, fixed_count, write_changes

        changes = apply_fixes(project, result.schemas, result.diagnostics, unsafe=args.unsafe_fixes)
        if args.diff:
            diff, left_out = diff_changes(changes, cwd)
            sys.stdout.write(diff)
            _not_fixed(left_out, changes, cwd)
            count = fixed_count(changes) - sum(len(changes[p].applied) for p, _ in left_out)
            print(f"Would fix {count} error{'s' if count != 1 else ''}.", file=sys.stderr)
            return EXIT_FINDINGS if changes and not args.exit_zero else EXIT_CLEAN
        written = write_changes(changes.values())
        _not_fixed(written.skipped, changes, cwd)
        fixed = sum(len(changes[path].applied) for path in written.written)
        project, cache = _load(root, config, args, store)
        result = check(project, only_paths=only, memo=cache)
        if cache is not None:
            cache.save()
    diagnostics = result.diagnostics
    hint: str | None = None
    if args.fix or args.unsafe_fixes or args.format == "json":
        from schema_lint.fixes.annotate import annotate
        from schema_lint.fixes.annotate import hint as fix_hint

        annotated = annotate(
            project,
            result.schemas,
            diagnostics,
            unsafe=args.unsafe_fixes,
            every=args.format == "json",
        )
        diagnostics = annotated.diagnostics
        hint = fix_hint(annotated, unsafe=args.unsafe_fixes) if args.format == "text" else None
    return _report(args, diagnostics, result.problems, only, fixed, hint)


def _db(args: argparse.Namespace) -> int:
    """``schema-lint db``: read the database (read-only), compare, report."""
    from schema_lint.audit import audit
    from schema_lint.database.reflect import reflect
    from schema_lint.database.session import read_only
    from schema_lint.database.url import resolve_url

    root, targets, missing = _root_and_targets(args.paths)
    for path in missing:
        print(f"schema-lint: {path}: no such file or directory", file=sys.stderr)
    if missing:
        return EXIT_ERROR
    config = _config(root, args)
    url = resolve_url(args.url, config.database_url_env)
    if url.backend in DIALECTS and url.backend != config.dialect:
        config = replace(config, dialect=url.backend, dialect_given=True)
    project, _ = _load(root, config, _no_cache(args), None)
    only = _targeted(targets, project.files)
    with read_only(url.url, timeout=args.timeout) as connection:
        result = audit(project, lambda schemas: reflect(connection, schemas), only_paths=only)
    reflection = result.reflection
    if not args.quiet:
        stamp = ", ".join(reflection.stamped) if reflection.stamped else "not stamped"
        print(
            f"schema-lint: read {url.display} ({reflection.dialect}, {stamp}) read-only",
            file=sys.stderr,
        )
        if args.verbose:
            for note in reflection.notes:
                print(f"schema-lint: database: {note}", file=sys.stderr)
    diagnostics = result.diagnostics
    if args.format in ("json", "markdown"):
        diagnostics = _with_fixes(project, result.schemas, diagnostics)
    if args.format == "markdown":
        from schema_lint.output.markdown import Report, render_report

        sys.stdout.write(
            render_report(
                Report(
                    diagnostics=diagnostics,
                    database=url.display,
                    dialect=reflection.dialect,
                    stamped=reflection.stamped,
                    heads=tuple(
                        h for schema in result.schemas.migrations.values() for h in schema.heads
                    ),
                    models=result.schemas.models,
                    database_schema=result.database,
                    model_files=frozenset(project.layout.model_files),
                ),
                os.getcwd(),
            )
        )
        _report_problems(
            result.result.problems, os.getcwd(), verbose=args.verbose, quiet=args.quiet, only=only
        )
        return EXIT_FINDINGS if diagnostics and not args.exit_zero else EXIT_CLEAN
    return _report(args, diagnostics, result.result.problems, only, 0, None)


def _no_cache(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "jobs": 1})


def _with_fixes(
    project: Project, schemas: Any, diagnostics: Sequence[Diagnostic]
) -> tuple[Diagnostic, ...]:
    """Every finding with the model fix it can have (not those whose fix is not the model's)."""
    from schema_lint.fixes.annotate import annotate

    open_ = [d for d in diagnostics if d.fix is None]
    fixed = iter(annotate(project, schemas, open_, unsafe=True, every=True).diagnostics)
    return tuple(next(fixed) if d.fix is None else d for d in diagnostics)


def _not_fixed(
    skipped: Iterable[tuple[str, str]], changes: Mapping[str, FileChange], cwd: str
) -> None:
    """One line on stderr for each file whose fixes were not written, and why."""
    for path, why in skipped:
        count = len(changes[path].applied)
        fixes = f"{count} fix{'es' if count != 1 else ''}"
        name = display_path(path, cwd)
        print(f"schema-lint: {name}: {fixes} not applied: {why}", file=sys.stderr)


def _targeted(targets: set[str] | None, paths: Iterable[str]) -> set[str] | None:
    """The files to report on: those given on the command line (None: every file)."""
    if targets is None:
        return None
    return {
        path
        for path in paths
        if path in targets or any(t.endswith(os.sep) and path.startswith(t) for t in targets)
    }


def _only(diagnostics: Sequence[Diagnostic], only: set[str] | None) -> tuple[Diagnostic, ...]:
    return tuple(d for d in diagnostics if only is None or d.span.path in only)


def _report(
    args: argparse.Namespace,
    diagnostics: Sequence[Diagnostic],
    problems: Sequence[Problem],
    only: set[str] | None,
    fixed: int,
    hint: str | None,
) -> int:
    from schema_lint.output import FORMATS

    cwd = os.getcwd()
    sys.stdout.write(FORMATS[args.format](diagnostics, cwd))
    summary = sys.stdout if args.format == "text" else sys.stderr
    if fixed:
        print(f"Fixed {fixed} error{'s' if fixed != 1 else ''}.", file=summary)
    if hint:
        print(hint, file=summary)
    reported = {(d.span.path, d.span.line) for d in diagnostics if d.code == UNREADABLE.code}
    problems = [
        p
        for p in problems
        if p.kind not in UNREADABLE_KINDS or (p.span.path, p.span.line) not in reported
    ]
    _report_problems(problems, cwd, verbose=args.verbose, quiet=args.quiet, only=only)
    if diagnostics and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


_ALWAYS_SHOWN = UNREADABLE_KINDS | frozenset(
    {
        "revision-cycle",
        "missing-revision",
        "duplicate-revision",
        "configuration",
    }
)


_NOTES = frozenset({"baseline-table", "create-all", "environment"})
"""What the replay assumed or chose (listed by ``--verbose``), not failures to read."""


def _report_problems(
    problems: Sequence[Problem],
    cwd: str,
    *,
    verbose: bool,
    quiet: bool,
    only: set[str] | None,
) -> None:
    if quiet:
        return
    shown = [p for p in problems if verbose or p.kind in _ALWAYS_SHOWN]
    if only is not None:
        shown = [p for p in shown if p.span.path in only or p.kind not in UNREADABLE_KINDS]
    for problem in shown:
        span = problem.span
        print(
            f"{display_path(span.path, cwd)}:{span.line}:{span.col + 1}: "
            f"[{problem.kind}] {problem.message}",
            file=sys.stderr,
        )
    if verbose:
        return
    tables = sum(1 for p in problems if p.kind == "incomplete-table" and p not in shown)
    notes = sum(1 for p in problems if p.kind in _NOTES and p not in shown)
    other = len(problems) - len(shown) - tables - notes
    parts = []
    if tables:
        parts.append(f"{tables} table(s) could not be checked")
    if other:
        parts.append(f"{other} statement(s) or declaration(s) could not be analysed")
    if parts:
        print(
            f"schema-lint: {' and '.join(parts)}; run with --verbose to list them",
            file=sys.stderr,
        )


def _schema(args: argparse.Namespace) -> int:
    from schema_lint.engine import build_schemas
    from schema_lint.schema.serialize import schema_to_dict

    path = Path(args.path)
    if not path.exists():
        print(f"schema-lint: {args.path}: no such file or directory", file=sys.stderr)
        return EXIT_ERROR
    root = path.resolve() if path.is_dir() else find_project_root(path)
    config = _config(root, args)
    project, cache = _load(root, config, args, _store(root, args))
    schemas = build_schemas(project, cache)
    if cache is not None:
        cache.save()
    unread = (*project.layout.problems, *(p for f in project.files.values() for p in f.problems))
    _report_problems(
        [p for p in unread if p.kind in UNREADABLE_KINDS],
        os.getcwd(),
        verbose=True,
        quiet=False,
        only=None,
    )
    schema = schemas.models if args.source == "models" else schemas.merged_migrations()
    data = schema_to_dict(schema)
    if args.source == "migrations":  # each environment on its own, for the database it runs on
        data["environments"] = {
            env.name: {
                "dialect": env.dialect or config.dialect,
                "tables": schema_to_dict(schemas.migrations[env.name])["tables"],
            }
            for env in project.layout.environments
            if env.name in schemas.migrations
        }
    if args.format == "json":
        print(json.dumps(data, indent=2))
    else:
        print(_schema_text(data))
    return EXIT_CLEAN


def _schema_text(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for name, table in data["tables"].items():
        if table.get("baseline"):
            lines.append(
                f"{name}  (baseline: existed before the first revision; only what the "
                "migrations state is known)"
            )
        else:
            lines.append(f"{name}")
        for column, info in table["columns"].items():
            flags = []
            if info["primary_key"]:
                flags.append("primary key")
            flags.append("null" if info["nullable"] else "not null")
            lines.append(f"  {column}  ({', '.join(flags)})")
        for index in table["indexes"]:
            unique = "unique " if index["unique"] else ""
            lines.append(f"  {unique}index {index['name']} ({', '.join(index['columns'])})")
        for uq in table["unique_constraints"]:
            lines.append(f"  unique {uq['name'] or '(unnamed)'} ({', '.join(uq['columns'])})")
        for fk in table["foreign_keys"]:
            ondelete = f" on delete {fk['ondelete']}" if fk["ondelete"] else ""
            lines.append(
                f"  foreign key {fk['name'] or '(unnamed)'} ({', '.join(fk['columns'])})"
                f" -> {fk['ref_table']}({', '.join(fk['ref_columns'])}){ondelete}"
            )
    if data["heads"]:
        lines.append(f"heads: {', '.join(data['heads'])}")
    for problem in data["problems"]:
        lines.append(
            f"problem: {problem['filename']}:{problem['location']['row']}: "
            f"[{problem['kind']}] {problem['message']}"
        )
    return "\n".join(lines)


def _rule(args: argparse.Namespace) -> int:
    from schema_lint.rules.docs import render_rule_markdown
    from schema_lint.rules.registry import RULES, rule_for

    if args.all or not args.code:
        for rule in RULES:
            print(f"{rule.code}  {rule.slug:<28} {rule.summary}")
        return EXIT_CLEAN
    found = rule_for(args.code.upper()) or rule_for(args.code)
    if found is None:
        print(f"schema-lint: unknown rule {args.code!r}", file=sys.stderr)
        return EXIT_ERROR
    print(render_rule_markdown(found))
    return EXIT_CLEAN
