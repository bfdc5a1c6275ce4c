"""A small project built in each test, and the ``schema-lint`` command run on it.

The project has two known findings, so that a test can tell that everything besides the
hostile input was still read: SL001 on the ``user_roles`` junction and SL002 (a safe fix)
on ``tags``, whose migration creates ``ix_tags_name``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

MODELS = """\
from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)


user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id")),
    Column("role_id", ForeignKey("roles.id")),
)


class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
"""

REVISION = '''\
"""initial"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("roles", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(
        "user_roles",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("role_id", sa.Integer(), sa.ForeignKey("roles.id")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.create_index("ix_tags_name", "tags", ["name"])


def downgrade():
    pass
'''

ALEMBIC_INI = "[alembic]\nscript_location = migrations\n"
ENV = "from alembic import context\n"

KNOWN = [("SL001", "app/models.py"), ("SL002", "app/models.py")]
"""The findings of the project as built, whatever a test adds to it."""


def make_project(root: Path) -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'robust'\n",
        "alembic.ini": ALEMBIC_INI,
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "migrations/env.py": ENV,
        "migrations/versions/0001_initial.py": REVISION,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def run(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    prefix: tuple[str, ...] = (),
    command: tuple[str, ...] | None = None,
    timeout: float = 180,
    preexec_fn: Callable[[], Any] | None = None,
) -> subprocess.CompletedProcess[str]:
    """``schema-lint ARGS`` in a process of its own: a crash fails the test, not pytest."""
    base = command or (sys.executable, "-m", "schema_lint")
    return subprocess.run(
        [*prefix, *base, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec_fn,
    )


def findings(result: subprocess.CompletedProcess[str], root: Path) -> list[dict[str, Any]]:
    """The JSON findings, each with its path relative to ``root``."""
    data = json.loads(result.stdout)
    for item in data:
        item["path"] = os.path.relpath(item["filename"], root).replace(os.sep, "/")
    return sorted(data, key=lambda d: (d["path"], d["location"]["row"], d["code"]))


def codes(result: subprocess.CompletedProcess[str], root: Path) -> list[tuple[str, str]]:
    return sorted((d["code"], d["path"]) for d in findings(result, root))


def assert_no_crash(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode >= 0, f"killed by signal {-result.returncode}: {result.stderr}"
    assert "Traceback" not in result.stderr, result.stderr
