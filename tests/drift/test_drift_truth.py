"""Ground truth for the drift rules SL002-SL011: real Alembic on a real PostgreSQL.

One migration history (``fixtures/history``) with the same schema declared in four styles
(``fixtures/models/{mapped,classic,imperative,flask}.py``): every rule in both directions and
the issue's hard negatives, one table each; and a harder project (``fixtures/tricky`` with
``fixtures/models/tricky.py``: naming convention, mixins, ``declared_attr``, inheritance,
raw SQL, renames, checks PostgreSQL rewrites). For each, the project is copied to a temporary
directory, ``alembic upgrade head`` runs on a fresh database, the test imports the models
(the tool never does) and computes the drift between their ``MetaData`` and what
``sqlalchemy.inspect`` reads back (``drift_truth.py``, written from the rules' definitions).
That set must equal schema-lint's findings exactly, and equal the drift the fixtures were
written to contain (``EXPECTED``), so that neither side can be wrong the same way unnoticed.
Then ``alembic check``'s own comparison (``compare_metadata``) must agree wherever it
reports something, and where it differs by design, the difference is spelled out here.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from drift_truth import (
    Drift,
    TableFacts,
    columns_subject,
    database_tables,
    describe,
    drifts,
    model_tables,
    without_casts,
)
from postgres import PostgresCluster
from schema_lint.config import load_config
from schema_lint.diagnostics import Diagnostic, Severity
from schema_lint.engine import check
from schema_lint.facts.source import Problem
from schema_lint.project import load_project
from sqlalchemy.pool import NullPool

pytestmark = pytest.mark.postgres

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECTS = {
    # project: (migration history, models)
    "mapped": ("history", "mapped"),
    "classic": ("history", "classic"),
    "imperative": ("history", "imperative"),
    "flask": ("history", "flask"),
    "tricky": ("tricky", "tricky"),
}

HISTORY: frozenset[Drift] = frozenset(
    {
        # SL002 index-missing-in-model: a migration index the model lacks, one it renames
        ("SL002", "idx_db", "idx_db_code"),
        ("SL002", "idx_rename", "idx_rename_old"),
        # SL003 unique-drift, both directions
        ("SL003", "uq_model", "code"),
        ("SL003", "uq_db", "a,b"),
        # SL004 nullable-drift, both directions (null_db made nullable by a later revision)
        ("SL004", "null_model", "title"),
        ("SL004", "null_db", "title"),
        # SL005 ondelete-drift: model only, database only, ON UPDATE
        ("SL005", "fk_model", "parent_id"),
        ("SL005", "fk_db", "parent_id"),
        ("SL005", "fk_update", "parent_id"),
        # SL006 check-drift: another condition, model only, database only
        ("SL006", "ck_text", "ck_text_price"),
        ("SL006", "ck_model", "ck_model_positive"),
        ("SL006", "ck_db", "ck_db_positive"),
        # SL007 index-missing-in-migrations: index=True and Index(...)
        ("SL007", "idx_col", "ix_idx_col_code"),
        ("SL007", "idx_named", "idx_named_a_b"),
        # SL008 soft-delete-unique: a UniqueConstraint and a unique index keep deleted rows
        ("SL008", "soft_uc", "number,release_id"),
        ("SL008", "soft_ix", "slug"),
        # SL009 index-definition-drift: uniqueness, column order, predicate; and both forms
        ("SL009", "idx_unique", "roles_users_ix"),
        ("SL009", "idx_order", "idx_order_ab"),
        ("SL009", "idx_where", "idx_where_code"),
        ("SL009", "form_index", "code"),
        ("SL009", "form_constraint", "code"),
        # SL010 / SL011: a table and a column on one side only, both directions
        ("SL010", "only_model", ""),
        ("SL010", "cols", "model_only"),
        ("SL011", "only_db", ""),
        ("SL011", "cols", "db_only"),
    }
)
"""What ``history`` was written to contain with every style of models; every other table is a
hard negative."""

TRICKY: frozenset[Drift] = frozenset(
    {
        # a later revision made `nick` NOT NULL; the model's Optional[str50] allows NULL
        ("SL004", "accounts", "nick"),
        # ix_members_old_label followed the column rename; the model names it ix_members_label
        ("SL002", "members", "ix_members_old_label"),
        ("SL007", "members", "ix_members_account_id"),
        # archived_at (from a mixin) marks deleted rows: `email` is unique in the model only,
        # and `handle`'s partial index excludes NULL handles, not archived rows
        ("SL003", "archived", "email"),
        ("SL008", "archived", "email"),
        ("SL008", "archived", "handle"),
        # raw SQL: a unique index where the model has a constraint, and the reverse
        ("SL009", "raw", "a,b"),
        ("SL009", "raw", "b"),
        # dropped by the second revision, still a model
        ("SL010", "legacy", ""),
        # the second of two indexes on one column, on one side only
        ("SL007", "dup_model", "dup_model_code_b"),
        ("SL002", "dup_db", "dup_db_code_b"),
        # from a declared_attr mixin: ondelete, a unique pair and an index no migration has;
        # an Annotated alias whose explicit nullable=True wins over Mapped[str]
        ("SL005", "kids", "owner_id"),
        ("SL003", "kids", "label,tenant"),
        ("SL007", "kids", "ix_kids_tenant"),
        ("SL004", "kids", "label"),
        # inheritance: a single-table subclass's Optional column, a joined table's key
        ("SL004", "staff", "level"),
        ("SL005", "engineers", "id"),
    }
)
"""``tricky`` (one style): BETWEEN, ``!=``, ``IN`` against ``= ANY (ARRAY[...])`` and a
``conv()`` name are all the same checks; the naming convention names every other object as
the migrations' ``op.f`` names do; the foreign keys' clauses differ only in case."""

EXPECTED = {"history": HISTORY, "tricky": TRICKY}

UNREAD = {
    "history": set(),
    "tricky": {('conv("checks_price_named_by_hand")', "this name cannot be read statically")},
}
"""What schema-lint says it could not read: (model line, message start). It cannot read
``conv("...")``, so it matches that check by its condition (and finds it)."""


@dataclass(frozen=True)
class Migrated:
    name: str
    history: str
    root: Path
    url: str
    metadata: sa.MetaData
    truth: frozenset[Drift]
    database: dict[str, TableFacts]
    diagnostics: tuple[Diagnostic, ...]
    problems: tuple[Problem, ...]
    """What schema-lint could not read: exactly ``UNREAD``, so that no silence is for want of
    reading."""


def _copy_project(history: str, style: str, target: Path) -> Path:
    shutil.copytree(FIXTURES / history, target)
    (target / "app").mkdir()
    (target / "app" / "__init__.py").write_text("")
    shutil.copyfile(FIXTURES / "models" / f"{style}.py", target / "app" / "models.py")
    return target


def _upgrade(root: Path, url: str) -> None:
    config = Config(str(root / "alembic.ini"))
    config.attributes["url"] = url
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _import_models(style: str, path: Path) -> tuple[str, Any]:
    """Import the fixture under a module name of its own (no ``sys.path`` change at all)."""
    name = f"drift_truth_models_{style}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # annotations are resolved through sys.modules
    spec.loader.exec_module(module)
    return name, module


def _metadata(module: Any) -> sa.MetaData:
    """The fixture's ``MetaData``: ``Base.metadata``, ``db.metadata`` or ``metadata``."""
    for owner in ("Base", "db"):
        if hasattr(module, owner):
            found: sa.MetaData = getattr(module, owner).metadata
            return found
    found = module.metadata
    return found


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool)


