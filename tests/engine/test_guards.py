"""Guards in revision files: what a revision asks of the database is decided by the replay
against its own state; what cannot be known is skipped, named, and settable with ``assume``."""

from __future__ import annotations

import pytest
from migration_helpers import header, migration, replay
from schema_lint.facts.migrations import Decide, Exists, Guarded, Negation, Opaque
from schema_lint.schema.serialize import schema_to_dict

USERS = header("0001") + (
    "def upgrade():\n"
    "    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True),\n"
    "                    sa.Column('email', sa.String(50)))\n"
    "    op.create_index('ix_users_email', 'users', ['email'])\n"
)


def second(body: str, imports: str = "") -> str:
    return header("0002", "0001") + imports + "def upgrade():\n" + body


def tables(*sources: str, **kw: object) -> dict[str, dict[str, object]]:
    return schema_to_dict(replay(*sources, **kw))["tables"]  # type: ignore[no-any-return]


def indexes(schema_tables: dict[str, dict[str, object]], table: str) -> list[str]:
    return [i["name"] for i in schema_tables[table]["indexes"]]  # type: ignore[attr-defined]


# -- existence checks, decided against the replayed state -----------------------------------

TABLE_CHECKS = [
    "sa.inspect(op.get_bind()).has_table('{t}')",
    "'{t}' in sa.inspect(op.get_bind()).get_table_names()",
    "'{t}' in Inspector.from_engine(op.get_bind()).get_table_names()",
    "op.get_bind().dialect.has_table(op.get_bind(), '{t}')",
    "'{t}' in set(sa.inspect(op.get_bind()).get_table_names())",
]


@pytest.mark.parametrize("check", TABLE_CHECKS)
def test_table_existence_is_decided_by_the_replay(check: str) -> None:
    imports = "from sqlalchemy.engine.reflection import Inspector\n"
    body = (
        f"    if {check.format(t='users')}:\n"
        "        op.add_column('users', sa.Column('seen', sa.Boolean()))\n"
        f"    if not {check.format(t='legacy')}:\n"
        "        op.create_table('legacy', sa.Column('id', sa.Integer(), primary_key=True))\n"
        f"    if {check.format(t='ghosts')}:\n"
        "        op.drop_table('users')\n"
    )
    result = replay(USERS, second(body, imports))
    data = schema_to_dict(result)["tables"]
    assert "seen" in data["users"]["columns"]
    assert "legacy" in data  # a table no revision created does not exist on a fresh database
    assert result.problems == ()


def test_early_return_on_an_existing_table_skips_the_rest() -> None:
    """zenml's first revision: `if "projectschema" in tables: return` before creating all."""
    body = (
        "    conn = op.get_bind()\n"
        "    tables = sa.inspect(conn).get_table_names()\n"
        "    if 'users' in tables:\n"
        "        return\n"
        "    op.create_table('users', sa.Column('id', sa.Integer(), primary_key=True))\n"
    )
    fresh = header("0001") + "def upgrade():\n" + body
    assert "users" in tables(fresh)
    data = tables(USERS, second(body))
    assert indexes(data, "users") == ["ix_users_email"]  # not created again


@pytest.mark.parametrize(
    "names",
    [
        "[c['name'] for c in insp.get_columns('users')]",
        "{c['name'] for c in insp.get_columns('users')}",
        "list(c['name'] for c in insp.get_columns('users'))",
    ],
)
def test_column_existence_is_decided_by_the_replay(names: str) -> None:
    body = (
        "    insp = sa.inspect(op.get_bind())\n"
        f"    columns = {names}\n"
        "    if 'email' not in columns:\n"
        "        op.add_column('users', sa.Column('email', sa.String(50)))\n"
        "    if 'nickname' not in columns:\n"
        "        op.add_column('users', sa.Column('nickname', sa.String(50), nullable=False))\n"
    )
    data = tables(USERS, second(body))
    assert data["users"]["columns"]["nickname"] == {"nullable": False, "primary_key": False}
    assert data["users"]["columns"]["email"]["nullable"] is True


def test_index_existence_is_decided_by_the_replay() -> None:
    body = (
        "    insp = sa.inspect(op.get_bind())\n"
        "    if 'ix_users_email' in [i['name'] for i in insp.get_indexes('users')]:\n"
        "        op.drop_index('ix_users_email', table_name='users')\n"
        "    if not insp.has_index('users', 'ix_users_id'):\n"
        "        op.create_index('ix_users_id', 'users', ['id'])\n"
    )
    assert indexes(tables(USERS, second(body)), "users") == ["ix_users_id"]


