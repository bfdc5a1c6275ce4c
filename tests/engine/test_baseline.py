"""Histories that start from an existing schema: baseline tables, and ``create_all()`` inside
a revision."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from migration_helpers import header, replay
from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.facts.schema import Column, Index, Schema, Table
from schema_lint.facts.source import Span
from schema_lint.project import load_project

ALTER = header("0002", "0001") + (
    "def upgrade():\n"
    "    op.add_column('accounts', sa.Column('email', sa.String(50), nullable=False))\n"
    "    op.create_index('ix_accounts_email', 'accounts', ['email'], unique=True)\n"
    "    op.drop_index('ix_accounts_legacy', table_name='accounts')\n"
    "    op.drop_constraint('accounts_name_key', 'accounts', type_='unique')\n"
    "    op.drop_column('accounts', 'legacy')\n"
)
EMPTY = header("0001") + "def upgrade():\n    pass\n"


def test_a_table_altered_before_any_revision_creates_it_is_a_baseline_table() -> None:
    schema = replay(EMPTY, ALTER)
    accounts = schema.tables["accounts"]
    assert accounts.baseline and not accounts.incomplete
    assert [(i.name, i.columns, i.unique) for i in accounts.indexes] == [
        ("ix_accounts_email", ("email",), True)
    ]
    assert [c.name for c in accounts.columns] == ["email"]
    (problem,) = schema.problems  # no unknown table, index or constraint
    assert problem.kind == "baseline-table" and problem.span.line == 6
    assert "altered before any revision creates it" in problem.message


def test_existence_checks_on_a_baseline_table() -> None:
    checks = header("0003", "0002") + (
        "def upgrade():\n"
        "    insp = sa.inspect(op.get_bind())\n"
        "    if insp.has_table('accounts'):\n"
        "        op.create_index('ix_accounts_a', 'accounts', ['email'])\n"
        "    if 'legacy' not in [c['name'] for c in insp.get_columns('accounts')]:\n"
        "        op.create_index('ix_accounts_b', 'accounts', ['email'])\n"
        "    if 'ix_accounts_legacy' not in [i['name'] for i in insp.get_indexes('accounts')]:\n"
        "        op.create_index('ix_accounts_c', 'accounts', ['email'])\n"
        "    if 'name' in [c['name'] for c in insp.get_columns('accounts')]:\n"
        "        op.create_index('ix_accounts_d', 'accounts', ['name'])\n"
    )
    schema = replay(EMPTY, ALTER, checks)
    names = [i.name for i in schema.tables["accounts"].indexes]
    # a, b and c are known (the table exists, `legacy` and its index were dropped); whether
    # `name` exists is not: what a baseline table held is unknown
    assert names == ["ix_accounts_email", "ix_accounts_a", "ix_accounts_b", "ix_accounts_c"]
    assert schema.tables["accounts"].uncertain == ("ix_accounts_d",)
    skipped = [p for p in schema.problems if p.kind == "unanalysable"]
    assert len(skipped) == 1 and "column `name` of `accounts`" in skipped[0].message


def test_a_dropped_table_is_not_a_baseline_table() -> None:
    body = header("0002", "0001") + (
        "def upgrade():\n"
        "    op.drop_table('users')\n"
        "    op.add_column('users', sa.Column('x', sa.Integer()))\n"
    )
    users = header("0001") + (
        "def upgrade():\n    op.create_table('users', sa.Column('id', sa.Integer()))\n"
    )
    schema = replay(users, body)
    assert "users" not in schema.tables
    assert [p.kind for p in schema.problems] == ["unknown-table"]


def test_a_baseline_table_renamed() -> None:
    body = header("0002", "0001") + (
        "def upgrade():\n"
        "    op.rename_table('old_name', 'new_name')\n"
        "    op.create_index('ix_new_name_a', 'new_name', ['a'])\n"
    )
    schema = replay(EMPTY, body)
    assert list(schema.tables) == ["new_name"] and schema.tables["new_name"].baseline


MODELS = Schema(
    tables={
        "users": Table(
            "users",
            columns=(Column("id", False, True), Column("email", True)),
            indexes=(Index("ix_users_email", ("email",), span=Span("models.py", 9, 4, 9, 30)),),
            span=Span("models.py", 5, 4, 5, 30),
        ),
        "teams": Table("teams", columns=(Column("id", False, True),)),
    }
)
CREATE_ALL = header("0001") + (
    "from app.models import Base\n"
    "def upgrade():\n"
    "    Base.metadata.create_all(bind=op.get_bind())\n"
)


def test_create_all_in_a_revision_creates_every_model_table_that_does_not_exist() -> None:
    later = header("0002", "0001") + (
        "def upgrade():\n"
        "    if not sa.inspect(op.get_bind()).has_table('teams'):\n"
        "        op.create_table('teams', sa.Column('id', sa.Integer(), primary_key=True),\n"
        "                        sa.Column('other', sa.Integer()))\n"
        "    op.create_index('ix_teams_id', 'teams', ['id'])\n"
    )
    schema = replay(CREATE_ALL, later, models=MODELS)
    assert set(schema.tables) == {"users", "teams"}
    assert [c.name for c in schema.tables["teams"].columns] == ["id"]  # not created again
    (email,) = schema.tables["users"].indexes
    assert email.name == "ix_users_email" and email.span is not None
    assert (email.span.path, email.span.line) == ("0000.py", 7)  # created by create_all()
    note = next(p for p in schema.problems if p.kind == "create-all")
    assert "every model table that does not exist yet (2 table(s))" in note.message


def test_create_all_without_the_models_is_not_guessed() -> None:
    schema = replay(CREATE_ALL)
    assert schema.tables == {}
    assert [p.kind for p in schema.problems] == ["unanalysable"]


def test_create_all_of_some_tables_is_reported() -> None:
    source = header("0001") + (
        "from app.models import db, Server\n"
        "def upgrade():\n"
        "    db.metadata.create_all(db.engine, tables=[Server.__table__])\n"
    )
    schema = replay(source, models=MODELS)
    (problem,) = schema.problems
    assert "`create_all(tables=...)`" in problem.message and schema.tables == {}


# -- the rules on a baseline table ---------------------------------------------------------

MODEL_FILE = """\
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    email: Mapped[str | None] = mapped_column(String(50))
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_sl002_judges_the_indexes_of_a_baseline_table_and_nothing_else_does(
    tmp_path: Path,
) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": MODEL_FILE,
            "migrations/versions/0001_empty.py": EMPTY,
            "migrations/versions/0002_alter.py": ALTER,
        },
    )
    result = check(load_project(tmp_path, load_config(tmp_path)))
    # email: NOT NULL in the migrations, nullable in the model (SL004 would say so on a
    # created table); name: its unique constraint was dropped (SL005 would); neither is
    # judged on a baseline table. The index the migrations created is a fact.
    assert [(d.code, d.key.table, d.key.object) for d in result.diagnostics] == [
        ("SL002", "accounts", "ix_accounts_email")
    ]
    kinds = {p.kind for p in result.problems}
    assert "baseline-table" in kinds and "unknown-table" not in kinds


