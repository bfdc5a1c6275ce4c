"""Shared pytest configuration.

PostgreSQL: the fixtures ``postgres_cluster`` (session), ``postgres_url`` (session) and
``fresh_database`` (per test) come from ``tests/postgres.py``; any test using one of them is
marked ``postgres`` (select with ``-m postgres``, leave out with ``-m "not postgres"``).
"""

from __future__ import annotations

import pytest
from postgres import POSTGRES_FIXTURES, fresh_database, postgres_cluster, postgres_url

__all__ = ["fresh_database", "postgres_cluster", "postgres_url"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if POSTGRES_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)
