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

from schema_lint.facts.source import Problem, Span
from schema_lint.sources.limits import UNREADABLE, Unreadable, directory_error, read_source
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
    uncompared: str = ""
    """Why autogenerate never compares this environment with models (``target_metadata =
    None`` in its env.py); empty when it does."""
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
    problems: tuple[Problem, ...] = ()
    """Files and directories that should have been read and could not be."""
    implied: frozenset[str] = frozenset()
    """Revision files below a version directory (``versions/yoga/expand``) that no
    ``alembic.ini`` names: kept only if they continue their environment's revision graph
    (a project that sets ``version_locations`` in code)."""


def find_project_root(start: Path) -> Path:
    """The nearest directory at or above ``start`` with a ``pyproject.toml`` or ``.git``."""
    start = start.resolve()
    current = start if start.is_dir() else start.parent
    for candidate in (current, *current.parents):
        # os.path, not Path: a parent directory we may not look into is simply not the root
        if os.path.isfile(candidate / "pyproject.toml") or os.path.exists(candidate / ".git"):
            return candidate
    return current


def walk_project(
    root: Path, exclude: Sequence[str] = (), problems: list[Problem] | None = None
) -> tuple[list[Path], list[Path]]:
    """The Python files and the ``alembic.ini`` files under ``root``, in one walk.

    Directories that cannot be listed are added to ``problems``.
    """
    python: list[Path] = []
    inis: list[Path] = []
    for path in _walk(root, exclude, problems if problems is not None else []):
        (inis if path.name == "alembic.ini" else python).append(path)
    return python, inis


def _walk(root: Path, exclude: Sequence[str], problems: list[Problem]) -> Iterable[Path]:
    """Python and ``alembic.ini`` files, skipping virtualenvs, VCS and build folders."""
    root_str = str(root)

    def unlisted(exc: OSError) -> None:
        path = exc.filename if isinstance(exc.filename, str) else root_str
        span = Span(path, 1, 0, 1, 0)
        problems.append(Problem("unreadable-directory", directory_error(exc), span))

    def unnamed(path: str, kind: str) -> None:
        shown = _printable(path)
        message = "its name is not valid UTF-8; not read (rename it, or exclude it)"
        problems.append(Problem(kind, message, Span(shown, 1, 0, 1, 0)))

    for dirpath, dirnames, filenames in os.walk(root_str, onerror=unlisted):
        rel_dir = os.path.relpath(dirpath, root_str)
        kept = []
        for d in dirnames:
            if d in SKIPPED_DIRS or d.endswith(".egg-info"):
                continue
            full = os.path.join(dirpath, d)
            if not _encodable(d):
                if not _excluded(os.path.normpath(os.path.join(rel_dir, d)), exclude):
                    unnamed(full, "unreadable-directory")
                continue
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
            if _excluded(rel, exclude):
                continue
            if _encodable(filename):
                yield Path(dirpath, filename)
            else:  # bytes the file system encoding cannot decode: never a valid module name
                unnamed(os.path.join(dirpath, filename), UNREADABLE)


def _encodable(name: str) -> bool:
    """Whether ``name`` is text (``os.walk`` turns undecodable bytes into surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(path: str) -> str:
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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


def configured_environments(
    root: Path, inis: Sequence[Path], problems: list[Problem] | None = None
) -> list[Environment]:
    """Environments declared by ``alembic.ini`` files and ``[tool.alembic]``.

    An ``alembic.ini`` that cannot be read is added to ``problems``.
    """
    environments: list[Environment] = []
    for ini in sorted(inis):
        for env in _environments_from_ini(root, ini, problems if problems is not None else []):
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


def _environments_from_ini(root: Path, ini: Path, problems: list[Problem]) -> list[Environment]:
    """One environment per section with a ``script_location`` (``alembic --name``)."""
    parser = configparser.ConfigParser(interpolation=None)
    data = read_source(str(ini))
    try:
        if isinstance(data, Unreadable):
            raise _IniError(data.kind, data.message)
        try:
            parser.read_string(data.decode("utf-8-sig"), str(ini))
        except UnicodeDecodeError as exc:
            raise _IniError("decode-error", f"cannot decode as utf-8: {exc}") from None
        except configparser.Error as exc:
            message = " ".join(str(exc).split())
            raise _IniError(UNREADABLE, f"cannot be read as an INI file: {message}") from None
    except _IniError as exc:
        if exc.kind != "vanished":
            problems.append(Problem(exc.kind, exc.message, Span(str(ini), 1, 0, 1, 0)))
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


class _IniError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


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
    tool = data.get("tool")
    section = tool.get("alembic") if isinstance(tool, dict) else None
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
