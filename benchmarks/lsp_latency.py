"""Latency of the language server while typing: ``didChange`` to ``publishDiagnostics``.

    python benchmarks/lsp_latency.py [--lines 300 1000 3000] [--edits 40] [--other-files 10]

For each size it generates a project whose main model file has about that many lines (with
``--other-files`` ordinary model files of 300 lines and an Alembic environment beside it),
starts the real server over stdio (``python -m schema_lint lsp``, debounce off), opens the
file and makes ``--edits`` edits one after the other, each time measuring the wall time
from sending ``textDocument/didChange`` to receiving the ``publishDiagnostics`` for that
version. Edits alternate between typing in a comment and toggling ``index=True`` on a
column (which changes the findings), and the p50 of each kind is printed too: typing that
leaves the file's facts as they were skips the engine run. Next to them it prints what
libcst needs just to parse the same file with positions
(``MetadataWrapper(...).resolve(PositionProvider)``), the cost the server avoids by
extracting facts with the stdlib ``ast``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TIMEOUT = 120.0

MODELS_HEADER = '''\
"""Generated models ({lines} lines) for benchmarks/lsp_latency.py."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # typing happens here:
    email: Mapped[str] = mapped_column(String(255))

'''


def _model(prefix: str, i: int) -> str:
    if i % 3 == 0:
        return (
            f"\nclass {prefix.title()}{i}(Base):\n"
            f'    """Entity {i}."""\n\n'
            f'    __tablename__ = "{prefix}_{i}"\n'
            f'    __table_args__ = (Index("ix_{prefix}_{i}_name_status", "name", "status"),)\n\n'
            "    id: Mapped[int] = mapped_column(primary_key=True)\n"
            "    name: Mapped[str] = mapped_column(String(200), index=True)\n"
            '    status: Mapped[str] = mapped_column(String(20), default="new")\n'
            "    body: Mapped[Optional[str]] = mapped_column(Text)\n"
            '    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))\n'
            "    created_at: Mapped[datetime] = mapped_column(DateTime)\n\n"
            "    def label(self) -> str:\n"
            '        return f"{self.name} ({self.status})"\n\n'
        )
    if i % 3 == 1:
        return (
            f"\nclass {prefix.title()}{i}(Base):\n"
            f'    __tablename__ = "{prefix}_{i}"\n\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    name = sa.Column(sa.String(200), nullable=False, index=True)\n"
            "    status = sa.Column(sa.String(20), nullable=False)\n"
            "    body = sa.Column(sa.Text)\n"
            '    owner_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)\n'
            "    created_at = sa.Column(sa.DateTime, nullable=False)\n"
            "    updated_at = sa.Column(sa.DateTime, nullable=False)\n\n"
        )
    return (
        f"\n{prefix}_link_{i} = Table(\n"
        f'    "{prefix}_link_{i}",\n'
        "    Base.metadata,\n"
        '    sa.Column("id", Integer, primary_key=True),\n'
        '    sa.Column("a_id", ForeignKey("users.id"), nullable=False),\n'
        f'    sa.Column("b_id", ForeignKey("{prefix}_{i - 1}.id"), nullable=False),\n'
        ")\n\n"
    )


def models_file(prefix: str, lines: int) -> str:
    text = MODELS_HEADER.format(lines=lines)
    i = 0
    while text.count("\n") < lines:
        text += _model(prefix, i)
        i += 1
    return text


MIGRATION = '''\
"""users and their index"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(255), nullable=False),
    )
    op.create_index(op.f("ix_users_email"), "users", ["email"])
{tables}

def downgrade() -> None:
    op.drop_table("users")
'''


def migration(prefix: str, count: int) -> str:
    tables = "".join(
        f'    op.create_table("{prefix}_{i}", sa.Column("id", sa.Integer(), primary_key=True),'
        f' sa.Column("name", sa.String(200)), sa.Column("status", sa.String(20)))\n'
        f'    op.create_index("ix_{prefix}_{i}_status", "{prefix}_{i}", ["status"])\n'
        for i in range(0, count, 3)
    )
    return MIGRATION.format(tables=tables)


def generate(root: Path, lines: int, others: int) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "bench"\n\n[tool.schema-lint]\n')
    (root / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (root / "migrations" / "env.py").write_text("from alembic import context\n")
    main = root / "app" / "models.py"
    main.write_text(models_file("entity", lines))
    for n in range(others):
        text = models_file(f"other{n}", 300).replace("class User(Base)", f"class User{n}(Base)")
        text = text.replace('"users"', f'"users_{n}"').replace('"users.id"', f'"users_{n}.id"')
        (root / "app" / f"other_{n}.py").write_text(text)
    count = main.read_text().count("class Entity") * 3
    (root / "migrations" / "versions" / "0001_initial.py").write_text(migration("entity", count))
    return main


def libcst_seconds(text: str, runs: int = 3) -> float:
    import libcst
    from libcst.metadata import MetadataWrapper, PositionProvider

    times = []
    for _ in range(runs):
        start = time.perf_counter()
        MetadataWrapper(libcst.parse_module(text), unsafe_skip_copy=True).resolve(PositionProvider)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


async def measure(main: Path, edits: int) -> tuple[list[float], float]:
    """Latencies of ``edits`` edits, and the time to the first diagnostics after opening."""
    arrivals: dict[int, float] = {}
    arrived = asyncio.Event()
    client = LanguageClient("lsp-latency", "1")

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrivals.setdefault(params.version, time.perf_counter())
            arrived.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        pass

    async def wait_version(version: int) -> float:
        deadline = time.monotonic() + TIMEOUT
        while version not in arrivals:
            arrived.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no diagnostics for version {version}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(arrived.wait(), remaining)
        return arrivals[version]

    await client.start_io(sys.executable, "-m", "schema_lint", "lsp")
    root = main.parent.parent
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(
                text_document=types.TextDocumentClientCapabilities(
                    publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                        version_support=True
                    )
                )
            ),
            root_uri=root.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="bench")],
            initialization_options={"debounceMs": 0},
        )
    )
    client.initialized(types.InitializedParams())
    uri = main.as_uri()
    text = main.read_text()
    start = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri, "python", 1, text)
        )
    )
    first = await wait_version(1) - start
    lines = text.split("\n")
    comment = next(i for i, line in enumerate(lines) if line.startswith("    # typing happens"))
    column = next(i for i, line in enumerate(lines) if "mapped_column(String(255))" in line)
    col = lines[column].index("String(255))") + len("String(255)")
    latencies = []
    indexed = False
    for step in range(edits):
        version = step + 2
        if step % 2 == 0:  # a keystroke in a comment
            at = len(lines[comment]) + step // 2
            change = types.TextDocumentContentChangePartial(
                range=types.Range(types.Position(comment, at), types.Position(comment, at)),
                text="x",
            )
        else:  # toggle index=True: the findings change
            insert = ", index=True"
            if indexed:
                rng = types.Range(
                    types.Position(column, col), types.Position(column, col + len(insert))
                )
                change = types.TextDocumentContentChangePartial(range=rng, text="")
            else:
                rng = types.Range(types.Position(column, col), types.Position(column, col))
                change = types.TextDocumentContentChangePartial(range=rng, text=insert)
            indexed = not indexed
        sent = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[change],
            )
        )
        latencies.append(await wait_version(version) - sent)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return latencies, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[300, 1000, 3000])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--other-files", type=int, default=10)
    args = parser.parse_args()
    print(
        f"didChange -> publishDiagnostics over stdio, debounce off, {args.edits} edits, "
        f"{args.other_files} other model files of 300 lines"
    )
    print(
        f"{'lines':>6} {'libcst parse+positions':>23} {'first diagnostics':>18}"
        f" {'p50':>9} {'p95':>9} {'max':>9}   {'comment p50':>11} {'column p50':>10}"
    )
    for lines in args.lines:
        with tempfile.TemporaryDirectory(prefix="schema-lint-latency-") as tmp:
            main_file = generate(Path(tmp) / "project", lines, args.other_files)
            text = main_file.read_text()
            parse = libcst_seconds(text)
            latencies, first = asyncio.run(measure(main_file, args.edits))
            comments, columns = latencies[0::2], latencies[1::2]
            print(
                f"{text.count(chr(10)):>6} {parse:>21.3f} s {first:>16.3f} s"
                f" {percentile(latencies, 50) * 1000:>6.1f} ms"
                f" {percentile(latencies, 95) * 1000:>6.1f} ms"
                f" {max(latencies) * 1000:>6.1f} ms"
                f"   {percentile(comments, 50) * 1000:>8.1f} ms"
                f" {percentile(columns, 50) * 1000:>7.1f} ms"
            )


if __name__ == "__main__":
    main()
