"""Fixes in the language server: the text and analysis a fix is computed from, the fixes
being computed on the fix worker, and fix-all through the same loop as ``--fix``.

The :class:`FixCache` belongs to the session: fixes by document generation and finding,
and the fix context of the latest analyses, each built once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING

from schema_lint.diagnostics import Applicability, Diagnostic, Edit, FindingKey, Fix, NoFix
from schema_lint.lsp.workspace import Analysis, Document, Root

if TYPE_CHECKING:
    from schema_lint.fixes.context import FixContext
    from schema_lint.lsp.session import Session
    from schema_lint.project import Project

logger = logging.getLogger(__name__)


# --- the text and facts a fix is computed from ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """A document's text at one version, the analysis of it, and other files' texts."""

    root: Root
    document: Document
    text: str
    version: int | None
    generation: int
    analysis: Analysis
    others: Mapping[str, str]
    """Texts of the other open documents (unsaved edits count for mixins' files too)."""

    @property
    def project(self) -> Project:
        return self.analysis.project

    @property
    def path(self) -> str:
        return self.document.path

    def read_text(self, path: str) -> str | None:
        if path == self.path:
            return self.text
        if path in self.others:
            return self.others[path]
        from schema_lint.fixes.context import read_from_disk

        return read_from_disk(path)

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.analysis.diagnostics.get(self.path, ())

    def find(self, diagnostic: Diagnostic) -> Diagnostic | None:
        """The analysis' own finding for ``diagnostic`` (which may come from an older text)."""
        same = [d for d in self.diagnostics() if d.key == diagnostic.key]
        if not same:
            return None
        return min(same, key=lambda d: abs(d.span.line - diagnostic.span.line))


async def target_of(session: Session, uri: str) -> Target | None:
    """The latest analysed text of ``uri`` (waiting for its analysis if it is pending)."""
    found = session.lookup(uri)
    if found is None or not found[1].is_python:
        return None
    root, document = found
    analysis = await session.fresh(root, document)
    applied = analysis.applied.get(document.path) if analysis is not None else None
    if analysis is None or applied is None or not applied.parses:
        return None
    others = {
        d.path: d.latest.text
        for r, d in session.documents.values()
        if d.path != document.path and d.is_python
    }
    snapshot = applied.snapshot
    return Target(
        root, document, snapshot.text, snapshot.version, snapshot.generation, analysis, others
    )


# --- computing fixes on the fix worker -------------------------------------------------------


class FixCache:
    """Fixes being computed or computed, by document generation and finding; and the fix
    context of the latest analyses."""

    def __init__(self, size: int = 128) -> None:
        self._futures: OrderedDict[tuple[str, int, FindingKey], Future[Fix | NoFix]]
        self._futures = OrderedDict()
        self._contexts: OrderedDict[tuple[str, int], FixContext] = OrderedDict()
        self._size = size

    def get(self, session: Session, target: Target, diagnostic: Diagnostic) -> Future[Fix | NoFix]:
        key = (target.path, target.generation, diagnostic.key)
        future = self._futures.get(key)
        if future is None or future.cancelled():
            future = session.fix_worker.submit(self._compute, diagnostic, target)
            self._futures[key] = future
            while len(self._futures) > self._size:
                self._futures.popitem(last=False)
        else:
            self._futures.move_to_end(key)
        return future

    def context(self, target: Target) -> FixContext | None:
        """The fix context of ``target``'s analysis (built once per analysis)."""
        from schema_lint.fixes.context import fix_context

        schemas = target.analysis.schemas
        if schemas is None:
            return None
        key = (str(target.root.path), target.analysis.revision)
        found = self._contexts.get(key)
        if found is None:
            found = self._contexts[key] = fix_context(target.project, schemas)
            while len(self._contexts) > 4:
                self._contexts.popitem(last=False)
        return found

    def _compute(self, diagnostic: Diagnostic, target: Target) -> Fix | NoFix:
        from schema_lint.fixes.api import compute_fix

        try:
            context = self.context(target)
            if context is None:
                return NoFix("the project has not been analysed")
            return compute_fix(diagnostic, target.text, context, read_text=target.read_text)
        except Exception as exc:
            logger.exception("schema-lint: the fix of %s failed", diagnostic.code)
            return NoFix(f"the fix could not be computed ({type(exc).__name__})")


def fixable(code: str) -> bool:
    from schema_lint.fixes.api import fixable as api_fixable

    return api_fixable(code)


async def fix_of(
    session: Session, target: Target, diagnostic: Diagnostic, budget: float | None = None
) -> Fix | NoFix | None:
    """The fix of ``diagnostic`` (None: not ready within ``budget`` seconds)."""
    future = asyncio.wrap_future(session.fixes.get(session, target, diagnostic))
    try:
        return await asyncio.wait_for(asyncio.shield(future), budget)
    except asyncio.TimeoutError:
        return None


def noqa(target: Target, diagnostic: Diagnostic) -> Edit:
    from schema_lint.fixes.noqa import noqa_edit

    return noqa_edit(target.text, target.path, diagnostic.span.line, diagnostic.code)


def fix_all(session: Session, target: Target) -> tuple[str, int]:
    """The document's text with every safe fix of it applied (the same loop as ``--fix``);
    and how many were."""
    from schema_lint.fixes.loop import fix_all as fix_loop

    schemas = target.analysis.schemas
    if schemas is None:
        return target.text, 0

    def accept(diagnostic: Diagnostic, fix: Fix) -> bool:
        return fix.applicability is Applicability.SAFE and all(
            e.path == target.path for e in fix.edits
        )

    outcome = fix_loop(
        target.project,
        schemas,
        [d for d in target.diagnostics() if fixable(d.code)],
        read_text=target.read_text,
        accept=accept,
        context=session.fixes.context(target),
    )
    return outcome.texts.get(target.path, target.text), outcome.count
