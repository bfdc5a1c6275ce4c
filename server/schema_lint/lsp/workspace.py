"""The in-memory state of each workspace root: its ``Project`` and the open documents.

Threads: the event loop owns documents (their latest text, version and generation) and
everything sent to the client; one analysis thread owns each root's ``Project`` and runs
:meth:`Root.refresh`, the only place that changes it. A ``Project`` is immutable, so the
loop may read ``root.project`` and ``root.result`` at any time and get a consistent snapshot.

Every open, change and close bumps the document's *generation*. A refresh applies the
latest text of each changed document with :func:`~schema_lint.project.with_file_text` (one
file re-extracted, the others' facts reused), runs the engine once for the whole root and
records, per document, which generation and version its result belongs to. A result is
only ever published for a document whose latest generation is the one it was computed
from, so a stale result cannot overwrite a newer one.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from lsprotocol import types

from schema_lint.cache import CACHE_DIR_NAME, FactsCache
from schema_lint.config import Config, ConfigError
from schema_lint.diagnostics import Diagnostic
from schema_lint.engine import CheckResult, ProjectSchemas, SchemaMemory, check
from schema_lint.facts.source import Problem
from schema_lint.lsp.convert import Lines
from schema_lint.lsp.settings import (
    Settings,
    fallback_config,
    make_config,
    needs_rescan,
)
from schema_lint.project import Project, load_project, with_file_text
from schema_lint.sources.discovery import ProjectLayout

logger = logging.getLogger(__name__)

BROKEN = frozenset({"syntax-error", "decode-error"})
CONFIG_FILES = frozenset({"pyproject.toml", "alembic.ini"})


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One version of a document's text."""

    text: str
    version: int | None
    generation: int


@dataclass(slots=True)
class Applied:
    """The snapshot a root's project was last updated with, and whether it parsed."""

    snapshot: Snapshot
    parses: bool
    _lines: Lines | None = None

    @property
    def lines(self) -> Lines:
        if self._lines is None:
            self._lines = Lines(self.snapshot.text)
        return self._lines


@dataclass(eq=False)
class Document:
    """An open document; every field but ``applied`` is read and written on the loop."""

    uri: str
    path: str
    latest: Snapshot
    applied: Applied | None = None
    """Written by the analysis thread."""
    published_key: tuple[object, ...] | None = None
    published_version: int | None = None
    published_revision: int = -1
    result_id: int = 0
    pulled_key: tuple[object, ...] | None = None
    pulled_generation: int = -1
    last_items: list[types.Diagnostic] = field(default_factory=list)
    """What the client was last given for this document."""

    @property
    def is_python(self) -> bool:
        return self.path.endswith((".py", ".pyi"))

    @property
    def is_config(self) -> bool:
        return os.path.basename(self.path) in CONFIG_FILES

    @property
    def fresh(self) -> bool:
        """Whether the root's project holds this document's latest text."""
        return self.applied is not None and self.applied.snapshot.generation == (
            self.latest.generation
        )


@dataclass(frozen=True, slots=True)
class Analysis:
    """One engine run over a root, and what it was computed from."""

    revision: int
    diagnostics: Mapping[str, tuple[Diagnostic, ...]]
    """By file path."""
    problems: tuple[Problem, ...]
    applied: Mapping[str, Applied]
    """The snapshot of each open document the run saw."""
    enabled: bool
    project: Project
    schemas: ProjectSchemas | None = None
    """The schemas the run built (None when it was disabled or failed): fixes read them."""


