"""Code in other modules of the project: bases, ``db``, types and constants read on demand.

Each test writes a small project to disk and reads it as ``check`` does: discovery picks the
model files, and a module that declares no table is read only when a name leads there.
"""

from __future__ import annotations

from pathlib import Path

from model_helpers import pipeline_schema
from projects import write_project
from schema_lint.config import load_config
from schema_lint.engine import build_schemas
from schema_lint.facts.schema import Schema, Table
from schema_lint.project import ROLE_MODULE, discover, load_project

BASE = """
    from sqlalchemy.orm import DeclarativeBase

    class Base(DeclarativeBase):
        pass
"""


def _table(schema: Schema, name: str) -> Table:
    return schema.tables[name]


def test_a_plain_python_base_in_another_module_adds_no_columns(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/base.py": BASE,
            "app/logging_mixin.py": """
                import logging

                class LoggingMixin:
                    _log: logging.Logger | None = None

                    def log(self) -> logging.Logger:
                        return logging.getLogger(type(self).__name__)
            """,
            "app/models.py": """
                from sqlalchemy.orm import Mapped, mapped_column
                from app.base import Base
                from app.logging_mixin import LoggingMixin

                class Job(Base, LoggingMixin):
                    __tablename__ = "jobs"
                    id: Mapped[int] = mapped_column(primary_key=True)
            """,
        },
    )
    _, candidates = discover(root, load_config(root))
    assert candidates[str(root / "app/logging_mixin.py")][0] == ROLE_MODULE
    schema = pipeline_schema(root)
    jobs = _table(schema, "jobs")
    assert jobs.incomplete == ()
    assert [c.name for c in jobs.columns] == ["id"]
    assert schema.depends_on is not None
    assert [Path(p).name for p, _ in schema.depends_on.files] == ["logging_mixin.py"]


def test_a_base_from_a_library_outside_the_project_stays_unknown(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "app/base.py": BASE,
            "app/workload.py": """
                from pydantic import BaseModel

                class Workload(BaseModel):
                    pass
            """,
            "app/models.py": """
                from sqlalchemy.orm import Mapped, mapped_column
                from app.base import Base
                from app.workload import Workload

                class Job(Base, Workload):
                    __tablename__ = "jobs"
                    id: Mapped[int] = mapped_column(primary_key=True)
            """,
        },
    )
    (reason,) = _table(pipeline_schema(root), "jobs").incomplete
    assert "Workload" in reason and "module pydantic is not in the project" in reason


