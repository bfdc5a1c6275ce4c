"""Finding a project's model files and Alembic environments, with zero configuration.

Alembic environments come from ``alembic.ini`` files (``script_location`` and
``version_locations``, one environment per section that has them), from ``[tool.alembic]``
in ``pyproject.toml``, and, for version directories no configuration names, from any
directory holding revision files. What an environment says about its database (a version
directory named for a dialect, ``sqlalchemy.url``) is kept for the project to decide. Model
files are the Python files that mention SQLAlchemy, SQLModel or table declarations and
are not revision files; a cheap byte prefilter keeps everything else from being parsed.
"""

from __future__ import annotations

import configparser
import fnmatch
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from schema_lint.vocabulary.dialects import DIALECTS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "env",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".schema_lint_cache",
        "site-packages",
        ".eggs",
        ".idea",
        ".vscode",
        "htmlcov",
    }
)

_MODEL_MARKERS = (
    b"sqlalchemy",
    b"sqlmodel",
    b"__tablename__",
    b"Column(",
    b"Table(",
    b"mapped_column",
    b"flask_sqlalchemy",
)
_MIGRATION_MARKERS = (b"revision", b"upgrade")


@dataclass(frozen=True, slots=True)
class Environment:
    """One Alembic environment: a revision graph replayed into one database."""

    name: str
    version_dirs: tuple[str, ...]
    script_dir: str | None = None
    """The script location holding ``env.py``, when known."""
    recursive: bool = False
    """``recursive_version_locations``: revision files in subdirectories count too."""
    url_dialect: str | None = None
    """The dialect of ``sqlalchemy.url`` in its ``alembic.ini`` section, if it names one."""
    dialect: str | None = None
    """The database its revisions run on, when something says so (None: the project's)."""
    dialect_source: str = ""
    """What said so, for messages: ``its directory name``, ``env.py``, ..."""
    schemas: tuple[str, ...] = ()
    """The schemas its unqualified tables live in (empty: the default schema)."""
    schemas_source: str = ""
    config_file: str | None = None
    """The ``alembic.ini`` (or ``pyproject.toml``) that declares it, when one does."""
    config_section: str = "alembic"
    """Its section in that ``alembic.ini`` (``alembic --name``)."""

    @property
    def directory_dialect(self) -> str | None:
        """The dialect its version directories are named for (``versions/sqlite``)."""
        found = {dialect_named(Path(d).name) for d in self.version_dirs}
        return found.pop() if len(found) == 1 else None


