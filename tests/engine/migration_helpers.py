"""Small builders shared by the engine's unit tests."""

from __future__ import annotations

import ast
import textwrap

from schema_lint.extract.migrations import extract_migration
from schema_lint.facts.migrations import Migration
from schema_lint.facts.schema import Schema
from schema_lint.schema.replay import replay_migrations


def migration(source: str, path: str = "rev.py", dialect: str = "postgresql") -> Migration:
    text = textwrap.dedent(source)
    result = extract_migration(path, text, ast.parse(text), dialect=dialect)
    assert result is not None
    return result


def header(revision: str, down: str | None = None) -> str:
    return (
        "from alembic import op\nimport sqlalchemy as sa\n"
        f"revision = {revision!r}\ndown_revision = {down!r}\n"
    )


def replay(*sources: str, dialect: str = "postgresql", **kw: object) -> Schema:
    migrations = [migration(src, f"{i:04d}.py", dialect) for i, src in enumerate(sources)]
    return replay_migrations(migrations, dialect=dialect, **kw)  # type: ignore[arg-type]
