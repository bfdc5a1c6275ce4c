"""Run schema-lint on real applications that ship SQLAlchemy models and an Alembic history.

    .venv/bin/python benchmarks/real_world.py                 # every pinned project
    .venv/bin/python benchmarks/real_world.py --only mlflow --findings
    .venv/bin/python benchmarks/real_world.py --archive mlflow=/tmp/mlflow.whl --keep
    .venv/bin/python benchmarks/real_world.py --only dispatch --mirror-dir /work/.mirror

Two kinds of source, both pinned:

* a PyPI release (:class:`Package`), fetched once with ``pip download --no-deps`` into
  ``.benchmarks-work/downloads/`` (git-ignored, reused when present), then unpacked (a
  wheel is a zip, an sdist a tar);
* a public repository at one commit (:class:`Repository`), exported with
  ``git --git-dir=<mirror> archive <commit> [<subdirectory>]`` from a read-only mirror under
  ``--mirror-dir`` (default ``/work/.mirror``, laid out ``<owner>+<name>/repo``). When the
  mirror or the commit is missing, the project is reported as "not available (fetch
  github:owner/name)" and the run goes on.

Only ``.py``, ``.ini``, ``.toml`` and ``.cfg`` files are kept. A tree without a
``pyproject.toml`` gets one (empty, or holding the project's ``[tool.schema-lint]``
options), so that the project root is the unpacked directory and not one above it. Then,
each with ``--dialect`` (PostgreSQL unless pinned otherwise):

* ``schema-lint check DIR --format json --no-cache --verbose --exit-zero`` (cold): the
  findings per code (every code, not only SL001/SL002), the problems (``path:line:col:
  [kind] message`` lines on stderr) and the wall time;
* ``schema-lint schema DIR --source models|migrations --no-cache``: how many tables each
  side yields;
* the same ``check`` twice more with a fresh ``--cache-dir``: the first fills the cache,
  the second is the warm time;
* an *engine probe*: a child process that loads the project through the engine API
  (``schema_lint.project.load_project``, ``schema_lint.engine.build_schemas`` and
  ``check``) and prints the figures below as JSON. Each figure is computed on its own: when
  the API it reads has changed, that figure is ``None`` (printed ``-``) and the others
  stand.

The figures, per project:

model tables
    Tables the models declare (``schema --source models``).
checked
    Model tables whose ``Table.incomplete`` is empty: the tables the rules judge. The rest
    are skipped because something in them cannot be read statically.
known to the replay
    Model tables whose qualified name (``schema.table`` or ``table``) is a table of at
    least one Alembic environment's replayed schema at its heads. A model table unknown to
    the replay cannot be compared with its migrations (SL002 is blind on it).
statements understood
    Schema operations that the revision files yield: the sum over every revision file of
    ``Migration.operations``, without the ``MarkIncomplete`` markers (a statement that
    could not be evaluated but may change a table) and the ``Decide`` conditions; a
    ``Guarded`` operation counts as the operation it guards. One ``op.create_table(...)`` is
    one operation; so is each index or constraint an ``op.execute("...")`` creates.
statements unanalysable
    Problems of kind ``unanalysable`` located in a revision file: each is one statement
    (a call, a loop, a condition, an ``op.execute`` text) that the engine skipped instead
    of guessing.
recall
    For projects with a list of findings known to be true (:class:`Expected`: from the
    hand review in ``docs/real-world.md``, from upstream fixes and from maintainers'
    ignore lists), how many of them schema-lint reports: ``found / expected``.

If ``check`` prints a summary line of the form ``checked 95 of 102 model tables; 212 of
230 migration statements understood; ...`` on stderr, its figures are preferred to the
probe's (model tables, checked, understood, and unanalysable as the difference).

The totals row gives the average % checked and % known to the replay over the projects
that have the figure, and the sums of the counts. A project that fails (download, export,
unpack, a crash of schema-lint) is reported and the next one runs. Figures only, never
asserts.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeAlias

REPO = Path(__file__).resolve().parent.parent
DEFAULT_WORK = REPO / ".benchmarks-work"
DEFAULT_MIRROR = Path("/work/.mirror")
KEPT_SUFFIXES = (".py", ".ini", ".toml", ".cfg")
CODES = ("SL001", "SL002")
PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): \[(?P<kind>[a-z0-9-]+)\] ")
SUMMARY_LINE = re.compile(
    r"checked (?P<checked>\d+) of (?P<tables>\d+) model tables?; "
    r"(?P<understood>\d+) of (?P<statements>\d+) migration statements? understood"
)


# -- what is checked -------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """A finding known to be true: ``code`` on ``table`` about ``object``.

    ``object`` is an index name (SL002) or a parenthesised list of columns, ``"(a, b)"``
    (SL001's pair, or an index known only by its columns); columns match in any order.
    ``table`` may omit the schema. ``why`` says where the finding is known from.
    """

    code: str
    table: str
    object: str
    why: str = ""

    @property
    def columns(self) -> frozenset[str] | None:
        if not (self.object.startswith("(") and self.object.endswith(")")):
            return None
        return frozenset(c.strip() for c in self.object[1:-1].split(",") if c.strip())

    def matches(self, finding: Mapping[str, Any]) -> bool:
        if finding.get("code") != self.code:
            return False
        table = str(finding.get("table") or "")
        if table != self.table and table.rpartition(".")[2] != self.table:
            return False
        columns = self.columns
        if columns is None:
            return self.object in (finding_field(finding, "index"), finding.get("object"))
        return frozenset(finding_field(finding, "columns") or ()) == columns


def finding_field(finding: Mapping[str, Any], name: str) -> Any:
    """``name`` of a ``check --format json`` finding, at the top level or in its ``payload``.

    (The first JSON format put ``index`` and ``columns`` at the top level; the current one
    keeps them in ``payload``.)
    """
    value = finding.get(name)
    payload = finding.get("payload")
    if value is None and isinstance(payload, Mapping):
        value = payload.get(name)
    return value


@dataclass(frozen=True)
class Package:
    """One pinned PyPI release: what to download and how to check it."""

    name: str
    version: str
    dialect: str = "postgresql"
    config: Mapping[str, Any] = field(default_factory=dict)
    """``[tool.schema-lint]`` options written into the unpacked tree (empty: zero config)."""
    note: str = ""
    expected: tuple[Expected, ...] = ()
    libraries: tuple[tuple[str, str], ...] = ()
    """Pinned ``(name, version)`` releases its model bases come from: unpacked into a
    library root the tree's ``library-roots`` names (the one line a user would write)."""

    @property
    def source(self) -> str:
        libraries = ", ".join(f"{n}=={v}" for n, v in self.libraries)
        return f"PyPI {self.name}=={self.version}" + (
            f" (library-roots: {libraries})" if libraries else ""
        )

    @property
    def slug(self) -> str:
        return f"{_normalise(self.name)}-{self.version}"

    def names(self) -> set[str]:
        return {_normalise(self.name)}


@dataclass(frozen=True)
class Repository:
    """One public repository at a pinned commit, exported from a local read-only mirror."""

    owner: str
    repo: str
    commit: str
    """40 hex digits: the mirror's HEAD when it was pinned."""
    subdirectory: str = ""
    """The project root inside the repository (empty: the repository's root)."""
    dialect: str = "postgresql"
    config: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""
    expected: tuple[Expected, ...] = ()

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[0-9a-f]{40}", self.commit):
            raise ValueError(f"{self.owner}/{self.repo}: pin a 40-hex commit, not {self.commit!r}")

    @property
    def name(self) -> str:
        return f"{self.owner}/{self.repo}"

    @property
    def version(self) -> str:
        return self.commit[:12]

    @property
    def source(self) -> str:
        where = f":{self.subdirectory}" if self.subdirectory else ""
        return f"github:{self.owner}/{self.repo}@{self.commit}{where}"

    @property
    def slug(self) -> str:
        return f"{_normalise(self.owner)}+{_normalise(self.repo)}-{self.version}"

    def names(self) -> set[str]:
        return {_normalise(self.name), _normalise(self.repo)}


Project: TypeAlias = Package | Repository


def _sl002(table: str, *indexes: str, why: str) -> tuple[Expected, ...]:
    return tuple(Expected("SL002", table, index, why) for index in indexes)


_SUPERSET_REVIEW = "docs/real-world.md, superset hand review (first run)"
_PREFECT_REVIEW = "docs/real-world.md, new findings after the model-side fixes"
_PREFECT_FIX = (
    "prefect PR #16221 (b3b185c5d2, in 3.1.6) adds these to the models or drops them from "
    "the database: they exist in 3.1.5's migrations only"
)
_KEYSTONE_FIXME = (
    "keystone/tests/unit/common/sql/test_upgrades.py filter_metadata_diff: 'FIXME(stephenfin):"
    " These indexes are present in the migrations but not on the equivalent models'"
)

PROJECTS: tuple[Project, ...] = (
    Package(
        "apache-superset",
        "6.1.0",
        note="Flask-AppBuilder Model, imperative Table(); migrations through project helpers",
        libraries=(("flask-appbuilder", "5.3.0"), ("apache-superset-core", "0.1.0")),
        expected=tuple(
            Expected("SL001", table, pair, _SUPERSET_REVIEW)
            for table, pair in (
                ("slice_user", "(user_id, slice_id)"),
                ("dashboard_user", "(user_id, dashboard_id)"),
                ("dashboard_roles", "(dashboard_id, role_id)"),
                ("sqlatable_user", "(user_id, table_id)"),
                ("rls_filter_roles", "(role_id, rls_filter_id)"),
                ("rls_filter_tables", "(table_id, rls_filter_id)"),
                ("user_favorite_tag", "(user_id, tag_id)"),
            )
        ),
    ),
    Package(
        "mlflow",
        "3.18.0",
        note="classic declarative; two environments: store/db_migrations and server/auth/db",
    ),
    Package(
        "prefect",
        "3.9.1",
        note="Mapped[...] on a registry; versions/{postgresql,sqlite}: two environments",
        expected=(
            *(
                Expected("SL002", t, f"ix_{t}_name_case_insensitive", _PREFECT_REVIEW)
                for t in ("flow", "flow_run", "task_run", "deployment", "block_type")
            ),
            Expected(
                "SL002",
                "block_document",
                "ix_block_document_name_case_insensitive",
                _PREFECT_REVIEW,
            ),
            *_sl002("flow_run", "ix_flow_run__schedule_id_scheduler", why=_PREFECT_REVIEW),
            *_sl002("deployment", "ix_deployment__version_id", why=_PREFECT_REVIEW),
            *_sl002(
                "events",
                "ix_events__event_related_occurred",
                "ix_events__related_resource_ids",
                why=_PREFECT_REVIEW,
            ),
        ),
    ),
    Package(
        "indico",
        "3.3.14",
        note="Flask-SQLAlchemy; history squashed in 2017 (base schema from create_all)",
    ),
    Package(
        "optuna",
        "5.0.0",
        note="classic declarative; optuna/storages/_rdb: small and self-contained",
        expected=(
            Expected(
                "SL002",
                "trials",
                "trials_study_id_key",
                "docs/real-world.md, optuna hand review",
            ),
        ),
    ),
    Package(
        "apache-airflow-core",
        "3.3.2",
        note="Mapped[...] and Column; airflow/migrations/versions; airflow/models",
    ),
    Package(
        "zenml",
        "0.98.0",
        note="SQLModel (table=True) with sa_column=...; zen_stores/migrations",
    ),
    Package(
        "ckan",
        "2.12.0",
        note="imperative Table() mapped with registry.map_imperatively; plugin environments",
    ),
    Package(
        "keystone",
        "30.0.0",
        note="classic declarative; expand/contract branches (branch_labels)",
        libraries=(("oslo.db", "18.1.1"),),
        expected=tuple(
            Expected(code, table, columns, _KEYSTONE_FIXME)
            for code, table, columns in (
                ("SL002", "access_rule", "(external_id)"),
                ("SL002", "access_rule", "(user_id)"),
                ("SL002", "revocation_event", "(revoked_at)"),
                # an index the model has and the migrations do not (`add_index` in the
                # maintainers' list): SL007's business
                ("SL007", "system_assignment", "(actor_id)"),
                ("SL002", "user", "(default_project_id)"),
            )
        ),
    ),
    Package(
        "neutron",
        "29.0.0",
        note="classic declarative; expand/contract branches over 130 revisions",
        libraries=(("neutron-lib", "5.0.1"), ("oslo.db", "18.1.1")),
    ),
    Package(
        "octavia",
        "19.0.0",
        note="classic declarative (oslo.db model base)",
        libraries=(("oslo.db", "18.1.1"),),
    ),
    Package("fief-server", "0.30.0", note="SQLAlchemy 2.0 Mapped[...] / mapped_column"),
    Package("ihatemoney", "7.2.1", note="Flask-SQLAlchemy db.Model; Flask-Migrate history"),
    Package("pgadmin4", "9.18", note="Flask-SQLAlchemy db.Model; SQLite history"),
    Package("dagster", "1.13.28", note="SQLAlchemy Core Table() only, no ORM classes"),
    Package("buildbot", "4.3.0", note="SQLAlchemy Core Table() in a class body; sa.MetaData"),
    Package(
        "prefect",
        "3.1.5",
        note="the release before prefect PR #16221 brought models and migrations in sync",
        expected=(
            *_sl002("artifact", "ix_artifact__key_created_desc", why=_PREFECT_FIX),
            *_sl002("artifact_collection", "ix_artifact__key_created_desc", why=_PREFECT_FIX),
            *_sl002(
                "block_document",
                "ix_block_document__block_type_name__name",
                "ix_block_document__block_type_name_name",
                why=_PREFECT_FIX,
            ),
            *_sl002("block_schema", "ix_block_schema__capabilities", why=_PREFECT_FIX),
            *_sl002(
                "flow_run",
                "ix_flow_run__scheduler_deployment_id_auto_scheduled_next_schedu",
                "ix_flow_run__deployment_id",
                why=_PREFECT_FIX,
            ),
            *_sl002("work_queue", "ix_work_queue__work_pool_id_priority", why=_PREFECT_FIX),
            *_sl002("worker", "ix_worker__work_pool_id_last_heartbeat_time", why=_PREFECT_FIX),
            *_sl002("work_pool", "ix_work_pool__type", why=_PREFECT_FIX),
            *(
                Expected("SL002", table, f"trgm_ix_{table}_name", _PREFECT_FIX)
                for table in (
                    "block_document",
                    "block_type",
                    "deployment",
                    "flow",
                    "flow_run",
                    "task_run",
                    "work_queue",
                )
            ),
        ),
    ),
    Repository(
        "Netflix",
        "dispatch",
        "dd2837e82a0bf5565b1b4b4b91ea30b7262d4061",
        note="multi-tenant: revisions/core plus revisions/tenant applied to every "
        "dispatch_organization_* schema with schema_translate_map",
    ),
    Repository(
        "fastapi",
        "full-stack-fastapi-template",
        "68adb40d37425f6f8668ec7e5a054500d045e43e",
        subdirectory="backend",
        note="SQLModel (table=True); app/alembic",
    ),
)

PACKAGES: tuple[Package, ...] = tuple(p for p in PROJECTS if isinstance(p, Package))
"""The PyPI releases alone (kept for callers of the first version of this script)."""


@dataclass
class Result:
    project: Project
    files: int = 0
    revisions: int = 0
    model_tables: int | None = None
    checked_tables: int | None = None
    """Model tables not marked incomplete: the ones the rules judge (None: not measured)."""
    known_tables: int | None = None
    """Model tables that some environment's replay also has, by qualified name."""
    understood: int | None = None
    unanalysable: int | None = None
    migration_tables: int | None = None
    heads: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: collections.Counter[str] = field(default_factory=collections.Counter)
    findings: list[dict[str, Any]] = field(default_factory=list)
    cold: float | None = None
    warm: float | None = None
    figures_from: str = ""
    """Where checked/understood come from: "summary line", "engine probe" or ""."""
    probe_errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def skipped_tables(self) -> int | None:
        if self.model_tables is None or self.checked_tables is None:
            return None
        return self.model_tables - self.checked_tables

    def recall(self) -> tuple[int, int] | None:
        """(expected findings reported, expected findings), None without a list."""
        expected = self.project.expected
        if not expected:
            return None
        found = sum(1 for e in expected if any(e.matches(f) for f in self.findings))
        return found, len(expected)

    def missed(self) -> list[Expected]:
        return [e for e in self.project.expected if not any(e.matches(f) for f in self.findings)]


UNAVAILABLE = "not available"


class Unavailable(Exception):
    """The source of a project is not on this machine (not an error of schema-lint)."""


# -- fetching and unpacking ----------------------------------------------------------------


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


ARCHIVE_SUFFIXES = (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar")


def archive_release(filename: str) -> tuple[str, str] | None:
    """(normalised name, version) of a wheel or sdist file name, None for anything else."""
    if filename.endswith(".whl"):
        parts = filename.split("-")
        return (_normalise(parts[0]), parts[1]) if len(parts) >= 5 else None
    for suffix in ARCHIVE_SUFFIXES:
        if filename.endswith(suffix):
            name, sep, version = filename[: -len(suffix)].rpartition("-")
            return (_normalise(name), version) if sep else None
    return None


def find_archive(directory: Path, package: Package) -> Path | None:
    """A wheel (preferred) or sdist of exactly ``package.version`` already in ``directory``."""
    if not directory.is_dir():
        return None
    wanted = (_normalise(package.name), package.version)
    found = sorted(
        p for p in directory.iterdir() if p.is_file() and archive_release(p.name) == wanted
    )
    wheels = [p for p in found if p.suffix == ".whl"]
    candidates = wheels or found
    return candidates[0] if candidates else None


def download(package: Package, directory: Path) -> Path:
    """The cached archive of ``package``, fetched with ``pip download`` when missing."""
    cached = find_archive(directory, package)
    if cached is not None:
        return cached
    directory.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--ignore-requires-python",
        "--disable-pip-version-check",
        "--quiet",
        "-d",
        str(directory),
        f"{package.name}=={package.version}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"pip download failed: {' | '.join(tail)}")
    archive = find_archive(directory, package)
    if archive is None:
        raise RuntimeError(f"pip download left no archive of {package.name} {package.version}")
    return archive


def _kept(name: str) -> bool:
    return name.endswith(KEPT_SUFFIXES) and not name.endswith("/")


def _safe_target(root: Path, name: str) -> Path | None:
    target = (root / name).resolve()
    return target if target.is_relative_to(root) else None


def _extract_tar(tf: tarfile.TarFile, root: Path) -> None:
    for member in tf.getmembers():
        target = _safe_target(root, member.name)
        if target is None or not member.isfile() or not _kept(member.name):
            continue
        source = tf.extractfile(member)
        if source is None:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(source.read())


def _fresh(destination: Path) -> Path:
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    return destination.resolve()


def unpack(archive: Path, destination: Path) -> Path:
    """Extract the source and configuration files of ``archive``; the tree's root."""
    root = _fresh(destination)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                target = _safe_target(root, info.filename)
                if target is None or info.is_dir() or not _kept(info.filename):
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf:
            _extract_tar(tf, root)
    else:
        raise RuntimeError(f"{archive.name}: neither a zip (wheel) nor a tar (sdist)")
    entries = [p for p in root.iterdir()]
    # An sdist holds one top-level folder (name-version/): that folder is the project.
    if len(entries) == 1 and entries[0].is_dir() and not (root / "pyproject.toml").exists():
        only = entries[0]
        if (only / "pyproject.toml").exists() or (only / "setup.py").exists():
            return only
    return root


def mirror_git_dir(mirror_dir: Path, repository: Repository) -> Path | None:
    """The bare git directory of ``repository`` under ``mirror_dir``, None when absent."""
    base = mirror_dir / f"{repository.owner}+{repository.repo}"
    for candidate in (base / "repo", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _git(git_dir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", f"--git-dir={git_dir}", *args], capture_output=True, timeout=900)


def export_repository(repository: Repository, mirror_dir: Path, destination: Path) -> Path:
    """Write the kept files of the pinned commit into ``destination``; the project's root.

    Raises :class:`Unavailable` when the mirror or the commit is not on this machine.
    """
    fetch = f"fetch github:{repository.owner}/{repository.repo}"
    git_dir = mirror_git_dir(mirror_dir, repository)
    if git_dir is None:
        raise Unavailable(f"{UNAVAILABLE} ({fetch})")
    if _git(git_dir, "cat-file", "-e", f"{repository.commit}^{{commit}}").returncode != 0:
        raise Unavailable(f"{UNAVAILABLE} (commit {repository.version} not in the mirror; {fetch})")
    paths = [repository.subdirectory] if repository.subdirectory else []
    done = _git(git_dir, "archive", "--format=tar", repository.commit, *paths)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"git archive exited {done.returncode}: {tail[0]}")
    root = _fresh(destination)
    with tarfile.open(fileobj=io.BytesIO(done.stdout)) as tf:
        _extract_tar(tf, root)
    tree = root / repository.subdirectory if repository.subdirectory else root
    if not tree.is_dir():
        raise RuntimeError(f"{repository.subdirectory}: no such directory at {repository.version}")
    return tree


def prepare_root(tree: Path, project: Project) -> Path:
    """Make ``tree`` a project root: a ``pyproject.toml`` with the project's options."""
    pyproject = tree / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if project.config:
        text += "\n" + _toml_section("tool.schema-lint", project.config)
    if not pyproject.exists() or project.config:
        pyproject.write_text(text or "# written by benchmarks/real_world.py\n", encoding="utf-8")
    return tree


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, Sequence):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _toml_section(name: str, values: Mapping[str, Any]) -> str:
    lines = [f"[{name}]"]
    tables = []
    for key, value in values.items():
        if isinstance(value, Mapping):
            tables.append(_toml_section(f'{name}."{key}"', value))
        else:
            lines.append(f'"{key}" = {_toml_value(value)}')
    return "\n".join(lines) + "\n" + "".join("\n" + t for t in tables)


# -- running schema-lint ---------------------------------------------------------------------


def schema_lint_command() -> list[str]:
    """The ``schema-lint`` of this interpreter's environment."""
    script = Path(sys.executable).parent / "schema-lint"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "schema_lint"]


Runner = Callable[[Sequence[str], Path], "subprocess.CompletedProcess[str]"]
Probe = Callable[[Path, str], Mapping[str, Any]]


def run_command(args: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*schema_lint_command(), *args], cwd=cwd, capture_output=True, text=True, timeout=1800
    )


