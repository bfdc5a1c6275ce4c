"""Replaying operations into the schema PostgreSQL would hold."""

from __future__ import annotations

from migration_helpers import header, replay
from schema_lint.schema.serialize import schema_to_dict

USERS = header("0001") + (
    "def upgrade():\n"
    "    op.create_table('users',\n"
    "        sa.Column('id', sa.Integer(), primary_key=True),\n"
    "        sa.Column('email', sa.String(), nullable=False, unique=True),\n"
    "        sa.Column('team_id', sa.Integer(), sa.ForeignKey('teams.id', ondelete='cascade'),\n"
    "                  index=True),\n"
    "        sa.Column('name', sa.String()),\n"
    "    )\n"
)


def test_create_table_produces_postgres_names() -> None:
    table = schema_to_dict(replay(USERS))["tables"]["users"]
    assert table["columns"] == {
        "id": {"nullable": False, "primary_key": True},
        "email": {"nullable": False, "primary_key": False},
        "team_id": {"nullable": True, "primary_key": False},
        "name": {"nullable": True, "primary_key": False},
    }
    assert table["primary_key"] == ["id"]
    assert table["indexes"] == [
        {"name": "ix_users_team_id", "columns": ["team_id"], "unique": False}
    ]
    assert table["unique_constraints"] == [{"name": "users_email_key", "columns": ["email"]}]
    assert table["foreign_keys"] == [
        {
            "name": "users_team_id_fkey",
            "columns": ["team_id"],
            "ref_table": "teams",
            "ref_columns": ["id"],
            "ondelete": "CASCADE",
            "onupdate": None,
        }
    ]


def test_sqlite_leaves_unnamed_constraints_unnamed() -> None:
    table = schema_to_dict(replay(USERS, dialect="sqlite"))["tables"]["users"]
    assert table["unique_constraints"] == [{"name": None, "columns": ["email"]}]
    assert table["foreign_keys"][0]["name"] is None


