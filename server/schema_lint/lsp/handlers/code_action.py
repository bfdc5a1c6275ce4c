"""``textDocument/codeAction``: a quick fix per finding, "ignore for this line", fix all.

Like ruff's ``requests/code_action.rs``, actions are built statelessly from the payload each
diagnostic carries in ``data``. Fixes are libcst transformations (:mod:`schema_lint.fixes`)
computed on demand on their own worker thread, never while diagnostics are computed:

- a quick fix per finding, preferred when the fix is safe; listing one waits at most
  ``fixTitleMs`` (a setting, 1 s by default) for the fix, whose message is the title, and
  its edit is resolved lazily through ``codeAction/resolve`` when the client supports it
  (a slower fix is listed with a generic title and computed on resolve);
- "Ignore SL00x for this line": adds ``# noqa: SL00x`` or merges the code into the line's;
- ``source.fixAll.schema-lint``: every safe fix of the document, applied in rounds.

Edits are ``TextDocumentEdit``s carrying the version of the text the fix was computed
from, so a client whose document moved on rejects them instead of corrupting it.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from schema_lint.diagnostics import Diagnostic
from schema_lint.fixes.types import Applicability, Edit, Fix, NoFix
from schema_lint.lsp import convert
from schema_lint.lsp.workspace import Analysis, Document, Root
from schema_lint.rules.registry import rule_for

if TYPE_CHECKING:
    from schema_lint.lsp.server import SchemaLintServer
    from schema_lint.lsp.session import Session
    from schema_lint.project import Project

logger = logging.getLogger(__name__)

QUICKFIX = types.CodeActionKind.QuickFix.value
FIX_ALL = "source.fixAll.schema-lint"
KINDS = (QUICKFIX, FIX_ALL)
MAX_ROUNDS = 10

OPTIONS = types.CodeActionOptions(code_action_kinds=list(KINDS), resolve_provider=True)

Key = tuple[str, str | None, tuple[str, ...], str | None]


def finding_key(diagnostic: Diagnostic) -> Key:
    """What identifies a finding across analyses, when its position has moved."""
    return (diagnostic.code, diagnostic.table, diagnostic.columns, diagnostic.index)


def wanted(only: Sequence[str] | None, kind: str, *, implicit: bool = True) -> bool:
    """Whether ``context.only`` asks for ``kind`` (``None``: whatever ``implicit`` says)."""
    if only is None:
        return implicit
    return any(kind == k or kind.startswith(f"{k}.") for k in only)


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
        key = finding_key(diagnostic)
        same = [d for d in self.diagnostics() if finding_key(d) == key]
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
    """Fixes being computed or computed, by document generation and finding."""

    def __init__(self, size: int = 128) -> None:
        self._futures: OrderedDict[tuple[str, int, Key], Future[Fix | NoFix]] = OrderedDict()
        self._size = size

    def get(self, session: Session, target: Target, diagnostic: Diagnostic) -> Future[Fix | NoFix]:
        key = (target.path, target.generation, finding_key(diagnostic))
        future = self._futures.get(key)
        if future is None or future.cancelled():
            future = session.fix_worker.submit(_compute, diagnostic, target)
            self._futures[key] = future
            while len(self._futures) > self._size:
                self._futures.popitem(last=False)
        else:
            self._futures.move_to_end(key)
        return future


def _compute(diagnostic: Diagnostic, target: Target) -> Fix | NoFix:
    from schema_lint.fixes.api import compute_fix

    try:
        return compute_fix(diagnostic, target.text, target.project, read_text=target.read_text)
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
    future = asyncio.wrap_future(fix_cache(session).get(session, target, diagnostic))
    try:
        return await asyncio.wait_for(asyncio.shield(future), budget)
    except asyncio.TimeoutError:
        return None


_caches: weakref.WeakKeyDictionary[Session, FixCache] = weakref.WeakKeyDictionary()


def fix_cache(session: Session) -> FixCache:
    cache = _caches.get(session)
    if cache is None:
        cache = _caches[session] = FixCache()
    return cache


def noqa(target: Target, diagnostic: Diagnostic) -> Edit:
    from schema_lint.fixes.noqa import noqa_edit

    return noqa_edit(target.text, target.path, diagnostic.span.line, diagnostic.code)


def fix_all(target: Target) -> tuple[str, int]:
    """The document's text with every safe fix applied, in rounds; and how many were."""
    from schema_lint.engine import check
    from schema_lint.fixes.api import fix_in_context
    from schema_lint.fixes.context import context_for
    from schema_lint.fixes.edits import apply_edits, compatible
    from schema_lint.fixes.source import parse_source
    from schema_lint.project import with_file_text

    path = target.path
    text = target.text
    project = target.project
    pending = [d for d in target.diagnostics() if fixable(d.code)]
    done: set[Key] = set()
    count = 0

    def read(other: str) -> str | None:
        return text if other == path else target.read_text(other)

    for _ in range(MAX_ROUNDS):
        context = context_for(project)
        accepted: list[Edit] = []
        taken = 0
        waiting = False
        for diagnostic in sorted(pending, key=lambda d: d.sort_key):
            key = finding_key(diagnostic)
            if key in done:
                continue
            fix = fix_in_context(diagnostic, text, context, read_text=read)
            if (
                not isinstance(fix, Fix)
                or fix.applicability is not Applicability.SAFE
                or any(e.path != path for e in fix.edits)
            ):
                done.add(key)
                continue
            candidate = [*accepted, *fix.edits]
            if not compatible(fix.edits, accepted) or (
                accepted and parse_source(path, apply_edits(text, candidate)) is None
            ):
                waiting = True
                continue
            accepted = candidate
            done.add(key)
            taken += 1
        if not taken:
            break
        text = apply_edits(text, accepted)
        count += taken
        if not waiting:
            break
        project = with_file_text(project, path, text)
        pending = [
            d
            for d in check(project, only_paths={path}).diagnostics
            if d.span.path == path and fixable(d.code) and finding_key(d) not in done
        ]
    return text, count