@pytest.fixture(scope="module", params=sorted(PROJECTS))
def migrated(
    request: pytest.FixtureRequest,
    postgres_cluster: PostgresCluster,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Migrated]:
    name: str = request.param
    history, style = PROJECTS[name]
    root = _copy_project(history, style, tmp_path_factory.mktemp(name) / "project")
    database = postgres_cluster.create_database()
    scratch = postgres_cluster.create_database()
    module_name = None
    try:
        url, scratch_url = postgres_cluster.url(database), postgres_cluster.url(scratch)
        _upgrade(root, url)
        module_name, module = _import_models(style, root / "app" / "models.py")
        metadata = _metadata(module)
        engine, scratch_engine = _engine(url), _engine(scratch_url)
        metadata.create_all(scratch_engine)
        with engine.connect() as conn, scratch_engine.connect() as scratch_conn:
            database_facts = database_tables(conn)
            truth = drifts(model_tables(metadata, scratch_conn), database_facts)
        engine.dispose()
        scratch_engine.dispose()
        result = check(load_project(root, load_config(root)))
        yield Migrated(
            name,
            history,
            root,
            url,
            metadata,
            frozenset(truth),
            database_facts,
            result.diagnostics,
            result.problems,
        )
    finally:
        if module_name is not None:
            sys.modules.pop(module_name, None)
        postgres_cluster.drop_database(database)
        postgres_cluster.drop_database(scratch)


