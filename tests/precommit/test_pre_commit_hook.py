"""The pre-commit hook, for real: ``pre-commit try-repo`` against this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

MODELS = """\
from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)


class Membership(Base):
    __tablename__ = "memberships"
{table_args}    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
"""


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    executable = Path(sys.executable).parent / "pre-commit"
    return subprocess.run(
        [str(executable), "try-repo", str(ROOT), "schema-lint", "--all-files", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_hook_fails_on_a_junction_and_passes_once_fixed(tmp_path: Path) -> None:
    repo = tmp_path / "project"
    (repo / "app").mkdir(parents=True)
    (repo / "pyproject.toml").write_text("[project]\nname = 'demo'\nversion = '0'\n")
    models = repo / "app" / "models.py"
    models.write_text(MODELS.format(table_args=""))
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    home = tmp_path / "pre-commit-home"

    failing = pre_commit(repo, home)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "SL001" in failing.stdout and "memberships" in failing.stdout

    models.write_text(
        MODELS.format(table_args='    __table_args__ = (UniqueConstraint("user_id", "team_id"),)\n')
    )
    git("add", ".", cwd=repo)
    passing = pre_commit(repo, home)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout
