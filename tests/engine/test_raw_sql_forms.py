"""Raw SQL forms read from ``op.execute`` and what a statement that is not read taints.

The replayed shapes of these forms are compared with real PostgreSQL by the ``raw_sql_forms``
fixture (``tests/migrations``); here, what the replay does where the database is not needed.
"""

from __future__ import annotations

from pathlib import Path

from migration_helpers import header, migration, replay
from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.facts.migrations import MarkUncertain, RenameIndex

TABLE = header("0001") + (
    "def upgrade():\n"
    "    op.create_table('runs', sa.Column('id', sa.Integer(), primary_key=True),\n"
    "                    sa.Column('tag', sa.String(20)), sa.Column('owner', sa.Integer()))\n"
    "    op.create_index('ix_runs_tag', 'runs', ['tag'])\n"
    "    op.create_unique_constraint('uq_runs_owner', 'runs', ['owner'])\n"
)


def _second(body: str) -> str:
    return header("0002", "0001") + "def upgrade():\n" + body


def test_an_index_renamed_in_raw_sql_keeps_its_columns() -> None:
    result = replay(
        TABLE, _second("    op.execute('ALTER INDEX ix_runs_tag RENAME TO ix_runs_label')\n")
    )
    runs = result.tables["runs"]
    assert [(i.name, i.columns) for i in runs.indexes] == [("ix_runs_label", ("tag",))]
    assert runs.uncertain == () and result.problems == ()


def test_renaming_a_unique_constraints_index_renames_the_constraint() -> None:
    result = replay(
        TABLE, _second("    op.execute('ALTER INDEX uq_runs_owner RENAME TO uq_owner')\n")
    )
    assert [u.name for u in result.tables["runs"].unique_constraints] == ["uq_owner"]


def test_an_index_that_becomes_a_constraint_is_gone() -> None:
    sql = "ALTER TABLE runs ADD CONSTRAINT uq_runs_tag UNIQUE USING INDEX ix_runs_tag"
    body = f"    op.execute('{sql}')\n"
    runs = replay(TABLE, _second(body)).tables["runs"]
    assert runs.indexes == ()
    assert [(u.name, u.columns) for u in runs.unique_constraints] == [
        ("uq_runs_owner", ("owner",)),
        ("uq_runs_tag", ("tag",)),
    ]


def test_renaming_an_index_nobody_created_is_reported() -> None:
    result = replay(TABLE, _second("    op.execute('ALTER INDEX ix_nowhere RENAME TO ix_x')\n"))
    assert [p.kind for p in result.problems] == ["unknown-index"]
    quiet = replay(
        TABLE, _second("    op.execute('ALTER INDEX IF EXISTS ix_nowhere RENAME TO x')\n")
    )
    assert quiet.problems == ()


def test_on_a_baseline_table_the_renamed_index_is_uncertain() -> None:
    # no revision creates `legacy`: what it held before the first revision is unknown
    body = (
        "    op.add_column('legacy', sa.Column('a', sa.Integer()))\n"
        "    op.execute('ALTER INDEX ix_legacy_a RENAME TO ix_legacy_b')\n"
        "    op.execute('ALTER TABLE legacy ADD CONSTRAINT uq_legacy_a UNIQUE USING INDEX ix_x')\n"
    )
    legacy = replay(TABLE, _second(body)).tables["legacy"]
    assert set(legacy.uncertain) == {"ix_legacy_a", "ix_legacy_b", "uq_legacy_a", "ix_x"}


def test_sql_that_is_not_read_taints_the_names_it_mentions() -> None:
    body = "    op.execute('ALTER TABLE runs ADD CONSTRAINT ex EXCLUDE USING gist (tag WITH =)')\n"
    m = migration(_second(body))
    (taint,) = m.operations
    assert isinstance(taint, MarkUncertain) and "runs" in taint.names and "ex" in taint.names
    runs = replay(TABLE, _second(body)).tables["runs"]
    assert runs.incomplete  # the table it alters is named: judged by no rule


def test_a_statement_naming_nothing_readable_taints_every_index_and_constraint() -> None:
    body = "    op.execute(settings.SQL)\n"
    text = _second(body).replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nfrom app import settings\n"
    )
    runs = replay(TABLE, text).tables["runs"]
    assert set(runs.uncertain) == {"ix_runs_tag", "uq_runs_owner", "runs_pkey"}
    assert [i.name for i in runs.indexes] == ["ix_runs_tag"]  # kept, but judged by no rule


