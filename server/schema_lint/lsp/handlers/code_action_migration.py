"""The "Create migration" code actions: the Alembic revision a finding needs, as a new file.

- SL001 and SL008 are fixed in the model: "Create migration for this fix" applies the model
  fix and creates the revision for the difference it leaves (the new unique constraint or
  partial index), in one ``WorkspaceEdit``.
- The drift rules (SL003-SL007, SL009) say the database lags behind the model: "Create
  migration to match the model" creates the revision for that finding, model unchanged.

The edit is the model's ``TextDocumentEdit``s, a ``CreateFile`` and the file's text, so it
needs a client that creates files (``resourceOperations``) and resolves actions lazily: the
revision is rendered (through Alembic, never running ``env.py``, no ``post_write_hooks``)
only when the user picks the action.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace
from typing import TYPE_CHECKING

from lsprotocol import types

from schema_lint.diagnostics import Diagnostic, Edit, FindingKey, NoFix
from schema_lint.lsp.fixing import Target, fix_of

if TYPE_CHECKING:
    from schema_lint.engine import CheckResult
    from schema_lint.lsp.session import Session
    from schema_lint.project import Project

KIND = "migration"
FIX_TITLE = "Create migration for this fix"
DRIFT_TITLE = "Create migration to match the model"


def offered(session: Session, target: Target, diagnostic: Diagnostic) -> str | None:
    """The action's title when it can be offered for ``diagnostic``; None otherwise."""
    from schema_lint.generate import alembic_missing
    from schema_lint.generate.plan import DEFAULT_SELECT, MODEL_FIRST

    caps = session.caps
    if not (caps.create_files and caps.code_action_resolve and caps.code_action_literals):
        return None
    code = diagnostic.code
    if code not in DEFAULT_SELECT:
        return None
    if _environment_dir(target, diagnostic) is None or alembic_missing() is not None:
        return None
    return FIX_TITLE if code in MODEL_FIRST else DRIFT_TITLE


def _environment_dir(target: Target, diagnostic: Diagnostic) -> str | None:
    """The script location (with a ``script.py.mako``) of the environment the finding is
    about: its side, or the one environment whose migrations create its table."""
    schemas = target.analysis.schemas
    if schemas is None:
        return None
    names = [diagnostic.key.side] if diagnostic.key.side in schemas.migrations else []
    if not names:
        names = [n for n, s in schemas.migrations.items() if diagnostic.key.table in s.tables]
    found = [
        e.script_dir
        for e in target.project.layout.environments
        if e.name in names and e.script_dir is not None
    ]
    if len(found) != 1 or not os.path.isfile(os.path.join(found[0], "script.py.mako")):
        return None
    return found[0]


def action(
    target: Target, item: types.Diagnostic, diagnostic: Diagnostic, title: str
) -> types.CodeAction:
    from schema_lint.lsp.handlers.code_action import QUICKFIX, action_data

    return types.CodeAction(
        title=title,
        kind=QUICKFIX,
        diagnostics=[item],
        data=action_data(KIND, target, diagnostic),
    )


async def migration_edit(
    session: Session, target: Target, diagnostic: Diagnostic
) -> types.WorkspaceEdit | str:
    """The action's edit, or why there is none."""
    from schema_lint.generate.plan import MODEL_FIRST

    edits: tuple[Edit, ...] = ()
    if diagnostic.code in MODEL_FIRST:
        fix = await fix_of(session, target, diagnostic)
        if fix is None or isinstance(fix, NoFix):
            return fix.reason if isinstance(fix, NoFix) else "the model fix was not computed"
        edits = fix.edits
    loop = asyncio.get_running_loop()
    made = await loop.run_in_executor(session.fix_worker, _revision, target, diagnostic, edits)
    if isinstance(made, str):
        return made
    from schema_lint.lsp.handlers.code_action import workspace_edit

    changes: list[
        types.TextDocumentEdit | types.CreateFile | types.RenameFile | types.DeleteFile
    ] = []
    if edits:
        model = workspace_edit(session, target, edits)
        changes.extend(model.document_changes or ())
    for path, text in made:
        uri = session.uri_for(path)
        changes.append(
            types.CreateFile(
                uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
            )
        )
        start = types.Position(line=0, character=0)
        changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[types.TextEdit(range=types.Range(start=start, end=start), new_text=text)],
            )
        )
    return types.WorkspaceEdit(document_changes=changes)


def _revision(
    target: Target, diagnostic: Diagnostic, edits: tuple[Edit, ...]
) -> list[tuple[str, str]] | str:
    """(path, text) of each revision file, rendered on the fix worker."""
    from schema_lint.engine import check
    from schema_lint.fixes.edits import apply_edits
    from schema_lint.generate.api import GenerateError, Options, generate
    from schema_lint.project import with_file_text

    project: Project = target.project
    for path in dict.fromkeys(e.path for e in edits):
        text = target.read_text(path)
        if text is None:
            return f"{path} cannot be read"
        project = with_file_text(
            project, path, apply_edits(text, [e for e in edits if e.path == path])
        )
    result = check(project)
    wanted = {diagnostic.key} if not edits else _introduced(target, result)
    chosen = _only(result, wanted)
    if not chosen.diagnostics:
        return "the fix leaves nothing for a migration to do"
    try:
        generated = generate(project, chosen, Options(dry_run=True, hooks=False))
    except GenerateError as exc:
        return str(exc)
    if generated.skipped and not generated.revisions:
        return generated.skipped[0].reason
    if not generated.revisions:
        return "there is nothing for a migration to do"
    return [(r.file.path, r.file.text) for r in generated.revisions]


def _introduced(target: Target, result: CheckResult) -> set[FindingKey]:
    """Keys of the findings the model fix introduced (what the migration must create)."""
    before = {d.key for found in target.analysis.diagnostics.values() for d in found}
    return {d.key for d in result.diagnostics if d.key not in before}


def _only(result: CheckResult, keys: set[FindingKey]) -> CheckResult:
    return replace(result, diagnostics=tuple(d for d in result.diagnostics if d.key in keys))
