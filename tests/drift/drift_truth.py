"""The drift between imported models and a database Alembic really migrated, computed plainly.

Written from the rules' definitions (issue 15), with nothing of schema-lint's: the model side is
the imported ``MetaData``, the database side what ``sqlalchemy.inspect`` reads back after
``alembic upgrade``. SQL text (check conditions, index predicates) is compared as PostgreSQL
stores it: a model's condition is added to a scratch database built with ``create_all`` of the
same ``MetaData`` and read back, so that case, whitespace and parentheses are whatever
PostgreSQL makes of them; the casts PostgreSQL adds are then left out (``without_casts``).

A drift is ``(code, table, subject)``; the subject names the item:

* SL002 the database's index name, SL007 the model's index name, SL009 the index name when one
  index differs and the sorted column list when uniqueness takes another form;
* SL003 and SL008 the sorted column list of the unique key;
* SL004 the column, SL005 the foreign key's columns, SL006 the check's name (its text when the
  model's check has no name);
* SL010 and SL011 the column, or ``""`` for a whole table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

Drift = tuple[str, str, str]

SOFT_DELETE_COLUMNS = ("is_deleted", "deleted", "deleted_at", "archived_at")
ALEMBIC_TABLES = frozenset({"alembic_version"})
_PREPARER = postgresql.dialect().identifier_preparer


def columns_subject(columns: Iterable[str]) -> str:
    return ",".join(sorted(columns))


def constraint_name(item: sa.Index | sa.Constraint) -> str | None:
    """The name PostgreSQL gets for a model's index or constraint (the naming convention
    applied), None when it has none."""
    if item.name is None:
        return None
    rendered: str | None = _PREPARER.format_constraint(item)
    if rendered is None:
        return None
    if rendered.startswith('"') and rendered.endswith('"'):
        return rendered[1:-1].replace('""', '"')
    return rendered


def action(value: str | None) -> str | None:
    """An ``ON DELETE``/``ON UPDATE`` clause as PostgreSQL keeps it: NO ACTION is no clause."""
    if value is None:
        return None
    words = " ".join(value.upper().split())
    return None if words == "NO ACTION" else words


# --- one table, as each side has it ----------------------------------------------------------


@dataclass(frozen=True)
class IndexFacts:
    name: str
    columns: tuple[str, ...]
    unique: bool
    where: str | None
    """The predicate as PostgreSQL stores it (None: the index covers every row)."""

    @property
    def plain_unique(self) -> bool:
        return self.unique and self.where is None


@dataclass(frozen=True)
class CheckFacts:
    name: str | None
    text: str
    """The condition as PostgreSQL stores it."""
    written: str


@dataclass(frozen=True)
class ForeignKeyFacts:
    columns: tuple[str, ...]
    target: tuple[str, tuple[str, ...]]
    ondelete: str | None
    onupdate: str | None


@dataclass(frozen=True)
class TableFacts:
    columns: dict[str, bool]
    """Column name -> nullable."""
    primary_key: frozenset[str]
    uniques: list[tuple[str, ...]]
    """Unique constraints' columns."""
    indexes: dict[str, IndexFacts]
    foreign_keys: list[ForeignKeyFacts]
    checks: list[CheckFacts]


def database_tables(conn: Connection) -> dict[str, TableFacts]:
    inspector = sa.inspect(conn)
    tables = {}
    for name in inspector.get_table_names():
        if name in ALEMBIC_TABLES:
            continue
        indexes = {}
        for index in inspector.get_indexes(name):
            if index.get("duplicates_constraint"):
                continue  # the index PostgreSQL keeps for a unique constraint
            where = index.get("dialect_options", {}).get("postgresql_where")
            indexes[str(index["name"])] = IndexFacts(
                str(index["name"]),
                tuple(str(c) for c in index["column_names"]),
                bool(index["unique"]),
                without_casts(str(where)) if where is not None else None,
            )
        tables[name] = TableFacts(
            columns={c["name"]: bool(c["nullable"]) for c in inspector.get_columns(name)},
            primary_key=frozenset(inspector.get_pk_constraint(name)["constrained_columns"]),
            uniques=[tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)],
            indexes=indexes,
            foreign_keys=[
                ForeignKeyFacts(
                    tuple(fk["constrained_columns"]),
                    (fk["referred_table"], tuple(fk["referred_columns"])),
                    action(fk.get("options", {}).get("ondelete")),
                    action(fk.get("options", {}).get("onupdate")),
                )
                for fk in inspector.get_foreign_keys(name)
            ],
            checks=[CheckFacts(n, text, text) for n, text in stored_checks(conn, name)],
        )
    return tables