def _json_output(done: subprocess.CompletedProcess[str], what: str) -> Any:
    if done.returncode not in (0, 1):
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise RuntimeError(f"{what} exited {done.returncode}: {tail[0]}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"{what} printed no JSON: {exc}") from None


def count_problems(stderr: str) -> collections.Counter[str]:
    return collections.Counter(
        m.group("kind") for line in stderr.splitlines() if (m := PROBLEM_LINE.match(line))
    )


@dataclass(frozen=True)
class Summary:
    """The figures of ``check``'s summary line, when the product prints one."""

    checked: int
    model_tables: int
    understood: int
    statements: int

    @property
    def unanalysable(self) -> int:
        return self.statements - self.understood


def parse_summary(stderr: str) -> Summary | None:
    """The last ``checked N of M model tables; U of T migration statements understood`` line."""
    found = None
    for line in stderr.splitlines():
        if match := SUMMARY_LINE.search(line):
            found = Summary(
                checked=int(match["checked"]),
                model_tables=int(match["tables"]),
                understood=int(match["understood"]),
                statements=int(match["statements"]),
            )
    return found


_PROBE = r"""
import json
import os
import sys
from pathlib import Path

figures = {}
errors = {}


def figure(name, compute):
    try:
        figures[name] = compute()
    except Exception as exc:  # an engine API that changed: this figure only is unknown
        figures[name] = None
        errors[name] = f"{type(exc).__name__}: {exc}"


root = Path(sys.argv[1])
try:
    from schema_lint.config import load_config
    from schema_lint.engine import build_schemas, check
    from schema_lint.project import load_project

    project = load_project(root, load_config(root, {"dialect": sys.argv[2]}))
    schemas = build_schemas(project)
except Exception as exc:
    print(json.dumps({"errors": {"engine": f"{type(exc).__name__}: {exc}"}}))
    raise SystemExit(0)


def key(path):
    return os.path.realpath(os.path.join(str(root), str(path)))


tables = schemas.models.tables
revisions = [f for f in project.files.values() if f.migration is not None]


def known():
    replayed = set()
    for schema in schemas.migrations.values():
        replayed.update(schema.tables)
    return sum(1 for name in tables if name in replayed)


def understood():
    # a Decide is a condition, not a statement; a Guarded operation counts as what it guards
    return sum(
        1
        for f in revisions
        for operation in f.migration.operations
        if type(getattr(operation, "operation", operation)).__name__
        not in ("MarkIncomplete", "Decide")
    )


def unanalysable():
    paths = {key(f.path) for f in revisions}
    problems = check(project).problems
    return len(
        {p for p in problems if p.kind == "unanalysable" and key(p.span.path) in paths}
    )


figure("model_tables", lambda: len(tables))
figure("checked", lambda: sum(1 for table in tables.values() if not table.incomplete))
figure("known", known)
figure("understood", understood)
figure("unanalysable", unanalysable)
print(json.dumps({**figures, "errors": errors}))
"""


def probe_engine(tree: Path, dialect: str) -> Mapping[str, Any]:
    """The engine-API figures of the project at ``tree`` (see the module docstring).

    Runs in a child process so that the benchmark never imports the engine itself; a
    figure whose API changed is None, and a probe that fails altogether gives no figure.
    """
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(tree), dialect],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        data = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
    except (subprocess.SubprocessError, ValueError, OSError, IndexError) as exc:
        return {"errors": {"probe": f"{type(exc).__name__}: {exc}"}}
    if not isinstance(data, dict):
        return {"errors": {"probe": "printed no JSON object"}}
    if done.returncode != 0:
        data.setdefault("errors", {})["probe"] = f"exited {done.returncode}"
    return data


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def count_incomplete(tree: Path, dialect: str) -> int | None:
    """Model tables the rules skip (incomplete), through the probe; None when unknown."""
    figures = probe_engine(tree, dialect)
    tables, checked = (
        _int_or_none(figures.get("model_tables")),
        _int_or_none(figures.get("checked")),
    )
    return None if tables is None or checked is None else tables - checked