def subject(diagnostic: Diagnostic) -> str:
    """A schema-lint finding as a ``drift_truth`` subject, from its typed payload."""
    payload: Any = diagnostic.payload
    code = diagnostic.code
    if code == "SL002":
        return str(payload.index)
    if code in ("SL003", "SL008"):
        return columns_subject(payload.columns)
    if code == "SL004":
        return str(payload.column)
    if code == "SL005":
        return ",".join(payload.columns)
    if code == "SL006":
        return str(payload.name or payload.model_text)
    if code == "SL007":
        return str(payload.name)
    if code == "SL009":
        return (
            str(payload.name) if payload.form == "definition" else columns_subject(payload.columns)
        )
    if code in ("SL010", "SL011"):
        return payload.column or ""
    raise AssertionError(f"unexpected finding {code}: {diagnostic.message}")


def findings(migrated: Migrated) -> set[Drift]:
    return {(d.code, str(d.payload.table), subject(d)) for d in migrated.diagnostics}


def test_without_casts() -> None:
    stored = {
        "((status)::text = ANY ((ARRAY['new'::character varying, 'done'::character varying])"
        "::text[]))": "(status = ANY ARRAY['new', 'done'])",
        "((status)::text = ANY (ARRAY['new'::text, 'done'::text]))": (
            "(status = ANY ARRAY['new', 'done'])"
        ),
        "((code)::text <> ''::text)": "(code <> '')",
        "((price >= 1) AND (price <= 100))": "((price >= 1) AND (price <= 100))",
        "(a > (b + 1))": "(a > (b + 1))",
    }
    assert {text: without_casts(text) for text in stored} == stored


def test_the_ground_truth_is_what_the_fixtures_were_written_to_contain(
    migrated: Migrated,
) -> None:
    expected = EXPECTED[migrated.history]
    assert migrated.truth == expected, (
        f"missing:\n{describe(expected - migrated.truth)}\n"
        f"unexpected:\n{describe(migrated.truth - expected)}"
    )


def test_schema_lint_finds_exactly_the_ground_truth(migrated: Migrated) -> None:
    found = findings(migrated)
    assert found == migrated.truth, (
        f"schema-lint misses:\n{describe(migrated.truth - found)}\n"
        f"schema-lint also reports:\n{describe(found - migrated.truth)}"
    )
    assert len(migrated.diagnostics) == len(found), "one finding per drift"
    lines = (migrated.root / "app" / "models.py").read_text().splitlines()
    unread = {
        (p.span.line, p.message.split(":")[0]) for p in migrated.problems if p.span is not None
    }
    assert unread == {
        (next(n for n, line in enumerate(lines, 1) if text in line), message)
        for text, message in UNREAD[migrated.history]
    }
    assert all(p.span is not None for p in migrated.problems)