def test_a_helper_returning_a_check_is_a_check() -> None:
    """mlflow's `_registry_tag_table_exists(conn)` and helpers with early returns."""
    body = (
        "    if not _exists('users') or _missing('ghosts'):\n"
        "        op.create_index('ix_users_id', 'users', ['id'])\n"
    )
    helpers = (
        "def _exists(name):\n"
        "    return name in sa.inspect(op.get_bind()).get_table_names()\n"
        "def _missing(name):\n"
        "    if sa.inspect(op.get_bind()).has_table(name):\n"
        "        return False\n"
        "    return True\n"
    )
    assert "ix_users_id" in indexes(tables(USERS, second(body, helpers)), "users")


# -- what the target database answers -------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "dialect", "taken"),
    [
        ("isinstance(op.get_bind().dialect, SQLiteDialect)", "sqlite", True),
        ("isinstance(op.get_bind().dialect, SQLiteDialect)", "postgresql", False),
        ("isinstance(op.get_bind().dialect, PGDialect)", "postgresql", True),
        ("'sqlite' in sa.inspect(op.get_bind()).dialect.dialect_description", "sqlite", True),
        ("'postgresql' in op.get_bind().dialect.dialect_description", "postgresql", True),
        ("'sqlite' in op.get_bind().dialect.dialect_description", "postgresql", False),
        ("context.get_impl().bind.dialect.name == 'sqlite'", "sqlite", True),
        ("op.get_context().dialect.name == 'postgresql'", "postgresql", True),
        ("context.is_offline_mode()", "postgresql", False),
        ("op.get_context().as_sql", "postgresql", False),
    ],
)
def test_dialect_and_mode_checks_are_known(condition: str, dialect: str, taken: bool) -> None:
    imports = (
        "from alembic import context\n"
        "from sqlalchemy.dialects.sqlite.base import SQLiteDialect\n"
        "from sqlalchemy.dialects.postgresql import PGDialect\n"
    )
    body = f"    if {condition}:\n        op.create_index('ix_users_id', 'users', ['id'])\n"
    m = migration(second(body, imports), dialect=dialect)
    assert not any(isinstance(op, Decide) for op in m.operations)  # known while reading
    result = replay(USERS, second(body, imports), dialect=dialect)
    assert ("ix_users_id" in indexes(schema_to_dict(result)["tables"], "users")) is taken


def test_a_driver_specific_dialect_class_is_not_guessed() -> None:
    imports = "from sqlalchemy.dialects.postgresql.psycopg2 import PGDialect_psycopg2\n"
    body = (
        "    if isinstance(op.get_bind().dialect, PGDialect_psycopg2):\n"
        "        op.create_index('ix_users_id', 'users', ['id'])\n"
    )
    (problem,) = replay(USERS, second(body, imports)).problems
    assert "isinstance(op.get_bind().dialect, PGDialect_psycopg2)" in problem.message


# -- early exits, branches, loops -----------------------------------------------------------


def test_early_exits_guard_what_follows_at_every_depth() -> None:
    body = (
        "    insp = sa.inspect(op.get_bind())\n"
        "    for name in ['users', 'teams', 'ghosts']:\n"
        "        if not insp.has_table(name):\n"
        "            continue\n"
        "        op.create_index(f'ix_{name}_id', name, ['id'])\n"
        "    with op.batch_alter_table('users') as batch:\n"
        "        if insp.has_table('ghosts'):\n"
        "            return\n"
        "        batch.add_column(sa.Column('a', sa.Integer()))\n"
        "    op.add_column('users', sa.Column('b', sa.Integer()))\n"
        "    if insp.has_table('users'):\n"
        "        return\n"
        "    op.add_column('users', sa.Column('c', sa.Integer()))\n"
    )
    result = replay(USERS, second(body))
    data = schema_to_dict(result)["tables"]
    assert indexes(data, "users") == ["ix_users_email", "ix_users_id"]
    assert list(data["users"]["columns"]) == ["id", "email", "a", "b"]
    assert result.problems == ()


def test_a_branch_that_raises_is_not_taken() -> None:
    body = (
        "    insp = sa.inspect(op.get_bind())\n"
        "    if not insp.has_table('users'):\n"
        "        raise RuntimeError('run the earlier migration first')\n"
        "    if SETTINGS.strict:\n"
        "        op.add_column('users', sa.Column('a', sa.Integer()))\n"
        "        raise RuntimeError('not supported')\n"
        "    op.add_column('users', sa.Column('b', sa.Integer()))\n"
    )
    m = migration(second(body, "from app import SETTINGS\n"))
    assert not any(isinstance(op, Decide) for op in m.operations)
    data = tables(USERS, second(body, "from app import SETTINGS\n"))
    assert list(data["users"]["columns"]) == ["id", "email", "b"]


