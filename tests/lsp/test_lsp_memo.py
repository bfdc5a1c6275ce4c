"""The server keeps the schemas of its last checks in memory: what an edit leaves unchanged is
reused, and what it changes, even through a revision's helper module, is rebuilt."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from lsp_helpers import Client, open_document, replace_text, wait_published
from lsprotocol import types

MODELS = """
    from sqlalchemy import String
    from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

    class Base(DeclarativeBase):
        pass

    class Tag(Base):
        __tablename__ = "tags"
        id: Mapped[int] = mapped_column(primary_key=True)
        name: Mapped[str] = mapped_column(String(50))
"""

UTILS = """
    from alembic import op

    from .constants import PREFIX


    def create_index(table_name, column):
        op.create_index(f"{PREFIX}_{table_name}_{column}", table_name, [column])
"""

REVISION = """
    import sqlalchemy as sa
    from alembic import op

    from migrations.shared.utils import create_index

    revision = "0001"
    down_revision = None


    def upgrade():
        op.create_table("tags", sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("name", sa.String(50), nullable=False))
        create_index("tags", "name")
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = (tmp_path / "helpers").resolve()
    files = {
        "pyproject.toml": "",
        "app/models.py": MODELS,
        "migrations/env.py": "from alembic import context\n",
        "migrations/shared/constants.py": 'PREFIX = "ix"\n',
        "migrations/shared/utils.py": UTILS,
        "migrations/versions/0001_tags.py": REVISION,
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _index(params: types.PublishDiagnosticsParams) -> list[str]:
    return [str(d.data["payload"].get("index")) for d in params.diagnostics]  # type: ignore[index]


@pytest.mark.asyncio
async def test_model_edits_and_a_helper_edit_give_what_a_fresh_check_gives(
    client: Client, project: Path
):
    models_path = project / "app" / "models.py"
    models = open_document(client, models_path)
    first = await wait_published(client, models, lambda p: _index(p) == ["ix_tags_name"])
    text = models_path.read_text()
    # A model edit that changes the findings, then one that restores them: the replay is
    # reused from memory each time, the findings follow the models.
    mark = len(client.published)
    replace_text(client, models, 2, text.replace("String(50))", "String(50), index=True)"))
    await wait_published(client, models, lambda p: p.version == 2 and not _index(p), after=mark)
    mark = len(client.published)
    replace_text(client, models, 3, text)
    again = await wait_published(client, models, lambda p: p.version == 3, after=mark)
    assert _index(again) == _index(first)
    # The revision file does not change, its helper's constant does: replayed again.
    constants_path = project / "migrations" / "shared" / "constants.py"
    constants = open_document(client, constants_path)
    mark = len(client.published)
    replace_text(client, constants, 2, 'PREFIX = "idx"\n')
    await wait_published(client, models, lambda p: _index(p) == ["idx_tags_name"], after=mark)
    mark = len(client.published)
    replace_text(client, models, 4, text + "\n# typing\n")
    typed = await wait_published(client, models, lambda p: p.version == 4, after=mark)
    assert _index(typed) == ["idx_tags_name"]
    # Closed without saving: the disk's constant, and the first findings, are back.
    mark = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=constants))
    )
    await wait_published(client, models, lambda p: _index(p) == ["ix_tags_name"], after=mark)
