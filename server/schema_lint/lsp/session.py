"""Scheduling analyses and delivering their results: debounce, cancel, publish, pull.

Changes are debounced per document; the analysis then runs on one worker thread, off the
event loop (the loop keeps reading messages meanwhile). A change that arrives before the
worker starts a queued analysis cancels it: each scheduled analysis remembers the
document's generation and gives up if it moved on. Results go out with the version of
the text they were computed from, and only while that text is still the latest.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import from_fs_path, to_fs_path

from schema_lint.lsp import convert
from schema_lint.lsp.capabilities import ClientCaps
from schema_lint.lsp.fixing import FixCache
from schema_lint.lsp.settings import Settings
from schema_lint.lsp.workspace import Analysis, Document, Root, Snapshot
from schema_lint.sources.limits import Unreadable, read_source
from schema_lint.sources.text import DecodeError, decode_source

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer

logger = logging.getLogger(__name__)

# Problems worth a line in the editor's log (the others are unanalysable statements that
# ``schema-lint check --verbose`` lists).
LOGGED_PROBLEMS = frozenset(
    {
        "revision-cycle",
        "missing-revision",
        "duplicate-revision",
        "configuration",
        "decode-error",
        "file-too-large",
    }
)


class Worker(Executor):
    """A single daemon thread running submitted calls in order.

    Daemon, so that ``exit`` is never held up by an analysis still running; one thread, so
    that a root's project is only ever updated by one analysis at a time.
    """

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]]
        self._queue = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        if self._closed:
            future.cancel()
            return future
        self._queue.put((future, fn, args))
        return future

    def _run(self) -> None:
        while True:
            future, fn, args = self._queue.get()
            if fn is _STOP:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._closed = True
        self._queue.put((Future(), _STOP, ()))


def _STOP() -> None:  # a sentinel
    return None


def uri_to_path(uri: str | None) -> str | None:
    """The real path of a ``file:`` URI; None for other schemes and for what is no path."""
    if not uri or not uri.startswith("file:"):
        return None
    try:
        path = to_fs_path(uri)
        return os.path.realpath(path) if path else None
    except (ValueError, OSError):  # a NUL byte, a path too long...
        return None


PROJECT_MARKERS = ("pyproject.toml", "alembic.ini")


def evident_project(path: str) -> Path | None:
    """The folder of the project ``path`` clearly belongs to, for a client that opened no
    workspace folder: the nearest folder above it holding ``pyproject.toml`` or
    ``alembic.ini``, unless that is the filesystem root, the home folder, the temporary
    folder or a folder above one of them (whose scan would read unrelated files)."""
    unsafe: set[Path] = set()
    for place in (os.path.expanduser("~"), tempfile.gettempdir()):
        real = Path(os.path.realpath(place))
        unsafe.update((real, *real.parents))
    for folder in Path(path).parents:
        try:
            marked = any((folder / name).is_file() for name in PROJECT_MARKERS)
        except OSError:
            return None
        if marked:
            return None if folder in unsafe or folder == folder.parent else folder
    return None


class Session:
    """Everything the handlers share: capabilities, settings, roots, documents, workers."""

    def __init__(self, server: SchemaLintServer) -> None:
        self.server = server
        self.caps = ClientCaps()
        self.initial_settings = Settings()
        """From ``initializationOptions``."""
        self.settings = Settings()
        """Global settings: ``initializationOptions``, then ``workspace/configuration``."""
        self.result_ids = 0
        self.watched: tuple[str, tuple[str, ...]] | None = None
        """The id of the watched-files registration and the revision directories it covers."""
        self.roots: list[Root] = []
        """Innermost first; roots of files analysed alone hold only their file."""
        self.folders: set[str] = set()
        """The paths of the client's workspace folders."""
        self.documents: dict[str, tuple[Root, Document]] = {}
        self.worker = Worker("schema-lint-analysis")
        self.fix_worker = Worker("schema-lint-fixes")
        self.fixes = FixCache()
        self.shutdown_requested = False
        self._debounce: dict[object, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[Any]] = set()
        self._disk_texts: dict[str, tuple[tuple[int, int], convert.Lines]] = {}
        self._refreshing = False
        self._generations = 0

    # --- roots and documents -------------------------------------------------------------

    def initialize(self, params: types.InitializeParams) -> None:
        """Settings from ``initializationOptions``, and the roots of the workspace."""
        self.initial_settings = Settings().merged(params.initialization_options)
        self.settings = self.initial_settings
        for folder in params.workspace_folders or ():
            path = uri_to_path(folder.uri)
            if path is not None:
                self.add_folder(Path(path), folder.uri)
        if not self.roots:
            path = uri_to_path(params.root_uri) if params.root_uri else params.root_path
            if path:
                self.add_folder(Path(path), params.root_uri)

    def add_root(self, path: Path, uri: str | None = None) -> Root:
        path = Path(os.path.realpath(path))
        for root in self.roots:
            if root.path == path and root.single_file is None:
                return root
        root = Root(path, self.settings, uri)
        self.roots.append(root)
        self.roots.sort(key=lambda r: len(str(r.path)), reverse=True)
        self._adopt(root)
        return root

    def add_folder(self, path: Path, uri: str | None = None) -> Root:
        """A workspace folder of the client's: a root, scanned as a project."""
        root = self.add_root(path, uri)
        self.folders.add(str(root.path))
        return root

    def remove_folder(self, path: str) -> None:
        """Forget a workspace folder (its root stays while documents in it are open)."""
        self.folders.discard(path)
        self.roots = [
            r
            for r in self.roots
            if str(r.path) != path or r.single_file is not None or r.open_documents()
        ]

    def root_for(self, path: str, create: bool = True) -> Root | None:
        """The innermost root holding ``path``; with ``create``, a root for it if none does.

        A Python file outside every workspace folder is analysed alone (its own facts, no
        scan of its folder, no cache written there), except, when the client opened no
        folder at all, in a folder that clearly is a project (:func:`evident_project`).
        """
        for root in self.roots:
            if root.contains(path):
                return root
        if not create or not path.endswith((".py", ".pyi")):
            return None
        project = evident_project(path) if not self.folders else None
        if project is not None:
            logger.info("schema-lint: no workspace folder; %s is in the project %s", path, project)
            return self.add_root(project)
        logger.info("schema-lint: %s is outside the workspace folders: analysed alone", path)
        root = Root(Path(os.path.dirname(path)), self.settings, single_file=path)
        self.roots.append(root)
        return root

    def _adopt(self, root: Root) -> None:
        """Move the documents analysed alone that ``root`` now holds into it."""
        for uri, (other, document) in list(self.documents.items()):
            if other.single_file is None or not root.contains(document.path):
                continue
            other.close(document.path)
            self._forget(other)
            document.published_revision = -1
            document.applied = None
            self.documents[uri] = (root, document)
            root.open(document)

    def _forget(self, root: Root) -> None:
        """Drop a root of a file analysed alone once that file is closed."""
        if root.single_file is not None and not root.open_documents():
            self.roots = [r for r in self.roots if r is not root]

    def lookup(self, uri: str) -> tuple[Root, Document] | None:
        return self.documents.get(uri)

    def _next_generation(self) -> int:
        self._generations += 1
        return self._generations

    def opened(self, uri: str, text: str, version: int | None) -> tuple[Root, Document] | None:
        path = uri_to_path(uri)
        root = self.root_for(path) if path is not None else None
        if path is None or root is None:
            logger.info("schema-lint: %s is not a file of a project: not analysed", uri)
            return None
        snapshot = Snapshot(text, version, self._next_generation())
        document = Document(uri, path, snapshot)
        previous = self.documents.get(uri)
        if previous is not None:
            previous[0].close(previous[1].path)
            if previous[0] is not root:
                self._forget(previous[0])
        self.documents[uri] = (root, document)
        root.open(document)
        if document.is_config and os.path.dirname(path) == str(root.path):
            root.invalidate(config=True, rescan=True)
        root.invalidate(disk=True)
        return root, document

    def changed(self, uri: str, text: str, version: int | None) -> tuple[Root, Document] | None:
        found = self.documents.get(uri)
        if found is None:  # not analysed (another scheme...): said so when it was opened
            return None
        root, document = found
        document.latest = Snapshot(text, version, self._next_generation())
        if document.is_config and os.path.dirname(document.path) == str(root.path):
            root.invalidate(config=True, rescan=True)
        return found

    def closed(self, uri: str) -> tuple[Root, Document] | None:
        found = self.documents.pop(uri, None)
        if found is None:
            return None
        root, document = found
        root.close(document.path)
        self._cancel(uri)
        self._forget(root)
        if document.is_config:
            root.invalidate(config=True, rescan=True)
        return found

    # --- scheduling ----------------------------------------------------------------------

    def spawn(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """Run ``coroutine`` in the background; its failure is logged, never lost."""
        task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
        self._background.add(task)

        def done(t: asyncio.Task[Any]) -> None:
            self._background.discard(t)
            if not t.cancelled() and t.exception() is not None:
                logger.error("schema-lint: %s failed", name, exc_info=t.exception())

        task.add_done_callback(done)
        return task

    def _cancel(self, key: object) -> None:
        task = self._debounce.pop(key, None)
        if task is not None and not task.done():
            task.cancel()

    def schedule(
        self, root: Root, document: Document | None = None, delay: float | None = None
    ) -> None:
        """Analyse ``root`` after ``delay`` seconds (default: the debounce), superseding any
        analysis scheduled for the same document (or for the root) that has not started."""
        if self.shutdown_requested:
            return
        if delay is None:
            delay = root.settings.debounce_ms / 1000
        key: object = document.uri if document is not None else root
        self._cancel(key)
        still_wanted: Callable[[], bool] | None = None
        if document is not None:
            generation = document.latest.generation

            def still_wanted() -> bool:
                return document.latest.generation == generation

        task = asyncio.ensure_future(self._later(root, delay, still_wanted))
        self._debounce[key] = task

        def done(t: asyncio.Task[None]) -> None:
            if self._debounce.get(key) is t:
                del self._debounce[key]
            if not t.cancelled() and t.exception() is not None:
                logger.error("schema-lint: analysis failed", exc_info=t.exception())

        task.add_done_callback(done)

    async def _later(
        self, root: Root, delay: float, still_wanted: Callable[[], bool] | None
    ) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        if still_wanted is not None and not still_wanted():
            return
        await self.run(root, still_wanted)

    async def run(
        self, root: Root, still_wanted: Callable[[], bool] | None = None
    ) -> Analysis | None:
        """Analyse ``root`` on the worker thread now, then deliver the result."""
        loop = asyncio.get_running_loop()
        analysis: Analysis | None = await loop.run_in_executor(
            self.worker, root.refresh, still_wanted
        )
        if analysis is not None:
            self.deliver(root, analysis)
            self._rewatch()
        return analysis

    def _rewatch(self) -> None:
        """Watch the revision directories again if a rescan found others."""
        if self.watched is None or self.shutdown_requested:
            return  # not registered (yet): the scan registers them when it is done
        directories = tuple(sorted({d for root in self.roots for d in root.version_dirs()}))
        if directories != self.watched[1]:
            from schema_lint.lsp.handlers.watched_files import register_watchers

            self.watched = (self.watched[0], directories)
            self.spawn(register_watchers(self.server, force=True), "re-registering watchers")

    async def fresh(self, root: Root, document: Document) -> Analysis | None:
        """An analysis that has seen ``document``'s latest text (for pull requests)."""
        for _ in range(20):
            analysis = root.result
            if (
                analysis is not None
                and not root.pending
                and document.fresh
                and analysis.applied.get(document.path) is document.applied
            ):
                return analysis
            self._cancel(document.uri)
            await self.run(root)
        return root.result

    # --- delivering results ----------------------------------------------------------------

    def items(self, document: Document, analysis: Analysis) -> list[types.Diagnostic] | None:
        """The LSP diagnostics of ``document`` from ``analysis``; None when ``analysis`` is
        not about the document's latest text, or that text does not parse (its last
        diagnostics stand until it does: positions from the last good text would mislead)."""
        applied = analysis.applied.get(document.path)
        if applied is None or applied.snapshot.generation != document.latest.generation:
            return None
        if not applied.parses:
            return None
        if not analysis.enabled:
            return []
        return self._to_lsp(document.path, applied.lines, analysis)

    def _to_lsp(
        self, path: str, lines: convert.Lines, analysis: Analysis
    ) -> list[types.Diagnostic]:
        result = []
        for diagnostic in analysis.diagnostics.get(path, ()):
            try:
                result.append(
                    convert.to_lsp(
                        diagnostic,
                        lines,
                        self.caps,
                        self.uri_for,
                        lambda path: self.lines_for(path, analysis),
                    )
                )
            except Exception:
                logger.exception("schema-lint: cannot convert %s", diagnostic)
        return result

    async def disk_items(self, path: str) -> list[types.Diagnostic]:
        """The diagnostics of a file that is not open, as it is on disk: from its root's
        project (the file read again first), or, outside every root, analysed alone."""
        if not path.endswith((".py", ".pyi")) or not os.path.isfile(path):
            return []
        root = self.root_for(path, create=False)
        analysis: Analysis | None
        if root is not None:
            root.disk_changed([path])
            analysis = await self.run(root)
        else:
            alone = Root(Path(os.path.dirname(path)), self.settings, single_file=path)
            loop = asyncio.get_running_loop()
            analysis = await loop.run_in_executor(self.worker, alone.refresh, None)
        lines = self.disk_lines(path)
        if analysis is None or lines is None or not analysis.enabled:
            return []
        return self._to_lsp(path, lines, analysis)

    def deliver(self, root: Root, analysis: Analysis) -> None:
        refresh = False
        for document in root.open_documents():
            if not document.is_python or analysis.revision <= document.published_revision:
                continue
            items = self.items(document, analysis)
            if items is None:
                continue
            document.published_revision = analysis.revision
            key = fingerprint(items)
            if self.caps.pull_diagnostics:
                # A document changed since its last pull is pulled again by the client
                # anyway; one whose diagnostics changed because another file did is not.
                if (
                    document.pulled_key is not None
                    and key != document.pulled_key
                    and document.pulled_generation == document.latest.generation
                ):
                    refresh = True
                continue
            version = document.latest.version
            if key == document.published_key and version == document.published_version:
                continue
            self.publish(document, items, version)
            document.published_key = key
        if refresh:
            self.refresh_pulls()
        self._report(root, analysis)

    def publish(
        self, document: Document, items: list[types.Diagnostic], version: int | None
    ) -> None:
        document.published_version = version
        document.last_items = items
        self.server.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=document.uri, diagnostics=items, version=version)
        )

    def clear(self, document: Document) -> None:
        if not self.caps.pull_diagnostics:
            self.server.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=document.uri, diagnostics=[])
            )

    def refresh_pulls(self) -> None:
        """Ask the client to pull again (``workspace/diagnostic/refresh``), once at a time."""
        if not (self.caps.pull_diagnostics and self.caps.diagnostic_refresh) or self._refreshing:
            return
        self._refreshing = True

        async def send() -> None:
            try:
                await self.server.workspace_diagnostic_refresh_async(None)
            except Exception as exc:
                logger.warning("schema-lint: workspace/diagnostic/refresh failed: %s", exc)
            finally:
                self._refreshing = False

        self.spawn(send(), "workspace/diagnostic/refresh")

    def _report(self, root: Root, analysis: Analysis) -> None:
        if root.config_error != root.shown_config_error:
            root.shown_config_error = root.config_error
            if root.config_error:
                message = f"schema-lint: configuration error: {root.config_error}"
                logger.error("%s", message)
                self.server.window_show_message(
                    types.ShowMessageParams(type=types.MessageType.Error, message=message)
                )
        seen = set()
        for problem in analysis.problems:
            if problem.kind not in LOGGED_PROBLEMS:
                continue
            marker = (problem.kind, problem.span.path, problem.span.line)
            seen.add(marker)
            if marker not in root.problems_seen:
                logger.warning(
                    "schema-lint: %s:%s: [%s] %s",
                    problem.span.path,
                    problem.span.line,
                    problem.kind,
                    problem.message,
                )
        root.problems_seen = frozenset(seen)

    # --- texts of files --------------------------------------------------------------------

    def uri_for(self, path: str) -> str:
        for _root, document in self.documents.values():
            if document.path == path:
                return document.uri
        return from_fs_path(path) or f"file://{path}"

    def lines_for(self, path: str, analysis: Analysis | None = None) -> convert.Lines | None:
        """The text a span of ``path`` was computed from: the editor's, else the disk's."""
        if analysis is not None:
            applied = analysis.applied.get(path)
            if applied is not None:
                return applied.lines
        for _root, document in self.documents.values():
            if document.path == path:
                return convert.Lines(document.latest.text)
        return self.disk_lines(path)

    def disk_lines(self, path: str) -> convert.Lines | None:
        try:
            st = os.stat(path)
            stamp = (st.st_mtime_ns, st.st_size)
            cached = self._disk_texts.get(path)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            data = read_source(path)  # never a FIFO or a device: SL000 names those
            if isinstance(data, Unreadable):
                return None
            lines = convert.Lines(decode_source(data).text)
        except (OSError, DecodeError):
            return None
        if len(self._disk_texts) > 256:
            self._disk_texts.clear()
        self._disk_texts[path] = (stamp, lines)
        return lines

    def text_of(self, path: str) -> str | None:
        """The current text of ``path``: the open document's, else the file's."""
        for _root, document in self.documents.values():
            if document.path == path:
                return document.latest.text
        data = read_source(path)
        if isinstance(data, Unreadable):
            return None
        try:
            return decode_source(data).text
        except DecodeError:
            return None

    # --- shutting down ---------------------------------------------------------------------

    def shutdown(self) -> None:
        self.shutdown_requested = True
        for key in list(self._debounce):
            self._cancel(key)
        for task in list(self._background):
            task.cancel()
        self.worker.shutdown(wait=False)
        self.fix_worker.shutdown(wait=False)


def fingerprint(items: Iterable[types.Diagnostic]) -> tuple[object, ...]:
    return tuple(
        (
            d.code,
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
            tuple(
                (r.location.uri, r.location.range.start.line, r.location.range.start.character)
                for r in d.related_information or ()
            ),
        )
        for d in items
    )