# --- LSP values --------------------------------------------------------------------------------


def workspace_edit(session: Session, target: Target, edits: Sequence[Edit]) -> types.WorkspaceEdit:
    """``edits`` as versioned ``TextDocumentEdit``s (or plain ``changes``)."""
    encoding = session.caps.position_encoding
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    document_changes: list[types.TextDocumentEdit] = []
    changes: dict[str, list[types.TextEdit]] = {}
    for path, group in by_path.items():
        if path == target.path:
            uri, version, lines = target.document.uri, target.version, convert.Lines(target.text)
        else:
            found = next((d for _, d in session.documents.values() if d.path == path), None)
            text = found.latest.text if found is not None else target.read_text(path)
            uri = found.uri if found is not None else session.uri_for(path)
            version = found.latest.version if found is not None else None
            lines = convert.Lines(text or "")
        text_edits = convert.text_edits(lines, group, encoding)
        changes[uri] = text_edits
        document_changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(
                    uri=uri, version=version
                ),
                edits=list(text_edits),
            )
        )
    if session.caps.versioned_edits:
        return types.WorkspaceEdit(document_changes=list(document_changes))
    return types.WorkspaceEdit(changes=changes)


def whole_text_edit(path: str, old: str, new: str) -> Edit:
    """One edit turning ``old`` into ``new``: the span between their common ends."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1

    def place(offset: int) -> tuple[int, int]:
        line = old.count("\n", 0, offset) + 1
        return line, offset - (old.rfind("\n", 0, offset) + 1)

    (line, col), (end_line, end_col) = place(prefix), place(len(old) - suffix)
    return Edit(path, line, col, end_line, end_col, new[prefix : len(new) - suffix])


def action_data(kind: str, target: Target, diagnostic: Diagnostic | None) -> dict[str, Any]:
    return {
        "schemaLint": kind,
        "uri": target.document.uri,
        "version": target.version,
        "diagnostic": convert.payload(diagnostic) if diagnostic is not None else None,
    }


def generic_title(diagnostic: Diagnostic) -> str:
    rule = rule_for(diagnostic.code)
    return f"Fix {diagnostic.code} ({rule.slug})" if rule is not None else f"Fix {diagnostic.code}"


def noqa_title(diagnostic: Diagnostic) -> str:
    return f"Ignore {diagnostic.code} for this line"


FIX_ALL_TITLE = "Fix all safe schema-lint findings"


# --- the request ---------------------------------------------------------------------------------


def ours(
    target: Target, context: types.CodeActionContext
) -> list[tuple[types.Diagnostic, Diagnostic]]:
    """The client's diagnostics that are ours, with the current finding of each."""
    found: list[tuple[types.Diagnostic, Diagnostic]] = []
    for item in context.diagnostics:
        if item.source != convert.SOURCE:
            continue
        diagnostic = convert.from_payload(item.data)
        if diagnostic is None:  # a client that drops `data`: match by code and line
            diagnostic = next(
                (
                    d
                    for d in target.diagnostics()
                    if d.code == item.code and d.span.line == item.range.start.line + 1
                ),
                None,
            )
        current = target.find(diagnostic) if diagnostic is not None else None
        if current is not None:
            found.append((item, current))
    return found


