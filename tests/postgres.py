"""A throwaway PostgreSQL cluster for the tests that need the real database.

``start_cluster()`` runs ``initdb`` in a fresh temporary directory and starts ``postgres`` on a
free local port (plus a private unix socket directory), as ``nobody`` when the tests run as
root, and waits until it accepts connections. ``PostgresCluster.stop()`` shuts it down (fast
mode), waits for the postmaster to exit and removes the directory. The pytest fixtures at the
bottom wrap both: one cluster per test session, one fresh database per test.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

SUPERUSER = "postgres"
UNPRIVILEGED_USER = "nobody"
START_TIMEOUT = 120.0
"""Seconds to wait for the cluster to accept connections (slow CI machines included)."""
STOP_TIMEOUT = 60.0
POLL_INTERVAL = 0.05
START_ATTEMPTS = 3
"""A free port may be taken between choosing and binding it: start again on another one."""

_SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    # Durability is worthless for a throwaway cluster; these make DDL much faster.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "100",
}


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server binaries (or an unprivileged user to run them) are missing."""


def find_bin_dir() -> Path:
    """The directory holding ``initdb`` and ``postgres``: from PATH, else Debian's layout."""
    candidates: list[Path] = []
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).resolve().parent)
    candidates.extend(
        sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    )
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "postgres")):
            return directory
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, postgres) not found on PATH "
        "nor under /usr/lib/postgresql/*/bin"
    )


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in path.parent.name.split(".") if part.isdigit())


@dataclass(frozen=True, slots=True)
class _RunAs:
    """Keyword arguments for ``subprocess`` that drop root privileges, if we have them."""

    uid: int | None = None
    gid: int | None = None

    @classmethod
    def current(cls) -> _RunAs:
        if os.geteuid() != 0:
            return cls()
        try:
            entry = pwd.getpwnam(UNPRIVILEGED_USER)
        except KeyError as exc:
            raise PostgresUnavailable(
                f"running as root and there is no {UNPRIVILEGED_USER!r} user to run "
                "PostgreSQL as (initdb refuses to run as root)"
            ) from exc
        return cls(uid=entry.pw_uid, gid=entry.pw_gid)

    def kwargs(self) -> dict[str, Any]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def chown(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)

    def temp_parent(self) -> str | None:
        """Where to create the cluster's directory: the usual temporary directory, unless
        the unprivileged user could not reach it (e.g. ``TMPDIR`` under ``/root``)."""
        if self.uid is None:
            return None
        default = Path(tempfile.gettempdir()).resolve()
        reachable = all(
            os.stat(directory).st_mode & stat.S_IXOTH for directory in (default, *default.parents)
        )
        return None if reachable else "/tmp"


@dataclass(slots=True)
class PostgresCluster:
    """A running throwaway cluster; ``stop()`` ends it and deletes everything it wrote."""

    root: Path
    bin_dir: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for psycopg 3 (TCP on 127.0.0.1, trust authentication)."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def connect(
        self, database: str = "postgres", *, connect_timeout: int = 10
    ) -> psycopg.Connection[Any]:
        """An autocommit psycopg connection as the superuser."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=SUPERUSER,
            dbname=database,
            autocommit=True,
            connect_timeout=connect_timeout,
        )

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a random name by default) and return its name."""
        name = name or f"test_{uuid.uuid4().hex[:12]}"
        with self.connect() as conn:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if conn.info.server_version >= 150000:
                # copying template1's files beats WAL-logging them for a tiny database
                statement += sql.SQL(" STRATEGY FILE_COPY")
            conn.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever still uses it."""
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self) -> None:
        """Fast shutdown, wait for the postmaster to exit, then remove the directory."""
        try:
            if self.process is not None:
                _terminate(self.process)
        finally:
            self.process = None
            shutil.rmtree(self.root, ignore_errors=True)


def _terminate(process: subprocess.Popen[bytes]) -> None:
    # SIGINT is PostgreSQL's "fast" shutdown (disconnect clients, checkpoint, exit); SIGQUIT
    # is "immediate"; SIGKILL leaves orphaned backends only until they notice, so it is last.
    for sig, timeout in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 10.0)):
        if process.poll() is not None:
            return
        process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout)
    if process.poll() is None:
        process.kill()
        process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the server get SIGQUIT if the test process dies hard.

    Normal teardown stops the cluster; this only covers ``kill -9`` of pytest or ``os._exit``
    (pytest-timeout's thread method), so that no server outlives the session. Linux only.
    """
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()

    def preexec() -> None:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGQUIT)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGQUIT)

    return preexec