def model_tables(metadata: sa.MetaData, scratch: Connection) -> dict[str, TableFacts]:
    """The imported models' tables; ``scratch`` is a connection to a database holding
    ``metadata.create_all()``, where conditions are canonicalised."""
    scratch_indexes = {
        table: {str(i["name"]): i for i in sa.inspect(scratch).get_indexes(table)}
        for table in metadata.tables
    }
    tables = {}
    for name, table in metadata.tables.items():
        indexes = {}
        for index in table.indexes:
            index_name = constraint_name(index)
            assert index_name is not None, f"{name}: an index without a name"
            stored = scratch_indexes[name][index_name]
            where = stored.get("dialect_options", {}).get("postgresql_where")
            indexes[index_name] = IndexFacts(
                index_name,
                tuple(c.name for c in index.columns),
                bool(index.unique),
                without_casts(str(where)) if where is not None else None,
            )
        tables[name] = TableFacts(
            columns={c.name: bool(c.nullable) for c in table.columns},
            primary_key=frozenset(c.name for c in table.primary_key.columns),
            uniques=[
                tuple(c.name for c in constraint.columns)
                for constraint in table.constraints
                if isinstance(constraint, sa.UniqueConstraint)
            ],
            indexes=indexes,
            foreign_keys=[
                ForeignKeyFacts(
                    tuple(c.name for c in fk.columns),
                    (fk.referred_table.name, tuple(e.column.name for e in fk.elements)),
                    action(fk.ondelete),
                    action(fk.onupdate),
                )
                for fk in table.foreign_key_constraints
            ],
            checks=_model_checks(table, scratch),
        )
    return tables


def _model_checks(table: sa.Table, scratch: Connection) -> list[CheckFacts]:
    """The model's checks that ``create_all`` creates on PostgreSQL (not, for instance, the
    one of ``Boolean(create_constraint=True)``: PostgreSQL has a boolean type)."""
    created = [text for _, text in stored_checks(scratch, table.name)]
    checks = []
    column_level = [c for column in table.columns for c in column.constraints]
    for constraint in [*table.constraints, *column_level]:
        if not isinstance(constraint, sa.CheckConstraint):
            continue
        written = str(
            constraint.sqltext.compile(
                dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
            )
        )
        text = stored_condition(scratch, table.name, written)
        if text is not None and text in created:
            created.remove(text)
            checks.append(CheckFacts(constraint_name(constraint), text, written))
    return checks


_CAST = re.compile(r"::[a-z]+( [a-z]+)*(\(\d+\))?(\[\])?")
_ATOM = re.compile(r"\((\w+|'[^']*'|ARRAY\[[^\]]*\])\)")


def without_casts(stored: str) -> str:
    """A condition PostgreSQL stored, without the casts it adds (``(code)::text``,
    ``'x'::character varying``, ``(ARRAY[...])::text[]``) and the parentheses around a
    single name, literal or array that they leave: ``status IN ('a', 'b')`` and
    ``status = ANY (ARRAY['a', 'b'])`` are then the same, as they are to PostgreSQL."""
    text = _CAST.sub("", stored)
    while True:
        shorter = _ATOM.sub(r"\1", text)
        if shorter == text:
            return text
        text = shorter


def stored_checks(conn: Connection, table: str) -> list[tuple[str, str]]:
    """The check constraints of ``table``: name and ``pg_get_constraintdef`` without casts."""
    rows = conn.execute(
        sa.text(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'c' AND conrelid = CAST(:table AS regclass) ORDER BY conname"
        ),
        {"table": f'"{table}"'},
    )
    return [(str(name), without_casts(str(definition))) for name, definition in rows]


def stored_condition(scratch: Connection, table: str, condition: str) -> str | None:
    """``condition`` as PostgreSQL stores it: added to ``table``, read back, rolled back
    (None: PostgreSQL refuses it, so ``create_all`` cannot have created it)."""
    savepoint = scratch.begin_nested()
    try:
        scratch.execute(
            sa.text(f'ALTER TABLE "{table}" ADD CONSTRAINT drift_truth_canon CHECK ({condition})')
        )
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return None
    stored = dict(stored_checks(scratch, table))["drift_truth_canon"]
    savepoint.rollback()
    return stored


# --- the drift ---------------------------------------------------------------------------------