def _count_files(tree: Path) -> tuple[int, int]:
    files = revisions = 0
    for path in tree.rglob("*.py"):
        files += 1
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"down_revision" in data and b"upgrade" in data:
            revisions += 1
    return files, revisions


def check_tree(
    project: Project,
    tree: Path,
    cache_dir: Path,
    runner: Runner = run_command,
    probe: Probe = probe_engine,
) -> Result:
    """Check one unpacked project: findings, problems, tables, coverage and timings."""
    result = Result(project)
    result.files, result.revisions = _count_files(tree)
    dialect = ["--dialect", project.dialect]
    target = str(tree)
    check = ["check", target, "--format", "json", "--verbose", "--exit-zero", *dialect]

    start = time.perf_counter()
    done = runner([*check, "--no-cache"], tree)
    result.cold = time.perf_counter() - start
    findings = _json_output(done, "check")
    result.findings = findings
    counts = collections.Counter(f["code"] for f in findings)
    result.counts = {code: counts.get(code, 0) for code in sorted({*CODES, *counts})}
    result.problems = count_problems(done.stderr)

    for source in ("models", "migrations"):
        args = ["schema", target, "--source", source, "--no-cache", *dialect]
        data = _json_output(runner(args, tree), f"schema --source {source}")
        if source == "models":
            result.model_tables = len(data["tables"])
        else:
            result.migration_tables = len(data["tables"])
            result.heads = len(data["heads"])

    figures = probe(tree, project.dialect)
    result.probe_errors = dict(figures.get("errors") or {})
    result.checked_tables = _int_or_none(figures.get("checked"))
    result.known_tables = _int_or_none(figures.get("known"))
    result.understood = _int_or_none(figures.get("understood"))
    result.unanalysable = _int_or_none(figures.get("unanalysable"))
    if any(v is not None for v in (result.checked_tables, result.understood)):
        result.figures_from = "engine probe"
    summary = parse_summary(done.stderr)
    if summary is not None:
        result.model_tables = summary.model_tables
        result.checked_tables = summary.checked
        result.understood = summary.understood
        result.unanalysable = summary.unanalysable
        result.figures_from = "summary line"

    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    cached = [*check, "--cache-dir", str(cache_dir)]
    _json_output(runner(cached, tree), "check (filling the cache)")
    start = time.perf_counter()
    _json_output(runner(cached, tree), "check (warm)")
    result.warm = time.perf_counter() - start
    return result


