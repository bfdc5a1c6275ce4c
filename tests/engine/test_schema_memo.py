"""What the schemas' memo reuses: a replay without ``create_all()`` survives a model edit."""

from __future__ import annotations

from pathlib import Path

from projects import write_project
from schema_lint.config import load_config
from schema_lint.engine import build_schemas
from schema_lint.facts.schema import Schema
from schema_lint.project import load_project


class CountingMemo:
    """An in-memory memo that records what was computed (put) and what was reused (got)."""

    def __init__(self) -> None:
        self.schemas: dict[str, Schema] = {}
        self.puts = 0

    def get_schema(self, key: str) -> Schema | None:
        return self.schemas.get(key)

    def put_schema(self, key: str, schema: Schema) -> None:
        self.puts += 1
        self.schemas[key] = schema


MODELS = """
    from sqlalchemy import Column, Integer, String
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass

    class User(Base):
        __tablename__ = "users"
        id = Column(Integer, primary_key=True)
        name = Column(String(50))
"""

REVISION = """
    import sqlalchemy as sa
    from alembic import op
    {imports}

    revision = "a1"
    down_revision = None

    def upgrade():
        op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
        {extra}
"""


def project_with(root: Path, extra: str, imports: str = "") -> Path:
    root.mkdir()
    return write_project(
        root,
        {
            "app/models.py": MODELS,
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": "",
            "migrations/versions/a1_users.py": REVISION.replace("{extra}", extra).replace(
                "{imports}", imports
            ),
        },
    )


def schemas(root: Path, memo: CountingMemo) -> tuple[dict[str, object], dict[str, object]]:
    result = build_schemas(load_project(root, load_config(root)), memo)
    (replayed,) = result.migrations.values()
    return dict(result.models.tables), dict(replayed.tables)


def edit_models(root: Path) -> None:
    models = root / "app" / "models.py"
    models.write_text(
        models.read_text().replace(
            "class User(Base):",
            "class Tag(Base):\n"
            "    __tablename__ = 'tags'\n"
            "    id = Column(Integer, primary_key=True)\n\n"
            "class User(Base):",
        )
    )


def test_model_edit_reuses_a_replay_without_create_all(tmp_path: Path) -> None:
    root = project_with(tmp_path / "plain", "pass")
    memo = CountingMemo()
    _, before = schemas(root, memo)
    assert memo.puts == 2  # the models, the replay
    edit_models(root)
    models, after = schemas(root, memo)
    assert memo.puts == 3  # the models again; the replay is reused
    assert "tags" in models and after == before
    assert after == schemas(root, CountingMemo())[1]  # as a fresh build


def test_model_edit_replays_again_where_create_all_reads_the_models(tmp_path: Path) -> None:
    root = project_with(
        tmp_path / "create_all",
        "Base.metadata.create_all(bind=op.get_bind())",
        "from app.models import Base",
    )
    memo = CountingMemo()
    _, before = schemas(root, memo)
    assert "tags" not in before
    edit_models(root)
    _, after = schemas(root, memo)
    assert memo.puts == 4  # the models and the replay, twice
    assert "tags" in after and after == schemas(root, CountingMemo())[1]


def test_a_helper_module_edit_replays_the_revisions_that_import_it(tmp_path: Path) -> None:
    """The revision files are unchanged, their facts are not: the replay is keyed by both."""
    from schema_lint.cache import FactsCache
    from schema_lint.engine import check
    from test_migration_helpers import _project

    (tmp_path / "project").mkdir()
    root = _project(tmp_path / "project")

    def messages(memo: bool) -> list[str]:
        cache = FactsCache.load(tmp_path / "cache")
        project = load_project(root, load_config(root), cache=cache, save_cache=False)
        result = check(project, memo=cache if memo else None)
        cache.save()
        return [d.message for d in result.diagnostics]

    assert any("`ix_tags_name`" in m for m in messages(memo=True))
    (root / "migrations/shared/constants.py").write_text('TAGS = "tags"\nPREFIX = "idx"\n')
    found = messages(memo=True)
    assert any("`idx_tags_name`" in m for m in found)
    assert found == messages(memo=False)
