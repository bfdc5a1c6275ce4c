"""Hostile and broken files: every run finishes, names what it could not read (SL000), and
still checks the rest of the project.

Each test builds its input, then runs ``schema-lint`` in a process of its own, so that a
segmentation fault or a hang fails the test instead of taking pytest down.
"""

from __future__ import annotations

import os
import resource
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from robust_project import KNOWN, assert_no_crash, codes, findings, make_project, run

DEEP = 10_000


def _sl000(result: subprocess.CompletedProcess[str], root: Path, rel: str) -> dict[str, object]:
    found = [d for d in findings(result, root) if d["code"] == "SL000" and d["path"] == rel]
    assert len(found) == 1, (result.stdout, result.stderr)
    return found[0]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "robust")


def test_deep_nesting_in_a_model_file_is_a_finding_and_the_rest_is_checked(project: Path) -> None:
    deep = "import sqlalchemy\n\nLIMIT = " + "(" * DEEP + "1" + ")" * DEEP + "\n"
    (project / "app" / "deep.py").write_text(deep)
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert_no_crash(result)
    assert result.returncode == 1
    assert codes(result, project) == sorted([*KNOWN, ("SL000", "app/deep.py")])
    finding = _sl000(result, project, "app/deep.py")
    assert "too deeply nested" in str(finding["message"])
    assert finding["location"] == {"row": 3, "column": 1}


def test_deep_nesting_in_a_model_file_with_the_schema_command(project: Path) -> None:
    deep = "import sqlalchemy\n\nLIMIT = " + "(" * DEEP + "1" + ")" * DEEP + "\n"
    (project / "app" / "deep.py").write_text(deep)
    result = run("schema", ".", "--source", "models", "--no-cache", cwd=project)
    assert_no_crash(result)
    assert result.returncode == 0
    assert "app/deep.py:3:1: [too-deeply-nested]" in result.stderr
    import json

    assert set(json.loads(result.stdout)["tables"]) == {"users", "roles", "user_roles", "tags"}


def test_deep_nesting_with_fix_fixes_the_rest(project: Path) -> None:
    deep = "import sqlalchemy\n\nLIMIT = " + "(" * DEEP + "1" + ")" * DEEP + "\n"
    (project / "app" / "deep.py").write_text(deep)
    result = run("check", "--fix", "--no-cache", cwd=project)
    assert_no_crash(result)
    assert result.returncode == 1
    assert "Fixed 1 error." in result.stdout
    assert "mapped_column(String(50), index=True)" in (project / "app" / "models.py").read_text()
    assert "app/deep.py:3:1: SL000 file not checked: too deeply nested" in result.stdout
    assert (project / "app" / "deep.py").read_text() == deep


