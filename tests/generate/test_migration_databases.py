"""Generated revisions against the real thing: real Alembic on PostgreSQL and SQLite.

For each fixture project: migrate a fresh database to the current head, fix the model-side
findings and generate the revision, ``alembic upgrade head``; the reflected schema then equals
what the imported models' ``MetaData`` declares (nullability, unique keys, indexes with their
predicates, foreign keys with ``ON DELETE``, check constraints), a duplicate pair is rejected,
and ``alembic downgrade -1`` gives back exactly the schema reflected before. On a database
that already holds duplicates, ``--dedupe fail`` stops with the listing and changes nothing,
and ``--dedupe keep-lowest`` leaves one row per pair, the lowest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from generate_helpers import (
    compared,
    connection,
    copy_fixture,
    declared,
    downgrade,
    fix_and_generate,
    import_models,
    primary_key_nullability,
    reflect,
    schema_lint,
    upgrade,
)

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
BACKENDS = [SQLITE, pytest.param(POSTGRESQL, marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == SQLITE:
        return f"sqlite:///{tmp_path / 'test.db'}"
    url: str = request.getfixturevalue("fresh_database")
    return url


def _blog_rows(conn: sa.Connection) -> None:
    conn.execute(sa.text("INSERT INTO authors (id, name, email, bio) VALUES (1, 'a', 'a@x', 'b')"))
    conn.execute(
        sa.text(
            "INSERT INTO posts (id, author_id, title, slug, status, created_at) "
            "VALUES (1, 1, 't', 's', 'draft', '2025-01-01 00:00:00')"
        )
    )
    conn.execute(sa.text("INSERT INTO tags (id, name) VALUES (1, 'x'), (2, 'y'), (3, 'z')"))


def _shop_rows(conn: sa.Connection) -> None:
    conn.execute(sa.text("INSERT INTO customers (id, email) VALUES (1, 'c@x')"))
    conn.execute(sa.text("INSERT INTO orders (id, customer_id) VALUES (1, 1)"))
    conn.execute(sa.text("INSERT INTO products (id, sku, price) VALUES (1, 'p', 10), (2, 'q', 5)"))


def _two_envs_rows(conn: sa.Connection) -> None:
    conn.execute(sa.text("INSERT INTO users (id, email) VALUES (1, 'u@x')"))
    conn.execute(sa.text("INSERT INTO groups (id, name) VALUES (1, 'g'), (2, 'h')"))


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    configs: tuple[str, ...]
    models: str
    metadata: Callable[[Any], sa.MetaData]
    junction: tuple[str, str, str]
    """A junction table and its pair, which the revision makes unique."""
    parents: Callable[[sa.Connection], None]
    """Rows the junction's pairs refer to: pairs (1, 1), (1, 2), (1, 3) may be inserted."""

    def __str__(self) -> str:
        return self.name


CASES = [
    Case(
        "blog_classic",
        ("alembic.ini",),
        "app/models.py",
        lambda m: m.Base.metadata,
        ("post_tags", "post_id", "tag_id"),
        _blog_rows,
    ),
    Case(
        "shop_naming",
        ("alembic.ini",),
        "app/models.py",
        lambda m: m.Base.metadata,
        ("order_products", "order_id", "product_id"),
        _shop_rows,
    ),
    Case(
        "two_envs",
        ("app/alembic.ini", "audit/alembic.ini"),
        "models.py",
        lambda m: m.db.metadata,
        ("user_groups", "user_id", "group_id"),
        _two_envs_rows,
    ),
]


def _insert_pairs(url: str, case: Case, pairs: list[tuple[int, int, int]]) -> None:
    table, left, right = case.junction
    with connection(url) as conn:
        for row in pairs:
            conn.execute(
                sa.text(f"INSERT INTO {table} (id, {left}, {right}) VALUES (:i, :a, :b)"),
                {"i": row[0], "a": row[1], "b": row[2]},
            )


def _upgrade_all(project: Path, case: Case, url: str) -> None:
    for config in case.configs:
        upgrade(project / config, url)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_upgrade_matches_the_models_and_downgrade_restores(
    case: Case, backend: str, database_url: str, tmp_path: Path
) -> None:
    project = copy_fixture(case.name, tmp_path)
    _upgrade_all(project, case, database_url)
    before = reflect(database_url)

    fix_and_generate(project)
    _upgrade_all(project, case, database_url)

    metadata = case.metadata(import_models(project / case.models))
    primary_key_nullability(metadata)
    expected = declared(metadata, backend)
    actual = {name: table for name, table in compared(reflect(database_url)).items()}
    assert actual == expected

    with connection(database_url) as conn:
        case.parents(conn)
    _insert_pairs(database_url, case, [(1, 1, 1)])
    with pytest.raises(sa.exc.IntegrityError):
        _insert_pairs(database_url, case, [(2, 1, 1)])

    for config in reversed(case.configs):
        downgrade(project / config, database_url)
    assert reflect(database_url) == before
    _insert_pairs(database_url, case, [(2, 1, 1)])  # the pair is no longer unique


# --- databases that hold duplicates already ----------------------------------------------------