FORMS = {
    "history": {("form_index", "code"), ("form_constraint", "code")},
    "tricky": {("raw", "a,b"), ("raw", "b")},
}


def test_uniqueness_in_another_form_is_information(migrated: Migrated) -> None:
    """``unique=True``/``UniqueConstraint`` against a unique index of the same columns: SL009
    at info severity (enforced either way), never SL002, SL003 or SL007."""
    forms = [
        d for d in migrated.diagnostics if d.code == "SL009" and d.payload.form != "definition"
    ]
    assert {(d.payload.table, subject(d)) for d in forms} == FORMS[migrated.history]
    for diagnostic in forms:
        assert diagnostic.severity is Severity.INFO
        assert "enforced either way" in diagnostic.message
    others = {d.severity for d in migrated.diagnostics if d not in forms}
    assert Severity.INFO not in others


# --- alembic check parity ------------------------------------------------------------------------

AUTOGENERATE_PLUGINS = ["alembic.autogenerate.*", "alembic.ext.checkconstraint_byname"]
"""Alembic's default comparisons plus its opt-in comparison of check constraints by name
(``alembic.ext.checkconstraint_byname``, 1.20): the most ``alembic check`` can report."""


@dataclass(frozen=True)
class Diff:
    """One ``compare_metadata`` result: its kind, table and the object's name or columns."""

    kind: str
    table: str
    name: str | None
    columns: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.table, self.name or ",".join(self.columns))


def autogenerate(migrated: Migrated) -> list[Diff]:
    engine = _engine(migrated.url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"autogenerate_plugins": AUTOGENERATE_PLUGINS}
            )
            raw = compare_metadata(context, migrated.metadata)
    finally:
        engine.dispose()
    diffs = []
    for item in raw:
        for entry in item if isinstance(item, list) else [item]:
            diffs.append(_diff(entry))
    return diffs


def _diff(entry: tuple[Any, ...]) -> Diff:
    kind = entry[0]
    if kind in ("add_table", "remove_table"):
        return Diff(kind, entry[1].name, None, ())
    if kind in ("add_column", "remove_column"):
        return Diff(kind, entry[2], entry[3].name, (entry[3].name,))
    if kind == "modify_nullable":
        return Diff(kind, entry[2], entry[3], (entry[3],))
    obj = entry[1]
    if kind in ("add_fk", "remove_fk"):
        return Diff(kind, obj.parent.name, obj.name, tuple(c.name for c in obj.columns))
    if kind in ("add_index", "remove_index"):
        return Diff(kind, obj.table.name, obj.name, tuple(c.name for c in obj.columns))
    if kind in ("add_constraint", "remove_constraint"):
        if isinstance(obj, sa.CheckConstraint):
            return Diff(f"{kind}:check", obj.table.name, obj.name, ())
        return Diff(kind, obj.table.name, obj.name, tuple(c.name for c in obj.columns))
    raise AssertionError(f"a kind of autogenerate result this test does not know: {entry}")


def corresponding(diff: Diff, database: dict[str, TableFacts]) -> set[Drift]:
    """The schema-lint findings that report what ``diff`` reports."""
    table, name = diff.table, diff.name or ""
    columns = columns_subject(diff.columns)
    if diff.kind == "add_table":
        return {("SL010", table, "")}
    if diff.kind == "remove_table":
        return {("SL011", table, "")}
    if diff.kind == "add_column":
        return {("SL010", table, name)}
    if diff.kind == "remove_column":
        return {("SL011", table, name)}
    if diff.kind == "modify_nullable":
        return {("SL004", table, name)}
    if diff.kind in ("add_fk", "remove_fk"):
        return {("SL005", table, ",".join(diff.columns))}
    if diff.kind in ("add_index", "remove_index"):
        # missing on one side, defined differently, renamed, or uniqueness in another form
        found = {(code, table, name) for code in ("SL002", "SL007", "SL009")}
        found.add(("SL009", table, columns))
        existing = database.get(table)
        if existing is not None:
            found |= {
                ("SL002", table, other)
                for other, index in existing.indexes.items()
                if index.columns == diff.columns
            }
        return found
    if diff.kind in ("add_constraint", "remove_constraint"):
        return {("SL003", table, columns), ("SL009", table, columns)}
    if diff.kind in ("add_constraint:check", "remove_constraint:check"):
        return {("SL006", table, name)}
    raise AssertionError(diff)


