"""Fixes at the speed of findings: JSON output, ``--diff`` and code-action resolve, timed.

    python benchmarks/fix_speed.py [--runs 3] [--tables 500] [--findings 1000] [--lines 3000]
        [--real-world DIR ...] [--compare SRC] [--resolves 30] [--timeout 600]

Prints side by side, in one run:

* ``check --format text`` and ``check --format json`` (cold, ``--no-cache``) on a generated
  project (``generate_project.py``) and on each ``--real-world`` project directory (trees
  unpacked by ``real_world.py --keep --work-dir DIR``: pass ``DIR/<project>`` or a directory
  holding several), the ratio (target: at most 1.5x) and how many fixes the JSON carries;
* ``check`` and ``check --diff`` on a generated model file with ``--findings`` findings on one
  table (``Index`` missing in the model, every fix adding to the same ``__table_args__``), the
  ratio (target: at most 3x), how many were fixed and in how many rounds;
* the latency of ``codeAction`` and ``codeAction/resolve`` in the language server on a
  ``--lines``-line model file (``lsp_latency.py``'s project): before each request a keystroke
  in a comment makes a new text (no fix is cached), then the quick fix of one finding is
  listed and resolved; p50 and p95 of each (target: resolve p95 under 100 ms).

Commands are timed by the CPU seconds (user + system) of their whole process tree, which
other work on a shared machine barely moves; ``--wall`` times them by the clock instead.
The language-server latencies are wall time.

``--compare SRC`` runs everything again with ``PYTHONPATH=SRC`` (another checkout's
``server`` directory, e.g. ``git archive <commit> server | tar -x -C /tmp/before``) and
prints both columns. Figures only, never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_project import generate  # noqa: E402
from lsp_latency import generate as generate_lsp_project  # noqa: E402

TIMEOUT = 600.0
"""Wall seconds before a command is given up (its time is printed as inf)."""
CPU = True
"""Time commands by the CPU seconds of their process tree (steady on a busy machine), not
by wall time (``--wall``)."""

_ROUNDS_PROBE = (
    "import sys\n"
    "from pathlib import Path\n"
    "from schema_lint.config import load_config\n"
    "from schema_lint.engine import check\n"
    "from schema_lint.fixes.apply import apply_fixes\n"
    "from schema_lint.project import load_project\n"
    "root = Path(sys.argv[1])\n"
    "project = load_project(root, load_config(root))\n"
    "result = check(project)\n"
    "changes = apply_fixes(project, result.schemas, result.diagnostics, unsafe=False)\n"
    "print(max((len(c.rounds or ()) for c in changes.values()), default=0))\n"
)


def _env(src: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), env.get("PYTHONPATH")]))
    return env


def run(
    args: Sequence[str], cwd: Path, src: Path | None
) -> tuple[float, subprocess.CompletedProcess[str]]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "schema_lint", *args]
    try:
        done = subprocess.run(
            command, cwd=cwd, env=_env(src), capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:  # printed as inf
        return float("inf"), subprocess.CompletedProcess(command, -1, "", "")
    if not CPU:
        return time.perf_counter() - start, done
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return cpu, done


def median(args: Sequence[str], cwd: Path, src: Path | None, runs: int) -> tuple[float, str, str]:
    walls = []
    out = err = ""
    for _ in range(runs):
        wall, done = run(args, cwd, src)
        walls.append(wall)
        out, err = done.stdout, done.stderr
        if wall == float("inf"):
            break  # timed out: once is enough
    return statistics.median(walls), out, err


# --- JSON next to text -------------------------------------------------------------------------


def json_vs_text(name: str, root: Path, sources: Sequence[Path | None], runs: int) -> None:
    common = ["check", str(root), "--no-cache", "--exit-zero"]
    cells = []
    for src in sources:
        text, _, _ = median([*common, "--format", "text"], root, src, runs)
        as_json, out, _ = median([*common, "--format", "json"], root, src, runs)
        try:
            found = json.loads(out)
        except json.JSONDecodeError:
            found = []
        fixes = sum(1 for f in found if f.get("fix"))
        cells.append(
            f"{text:7.2f} {as_json:7.2f} {as_json / text:5.2f}x {len(found):5d} {fixes:5d}"
        )
    print(f"  {name:<24} " + "   |   ".join(cells), flush=True)


def real_world_roots(given: Sequence[Path]) -> list[tuple[str, Path]]:
    """Each project root: a directory with a ``pyproject.toml``, or those just below it."""
    found = []
    for path in given:
        if (path / "pyproject.toml").exists():
            found.append((path.name, path))
            continue
        for child in sorted(path.iterdir()):
            if (child / "pyproject.toml").exists():
                found.append((child.name, child))
    return found


# --- many findings on one table ------------------------------------------------------------------


def many_findings(root: Path, count: int) -> Path:
    """A model class with ``count`` columns whose named indexes only the migrations create:
    ``count`` SL002 findings whose fixes all add to the same (new) ``__table_args__``."""
    (root / "app").mkdir(parents=True)
    (root / "alembic" / "versions").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "many"\n')
    (root / "app" / "__init__.py").write_text("")
    columns = "".join(
        f"    c{i}: Mapped[int] = mapped_column(nullable=False)\n" for i in range(count)
    )
    (root / "app" / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Big(Base):\n"
        '    __tablename__ = "big"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n" + columns
    )
    created = "".join(
        f'        sa.Column("c{i}", sa.Integer(), nullable=False),\n' for i in range(count)
    )
    indexes = "".join(
        f'    op.create_index("big_c{i}_idx", "big", ["c{i}"])\n' for i in range(count)
    )
    (root / "alembic" / "versions" / "0001_initial.py").write_text(
        '"""many findings"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        'revision = "0001"\ndown_revision = None\n\n\n'
        'def upgrade():\n    op.create_table(\n        "big",\n'
        '        sa.Column("id", sa.Integer(), primary_key=True),\n'
        f"{created}    )\n{indexes}\n\ndef downgrade():\n    pass\n"
    )
    return root / "app" / "models.py"


