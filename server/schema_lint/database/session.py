"""A read-only session on a live database: one transaction, rolled back, never written to.

PostgreSQL: ``SET TRANSACTION READ ONLY`` and ``SET LOCAL statement_timeout`` /
``lock_timeout`` open the transaction. SQLite: the file is opened read-only
(``mode=ro``) and ``PRAGMA query_only`` is set; a missing file is an error, never created.
MySQL/MariaDB: ``SET SESSION TRANSACTION READ ONLY`` and a statement time limit. Only
catalog queries and ``SELECT`` from Alembic's version table are issued.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy.engine import URL

from schema_lint.database.errors import DatabaseError
from schema_lint.database.url import display_url, scrub, with_driver

CONNECT_TIMEOUT = 10
"""Seconds to wait for a connection."""
STATEMENT_TIMEOUT = 30.0
"""Seconds any one catalog query may take."""


@contextlib.contextmanager
def read_only(url: URL, *, timeout: float = STATEMENT_TIMEOUT) -> Iterator[sa.Connection]:
    """A connection inside a read-only transaction, rolled back at the end. Failures to
    connect or to set it up are a :class:`DatabaseError` (one line, no password)."""
    url = with_driver(url)
    engine = _engine(url)
    try:
        try:
            connection = engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(
                f"cannot connect to {display_url(url)}: {reason(exc, url)}"
            ) from None
        try:
            with connection:
                try:
                    _restrict(connection, timeout)
                except sa.exc.SQLAlchemyError as exc:
                    raise DatabaseError(
                        f"cannot open a read-only transaction on {display_url(url)}: "
                        f"{reason(exc, url)}"
                    ) from None
                try:
                    yield connection
                finally:
                    with contextlib.suppress(sa.exc.SQLAlchemyError):
                        connection.rollback()
        except sa.exc.SQLAlchemyError as exc:
            raise DatabaseError(f"reading {display_url(url)} failed: {reason(exc, url)}") from None
    finally:
        engine.dispose()


def _engine(url: URL) -> sa.Engine:
    backend = url.get_backend_name()
    connect_args: dict[str, object] = {}
    if backend == "sqlite":
        url = _sqlite_read_only(url)
        connect_args["timeout"] = CONNECT_TIMEOUT
    elif backend == "postgresql" and url.get_driver_name() in ("psycopg", "psycopg2"):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
        connect_args["application_name"] = "schema-lint"
    elif backend in ("mysql", "mariadb"):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    return sa.create_engine(url, poolclass=sa.NullPool, connect_args=connect_args)


def _sqlite_read_only(url: URL) -> URL:
    """A URL that opens the SQLite file read-only; a missing file is an error (SQLite would
    create an empty one)."""
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        if database.startswith("file:"):
            return url.update_query_dict({"uri": "true"})
        raise DatabaseError("an in-memory SQLite database is empty: give the file's path")
    if not os.path.isfile(database):
        raise DatabaseError(f"no SQLite database file at {database}")
    path = os.path.abspath(database)
    return url.set(database=f"file:{path}").update_query_dict({"mode": "ro", "uri": "true"})


def _restrict(connection: sa.Connection, timeout: float) -> None:
    backend = connection.dialect.name
    milliseconds = max(1, int(timeout * 1000))
    if backend == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        connection.exec_driver_sql(f"SET LOCAL statement_timeout = {milliseconds}")
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {milliseconds}")
    elif backend == "sqlite":
        connection.exec_driver_sql("PRAGMA query_only = ON")
    elif backend in ("mysql", "mariadb"):
        connection.rollback()
        connection.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
        limit = (
            f"SET SESSION max_statement_time = {milliseconds / 1000}"
            if connection.dialect.name == "mariadb" or _is_mariadb(connection)
            else f"SET SESSION MAX_EXECUTION_TIME = {milliseconds}"
        )
        connection.exec_driver_sql(limit)


def _is_mariadb(connection: sa.Connection) -> bool:
    return bool(getattr(connection.dialect, "is_mariadb", False))


def reason(exc: BaseException, url: URL) -> str:
    """The driver's own first words about a failure, without the password."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    first = next((line for line in text if line.strip()), type(original).__name__)
    return scrub(first, url)