def test_data_statements_taint_nothing() -> None:
    body = "    op.get_bind().execute(settings.TABLE.update().values(x=1))\n"
    text = _second(body).replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nfrom app import settings\n"
    )
    assert replay(TABLE, text).tables["runs"].uncertain == ()


def test_an_undecided_raw_rename_taints_both_names() -> None:
    body = (
        "    if settings.RENAME:\n"
        "        op.execute('ALTER INDEX ix_runs_tag RENAME TO ix_runs_label')\n"
    )
    text = _second(body).replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nfrom app import settings\n"
    )
    m = migration(text)
    assert any(isinstance(getattr(op, "operation", op), RenameIndex) for op in m.operations)
    runs = replay(TABLE, text).tables["runs"]
    assert set(runs.uncertain) == {"ix_runs_tag", "ix_runs_label"}


MODEL = """\
from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Limit(Base):
    __tablename__ = "concurrency_limit"
    __table_args__ = (Index("ix_concurrency_limit__tag", "tag"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tag: Mapped[str] = mapped_column(String(20))
"""

REVISIONS = {
    "0001_limit.py": header("0001")
    + (
        "def upgrade():\n"
        "    op.create_table('concurrency_limit',\n"
        "                    sa.Column('id', sa.Integer(), primary_key=True),\n"
        "                    sa.Column('tag', sa.String(20), nullable=False))\n"
        "    op.create_index('ix_concurrency_limit_tag', 'concurrency_limit', ['tag'])\n"
    ),
    "0002_rename.py": _second(
        "    op.execute('ALTER INDEX ix_concurrency_limit_tag'\n"
        "               ' RENAME TO ix_concurrency_limit__tag')\n"
    ),
}


def test_reproduction_15_a_raw_index_rename_is_no_finding(tmp_path: Path) -> None:
    """prefect 3.1.5/3.9.1: ``ALTER INDEX ... RENAME TO`` in raw SQL made a false SL002
    (the old name, created by the migrations) and SL007 (the new one, the model's)."""
    from schema_lint.project import load_project

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app/models.py").write_text(MODEL)
    versions = tmp_path / "alembic/versions"
    versions.mkdir(parents=True)
    for name, text in REVISIONS.items():
        (versions / name).write_text(text)
    result = check(load_project(tmp_path, load_config(tmp_path)))
    assert [d.code for d in result.diagnostics] == []
    assert not [p for p in result.problems if p.kind == "unanalysable"]


SECRETS_MODEL = """\
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Secret(Base):
    __tablename__ = "secrets"
    id: Mapped[int] = mapped_column(primary_key=True)
    secret_name: Mapped[str | None] = mapped_column(String(50))
"""

SECRETS = {
    "0001_secrets.py": header("0001")
    + (
        "def upgrade():\n"
        "    op.create_table('secrets', sa.Column('id', sa.Integer(), primary_key=True),\n"
        "                    sa.Column('secret_name', sa.String(50), nullable=False))\n"
        "    op.create_index('unique_secret_name', 'secrets', ['secret_name'], unique=True)\n"
    ),
    "0002_workspace.py": _second(
        "    inspector = sa.inspect(op.get_bind())\n"
        "\n"
        "    def _unique_index(table, column):\n"
        "        for index in inspector.get_indexes(table):\n"
        "            if index['column_names'] == [column]:\n"
        "                return index['name']\n"
        "        return None\n"
        "\n"
        "    def _drop_unique(table, index):\n"
        "        if index:\n"
        "            op.drop_index(index, table_name=table)\n"
        "\n"
        "    _drop_unique('secrets', _unique_index('secrets', 'secret_name'))\n"
    ),
}


def test_reproduction_1_an_index_dropped_by_a_name_found_at_run_time(tmp_path: Path) -> None:
    """mlflow 3.18.0 ``1b5f0d9ad7c1``: a helper drops the index an inspector loop finds, so
    ``unique_secret_name`` may be gone: no SL002 on it (it was a false finding); the table's
    columns are still judged (SL004: NOT NULL in the migrations only)."""
    from schema_lint.project import load_project

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app/models.py").write_text(SECRETS_MODEL)
    versions = tmp_path / "alembic/versions"
    versions.mkdir(parents=True)
    for name, text in SECRETS.items():
        (versions / name).write_text(text)
    result = check(load_project(tmp_path, load_config(tmp_path)))
    assert [(d.code, d.key.object if d.key else None) for d in result.diagnostics] == [
        ("SL004", "secret_name")
    ]