@dataclass(frozen=True, slots=True)
class ProjectLayout:
    root: str
    model_files: tuple[str, ...]
    environments: tuple[Environment, ...]
    migration_files: dict[str, str]
    """Revision file path -> environment name."""


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` with a ``pyproject.toml`` or ``.git``."""
    start = start.resolve()
    current = start if start.is_dir() else start.parent
    for candidate in (current, *current.parents):
        if (candidate / "pyproject.toml").is_file() or (candidate / ".git").exists():
            return candidate
    return current


def walk_project(root: Path, exclude: Sequence[str] = ()) -> tuple[list[Path], list[Path]]:
    """The Python files and the ``alembic.ini`` files under ``root``, in one walk."""
    python: list[Path] = []
    inis: list[Path] = []
    for path in _walk(root, exclude):
        (inis if path.name == "alembic.ini" else python).append(path)
    return python, inis


def _walk(root: Path, exclude: Sequence[str]) -> Iterable[Path]:
    """Python and ``alembic.ini`` files, skipping virtualenvs, VCS and build folders."""
    root_str = str(root)
    for dirpath, dirnames, filenames in os.walk(root_str):
        rel_dir = os.path.relpath(dirpath, root_str)
        kept = []
        for d in dirnames:
            if d in SKIPPED_DIRS or d.endswith(".egg-info"):
                continue
            full = os.path.join(dirpath, d)
            if os.path.exists(os.path.join(full, "pyvenv.cfg")):
                continue
            rel = os.path.normpath(os.path.join(rel_dir, d))
            if _excluded(rel, exclude):
                continue
            kept.append(d)
        dirnames[:] = sorted(kept)
        for filename in sorted(filenames):
            if not filename.endswith(".py") and filename != "alembic.ini":
                continue
            rel = os.path.normpath(os.path.join(rel_dir, filename))
            if not _excluded(rel, exclude):
                yield Path(dirpath, filename)


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    rel = rel.replace(os.sep, "/")
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, f"{pattern}/*"):
            return True
        if "/" not in pattern and any(fnmatch.fnmatch(part, pattern) for part in rel.split("/")):
            return True
    return False


def may_declare_tables(data: bytes) -> bool:
    return any(marker in data for marker in _MODEL_MARKERS)


def may_be_migration(data: bytes) -> bool:
    return all(marker in data for marker in _MIGRATION_MARKERS) and b"down_revision" in data


_DIALECT_NAMES = {**{d: d for d in DIALECTS}, "postgres": "postgresql", "pg": "postgresql"}


def dialect_named(name: str) -> str | None:
    """The dialect a directory or URL scheme names: ``sqlite``, ``postgres`` -> postgresql."""
    return _DIALECT_NAMES.get(name.strip().lower())


def url_dialect(url: str) -> str | None:
    """The dialect of an SQLAlchemy URL (``postgresql+psycopg://...``), if it is one."""
    scheme, sep, _ = url.strip().strip("\"'").partition("://")
    if not sep and not scheme.startswith("sqlite"):
        return None
    return dialect_named(scheme.split("+", 1)[0].split(":", 1)[0])


def configured_environments(root: Path, inis: Sequence[Path]) -> list[Environment]:
    """Environments declared by ``alembic.ini`` files and ``[tool.alembic]``."""
    environments: list[Environment] = []
    for ini in sorted(inis):
        for env in _environments_from_ini(root, ini):
            if all(env.version_dirs != e.version_dirs for e in environments):
                environments.append(env)
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        declared = _environment_from_pyproject(root, pyproject)
        if declared is not None and all(
            declared.version_dirs != e.version_dirs for e in environments
        ):
            environments.append(declared)
    return environments


def _resolve_location(root: Path, base: Path, location: str) -> Path | None:
    location = location.strip().replace("%(here)s", str(base))
    if ":" in location and not os.path.isabs(location) and location[1:3] != ":\\":
        package, _, sub = location.partition(":")
        for candidate in (base, root):
            path = candidate.joinpath(*package.split("."), sub)
            if path.is_dir():
                return path
        return None
    path = Path(location)
    if not path.is_absolute():
        path = base / path
    return path if path.is_dir() else None


def _environments_from_ini(root: Path, ini: Path) -> list[Environment]:
    """One environment per section with a ``script_location`` (``alembic --name``)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(ini, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    environments = []
    for section in parser.sections():
        if not parser.has_option(section, "script_location"):
            continue
        base = ini.parent
        script = _resolve_location(root, base, parser.get(section, "script_location"))
        if script is None:
            continue
        locations = parser.get(section, "version_locations", fallback="")
        separator = parser.get(section, "version_path_separator", fallback=None) or parser.get(
            section, "path_separator", fallback=None
        )
        dirs = _version_dirs(root, base, script, locations, separator)
        name = os.path.relpath(script, root)
        recursive = parser.get(section, "recursive_version_locations", fallback="false")
        url = parser.get(section, "sqlalchemy.url", fallback="")
        environments.append(
            Environment(
                name,
                dirs,
                str(script),
                recursive.strip().lower() in _TRUE,
                url_dialect(url),
                config_file=str(ini),
                config_section=section,
            )
        )
    return environments


_TRUE = frozenset({"true", "1", "yes", "on"})


def _version_dirs(
    root: Path, base: Path, script: Path, locations: str, separator: str | None
) -> tuple[str, ...]:
    if not locations.strip():
        return (str(script / "versions"),)
    seps = {"space": " ", "newline": "\n", "os": os.pathsep, ";": ";", ":": ":"}
    if separator in seps:
        parts = locations.split(seps[separator])
    elif separator:
        parts = locations.split(separator)
    else:
        parts = locations.replace(",", " ").split()
    dirs = []
    for part in parts:
        if part.strip():
            path = _resolve_location(root, base, part)
            if path is not None:
                dirs.append(str(path))
    return tuple(dirs)


def _environment_from_pyproject(root: Path, pyproject: Path) -> Environment | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
        return None
    section = data.get("tool", {}).get("alembic")
    if not isinstance(section, dict) or "script_location" not in section:
        return None
    script = _resolve_location(root, root, str(section["script_location"]))
    if script is None:
        return None
    locations = section.get("version_locations")
    if isinstance(locations, list) and locations:
        dirs = tuple(str(p) for loc in locations if (p := _resolve_location(root, root, str(loc))))
    else:
        dirs = (str(script / "versions"),)
    recursive = section.get("recursive_version_locations") is True
    return Environment(
        os.path.relpath(script, root), dirs, str(script), recursive, config_file=str(pyproject)
    )