def test_libcst_is_never_given_deep_nesting() -> None:
    """The fix layer's parser refuses what would overflow libcst's native stack: the
    statement a fix reads, and the whole file when it falls back to reading all of it."""
    code = (
        "from schema_lint.fixes.source import NotParsed, parse_source\n"
        "def refused(text, whole):\n"
        "    try:\n"
        "        parse_source('a.py', text, whole).around(1)\n"
        "    except NotParsed:\n"
        "        return True\n"
        "    return False\n"
        f"deep = 'x = ' + '(' * {DEEP} + '1' + ')' * {DEEP} + '\\n'\n"
        f"chain = 'x = ' + 'not ' * {DEEP} + 'y\\n'\n"
        "fine = 'x = ' + '(' * 150 + '1' + ')' * 150 + '\\n'\n"
        "for whole in (False, True):\n"
        "    assert refused(deep, whole) and refused(chain, whole)\n"
        "    assert not refused(fine, whole)\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_deeply_nested_sql_in_op_execute_costs_only_that_statement(project: Path) -> None:
    nested = "(" * 50 + "lower(name)" + ")" * 50
    revision = project / "migrations" / "versions" / "0002_deep_sql.py"
    revision.write_text(
        '"""deep sql"""\nfrom alembic import op\n\nrevision = "0002"\ndown_revision = "0001"\n\n\n'
        "def upgrade():\n"
        f'    op.execute("CREATE INDEX ix_tags_deep ON tags ({nested})")\n'
        '    op.create_index("ix_users_id", "users", ["id"])\n'
        "\n\ndef downgrade():\n    pass\n"
    )
    result = run("check", "--format", "json", "--no-cache", "--verbose", cwd=project)
    assert_no_crash(result)
    assert codes(result, project).count(("SL001", "app/models.py")) == 1
    assert "0002_deep_sql.py:9:" in result.stderr and "SQL not understood" in result.stderr
    schema = run("schema", ".", "--no-cache", cwd=project)
    assert_no_crash(schema)
    assert "ix_users_id" in schema.stdout  # the next statement was read


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_named_like_a_module_is_named_and_never_read(project: Path) -> None:
    os.mkfifo(project / "app" / "x.py")
    result = run("check", "--format", "json", "--no-cache", cwd=project, timeout=60)
    assert_no_crash(result)
    assert result.returncode == 1
    assert codes(result, project) == sorted([*KNOWN, ("SL000", "app/x.py")])
    assert "not a regular file (a FIFO)" in str(_sl000(result, project, "app/x.py")["message"])
    text = run("check", "--no-cache", cwd=project, timeout=60)  # the snippet never reads it
    assert_no_crash(text)
    assert "app/x.py:1:1: SL000" in text.stdout


def _limit_memory() -> None:
    """Two gigabytes of address space: reading a huge or endless file would fail."""
    limit = 2 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_endless_and_huge_files_are_refused_in_bounded_memory(project: Path) -> None:
    (project / "app" / "big.py").symlink_to("/dev/zero")
    sparse = project / "app" / "sparse.py"
    with open(sparse, "wb") as handle:
        handle.truncate(8 * 1024**3)  # 8 GiB of nothing, a few blocks on disk
    result = run(
        "check",
        "--format",
        "json",
        "--no-cache",
        "--jobs",
        "1",
        cwd=project,
        preexec_fn=_limit_memory,
    )
    assert_no_crash(result)
    assert codes(result, project) == sorted(
        [*KNOWN, ("SL000", "app/big.py"), ("SL000", "app/sparse.py")]
    )
    big = str(_sl000(result, project, "app/big.py")["message"])
    assert "not a regular file (a character device)" in big
    huge = str(_sl000(result, project, "app/sparse.py")["message"])
    assert "larger than 20 MiB" in huge and "exclude" in huge


def test_a_self_looping_symlink_is_named(project: Path) -> None:
    (project / "app" / "loop.py").symlink_to("loop.py")
    (project / "app" / "gone.py").symlink_to("missing_target.py")
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert_no_crash(result)
    assert codes(result, project) == sorted(
        [*KNOWN, ("SL000", "app/gone.py"), ("SL000", "app/loop.py")]
    )
    assert "symbolic link loop" in str(_sl000(result, project, "app/loop.py")["message"])
    assert "broken symbolic link" in str(_sl000(result, project, "app/gone.py")["message"])


def test_a_utf16_model_file_with_a_bom_is_read(project: Path) -> None:
    models = project / "app" / "models.py"
    text = models.read_text().replace("class Tag(Base):", "class Tag(Base):  # étiquette")
    models.write_bytes(text.replace("\n", "\r\n").encode("utf-16"))
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert_no_crash(result)
    assert codes(result, project) == KNOWN
    sl001 = next(d for d in findings(result, project) if d["code"] == "SL001")
    assert sl001["location"]["row"] == 19  # the junction's Table( call, as in UTF-8
    text_output = run("check", "--no-cache", cwd=project)
    assert '"user_roles",' in text_output.stdout  # the snippet is decoded too
    fixed = run("check", "--fix", "--no-cache", cwd=project)
    assert_no_crash(fixed)
    assert "Fixed 1 error." in fixed.stdout
    data = models.read_bytes()  # written back in UTF-16, BOM and line endings kept
    assert data.startswith(b"\xff\xfe") and b"\r\x00\n\x00" in data
    assert "String(50), index=True)" in data.decode("utf-16")


def test_a_utf16_file_with_a_coding_cookie_and_no_bom_is_read(project: Path) -> None:
    models = project / "app" / "models.py"
    models.write_bytes(("# -*- coding: utf-16-le -*-\n" + models.read_text()).encode("utf-16-le"))
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert_no_crash(result)
    assert codes(result, project) == KNOWN


def test_a_nul_byte_is_reported_on_its_line(project: Path) -> None:
    lines = (project / "app" / "models.py").read_text().split("\n")
    lines[6] = "    pass\x00"
    (project / "app" / "models.py").write_text("\n".join(lines))
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert_no_crash(result)
    finding = _sl000(result, project, "app/models.py")
    assert finding["location"] == {"row": 7, "column": 9}
    assert "NUL byte" in str(finding["message"])


def test_a_syntax_error_on_the_last_line_fails_the_run(project: Path) -> None:
    models = project / "app" / "models.py"
    models.write_text(models.read_text() + "    def label(self) -> str:\n        return (\n")
    last = len(models.read_text().split("\n")) - 1
    result = run("check", "--no-cache", cwd=project)
    assert_no_crash(result)
    assert result.returncode == 1
    assert "All checks passed!" not in result.stdout
    assert f"app/models.py:{last}:" in result.stdout and "SL000" in result.stdout
    assert "Found 1 error." in result.stdout  # the file's own findings cannot be known


def test_sl000_follows_select_ignore_noqa_and_per_file_ignores(project: Path) -> None:
    broken = project / "app" / "broken.py"
    broken.write_text("import sqlalchemy\nclass Broken(:  # noqa: SL000\n")
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert codes(result, project) == KNOWN  # the noqa on the reported line
    broken.write_text("import sqlalchemy\nclass Broken(:\n")
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'robust'\n"
        "[tool.schema-lint.per-file-ignores]\n'app/broken.py' = ['SL000']\n"
    )
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert codes(result, project) == KNOWN
    assert "app/broken.py:2:" in result.stderr  # still said, never silent
    only = run("check", "--format", "json", "--no-cache", "--select", "SL000", cwd=project)
    assert codes(only, project) == []


