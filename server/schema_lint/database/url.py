"""Database URLs: where one comes from, how it is shown, and which driver it needs.

A URL is only ever shown through :func:`display_url` (the password replaced by ``***``), and
every message built from a driver's error goes through :func:`scrub`.
"""

from __future__ import annotations

import importlib.util
import os
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from schema_lint.database.errors import DatabaseError

URL_VARIABLE = "SCHEMA_LINT_DATABASE_URL"

EXTRAS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
"""The ``schema-lint[...]`` extra that installs a driver for a backend."""

DRIVER_PACKAGES = {
    "psycopg": "psycopg[binary]",
    "psycopg2": "psycopg2-binary",
    "asyncpg": "asyncpg",
    "pg8000": "pg8000",
    "pymysql": "pymysql",
    "mysqldb": "mysqlclient",
    "mysqlconnector": "mysql-connector-python",
    "mariadbconnector": "mariadb",
    "pyodbc": "pyodbc",
    "oracledb": "oracledb",
    "cx_oracle": "cx_Oracle",
}
"""What to ``pip install`` for a SQLAlchemy driver name."""

_DRIVER_MODULES = {
    "psycopg": "psycopg",
    "psycopg2": "psycopg2",
    "pymysql": "pymysql",
    "mysqldb": "MySQLdb",
}
_FALLBACK = {("postgresql", "psycopg2"): "psycopg", ("mysql", "mysqldb"): "pymysql"}
"""A URL without a driver names SQLAlchemy's default one; when only this other driver is
installed, it is used instead (``postgresql://`` works with ``schema-lint[postgresql]``)."""
_ASYNC_DRIVERS = {"asyncpg": "psycopg", "aiomysql": "pymysql", "aiosqlite": "pysqlite"}
"""Async drivers (an application's URL) and the synchronous one read instead."""


@dataclass(frozen=True, slots=True)
class DatabaseURL:
    """A parsed URL and where it came from (for messages)."""

    url: URL
    source: str
    """``--url``, ``$SCHEMA_LINT_DATABASE_URL`` or ``$NAME (database-url-env)``."""

    @property
    def display(self) -> str:
        return display_url(self.url)

    @property
    def backend(self) -> str:
        return self.url.get_backend_name()


def display_url(url: URL) -> str:
    """The URL as it may be printed: its password replaced by ``***``."""
    return url.render_as_string(hide_password=True)


def resolve_url(
    given: str | None, env_name: str | None, environ: Mapping[str, str] | None = None
) -> DatabaseURL:
    """The URL to audit: ``--url``, else ``$SCHEMA_LINT_DATABASE_URL``, else the variable
    ``[tool.schema-lint] database-url-env`` names."""
    environ = os.environ if environ is None else environ
    if given:
        return DatabaseURL(parse_url(given, "--url"), "--url")
    if environ.get(URL_VARIABLE):
        source = f"${URL_VARIABLE}"
        return DatabaseURL(parse_url(environ[URL_VARIABLE], source), source)
    if env_name:
        value = environ.get(env_name)
        if not value:
            raise DatabaseError(
                f"[tool.schema-lint] database-url-env names ${env_name}, which is not set"
            )
        source = f"${env_name} (database-url-env)"
        return DatabaseURL(parse_url(value, source), source)
    raise DatabaseError(
        f"no database URL: pass --url, set ${URL_VARIABLE}, or name the variable that holds "
        'it with [tool.schema-lint] database-url-env = "DATABASE_URL"'
    )


def parse_url(text: str, source: str) -> URL:
    """The URL ``text`` (from ``source``); the error never repeats the text, which may hold
    a password."""
    try:
        url = make_url(text.strip())
    except (ArgumentError, ValueError):
        raise DatabaseError(
            f"the database URL from {source} cannot be read: expected "
            "dialect[+driver]://user:password@host:port/database (or sqlite:///path)"
        ) from None
    if url.host and "@" in url.host:
        raise DatabaseError(
            f"the database URL from {source} has an `@` after the user's: percent-encode the "
            "password (`@` is %40, `:` is %3A, `/` is %2F)"
        )
    backend, _, driver = url.drivername.partition("+")
    if backend == "postgres":  # Heroku's and libpq's spelling
        url = url.set(drivername=f"postgresql+{driver}" if driver else "postgresql")
    if driver in _ASYNC_DRIVERS:
        url = url.set(drivername=f"{url.get_backend_name()}+{_ASYNC_DRIVERS[driver]}")
    return url


def with_driver(url: URL) -> URL:
    """``url`` with a driver that is installed, or a :class:`DatabaseError` naming the
    package to install."""
    try:
        dialect = url.get_dialect()
    except Exception:  # NoSuchModuleError, or a plugin that fails to load
        raise DatabaseError(
            f"unknown database `{url.get_backend_name()}` in the URL (supported: postgresql, "
            "sqlite, mysql, mariadb; others where SQLAlchemy has a dialect)"
        ) from None
    driver = url.get_driver_name()
    backend = url.get_backend_name()
    if _importable(dialect, driver):
        return url
    fallback = _FALLBACK.get((backend, driver))
    if "+" not in url.drivername and fallback and _module_present(fallback):
        return url.set(drivername=f"{backend}+{fallback}")
    package = DRIVER_PACKAGES.get(driver, driver)
    extra = EXTRAS.get(backend)
    hint = f"pip install '{package}'"
    if extra is not None:
        suggested = "psycopg" if extra == "postgresql" else "pymysql"
        hint = (
            f"pip install 'schema-lint[{extra}]' (and write {backend}+{suggested}:// in the URL) "
            f"or pip install '{package}'"
        )
    raise DatabaseError(f"the database driver `{driver}` is not installed: {hint}")


def _importable(dialect: type, driver: str) -> bool:
    module = _DRIVER_MODULES.get(driver)
    if module is not None:
        return _module_present(module)
    try:
        dialect.import_dbapi()  # type: ignore[attr-defined]
    except ImportError:
        return False
    return True


def _module_present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def scrub(text: str, url: URL) -> str:
    """``text`` without the URL's password (plain or percent-encoded), on one line."""
    password = url.password
    line = " ".join(str(text).split())
    if password:
        secret = str(password)
        for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote(secret)}:
            if form:
                line = line.replace(form, "***")
    return line
