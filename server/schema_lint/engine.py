"""The pipeline both front ends call: facts -> schema states -> rules -> diagnostics.

``schema-lint check`` and the language server differ only in where texts come from and how
diagnostics are shown; everything about schemas happens here and below.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Protocol

from schema_lint.diagnostics import Diagnostic
from schema_lint.facts.files import FileFacts
from schema_lint.facts.schema import Schema, Table
from schema_lint.facts.source import Problem
from schema_lint.project import Project
from schema_lint.rules.registry import RULES, RuleContext, selected
from schema_lint.schema.replay import replay_migrations
from schema_lint.sources.suppression import suppressed


@dataclass(frozen=True, slots=True)
class ProjectSchemas:
    models: Schema
    migrations: Mapping[str, Schema]
    """Replayed schema per Alembic environment name."""

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


class SchemaMemo(Protocol):
    """Somewhere to keep replayed schemas between runs (the facts cache is one)."""

    def get_schema(self, key: str) -> Schema | None: ...

    def put_schema(self, key: str, schema: Schema) -> None: ...


def _files_key(
    kind: str, files: list[FileFacts], dialect: str, convention: dict[str, str] | None
) -> str | None:
    """A key for a schema built from exactly these file contents; None when not keyable."""
    if not files or any(not f.content_key for f in files):
        return None
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{kind}|{dialect}|{sorted((convention or {}).items())}".encode())
    for facts in sorted(files, key=lambda f: f.path):
        digest.update(f"|{facts.path}={facts.content_key}".encode())
    return digest.hexdigest()


def build_schemas(project: Project, memo: SchemaMemo | None = None) -> ProjectSchemas:
    from schema_lint.schema.models import build_model_schema

    dialect = project.config.dialect
    model_files = [f for f in project.files.values() if f.model is not None]
    key = _files_key("models", model_files, dialect, None) if memo is not None else None
    models = memo.get_schema(key) if memo is not None and key is not None else None
    if models is None:
        models = build_model_schema([f.model for f in model_files if f.model], dialect=dialect)
        if memo is not None and key is not None:
            memo.put_schema(key, models)
    models_convention = dict(models.naming_convention) or None
    migrations: dict[str, Schema] = {}
    for environment in project.layout.environments:
        files = project.migrations_of(environment.name)
        own = project.env_conventions.get(environment.name)
        convention = dict(own) if own is not None else models_convention
        key = _files_key("migrations", files, dialect, convention) if memo is not None else None
        cached = memo.get_schema(key) if memo is not None and key is not None else None
        if cached is None:
            cached = replay_migrations(
                [f.migration for f in files if f.migration],
                dialect=dialect,
                naming_convention=convention,
            )
            if memo is not None and key is not None:
                memo.put_schema(key, cached)
        migrations[environment.name] = cached
    return ProjectSchemas(models, migrations)


def check(
    project: Project,
    *,
    only_paths: Collection[str] | None = None,
    memo: SchemaMemo | None = None,
) -> CheckResult:
    """Run every selected rule; report diagnostics in ``only_paths`` (default: all files)."""
    schemas = build_schemas(project, memo)
    config = project.config
    files = project.files

    def migration_line_codes(path: str, line: int) -> frozenset[str] | None:
        facts = files.get(path)
        if facts is None:
            return None
        return dict(facts.noqa).get(line)

    diagnostics: list[Diagnostic] = []
    for rule in RULES:
        if not selected(rule.code, config.select, config.ignore):
            continue
        context = RuleContext(
            schemas.models, schemas.migrations, config.options(rule.code), migration_line_codes
        )
        for diagnostic in rule.check(context):
            if _keep(diagnostic, project, only_paths):
                diagnostics.append(diagnostic)
    problems = [p for f in files.values() for p in f.problems]
    problems.extend(_incomplete_tables(schemas))
    problems.extend(schemas.models.problems)
    for schema in schemas.migrations.values():
        problems.extend(schema.problems)
    unique_problems = tuple(dict.fromkeys(problems))
    return CheckResult(
        tuple(sorted(set(diagnostics), key=lambda d: d.sort_key)), unique_problems, schemas
    )


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
    path = diagnostic.span.path
    if only_paths is not None and path not in only_paths:
        return False
    facts = project.files.get(path)
    if facts is not None:
        if suppressed(diagnostic.code, facts.ignore_file):
            return False
        if suppressed(diagnostic.code, dict(facts.noqa).get(diagnostic.span.line)):
            return False
    rel = os.path.relpath(path, project.root).replace(os.sep, "/")
    for pattern, codes in project.config.per_file_ignores:
        if fnmatch.fnmatch(rel, pattern) and any(diagnostic.code.startswith(c) for c in codes):
            return False
    return True
