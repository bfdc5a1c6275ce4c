"""The schema an environment's unqualified tables live in: one from ``env.py``, one per tenant
from the configuration, or unqualified when ``env.py`` chooses it at run time."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
from schema_lint.config import load_config
from schema_lint.engine import build_schemas, check
from schema_lint.extract.env_target import EnvTarget, env_target
from schema_lint.project import load_project


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            'CORE = "core"\n'
            "def run(connection):\n"
            "    connection.execute(text(f'set search_path to \"{CORE}\"'))\n",
            EnvTarget(schema="core"),
        ),
        (
            "def run(connection):\n"
            "    connection.exec_driver_sql('SET search_path TO billing, public')\n",
            EnvTarget(schema="billing"),
        ),
        (
            "def run(connection):\n"
            "    connection = connection.execution_options(\n"
            "        schema_translate_map={None: 'tenant_a'})\n"
            "    context.configure(connection=connection, dialect_name='postgresql')\n",
            EnvTarget(dialect="postgresql", schema="tenant_a"),
        ),
        (
            "def run(connection, schema):\n    connection.dialect.default_schema_name = schema\n",
            EnvTarget(dynamic_schema="default_schema_name = schema"),
        ),
        (
            "def run(connection):\n"
            "    for schema in tenants(connection):\n"
            "        connection.execute(text('set search_path to \"%s\"' % schema))\n",
            EnvTarget(dynamic_schema="`'set search_path to \"%s\"' % schema`"),
        ),
        (
            "def run(connection):\n    connection.execute('SET search_path TO public')\n",
            EnvTarget(),
        ),
    ],
)
def test_env_py_states_the_schema(source: str, expected: EnvTarget) -> None:
    assert env_target(ast.parse(source)) == expected


MODELS = """\
from sqlalchemy import Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Org(Base):
    __tablename__ = "orgs"
    __table_args__ = {"schema": "core"}
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class Ticket(Base):
    __tablename__ = "tickets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str | None] = mapped_column(String(50))
"""

ORGS = """\
import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = None


def upgrade():
    op.create_table("orgs", sa.Column("id", sa.Integer, primary_key=True))
    op.create_index("ix_orgs_id", "orgs", ["id"])
"""
TICKETS = """\
import sqlalchemy as sa
from alembic import op

revision = "t1"
down_revision = None


def upgrade():
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(50)),
    )
    op.create_index("ix_tickets_title", "tickets", ["title"])
"""
CORE_ENV = """\
from alembic import context
from sqlalchemy import text

CORE_SCHEMA = "core"


def run_migrations_online(connection):
    connection.execute(text(f'set search_path to "{CORE_SCHEMA}"'))
    context.configure(connection=connection)
"""
TENANT_ENV = """\
from alembic import context
from sqlalchemy import inspect, text


def run_migrations_online(connection):
    for schema in inspect(connection).get_schema_names():
        if schema.startswith("tenant_"):
            connection.execute(text(f'set search_path to "{schema}"'))
            context.configure(connection=connection)
"""


def project(root: Path, pyproject: str = "") -> Path:
    files = {
        "pyproject.toml": pyproject,
        "app/models.py": MODELS,
        "alembic.ini": (
            "[core]\nscript_location = revisions/core\n"
            "[tenant]\nscript_location = revisions/tenant\n"
        ),
        "revisions/core/env.py": CORE_ENV,
        "revisions/core/versions/c1.py": ORGS,
        "revisions/tenant/env.py": TENANT_ENV,
        "revisions/tenant/versions/t1.py": TICKETS,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_core_schema_from_env_py_and_tenant_tables_matched_unqualified(tmp_path: Path) -> None:
    """Netflix dispatch: the core tree runs in `dispatch_core`, the tenant tree in every
    `dispatch_organization_*` schema; the tenant models are unqualified."""
    root = project(tmp_path)
    loaded = load_project(root, load_config(root))
    schemas = build_schemas(loaded)
    assert list(schemas.migrations["revisions/core"].tables) == ["core.orgs"]
    assert list(schemas.migrations["revisions/tenant"].tables) == ["tickets"]
    result = check(loaded)
    # both indexes are compared with the model's tables (and neither is declared there)
    assert sorted((d.code, d.key.table) for d in result.diagnostics) == [
        ("SL002", "core.orgs"),
        ("SL002", "tickets"),
    ]
    (note,) = [p for p in result.problems if p.kind == "environment"]
    assert note.message.startswith(
        "environment `revisions/tenant`: its env.py sets the schema at run time (`f'set "
    )
    assert 'environments."revisions/tenant"] schemas = [...]' in note.message


def test_tenant_schemas_from_the_configuration_are_replayed_once_each(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        '[tool.schema-lint.migrations.environments."revisions/tenant"]\n'
        'schemas = ["tenant_a", "tenant_b"]\n',
    )
    schemas = build_schemas(load_project(root, load_config(root)))
    tenant = schemas.migrations["revisions/tenant"]
    assert list(tenant.tables) == ["tenant_a.tickets", "tenant_b.tickets"]
    assert [i.name for i in tenant.tables["tenant_b.tickets"].indexes] == ["ix_tickets_title"]