def test_schema_command_marks_baseline_tables(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "migrations/versions/0001_empty.py": EMPTY,
            "migrations/versions/0002_alter.py": ALTER,
        },
    )
    command = [sys.executable, "-m", "schema_lint", "schema", str(tmp_path), "--no-cache"]
    text = subprocess.run(
        [*command, "--format", "text"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert text.splitlines()[0] == (
        "accounts  (baseline: existed before the first revision; only what the migrations "
        "state is known)"
    )
    data = json.loads(
        subprocess.run(
            [*command, "--format", "json"], capture_output=True, text=True, check=True, timeout=120
        ).stdout
    )
    assert data["tables"]["accounts"]["baseline"] is True


def test_notes_are_not_counted_as_statements_that_could_not_be_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": MODEL_FILE,
            "migrations/versions/0001_empty.py": EMPTY,
            "migrations/versions/0002_alter.py": ALTER,
        },
    )
    command = [sys.executable, "-m", "schema_lint", "check", str(tmp_path), "--no-cache"]
    quiet = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert "could not be analysed" not in quiet.stderr
    verbose = subprocess.run(
        [*command, "--verbose"], capture_output=True, text=True, timeout=120, check=False
    )
    assert "[baseline-table] table `accounts` is altered before any revision" in verbose.stderr


def test_create_all_on_a_declarative_base_made_by_a_call(tmp_path: Path) -> None:
    """``Base = declarative_base()`` in the models and ``Base.metadata.create_all(bind=...)``
    in a revision: the call was dropped without a word (only ``class Base(DeclarativeBase)``
    was read), and every model table looked like a baseline table."""
    import shutil

    fixture = Path(__file__).parents[1] / "fixtures" / "migrations" / "create_all_revision"
    project = tmp_path / "project"
    shutil.copytree(fixture, project)
    models = project / "shop_models.py"
    models.write_text(
        models.read_text()
        .replace("DeclarativeBase, Mapped", "Mapped, declarative_base")
        .replace("class Base(DeclarativeBase):\n    pass\n", "Base = declarative_base()\n")
    )
    (project / "pyproject.toml").write_text("")
    result = check(load_project(project, load_config(project)))
    kinds = {p.kind for p in result.problems}
    assert "create-all" in kinds and "baseline-table" not in kinds
