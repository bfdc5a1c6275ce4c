"""The summary line after ``schema-lint check``: how much of the project was read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase

from app.elsewhere import make_columns


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id = Column(Integer, primary_key=True)
    email = Column(String(50), nullable=False)


class Audit(Base):
    __tablename__ = "audits"
    id = Column(Integer, primary_key=True)
    __table_args__ = make_columns()
"""

FIRST = """\
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(50), nullable=False),
    )
    op.create_table("audits", sa.Column("id", sa.Integer(), primary_key=True))
"""

SECOND = """\
from alembic import op
import sqlalchemy as sa

from app.settings import FLAG, SQL

revision = "0002"
down_revision = "0001"


def upgrade():
    op.create_index("ix_accounts_email", "accounts", ["email"])
    op.execute(SQL)
    if FLAG:
        op.create_index("ix_audits_id", "audits", ["id"])
"""

LINE = (
    "checked 1 of 2 model tables; 3 of 5 migration statements understood; --verbose lists the rest"
)
"""2 tables, ``audits`` unread (``__table_args__`` from another module's call); 3
operations read (two tables, one index), one skipped (``op.execute(SQL)``) and one under a
guard the replay cannot decide."""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'summary'\n",
        "app/__init__.py": "",
        "app/models.py": MODELS,
        "app/settings.py": "import os\nFLAG = os.environ.get('FLAG')\nSQL = os.environ['SQL']\n",
        "alembic/versions/0001_first.py": FIRST,
        "alembic/versions/0002_second.py": SECOND,
    }
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "schema_lint", "check", ".", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_summary_line_counts_tables_and_statements(project: Path) -> None:
    result = _check(project, "--no-cache")
    assert result.stderr.splitlines()[-1] == LINE
    assert "run with --verbose to list them" not in result.stderr  # one line, not two


def test_a_cached_run_prints_the_same_figures(project: Path) -> None:
    first = _check(project)
    second = _check(project)
    assert first.stderr.splitlines()[-1] == LINE
    assert second.stderr.splitlines()[-1] == LINE
    assert list(project.rglob("results-*.cache")), "the second run read the results cache"


def test_verbose_lists_the_rest_and_quiet_and_json_say_nothing(project: Path) -> None:
    verbose = _check(project, "--no-cache", "--verbose")
    assert verbose.stderr.splitlines()[-1] == LINE.removesuffix("; --verbose lists the rest")
    assert "[unanalysable]" in verbose.stderr
    assert "checked" not in _check(project, "--no-cache", "--quiet").stderr
    assert "model tables" not in _check(project, "--no-cache", "--format", "json").stderr


def test_everything_read_says_so_without_a_pointer(project: Path) -> None:
    (project / "app/models.py").write_text(
        MODELS.replace("    __table_args__ = make_columns()\n", "")
    )
    (project / "alembic/versions/0002_second.py").unlink()
    result = _check(project, "--no-cache")
    assert result.stderr.splitlines()[-1] == (
        "checked 2 of 2 model tables; 2 of 2 migration statements understood"
    )
