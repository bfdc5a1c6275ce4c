"""The demo: after the fixes, ``schema-lint migration`` writes the audit's 0015.

The stabilization audit fixed ``UserRole`` and ``RolePermission`` and wrote
``0015_add_unique_constraints_to_rbac_tables.py``: in ``upgrade()`` a unique constraint on
``user_roles (user_id, role_id)`` then on ``role_permissions (role_id, permission_id)``, in
``downgrade()`` the two dropped in reverse order; it then checked upgrade, downgrade and that
duplicates are rejected. The generated revision has the same operations, named by the
project's convention: the SL001 fix's explicit names, or, with the convention the audit's
names come from (``uq_%(table_name)s_%(column_0_name)s``), exactly the audit's names.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from generate_helpers import ROOT, connection, engine, operations, reflect, schema_lint

MESSAGE = "add unique constraints to rbac tables"
AUDIT_CONVENTION = '{"uq": "uq_%(table_name)s_%(column_0_name)s"}'


def _alembic(project: Path, url: str) -> Config:
    """What ``alembic -x url=<url> ...`` builds from the demo's alembic.ini."""
    config = Config(str(project / "alembic.ini"), cmd_opts=argparse.Namespace(x=[f"url={url}"]))
    config.attributes["configure_logger"] = False
    return config


def _is_app_module(name: str) -> bool:
    return name == "app" or name.startswith("app.")


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of examples/rbac, run from its folder (its env.py imports ``app.models``)."""
    project = tmp_path / "rbac"
    shutil.copytree(ROOT / "examples" / "rbac", project)
    saved_path = list(sys.path)
    shadowed = {name: module for name, module in sys.modules.items() if _is_app_module(name)}
    for name in shadowed:
        del sys.modules[name]
    monkeypatch.chdir(project)
    try:
        yield project
    finally:
        for name in [name for name in sys.modules if _is_app_module(name)]:
            del sys.modules[name]
        sys.modules.update(shadowed)
        sys.path[:] = saved_path


def _fix_and_generate(project: Path) -> Path:
    fixed = schema_lint("check", str(project), "--fix", "--unsafe-fixes")
    # the new constraints are in the models only until a migration creates them
    assert fixed.code == 1 and "Fixed 4 errors." in fixed.out, fixed.out + fixed.err
    assert {line.split()[1] for line in fixed.out.splitlines() if ": SL" in line} == {"SL003"}
    run = schema_lint("migration", str(project), "--rev-id", "0015", "-m", MESSAGE)
    assert run.code == 0, run.err
    path = project / "alembic" / "versions" / "0015_add_unique_constraints_to_rbac_tables.py"
    assert path.is_file(), run.out
    assert schema_lint("check", str(project)).code == 0
    return path


def _with_audit_convention(project: Path) -> None:
    base = project / "app" / "models" / "base.py"
    base.write_text(
        "from sqlalchemy import MetaData\n"
        "from sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n"
        '    """Declarative base for every model of the application."""\n\n'
        f"    metadata = MetaData(naming_convention={AUDIT_CONVENTION})\n",
        encoding="utf-8",
    )


def test_the_audits_operations(demo: Path) -> None:
    path = _fix_and_generate(demo)
    assert operations(path, "upgrade") == [
        (
            "create_unique_constraint",
            "user_roles",
            "uq_user_roles_user_id_role_id",
            ("user_id", "role_id"),
        ),
        (
            "create_unique_constraint",
            "role_permissions",
            "uq_role_permissions_role_id_permission_id",
            ("role_id", "permission_id"),
        ),
    ]
    assert operations(path, "downgrade") == [
        ("drop_constraint", "role_permissions", "uq_role_permissions_role_id_permission_id", ()),
        ("drop_constraint", "user_roles", "uq_user_roles_user_id_role_id", ()),
    ]
    text = path.read_text("utf-8")
    assert text.startswith(f'"""{MESSAGE}\n\nRevision ID: 0015\nRevises: 0014\n')
    assert "down_revision: Union[str, Sequence[str], None] = '0014'" in text


def test_the_audits_names_with_the_audits_convention(demo: Path) -> None:
    _with_audit_convention(demo)
    path = _fix_and_generate(demo)
    assert 'UniqueConstraint("user_id", "role_id")' in (
        demo / "app" / "models" / "user_role.py"
    ).read_text("utf-8")
    assert [op[:3] for op in operations(path, "upgrade")] == [
        ("create_unique_constraint", "user_roles", "uq_user_roles_user_id"),
        ("create_unique_constraint", "role_permissions", "uq_role_permissions_role_id"),
    ]
    assert [op[:3] for op in operations(path, "downgrade")] == [
        ("drop_constraint", "role_permissions", "uq_role_permissions_role_id"),
        ("drop_constraint", "user_roles", "uq_user_roles_user_id"),
    ]


def _duplicate_rejected(url: str, table: str, left: str, right: str) -> bool:
    try:
        with connection(url) as conn:
            for row in (1, 2):
                conn.execute(
                    sa.text(f"INSERT INTO {table} (id, {left}, {right}) VALUES (:i, 1, 1)"),
                    {"i": 100 + row},
                )
            raise _Rollback
    except sa.exc.IntegrityError:
        return True
    except _Rollback:
        return False


class _Rollback(Exception):
    pass


@pytest.mark.parametrize("convention", [False, True], ids=["demo", "audit-convention"])
def test_upgrade_downgrade_and_duplicates_on_postgresql(
    demo: Path, fresh_database: str, convention: bool
) -> None:
    if convention:
        _with_audit_convention(demo)
    url = fresh_database
    command.upgrade(_alembic(demo, url), "0014")
    before = reflect(url)
    with connection(url) as conn:
        conn.execute(
            sa.text(
                "INSERT INTO users (id, email, username, password_hash) VALUES (1, 'a@x', 'a', 'h')"
            )
        )
        conn.execute(sa.text("INSERT INTO roles (id, name) VALUES (1, 'admin')"))
        conn.execute(sa.text("INSERT INTO permissions (id, code) VALUES (1, 'edit')"))
    junctions = [
        ("user_roles", "user_id", "role_id"),
        ("role_permissions", "role_id", "permission_id"),
    ]
    assert not any(_duplicate_rejected(url, *junction) for junction in junctions)

    _fix_and_generate(demo)
    command.upgrade(_alembic(demo, url), "head")
    db = engine(url)
    try:
        inspector = sa.inspect(db)
        names = {
            table: {u["name"] for u in inspector.get_unique_constraints(table)}
            for table, _, _ in junctions
        }
    finally:
        db.dispose()
    if convention:
        assert names == {
            "user_roles": {"uq_user_roles_user_id"},
            "role_permissions": {"uq_role_permissions_role_id"},
        }
    assert all(_duplicate_rejected(url, *junction) for junction in junctions)

    command.downgrade(_alembic(demo, url), "-1")
    assert reflect(url) == before
    assert not any(_duplicate_rejected(url, *junction) for junction in junctions)
