"""benchmarks/real_world.py without the network: local archives, unpacking, running, table."""

from __future__ import annotations

import importlib.util
import io
import json
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


def _row(out: str, name: str) -> list[str]:
    row = next(line for line in out.splitlines() if line.startswith(f"| {name}"))
    return [c.strip() for c in row.strip("|").split("|")]


def _cells(out: str, name: str) -> dict[str, str]:
    """The row of project ``name`` by column title (the codes' columns vary with the rules)."""
    header = _row(out, "project")
    return dict(zip(header, _row(out, name), strict=True))


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
    expected = (
        rw.Expected("SL002", "users", "ix_users_email"),
        rw.Expected("SL001", "user_roles", "(role_id, user_id)"),
        rw.Expected("SL002", "roles", "ix_roles_missing", why="made up"),
    )
    status = rw.main(
        ["--work-dir", str(work), "--archive", f"fakeapp={archive}", "--findings"],
        packages=[rw.Package("fakeapp", "1.0", expected=expected)],
    )
    out = capsys.readouterr().out
    assert status == 0
    cells = _cells(out, "fakeapp")
    assert {k: cells[k] for k in list(cells)[:9]} == {
        "project": "fakeapp",
        "version": "1.0",
        "revisions": "1",
        "model tables": "3",
        "checked": "3 (100 %)",
        "known to replay": "3 (100 %)",
        "understood": "4",
        "unanalysable": "0",
        "migration tables": "3",
    }
    assert (cells["SL001"], cells["SL002"], cells["recall"]) == ("1", "1", "2/3")
    assert float(cells["cold s"]) > 0 and float(cells["warm s"]) > 0
    assert "SL001 user_roles [user_id, role_id] fakeapp/models.py:" in out
    assert "SL002 users [ix_users_email] fakeapp/models.py:" in out
    assert "missed expected SL002 roles [ix_roles_missing]  (made up)" in out
    assert "figures from the engine probe" in out
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


# -- pinned repositories from a mirror -------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture
def mirror(tmp_path: Path) -> tuple[Path, str]:
    """A mirror directory holding ``acme/fakeapp`` (bare, like ``fetch`` leaves it); its commit."""
    work = tmp_path / "upstream"
    work.mkdir()
    _git(work, "init", "-q")
    for member, text in FILES.items():
        path = work / "backend" / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (work / "backend/pyproject.toml").write_text("[project]\nname = 'fakeapp'\n")
    (work / "README.md").write_text("not kept\n")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "fakeapp")
    commit = _git(work, "rev-parse", "HEAD")
    mirrors = tmp_path / "mirror"
    mirrors.mkdir()
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(mirrors / "acme+fakeapp" / "repo"))
    return mirrors, commit


def test_repository_pins_a_full_commit(rw: ModuleType) -> None:
    with pytest.raises(ValueError, match="40-hex"):
        rw.Repository("acme", "fakeapp", "abc123")
    repository = rw.Repository("acme", "fakeapp", "a" * 40, subdirectory="backend")
    assert repository.name == "acme/fakeapp" and repository.version == "a" * 12
    assert repository.source == f"github:acme/fakeapp@{'a' * 40}:backend"


def test_export_repository_keeps_sources_of_the_subdirectory(
    rw: ModuleType, tmp_path: Path, mirror: tuple[Path, str]
) -> None:
    mirrors, commit = mirror
    repository = rw.Repository("acme", "fakeapp", commit, subdirectory="backend")
    tree = rw.export_repository(repository, mirrors, tmp_path / "out")
    assert tree == (tmp_path / "out" / "backend").resolve()
    assert (tree / "fakeapp/models.py").read_text() == MODELS
    assert (tree / "pyproject.toml").is_file()
    assert not (tree / "fakeapp/static/app.js").exists()
    assert not (tmp_path / "out" / "README.md").exists()