AUTOGENERATE_ONLY = {
    "history": {("remove_constraint:check", "ck_same", "ck_same_qty_check")},
    "tricky": set(),
}
"""What ``alembic check`` reports and schema-lint rightly does not: the model's unnamed
``CHECK (qty >= 0)`` is the database's ``ck_same_qty_check`` (PostgreSQL named it), but by
name alone autogenerate sees it removed (the false ``remove_constraint`` its users report)."""

SCHEMA_LINT_ONLY = {
    "history": {
        # autogenerate compares check constraints by name only, never their condition
        ("SL006", "ck_text", "ck_text_price"),
        # autogenerate never compares a partial index's predicate (postgresql_where)
        ("SL009", "idx_where", "idx_where_code"),
        # not a difference between the sides: both have the unique key deleted rows block
        ("SL008", "soft_uc", "number,release_id"),
        ("SL008", "soft_ix", "slug"),
    },
    "tricky": {("SL008", "archived", "email"), ("SL008", "archived", "handle")},
}
"""What schema-lint reports and ``alembic check`` cannot see."""


def test_alembic_check_agrees_wherever_it_reports(migrated: Migrated) -> None:
    found = findings(migrated)
    explained: set[Drift] = set()
    unexplained = set()
    for diff in autogenerate(migrated):
        same = corresponding(diff, migrated.database) & found
        explained |= same
        if not same:
            unexplained.add(diff.key)
    assert unexplained == AUTOGENERATE_ONLY[migrated.history]
    assert found - explained == SCHEMA_LINT_ONLY[migrated.history]


def test_alembic_check_reports_a_changed_ondelete_as_a_drop_and_an_add(
    migrated: Migrated,
) -> None:
    """Where autogenerate drops and re-creates a foreign key, schema-lint says once which
    clause differs."""
    diffs = autogenerate(migrated)
    for_keys = {(d.kind, d.table) for d in diffs if d.kind in ("add_fk", "remove_fk")}
    tables = {table for code, table, _ in findings(migrated) if code == "SL005"}
    assert for_keys == {(kind, t) for t in tables for kind in ("add_fk", "remove_fk")}
    assert tables == {t for code, t, _ in EXPECTED[migrated.history] if code == "SL005"}
    if migrated.history != "history":
        return
    messages = {d.payload.table: d.message for d in migrated.diagnostics if d.code == "SL005"}
    assert (
        "ON DELETE is CASCADE in the model and no action in the migrations" in messages["fk_model"]
    )
    assert (
        "ON UPDATE is CASCADE in the model and no action in the migrations" in messages["fk_update"]
    )


def test_without_the_opt_in_plugin_alembic_check_sees_no_check_constraint(
    migrated: Migrated,
) -> None:
    """By default (``alembic check`` as most projects run it) no check constraint is compared:
    all of SL006 is schema-lint's alone."""
    engine = _engine(migrated.url)
    try:
        with engine.connect() as conn:
            raw = compare_metadata(MigrationContext.configure(conn), migrated.metadata)
    finally:
        engine.dispose()
    flat = [e for item in raw for e in (item if isinstance(item, list) else [item])]
    assert not [e for e in flat if isinstance(e[1], sa.CheckConstraint)]
    assert {f for f in findings(migrated) if f[0] == "SL006"} == {
        f for f in EXPECTED[migrated.history] if f[0] == "SL006"
    }
