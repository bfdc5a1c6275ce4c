"""``initialized``: settings, watchers, then scan every root in the background.

The scan (discovery, extraction, replay, rules) runs on the analysis thread with
work-done progress; the handler returns at once, so the editor keeps talking to us while
it runs. Documents opened meanwhile are analysed as soon as it is done.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from lsprotocol import types

from schema_lint.lsp.handlers import configuration, watched_files

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer
    from schema_lint.lsp.workspace import Root

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.2


async def scan(ls: SchemaLintServer, roots: list[Root], title: str = "schema-lint") -> None:
    """Scan ``roots`` (in the background), reporting work-done progress if the client can."""
    session = ls.session
    progress = ls.work_done_progress
    token: str | None = None
    if session.caps.work_done_progress:
        token = f"schema-lint-scan-{uuid.uuid4()}"
        try:
            await asyncio.wait_for(progress.create_async(token), 10)
        except Exception as exc:
            logger.info("schema-lint: no progress: %s", exc)
            token = None
    if token is not None:
        progress.begin(
            token,
            types.WorkDoneProgressBegin(
                title=title, message="reading models and migrations", percentage=0
            ),
        )
    loop = asyncio.get_running_loop()
    files = findings = 0
    started = time.monotonic()
    try:
        for index, root in enumerate(roots):
            if token is not None:
                root.progress = _reporter(ls, loop, token, index, len(roots))
            try:
                analysis = await session.run(root)
            finally:
                root.progress = None
            if analysis is not None:
                files += len(analysis.project.files)
                findings += sum(len(items) for items in analysis.diagnostics.values())
    finally:
        if token is not None:
            progress.end(
                token,
                types.WorkDoneProgressEnd(message=f"{files} files read, {findings} findings"),
            )
    logger.info(
        "schema-lint: scanned %d root(s), %d files, %d findings in %.2fs",
        len(roots),
        files,
        findings,
        time.monotonic() - started,
    )
    await watched_files.register_watchers(ls)
    # Import libcst and the fixes now, so that the first code action does not wait for it.
    session.fix_worker.submit(_warm_up)


def _warm_up() -> None:
    import schema_lint.fixes.api
    import schema_lint.fixes.noqa  # noqa: F401


def _reporter(
    ls: SchemaLintServer, loop: asyncio.AbstractEventLoop, token: str, index: int, count: int
) -> Callable[[int, int], None]:
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if total == 0 or (now - last[0] < PROGRESS_INTERVAL and done < total):
            return
        last[0] = now
        share = (index + done / total) / max(1, count)
        value = types.WorkDoneProgressReport(
            message=f"{done}/{total} files", percentage=min(100, int(share * 100))
        )
        loop.call_soon_threadsafe(ls.work_done_progress.report, token, value)

    return report


async def initialized(ls: SchemaLintServer, params: types.InitializedParams) -> None:
    session = ls.session
    await configuration.pull_settings(ls)
    session.spawn(configuration.register_for_changes(ls), "registering didChangeConfiguration")
    session.spawn(scan(ls, list(session.roots)), "scanning the workspace")


def register(server: SchemaLintServer) -> None:
    server.feature(types.INITIALIZED)(initialized)