def test_values_assigned_in_a_branch_are_unknown_after_it() -> None:
    body = (
        "    name = 'ix_a'\n"
        "    if sa.inspect(op.get_bind()).has_table('ghosts'):\n"
        "        name = 'ix_b'\n"
        "    op.create_index(name, 'users', ['id'])\n"
    )
    m = migration(second(body))
    assert [p.span.line for p in m.problems] == [9]
    assert "index name is not statically known" in m.problems[0].message


# -- what stays unknown: named, skipped, settable ---------------------------------------------

SETTING = second(
    "    if not settings.pg_uri:\n"
    "        return\n"
    "    op.create_index('ix_users_id', 'users', ['id'])\n",
    "from app.config import settings\n",
)


def test_an_unknown_guard_is_named_with_what_to_write() -> None:
    result = replay(USERS, SETTING)
    (problem,) = result.problems
    assert problem.kind == "unanalysable" and problem.span.line == 9
    assert "it runs only if `not settings.pg_uri` is false" in problem.message
    assert "schema-lint cannot evaluate `settings.pg_uri`" in problem.message
    assert (
        '[tool.schema-lint.migrations] assume = { "settings.pg_uri" = true|false }'
        in problem.message
    )
    assert indexes(schema_to_dict(result)["tables"], "users") == ["ix_users_email"]


@pytest.mark.parametrize(
    ("assume", "created"),
    [
        ({"settings.pg_uri": True}, True),
        ({"settings.pg_uri": False}, False),
        ({"app.config.settings.pg_uri": "postgresql://x"}, True),
        ({"not settings.pg_uri": True}, False),
    ],
)
def test_assume_decides_an_unknown_guard(assume: dict[str, object], created: bool) -> None:
    result = replay(USERS, SETTING, assume=assume)
    assert result.problems == ()
    assert ("ix_users_id" in indexes(schema_to_dict(result)["tables"], "users")) is created


def test_assume_on_a_project_helper_and_on_a_compared_value() -> None:
    """ckan's `skip_based_on_legacy_engine_version(op, __name__)`; pgadmin's `version < 3`."""
    body = (
        "    if skip_based_on_legacy_engine_version(op, __name__):\n"
        "        return\n"
        "    version = get_version_for_migration(op)\n"
        "    if version < 3:\n"
        "        op.create_index('ix_users_id', 'users', ['id'])\n"
        "    if settings.backend == 'postgresql':\n"
        "        op.drop_index('ix_users_email', table_name='users')\n"
    )
    imports = (
        "from ckan.migration import skip_based_on_legacy_engine_version\n"
        "from app.setup import get_version_for_migration, settings\n"
    )
    source = second(body, imports)
    messages = [p.message for p in replay(USERS, source).problems]
    assert any('"skip_based_on_legacy_engine_version(op, __name__)" = ' in m for m in messages)
    assert any('"get_version_for_migration(op)" = <its value>' in m for m in messages)
    assert any('"settings.backend" = "..."' in m for m in messages)
    decided = replay(
        USERS,
        source,
        assume={
            "skip_based_on_legacy_engine_version": False,
            "get_version_for_migration(op)": 1,
            "app.setup.settings.backend": "postgresql",
        },
    )
    assert decided.problems == ()
    assert indexes(schema_to_dict(decided)["tables"], "users") == ["ix_users_id"]


def test_guards_are_kept_as_facts() -> None:
    m = migration(SETTING)
    decide, guarded = m.operations
    assert isinstance(decide, Decide)
    assert decide.condition == Negation(Opaque(("settings.pg_uri", "app.config.settings.pg_uri")))
    assert isinstance(guarded, Guarded) and guarded.statement.startswith("op.create_index(")
    check = migration(second("    if sa.inspect(op.get_bind()).has_table('t'):\n        pass\n"))
    assert check.operations == ()  # nothing depends on it: no decision kept
    guard = "    if sa.inspect(op.get_bind()).has_table('t', schema='s'):\n"
    exists = migration(second(guard + "        op.drop_table('t')\n"))
    assert isinstance(exists.operations[0], Decide)
    assert exists.operations[0].condition == Exists("table", "t", "s")