def test_a_file_too_large_to_read_is_named_with_what_to_do(project: Path) -> None:
    big = project / "app" / "generated.py"
    with open(big, "wb") as handle:
        handle.write(b"import sqlalchemy\n")
        handle.write(b"x = 1\n" * (4 * 1024 * 1024))  # 24 MiB
    mode = big.stat().st_mode
    assert stat.S_ISREG(mode)
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    assert_no_crash(result)
    message = str(_sl000(result, project, "app/generated.py")["message"])
    assert "larger than 20 MiB" in message and "`exclude`" in message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_an_unreadable_file_may_hold_any_table_so_presence_is_not_judged(project: Path) -> None:
    revision = project / "migrations" / "versions" / "0001_initial.py"
    revision.write_text(
        revision.read_text().replace(
            "    op.create_index(",
            '    op.create_table("audit", sa.Column("id", sa.Integer(), primary_key=True))\n'
            "    op.create_index(",
        )
    )
    before = run("check", "--format", "json", "--no-cache", cwd=project)
    assert ("SL011", "migrations/versions/0001_initial.py") in codes(before, project)
    os.mkfifo(project / "app" / "audit.py")  # it might declare `audit`: unknown, not missing
    after = run("check", "--format", "json", "--no-cache", cwd=project, timeout=60)
    assert_no_crash(after)
    assert codes(after, project) == sorted([*KNOWN, ("SL000", "app/audit.py")])


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="file names there are text")
@pytest.mark.parametrize("output", ["text", "json", "sarif", "github"])
def test_a_file_name_that_is_not_utf8_is_named_not_a_crash(project: Path, output: str) -> None:
    app = os.fsencode(project / "app")
    with open(os.path.join(app, b"caf\xe9.py"), "wb") as handle:
        handle.write(b"import sqlalchemy\n")
    os.mkdir(os.path.join(app, b"d\xff"))
    with open(os.path.join(app, b"d\xff", b"models.py"), "wb") as handle:
        handle.write(b"import sqlalchemy\n")
    result = run("check", "--format", output, "--no-cache", cwd=project)
    assert_no_crash(result)
    assert result.returncode == 1
    if output == "json":
        assert codes(result, project) == sorted(
            [*KNOWN, ("SL000", "app/caf\ufffd.py"), ("SL000", "app/d\ufffd")]
        )
    assert result.stdout.count("not valid UTF-8") == 2