class Root:
    """One workspace root: a project, its configuration and its open documents.

    Or, with ``single_file``, one Python file analysed alone (a file outside every
    workspace folder): its own facts only, the editor settings only (no ``pyproject.toml``
    of its folder, which is no project), no scan and no cache.
    """

    def __init__(
        self,
        root: Path,
        settings: Settings,
        uri: str | None = None,
        *,
        single_file: str | None = None,
    ) -> None:
        self.path = root
        self.uri = uri
        self.single_file = single_file
        self.settings = settings
        self.documents: dict[str, Document] = {}
        """Open documents by path (loop thread; copied under ``_lock`` by the thread)."""
        self._memo = SchemaMemory()
        """Schemas of the last checks (analysis thread): an edit rebuilds only what it changes."""
        self._lock = threading.Lock()
        self.project: Project | None = None
        self.config: Config | None = None
        self.config_error: str | None = None
        self.shown_config_error: str | None = None
        """The configuration error the user was last told about (loop thread)."""
        self.result: Analysis | None = None
        self.revision = 0
        self._dirty_config = True
        self._rescan = True
        self._disk_changed: set[str] = set()
        self._look_at_disk = False
        self._closed: set[str] = set()
        self._stamps: dict[str, tuple[int, int]] | None = None
        self.problems_seen: frozenset[tuple[str, str, int]] = frozenset()
        self.progress: Callable[[int, int], None] | None = None
        """Told (files done, files to read) during a scan, from the analysis thread."""

    # --- loop side -----------------------------------------------------------------------

    def contains(self, path: str) -> bool:
        if self.single_file is not None:
            return path == self.single_file
        root = str(self.path)
        return path == root or path.startswith(root.rstrip(os.sep) + os.sep)

    def open(self, document: Document) -> None:
        with self._lock:
            self.documents[document.path] = document
            self._closed.discard(document.path)

    def close(self, path: str) -> Document | None:
        with self._lock:
            document = self.documents.pop(path, None)
            if document is not None:
                self._closed.add(path)
        return document

    def update_settings(self, settings: Settings) -> None:
        with self._lock:
            self.settings = settings
            self._dirty_config = True

    def invalidate(self, *, rescan: bool = False, config: bool = False, disk: bool = False) -> None:
        """Ask the next refresh to rescan the project, reload the configuration, or compare
        the stamps of the configuration and revision files with the disk."""
        with self._lock:
            self._rescan = self._rescan or rescan
            self._dirty_config = self._dirty_config or config
            self._look_at_disk = self._look_at_disk or disk

    def disk_changed(self, paths: Iterable[str]) -> None:
        with self._lock:
            self._disk_changed.update(paths)

    @property
    def pending(self) -> bool:
        """Whether something the next refresh must take into account happened."""
        with self._lock:
            return bool(
                self._dirty_config
                or self._rescan
                or self._look_at_disk
                or self._closed
                or self._disk_changed
            )

    def open_documents(self) -> list[Document]:
        with self._lock:
            return list(self.documents.values())

    # --- analysis thread -----------------------------------------------------------------

    def refresh(self, still_wanted: Callable[[], bool] | None = None) -> Analysis | None:
        """Bring the project up to date with the open documents and run the engine.

        Returns None without doing anything when ``still_wanted`` says the request was
        superseded while it waited for the thread; returns the last result when nothing
        changed since.
        """
        if still_wanted is not None and not still_wanted():
            return None
        with self._lock:
            documents = list(self.documents.values())
            dirty_config, self._dirty_config = self._dirty_config, False
            rescan, self._rescan = self._rescan, False
            disk_changed, self._disk_changed = self._disk_changed, set()
            closed, self._closed = self._closed, set()
            look_at_disk, self._look_at_disk = self._look_at_disk, False
            settings = self.settings
        changed = False
        moved = False
        if look_at_disk and self._stat_changed(disk_changed):
            rescan = True
        if dirty_config or rescan or self.config is None:
            config = self._load_config(settings, documents)
            if self.config is not None and self.project is not None:
                rescan = rescan or needs_rescan(self.config, config)
            if config != self.config:
                changed = True
            self.config = config
        assert self.config is not None
        if rescan or self.project is None:
            self.project = self._load(self.config, documents)
            changed = True
        else:
            if self.project.config != self.config:
                self.project = replace(self.project, config=self.config)
            for path in sorted(closed | disk_changed):
                if path in self.documents:
                    continue
                self.project = self._with_text(self.project, path, None)
                changed = True
            for document in documents:
                if document.is_python and not document.fresh:
                    before = self.project.files
                    self.project = self._apply(self.project, document)
                    moved = True
                    # Typing in a comment or a method body leaves the facts as they were
                    # (spans included): the findings stand, only their version moves on.
                    # Other files' facts change when it is a revision's helper module.
                    after = self.project.files
                    if after.get(document.path) != before.get(document.path) or any(
                        after.get(path) is not facts
                        for path, facts in before.items()
                        if path != document.path
                    ):
                        changed = True
        applied = {d.path: d.applied for d in documents if d.applied is not None}
        previous = self.result
        if previous is not None and previous.schemas is not None:
            # A module the models were read from (a plain base, a constant) was edited.
            changed = changed or not self.project.sources.fresh(previous.schemas.models.depends_on)
        if not changed and previous is not None and previous.enabled == settings.enable:
            if not moved and all(previous.applied.get(p) is a for p, a in applied.items()):
                return previous
            self.revision += 1
            self.result = replace(
                previous, revision=self.revision, applied=applied, project=self.project
            )
            return self.result
        self.revision += 1
        if settings.enable:
            result = self._check(self.project)
            diagnostics: dict[str, list[Diagnostic]] = {}
            for diagnostic in result.diagnostics if result is not None else ():
                diagnostics.setdefault(diagnostic.span.path, []).append(diagnostic)
            problems = result.problems if result is not None else ()
            schemas = result.schemas if result is not None else None
        else:
            diagnostics, problems, schemas = {}, (), None
        self.result = Analysis(
            revision=self.revision,
            diagnostics={path: tuple(items) for path, items in diagnostics.items()},
            problems=problems,
            applied=applied,
            enabled=settings.enable,
            project=self.project,
            schemas=schemas,
        )
        return self.result

    def _check(self, project: Project) -> CheckResult | None:
        try:
            result = check(project, memo=self._memo)
        except Exception:
            logger.exception("schema-lint: the engine failed on %s", self.path)
            return None
        return result

    def _load_config(self, settings: Settings, documents: list[Document]) -> Config:
        if self.single_file is not None:
            self.config_error = None
            try:
                return fallback_config(self.path, settings)
            except ConfigError:
                return fallback_config(self.path, Settings())
        pyproject = str(self.path / "pyproject.toml")
        text = next((d.latest.text for d in documents if d.path == pyproject), None)
        try:
            config = make_config(self.path, settings, text)
            self.config_error = None
            return config
        except ConfigError as exc:
            self.config_error = str(exc)
        except Exception as exc:  # a bug reading the file must not stop the server
            logger.exception("schema-lint: cannot read the configuration of %s", self.path)
            self.config_error = f"cannot read the configuration: {exc}"
        if self.config is not None:
            return self.config
        try:
            return fallback_config(self.path, settings)
        except ConfigError:
            return fallback_config(self.path, Settings())

    def _load(self, config: Config, documents: list[Document]) -> Project:
        if self.single_file is not None:
            project = Project(self.path, config, _empty_layout(self.path), {})
            if not any(d.path == self.single_file for d in documents):
                project = self._with_text(project, self.single_file, None)  # from disk
            for document in documents:
                project = self._apply(project, document)
            self._stamps = {}
            return project
        try:
            cache = FactsCache.load(self.path / CACHE_DIR_NAME)
            project = load_project(self.path, config, cache=cache, progress=self.progress)
        except Exception:
            logger.exception("schema-lint: cannot scan %s", self.path)
            project = Project(self.path, config, _empty_layout(self.path), {})
        for document in documents:
            if document.is_python:
                project = self._apply(project, document)
        self._stamps = self._stamp(project)
        return project

    def _apply(self, project: Project, document: Document) -> Project:
        snapshot = document.latest
        updated = self._with_text(project, document.path, snapshot.text)
        facts = updated.files.get(document.path)
        parses = updated is not project and not (
            facts is not None and any(p.kind in BROKEN for p in facts.problems)
        )
        document.applied = Applied(snapshot, parses)
        return updated

    def _with_text(self, project: Project, path: str, text: str | None) -> Project:
        try:
            return with_file_text(project, path, text)
        except Exception:
            logger.exception("schema-lint: cannot read %s", path)
            return project

    # --- files changed behind the editor's back ------------------------------------------

    def _stamp(self, project: Project) -> dict[str, tuple[int, int]]:
        """Modification stamps of the configuration files and of every revision file."""
        if self.single_file is not None:
            return {}
        paths = [str(self.path / name) for name in CONFIG_FILES]
        directories = {d for env in project.layout.environments for d in env.version_dirs}
        stamps: dict[str, tuple[int, int]] = {}
        for path in paths:
            _stat_into(stamps, path)
        for directory in sorted(directories):
            try:
                with os.scandir(directory) as entries:
                    for entry in entries:
                        if entry.name.endswith(".py") and entry.is_file():
                            _stat_into(stamps, entry.path)
            except OSError:
                continue
        return stamps

    def version_dirs(self) -> tuple[str, ...]:
        project = self.project
        if project is None:
            return ()
        return tuple(sorted({d for env in project.layout.environments for d in env.version_dirs}))

    def _stat_changed(self, disk_changed: set[str]) -> bool:
        """Whether files appeared or vanished, or configuration files changed, on disk.

        Clients that cannot watch files for us (Neovim) still see new revision files and
        ``pyproject.toml`` edits made elsewhere: each save and open compares these stamps.
        Changed revision files are added to ``disk_changed``.
        """
        if self.project is None or self._stamps is None:
            return False
        stamps = self._stamp(self.project)
        old = self._stamps
        self._stamps = stamps
        if set(stamps) != set(old):
            return True
        for path, stamp in stamps.items():
            if old.get(path) != stamp:
                if os.path.basename(path) in CONFIG_FILES:
                    return True
                disk_changed.add(path)
        return False


def _stat_into(stamps: dict[str, tuple[int, int]], path: str) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return
    stamps[path] = (st.st_mtime_ns, st.st_size)


def _empty_layout(root: Path) -> ProjectLayout:
    return ProjectLayout(str(root), (), (), {})
