"""What Alembic really builds: the ground truth the static migration replay is tested against.

For a fixture project under ``tests/fixtures/migrations/``, ``upgrade_heads`` runs the real
``alembic upgrade heads`` (in process, through ``alembic.command``) against a database, and
``reflect_schema`` reads the result back with ``sqlalchemy.inspect`` into the JSON shape that
``schema-lint schema PATH --source migrations --format json`` prints (see
``schema_lint.schema.serialize``). ``normalise`` and ``diff_schemas`` then compare the two.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine, Inspector

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "migrations"
REPO_ROOT = Path(__file__).resolve().parents[2]

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

TableDict = dict[str, Any]
SchemaDict = dict[str, TableDict]
"""Tables keyed by name (``schema.name`` outside the default schema), as in the CLI's JSON."""

EXPRESSION = "<expression>"
"""Stands for the items of an index that has an SQL expression among them (see normalise)."""


@dataclass(frozen=True, slots=True)
class FixtureProject:
    """A directory of ``tests/fixtures/migrations`` holding one or more Alembic environments."""

    name: str
    """Path relative to ``FIXTURES_DIR``; what ``schema-lint schema`` is pointed at."""
    covers: str
    configs: tuple[str, ...] = ("alembic.ini",)
    """One config file per environment (``alembic.ini`` or ``pyproject.toml``), relative."""
    portable: bool = True
    """Runs on SQLite too, with the same result; otherwise PostgreSQL only."""
    baseline: str | None = None
    """A file whose ``metadata`` is created before the migrations run (relative)."""
    stamp: str | None = None
    """The revision stamped after creating the baseline: the database starts there."""

    @property
    def path(self) -> Path:
        return FIXTURES_DIR / self.name

    @property
    def backends(self) -> tuple[str, ...]:
        return (SQLITE, POSTGRESQL) if self.portable else (POSTGRESQL,)

    def alembic_configs(self, url: str) -> list[Config]:
        return [alembic_config(self.path / config, url) for config in self.configs]

    def __str__(self) -> str:
        return self.name