BLOG = CASES[0]
DUPLICATES = [(1, 1, 1), (2, 1, 1), (3, 1, 1), (4, 1, 2), (5, 1, 2), (6, 1, 3)]
"""Two groups of duplicate pairs: (1, 1) three times, (1, 2) twice; (1, 3) once."""


def _seeded(tmp_path: Path, url: str, *, dedupe: str) -> Path:
    project = copy_fixture(BLOG.name, tmp_path)
    _upgrade_all(project, BLOG, url)
    with connection(url) as conn:
        BLOG.parents(conn)
    _insert_pairs(url, BLOG, DUPLICATES)
    fix_and_generate(project, "--dedupe", dedupe)
    return project


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with connection(url) as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "sqlite_sequence"]
        return {
            table: sorted(tuple(row) for row in conn.execute(sa.text(f"SELECT * FROM {table}")))
            for table in tables
        }


def test_dedupe_fail_stops_with_the_listing_and_changes_nothing(
    backend: str, database_url: str, tmp_path: Path
) -> None:
    project = _seeded(tmp_path, database_url, dedupe="fail")
    schema, rows = reflect(database_url), _rows(database_url)
    with pytest.raises(RuntimeError) as stopped:
        upgrade(project / "alembic.ini", database_url)
    message = str(stopped.value)
    assert message.startswith(
        "post_tags holds 2 group(s) of rows with the same (post_id, tag_id): the unique "
        "constraint uq_post_tags_post_id_tag_id cannot be created. See them with: "
    )
    assert reflect(database_url) == schema
    assert _rows(database_url) == rows  # alembic_version included: still at 0002
    query = message.split("See them with: ", 1)[1]
    with connection(database_url) as conn:
        listed = sorted(tuple(row) for row in conn.execute(sa.text(query)))
    assert listed == [(1, 1, 3), (1, 2, 2)]


def test_dedupe_keep_lowest_leaves_one_row_per_pair(
    backend: str, database_url: str, tmp_path: Path
) -> None:
    project = _seeded(tmp_path, database_url, dedupe="keep-lowest")
    revision = next(project.rglob("versions/*_0003_*.py")).read_text("utf-8")
    assert "--dedupe keep-lowest: of each group of post_tags rows" in revision
    upgrade(project / "alembic.ini", database_url)
    assert _rows(database_url)["post_tags"] == [(1, 1, 1), (4, 1, 2), (6, 1, 3)]
    with pytest.raises(sa.exc.IntegrityError):
        _insert_pairs(database_url, BLOG, [(7, 1, 3)])


def test_not_null_checks_for_nulls_first(backend: str, database_url: str, tmp_path: Path) -> None:
    project = copy_fixture(BLOG.name, tmp_path)
    _upgrade_all(project, BLOG, database_url)
    with connection(database_url) as conn:
        conn.execute(sa.text("INSERT INTO authors (id, name, bio) VALUES (1, NULL, 'b')"))
    fix_and_generate(project)
    schema, rows = reflect(database_url), _rows(database_url)
    with pytest.raises(RuntimeError, match=re.escape("authors.name is NULL in 1 row(s)")):
        upgrade(project / "alembic.ini", database_url)
    assert reflect(database_url) == schema
    assert _rows(database_url) == rows


def test_offline_sql_skips_the_checks(tmp_path: Path) -> None:
    """``alembic upgrade --sql`` cannot count rows: the checks are skipped, the DDL printed."""
    import io
    from contextlib import redirect_stdout

    from alembic import command
    from generate_helpers import alembic_config

    project = copy_fixture(BLOG.name, tmp_path)
    fix_and_generate(project, "--dedupe", "keep-lowest")
    out = io.StringIO()
    with redirect_stdout(out):
        command.upgrade(
            alembic_config(project / "alembic.ini", "postgresql://"), "0002:head", sql=True
        )
    sql = out.getvalue()
    assert "DELETE FROM post_tags WHERE" in sql
    assert "ALTER TABLE post_tags ADD CONSTRAINT uq_post_tags_post_id_tag_id UNIQUE" in sql
    assert "SELECT COUNT(*)" not in sql
    assert schema_lint("check", str(project)).code == 0


def test_concurrently_builds_indexes_outside_the_transaction(
    backend: str, database_url: str, tmp_path: Path
) -> None:
    project = copy_fixture("shop_naming", tmp_path)
    upgrade(project / "alembic.ini", database_url)
    before = reflect(database_url)
    run = schema_lint("migration", str(project), "--concurrently", "--select", "SL006,SL007")
    assert run.code == 0, run.err
    (path,) = (project / "alembic" / "extra").glob("*_match_the_models_on_products.py")
    text = path.read_text("utf-8")
    block = text.index("with op.get_context().autocommit_block():")
    assert text.index("postgresql_concurrently=True", block) > block
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", record)
    try:
        upgrade(project / "alembic.ini", database_url)
    finally:
        sa.event.remove(sa.Engine, "before_cursor_execute", record)
    if backend == POSTGRESQL:
        assert any(s.startswith("CREATE INDEX CONCURRENTLY ix_products_sku") for s in statements)
    indexes = compared(reflect(database_url))["products"]["indexes"]
    assert ("ix_products_sku", ("sku",), False, None) in indexes
    downgrade(project / "alembic.ini", database_url)
    assert reflect(database_url) == before