def diff_vs_check(root: Path, count: int, sources: Sequence[Path | None], runs: int) -> None:
    common = ["check", str(root), "--no-cache"]
    cells = []
    for src in sources:
        checked, _, _ = median([*common, "--exit-zero"], root, src, runs)
        diffed, _, err = median([*common, "--diff"], root, src, runs)
        match = re.search(r"Would fix (\d+) error", err)
        fixed = int(match.group(1)) if match else 0
        rounds = "-"
        if diffed < TIMEOUT:
            probe = subprocess.run(
                [sys.executable, "-c", _ROUNDS_PROBE, str(root)],
                env=_env(src),
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
            )
            rounds = probe.stdout.strip() or "-"
        cells.append(
            f"{checked:7.2f} {diffed:7.2f} {diffed / checked:6.2f}x {fixed:5d}/{count} {rounds:>3}"
        )
    print(f"  {count} findings, one table    " + "   |   ".join(cells), flush=True)


# --- code actions in the language server ----------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def code_action_latency(
    main: Path, resolves: int, src: Path | None
) -> tuple[list[float], list[float], int]:
    """(codeAction latencies, resolve latencies, findings offered a fix), in seconds."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    published: dict[int, list[types.Diagnostic]] = {}
    arrived = asyncio.Event()
    client = LanguageClient("fix-speed", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None and params.uri == main.as_uri():
            published.setdefault(params.version, list(params.diagnostics))
            arrived.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        pass

    @client.feature(types.WINDOW_SHOW_MESSAGE)
    def on_show(params: types.ShowMessageParams) -> None:
        pass

    async def diagnostics_of(version: int) -> list[types.Diagnostic]:
        deadline = time.monotonic() + TIMEOUT
        while version not in published:
            arrived.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(arrived.wait(), max(0.0, deadline - time.monotonic()))
            if time.monotonic() > deadline:
                raise TimeoutError(f"no diagnostics for version {version}")
        return published[version]

    await client.start_io(sys.executable, "-m", "schema_lint", "lsp", env=_env(src))
    root = main.parent.parent
    capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                version_support=True, data_support=True
            ),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=["quickfix", "source.fixAll"]
                    )
                ),
                is_preferred_support=True,
                data_support=True,
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]),
            ),
        ),
        workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)
        ),
    )
    await client.initialize_async(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
            initialization_options={"debounceMs": 0},
        )
    )
    client.initialized(types.InitializedParams())
    uri = main.as_uri()
    text = main.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri, "python", 1, text)
        )
    )
    current = await diagnostics_of(1)
    lines = text.split("\n")
    comment = next(i for i, line in enumerate(lines) if line.startswith("    # typing happens"))
    listing: list[float] = []
    resolving: list[float] = []
    offered = 0
    version = 1
    for step in range(resolves):
        version += 1
        at = len(lines[comment]) + step
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(comment, at), types.Position(comment, at)),
                        text="x",
                    )
                ],
            )
        )
        current = await diagnostics_of(version)
        fixable = [d for d in current if str(d.code) == "SL002"]
        if not fixable:
            break
        item = fixable[(step * 7) % len(fixable)]
        sent = time.perf_counter()
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=item.range,
                context=types.CodeActionContext(diagnostics=[item], only=["quickfix"]),
            )
        )
        listing.append(time.perf_counter() - sent)
        quick = [
            a
            for a in actions or []
            if isinstance(a, types.CodeAction) and not a.title.startswith("Ignore")
        ]
        if not quick:
            continue
        sent = time.perf_counter()
        resolved = await client.code_action_resolve_async(quick[0])
        resolving.append(time.perf_counter() - sent)
        offered += resolved.edit is not None
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return listing, resolving, offered


def lsp_figures(lines: int, resolves: int, sources: Sequence[Path | None]) -> None:
    cells = []
    with tempfile.TemporaryDirectory() as tmp:
        main = generate_lsp_project(Path(tmp), lines, 2)
        for src in sources:
            listing, resolving, offered = asyncio.run(code_action_latency(main, resolves, src))
            if not resolving:
                cells.append("no quick fix offered")
                continue
            cells.append(
                f"{statistics.median(listing) * 1000:6.0f} {percentile(listing, 95) * 1000:6.0f}"
                f" {statistics.median(resolving) * 1000:6.0f}"
                f" {percentile(resolving, 95) * 1000:6.0f} ms {offered:3d}/{len(resolving)}"
            )
    print(f"  {lines}-line model file       " + "   |   ".join(cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=3000)
    parser.add_argument("--resolves", type=int, default=30)
    parser.add_argument("--real-world", type=Path, nargs="*", default=[])
    parser.add_argument("--compare", type=Path, help="another checkout's server directory")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per command")
    parser.add_argument("--wall", action="store_true", help="wall time instead of CPU time")
    args = parser.parse_args()
    global TIMEOUT, CPU
    TIMEOUT, CPU = args.timeout, not args.wall
    sources: list[Path | None] = [None]
    if args.compare is not None:
        sources.append(args.compare.resolve())
    columns = "this checkout" + (f"   |   {args.compare}" if args.compare else "")
    print(f"columns: {columns}; times in {'wall' if args.wall else 'CPU'} seconds")
    print("\ncheck --format text vs --format json (s, median; findings; fixes in the JSON)")
    print(f"  {'project':<24} {'text':>7} {'json':>7} {'ratio':>6} {'found':>5} {'fixes':>5}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "generated"
        generate(root, args.tables, max(300, args.tables))
        json_vs_text(f"generated ({args.tables} tables)", root, sources, args.runs)
    for name, root in real_world_roots(args.real_world):
        json_vs_text(name, root, sources, args.runs)
    print("\ncheck vs check --diff (s, median; fixed; rounds)")
    print(f"  {'':<24} {'check':>7} {'diff':>7} {'ratio':>7} {'fixed':>10} {'rounds':>3}")
    with tempfile.TemporaryDirectory() as tmp:
        many_findings(Path(tmp), args.findings)
        diff_vs_check(Path(tmp), args.findings, sources, args.runs)
    print("\ncode actions after a keystroke (codeAction p50 p95, resolve p50 p95; with an edit)")
    lsp_figures(args.lines, args.resolves, sources)


if __name__ == "__main__":
    main()
