"""Helpers for the fix tests: run the whole pipeline on a project copy and fix it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from schema_lint.config import load_config
from schema_lint.diagnostics import Diagnostic
from schema_lint.engine import check
from schema_lint.fixes.apply import FileChange, apply_fixes, write_changes
from schema_lint.project import Project, load_project

HERE = Path(__file__).parent
GOLDEN = HERE.parent / "fixtures" / "fixes"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "before").is_dir())


def load(root: Path, select: tuple[str, ...] | None = None) -> Project:
    overrides = {"select": list(select)} if select is not None else None
    return load_project(root, load_config(root, overrides))


def diagnostics(root: Path, select: tuple[str, ...] | None = None) -> tuple[Diagnostic, ...]:
    return check(load(root, select)).diagnostics


@dataclass(frozen=True)
class Fixed:
    before: tuple[Diagnostic, ...]
    changes: dict[str, FileChange]
    after: tuple[Diagnostic, ...]


def fix_project(root: Path, *, unsafe: bool = True, select: tuple[str, ...] | None = None) -> Fixed:
    """Apply every fix to the project at ``root`` (written to disk) and check it again
    (``select``: only those rules)."""
    project = load(root, select)
    result = check(project)
    before = result.diagnostics
    changes = apply_fixes(project, result.schemas, before, unsafe=unsafe)
    result = write_changes(changes.values())
    assert not result.skipped, result.skipped
    return Fixed(before, changes, diagnostics(root, select))


def copy_case(name: str, destination: Path) -> Path:
    root = destination / name
    shutil.copytree(GOLDEN / name / "before", root)
    return root


def relative_files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.py"))
    }