def materialise(
    project: Project,
    work: Path,
    *,
    archive: Path | None = None,
    mirror_dir: Path = DEFAULT_MIRROR,
) -> Path:
    """The project's tree under ``work/src/<slug>``, ready to check."""
    tree_dir = work / "src" / project.slug
    if isinstance(project, Repository):
        tree = export_repository(project, mirror_dir, tree_dir)
    else:
        if archive is None:
            archive = download(project, work / "downloads")
        tree = unpack(archive, tree_dir)
        if project.libraries:
            site = _fresh(work / "libraries" / project.slug)
            for name, version in project.libraries:
                wheel = download(Package(name, version), work / "downloads")
                with zipfile.ZipFile(wheel) as zf:
                    for info in zf.infolist():
                        target = _safe_target(site, info.filename)
                        if target is not None and not info.is_dir() and _kept(info.filename):
                            target.parent.mkdir(parents=True, exist_ok=True)
                            target.write_bytes(zf.read(info))
            project = replace(project, config={**project.config, "library-roots": [str(site)]})
    return prepare_root(tree, project)


def run_project(
    project: Project,
    work: Path,
    *,
    archive: Path | None = None,
    keep: bool = False,
    runner: Runner = run_command,
    probe: Probe = probe_engine,
    mirror_dir: Path = DEFAULT_MIRROR,
) -> Result:
    """Fetch, unpack and check one project; never raises (the error is in the result)."""
    tree_dir = work / "src" / project.slug
    cache_dir = work / "cache" / project.slug
    try:
        tree = materialise(project, work, archive=archive, mirror_dir=mirror_dir)
        return check_tree(project, tree, cache_dir, runner, probe)
    except Unavailable as exc:
        return Result(project, error=str(exc))
    except Exception as exc:  # one project's failure must not stop the run
        return Result(project, error=f"{type(exc).__name__}: {exc}")
    finally:
        if not keep:
            shutil.rmtree(tree_dir, ignore_errors=True)
            shutil.rmtree(cache_dir, ignore_errors=True)