def test_naming_convention_applies_unless_name_is_final() -> None:
    convention = {
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
    second = header("0002", "0001") + (
        "def upgrade():\n"
        "    op.create_unique_constraint(None, 'users', ['name', 'team_id'])\n"
        "    op.create_index(op.f('my_index'), 'users', ['name'])\n"
    )
    table = schema_to_dict(replay(USERS, second, naming_convention=convention))["tables"]["users"]
    assert {u["name"] for u in table["unique_constraints"]} == {
        "uq_users_email",
        "uq_users_name_team_id",
    }
    assert table["foreign_keys"][0]["name"] == "fk_users_team_id_teams"
    assert {i["name"] for i in table["indexes"]} == {"ix_users_team_id", "my_index"}


def test_long_generated_names_are_truncated_like_sqlalchemy() -> None:
    long_table = "a" * 40
    source = header("0001") + (
        "def upgrade():\n"
        f"    op.create_table('{long_table}', sa.Column('id', sa.Integer(), primary_key=True),\n"
        f"        sa.Column('{'b' * 30}', sa.Integer(), index=True))\n"
    )
    (index,) = schema_to_dict(replay(source))["tables"][long_table]["indexes"]

    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex

    table = sa.Table(long_table, sa.MetaData(), sa.Column("b" * 30, sa.Integer(), index=True))
    (real,) = table.indexes
    ddl = str(CreateIndex(real).compile(dialect=postgresql.dialect()))
    assert f"CREATE INDEX {index['name']} ON" in ddl
    assert len(index["name"]) <= 63


def test_drop_column_drops_its_indexes_and_constraints() -> None:
    second = header("0002", "0001") + (
        "def upgrade():\n"
        "    op.create_index('ix_users_email_name', 'users', ['email', 'name'])\n"
        "    op.drop_column('users', 'email')\n"
    )
    table = schema_to_dict(replay(USERS, second))["tables"]["users"]
    assert "email" not in table["columns"]
    assert table["unique_constraints"] == []
    assert [i["name"] for i in table["indexes"]] == ["ix_users_team_id"]


def test_renames_are_carried_into_references() -> None:
    teams = header("0000") + (
        "def upgrade():\n"
        "    op.create_table('teams', sa.Column('id', sa.Integer(), primary_key=True))\n"
    )
    users = USERS.replace("down_revision = None", "down_revision = '0000'")
    renames = header("0002", "0001") + (
        "def upgrade():\n"
        "    op.rename_table('teams', 'groups')\n"
        "    op.alter_column('groups', 'id', new_column_name='group_id')\n"
        "    op.alter_column('users', 'team_id', new_column_name='group_id', nullable=False)\n"
    )
    tables = schema_to_dict(replay(teams, users, renames))["tables"]
    assert set(tables) == {"groups", "users"}
    fk = tables["users"]["foreign_keys"][0]
    assert (fk["columns"], fk["ref_table"], fk["ref_columns"]) == (
        ["group_id"],
        "groups",
        ["group_id"],
    )
    assert tables["users"]["indexes"][0]["columns"] == ["group_id"]
    assert tables["users"]["columns"]["group_id"]["nullable"] is False


def test_drop_index_and_constraint_by_name() -> None:
    second = header("0002", "0001") + (
        "def upgrade():\n"
        "    op.drop_index('ix_users_team_id', table_name='users')\n"
        "    op.drop_constraint('users_email_key', 'users', type_='unique')\n"
        "    op.drop_constraint('users_team_id_fkey', 'users', type_='foreignkey')\n"
    )
    schema = replay(USERS, second)
    table = schema_to_dict(schema)["tables"]["users"]
    assert table["indexes"] == table["unique_constraints"] == table["foreign_keys"] == []
    assert schema.problems == ()


def test_operations_on_missing_objects_are_problems() -> None:
    second = header("0002", "0001") + (
        "def upgrade():\n"
        "    op.drop_index('ix_nope', table_name='users')\n"
        "    op.drop_table('users')\n"
        "    op.add_column('users', sa.Column('x', sa.Integer()))\n"
    )
    kinds = sorted(p.kind for p in replay(USERS, second).problems)
    assert kinds == ["unknown-index", "unknown-table"]


def test_primary_key_constraint_makes_columns_not_null() -> None:
    source = header("0001") + (
        "def upgrade():\n"
        "    op.create_table('user_roles',\n"
        "        sa.Column('user_id', sa.Integer(), nullable=True),\n"
        "        sa.Column('role_id', sa.Integer()),\n"
        "        sa.PrimaryKeyConstraint('user_id', 'role_id', name='pk_user_roles'))\n"
    )
    table = schema_to_dict(replay(source))["tables"]["user_roles"]
    assert table["primary_key"] == ["user_id", "role_id"]
    assert not table["columns"]["user_id"]["nullable"]


def test_a_convention_with_an_unreadable_token_leaves_names_unknown_not_defaulted() -> None:
    """indico: ``'uq': 'uq_%(table_name)s_%(column_names)s'`` (a token from a function) named
    a unique constraint ``editables_contribution_id_type_key``, PostgreSQL's own default; the
    revision that drops ``uq_editables_contribution_id_type`` then missed it, and SL003 said
    the migrations keep a constraint they had dropped."""
    convention = {"uq": "uq_%(table_name)s_%(column_names)s"}
    create = header("0001") + (
        "def upgrade():\n"
        "    op.create_table('editables',\n"
        "        sa.Column('id', sa.Integer(), primary_key=True),\n"
        "        sa.Column('contribution_id', sa.Integer()),\n"
        "        sa.Column('type', sa.Integer()),\n"
        "        sa.UniqueConstraint('contribution_id', 'type'),\n"
        "    )\n"
    )
    table = schema_to_dict(replay(create, naming_convention=convention))["tables"]["editables"]
    assert table["unique_constraints"] == [{"name": None, "columns": ["contribution_id", "type"]}]
    drop = header("0002", "0001") + (
        "def upgrade():\n    op.drop_constraint('uq_editables_contribution_id_type', 'editables')\n"
    )
    schema = replay(create, drop, naming_convention=convention)
    assert schema.tables["editables"].unique_constraints == ()
    assert not [p for p in schema.problems if p.kind == "unknown-constraint"]


def test_a_drop_among_several_unknown_names_makes_the_table_incomplete() -> None:
    convention = {"uq": "uq_%(table_name)s_%(column_names)s"}
    create = header("0001") + (
        "def upgrade():\n"
        "    op.create_table('t',\n"
        "        sa.Column('id', sa.Integer(), primary_key=True),\n"
        "        sa.Column('a', sa.Integer(), unique=True),\n"
        "        sa.Column('b', sa.Integer(), unique=True),\n"
        "    )\n"
    )
    drop = header("0002", "0001") + (
        "def upgrade():\n    op.drop_constraint('uq_t_a', 't', type_='unique')\n"
    )
    table = replay(create, drop, naming_convention=convention).tables["t"]
    assert len(table.unique_constraints) == 2
    assert table.incomplete == (
        "`drop_constraint('uq_t_a')` drops one of 2 constraints whose names are unknown",
    )
