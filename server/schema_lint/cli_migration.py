"""``schema-lint migration``: write the Alembic revision for the drift findings.

Exit status: 0 when the revision resolves every selected finding (or there was nothing to
do), 1 when some selected finding remains (listed, with why), 2 for a usage error or when
no revision can be written (Alembic missing, an unsafe template, an ambiguous head, ...).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from schema_lint.cli import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    UsageError,
    _add_cache_arguments,
    _codes,
    _config,
    _load,
    _store,
)
from schema_lint.diagnostics import Diagnostic
from schema_lint.output.paths import display_path
from schema_lint.sources.discovery import find_project_root
from schema_lint.vocabulary.dialects import DIALECTS


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migration = commands.add_parser(
        "migration",
        help="write the Alembic revision that makes the migrations match the models",
        description=(
            "Write the Alembic revision whose operations bring the migrations' schema to what "
            "the models declare (unique constraints and indexes, nullability, ondelete, check "
            "constraints), with an exact downgrade() and duplicate-safe uniqueness."
        ),
    )
    migration.add_argument("path", nargs="?", default=".", help="project directory")
    migration.add_argument("-m", "--message", help="the revision message (default: a summary)")
    migration.add_argument("--rev-id", help="the revision id (default: the project's style)")
    migration.add_argument(
        "--dedupe",
        choices=["fail", "keep-lowest"],
        default="fail",
        help="before new uniqueness: stop when duplicates exist (fail, the default), or "
        "delete all but the row with the lowest primary key of each group (keep-lowest)",
    )
    migration.add_argument(
        "--dry-run", action="store_true", help="print the revision file; write nothing"
    )
    migration.add_argument("--head", help="the head to build on (when several hold the tables)")
    migration.add_argument(
        "--select",
        type=_codes,
        help="codes or prefixes of the findings to resolve (default: SL001,SL003-SL009)",
    )
    migration.add_argument(
        "--concurrently",
        action="store_true",
        help="PostgreSQL: build and drop indexes CONCURRENTLY, outside the transaction",
    )
    migration.add_argument(
        "--no-hooks", action="store_true", help="do not run alembic.ini's post_write_hooks"
    )
    migration.add_argument("--dialect", choices=DIALECTS, help="target database dialect")
    migration.add_argument("--quiet", "-q", action="store_true", help="print errors only")
    _add_cache_arguments(migration)


def run(args: argparse.Namespace) -> int:
    from schema_lint.engine import check
    from schema_lint.generate import alembic_missing

    missing = alembic_missing()
    if missing is not None:
        raise UsageError(missing)
    from schema_lint.generate.api import GenerateError, Options, generate, remaining
    from schema_lint.rules.registry import known_code_prefix

    for code in args.select or ():
        if not known_code_prefix(code):
            raise UsageError(f"--select: unknown code {code}")
    path = Path(args.path)
    if not path.exists():
        raise UsageError(f"{args.path}: no such file or directory")
    root = path.resolve() if path.is_dir() else find_project_root(path)
    config = _config(root, argparse.Namespace(dialect=args.dialect))
    store = _store(root, args)
    project, cache = _load(root, config, args, store)
    result = check(project, memo=cache)
    if cache is not None:
        cache.save()
    options = Options(
        message=args.message,
        rev_id=args.rev_id,
        dedupe=args.dedupe,
        dry_run=args.dry_run,
        head=args.head,
        select=tuple(args.select) if args.select else None,
        concurrently=args.concurrently,
        hooks=not args.no_hooks,
    )
    try:
        generated = generate(project, result, options)
    except GenerateError as exc:
        raise UsageError(str(exc)) from None
    cwd = os.getcwd()
    for skipped in generated.skipped:
        _finding_line(skipped.finding, f"not generated: {skipped.reason}", cwd)
    if not generated.revisions:
        if not args.quiet:
            print("Nothing to generate: no selected finding needs a migration.", file=sys.stderr)
        return EXIT_FINDINGS if generated.skipped else EXIT_CLEAN
    for revision in generated.revisions:
        file = revision.file
        name = display_path(file.path, cwd)
        if args.dry_run:
            print(f"# {name}")
            sys.stdout.write(file.text)
        elif not args.quiet:
            down = ", ".join(file.down_revision) or "base"
            count = len(revision.findings)
            print(
                f"Generated {name} (revision {file.revision}, on {down}): "
                f"{len(revision.changes)} operation(s) for {count} finding(s)."
            )
        if not args.quiet:
            for note in file.notes:
                print(f"schema-lint: note: {note}", file=sys.stderr)
    if args.dry_run:
        return EXIT_FINDINGS if generated.skipped else EXIT_CLEAN
    project, cache = _load(root, config, args, store)
    after = check(project, memo=cache)
    if cache is not None:
        cache.save()
    left = remaining(generated.revisions, after)
    for finding in left:
        _finding_line(finding, "still reported after the new revision", cwd)
    new_files = {r.file.path for r in generated.revisions}
    unread = [p for p in after.problems if p.span.path in new_files]
    for problem in unread:
        print(
            f"{display_path(problem.span.path, cwd)}:{problem.span.line}: "
            f"[{problem.kind}] {problem.message}",
            file=sys.stderr,
        )
    return EXIT_FINDINGS if left or unread or generated.skipped else EXIT_CLEAN


def _finding_line(finding: Diagnostic, what: str, cwd: str) -> None:
    span = finding.span
    print(
        f"{display_path(span.path, cwd)}:{span.line}:{span.col + 1}: {finding.code} {what}",
        file=sys.stderr,
    )
