"""Generate a large, realistic SQLAlchemy + Alembic project for benchmarks.

    python benchmarks/generate_project.py OUT_DIR --tables 500 --migrations 300

Models are spread over files of ten tables in mixed declaration styles (2.0 ``Mapped``,
classic ``Column``, imperative ``Table``), with junction tables among them; the migrations
create every table, then add columns and indexes in later revisions.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

HEADER_20 = (
    "from __future__ import annotations\n\n"
    "from datetime import datetime\nfrom typing import Optional\n\n"
    "from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint\n"
    "from sqlalchemy.orm import Mapped, mapped_column, relationship\n\n"
    "from app.models.base import Base, TimestampMixin\n\n\n"
)
HEADER_CLASSIC = "import sqlalchemy as sa\n\nfrom app.models.base import Base, metadata\n\n\n"


def _model_20(i: int, parent: int | None) -> str:
    fk = (
        f'    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("table_{parent}.id"),'
        " index=True)\n"
        if parent is not None
        else ""
    )
    return (
        f"class Model{i}(TimestampMixin, Base):\n"
        f'    """Entity number {i}."""\n\n'
        f'    __tablename__ = "table_{i}"\n'
        f'    __table_args__ = (Index("ix_table_{i}_name_status", "name", "status"),)\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    name: Mapped[str] = mapped_column(String(200), index=True)\n"
        '    status: Mapped[str] = mapped_column(String(20), default="new")\n'
        "    body: Mapped[Optional[str]] = mapped_column(Text)\n"
        f"{fk}\n"
        "    def label(self) -> str:\n"
        '        return f"{self.name} ({self.status})"\n\n\n'
    )


def _model_classic(i: int, parent: int | None) -> str:
    fk = (
        f'    parent_id = sa.Column(sa.Integer, sa.ForeignKey("table_{parent}.id"), index=True)\n'
        if parent is not None
        else ""
    )
    return (
        f"class Model{i}(Base):\n"
        f'    __tablename__ = "table_{i}"\n'
        f'    __table_args__ = (sa.Index("ix_table_{i}_name_status", "name", "status"),)\n\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    name = sa.Column(sa.String(200), nullable=False, index=True)\n"
        "    status = sa.Column(sa.String(20), nullable=False)\n"
        "    body = sa.Column(sa.Text)\n"
        "    created_at = sa.Column(sa.DateTime, nullable=False)\n"
        "    updated_at = sa.Column(sa.DateTime, nullable=False)\n"
        f"{fk}\n\n"
    )


def _junction(i: int, a: int, b: int, unique: bool) -> str:
    constraint = f'    sa.UniqueConstraint("a_id", "b_id", name="uq_link_{i}"),\n' if unique else ""
    return (
        f"link_{i} = sa.Table(\n"
        f'    "link_{i}",\n    metadata,\n'
        '    sa.Column("id", sa.Integer, primary_key=True),\n'
        f'    sa.Column("a_id", sa.ForeignKey("table_{a}.id"), nullable=False),\n'
        f'    sa.Column("b_id", sa.ForeignKey("table_{b}.id"), nullable=False),\n'
        f"{constraint})\n\n\n"
    )


def _create_table_migration(i: int, revision: str, down: str | None, parent: int | None) -> str:
    fk = (
        f'        sa.Column("parent_id", sa.Integer(), sa.ForeignKey("table_{parent}.id"),'
        " nullable=True),\n"
        if parent is not None
        else ""
    )
    index = (
        f'    op.create_index(op.f("ix_table_{i}_parent_id"), "table_{i}", ["parent_id"])\n'
        if parent is not None
        else ""
    )
    return (
        f'"""create table_{i}"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {revision!r}\ndown_revision = {down!r}\n"
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n"
        "    op.create_table(\n"
        f'        "table_{i}",\n'
        '        sa.Column("id", sa.Integer(), nullable=False),\n'
        '        sa.Column("name", sa.String(length=200), nullable=False),\n'
        '        sa.Column("status", sa.String(length=20), nullable=False),\n'
        '        sa.Column("body", sa.Text(), nullable=True),\n'
        '        sa.Column("created_at", sa.DateTime(), nullable=False),\n'
        '        sa.Column("updated_at", sa.DateTime(), nullable=False),\n'
        f"{fk}"
        '        sa.PrimaryKeyConstraint("id"),\n'
        "    )\n"
        f'    op.create_index(op.f("ix_table_{i}_name"), "table_{i}", ["name"])\n'
        f'    op.create_index("ix_table_{i}_name_status", "table_{i}", ["name", "status"])\n'
        f"{index}\n\n"
        "def downgrade():\n"
        f'    op.drop_table("table_{i}")\n'
    )


def generate(root: Path, tables: int, migrations: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    models = root / "app" / "models"
    versions = root / "migrations" / "versions"
    models.mkdir(parents=True, exist_ok=True)
    versions.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'bench'\nversion = '0'\n")
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    (root / "migrations" / "env.py").write_text(
        "from alembic import context\nfrom app.models.base import Base\n"
        "target_metadata = Base.metadata\n"
    )
    (root / "app" / "__init__.py").write_text("")
    (models / "__init__.py").write_text("")
    (models / "base.py").write_text(
        "from datetime import datetime\n\n"
        "from sqlalchemy import MetaData, func\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n"
        "metadata = MetaData()\n\n\n"
        "class Base(DeclarativeBase):\n    metadata = metadata\n\n\n"
        "class TimestampMixin:\n"
        "    created_at: Mapped[datetime] = mapped_column(server_default=func.now())\n"
        "    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())\n"
    )
    parents = {i: (rng.randrange(i) if i and rng.random() < 0.5 else None) for i in range(tables)}
    per_file = 10
    for start in range(0, tables, per_file):
        classic = (start // per_file) % 3 == 2
        body = HEADER_CLASSIC if classic else HEADER_20 + "import sqlalchemy as sa\n\n"
        if not classic:
            body += "from app.models.base import metadata\n\n\n"
        for i in range(start, min(start + per_file, tables)):
            body += (_model_classic if classic else _model_20)(i, parents[i])
        if start + 1 < tables:
            body += _junction(start, start, start + 1, unique=rng.random() < 0.8)
        (models / f"group_{start // per_file:04d}.py").write_text(body)
    revision_count = max(migrations, tables)
    previous: str | None = None
    for i in range(revision_count):
        revision = f"{i:012x}"
        if i < tables:
            text = _create_table_migration(i, revision, previous, parents[i])
        else:
            target = rng.randrange(tables)
            text = (
                f'"""tune table_{target}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
                f"revision = {revision!r}\ndown_revision = {previous!r}\n\n\n"
                "def upgrade():\n"
                f'    op.alter_column("table_{target}", "status", existing_type=sa.String(20),'
                " nullable=False)\n\n\n"
                "def downgrade():\n    pass\n"
            )
        (versions / f"{revision}_rev_{i}.py").write_text(text)
        previous = revision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tables", type=int, default=500)
    parser.add_argument("--migrations", type=int, default=300)
    args = parser.parse_args()
    generate(args.out, args.tables, args.migrations)
    print(f"generated {args.tables} tables in {args.out}")


if __name__ == "__main__":
    main()