async def code_actions(
    ls: SchemaLintServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    session = ls.session
    caps = session.caps
    if not caps.code_action_literals:
        return None
    target = await target_of(session, params.text_document.uri)
    if target is None:
        return None
    only = params.context.only
    lazy = caps.code_action_resolve
    actions: list[types.CodeAction] = []
    if wanted(only, QUICKFIX):
        for item, diagnostic in ours(target, params.context):
            if fixable(diagnostic.code):
                action = await _fix_action(session, target, item, diagnostic, lazy)
                if action is not None:
                    actions.append(action)
            actions.append(_noqa_action(session, target, item, diagnostic, lazy))
    if wanted(only, FIX_ALL, implicit=lazy) and any(fixable(d.code) for d in target.diagnostics()):
        action = await _fix_all_action(session, target, lazy)
        if action is not None:
            actions.append(action)
    return actions


async def _fix_action(
    session: Session,
    target: Target,
    item: types.Diagnostic,
    diagnostic: Diagnostic,
    lazy: bool,
) -> types.CodeAction | None:
    caps = session.caps
    budget = target.root.settings.fix_title_ms / 1000 if lazy else None
    fix = await fix_of(session, target, diagnostic, budget)
    if isinstance(fix, NoFix):
        if not caps.code_action_disabled:
            return None
        return types.CodeAction(
            title=f"{generic_title(diagnostic)}: not available",
            kind=QUICKFIX,
            diagnostics=[item],
            disabled=types.CodeActionDisabled(reason=fix.reason),
        )
    action = types.CodeAction(
        title=fix.message if fix is not None else generic_title(diagnostic),
        kind=QUICKFIX,
        diagnostics=[item],
        is_preferred=(
            fix is not None and fix.applicability is Applicability.SAFE
            if caps.code_action_preferred
            else None
        ),
    )
    if lazy:
        action.data = action_data("fix", target, diagnostic)
    else:
        assert fix is not None
        action.edit = workspace_edit(session, target, fix.edits)
    return action


def _noqa_action(
    session: Session,
    target: Target,
    item: types.Diagnostic,
    diagnostic: Diagnostic,
    lazy: bool,
) -> types.CodeAction:
    action = types.CodeAction(title=noqa_title(diagnostic), kind=QUICKFIX, diagnostics=[item])
    if lazy:
        action.data = action_data("noqa", target, diagnostic)
    else:
        action.edit = workspace_edit(session, target, [noqa(target, diagnostic)])
    return action


async def _fix_all_action(session: Session, target: Target, lazy: bool) -> types.CodeAction | None:
    action = types.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL)
    if lazy:
        action.data = action_data("fixAll", target, None)
        return action
    edit = await fix_all_edit(session, target)
    if edit is None:
        return None
    action.edit = edit
    return action


async def fix_all_edit(session: Session, target: Target) -> types.WorkspaceEdit | None:
    loop = asyncio.get_running_loop()
    new_text, count = await loop.run_in_executor(session.fix_worker, fix_all, target)
    if not count or new_text == target.text:
        return None
    return workspace_edit(session, target, [whole_text_edit(target.path, target.text, new_text)])


def register(server: SchemaLintServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, OPTIONS)
    async def code_action(
        ls: SchemaLintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        try:
            return await code_actions(ls, params)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("schema-lint: textDocument/codeAction failed")
            return None