RUNS_MODEL = """\
from sqlalchemy import Column, Index, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_owner", "owner"),)
    id = Column(Integer, primary_key=True)
    tag = Column(String(20))
    owner = Column(Integer)
"""


def _runs_findings(tmp_path: Path, body: str) -> list[tuple[str, str | None]]:
    from schema_lint.project import load_project

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app/models.py").write_text(RUNS_MODEL)
    (tmp_path / "app/settings.py").write_text("import os\nNAME = os.environ['N']\n")
    versions = tmp_path / "alembic/versions"
    versions.mkdir(parents=True)
    (versions / "0001.py").write_text(
        TABLE.replace("    op.create_unique_constraint('uq_runs_owner', 'runs', ['owner'])\n", "")
    )
    second = _second(body).replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nfrom app import settings\n"
    )
    (versions / "0002.py").write_text(second)
    result = check(load_project(tmp_path, load_config(tmp_path)))
    return sorted((d.code, d.key.object if d.key else None) for d in result.diagnostics)


def test_without_a_skipped_statement_both_sides_are_judged(tmp_path: Path) -> None:
    assert _runs_findings(tmp_path, "    pass\n") == [
        ("SL002", "ix_runs_tag"),  # the migrations' index, not the model's
        ("SL007", "ix_runs_owner"),  # the model's index, never created
    ]


def test_a_skipped_creation_taints_only_what_the_model_declares(tmp_path: Path) -> None:
    # it may have created ix_runs_owner; it cannot have dropped or changed ix_runs_tag
    body = "    op.create_index(settings.NAME, 'runs', ['owner'])\n"
    assert _runs_findings(tmp_path, body) == [("SL002", "ix_runs_tag")]


def test_a_skipped_creation_on_an_unknown_table_taints_what_the_models_declare(
    tmp_path: Path,
) -> None:
    body = "    op.create_index(settings.NAME, settings.NAME, ['owner'])\n"
    assert _runs_findings(tmp_path, body) == [("SL002", "ix_runs_tag")]


def test_a_query_whose_rows_are_read_taints_nothing(tmp_path: Path) -> None:
    body = "    rows = op.get_bind().execute(settings.NAME).fetchall()\n"
    assert len(_runs_findings(tmp_path, body)) == 2


def test_ddl_run_for_each_row_of_a_query_taints_everything(tmp_path: Path) -> None:
    body = (
        "    for row in op.get_bind().execute(settings.NAME).fetchall():\n"
        "        op.execute(settings.NAME + row[0])\n"
    )
    assert _runs_findings(tmp_path, body) == []


def test_a_skipped_drop_on_an_unknown_table_taints_only_its_kind() -> None:
    body = (
        "    op.drop_index(settings.NAME, table_name=settings.NAME)\n"
        "    with op.batch_alter_table(settings.TABLE) as batch_op:\n"
        "        batch_op.drop_constraint(settings.NAME, type_='foreignkey')\n"
    )
    text = _second(body).replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nfrom app import settings\n"
    )
    runs = replay(TABLE, text).tables["runs"]
    # indexes (on PostgreSQL a unique constraint's too) and foreign keys; not the primary key
    assert runs.uncertain == ("ix_runs_tag", "uq_runs_owner")
    # the drop, and the block once (each operation in it tainted by its kind)
    assert [p.span.line for p in migration(text).problems] == [7, 8]


def test_a_skipped_loop_that_reaches_no_operation_taints_nothing() -> None:
    body = (
        "    for row in op.get_bind().execute(settings.QUERY):\n"
        "        _check(row)\n"
        "    for row in settings.ROWS:\n"
        "        _drop(row)\n"
    )
    text = _second(body).replace(
        "import sqlalchemy as sa\n", "import sqlalchemy as sa\nfrom app import settings\n"
    ) + (
        "def _check(row):\n"
        "    if row is None:\n"
        "        raise ValueError(row)\n"
        "def _drop(row):\n"
        "    op.execute(row)\n"
    )
    m = migration(text)
    taints = [op for op in m.operations if isinstance(op, MarkUncertain)]
    assert len(taints) == 1 and taints[0].span.line == 9  # only the loop that drops
