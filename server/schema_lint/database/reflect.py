"""Reflection: a live database read with SQLAlchemy's inspector into our schema facts.

Tables are keyed like the replay keys them (``name`` in the default schema, else
``schema.name``) and hold exactly what the replay represents: columns with nullability,
the primary key, unique constraints, indexes (uniqueness, expressions as SQL text, partial
predicates), foreign keys with ``ondelete``/``onupdate``, check constraints. Alembic's
version table is read for the stamp, not listed. On PostgreSQL, tables that belong to an
extension (PostGIS's ``spatial_ref_sys``) and partitions of a partitioned table are not the
application's and are left out.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Inspector

from schema_lint.database.errors import DatabaseError
from schema_lint.facts.schema import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Schema,
    Table,
    UniqueConstraint,
)

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True, slots=True)
class Reflection:
    """What was read from the database."""

    schema: Schema
    dialect: str
    default_schema: str | None
    schemas: tuple[str, ...]
    """The named schemas read besides the default one."""
    stamped: tuple[str, ...] | None
    """The revisions in ``alembic_version`` (None: there is no such table)."""
    notes: tuple[str, ...] = ()
    """What could not be read exactly (expression indexes SQLite does not describe)."""


def reflect(connection: sa.Connection, schemas: Iterable[str] = ()) -> Reflection:
    """Every table of the default schema and of ``schemas`` (those that exist), and the
    stamp. A schema the role may not use is a :class:`DatabaseError`."""
    with warnings.catch_warnings():
        # SQLite: "Skipped unsupported reflection of expression-based index" (handled below)
        warnings.filterwarnings("ignore", category=sa.exc.SAWarning)
        inspector = sa.inspect(connection)
        default = inspector.default_schema_name
        existing = set(inspector.get_schema_names())
        named = sorted({s for s in schemas if s and s != default and s in existing})
        _check_privileges(connection, named, default)
        tables: dict[str, Table] = {}
        notes: list[str] = []
        stamped: tuple[str, ...] | None = None
        for schema in (None, *named):
            names = set(inspector.get_table_names(schema=schema))
            if schema is None and VERSION_TABLE in names:
                stamped = _stamp(connection)
            names -= {VERSION_TABLE} if schema is None else set()
            names -= _not_the_applications(connection, schema or default)
            if not names:
                continue
            for table in _tables(connection, inspector, schema, sorted(names), default, notes):
                tables[table.qualified_name] = table
    return Reflection(
        Schema(tables=tables, heads=stamped or ()),
        connection.dialect.name,
        default,
        tuple(named),
        stamped,
        tuple(notes),
    )


def _check_privileges(
    connection: sa.Connection, schemas: Sequence[str], default: str | None
) -> None:
    if connection.dialect.name != "postgresql":
        return
    role = connection.exec_driver_sql("SELECT current_user").scalar()
    for schema in (*([default] if default else []), *schemas):
        allowed = connection.execute(
            sa.text("SELECT has_schema_privilege(:schema, 'USAGE')"), {"schema": schema}
        ).scalar()
        if not allowed:
            raise DatabaseError(
                f"role `{role}` may not use schema `{schema}` (no USAGE privilege), so its "
                f"tables cannot be audited: GRANT USAGE ON SCHEMA {schema} TO {role}, or "
                "connect as a role that may"
            )
    if default is None:
        raise DatabaseError(
            f"role `{role}` has no usable schema on its search_path: grant USAGE on the "
            "application's schema, or set search_path"
        )


def _stamp(connection: sa.Connection) -> tuple[str, ...]:
    rows = connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}")
    return tuple(sorted(str(row[0]) for row in rows))


def _not_the_applications(connection: sa.Connection, schema: str | None) -> set[str]:
    """PostgreSQL: tables an extension owns, and partitions (their parent is the table)."""
    if connection.dialect.name != "postgresql" or schema is None:
        return set()
    rows = connection.execute(
        sa.text(
            "SELECT c.relname FROM pg_catalog.pg_class c "
            "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND (c.relispartition OR EXISTS ("
            "  SELECT 1 FROM pg_catalog.pg_depend d"
            "  WHERE d.classid = 'pg_catalog.pg_class'::regclass"
            "  AND d.objid = c.oid AND d.deptype = 'e'))"
        ),
        {"schema": schema},
    )
    return {str(row[0]) for row in rows}


def _tables(
    connection: sa.Connection,
    inspector: Inspector,
    schema: str | None,
    names: list[str],
    default: str | None,
    notes: list[str],
) -> Iterable[Table]:
    columns = inspector.get_multi_columns(schema=schema, filter_names=names)
    keys = inspector.get_multi_pk_constraint(schema=schema, filter_names=names)
    uniques = inspector.get_multi_unique_constraints(schema=schema, filter_names=names)
    indexes = inspector.get_multi_indexes(schema=schema, filter_names=names)
    foreign = inspector.get_multi_foreign_keys(schema=schema, filter_names=names)
    checks = inspector.get_multi_check_constraints(schema=schema, filter_names=names)
    for name in names:
        key = (schema, name)
        pk: Mapping[str, Any] = keys.get(key) or {}
        pk_columns = tuple(pk.get("constrained_columns") or ())
        found_indexes = tuple(_index(i) for i in indexes.get(key, []) if _own_index(i))
        uncertain: tuple[str, ...] = ()
        if connection.dialect.name == "sqlite":
            skipped = _sqlite_expression_indexes(connection, name, found_indexes)
            if skipped:
                uncertain = tuple(skipped)
                notes.extend(
                    f"SQLite does not describe expression index `{index}` of `{name}`: "
                    "it is not compared"
                    for index in skipped
                )
        yield Table(
            name=name,
            schema=schema,
            columns=tuple(
                Column(str(c["name"]), bool(c["nullable"]), str(c["name"]) in pk_columns)
                for c in columns.get(key, [])
            ),
            primary_key=PrimaryKey(pk.get("name"), pk_columns) if pk_columns else None,
            indexes=found_indexes,
            unique_constraints=tuple(
                UniqueConstraint(u.get("name"), tuple(u["column_names"]))
                for u in uniques.get(key, [])
            ),
            foreign_keys=tuple(_foreign_key(f, default) for f in foreign.get(key, [])),
            check_constraints=tuple(
                CheckConstraint(c.get("name"), str(c["sqltext"])) for c in checks.get(key, [])
            ),
            uncertain=uncertain,
        )


def _own_index(index: Mapping[str, Any]) -> bool:
    """PostgreSQL lists the index behind each UNIQUE constraint too: that is the constraint."""
    return not index.get("duplicates_constraint")


def _index(index: Mapping[str, Any]) -> Index:
    items = list(index["column_names"])
    expressions = None in items
    if expressions:
        texts = list(index.get("expressions") or [])
        texts += [None] * (len(items) - len(texts))
        items = [t if c is None else c for c, t in zip(items, texts, strict=False)]
    options = index.get("dialect_options") or {}
    where = options.get("postgresql_where") or options.get("sqlite_where")
    return Index(
        name=index.get("name"),
        columns=tuple(str(item) for item in items),
        unique=bool(index.get("unique")),
        expressions=expressions,
        where=str(where) if where is not None else None,
    )


def _foreign_key(fk: Mapping[str, Any], default: str | None) -> ForeignKey:
    schema = fk.get("referred_schema")
    table = fk["referred_table"]
    options = fk.get("options") or {}
    return ForeignKey(
        name=fk.get("name"),
        columns=tuple(fk["constrained_columns"]),
        ref_table=f"{schema}.{table}" if schema not in (None, default) else table,
        ref_columns=tuple(fk["referred_columns"]),
        ondelete=options.get("ondelete"),
        onupdate=options.get("onupdate"),
    )


def _sqlite_expression_indexes(
    connection: sa.Connection, table: str, reflected: Sequence[Index]
) -> list[str]:
    """Indexes SQLAlchemy's SQLite reflection skips: those on expressions."""
    known = {index.name for index in reflected}
    quoted = table.replace('"', '""')
    rows = connection.exec_driver_sql(f'PRAGMA index_list("{quoted}")')
    return [str(row[1]) for row in rows if row[3] == "c" and row[1] not in known]