def test_db_made_by_a_subclass_defined_in_another_module(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/sqla.py": """
                from flask_sqlalchemy import SQLAlchemy

                class AppSQLAlchemy(SQLAlchemy):
                    pass
            """,
            "app/extensions.py": """
                from app.sqla import AppSQLAlchemy

                db = AppSQLAlchemy()
            """,
            "app/models.py": """
                from app.extensions import db

                class UserAccount(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                    email = db.Column(db.String(200), index=True)
            """,
        },
    )
    account = _table(pipeline_schema(root), "user_account")
    assert account.incomplete == ()
    assert [i.name for i in account.indexes] == ["ix_user_account_email"]


def test_db_made_by_a_class_that_is_not_flask_sqlalchemy_is_unknown(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "app/sqla.py": """
                class FakeSQLAlchemy:
                    Model = object
            """,
            "app/extensions.py": """
                from app.sqla import FakeSQLAlchemy

                db = FakeSQLAlchemy()
            """,
            "app/models.py": """
                import sqlalchemy as sa
                from app.extensions import db

                class Account(db.Model):
                    __tablename__ = "accounts"
                    id = sa.Column(sa.Integer, primary_key=True)
            """,
        },
    )
    schema = pipeline_schema(root)
    assert all(t.incomplete for t in schema.tables.values())


def test_a_package_whose_init_is_empty_reaches_its_submodules(tmp_path: Path) -> None:
    """keystone: ``from pkg.common import sql`` with an empty ``pkg/common/__init__.py``,
    ``sql/__init__.py`` re-exporting ``sql/core.py`` with a star import."""
    root = write_project(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/common/__init__.py": "",
            "pkg/common/sql/__init__.py": "from pkg.common.sql.core import *  # noqa\n",
            "pkg/common/sql/core.py": """
                from sqlalchemy.orm import declarative_base

                ModelBase = declarative_base()

                class ModelDictMixin:
                    def to_dict(self):
                        return {}
            """,
            "pkg/models.py": """
                import sqlalchemy as sql_types
                from pkg.common import sql

                class Role(sql.ModelBase, sql.ModelDictMixin):
                    __tablename__ = "role"
                    id = sql_types.Column(sql_types.Integer, primary_key=True)
            """,
        },
    )
    assert _table(pipeline_schema(root), "role").incomplete == ()


def test_a_base_generated_from_an_imported_registry(tmp_path: Path) -> None:
    """ckan: ``BaseModel = registry.generate_base()`` with ``registry`` from ``.meta``."""
    root = write_project(
        tmp_path,
        {
            "app/model/__init__.py": "",
            "app/model/meta.py": """
                from sqlalchemy import MetaData, orm

                metadata = MetaData(naming_convention={"ix": "idx_%(column_0_label)s"})
                registry = orm.registry(metadata=metadata)
            """,
            "app/model/base.py": """
                import sqlalchemy as sa
                from .meta import registry

                BaseModel = registry.generate_base()
            """,
            "app/model/activity.py": """
                from sqlalchemy import Column, Integer
                from .base import BaseModel

                class Activity(BaseModel):
                    __tablename__ = "activity"
                    id = Column(Integer, primary_key=True)
                    user_id = Column(Integer, index=True)
            """,
        },
    )
    activity = _table(pipeline_schema(root), "activity")
    assert activity.incomplete == ()
    assert [i.name for i in activity.indexes] == ["idx_activity_user_id"]


def test_constants_and_types_from_modules_that_declare_no_table(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        {
            "app/base.py": BASE,
            "app/names.py": """
                USERS = "users"
                PREFIX = "ix"
            """,
            "app/money.py": """
                from decimal import Decimal

                class Money(Decimal):
                    pass
            """,
            "app/models.py": """
                from sqlalchemy import Index, Numeric
                from sqlalchemy.orm import Mapped, mapped_column
                from app.base import Base
                from app.money import Money
                from app.names import PREFIX, USERS

                class User(Base):
                    __tablename__ = USERS
                    __table_args__ = (Index(f"{PREFIX}_{USERS}_balance", "balance"),)
                    id: Mapped[int] = mapped_column(primary_key=True)
                    balance: Mapped[Money] = mapped_column(Numeric(10, 2))
            """,
        },
    )
    users = _table(pipeline_schema(root), "users")
    assert users.incomplete == () and users.inexact == () and users.naming_unknown == ()
    assert [i.name for i in users.indexes] == ["ix_users_balance"]
    balance = users.column("balance")
    assert balance is not None and not balance.nullable and balance.nullable_unknown is None


def test_a_class_body_name_shadows_the_module_constant(tmp_path: Path) -> None:
    """``PREFIX`` bound in the body to something unknown is not the module's ``PREFIX``."""
    root = write_project(
        tmp_path,
        {
            "app/base.py": BASE,
            "app/models.py": """
                from sqlalchemy import Index
                from sqlalchemy.orm import Mapped, mapped_column
                from app.base import Base

                PREFIX = "ix"

                class User(Base):
                    __tablename__ = "users"
                    PREFIX = compute_prefix()
                    __table_args__ = (Index(f"{PREFIX}_users_name", "name"),)
                    id: Mapped[int] = mapped_column(primary_key=True)
                    name: Mapped[str]
            """,
        },
    )
    users = _table(pipeline_schema(root), "users")
    assert [i.name for i in users.indexes] == [None]
    assert users.naming_unknown


def test_a_project_helper_given_the_metadata_may_add_indexes_to_every_table(
    tmp_path: Path,
) -> None:
    """dispatch: ``make_searchable(Base.metadata)`` adds GIN indexes through listeners (a false
    SL002 for each of them if the tables were judged)."""
    root = write_project(
        tmp_path,
        {
            "app/search.py": """
                def make_searchable(metadata):
                    for table in metadata.tables.values():
                        pass
            """,
            "app/base.py": """
                from sqlalchemy.orm import DeclarativeBase
                from app.search import make_searchable

                class Base(DeclarativeBase):
                    pass

                make_searchable(Base.metadata)
            """,
            "app/models.py": """
                from sqlalchemy.orm import Mapped, mapped_column
                from app.base import Base

                class Case(Base):
                    __tablename__ = "case"
                    id: Mapped[int] = mapped_column(primary_key=True)
            """,
            "migrations/versions/0001_case.py": """
                import sqlalchemy as sa
                from alembic import op

                revision = "0001"
                down_revision = None

                def upgrade():
                    op.create_table("case", sa.Column("id", sa.Integer(), primary_key=True),
                                    sa.Column("search_vector", sa.Text()))
                    op.create_index("case_search_vector_idx", "case", ["search_vector"])
            """,
        },
    )
    from schema_lint.engine import check

    project = load_project(root, load_config(root))
    result = check(project)
    assert result.diagnostics == ()
    (reason,) = result.schemas.models.tables["case"].incomplete
    assert reason == "`make_searchable(...)` at line 8 may add indexes or constraints"
    assert any(
        p.kind == "unanalysable" and "the 1 table(s) of `Base.metadata`" in p.message
        for p in result.problems
    )


def test_flask_table_calls_that_are_not_assigned_declare_tables(tmp_path: Path) -> None:
    """indico: ``db.Table('name', db.metadata, ...)`` as a statement of its own."""
    root = write_project(
        tmp_path,
        {
            "app/db.py": """
                from flask_sqlalchemy import SQLAlchemy

                db = SQLAlchemy()
            """,
            "app/models.py": """
                from app.db import db

                class Tag(db.Model):
                    id = db.Column(db.Integer, primary_key=True)

                db.Table(
                    "tag_links",
                    db.metadata,
                    db.Column("tag_id", db.ForeignKey("tag.id"), primary_key=True),
                    db.Column("link_id", db.Integer, primary_key=True),
                )
            """,
        },
    )
    links = _table(pipeline_schema(root), "tag_links")
    assert links.incomplete == () and links.primary_key is not None
    assert links.primary_key.columns == ("tag_id", "link_id")


def test_the_models_schema_is_rebuilt_when_a_module_it_read_changes(tmp_path: Path) -> None:
    from schema_lint.cache import FactsCache

    root = write_project(
        tmp_path,
        {
            "app/base.py": BASE,
            "app/names.py": 'USERS = "users"\n',
            "app/models.py": """
                from sqlalchemy.orm import Mapped, mapped_column
                from app.base import Base
                from app.names import USERS

                class User(Base):
                    __tablename__ = USERS
                    id: Mapped[int] = mapped_column(primary_key=True)
            """,
        },
    )
    config = load_config(root)

    def tables() -> list[str]:
        cache = FactsCache.load(tmp_path / "cache")
        names = sorted(build_schemas(load_project(root, config, cache=cache), cache).models.tables)
        cache.save()
        return names

    assert tables() == ["users"]
    assert tables() == ["users"]  # from the cache
    (root / "app/names.py").write_text('USERS = "accounts"\n')
    assert tables() == ["accounts"]
    (root / "app/names.py").unlink()
    (root / "app/other.py").write_text("")
    assert tables() == ["<User>"]


def test_an_edited_module_changes_the_schema_in_the_editor(tmp_path: Path) -> None:
    from schema_lint.project import with_file_text

    root = write_project(
        tmp_path,
        {
            "app/base.py": BASE,
            "app/mixins.py": """
                class Flags:
                    archived = False
            """,
            "app/models.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import declared_attr
                from app.base import Base
                from app.mixins import Flags

                class Archivable(Flags):
                    @declared_attr
                    def archived_by(cls):
                        if cls.archived:
                            return Column(Integer, index=True)
                        return None

                class Post(Archivable, Base):
                    __tablename__ = "posts"
                    id = Column(Integer, primary_key=True)
            """,
        },
    )
    project = load_project(root, load_config(root))
    columns = [c.name for c in build_schemas(project).models.tables["posts"].columns]
    assert columns == ["id"]
    edited = with_file_text(
        project, str(root / "app/mixins.py"), "class Flags:\n    archived = True\n"
    )
    columns = [c.name for c in build_schemas(edited).models.tables["posts"].columns]
    assert columns == ["id", "archived_by"]


def test_the_language_server_rechecks_when_a_module_the_models_read_is_edited(
    tmp_path: Path,
) -> None:
    """Typing in a plain mixin module (no facts of its own) must refresh the findings."""
    from schema_lint.lsp.settings import Settings
    from schema_lint.lsp.workspace import Document, Root, Snapshot

    root = write_project(
        tmp_path,
        {
            "app/base.py": BASE,
            "app/flags.py": "class Flags:\n    indexed = False\n",
            "app/models.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import declared_attr
                from app.base import Base
                from app.flags import Flags

                class Owned(Flags):
                    @declared_attr
                    def owner_id(cls):
                        if cls.indexed:
                            return Column(Integer, index=True)
                        return Column(Integer)

                class Post(Owned, Base):
                    __tablename__ = "posts"
                    id = Column(Integer, primary_key=True)
            """,
            "migrations/versions/0001.py": """
                import sqlalchemy as sa
                from alembic import op

                revision = "0001"
                down_revision = None

                def upgrade():
                    op.create_table("posts", sa.Column("id", sa.Integer(), primary_key=True),
                                    sa.Column("owner_id", sa.Integer()))
                    op.create_index("ix_posts_owner_id", "posts", ["owner_id"])
            """,
        },
    )
    workspace = Root(root, Settings())
    first = workspace.refresh()
    assert first is not None
    assert [d.code for ds in first.diagnostics.values() for d in ds] == ["SL002"]
    path = str(root / "app/flags.py")
    workspace.open(Document(path, path, Snapshot("class Flags:\n    indexed = True\n", 2, 1)))
    second = workspace.refresh()
    assert second is not None and second.revision > first.revision
    assert [d.code for ds in second.diagnostics.values() for d in ds] == []


def test_the_new_facts_round_trip_through_the_cache_codec(tmp_path: Path) -> None:
    """Code (mixed arguments), declared_attr programs, constants, functions and the
    dependencies of schemas and revisions are plain data the cache can keep."""
    from model_helpers import FIXTURES
    from schema_lint.cache.facts import pack, unpack
    from schema_lint.cache.registry import facts_codec
    from schema_lint.facts.files import FileFacts

    codec = facts_codec()
    root = FIXTURES / "modules"
    project = load_project(root, load_config(root))
    schema = build_schemas(project).models
    assert schema.depends_on is not None and schema.depends_on.files
    for facts in project.files.values():
        data = unpack(pack(codec.encoder(FileFacts)(facts)))
        assert codec.decoder(FileFacts)(data) == facts
    assert codec.decoder(Schema)(unpack(pack(codec.encoder(Schema)(schema)))) == schema
    mixins = next(f for p, f in project.files.items() if p.endswith("mixins.py"))
    assert mixins.model is not None
    assert any(c.declared for c in mixins.model.classes)
