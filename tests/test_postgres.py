"""The throwaway PostgreSQL cluster of ``tests/postgres.py``, tested on its own."""

from __future__ import annotations

import os
import pwd
from pathlib import Path

import postgres
import psycopg
import pytest
import sqlalchemy as sa
from postgres import PostgresCluster, PostgresUnavailable, start_cluster_or_skip


def test_postgres_url_accepts_connections(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version_num")).scalar_one()
            user = conn.execute(sa.text("SELECT current_user")).scalar_one()
    finally:
        engine.dispose()
    assert postgres_url.startswith("postgresql+psycopg://")
    assert int(version) // 10000 >= 15
    assert user == "postgres"


def test_cluster_runs_unprivileged(postgres_cluster: PostgresCluster) -> None:
    owner = os.stat(postgres_cluster.data_dir).st_uid
    if os.geteuid() == 0:
        assert owner == pwd.getpwnam("nobody").pw_uid
    else:
        assert owner == os.geteuid()
    assert postgres_cluster.process is not None
    assert postgres_cluster.process.poll() is None


def test_fresh_database_is_empty(fresh_database: str) -> None:
    engine = sa.create_engine(fresh_database, poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            name = conn.execute(sa.text("SELECT current_database()")).scalar_one()
            assert sa.inspect(conn).get_table_names() == []
    finally:
        engine.dispose()
    assert name.startswith("test_")


def test_databases_are_separate_and_dropped_despite_open_sessions(
    postgres_cluster: PostgresCluster,
) -> None:
    first, second = postgres_cluster.create_database(), postgres_cluster.create_database()
    with postgres_cluster.connect(first) as conn:
        conn.execute("CREATE TABLE only_here (id int)")
    with postgres_cluster.connect(second) as conn:
        tables = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        assert tables.fetchall() == []

    lingering = postgres_cluster.connect(first)
    postgres_cluster.drop_database(first)
    postgres_cluster.drop_database(second)
    with pytest.raises(psycopg.OperationalError):
        lingering.execute("SELECT 1")
    lingering.close()
    with postgres_cluster.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert not {first, second} & names


@pytest.mark.postgres
def test_stop_leaves_no_process_and_no_directory() -> None:
    cluster = start_cluster_or_skip()
    process = cluster.process
    assert process is not None
    with cluster.connect() as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
    cluster.stop()
    assert process.poll() is not None
    assert not cluster.root.exists()
    assert _processes_mentioning(cluster.root) == []


def _processes_mentioning(root: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if str(root) in cmdline:
            found.append(f"{proc.name}: {cmdline}")
    return found


def _missing() -> Path:
    raise PostgresUnavailable("PostgreSQL server binaries not found (simulated)")


def test_missing_binaries_skip_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "find_bin_dir", _missing)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="simulated"):
        start_cluster_or_skip()


def test_missing_binaries_fail_on_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "find_bin_dir", _missing)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        start_cluster_or_skip()