FIXTURE_PROJECTS: tuple[FixtureProject, ...] = (
    FixtureProject(
        "create_table_inline",
        "op.create_table with every inline form (Column index/unique/primary_key/nullable, "
        "ForeignKey ondelete, PrimaryKeyConstraint, UniqueConstraint, ForeignKeyConstraint, "
        "Index, CheckConstraint); add_column index=True; create_index unique/op.f/"
        "postgresql_where/sa.text expression; drop_index",
    ),
    FixtureProject(
        "alter_and_drop",
        "rename_table (indexes keep their names, FKs follow), alter_column new_column_name "
        "(indexes and constraints follow), drop_column, drop_index, drop_table",
    ),
    FixtureProject(
        "batch_ops",
        "batch_alter_table: add_column index=True, create_index (batch_op.f), drop_index, "
        "alter_column nullable/new_column_name, create_unique_constraint, drop_constraint, "
        "create_foreign_key ondelete",
    ),
    FixtureProject(
        "naming_convention",
        "env.py MetaData(naming_convention=...) with column tokens: None names resolved "
        "(create_table, create_index, batch ops), explicit names kept, op.f",
    ),
    FixtureProject(
        "naming_constraint_name",
        "naming convention with %(constraint_name)s: explicit names are wrapped (also in "
        "drop_index/drop_constraint), op.f bypasses, double prefix uq_t_uq_t_x",
    ),
    FixtureProject(
        "revision_graph",
        "two roots, branches, branch_labels (str and tuple), merge (tuple down_revision), "
        "depends_on, three heads, old-style and annotated assignments, files out of order",
    ),
    FixtureProject(
        "dynamic",
        "module constants, f-strings, concatenation, for loops over literal lists/dicts/tuples, "
        "same-file helper functions called with literals",
    ),
    FixtureProject(
        "version_locations",
        "version_locations in alembic.ini (path_separator = os), a second root in another "
        "directory, recursive_version_locations with a nested directory",
    ),
    FixtureProject(
        "pyproject_toml",
        "[tool.alembic] in pyproject.toml (no alembic.ini), version_locations as a TOML list",
        configs=("pyproject.toml",),
    ),
    FixtureProject(
        "two_environments",
        "two independent environments (app/alembic.ini, audit/alembic.ini) sharing one "
        "database through distinct version tables",
        configs=("app/alembic.ini", "audit/alembic.ini"),
    ),
    FixtureProject(
        "two_environments/app",
        "the first environment of two_environments on its own",
    ),
    FixtureProject(
        "two_environments/audit",
        "the second environment of two_environments on its own (version_table in env.py)",
    ),
    FixtureProject(
        "postgres_ops",
        "plain ALTER ops: create_unique_constraint (named, None), drop_constraint of every "
        "type_, create_foreign_key ondelete, create_primary_key (makes columns NOT NULL), "
        "create_check_constraint, alter_column nullable/rename, add_column unique/ForeignKey, "
        "partial and expression indexes",
        portable=False,
    ),
    FixtureProject(
        "raw_sql",
        "op.execute: CREATE [UNIQUE] INDEX [IF NOT EXISTS|CONCURRENTLY], ALTER TABLE ADD/DROP "
        "CONSTRAINT, ALTER COLUMN SET NOT NULL, DROP INDEX [IF EXISTS], sa.text, several "
        "statements in one string, unquoted upper-case names folded to lower case",
        portable=False,
    ),
    FixtureProject(
        "raw_sql_forms",
        "op.execute: ADD CONSTRAINT ... PRIMARY KEY/UNIQUE USING INDEX (the index becomes the "
        "constraint), ALTER INDEX [IF EXISTS] ... RENAME TO (also of a constraint's index), "
        "ALTER INDEX ... SET, ALTER TABLE RENAME CONSTRAINT, CHECK ... NOT VALID + VALIDATE, "
        "FOREIGN KEY ON DELETE/ON UPDATE, UNIQUE ... DEFERRABLE, ALTER TYPE RENAME [VALUE], "
        "COMMENT ON, DROP INDEX IF EXISTS a, b, CREATE UNIQUE INDEX CONCURRENTLY IF NOT "
        "EXISTS, DROP INDEX CONCURRENTLY",
        portable=False,
    ),
    FixtureProject(
        "loops_built_sql",
        "for over module-level dicts (.items(), nested tuple unpacking) and tuples of tuples, "
        "continue, while over a literal list with pop(), if on module constants, a return "
        "inside a loop (nothing after it runs), a helper returning from a loop; SQL built "
        "with %, % with a dict, .format, f-strings, +, textwrap.dedent and sa.text",
        portable=False,
    ),
    FixtureProject(
        "dialect_branches",
        "if/else and early return on op.get_bind().dialect.name, also through a variable "
        "and op.get_context()",
        portable=False,
    ),
    FixtureProject(
        "postgres_schemas",
        "tables in a non-default schema (schema.name keys, ix_<schema>_<table>_<col>), "
        "cross-schema foreign keys, the same table name in two schemas",
        portable=False,
    ),
    FixtureProject(
        "postgres_long_names",
        "names over 63 characters: convention and op.f names truncated with an md5 suffix by "
        "SQLAlchemy, raw SQL names cut at 63 bytes by PostgreSQL",
        portable=False,
    ),
    FixtureProject(
        "guards",
        "guards decided against the replayed state: has_table/get_table_names (early return "
        "on an existing table), get_columns/get_indexes/has_index through comprehensions and "
        "a helper, isinstance of dialect classes, dialect_description, get_impl(), offline "
        "mode, continue in a loop, a helper's early return, a branch that raises; a project "
        "setting decided by `assume` in pyproject.toml",
        portable=False,
    ),
    FixtureProject(
        "create_all_revision",
        "the first revision calls Base.metadata.create_all(bind=op.get_bind()) (the models' "
        "tables with their shape); a later guarded create_table is not run again, batch ops "
        "alter a create_all table",
    ),
    FixtureProject(
        "baseline_stamp",
        "a history that starts from an existing schema: baseline.py's metadata is created with "
        "create_all() and the empty first revision stamped; later revisions add and drop "
        "columns, indexes and constraints of tables no revision created, rename one, check a "
        "dropped column, and create a new table",
        portable=False,
        baseline="baseline.py",
        stamp="bs0001",
    ),
    FixtureProject(
        "postgres_generated_names",
        "names PostgreSQL chooses for unnamed constraints (<table>_<cols>_key/_fkey), kept "
        "through rename_table, de-duplicated with a number, then dropped by those names",
        portable=False,
    ),
)


