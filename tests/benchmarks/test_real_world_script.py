"""benchmarks/real_world.py without the network: local archives, unpacking, running, table."""

from __future__ import annotations

import importlib.util
import io
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "real_world.py"

MODELS = """\
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(100))


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)


class UserRole(Base):
    __tablename__ = "user_roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
"""

MIGRATION = '''\
"""users"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True),
                    sa.Column("email", sa.String(100)))
    op.create_table("roles", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")),
        sa.Column("role_id", sa.Integer(), sa.ForeignKey("roles.id")),
    )
    op.create_index("ix_users_email", "users", ["email"])


def downgrade():
    op.drop_table("user_roles")
    op.drop_table("roles")
    op.drop_table("users")
'''

FILES = {
    "fakeapp/__init__.py": "",
    "fakeapp/models.py": MODELS,
    "fakeapp/migrations/versions/0001_users.py": MIGRATION,
    "fakeapp/static/app.js": "console.log('not kept');\n",
}


@pytest.fixture(scope="module")
def rw() -> ModuleType:
    spec = importlib.util.spec_from_file_location("real_world_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _wheel(directory: Path, name: str = "fakeapp-1.0-py3-none-any.whl") -> Path:
    path = directory / name
    with zipfile.ZipFile(path, "w") as zf:
        for member, text in FILES.items():
            zf.writestr(member, text)
        zf.writestr("fakeapp-1.0.dist-info/METADATA", "Name: fakeapp\n")
    return path


def _sdist(directory: Path) -> Path:
    path = directory / "fakeapp-1.0.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        members = {**FILES, "pyproject.toml": "[project]\nname = 'fakeapp'\n"}
        for member, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(f"fakeapp-1.0/{member}")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        evil = tarfile.TarInfo("../outside.py")
        evil.size = 0
        tf.addfile(evil, io.BytesIO(b""))
    return path


def test_archive_names(rw: ModuleType) -> None:
    assert rw.archive_release("apache_superset-6.1.0-py3-none-any.whl") == (
        "apache_superset",
        "6.1.0",
    )
    assert rw.archive_release("apache-superset-6.1.0.tar.gz") == ("apache_superset", "6.1.0")
    assert rw.archive_release("README.md") is None


def test_find_archive_prefers_the_wheel_of_the_pinned_version(
    rw: ModuleType, tmp_path: Path
) -> None:
    _sdist(tmp_path)
    _wheel(tmp_path)
    _wheel(tmp_path, "fakeapp-2.0-py3-none-any.whl")
    found = rw.find_archive(tmp_path, rw.Package("fakeapp", "1.0"))
    assert found is not None and found.name == "fakeapp-1.0-py3-none-any.whl"
    assert rw.find_archive(tmp_path, rw.Package("fakeapp", "3.0")) is None


def test_unpack_wheel_keeps_sources_only(rw: ModuleType, tmp_path: Path) -> None:
    tree = rw.unpack(_wheel(tmp_path), tmp_path / "out")
    assert (tree / "fakeapp/models.py").read_text() == MODELS
    assert not (tree / "fakeapp/static/app.js").exists()
    root = rw.prepare_root(tree, rw.Package("fakeapp", "1.0"))
    assert (root / "pyproject.toml").is_file()


def test_unpack_sdist_returns_its_folder_and_stays_inside(rw: ModuleType, tmp_path: Path) -> None:
    tree = rw.unpack(_sdist(tmp_path), tmp_path / "out")
    assert tree.name == "fakeapp-1.0"
    assert (tree / "fakeapp/migrations/versions/0001_users.py").is_file()
    assert not (tmp_path / "outside.py").exists()


def test_prepare_root_writes_options(rw: ModuleType, tmp_path: Path) -> None:
    package = rw.Package(
        "fakeapp",
        "1.0",
        config={"exclude": ["tests"], "index-missing-in-model": {"ignore-indexes": ["tmp_*"]}},
    )
    text = (rw.prepare_root(tmp_path, package) / "pyproject.toml").read_text()
    assert '[tool.schema-lint]\n"exclude" = ["tests"]' in text
    assert '[tool.schema-lint."index-missing-in-model"]\n"ignore-indexes" = ["tmp_*"]' in text


def test_main_checks_a_local_archive(
    rw: ModuleType,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the test must not download")

    monkeypatch.setattr(rw, "download", no_network)
    archive = _wheel(tmp_path)
    work = tmp_path / "work"
    status = rw.main(
        ["--work-dir", str(work), "--archive", f"fakeapp={archive}", "--findings"],
        packages=[rw.Package("fakeapp", "1.0")],
    )
    out = capsys.readouterr().out
    assert status == 0
    row = next(line for line in out.splitlines() if line.startswith("| fakeapp"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    # project, version, files, revisions, model tables, skipped, migration tables, SL001,
    # SL002, problems, cold s, warm s
    assert cells[:9] == ["fakeapp", "1.0", "3", "1", "3", "0", "3", "1", "1"]
    assert float(cells[10]) > 0 and float(cells[11]) > 0
    assert "SL001 user_roles [user_id, role_id] fakeapp/models.py:" in out
    assert "SL002 users [ix_users_email] fakeapp/models.py:" in out
    assert not (work / "src").exists() or not any((work / "src").iterdir())


def test_a_failing_project_does_not_stop_the_others(rw: ModuleType, tmp_path: Path) -> None:
    archive = _wheel(tmp_path)
    calls: list[Sequence[str]] = []

    def broken(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        return subprocess.CompletedProcess(list(args), 2, "", "Traceback: boom\n")

    result = rw.run_package(
        rw.Package("fakeapp", "1.0"), tmp_path / "w", archive=archive, runner=broken
    )
    assert result.error is not None and "boom" in result.error
    missing = rw.run_package(
        rw.Package("fakeapp", "1.0"), tmp_path / "w", archive=tmp_path / "nope.whl"
    )
    assert missing.error is not None
    table = rw.format_table([result, missing])
    assert table.count("| fakeapp") == 2 and "error: RuntimeError: check exited 2" in table


def test_problem_lines_are_counted_by_kind(rw: ModuleType) -> None:
    stderr = (
        "a/b.py:3:5: [unanalysable] skipped `x`: the loop cannot be evaluated statically\n"
        "a/c.py:10:1: [unknown-table] table 'x' does not exist\n"
        "a/c.py:11:1: [unknown-table] table 'y' does not exist\n"
        "'CREATE EXTENSION x' contains unsupported syntax.\n"
    )
    assert rw.count_problems(stderr) == {"unanalysable": 1, "unknown-table": 2}
