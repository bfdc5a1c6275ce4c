"""Applying several fixes at once and writing files back: composition, applicability,
encodings and line endings, atomic writes, files changed on disk, ``--diff`` output."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fix_helpers import GOLDEN, copy_case, load
from schema_lint.diagnostics import Diagnostic
from schema_lint.engine import ProjectSchemas, check
from schema_lint.fixes.apply import apply_fixes, fixed_count, unified_diff, write_changes
from schema_lint.fixes.write import encode_like
from schema_lint.project import Project

MODELS = "app/models.py"


def _checked(project: Project) -> tuple[ProjectSchemas, tuple[Diagnostic, ...]]:
    result = check(project)
    return result.schemas, result.diagnostics


def test_fixes_in_one_class_compose_over_rounds(tmp_path: Path) -> None:
    root = copy_case("combined_same_class", tmp_path)
    project = load(root)
    changes = apply_fixes(project, *_checked(project), unsafe=True)
    (change,) = changes.values()
    assert sorted(d.code for d in change.applied) == ["SL001", "SL002", "SL002"]
    assert fixed_count(changes) == 3
    expected = (GOLDEN / "combined_same_class" / "after" / MODELS).read_text()
    assert change.new_text == expected
    assert (root / MODELS).read_text() != expected, "apply_fixes writes nothing"


def test_safe_fixes_only_unless_unsafe(tmp_path: Path) -> None:
    root = copy_case("combined_same_class", tmp_path)
    project = load(root)
    changes = apply_fixes(project, *_checked(project), unsafe=False)
    (change,) = changes.values()
    assert sorted(d.code for d in change.applied) == ["SL002", "SL002"]
    assert "UniqueConstraint" not in change.new_text
    assert 'Index("user_roles_user_idx", "user_id")' in change.new_text


def test_only_the_given_diagnostics_are_fixed(tmp_path: Path) -> None:
    root = copy_case("sl002_mapped_column", tmp_path)
    project = load(root)
    result = check(project)
    wanted = [d for d in result.diagnostics if d.key.object == "ix_refresh_tokens_jti"]
    (change,) = apply_fixes(project, result.schemas, wanted, unsafe=True).values()
    assert change.applied == tuple(wanted)
    assert change.new_text.count("index=True") == 1


def test_a_fix_in_another_file_is_reported_with_that_file(tmp_path: Path) -> None:
    root = copy_case("sl002_mixin_every_table", tmp_path)
    project = load(root)
    changes = apply_fixes(project, *_checked(project), unsafe=False)
    mixins = str(root / "app" / "mixins.py")
    assert list(changes) == [mixins]
    assert "index=True" in changes[mixins].new_text
    assert [d.table for d in changes[mixins].applied] == ["anime", "studios"]
    assert fixed_count(changes) == 2


def test_line_endings_bom_and_mode_are_kept(tmp_path: Path) -> None:
    root = copy_case("sl002_mapped_column", tmp_path)
    path = root / MODELS
    original = path.read_text()
    path.write_bytes(b"\xef\xbb\xbf" + original.replace("\n", "\r\n").encode())
    path.chmod(0o640)
    project = load(root)
    changes = apply_fixes(project, *_checked(project), unsafe=True)
    result = write_changes(changes.values())
    assert result.written == (str(path),) and not result.skipped
    expected = (GOLDEN / "sl002_mapped_column" / "after" / MODELS).read_text()
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.replace("\n", "\r\n").encode()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(os.listdir(path.parent)) == ["__init__.py", "base.py", "models.py", "parents.py"]


def test_declared_encoding_is_kept(tmp_path: Path) -> None:
    root = copy_case("sl001_no_table_args_after_tablename", tmp_path)
    path = root / MODELS
    text = "# -*- coding: latin-1 -*-\n# Relation utilisateur-rôle\n" + path.read_text()
    path.write_bytes(text.encode("latin-1"))
    project = load(root)
    write_changes(apply_fixes(project, *_checked(project), unsafe=True).values())
    data = path.read_bytes()
    assert "rôle".encode("latin-1") in data
    assert "UniqueConstraint(" in data.decode("latin-1")


def test_mixed_line_endings_of_untouched_lines_are_kept() -> None:
    original = b"a = 1\r\nb = 2\nc = 3\r\n"
    assert encode_like(original, "a = 1\nb = 2\nx = 0\nc = 3\n") == (
        b"a = 1\r\nb = 2\nx = 0\r\nc = 3\r\n"
    )
    assert encode_like(b"a = 1", "a = 1\nb = 2") == b"a = 1\nb = 2"


def test_a_file_changed_on_disk_is_not_overwritten(tmp_path: Path) -> None:
    root = copy_case("sl002_mapped_column", tmp_path)
    project = load(root)
    changes = apply_fixes(project, *_checked(project), unsafe=True)
    path = root / MODELS
    path.write_text(path.read_text() + "# edited meanwhile\n")
    edited = path.read_bytes()
    result = write_changes(changes.values())
    assert not result.written
    ((skipped_path, why),) = result.skipped
    assert skipped_path == str(path) and "changed on disk" in why
    assert path.read_bytes() == edited


def test_unified_diff(tmp_path: Path) -> None:
    root = copy_case("sl002_annotated_alias", tmp_path)
    project = load(root)
    changes = apply_fixes(project, *_checked(project), unsafe=True)
    assert unified_diff(changes, str(root)) == (
        f"--- {MODELS}\n"
        f"+++ {MODELS}\n"
        "@@ -12,4 +12,4 @@\n"
        '     __tablename__ = "api_keys"\n'
        " \n"
        "     id: Mapped[int] = mapped_column(primary_key=True)\n"
        "-    digest: Mapped[str64]\n"
        "+    digest: Mapped[str64] = mapped_column(index=True)\n"
    )


def test_nothing_to_fix(tmp_path: Path) -> None:
    root = copy_case("sl002_annotated_alias", tmp_path)
    project = load(root)
    assert apply_fixes(project, check(project).schemas, (), unsafe=True) == {}
    assert unified_diff({}) == ""
