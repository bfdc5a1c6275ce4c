"""Static evaluation of revision files: what is knowable is replayed, the rest reported."""

from __future__ import annotations

from dataclasses import replace

from migration_helpers import header, migration
from schema_lint.facts.migrations import (
    AddColumn,
    CreateIndex,
    CreateTable,
    Decide,
    Decision,
    DropIndex,
    DropTable,
    Exists,
    Guarded,
    MarkIncomplete,
    MarkUncertain,
    Negation,
    Opaque,
)
from schema_lint.schema.replay import replay_migrations


def test_literal_ops_become_operations_with_spans() -> None:
    m = migration(
        header("a")
        + (
            "def upgrade():\n"
            "    op.create_table('t', sa.Column('id', sa.Integer(), primary_key=True))\n"
            "    op.create_index(op.f('ix_t_id'), 't', ['id'], unique=True)\n"
        )
    )
    assert [type(op) for op in m.operations] == [CreateTable, CreateIndex]
    index = m.operations[1]
    assert isinstance(index, CreateIndex)
    assert index.index.name == "ix_t_id" and index.index.name_final and index.index.unique
    assert (index.span.line, index.span.col) == (7, 4)
    assert m.problems == ()


def test_annotated_header_and_merge_revision() -> None:
    m = migration(
        "from typing import Sequence, Union\nfrom alembic import op\n"
        "revision: str = 'm'\n"
        "down_revision: Union[str, Sequence[str], None] = ('a', 'b')\n"
        "branch_labels = ('feature',)\ndepends_on = 'x'\n"
        "def upgrade() -> None:\n    pass\n"
    )
    assert (m.revision, m.down_revisions, m.branch_labels, m.depends_on) == (
        "m",
        ("a", "b"),
        ("feature",),
        ("x",),
    )


def test_constants_fstrings_loops_and_helpers_are_evaluated() -> None:
    m = migration(
        header("a")
        + (
            "TABLES = ('users', 'teams')\n"
            "PREFIX = 'ix'\n"
            "COLUMNS = {'users': ['email', 'name'], 'teams': ['slug']}\n"
            "def _index(table, column, unique=False):\n"
            "    op.create_index(f'{PREFIX}_{table}_' + column, table, [column], unique=unique)\n"
            "def upgrade():\n"
            "    for table in TABLES:\n"
            "        for column in COLUMNS[table]:\n"
            "            _index(table, column, unique=column == 'slug')\n"
        )
    )
    created = [
        (op.table, op.index.name, op.index.unique)
        for op in m.operations
        if isinstance(op, CreateIndex)
    ]
    assert created == [
        ("users", "ix_users_email", False),
        ("users", "ix_users_name", False),
        ("teams", "ix_teams_slug", True),
    ]


def test_dialect_branches_follow_the_target_dialect() -> None:
    source = header("a") + (
        "def upgrade():\n"
        "    bind = op.get_bind()\n"
        "    if bind.dialect.name == 'postgresql':\n"
        "        op.create_index('ix_pg', 't', ['a'], postgresql_where=sa.text('a > 0'))\n"
        "    else:\n"
        "        op.create_index('ix_other', 't', ['a'])\n"
        "    if op.get_context().dialect.name != 'sqlite':\n"
        "        return\n"
        "    op.create_index('ix_sqlite_only', 't', ['b'])\n"
    )
    pg = [op.index.name for op in migration(source).operations if isinstance(op, CreateIndex)]
    lite = [
        op.index.name
        for op in migration(source, dialect="sqlite").operations
        if isinstance(op, CreateIndex)
    ]
    assert pg == ["ix_pg"]
    assert lite == ["ix_other", "ix_sqlite_only"]
    where = migration(source).operations[0]
    assert isinstance(where, CreateIndex) and where.index.where == "a > 0"


