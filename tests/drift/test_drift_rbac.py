"""The issue's done-criteria on ``examples/rbac``, against the ground truth of ``drift_truth``.

Before the fix, the drift between the demo's models and its database at head is exactly the
two refresh-token indexes (SL002), besides the two junctions without a unique pair (SL001,
not a drift: both sides lack it). After ``check --fix --unsafe-fixes`` the models declare the
junctions' unique constraints that no migration creates: exactly two SL003, until a migration
creates them. The soft-delete tables (``anime``, ``episodes``) hold no unique key, so SL008
has nothing to say about them.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from drift_truth import (
    SOFT_DELETE_COLUMNS,
    Drift,
    columns_subject,
    database_tables,
    drifts,
    model_tables,
)
from postgres import PostgresCluster
from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.project import load_project
from sqlalchemy.pool import NullPool

pytestmark = pytest.mark.postgres

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rbac"

FIX = ("--fix", "--unsafe-fixes", "--format", "json")

JUNCTION_UNIQUES = {
    ("SL003", "user_roles", "role_id,user_id"),
    ("SL003", "role_permissions", "permission_id,role_id"),
}

MIGRATION_0015 = '''\
"""the junctions' unique pairs, written by hand"""
from alembic import op

revision = "0015"
down_revision = "0014"


def upgrade():
    op.create_unique_constraint(
        "uq_user_roles_user_id_role_id", "user_roles", ["user_id", "role_id"]
    )
    op.create_unique_constraint(
        "uq_role_permissions_role_id_permission_id",
        "role_permissions",
        ["role_id", "permission_id"],
    )


def downgrade():
    op.drop_constraint("uq_role_permissions_role_id_permission_id", "role_permissions")
    op.drop_constraint("uq_user_roles_user_id_role_id", "user_roles")
'''


def _is_app_module(name: str) -> bool:
    return name == "app" or name.startswith("app.")


def _forget_app() -> None:
    for name in [name for name in sys.modules if _is_app_module(name)]:
        del sys.modules[name]
    # alembic.ini's `prepend_sys_path = .`: the cached finder of "." holds the directory that
    # was current when it was created (another test's copy of the demo)
    for relative in ("", "."):
        sys.path_importer_cache.pop(relative, None)


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the demo, run from its folder; its ``app`` package importable only here."""
    project = tmp_path / "rbac"
    shutil.copytree(EXAMPLE, project)
    shadowed = {name: module for name, module in sys.modules.items() if _is_app_module(name)}
    _forget_app()
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    try:
        yield project
    finally:
        _forget_app()
        sys.modules.update(shadowed)


def _upgrade(project: Path, url: str) -> None:
    config = Config(str(project / "alembic.ini"), cmd_opts=argparse.Namespace(x=[f"url={url}"]))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool)


def ground_truth(cluster: PostgresCluster, url: str) -> tuple[set[Drift], dict[str, Any]]:
    """The drift between the demo's models, imported afresh, and the database at ``url``."""
    _forget_app()
    metadata: sa.MetaData = importlib.import_module("app.models").Base.metadata
    scratch = cluster.create_database()
    try:
        engine, scratch_engine = _engine(url), _engine(cluster.url(scratch))
        metadata.create_all(scratch_engine)
        with engine.connect() as conn, scratch_engine.connect() as scratch_conn:
            database = database_tables(conn)
            truth = drifts(model_tables(metadata, scratch_conn), database)
        engine.dispose()
        scratch_engine.dispose()
    finally:
        cluster.drop_database(scratch)
    return truth, database


def schema_lint_findings(project: Path) -> set[Drift]:
    found = set()
    for d in check(load_project(project, load_config(project))).diagnostics:
        payload: Any = d.payload
        if d.code == "SL001":
            continue  # not a drift: neither side has the pair unique
        subject = payload.index if d.code == "SL002" else columns_subject(payload.columns)
        found.add((d.code, payload.table, subject))
    return found


def test_before_the_fix_the_drift_is_the_two_refresh_token_indexes(
    demo: Path, postgres_cluster: PostgresCluster, fresh_database: str
) -> None:
    _upgrade(demo, fresh_database)
    truth, database = ground_truth(postgres_cluster, fresh_database)
    assert truth == {
        ("SL002", "refresh_tokens", "ix_refresh_tokens_token_hash"),
        ("SL002", "refresh_tokens", "ix_refresh_tokens_user_id"),
    }
    assert schema_lint_findings(demo) == truth
    # the audit's soft-delete tables hold no unique key but their primary key: nothing to say
    soft = {name for name, t in database.items() if set(t.columns) & set(SOFT_DELETE_COLUMNS)}
    assert soft == {"anime", "episodes"}
    for name in soft:
        assert database[name].uniques == []
        assert not [i for i in database[name].indexes.values() if i.unique]


def test_after_the_fix_the_new_unique_constraints_are_in_the_models_only(
    demo: Path, postgres_cluster: PostgresCluster, fresh_database: str
) -> None:
    fixed = subprocess.run(
        [sys.executable, "-m", "schema_lint", "check", ".", "--no-cache", *FIX],
        cwd=demo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert fixed.returncode == 1, fixed.stderr
    _upgrade(demo, fresh_database)
    truth, _ = ground_truth(postgres_cluster, fresh_database)
    assert truth == JUNCTION_UNIQUES
    diagnostics = check(load_project(demo, load_config(demo))).diagnostics
    assert [d.code for d in diagnostics] == ["SL003", "SL003"]
    assert all(getattr(d.payload, "in_model", None) is True for d in diagnostics)
    assert schema_lint_findings(demo) == truth

    # until a migration creates them
    (demo / "alembic" / "versions" / "0015_junction_uniques.py").write_text(MIGRATION_0015)
    _upgrade(demo, fresh_database)
    truth, _ = ground_truth(postgres_cluster, fresh_database)
    assert truth == set()
    assert check(load_project(demo, load_config(demo))).diagnostics == ()
