"""One dialect per Alembic environment: each version tree is replayed, and compared with the
models, for the database it targets (directory name, ``env.py``, ``alembic.ini``, config)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.project import load_project

MODELS = """\
from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    __table_args__ = (Index("ix_things_a_sqlite", "a").ddl_if(dialect="sqlite"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a: Mapped[str] = mapped_column(String(20))
"""


def _revision(rev: str, body: str) -> str:
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {rev!r}\ndown_revision = None\n\n\n"
        "def upgrade():\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"
    )


CREATE = """\
op.create_table(
    "things",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("a", sa.String(20)),
)
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def codes(root: Path, **overrides: object) -> list[tuple[str, str, str]]:
    project = load_project(root, load_config(root, overrides or None))
    result = check(project)
    return sorted((d.code, d.key.table, d.key.side) for d in result.diagnostics)


def test_prefect_sqlite_tree_is_compared_with_the_sqlite_models(tmp_path: Path) -> None:
    """Reproduction 18 (prefect): a ``versions/sqlite`` tree creates an index that the model
    declares with ``.ddl_if(dialect="sqlite")``; checked with ``--dialect postgresql``, the
    SQLite tree was compared with the PostgreSQL models and the index reported missing."""
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": MODELS,
            "app/migrations/versions/postgresql/0001_pg.py": _revision("p1", CREATE),
            "app/migrations/versions/sqlite/0001_lite.py": _revision(
                "s1", CREATE + 'op.create_index("ix_things_a_sqlite", "things", ["a"])\n'
            ),
        },
    )
    assert codes(tmp_path, dialect="postgresql") == []