def drifts(models: dict[str, TableFacts], database: dict[str, TableFacts]) -> set[Drift]:
    found: set[Drift] = set()
    for name in models.keys() - database.keys():
        found.add(("SL010", name, ""))
    for name in database.keys() - models.keys():
        found.add(("SL011", name, ""))
    for name in models.keys() & database.keys():
        found |= {(code, name, subject) for code, subject in _table(models[name], database[name])}
    for name, table in models.items():
        found |= {("SL008", name, subject) for subject in soft_delete_uniques(table)}
    return found


def _table(model: TableFacts, db: TableFacts) -> set[tuple[str, str]]:
    found = set()
    # SL010 / SL011: columns
    found |= {("SL010", c) for c in model.columns.keys() - db.columns.keys()}
    found |= {("SL011", c) for c in db.columns.keys() - model.columns.keys()}
    # SL004: nullability of the columns both have, primary-key columns aside
    for column in model.columns.keys() & db.columns.keys():
        if column in model.primary_key or column in db.primary_key:
            continue
        if model.columns[column] != db.columns[column]:
            found.add(("SL004", column))
    # SL003 / SL009 (form): unique constraints by column set, unique indexes as the other form
    model_constraints = {frozenset(u) for u in model.uniques}
    db_constraints = {frozenset(u) for u in db.uniques}
    model_unique_indexes = {frozenset(i.columns) for i in model.indexes.values() if i.plain_unique}
    db_unique_indexes = {frozenset(i.columns) for i in db.indexes.values() if i.plain_unique}
    for key in model_constraints - db_constraints:
        if key not in db_unique_indexes:
            found.add(("SL003", columns_subject(key)))
        elif key not in model_unique_indexes:
            found.add(("SL009", columns_subject(key)))
    for key in db_constraints - model_constraints:
        if key not in model_unique_indexes:
            found.add(("SL003", columns_subject(key)))
        elif key not in db_unique_indexes:
            found.add(("SL009", columns_subject(key)))
    form_in_db = {k for k in model_constraints - db_constraints if k in db_unique_indexes}
    form_in_model = {k for k in db_constraints - model_constraints if k in model_unique_indexes}
    # SL009 (definition), SL002, SL007: indexes by name
    for name in model.indexes.keys() & db.indexes.keys():
        if model.indexes[name] != db.indexes[name]:
            found.add(("SL009", name))
    for name in db.indexes.keys() - model.indexes.keys():
        index = db.indexes[name]
        if index.plain_unique and frozenset(index.columns) in form_in_db:
            continue
        found.add(("SL002", name))  # missing, or the model names it otherwise
    for name in model.indexes.keys() - db.indexes.keys():
        index = model.indexes[name]
        renamed = any(
            (other.columns, other.unique) == (index.columns, index.unique)
            for other_name, other in db.indexes.items()
            if other_name not in model.indexes  # not the database's copy of another one
        )
        if renamed:
            continue  # SL002 reports the database's name
        if index.plain_unique and frozenset(index.columns) in form_in_model:
            continue
        found.add(("SL007", name))
    # SL005: referential actions of the foreign keys both have
    db_keys = {(fk.columns, fk.target): fk for fk in db.foreign_keys}
    for fk in model.foreign_keys:
        other = db_keys.get((fk.columns, fk.target))
        if other is not None and (fk.ondelete, fk.onupdate) != (other.ondelete, other.onupdate):
            found.add(("SL005", ",".join(fk.columns)))
    # SL006: checks, by name when both are named, else by condition
    unmatched = list(db.checks)
    for check in model.checks:
        same = next((c for c in unmatched if check.name and c.name == check.name), None)
        same = same or next((c for c in unmatched if c.text == check.text), None)
        if same is None:
            found.add(("SL006", check.name or check.written))
            continue
        unmatched.remove(same)
        if same.text != check.text:
            found.add(("SL006", check.name or str(same.name)))
    found |= {("SL006", str(c.name)) for c in unmatched}
    return found


def soft_delete_uniques(table: TableFacts, names: Sequence[str] = SOFT_DELETE_COLUMNS) -> set[str]:
    """SL008: the unique keys of a table with soft-delete columns that neither include one
    nor exclude deleted rows by a predicate on one."""
    soft = [c for c in table.columns if c in names]
    keys: list[tuple[tuple[str, ...], str | None]] = [(u, None) for u in table.uniques]
    keys += [(i.columns, i.where) for i in table.indexes.values() if i.unique]
    return {
        columns_subject(columns)
        for columns, where in keys
        if soft
        and not set(soft) & set(columns)
        and not (where and any(re.search(rf"\b{c}\b", where) for c in soft))
    }


def describe(items: Iterable[Any]) -> str:
    return "\n".join(f"  {item}" for item in sorted(items))
