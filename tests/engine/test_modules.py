"""The one place imports are mapped to files (``sources/modules.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lint.facts.source import Dependencies
from schema_lint.sources.modules import ModuleIndex, ProjectFiles, content_key


def _index(*paths: str) -> ModuleIndex:
    return ModuleIndex(f"/p/{p}" for p in paths)


def test_a_match_at_an_import_root_wins_over_one_inside_a_package() -> None:
    index = _index(
        "src/app/__init__.py",
        "src/app/models.py",
        "src/app/vendor/__init__.py",
        "src/app/vendor/app/__init__.py",
        "src/app/vendor/app/models.py",
    )
    assert index.find("/p/src/app/vendor/x.py", "app.models") == "/p/src/app/models.py"


def test_a_name_never_finds_a_module_inside_a_package() -> None:
    index = _index(
        "app/__init__.py",
        "app/logging.py",
        "app/helpers.py",
        "app/utils/__init__.py",
        "app/utils/pydantic.py",
    )
    assert index.find("/p/app/views.py", "logging") is None
    # prefect: `from pydantic import BaseModel` in `app/utils/pydantic.py` is the library.
    assert index.find("/p/app/utils/pydantic.py", "pydantic") is None
    assert index.internal("app.missing") and not index.internal("pydantic")
    assert index.find("/p/app/views.py", "sqlalchemy") is None
    # Nor any name: only a directory on `sys.path` (no `__init__.py`) starts a module name.
    assert index.find("/p/app/views.py", "helpers") is None
    assert index.find("/p/app/views.py", "app.helpers") == "/p/app/helpers.py"
    # A top-level module shadows the library, as it does for Python.
    assert _index("logging.py").find("/p/app.py", "logging") == "/p/logging.py"


def test_the_closest_of_equal_matches() -> None:
    index = _index("a/models.py", "b/models.py")
    assert index.find("/p/b/views.py", "models") == "/p/b/models.py"
    assert index.find("/p/a/views.py", "models") == "/p/a/models.py"


@pytest.mark.parametrize(
    ("module", "level", "found"),
    [
        ("utils", 1, "/p/pkg/sub/utils.py"),
        ("", 1, "/p/pkg/sub/__init__.py"),
        ("helpers", 2, "/p/pkg/helpers/__init__.py"),
        ("missing", 1, None),
    ],
)
def test_relative_imports_are_exact(module: str, level: int, found: str | None) -> None:
    index = _index(
        "pkg/__init__.py",
        "pkg/helpers/__init__.py",
        "pkg/sub/__init__.py",
        "pkg/sub/utils.py",
        "utils.py",
    )
    assert index.find("/p/pkg/sub/mod.py", module, level) == found


def test_submodules_and_internal_names() -> None:
    index = _index("pkg/__init__.py", "pkg/sql/__init__.py", "pkg/core.py")
    assert index.submodule("/p/pkg/__init__.py", "sql") == "/p/pkg/sql/__init__.py"
    assert index.submodule("/p/pkg/__init__.py", "core") == "/p/pkg/core.py"
    assert index.submodule("/p/pkg/core.py", "x") is None
    assert index.internal("pkg.missing") and not index.internal("pydantic")


def test_the_digest_names_the_set_of_files() -> None:
    assert _index("a.py", "b.py").digest == _index("b.py", "a.py").digest
    assert _index("a.py").digest != _index("a.py", "b.py").digest


def test_files_read_from_editor_texts_or_disk_and_freshness(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("X = 1\n")
    keys = {str(module): content_key(module.read_bytes())}
    files = ProjectFiles(ModuleIndex(keys), keys)
    assert files.read(str(module)) == ("X = 1\n", keys[str(module)])
    assert files.read(str(tmp_path / "elsewhere.py")) is None
    read = Dependencies(((str(module), keys[str(module)]),), files.index.digest)
    assert files.fresh(read) and files.fresh(None)
    edited = files.with_text(str(module), "X = 2\n")
    assert edited.read(str(module)) == ("X = 2\n", content_key("X = 2\n"))
    assert not edited.fresh(read)
    added = files.with_text(str(tmp_path / "new.py"), "")
    assert added.index.digest != files.index.digest and not added.fresh(read)
    module.unlink()
    assert not files.with_text(str(module), None).fresh(read)


LIB_MODELS = """\
from sqlalchemy import Column, DateTime


class ModelBase:
    __table_initialized__ = False

    def save(self, session):
        session.add(self)


class TimestampMixin:
    created_at = Column(DateTime)
    updated_at = Column(DateTime)
"""
APP_MODELS = """\
from oslo_like.sqlalchemy import models
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Thing(Base, models.ModelBase, models.TimestampMixin):
    __tablename__ = "things"
    id = Column(Integer, primary_key=True)
    name = Column(String(20), index=True)
"""
LIB_REVISION = """\
import sqlalchemy as sa
from alembic import op

revision = "1"
down_revision = None


def upgrade():
    op.create_table(
        "things",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(20)),
        sa.Column("created_at", sa.DateTime()),
        sa.Column("updated_at", sa.DateTime()),
    )
"""


def test_library_bases_are_read_from_the_library_roots(tmp_path: Path) -> None:
    """keystone, octavia: bases and mixins from oslo.db (a library) left every table
    unchecked. With ``library-roots`` naming a site-packages, they are read like project
    modules (never imported): the table is checked, with the mixin's columns."""
    from schema_lint.config import load_config
    from schema_lint.engine import check
    from schema_lint.project import load_project

    site = tmp_path / "site-packages"
    (site / "oslo_like" / "sqlalchemy").mkdir(parents=True)
    (site / "oslo_like" / "__init__.py").write_text("")
    (site / "oslo_like" / "sqlalchemy" / "__init__.py").write_text("")
    (site / "oslo_like" / "sqlalchemy" / "models.py").write_text(LIB_MODELS)
    root = tmp_path / "app"
    (root / "app").mkdir(parents=True)
    (root / "app" / "models.py").write_text(APP_MODELS)
    (root / "migrations" / "versions").mkdir(parents=True)
    (root / "migrations" / "versions" / "0001.py").write_text(LIB_REVISION)
    (root / "pyproject.toml").write_text("")

    blind = check(load_project(root, load_config(root)))
    assert blind.diagnostics == ()
    (unread,) = [p for p in blind.problems if p.kind == "incomplete-table"]
    assert "library-roots" in unread.message

    config = load_config(root, {"library-roots": [str(site)]})
    found = check(load_project(root, config))
    assert [(d.code, d.key.table, d.key.object) for d in found.diagnostics] == [
        ("SL007", "things", "ix_things_name")
    ]
    assert not [p for p in found.problems if p.kind == "incomplete-table"]