def test_batch_alter_table_supplies_the_table() -> None:
    m = migration(
        header("a")
        + (
            "def upgrade():\n"
            "    with op.batch_alter_table('users', schema=None) as batch_op:\n"
            "        batch_op.add_column(sa.Column('age', sa.Integer(), index=True))\n"
            "        batch_op.drop_index('ix_users_old')\n"
        )
    )
    add, drop = m.operations
    assert isinstance(add, AddColumn) and add.table == "users" and add.column.index
    assert isinstance(drop, DropIndex) and drop.table == "users"


def test_dynamic_statements_are_reported_not_guessed() -> None:
    m = migration(
        header("a")
        + (
            "import os\n"
            "def upgrade():\n"
            "    op.create_index('ix_a', os.environ['TABLE'], ['a'])\n"
            "    if os.environ.get('X'):\n"
            "        op.drop_table('t')\n"
            "    for t in get_tables():\n"
            "        op.drop_table(t)\n"
            "    op.create_index('ix_ok', 't', ['a'])\n"
        )
    )
    assert [op.index.name for op in m.operations if isinstance(op, CreateIndex)] == ["ix_ok"]
    assert [(p.kind, p.span.line) for p in m.problems] == [
        ("unanalysable", 7),
        ("unanalysable", 10),
    ]
    assert "table name is not statically known" in m.problems[0].message
    # the drop under a condition on the environment is kept, guarded, for the replay
    (guarded,) = [op for op in m.operations if isinstance(op, Guarded)]
    assert isinstance(guarded.operation, DropTable) and guarded.span.line == 9


def test_raw_sql_in_execute_is_parsed() -> None:
    m = migration(
        header("a")
        + (
            "def upgrade():\n"
            "    op.execute('CREATE UNIQUE INDEX CONCURRENTLY ix_u ON users (lower(email))')\n"
            "    op.execute(sa.text('UPDATE users SET a = 1'))\n"
            "    op.execute('ALTER TABLE user_roles ADD CONSTRAINT uq_ur UNIQUE (user_id, role_id)'"
            ")\n"
            "    op.execute('DROP INDEX IF EXISTS ix_old')\n"
        )
    )
    kinds = [type(op).__name__ for op in m.operations]
    assert kinds == ["CreateIndex", "AddConstraint", "DropIndex"]
    create = m.operations[0]
    assert isinstance(create, CreateIndex)
    assert create.index.unique and create.index.expressions and create.table == "users"
    assert m.problems == ()


def test_unparseable_ddl_is_unanalysable() -> None:
    m = migration(
        header("a") + ("def upgrade():\n    op.execute('CREATE INDEX ix_weird ON ((((')\n")
    )
    (taint,) = m.operations  # the index it names may exist: no rule judges it
    assert isinstance(taint, MarkUncertain) and taint.names == ("ix_weird",)
    assert [p.kind for p in m.problems] == ["unanalysable"]


def test_non_revision_file_is_not_a_migration() -> None:
    import ast

    from schema_lint.extract.migrations import extract_migration

    text = "def upgrade():\n    pass\n"
    assert extract_migration("x.py", text, ast.parse(text)) is None


def test_runaway_loops_stop_with_a_problem() -> None:
    m = migration(
        header("a")
        + (
            "def upgrade():\n"
            "    def f(n):\n"
            "        return f(n + 1)\n"
            "    f(0)\n"
            "    op.create_index('ix_after', 't', ['a'])\n"
        )
    )
    assert any("too deep" in p.message for p in m.problems)
    assert [op.index.name for op in m.operations if isinstance(op, CreateIndex)] == ["ix_after"]