def fixture_project(name: str) -> FixtureProject:
    for project in FIXTURE_PROJECTS:
        if project.name == name:
            return project
    raise KeyError(name)


def alembic_config(config_file: Path, url: str) -> Config:
    """An Alembic ``Config`` for an ``alembic.ini`` or a ``pyproject.toml`` ``[tool.alembic]``.

    The fixtures' ``env.py`` read the database URL from ``config.attributes["url"]``.
    """
    if config_file.name == "pyproject.toml":
        config = Config(toml_file=config_file)
    else:
        config = Config(config_file)
    config.attributes["url"] = url
    return config


# --- running Alembic -------------------------------------------------------------------------


@contextmanager
def recording_statements() -> Iterator[list[str]]:
    """Collect the SQL text of every statement any engine executes inside the block."""
    statements: list[str] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        statements.append(statement)

    sa.event.listen(Engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(Engine, "before_cursor_execute", record)


def upgrade_heads(project: FixtureProject, url: str) -> list[str]:
    """Run ``alembic upgrade heads`` for every environment of ``project``.

    Returns the SQL statements executed (DDL, raw ``op.execute`` text, version bookkeeping).
    """
    configs = project.alembic_configs(url)
    if project.baseline is not None:
        create_baseline(project, url)
        command.stamp(configs[0], project.stamp or "base")
    with recording_statements() as statements:
        for config in configs:
            command.upgrade(config, "heads")
    return statements


def baseline_metadata(project: FixtureProject) -> sa.MetaData:
    """The ``metadata`` of the project's baseline file (our own fixture code)."""
    assert project.baseline is not None
    path = project.path / project.baseline
    spec = importlib.util.spec_from_file_location(f"baseline_{path.parent.name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    metadata: sa.MetaData = module.metadata
    return metadata


def create_baseline(project: FixtureProject, url: str) -> None:
    """The schema the database had before the first revision, as ``create_all()`` makes it."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        baseline_metadata(project).create_all(engine)
    finally:
        engine.dispose()


def downgrade_base(project: FixtureProject, url: str) -> None:
    """Run ``alembic downgrade base`` for every environment, the last one first."""
    for config in reversed(project.alembic_configs(url)):
        command.downgrade(config, "base")


def script_heads(project: FixtureProject) -> list[str]:
    """The heads of every environment, as ``alembic heads`` lists them.

    A head that another revision ``depends_on`` is still a head here, although the version
    table does not keep it after ``upgrade heads`` (see ``unapplied_revisions``).
    """
    heads: list[str] = []
    for config in project.alembic_configs("unused://"):
        heads.extend(ScriptDirectory.from_config(config).get_heads())
    return sorted(heads)


def database_heads(url: str) -> list[str]:
    """The revisions stamped in every ``alembic_version*`` table of the database."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            inspector = sa.inspect(conn)
            revisions: list[str] = []
            for table in inspector.get_table_names():
                if table.startswith("alembic_version"):
                    rows = conn.execute(sa.text(f'SELECT version_num FROM "{table}"'))
                    revisions.extend(row[0] for row in rows)
            return sorted(revisions)
    finally:
        engine.dispose()


def unapplied_revisions(project: FixtureProject, url: str) -> list[str]:
    """Revisions of ``project`` that the database's version tables do not account for.

    A stamped revision accounts for itself, its ancestors and what it ``depends_on``.
    """
    stamped = database_heads(url)
    missing: list[str] = []
    for config in project.alembic_configs(url):
        script = ScriptDirectory.from_config(config)
        known = {revision.revision for revision in script.walk_revisions()}
        mine = tuple(head for head in stamped if head in known)
        applied = {r.revision for r in script.iterate_revisions(mine, "base")} if mine else set()
        missing.extend(sorted(known - applied))
    return missing


# --- reflecting the result -------------------------------------------------------------------

_SYSTEM_SCHEMAS = {"information_schema", "pg_catalog", "pg_toast"}


@dataclass(frozen=True, slots=True)
class Reflected:
    """A reflected schema plus what reflection alone cannot tell the comparison."""

    tables: SchemaDict
    expression_indexes: frozenset[tuple[str, str]]
    """(table key, index name) of indexes with an SQL expression among their items."""
    dialect: str


def reflect_schema(url: str) -> Reflected:
    """Reflect every user table (except Alembic's version tables) into the CLI's JSON shape."""
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn, warnings.catch_warnings():
            # SQLite: "Skipped unsupported reflection of expression-based index": we add those
            # back from PRAGMA index_list below.
            warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
            inspector = sa.inspect(conn)
            default = inspector.default_schema_name
            tables: SchemaDict = {}
            expressions: set[tuple[str, str]] = set()
            for schema in inspector.get_schema_names():
                if schema in _SYSTEM_SCHEMAS or schema.startswith("pg_"):
                    continue
                named_schema = None if schema == default else schema
                for name in inspector.get_table_names(schema=named_schema):
                    if name.startswith("alembic_version"):
                        continue
                    key = _table_key(named_schema, name)
                    table, table_expressions = _reflect_table(
                        conn, inspector, name, named_schema, default
                    )
                    tables[key] = table
                    expressions.update((key, index) for index in table_expressions)
            return Reflected(tables, frozenset(expressions), engine.dialect.name)
    finally:
        engine.dispose()


def _table_key(schema: str | None, name: str) -> str:
    return f"{schema}.{name}" if schema else name


def _reflect_table(
    conn: sa.Connection, inspector: Inspector, name: str, schema: str | None, default: str | None
) -> tuple[TableDict, set[str]]:
    pk = inspector.get_pk_constraint(name, schema=schema)
    pk_columns = list(pk.get("constrained_columns") or [])
    columns = {
        column["name"]: {
            "nullable": bool(column["nullable"]),
            "primary_key": column["name"] in pk_columns,
        }
        for column in inspector.get_columns(name, schema=schema)
    }

    indexes: list[dict[str, Any]] = []
    expressions: set[str] = set()
    for index in inspector.get_indexes(name, schema=schema):
        # PostgreSQL also lists the index behind each UNIQUE constraint: that is the
        # constraint, reported in unique_constraints.
        if index.get("duplicates_constraint"):
            continue
        items: list[Any] = list(index["column_names"])
        if None in items and index["name"] is not None:
            expressions.add(index["name"])
            items = list(index.get("expressions") or items)
        indexes.append({"name": index["name"], "columns": items, "unique": bool(index["unique"])})
    if conn.dialect.name == SQLITE:
        for index_name, unique in _sqlite_expression_indexes(conn, name, indexes):
            expressions.add(index_name)
            indexes.append({"name": index_name, "columns": [EXPRESSION], "unique": unique})

    unique_constraints = [
        {"name": unique["name"], "columns": list(unique["column_names"])}
        for unique in inspector.get_unique_constraints(name, schema=schema)
    ]
    foreign_keys = [
        {
            "name": fk["name"],
            "columns": list(fk["constrained_columns"]),
            "ref_table": _table_key(
                None if fk.get("referred_schema") in (None, default) else fk["referred_schema"],
                fk["referred_table"],
            ),
            "ref_columns": list(fk["referred_columns"]),
            "ondelete": (fk.get("options") or {}).get("ondelete"),
            "onupdate": (fk.get("options") or {}).get("onupdate"),
        }
        for fk in inspector.get_foreign_keys(name, schema=schema)
    ]
    table = {
        "columns": columns,
        "primary_key": pk_columns,
        "indexes": indexes,
        "unique_constraints": unique_constraints,
        "foreign_keys": foreign_keys,
    }
    return table, expressions


def _sqlite_expression_indexes(
    conn: sa.Connection, table: str, reflected: list[dict[str, Any]]
) -> Iterator[tuple[str, bool]]:
    """Indexes SQLAlchemy's SQLite reflection skips: those on expressions (``lower(email)``)."""
    known = {index["name"] for index in reflected}
    quoted = table.replace('"', '""')
    for row in conn.exec_driver_sql(f'PRAGMA index_list("{quoted}")'):
        _, index_name, unique, origin = row[0], row[1], row[2], row[3]
        if origin == "c" and index_name not in known:
            yield index_name, bool(unique)


# --- comparing -------------------------------------------------------------------------------


def written_names(statements: Iterable[str]) -> set[str]:
    """Every identifier-like word of the executed SQL, lower-cased."""
    words: set[str] = set()
    for statement in statements:
        words.update(word.lower() for word in re.findall(r"[\w$]+", statement))
    return words


def normalise(
    tables: Mapping[str, TableDict], reflected: Reflected, written: set[str]
) -> SchemaDict:
    """Both sides of the comparison in one canonical form. Each rule is representation only:

    - Indexes with an SQL expression among their items (known from reflection) are compared by
      name and uniqueness only: PostgreSQL reflects ``lower(email)`` as ``lower(email::text)``
      or ``lower((email)::text)``, SQLite does not reflect expression indexes at all.
    - A UNIQUE or FOREIGN KEY constraint name that the migrations never wrote (it appears in no
      executed statement) was chosen by the database (PostgreSQL's ``users_email_key``,
      ``user_roles_user_id_fkey``; SQLite reflects ``None``) or by schema-lint: both sides
      compare it as ``None``, i.e. "unnamed". Explicit and convention-generated names are
      written in the DDL, so they are compared exactly.
    - ``ondelete`` and ``onupdate`` are compared upper-case (PostgreSQL reflects ``CASCADE``
      for ``cascade``), and ``NO ACTION``, the default, as ``None`` (neither backend reflects
      it).
    - Lists are sorted like ``schema_lint.schema.serialize`` sorts them; ``columns`` of an
      index or constraint keep their order.
    """
    result: SchemaDict = {}
    for key, table in tables.items():
        indexes = []
        for index in table.get("indexes", []):
            columns = list(index["columns"])
            if (key, index["name"]) in reflected.expression_indexes:
                columns = [EXPRESSION]
            indexes.append(
                {"name": index["name"], "columns": columns, "unique": bool(index["unique"])}
            )
        uniques = [
            {"name": _written_or_none(u["name"], written), "columns": list(u["columns"])}
            for u in table.get("unique_constraints", [])
        ]
        fks = [
            {
                "name": _written_or_none(fk["name"], written),
                "columns": list(fk["columns"]),
                "ref_table": fk["ref_table"],
                "ref_columns": list(fk["ref_columns"]),
                "ondelete": _ondelete(fk.get("ondelete")),
                "onupdate": _ondelete(fk.get("onupdate")),
            }
            for fk in table.get("foreign_keys", [])
        ]
        result[key] = {
            "columns": {
                name: {"nullable": bool(c["nullable"]), "primary_key": bool(c["primary_key"])}
                for name, c in table.get("columns", {}).items()
            },
            "primary_key": list(table.get("primary_key") or []),
            "indexes": sorted(indexes, key=_sort_key),
            "unique_constraints": sorted(uniques, key=_sort_key),
            "foreign_keys": sorted(fks, key=_sort_key),
        }
    return result


def _written_or_none(name: str | None, written: set[str]) -> str | None:
    return name if name is not None and name.lower() in written else None


def _ondelete(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.upper().split())
    return None if value == "NO ACTION" else value


def _sort_key(item: Mapping[str, Any]) -> tuple[str, list[str]]:
    return (item["name"] or "", [str(c) for c in item["columns"]])


def diff_schemas(
    expected: Mapping[str, TableDict],
    actual: Mapping[str, TableDict],
    baseline: Iterable[str] = (),
) -> list[str]:
    """Human-readable differences, table by table (empty when equal).

    A ``baseline`` table of ``actual`` (it existed before the first revision) states only
    some facts: each must be in ``expected``, which may have more.
    """
    lines: list[str] = []
    partial = set(baseline)
    for key in sorted(expected.keys() | actual.keys()):
        if key not in actual:
            lines.append(f"table {key}: built by alembic, missing from schema-lint's schema")
            lines.append(f"    alembic: {json.dumps(expected[key], sort_keys=True)}")
            continue
        if key not in expected:
            lines.append(f"table {key}: in schema-lint's schema, not built by alembic")
            lines.append(f"    schema-lint: {json.dumps(actual[key], sort_keys=True)}")
            continue
        if key in partial:
            table_lines = _missing_facts(expected[key], actual[key])
        else:
            table_lines = _diff_table(expected[key], actual[key])
        if table_lines:
            lines.append(f"table {key}:")
            lines.extend(f"    {line}" for line in table_lines)
    return lines


def _diff_table(expected: TableDict, actual: TableDict) -> list[str]:
    lines: list[str] = []
    e_columns, a_columns = expected["columns"], actual["columns"]
    for name in sorted(e_columns.keys() | a_columns.keys()):
        e, a = e_columns.get(name), a_columns.get(name)
        if e != a:
            lines.append(f"column {name}: alembic {_show(e)}, schema-lint {_show(a)}")
    if expected["primary_key"] != actual["primary_key"]:
        lines.append(
            f"primary_key: alembic {expected['primary_key']}, schema-lint {actual['primary_key']}"
        )
    for key in ("indexes", "unique_constraints", "foreign_keys"):
        e_items, a_items = expected[key], actual[key]
        for item in e_items:
            if item not in a_items:
                lines.append(f"{key}: only in alembic:     {_show(item)}")
        for item in a_items:
            if item not in e_items:
                lines.append(f"{key}: only in schema-lint: {_show(item)}")
    return lines


def _missing_facts(expected: TableDict, actual: TableDict) -> list[str]:
    """What a baseline table states that the database does not have."""
    lines = [
        f"column {name}: alembic {_show(expected['columns'].get(name))}, schema-lint {_show(c)}"
        for name, c in actual["columns"].items()
        if expected["columns"].get(name) != c
    ]
    if actual["primary_key"] and actual["primary_key"] != expected["primary_key"]:
        lines.append(
            f"primary_key: alembic {expected['primary_key']}, schema-lint {actual['primary_key']}"
        )
    for key in ("indexes", "unique_constraints", "foreign_keys"):
        lines.extend(
            f"{key}: only in schema-lint: {_show(item)}"
            for item in actual[key]
            if item not in expected[key]
        )
    return lines


def _show(value: Any) -> str:
    return "absent" if value is None else json.dumps(value, sort_keys=True)


# --- the static replay -----------------------------------------------------------------------


def schema_lint_command() -> list[str]:
    script = Path(sys.executable).with_name("schema-lint")
    return [str(script)] if script.exists() else [sys.executable, "-m", "schema_lint"]


@functools.cache
def static_schema(path: Path) -> dict[str, Any]:
    """``schema-lint schema PATH --source migrations --format json``, parsed."""
    args = [*schema_lint_command(), "schema", str(path), "--source", "migrations", "--no-cache"]
    result = subprocess.run(
        [*args, "--format", "json"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    try:
        data: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise AssertionError(
            f"`{' '.join(args)} --format json` exited {result.returncode} without JSON on "
            f"stdout.\nstdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        ) from exc
    return data


# --- command line: print the ground truth of a fixture -----------------------------------------


def main(argv: list[str] | None = None) -> int:
    """``python tests/migrations/ground_truth.py PROJECT [--backend postgresql|sqlite]``

    Prints what ``alembic upgrade heads`` builds, normalised, in the CLI's JSON shape.
    """
    import argparse
    import tempfile

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("project", choices=[p.name for p in FIXTURE_PROJECTS])
    parser.add_argument("--backend", choices=[SQLITE, POSTGRESQL], default=SQLITE)
    parser.add_argument("--raw", action="store_true", help="do not normalise")
    args = parser.parse_args(argv)
    project = fixture_project(args.project)

    def show(url: str) -> None:
        statements = upgrade_heads(project, url)
        reflected = reflect_schema(url)
        tables = (
            reflected.tables
            if args.raw
            else normalise(reflected.tables, reflected, written_names(statements))
        )
        print(json.dumps({"tables": tables, "heads": script_heads(project)}, indent=2))

    if args.backend == SQLITE:
        with tempfile.TemporaryDirectory() as directory:
            show(f"sqlite:///{directory}/alembic.db")
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from postgres import start_cluster

    cluster = start_cluster()
    try:
        show(cluster.url(cluster.create_database()))
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