def test_main_checks_a_pinned_repository(
    rw: ModuleType,
    tmp_path: Path,
    mirror: tuple[Path, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    mirrors, commit = mirror
    projects = [
        rw.Repository("acme", "fakeapp", commit, subdirectory="backend"),
        rw.Repository("acme", "absent", "b" * 40),
        rw.Repository("acme", "fakeapp", "c" * 40, note="a commit the mirror lacks"),
    ]
    work = tmp_path / "work"
    output = tmp_path / "results.json"
    status = rw.main(
        ["--work-dir", str(work), "--mirror-dir", str(mirrors), "--json", str(output)],
        packages=projects,
    )
    out = capsys.readouterr().out
    assert status == 0
    assert _row(out, "acme/fakeapp")[:4] == ["acme/fakeapp", commit[:12], "1", "3"]
    assert "| acme/absent " in out and "not available (fetch github:acme/absent)" in out
    assert f"not available (commit {'c' * 12} not in the mirror; fetch github:acme/fakeapp)" in out
    assert "error:" not in out
    data = json.loads(output.read_text())
    assert data[0]["source"] == f"github:acme/fakeapp@{commit}:backend"
    assert (data[0]["counts"]["SL001"], data[0]["counts"]["SL002"]) == (1, 1)
    assert data[0]["statements_understood"] == 4 and data[0]["statements_unanalysable"] == 0
    assert data[1]["error"] == "not available (fetch github:acme/absent)"


def test_select_by_name_owner_and_version(rw: ModuleType) -> None:
    projects = [
        rw.Package("prefect", "3.9.1"),
        rw.Package("prefect", "3.1.5"),
        rw.Repository("Netflix", "dispatch", "d" * 40),
    ]
    assert rw.select(projects, ["prefect"]) == projects[:2]
    assert rw.select(projects, ["prefect==3.1.5"]) == [projects[1]]
    assert rw.select(projects, ["Netflix/dispatch"]) == [projects[2]]
    assert rw.select(projects, ["dispatch"]) == [projects[2]]
    assert rw.select(projects, ["nothing"]) == []


def test_pinned_projects_are_well_formed(rw: ModuleType) -> None:
    slugs = [p.slug for p in rw.PROJECTS]
    assert len(slugs) == len(set(slugs)) and len(slugs) >= 15
    for project in rw.PROJECTS:
        for expected in project.expected:
            assert expected.code.startswith("SL") and expected.table and expected.why


# -- figures: the summary line, the probe, recall ------------------------------------------


SUMMARY = (
    "checked 95 of 102 model tables; 212 of 230 migration statements understood; "
    "--verbose lists the rest"
)


def test_summary_line_is_parsed(rw: ModuleType) -> None:
    stderr = f"a/b.py:3:5: [unanalysable] skipped `x`\nFound 4 errors.\n{SUMMARY}\n"
    summary = rw.parse_summary(stderr)
    assert summary == rw.Summary(checked=95, model_tables=102, understood=212, statements=230)
    assert summary.unanalysable == 18
    assert rw.parse_summary(
        "checked 1 of 1 model table; 0 of 0 migration statements understood"
    ) == (rw.Summary(1, 1, 0, 0))
    assert rw.parse_summary("Found 4 errors.\nchecked some tables\n") is None


def _fake_runner(stderr: str) -> tuple[list[Sequence[str]], object]:
    calls: list[Sequence[str]] = []
    findings = [
        {"code": "SL002", "table": "app.users", "index": "ix_users_email", "columns": ["email"]},
        {"code": "SL007", "table": "orders", "columns": ["b", "a"]},
    ]

    def runner(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        if args[0] == "check":
            return subprocess.CompletedProcess(list(args), 1, json.dumps(findings), stderr)
        return subprocess.CompletedProcess(list(args), 0, '{"tables": {"a": {}}, "heads": []}', "")

    return calls, runner


def test_the_summary_line_is_preferred_to_the_probe(rw: ModuleType, tmp_path: Path) -> None:
    calls, runner = _fake_runner(f"x.py:1:1: [unanalysable] skipped\n{SUMMARY}\n")

    def probe(tree: Path, dialect: str) -> dict[str, object]:
        return {"model_tables": 7, "checked": 1, "known": 5, "understood": 3, "unanalysable": 9}

    result = rw.check_tree(rw.Package("fakeapp", "1.0"), tmp_path, tmp_path / "c", runner, probe)
    assert len(calls) == 5  # cold check, two schema commands, cache fill, warm check
    assert (result.model_tables, result.checked_tables, result.known_tables) == (102, 95, 5)
    assert (result.understood, result.unanalysable) == (212, 18)
    assert result.figures_from == "summary line"
    assert result.counts == {"SL001": 0, "SL002": 1, "SL007": 1}


def test_a_changed_engine_api_prints_a_dash(rw: ModuleType, tmp_path: Path) -> None:
    _, runner = _fake_runner("")

    def probe(tree: Path, dialect: str) -> dict[str, object]:
        return {
            "model_tables": 1,
            "checked": None,
            "known": "?",
            "understood": 4,
            "errors": {"checked": "AttributeError: 'Table' object has no attribute 'incomplete'"},
        }

    result = rw.check_tree(rw.Package("fakeapp", "1.0"), tmp_path, tmp_path / "c", runner, probe)
    assert result.checked_tables is None and result.known_tables is None
    assert result.understood == 4 and result.unanalysable is None
    cells = _row(rw.format_table([result]), "fakeapp")
    assert cells[2:9] == ["0", "1", "-", "-", "4", "-", "1"]
    assert "probe: checked unknown (AttributeError" in rw.format_details([result], findings=False)


def test_the_probe_reads_the_engine(rw: ModuleType, tmp_path: Path) -> None:
    tree = rw.prepare_root(rw.unpack(_wheel(tmp_path), tmp_path / "out"), rw.Package("x", "1"))
    figures = rw.probe_engine(tree, "postgresql")
    assert figures["errors"] == {}
    assert {k: figures[k] for k in ("model_tables", "checked", "known", "understood")} == {
        "model_tables": 3,
        "checked": 3,
        "known": 3,
        "understood": 4,
    }
    assert figures["unanalysable"] == 0
    assert rw.count_incomplete(tree, "postgresql") == 0


def test_a_probe_that_fails_gives_no_figure(
    rw: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rw, "_PROBE", "raise SystemExit(3)")
    assert rw.probe_engine(tmp_path, "postgresql") == {"errors": {"probe": "exited 3"}}
    assert rw.count_incomplete(tmp_path, "postgresql") is None
    monkeypatch.setattr(rw, "_PROBE", "print('not json')")
    assert "probe" in rw.probe_engine(tmp_path, "postgresql")["errors"]


def test_expected_findings_match_by_name_or_columns(rw: ModuleType) -> None:
    by_name = rw.Expected("SL002", "users", "ix_users_email")
    by_columns = rw.Expected("SL007", "orders", "(a, b)")
    assert by_name.matches({"code": "SL002", "table": "app.users", "index": "ix_users_email"})
    assert not by_name.matches({"code": "SL002", "table": "app.users", "index": "ix_other"})
    assert not by_name.matches({"code": "SL001", "table": "users", "index": "ix_users_email"})
    assert not by_name.matches({"code": "SL002", "table": "superusers", "index": "ix_users_email"})
    assert by_columns.columns == frozenset({"a", "b"})
    assert by_columns.matches({"code": "SL007", "table": "orders", "columns": ["b", "a"]})
    assert not by_columns.matches({"code": "SL007", "table": "orders", "columns": ["a"]})
    # the current JSON format: index and columns in the payload, the index as the object
    payload = {"index": "ix_users_email", "columns": ["email"]}
    assert by_name.matches({"code": "SL002", "table": "users", "payload": payload})
    assert by_name.matches({"code": "SL002", "table": "users", "object": "ix_users_email"})
    moved = {"code": "SL007", "table": "orders", "payload": {"columns": ["a", "b"]}}
    assert by_columns.matches(moved)


def test_recall_and_totals(rw: ModuleType) -> None:
    expected = (
        rw.Expected("SL002", "users", "ix_users_email"),
        rw.Expected("SL001", "user_roles", "(user_id, role_id)"),
    )
    found = rw.Result(
        rw.Package("one", "1", expected=expected),
        model_tables=10,
        checked_tables=5,
        known_tables=10,
        understood=20,
        unanalysable=3,
        findings=[{"code": "SL002", "table": "users", "index": "ix_users_email"}],
        counts={"SL002": 1},
    )
    other = rw.Result(
        rw.Package("two", "1"), model_tables=4, checked_tables=4, known_tables=1, unanalysable=2
    )
    assert found.recall() == (1, 2) and found.missed() == [expected[1]]
    assert other.recall() is None and found.skipped_tables == 5
    table = rw.format_table([found, other, rw.Result(rw.Package("three", "1"), error="boom")])
    assert _row(table, "one")[4:6] == ["5 (50 %)", "10 (100 %)"]
    assert _row(table, "two")[12] == "-"
    assert "error: boom" in _row(table, "three")[2]
    totals = _row(table, "total (2)")
    # average % checked (50, 100), average % known (100, 25), unanalysable 3 + 2, recall
    assert totals[4:8] == ["avg 75 %", "avg 62 %", "20", "5"]
    assert totals[12] == "1/2"