run_package = run_project
"""The first version's name for :func:`run_project`."""


# -- printing ------------------------------------------------------------------------------


def _cell(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _percent(part: int | None, whole: int | None) -> float | None:
    if part is None or whole is None or whole == 0:
        return None
    return 100.0 * part / whole


def _share(part: int | None, whole: int | None) -> str:
    share = _percent(part, whole)
    return _cell(part) if share is None else f"{part} ({share:.0f} %)"


def _average(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _total(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


HEADER = (
    "project",
    "version",
    "revisions",
    "model tables",
    "checked",
    "known to replay",
    "understood",
    "unanalysable",
    "migration tables",
)
TAIL = ("problems", "recall", "cold s", "warm s")


def format_table(results: Sequence[Result]) -> str:
    """The figures table in Markdown, with a totals row."""
    codes = sorted({*CODES, *(c for r in results for c in r.counts)})
    header = [*HEADER, *codes, *TAIL]
    rows: list[list[str]] = []
    measured = [r for r in results if r.error is None]
    for r in results:
        if r.error is not None:
            shown = r.error if r.error.startswith(UNAVAILABLE) else f"error: {r.error}"
            rows.append([r.project.name, r.project.version, shown])
            continue
        recall = r.recall()
        rows.append(
            [
                r.project.name,
                r.project.version,
                _cell(r.revisions),
                _cell(r.model_tables),
                _share(r.checked_tables, r.model_tables),
                _share(r.known_tables, r.model_tables),
                _cell(r.understood),
                _cell(r.unanalysable),
                _cell(r.migration_tables),
                *(_cell(r.counts.get(c, 0)) for c in codes),
                _cell(sum(r.problems.values())),
                "-" if recall is None else f"{recall[0]}/{recall[1]}",
                _cell(r.cold),
                _cell(r.warm),
            ]
        )
    if len(measured) > 1:
        recalls = [rc for r in measured if (rc := r.recall()) is not None]
        checked = _average(_percent(r.checked_tables, r.model_tables) for r in measured)
        known = _average(_percent(r.known_tables, r.model_tables) for r in measured)
        rows.append(
            [
                f"total ({len(measured)})",
                "",
                _cell(sum(r.revisions for r in measured)),
                _cell(_total(r.model_tables for r in measured)),
                "-" if checked is None else f"avg {checked:.0f} %",
                "-" if known is None else f"avg {known:.0f} %",
                _cell(_total(r.understood for r in measured)),
                _cell(_total(r.unanalysable for r in measured)),
                _cell(_total(r.migration_tables for r in measured)),
                *(_cell(sum(r.counts.get(c, 0) for r in measured)) for c in codes),
                _cell(sum(sum(r.problems.values()) for r in measured)),
                "-"
                if not recalls
                else f"{sum(f for f, _ in recalls)}/{sum(e for _, e in recalls)}",
                _cell(_total_float(r.cold for r in measured)),
                _cell(_total_float(r.warm for r in measured)),
            ]
        )
    widths = [len(h) for h in header]
    for row in rows:
        if len(row) == len(header):
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "| " + " | ".join("-" * w for w in widths) + " |",
    ]
    for row in rows:
        if len(row) != len(header):
            row = [*row[:2], row[2], *[""] * (len(header) - 3)]
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    return "\n".join(lines)


def _total_float(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def format_details(results: Sequence[Result], *, findings: bool) -> str:
    lines: list[str] = []
    for r in results:
        if r.error is not None:
            continue
        head = f"{r.project.name} {r.project.version}"
        kinds = ", ".join(f"{k} {n}" for k, n in r.problems.most_common()) or "none"
        lines.append(f"{head}: problems: {kinds}")
        if r.figures_from:
            lines.append(f"  figures from the {r.figures_from}")
        for figure, why in sorted(r.probe_errors.items()):
            lines.append(f"  probe: {figure} unknown ({why})")
        for missed in r.missed():
            lines.append(
                f"  missed expected {missed.code} {missed.table} [{missed.object}]  ({missed.why})"
            )
        if not findings:
            continue
        for f in r.findings:
            where = _relative(f["filename"], r)
            payload = f.get("payload") or f  # the payload carries the rule's facts
            what = payload.get("index") or ", ".join(payload.get("columns") or ())
            what = what or f.get("object") or ""
            lines.append(
                f"  {f['code']} {f.get('table')} [{what}] {where}:{f['location']['row']}"
                f"  {f['message']}"
            )
            for related in f.get("related") or ():
                lines.append(
                    f"      {_relative(related['filename'], r)}:{related['location']['row']}"
                    f"  {related['message']}"
                )
    return "\n".join(lines)


def _relative(path: str, result: Result) -> str:
    marker = f"{os.sep}src{os.sep}{result.project.slug}"
    index = path.find(marker)
    if index < 0:
        return path
    rest = path[index + len(marker) :].lstrip(os.sep)
    return rest


# -- command line ----------------------------------------------------------------------------


def _archives(values: Sequence[str]) -> dict[str, Path]:
    archives = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep:
            raise argparse.ArgumentTypeError(f"--archive wants NAME=PATH, not {value!r}")
        archives[name] = Path(path)
    return archives


def select(projects: Sequence[Project], only: Sequence[str]) -> list[Project]:
    """The projects named in ``only`` (a name, ``owner/name``, or ``name==version``)."""
    if not only:
        return list(projects)
    chosen = []
    for project in projects:
        for wanted in only:
            name, _, version = wanted.partition("==")
            if _normalise(name) in project.names() and version in ("", project.version):
                chosen.append(project)
                break
    return chosen


def main(argv: Sequence[str] | None = None, packages: Sequence[Project] = PROJECTS) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="check this project only (NAME, owner/NAME or NAME==VERSION; repeatable)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the unpacked trees and caches under the work dir"
    )
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK, help="cache directory")
    parser.add_argument(
        "--mirror-dir",
        type=Path,
        default=DEFAULT_MIRROR,
        help="where the repository mirrors are (<owner>+<name>/repo)",
    )
    parser.add_argument(
        "--archive",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="use this local wheel or sdist instead of downloading NAME",
    )
    parser.add_argument("--findings", action="store_true", help="list every finding")
    parser.add_argument("--json", type=Path, help="also write the raw results here")
    args = parser.parse_args(argv)
    try:
        archives = _archives(args.archive)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    chosen = select(packages, args.only)
    if not chosen:
        parser.error(f"no pinned project named {', '.join(args.only)}")
    results = []
    for project in chosen:
        print(f"... {project.name} {project.version}", file=sys.stderr, flush=True)
        archive = None
        if isinstance(project, Package):
            archive = archives.get(project.name) or archives.get(_normalise(project.name))
        result = run_project(
            project, args.work_dir, archive=archive, keep=args.keep, mirror_dir=args.mirror_dir
        )
        if result.error is not None:
            print(f"{project.name} {project.version}: {result.error}", file=sys.stderr)
        results.append(result)
    print(format_table(results))
    details = format_details(results, findings=args.findings)
    if details:
        print()
        print(details)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([_to_json(r) for r in results], indent=2) + "\n")
    return 0


def _to_json(result: Result) -> dict[str, Any]:
    project = result.project
    recall = result.recall()
    return {
        "project": project.name,
        "version": project.version,
        "source": project.source,
        "dialect": project.dialect,
        "files": result.files,
        "revisions": result.revisions,
        "model_tables": result.model_tables,
        "checked_tables": result.checked_tables,
        "skipped_tables": result.skipped_tables,
        "known_tables": result.known_tables,
        "statements_understood": result.understood,
        "statements_unanalysable": result.unanalysable,
        "figures_from": result.figures_from,
        "probe_errors": result.probe_errors,
        "migration_tables": result.migration_tables,
        "heads": result.heads,
        "counts": result.counts,
        "problems": dict(result.problems),
        "expected": [e.__dict__ for e in project.expected],
        "recall": None if recall is None else {"found": recall[0], "expected": recall[1]},
        "missed": [e.__dict__ for e in result.missed()],
        "cold_seconds": result.cold,
        "warm_seconds": result.warm,
        "findings": result.findings,
        "error": result.error,
    }


if __name__ == "__main__":
    raise SystemExit(main())
