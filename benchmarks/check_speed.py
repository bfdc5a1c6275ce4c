"""Wall time and peak memory of ``schema-lint check`` next to ruff, on generated projects.

    python benchmarks/check_speed.py [--tables 500 2000] [--runs 5]

For each size it generates a project (see ``generate_project.py``) and prints, in one run:
schema-lint cold (no cache), warm (cache, nothing changed), warm after one model file changed,
and ``ruff check --select ALL --no-cache`` on the same tree; the median wall time of
``--runs`` runs and the peak resident memory of the largest process.
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


def measure(command: list[str], cwd: Path, before: object = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run, measured in a fresh wrapper process."""
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), int(out[1])


def bench(label: str, command: list[str], cwd: Path, runs: int, prepare=None) -> None:  # type: ignore[no-untyped-def]
    walls, peaks = [], []
    for _ in range(runs):
        if prepare is not None:
            prepare()
        wall, peak = measure(command, cwd)
        walls.append(wall)
        peaks.append(peak)
    print(f"  {label:<34} {statistics.median(walls):7.3f} s   {max(peaks) / 1024:7.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    schema_lint = [str(bindir / "schema-lint"), "check", "--exit-zero", "--quiet"]
    ruff = shutil.which("ruff", path=str(bindir)) or shutil.which("ruff") or "ruff"
    print(f"cores: {os.cpu_count()}   python: {sys.version.split()[0]}")
    for tables in args.tables:
        run_size(tables, args.runs, schema_lint, ruff)


def run_size(tables: int, runs: int, schema_lint: list[str], ruff: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        generate(root, tables, max(300, tables // 2))
        lines = sum(p.read_text().count("\n") for p in root.rglob("*.py"))
        files = sum(1 for _ in root.rglob("*.py"))
        print(f"\n{tables} tables, {files} files, {lines} lines")
        cache = root / ".schema_lint_cache"
        bench("schema-lint cold (--no-cache)", [*schema_lint, "--no-cache"], root, runs)
        bench(
            "schema-lint cold (empty cache)",
            schema_lint,
            root,
            runs,
            prepare=lambda: shutil.rmtree(cache, ignore_errors=True),
        )
        subprocess.run(schema_lint, cwd=root, check=True, capture_output=True)
        bench("schema-lint warm (no change)", schema_lint, root, runs)
        model = root / "app" / "models" / "group_0000.py"
        counter = [0]

        def touch() -> None:
            counter[0] += 1
            with model.open("a") as handle:
                handle.write(f"# edit {counter[0]} at {time.time()}\n")

        bench("schema-lint warm (one model edited)", schema_lint, root, runs, prepare=touch)
        bench(
            "ruff check --select ALL --no-cache",
            [ruff, "check", "--select", "ALL", "--no-cache", "--exit-zero", "."],
            root,
            runs,
        )


if __name__ == "__main__":
    main()
