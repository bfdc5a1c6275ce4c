"""What a fix needs to know about the project beyond the file it edits."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from schema_lint.facts.schema import Schema, Table
from schema_lint.fixes.source import Source, parse_source
from schema_lint.sources.text import DecodeError, decode_source

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    from schema_lint.engine import ProjectSchemas
    from schema_lint.project import Project

DEFAULT_LINE_LENGTH = 88
MAX_INFERRED_LINE_LENGTH = 120

ReadText = Callable[[str], "str | None"]
"""The current text of a file (an editor's unsaved buffer or the disk), None if unreadable."""


@dataclass(frozen=True, slots=True)
class FixContext:
    dialect: str = "postgresql"
    naming_convention: Mapping[str, str] = field(default_factory=dict)
    """The models' ``MetaData(naming_convention=...)``; empty for SQLAlchemy's default."""
    line_length: int | None = None
    """The formatter's line length; None: infer it from the file being edited."""
    models: Schema = field(default_factory=Schema)
    migrations: Mapping[str, Schema] = field(default_factory=dict)
    class_files: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Model class name -> the files declaring a class of that name."""

    def limit(self, src: Source) -> int:
        """The line length for new code in ``src``: the configured one, else the file's
        longest line if longer than the default (the project evidently allows it)."""
        if self.line_length is not None:
            return self.line_length
        longest = max((len(line) for line in src.lines), default=0)
        return max(DEFAULT_LINE_LENGTH, min(longest, MAX_INFERRED_LINE_LENGTH))

    def model_table(self, name: str, schema: str | None) -> Table | None:
        return self.models.tables.get(f"{schema}.{name}" if schema else name)

    def database_tables(self, qualified_name: str) -> list[Table]:
        """The table as each Alembic environment's migrations leave it."""
        found = (s.tables.get(qualified_name) for s in self.migrations.values())
        return [t for t in found if t is not None]


class Sources:
    """Parsed files by path: the one being fixed, and others read on demand (mixins)."""

    def __init__(self, main: Source, read_text: ReadText | None = None) -> None:
        self.main = main
        self._read = read_text or read_from_disk
        self._parsed: dict[str, Source | None] = {main.path: main}

    def get(self, path: str) -> Source | None:
        if path not in self._parsed:
            text = self._read(path)
            self._parsed[path] = None if text is None else parse_source(path, text)
        return self._parsed[path]


def read_from_disk(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return decode_source(handle.read()).text
    except (OSError, DecodeError):
        return None


def line_length(root: Path) -> int | None:
    """The formatter's line length: ruff's (``ruff.toml``, ``pyproject.toml``), else black's."""
    for name, section in (
        (".ruff.toml", ()),
        ("ruff.toml", ()),
        ("pyproject.toml", ("tool", "ruff")),
        ("pyproject.toml", ("tool", "black")),
    ):
        value: Any = _toml(root / name)
        for key in section:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        length = value.get("line-length") if isinstance(value, dict) else None
        if isinstance(length, int) and not isinstance(length, bool) and length > 0:
            return length
    return None


def _toml(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    return data


def fix_context(project: Project, schemas: ProjectSchemas) -> FixContext:
    """The fix context of ``project``, from the schemas a check built for it.

    Callers keep it for as long as ``project`` and ``schemas`` hold (one ``--fix`` round, one
    analysis in the language server): nothing is cached behind their back.
    """
    class_files: dict[str, list[str]] = {}
    for path, facts in project.files.items():
        if facts.model is not None:
            for decl in facts.model.classes:
                class_files.setdefault(decl.name, []).append(path)
    return FixContext(
        dialect=project.config.dialect,
        naming_convention=dict(schemas.models.naming_convention),
        line_length=line_length(project.root) or _longest_line(class_files),
        models=schemas.models,
        migrations=schemas.migrations,
        class_files={name: tuple(sorted(paths)) for name, paths in class_files.items()},
    )


def _longest_line(class_files: Mapping[str, list[str]]) -> int:
    """The line length the model files evidently allow: their longest code line, at least the
    default and at most :data:`MAX_INFERRED_LINE_LENGTH`."""
    longest = DEFAULT_LINE_LENGTH
    for path in {p for paths in class_files.values() for p in paths}:
        text = read_from_disk(path) or ""
        for line in text.split("\n"):
            if len(line) > longest and not line.lstrip().startswith("#"):
                longest = len(line)
    return min(longest, MAX_INFERRED_LINE_LENGTH)


def same_file(a: str, b: str) -> bool:
    return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))
