"""``schema-lint db``: the models, the migrations and a live database compared at once.

The rules run over every pair of sides (models and migrations as ``check`` does, models and
database, migrations and database); :func:`once` then keeps each difference once, from the
side that is the odd one out: when the models and the migrations agree and the database
differs, one finding compares the model with the database and says so; when the database
agrees with one of the two, the static finding stands and says where the database stands.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from schema_lint.database.reflect import Reflection
from schema_lint.diagnostics import Diagnostic, NoFix, Related
from schema_lint.engine import CheckResult, ProjectSchemas, check
from schema_lint.facts.schema import Schema, Table
from schema_lint.project import Project
from schema_lint.rules.context import Side, SideKind
from schema_lint.vocabulary.dialects import Dialect

DATABASE = "database"
DATABASE_CODES = frozenset({"SL012", "SL013", "SL014"})
"""Codes that compare three sides themselves."""


@dataclass(frozen=True, slots=True)
class AuditResult:
    diagnostics: tuple[Diagnostic, ...]
    result: CheckResult
    database: Schema
    """The database as reflected, keyed like the code's tables."""
    reflection: Reflection

    @property
    def schemas(self) -> ProjectSchemas:
        return self.result.schemas


def audit(
    project: Project,
    reflect: Callable[[Collection[str]], Reflection],
    *,
    only_paths: Collection[str] | None = None,
) -> AuditResult:
    """Every selected rule over the three sides, each difference once. ``reflect`` reads the
    database, given the schemas the models and the migrations name."""
    built: list[tuple[Side, Reflection]] = []

    def database(project: Project, schemas: ProjectSchemas) -> Side:
        reflection = reflect(wanted_schemas(schemas, project))
        side = database_side(project, schemas, reflection)
        built.append((side, reflection))
        return side

    result = check(project, only_paths=only_paths, database=database)
    side, reflection = built[0]
    diagnostics = tuple(_presence_noted(d, side.schema) for d in once(result.diagnostics))
    return AuditResult(diagnostics, result, side.schema, reflection)


def database_side(project: Project, schemas: ProjectSchemas, reflection: Reflection) -> Side:
    """The live database as a side: complete for the schemas read, filtered like the
    environments filter autogenerate."""
    environments = project.layout.environments
    return Side(
        SideKind.DATABASE,
        DATABASE,
        aligned(reflection, schemas),
        "the database",
        tuple(f for env in environments for f in project.env_filters.get(env.name, ())),
        complete=True,
        dialect=Dialect(reflection.dialect),
        schemas=tuple(dict.fromkeys(s for env in environments for s in env.schemas)),
        stamped=reflection.stamped,
    )


def wanted_schemas(schemas: ProjectSchemas, project: Project) -> tuple[str, ...]:
    """Every schema the models or the migrations name (tenants included)."""
    names = {t.schema for t in schemas.models.tables.values() if t.schema}
    for schema in schemas.migrations.values():
        names.update(t.schema for t in schema.tables.values() if t.schema)
    for env in project.layout.environments:
        names.update(env.schemas)
    return tuple(sorted(names))


def aligned(reflection: Reflection, schemas: ProjectSchemas) -> Schema:
    """The reflected tables keyed like the code keys them: a model that names the default
    schema (``schema="public"``) keys its table ``public.users``."""
    default = reflection.default_schema
    code = set(schemas.models.tables)
    for schema in schemas.migrations.values():
        code.update(schema.tables)
    tables: dict[str, Table] = {}
    for key, table in reflection.schema.tables.items():
        qualified = f"{default}.{key}" if default and table.schema is None else None
        if qualified is not None and qualified in code and key not in code:
            tables[qualified] = dataclasses.replace(table, schema=default)
        else:
            tables[key] = table
    return dataclasses.replace(reflection.schema, tables=tables)


def once(diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Each difference once: grouped by code, table and object across the pairs of sides."""
    groups: dict[tuple[str, str | None, str | None], list[Diagnostic]] = {}
    out: list[Diagnostic] = []
    for diagnostic in diagnostics:
        key = diagnostic.key
        if key.side is None or diagnostic.code in DATABASE_CODES:
            out.append(diagnostic)
        else:
            groups.setdefault((key.code, key.table, key.object), []).append(diagnostic)
    for group in groups.values():
        static = [d for d in group if d.key.side != DATABASE]
        models = [d for d in group if d.key.side == DATABASE and d.key.base is None]
        migrations = [d for d in group if d.key.side == DATABASE and d.key.base is not None]
        if static:
            if models and migrations:  # three accounts, all different
                out.extend(static)
                out.extend(_not_fixed(d, _THREE_WAYS) for d in models)
            elif models:
                out.extend(_noted(d, "the database agrees with the migrations") for d in static)
            elif migrations:
                out.extend(_noted(d, "the database agrees with the model") for d in static)
            else:
                out.extend(static)
        elif models and migrations:
            evidence = tuple(
                Related(d.span, "the migrations agree with the model here") for d in migrations
            )
            for d in models:
                odd = _noted(
                    d, "the migrations agree with the model: the database is the odd one out"
                )
                out.append(
                    dataclasses.replace(
                        _not_fixed(odd, _DATABASE_ODD), related=(*odd.related, *evidence)
                    )
                )
        else:
            out.extend(models)
            out.extend(_not_fixed(d, _MIGRATIONS_VS_DATABASE) for d in migrations)
    return tuple(sorted(dict.fromkeys(out), key=lambda d: d.sort_key))


_DATABASE_ODD = (
    "the model and the migrations agree; change the database (run the migrations, or revert "
    "the change made by hand)"
)
_MIGRATIONS_VS_DATABASE = (
    "the migrations and the database differ: write a migration, or revert the change made by hand"
)
_THREE_WAYS = "the model, the migrations and the database all differ: decide which is right"


_PRESENCE = {
    "SL002": "the migrations",
    "SL007": "the model",
    "SL010": "the model",
    "SL011": "the migrations",
}
"""Static codes about an object one side lacks, and the side that has it."""


def _presence_noted(diagnostic: Diagnostic, database: Schema) -> Diagnostic:
    """A static finding about an object one side lacks, with whether the database has it."""
    owner = _PRESENCE.get(diagnostic.code)
    if owner is None or diagnostic.key.side == DATABASE or diagnostic.key.table is None:
        return diagnostic
    table = database.tables.get(diagnostic.key.table)
    obj = diagnostic.key.object
    if table is None:
        present = False
    elif obj is None:
        present = True
    elif diagnostic.code in ("SL002", "SL007"):
        columns = tuple(obj.split(","))
        present = any(i.name == obj or (i.columns == columns) for i in table.indexes)
    else:
        present = table.column(obj) is not None
    other = "the model" if owner == "the migrations" else "the migrations"
    agrees = owner if present else other
    return _noted(diagnostic, f"the database agrees with {agrees}")


def _noted(diagnostic: Diagnostic, note: str) -> Diagnostic:
    return dataclasses.replace(diagnostic, message=f"{diagnostic.message} ({note})")


def _not_fixed(diagnostic: Diagnostic, reason: str) -> Diagnostic:
    return dataclasses.replace(diagnostic, fix=NoFix(reason))


def database_only(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Findings that involve the database (for summaries)."""
    return [d for d in diagnostics if d.key.side == DATABASE]
