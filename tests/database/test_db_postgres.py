"""``schema-lint db`` against a real PostgreSQL 15, migrated with real Alembic.

A fixture project whose models and migrations agree is migrated to head; then each test
alters the database by hand the way production drifts, and the audit must find exactly that
alteration, nothing else, and leave the database byte-for-byte as it was (``pg_dump
--schema-only`` before and after).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
import sqlalchemy as sa
from db_helpers import copy_fixture, db_findings, keys, schema_lint, upgrade
from postgres import PostgresCluster
from schema_lint.database.reflect import reflect
from schema_lint.database.session import read_only

pytestmark = pytest.mark.postgres

M_D = ("models", "database")


@pytest.fixture
def shop(tmp_path: Path, fresh_database: str) -> Iterator[tuple[Path, str]]:
    project = copy_fixture("shop", tmp_path)
    upgrade(project, fresh_database)
    yield project, fresh_database


def _dbname(url: str) -> str:
    return sa.make_url(url).database or ""


def pg_dump(cluster: PostgresCluster, url: str) -> str:
    binary = cluster.bin_dir / "pg_dump"
    command = str(binary) if binary.exists() else shutil.which("pg_dump") or "pg_dump"
    result = subprocess.run(
        [
            command,
            "--schema-only",
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            _dbname(url),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # pg_dump 15.14+ brackets the dump with a random \restrict key: not part of the schema
    lines = result.stdout.splitlines()
    return "\n".join(x for x in lines if not x.startswith(("\\restrict", "\\unrestrict")))


def execute(cluster: PostgresCluster, url: str, *statements: str) -> None:
    with cluster.connect(_dbname(url)) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def test_migrated_database_is_clean(
    shop: tuple[Path, str], postgres_cluster: PostgresCluster
) -> None:
    project, url = shop
    before = pg_dump(postgres_cluster, url)
    result = schema_lint("db", str(project), "--url", url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed!" in result.stdout
    assert pg_dump(postgres_cluster, url) == before


ALTERATIONS = [
    pytest.param(
        ("ALTER TABLE order_tags DROP CONSTRAINT uq_order_tags_order_id_tag_id",),
        {("SL003", "order_tags", "order_id,tag_id", M_D)},
        id="drop-unique",
    ),
    pytest.param(
        ("CREATE INDEX orders_created_idx ON orders (created_at)",),
        {("SL013", "orders", "orders_created_idx", None)},
        id="add-index",
    ),
    pytest.param(
        ("DROP INDEX ix_tags_label",),
        {("SL012", "tags", "ix_tags_label", None)},
        id="drop-index",
    ),
    pytest.param(
        ("ALTER TABLE users ALTER COLUMN name SET NOT NULL",),
        {("SL004", "users", "name", M_D)},
        id="nullability",
    ),
    pytest.param(
        (
            "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey",
            "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) "
            "REFERENCES users (id) ON DELETE SET NULL",
        ),
        {("SL005", "orders", "user_id", M_D)},
        id="fk-ondelete",
    ),
    pytest.param(
        ("ALTER TABLE orders ADD CONSTRAINT total_small CHECK (total < 500)",),
        {("SL006", "orders", "total_small", M_D)},
        id="add-check",
    ),
    pytest.param(
        ("ALTER TABLE billing.invoices ADD COLUMN note text",),
        {("SL013", "billing.invoices", "note", None)},
        id="add-column-other-schema",
    ),
    pytest.param(
        ("UPDATE alembic_version SET version_num = '0002'",),
        {("SL014", None, "revision", None)},
        id="stamp-older",
    ),
]


@pytest.mark.parametrize(("statements", "expected"), ALTERATIONS)
def test_each_alteration_is_found_and_nothing_else(
    shop: tuple[Path, str],
    postgres_cluster: PostgresCluster,
    statements: tuple[str, ...],
    expected: set[tuple[object, ...]],
) -> None:
    project, url = shop
    execute(postgres_cluster, url, *statements)
    before = pg_dump(postgres_cluster, url)
    findings = db_findings(project, url)
    found = {
        (c, t, o, s if c not in ("SL012", "SL013", "SL014") else None)
        for c, t, o, s in keys(findings)
    }
    assert found == expected, [f["message"] for f in findings]
    assert pg_dump(postgres_cluster, url) == before


def test_odd_one_out_names_the_database(
    shop: tuple[Path, str], postgres_cluster: PostgresCluster
) -> None:
    project, url = shop
    execute(postgres_cluster, url, "ALTER TABLE users ALTER COLUMN name SET NOT NULL")
    [finding] = db_findings(project, url)
    assert finding["message"] == (
        "column `users.name` is nullable in the model but NOT NULL in the database (the "
        "migrations agree with the model: the database is the odd one out)"
    )
    assert finding["side"] == "database" and finding["sides"] == ["models", "database"]
    assert finding["fix"] is None  # the model is right: no model fix
    assert any("0001_users_tags.py" in r["filename"] for r in finding["related"])


def test_session_is_read_only(shop: tuple[Path, str]) -> None:
    _, url = shop
    with read_only(sa.make_url(url), timeout=5) as connection:
        assert connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "5s"
        reflection = reflect(connection, ["billing"])
        assert reflection.stamped == ("0003",)
        assert "billing.invoices" in reflection.schema.tables
        with pytest.raises(sa.exc.InternalError, match="read-only transaction"):
            connection.exec_driver_sql("CREATE TABLE intruder (id int)")


SECRET = "s3cr3t-P@ss"


def _without_secret(result: subprocess.CompletedProcess[str]) -> None:
    assert SECRET not in result.stdout + result.stderr
    assert "s3cr3t-P%40ss" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_bad_url(tmp_path: Path) -> None:
    result = schema_lint("db", str(tmp_path), "--url", f"::not a url {SECRET}")
    assert result.returncode == 2
    assert "cannot be read" in result.stderr
    _without_secret(result)
    unencoded = schema_lint("db", str(tmp_path), "--url", f"postgresql://a:{SECRET}@h/db")
    assert unencoded.returncode == 2 and "percent-encode the password" in unencoded.stderr
    _without_secret(unencoded)
    assert "ss@" not in unencoded.stderr


def test_unreachable_host(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://app:{quote(SECRET)}@127.0.0.1:{port}/app"
    result = schema_lint("db", str(tmp_path), "--url", url)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert "cannot connect to postgresql+psycopg://app:***@127.0.0.1" in result.stderr
    _without_secret(result)


def test_wrong_password(
    postgres_cluster: PostgresCluster, fresh_database: str, tmp_path: Path
) -> None:
    hba = postgres_cluster.data_dir / "pg_hba.conf"
    rules = hba.read_text()
    with postgres_cluster.connect() as conn:
        conn.execute("DROP ROLE IF EXISTS pw_auditor")
        conn.execute("CREATE ROLE pw_auditor LOGIN PASSWORD 'the-right-one'")
    hba.write_text("host all pw_auditor 127.0.0.1/32 scram-sha-256\n" + rules)
    try:
        with postgres_cluster.connect() as conn:
            conn.execute("SELECT pg_reload_conf()")
        url = sa.make_url(fresh_database).set(username="pw_auditor", password=SECRET)
        result = schema_lint(
            "db", str(tmp_path), env={"SCHEMA_LINT_DATABASE_URL": url.render_as_string(False)}
        )
        assert result.returncode == 2
        assert "password authentication failed" in result.stderr
        _without_secret(result)
    finally:
        hba.write_text(rules)
        with postgres_cluster.connect() as conn:
            conn.execute("SELECT pg_reload_conf()")


@pytest.mark.parametrize(
    ("url", "package"),
    [
        (f"postgresql+psycopg2://app:{quote(SECRET)}@127.0.0.1:1/app", "schema-lint[postgresql]"),
        (f"mysql+pymysql://app:{quote(SECRET)}@127.0.0.1:1/app", "schema-lint[mysql]"),
    ],
)
def test_missing_driver(tmp_path: Path, url: str, package: str) -> None:
    result = schema_lint("db", str(tmp_path), "--url", url)
    assert result.returncode == 2
    assert "is not installed" in result.stderr and package in result.stderr
    _without_secret(result)


def test_role_without_access_to_a_schema(
    shop: tuple[Path, str], postgres_cluster: PostgresCluster
) -> None:
    project, url = shop
    execute(
        postgres_cluster,
        url,
        "DROP ROLE IF EXISTS limited_auditor",
        "CREATE ROLE limited_auditor LOGIN",
        "GRANT SELECT ON alembic_version TO limited_auditor",
    )
    limited = sa.make_url(url).set(username="limited_auditor", password=SECRET)
    try:
        result = schema_lint("db", str(project), "--url", limited.render_as_string(False))
        assert result.returncode == 2
        assert "may not use schema `billing`" in result.stderr
        assert result.stderr.count("\n") == 1
        _without_secret(result)
    finally:
        execute(
            postgres_cluster,
            url,
            "REVOKE ALL ON alembic_version FROM limited_auditor",
            "DROP ROLE limited_auditor",
        )


def test_url_from_the_configured_variable(shop: tuple[Path, str]) -> None:
    project, url = shop
    (project / "pyproject.toml").write_text(
        '[project]\nname = "shop"\nversion = "0"\n\n'
        '[tool.schema-lint]\ndatabase-url-env = "SHOP_DB"\n'
    )
    result = schema_lint("db", str(project), env={"SHOP_DB": url})
    assert result.returncode == 0, result.stderr
    missing = schema_lint("db", str(project))
    assert missing.returncode == 2 and "$SHOP_DB, which is not set" in missing.stderr


def test_psycopg_version_table_untouched(
    shop: tuple[Path, str], postgres_cluster: PostgresCluster
) -> None:
    project, url = shop
    with postgres_cluster.connect(_dbname(url)) as conn:
        xmin = conn.execute("SELECT xmin::text, version_num FROM alembic_version").fetchall()
    assert schema_lint("db", str(project), "--url", url).returncode == 0
    with postgres_cluster.connect(_dbname(url)) as conn:
        assert (
            conn.execute("SELECT xmin::text, version_num FROM alembic_version").fetchall() == xmin
        )
    assert isinstance(conn, psycopg.Connection)


def test_plain_postgresql_urls_use_the_installed_driver(shop: tuple[Path, str]) -> None:
    project, url = shop
    plain = sa.make_url(url).set(drivername="postgresql").render_as_string(False)
    heroku = plain.replace("postgresql://", "postgres://", 1)
    for given in (plain, heroku):
        result = schema_lint("db", str(project), "--url", given)
        assert result.returncode == 0, result.stderr