def _server_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update(LC_ALL="C", LANG="C", TZ="UTC")
    return env


def start_cluster(*, timeout: float = START_TIMEOUT) -> PostgresCluster:
    """Initialise and start a cluster; the caller must ``stop()`` it."""
    bin_dir = find_bin_dir()
    run_as = _RunAs.current()
    root = Path(tempfile.mkdtemp(prefix="schema-lint-pg-", dir=run_as.temp_parent()))
    cluster = PostgresCluster(root=root, bin_dir=bin_dir, port=0)
    try:
        run_as.chown(cluster.root)
        _initdb(cluster, run_as)
        cluster.socket_dir.mkdir()
        run_as.chown(cluster.socket_dir)
        for attempt in range(1, START_ATTEMPTS + 1):
            cluster.port = _free_port()
            cluster.process = _spawn_server(cluster, run_as)
            try:
                _wait_until_ready(cluster, timeout)
            except _ServerExited:
                cluster.process = None
                if attempt == START_ATTEMPTS or "could not bind" not in cluster.log():
                    raise
            else:
                return cluster
    except BaseException:
        cluster.stop()
        raise
    raise AssertionError("unreachable")  # pragma: no cover


def _initdb(cluster: PostgresCluster, run_as: _RunAs) -> None:
    result = subprocess.run(
        [
            str(cluster.bin_dir / "initdb"),
            "--pgdata",
            str(cluster.data_dir),
            "--username",
            SUPERUSER,
            "--auth",
            "trust",
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            "--no-sync",
            "--no-instructions",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=_server_environment(),
        cwd=cluster.root,
        check=False,
        **run_as.kwargs(),
    )
    if result.returncode != 0:
        output = result.stdout.decode(errors="replace")
        raise RuntimeError(f"initdb failed with exit code {result.returncode}:\n{output}")


def _spawn_server(cluster: PostgresCluster, run_as: _RunAs) -> subprocess.Popen[bytes]:
    settings = [f"--{key.replace('_', '-')}={value}" for key, value in _SERVER_SETTINGS.items()]
    with open(cluster.log_file, "wb") as log:
        return subprocess.Popen(
            [
                str(cluster.bin_dir / "postgres"),
                "-D",
                str(cluster.data_dir),
                "-p",
                str(cluster.port),
                "-k",
                str(cluster.socket_dir),
                *settings,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=_server_environment(),
            cwd=cluster.root,
            preexec_fn=_die_with_parent(),
            **run_as.kwargs(),
        )


class _ServerExited(RuntimeError):
    pass


def _wait_until_ready(cluster: PostgresCluster, timeout: float) -> None:
    assert cluster.process is not None
    deadline = time.monotonic() + timeout
    while True:
        code = cluster.process.poll()
        if code is not None:
            raise _ServerExited(f"postgres exited with code {code}:\n{cluster.log()}")
        try:
            with cluster.connect(connect_timeout=5) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                _terminate(cluster.process)
                raise TimeoutError(
                    f"PostgreSQL did not accept connections within {timeout:.0f}s: {exc}\n"
                    f"{cluster.log()}"
                ) from exc
        time.sleep(POLL_INTERVAL)


# --- pytest fixtures (re-exported by tests/conftest.py) ---------------------------------------

POSTGRES_FIXTURES = frozenset({"postgres_cluster", "postgres_url", "fresh_database"})
"""Tests that use any of these are marked ``postgres`` automatically (see conftest.py)."""


def start_cluster_or_skip() -> PostgresCluster:
    """``start_cluster()`` for tests: skips when PostgreSQL is not installed.

    When the environment variable ``CI`` is set it fails instead, so that a broken CI image
    cannot silently skip every PostgreSQL test.
    """
    try:
        return start_cluster()
    except PostgresUnavailable as exc:
        if "CI" in os.environ:
            pytest.fail(f"{exc} (CI is set: PostgreSQL tests must not be skipped)")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the whole session (see start_cluster_or_skip)."""
    cluster = start_cluster_or_skip()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """SQLAlchemy URL (``postgresql+psycopg://``) of the session cluster's ``postgres`` db."""
    return postgres_cluster.url()


@pytest.fixture
def fresh_database(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """SQLAlchemy URL of a new, empty database, dropped (connections and all) after the test."""
    name = postgres_cluster.create_database()
    try:
        yield postgres_cluster.url(name)
    finally:
        postgres_cluster.drop_database(name)
