"""Wall time and peak memory of ``schema-lint check`` next to ruff, on generated projects.

    python benchmarks/check_speed.py [--tables 500 2000] [--runs 5] [--lsp] [--baseline DIR]

For each size it generates a project (see ``generate_project.py``) and prints, side by side
in one run: schema-lint cold (no cache, and an empty cache being written), warm with nothing
changed, warm after one model file was edited, warm after one revision file was edited, and
``ruff check --select ALL --no-cache`` on the same tree. The scenarios are run in turn, round
after round (so that other work on the machine weighs on all of them alike), and the median
wall time of ``--runs`` rounds is printed with the peak resident memory of the largest
process and the ratio to ruff. ``--lsp`` then runs ``lsp_latency.py`` on a 3,000-line model
file (the language server's edit-to-diagnostics p50/p95). ``--baseline DIR`` adds, in the same
rounds, the runs of another version's code (``DIR/server`` on ``PYTHONPATH``, e.g. an export
of ``main``): a before/after measured under the same load.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_project import generate  # noqa: E402

_MEASURE = (
    "import resource, subprocess, sys, time\n"
    "start = time.perf_counter()\n"
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "wall = time.perf_counter() - start\n"
    "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def measure(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run, measured in a fresh wrapper process."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout.split()
    return float(out[0]), int(out[1])


Scenario = tuple[str, list[str], Callable[[], None] | None, dict[str, str] | None]


def bench(scenarios: list[Scenario], cwd: Path, runs: int) -> dict[str, tuple[float, int]]:
    """Median wall seconds and peak RSS (KiB) of each scenario, run in turn ``runs`` times."""
    walls: dict[str, list[float]] = {label: [] for label, *_ in scenarios}
    peaks: dict[str, list[int]] = {label: [] for label, *_ in scenarios}
    for _ in range(runs):
        for label, command, prepare, env in scenarios:
            if prepare is not None:
                prepare()
            wall, peak = measure(command, cwd, env)
            walls[label].append(wall)
            peaks[label].append(peak)
    return {label: (statistics.median(walls[label]), max(peaks[label])) for label in walls}


def _appender(path: Path) -> Callable[[], None]:
    """Append a new comment to ``path``: an edit that changes its content, not its facts."""
    counter = [0]

    def edit() -> None:
        counter[0] += 1
        with path.open("a") as handle:
            handle.write(f"# edit {counter[0]} at {time.time()}\n")

    return edit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--lsp", action="store_true", help="also run lsp_latency.py at 3,000 lines")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="a checkout of another version (its server/ directory is put on PYTHONPATH): "
        "its cold and warm runs are measured in the same rounds, for a before/after",
    )
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    schema_lint = [str(bindir / "schema-lint"), "check", "--exit-zero", "--quiet"]
    ruff = shutil.which("ruff", path=str(bindir)) or shutil.which("ruff") or "ruff"
    version = subprocess.run([ruff, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"cores: {os.cpu_count()}   python: {sys.version.split()[0]}   {version}")
    print(f"load average at start: {_load()}")
    for tables in args.tables:
        run_size(tables, args.runs, schema_lint, ruff, args.baseline)
    if args.lsp:
        print()
        subprocess.run(
            [sys.executable, str(HERE / "lsp_latency.py"), "--lines", "3000"], check=True
        )
    print(f"\nload average at end: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_size(
    tables: int, runs: int, schema_lint: list[str], ruff: str, baseline: Path | None
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        generate(root, tables, max(300, tables // 2))
        lines = sum(p.read_text().count("\n") for p in root.rglob("*.py"))
        files = sum(1 for _ in root.rglob("*.py"))
        print(f"\n{tables} tables, {files} files, {lines} lines; medians of {runs} rounds")
        cache = root / ".schema_lint_cache"
        revision = sorted((root / "migrations" / "versions").glob("*.py"))[-1]
        ruff_label = "ruff check --select ALL --no-cache"
        ruff_command = [ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "."]
        edit_model = _appender(root / "app" / "models" / "group_0000.py")
        edit_revision = _appender(revision)
        base_env = None
        if baseline is not None:
            path = str(baseline.resolve() / "server")
            base_env = {**os.environ, "PYTHONPATH": path}
        cold, warm = [*schema_lint, "--no-cache"], schema_lint
        scenarios: list[Scenario] = [
            ("schema-lint cold (--no-cache)", cold, None, None),
            ("baseline cold (--no-cache)", cold, None, base_env),
            (
                "schema-lint cold (empty cache)",
                warm,
                lambda: shutil.rmtree(cache, ignore_errors=True),
                None,
            ),
            ("baseline cold (empty cache)", warm, None, base_env),
            ("schema-lint warm, nothing changed", warm, None, None),
            ("baseline warm, nothing changed", warm, None, base_env),
            ("schema-lint warm, one model edited", warm, edit_model, None),
            ("baseline warm, one model edited", warm, None, base_env),  # the same edit
            ("schema-lint warm, one revision edited", warm, edit_revision, None),
            ("baseline warm, one revision edited", warm, None, base_env),
            (ruff_label, ruff_command, None, None),
        ]
        if base_env is None:
            scenarios = [s for s in scenarios if not s[0].startswith("baseline")]
        subprocess.run(schema_lint, cwd=root, check=True, capture_output=True)
        if base_env is not None:
            subprocess.run(schema_lint, cwd=root, check=True, capture_output=True, env=base_env)
        figures = bench(scenarios, root, runs)
        base = figures[ruff_label][0]
        for label, (wall, peak) in figures.items():
            print(f"  {label:<38} {wall:7.3f} s {peak / 1024:7.1f} MB {wall / base:6.2f} x ruff")


if __name__ == "__main__":
    main()