def test_return_under_unknown_loop_makes_the_result_unknown() -> None:
    # mlflow's pattern: look an index up through the inspector, drop it when found.
    m = migration(
        header("a")
        + (
            "def _index_name(table, column):\n"
            "    for index in sa.inspect(op.get_bind()).get_indexes(table):\n"
            "        if index['column_names'] == [column]:\n"
            "            return index['name']\n"
            "    return None\n"
            "def upgrade():\n"
            "    name = _index_name('runs', 'experiment_id')\n"
            "    if name:\n"
            "        op.drop_index(name, table_name='runs')\n"
            "    op.create_index('ix_after', 'runs', ['a'])\n"
        )
    )
    decide, scoped, create = m.operations
    assert isinstance(decide, Decide) and decide.text == "name"
    assert isinstance(scoped, Guarded) and isinstance(scoped.operation, MarkUncertain)
    assert scoped.operation.table == "runs" and scoped.operation.names == ()
    assert isinstance(create, CreateIndex)
    assert [p.span.line for p in m.problems] == [13]  # the drop: its name is unknown
    # whatever `name` is, the replay judges no index of `runs` that existed (its columns it does)
    runs = header("0", None) + (
        "def upgrade():\n    op.create_table('runs', sa.Column('a', sa.Integer()))\n"
        "    op.create_index('ix_runs_a', 'runs', ['a'])\n"
    )
    schema = replay_migrations([migration(runs, "0.py"), replace(m, down_revisions=("0",))])
    assert schema.tables["runs"].uncertain == ("ix_runs_a",)
    assert not schema.tables["runs"].incomplete


def test_operations_after_an_early_return_on_the_database_are_guarded() -> None:
    m = migration(
        header("a")
        + (
            "def upgrade():\n"
            "    if not sa.inspect(op.get_bind()).has_table('legacy'):\n"
            "        return\n"
            "    op.drop_index('ix_legacy_a', table_name='legacy')\n"
        )
    )
    decide, guarded = m.operations
    assert isinstance(decide, Decide)
    assert decide.condition == Negation(Exists("table", "legacy", None))
    assert isinstance(guarded, Guarded) and isinstance(guarded.operation, DropIndex)
    assert guarded.when == Negation(Decision(decide.decision))
    assert m.problems == ()


def test_operations_after_an_unknown_early_return_name_the_guard() -> None:
    m = migration(
        header("a")
        + (
            "from app.config import settings\n"
            "def upgrade():\n"
            "    if not settings.pg_uri:\n"
            "        return\n"
            "    op.create_index('ix_t_a', 't', ['a'])\n"
        )
    )
    decide, guarded = m.operations
    assert isinstance(decide, Decide) and decide.text == "not settings.pg_uri"
    assert decide.condition == Negation(Opaque(("settings.pg_uri", "app.config.settings.pg_uri")))
    assert isinstance(guarded, Guarded) and isinstance(guarded.operation, CreateIndex)
    assert m.problems == ()


def test_calls_into_project_helpers_are_reported() -> None:
    m = migration(
        header("a")
        + (
            "import logging\n"
            "from migrations.shared.utils import create_table\n"
            "def upgrade():\n"
            "    logging.getLogger(__name__).info('start')\n"
            "    create_table('tags', sa.Column('id', sa.Integer(), primary_key=True))\n"
        )
    )
    # The tables the call names may be changed by it: the replay does not judge them.
    assert {op.table for op in m.operations if isinstance(op, MarkIncomplete)} >= {"tags"}
    assert all(isinstance(op, MarkIncomplete | MarkUncertain) for op in m.operations)
    (problem,) = m.problems
    assert problem.span.line == 9
    assert "migrations.shared.utils.create_table" in problem.message


def test_unanalysable_table_is_not_compared() -> None:
    from schema_lint.schema.replay import replay_migrations

    first = migration(
        header("a")
        + (
            "def upgrade():\n"
            "    op.create_table('runs', sa.Column('id', sa.Integer(), primary_key=True))\n"
            "    op.create_index('ix_runs_id', 'runs', ['id'])\n"
        ),
        "a.py",
    )
    second = migration(
        header("b", "a")
        + (
            "def upgrade():\n"
            "    for name in get_names():\n"
            "        op.drop_index(name, table_name='runs')\n"
        ),
        "b.py",
    )
    table = replay_migrations([first, second]).tables["runs"]
    assert table.incomplete and "cannot be evaluated" in table.incomplete[0]