def test_an_undecided_index_statement_taints_only_that_index() -> None:
    """prefect: `if index is None: CREATE INDEX ...` after a query of pg_index."""
    body = (
        "    row = op.get_bind().exec_driver_sql('SELECT 1 FROM pg_index').first()\n"
        "    if row is None:\n"
        "        op.execute('CREATE INDEX ix_users_id ON users (id)')\n"
        "    op.add_column('users', sa.Column('a', sa.Integer(), nullable=False))\n"
    )
    result = replay(USERS, second(body))
    users = result.tables["users"]
    assert users.incomplete == () and users.uncertain == ("ix_users_id",)
    assert [i.name for i in users.indexes] == ["ix_users_email"]
    (problem,) = result.problems
    assert '"row is None" = true|false' in problem.message  # `is None`: the whole condition


def test_an_undecided_table_statement_taints_the_table() -> None:
    body = "    if settings.x:\n        op.add_column('users', sa.Column('a', sa.Integer()))\n"
    result = replay(USERS, second(body, "from app import settings\n"))
    assert result.tables["users"].incomplete


def test_unreadable_statements_under_an_unknown_condition_are_one_statement() -> None:
    body = (
        "    conn = op.get_bind()\n"
        "    if conn.execute(sa.text('SELECT 1')).first():\n"
        "        conn.execute(build_sql(1))\n"
        "        conn.execute(build_sql(2))\n"
        "        conn.execute(build_sql(3))\n"
    )
    m = migration(second(body, "from app import build_sql\n"))
    (problem,) = m.problems
    assert problem.span.line == 8
    assert "none of the 3 statements in it can be read" in problem.message


def test_sqlalchemy_data_statements_are_understood_as_data() -> None:
    """``conn.execute(t.update().values(...))``, ``sa.delete(t).where(...)``: rows, never the
    schema; prefect's data migrations were skipped and tainted every index."""
    body = (
        "    conn = op.get_bind()\n"
        "    if conn.execute(sa.text('SELECT 1')).first():\n"
        "        conn.execute(BLOCKS.update().values(x=1))\n"
        "        conn.execute(sa.delete(BLOCKS).where(BLOCKS.c.x == 1))\n"
        "        conn.execute(BLOCKS.insert())\n"
        "    batch = 'UPDATE blocks SET x = 1 WHERE id IN (SELECT id FROM blocks LIMIT 5)'\n"
        "    while True:\n"
        "        if conn.execute(sa.text(batch)).rowcount <= 0:\n"
        "            break\n"
    )
    m = migration(second(body, "from app import BLOCKS\n"))
    assert [p.message for p in m.problems if "may touch" in p.message] == []
    assert not any(type(op).__name__ == "MarkUncertain" and not op.names for op in m.operations)


def test_an_early_exit_in_a_loop_that_cannot_be_read_is_named() -> None:
    body = (
        "    for table in get_tables():\n"
        "        if table == 'users':\n"
        "            return\n"
        "    op.create_index('ix_users_id', 'users', ['id'])\n"
    )
    m = migration(second(body, "from app import get_tables\n"))
    assert [p.message for p in m.problems][-1] == (
        "skipped `op.create_index('ix_users_id', 'users', ['id'])`: it may not run: the loop "
        "`for table in get_tables()` may leave early"
    )


def test_a_helper_returning_a_check_on_one_path_and_false_on_another() -> None:
    helpers = (
        "def _ready(name):\n"
        "    insp = sa.inspect(op.get_bind())\n"
        "    if not insp.has_table(name):\n"
        "        return False\n"
        "    return 'email' in [c['name'] for c in insp.get_columns(name)]\n"
    )
    body = (
        "    if _ready('users'):\n"
        "        op.create_index('ix_users_id', 'users', ['id'])\n"
        "    if _ready('ghosts'):\n"
        "        op.drop_table('users')\n"
    )
    result = replay(USERS, second(body, helpers))
    assert indexes(schema_to_dict(result)["tables"], "users") == ["ix_users_email", "ix_users_id"]
    assert result.problems == ()


def test_a_skipped_loop_of_data_statements_leaves_its_tables_compared() -> None:
    """prefect's batched backfills (``while True:`` over an UPDATE kept in a variable, or
    built by local functions returning f-strings) name their tables in their SQL: they made
    those tables incomplete, and the true SL002 on them went unreported."""
    body = (
        "    def batch(size):\n"
        "        return f'UPDATE flow_run SET x = 1 WHERE id < {size}'\n"
        "    conn = op.get_bind()\n"
        "    for query in [batch]:\n"
        "        while True:\n"
        "            if conn.execute(sa.text(query(500))).rowcount <= 0:\n"
        "                break\n"
    )
    m = migration(second(body))
    assert m.problems  # the loop is still said to be skipped
    assert not [
        op for op in m.operations if type(op).__name__ in {"MarkIncomplete", "MarkUncertain"}
    ]
