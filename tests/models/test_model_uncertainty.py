"""What cannot be read is unknown fact by fact, not table by table, and real-world styles
(superset, airflow, mlflow, indico, prefect) resolve: see docs/real-world.md."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from model_helpers import build, build_one, extract_source
from schema_lint.config import load_config
from schema_lint.diagnostics import Diagnostic
from schema_lint.engine import check
from schema_lint.facts.models import Code, MetaDataDecl, Template
from schema_lint.facts.schema import Schema, Table
from schema_lint.project import load_project


def table(schema: Schema, name: str) -> Table:
    assert name in schema.tables, sorted(schema.tables)
    return schema.tables[name]


def problems(schema: Schema) -> list[tuple[str, str]]:
    return [(p.kind, p.message) for p in schema.problems]


def run_check(tmp_path: Path, files: dict[str, str]) -> list[Diagnostic]:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'example'\n")
    for rel, source in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return list(check(load_project(tmp_path, load_config(tmp_path))).diagnostics)


SLICE_USER = """
    from flask_appbuilder import Model
    from sqlalchemy import Column, ForeignKey, Index, Integer, Table

    metadata = Model.metadata

    slice_user = Table(
        "slice_user",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", Integer, ForeignKey("ab_user.id"), index=True),
        Column("slice_id", Integer, ForeignKey("slices.id")),
        Index("slice_user_pair", "user_id", "slice_id"),
    )
"""


# --- 1. an unreadable MetaData: only the names it derives are unknown -------------------------


def test_unknown_library_metadata_leaves_columns_and_keys_known() -> None:
    schema = build(
        {
            "/proj/app/slice.py": SLICE_USER,
            "/proj/app/dashboard.py": """
                from flask_appbuilder import Model
                from sqlalchemy import Column, ForeignKey, Integer, Table

                dashboard_user = Table(
                    "dashboard_user",
                    Model.metadata,
                    Column("user_id", Integer, ForeignKey("ab_user.id"), unique=True),
                )
            """,
        }
    )
    slice_user = table(schema, "slice_user")
    assert slice_user.incomplete == ()
    assert slice_user.naming_unknown == ("metadata `metadata` cannot be read",)
    assert slice_user.primary_key is not None and slice_user.primary_key.columns == ("id",)
    assert slice_user.primary_key.name is None
    assert [(f.columns, f.ref_table, f.name) for f in slice_user.foreign_keys] == [
        (("user_id",), "ab_user", None),
        (("slice_id",), "slices", None),
    ]
    # index=True is named by the (unknown) convention; an explicit name is kept.
    assert sorted((i.name or "", i.columns) for i in slice_user.indexes) == [
        ("", ("user_id",)),
        ("slice_user_pair", ("user_id", "slice_id")),
    ]
    dashboard_user = table(schema, "dashboard_user")
    assert dashboard_user.incomplete == ()
    assert [(u.name, u.columns) for u in dashboard_user.unique_constraints] == [
        (None, ("user_id",))
    ]
    # One MetaData reached from two files under two spellings: one problem.
    assert problems(schema) == [
        (
            "unanalysable",
            "metadata `metadata` cannot be read: the names its naming convention gives in 2 "
            "table(s) are unknown, so their indexes are compared by columns and uniqueness only, "
            "and its tables are checked as if in the default schema",
        )
    ]


def test_junction_on_an_unknown_metadata_is_flagged(tmp_path: Path) -> None:
    diagnostics = run_check(tmp_path, {"app/models.py": SLICE_USER})
    assert [(d.code, d.table, d.payload.columns) for d in diagnostics] == [
        ("SL001", "slice_user", ("user_id", "slice_id"))
    ]


MIGRATION = """
    import sqlalchemy as sa
    from alembic import op

    revision = "0001"
    down_revision = None


    def upgrade():
        op.create_table(
            "slice_user",
            sa.Column("id", sa.Integer(), primary_key=True),
            sa.Column("user_id", sa.Integer()),
            sa.Column("slice_id", sa.Integer()),
            sa.UniqueConstraint("user_id", "slice_id"),
        )
        op.create_index("ix_slice_user_user_id", "slice_user", ["user_id"])
        op.create_index("slice_user_pair_old", "slice_user", ["user_id", "slice_id"])
        op.create_index("idx_slice_id", "slice_user", ["slice_id"])


    def downgrade():
        op.drop_table("slice_user")
"""


def test_index_comparison_by_columns_when_the_model_names_are_unknown(tmp_path: Path) -> None:
    model = SLICE_USER.replace(
        '        Index("slice_user_pair", "user_id", "slice_id"),\n',
        '        Index("slice_user_pair", "user_id", "slice_id"),\n'
        '        UniqueConstraint("user_id", "slice_id"),\n',
    ).replace("Index, Integer, Table", "Index, Integer, Table, UniqueConstraint")
    diagnostics = run_check(
        tmp_path, {"app/models.py": model, "alembic/versions/0001_slice_user.py": MIGRATION}
    )
    # `ix_slice_user_user_id` is the model's index=True, `slice_user_pair_old` its explicit
    # index (under a convention that may rename it): neither is reported. `idx_slice_id` is
    # missing from the model whatever the names, and the fix must name it explicitly.
    assert [(d.code, d.payload.index) for d in diagnostics] == [("SL002", "idx_slice_id")]
    (missing,) = diagnostics
    assert missing.payload is not None and missing.payload.conventional is False


# --- 2. MetaData arguments are read one by one ------------------------------------------------


def test_metadata_arguments_are_read_one_by_one() -> None:
    module = extract_source(
        """
        from sqlalchemy import MetaData

        a = MetaData(schema=_get_schema(), naming_convention={"uq": "uq_%(table_name)s"})
        b = MetaData("app")
        c = MetaData(get_schema())
        d = MetaData(**options)
        e = MetaData(naming_convention=build())
        """
    )
    decls = {b.target[0]: b.value for b in module.metadatas}
    assert decls["a"] == MetaDataDecl((("uq", "uq_%(table_name)s"),), schema_unreadable=True)
    assert decls["b"] == MetaDataDecl(schema="app")
    assert decls["c"] == MetaDataDecl(schema_unreadable=True)
    assert decls["d"] == MetaDataDecl(unreadable=True, schema_unreadable=True)
    assert decls["e"] == MetaDataDecl(unreadable=True)


def test_unreadable_schema_keeps_the_convention() -> None:
    body = """
        from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, UniqueConstraint
        from sqlalchemy.orm import registry

        metadata = MetaData(
            schema=_get_schema(),
            naming_convention={
                "ix": "idx_%(column_0_label)s",
                "uq": "%(table_name)s_%(column_0_name)s_uq",
            },
        )
        Base = registry(metadata=metadata).generate_base()

        class Dag(Base):
            __tablename__ = "dag"
            __table_args__ = (UniqueConstraint("name"),)
            id = Column(Integer, primary_key=True)
            name = Column(String, index=True)

        class Tagged(Base):
            __tablename__ = "tagged"
            __table_args__ = {"schema": "tags"}
            id = Column(Integer, primary_key=True)
            dag_id = Column(Integer, ForeignKey("dag.id"), index=True)
    """
    schema = build_one(body)
    assert sorted(schema.tables) == ["dag", "tags.tagged"]
    dag = table(schema, "dag")
    assert dag.incomplete == ()
    assert [u.name for u in dag.unique_constraints] == ["dag_name_uq"]
    assert [(i.name, i.columns) for i in dag.indexes] == [(None, ("name",))]
    assert dag.naming_unknown == ("the schema= of this MetaData cannot be read",)
    tagged = table(schema, "tags.tagged")  # its own schema: the label is known
    assert [i.name for i in tagged.indexes] == ["idx_tags_tagged_dag_id"]
    assert tagged.naming_unknown == ()
    ((kind, message),) = problems(schema)
    assert kind == "unanalysable"
    assert message.startswith("the schema= of this MetaData cannot be read: its 2 table(s)")
    assert "column labels in 1 of them" in message


def test_custom_convention_tokens_only_hide_the_names_using_them() -> None:
    schema = build_one(
        """
        from sqlalchemy import Column, ForeignKey, Integer, MetaData
        from sqlalchemy.orm import declarative_base

        def _column_names(constraint, table):
            return "_".join(c.name for c in constraint.columns)

        convention = {
            "ix": "ix_%(table_name)s_%(column_names)s",
            "pk": "pk_%(table_name)s",
            "column_names": _column_names,
        }
        Base = declarative_base(metadata=MetaData(naming_convention=convention))

        class Item(Base):
            __tablename__ = "items"
            id = Column(Integer, primary_key=True)
            owner_id = Column(Integer, ForeignKey("owners.id"), index=True)
        """
    )
    items = table(schema, "items")
    assert items.incomplete == ()
    assert items.primary_key is not None and items.primary_key.name == "pk_items"
    assert [i.name for i in items.indexes] == [None]
    assert items.naming_unknown == ("the naming convention 'ix' uses a token that cannot be read",)


# --- 3. and 4. class bodies: bare column variables and earlier string constants ---------------


def test_table_args_name_columns_by_their_class_variables() -> None:
    schema = build_one(
        """
        from sqlalchemy import Column, ForeignKey, Index, Integer
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class TeamMember(Base):
            __tablename__ = "team_members"
            id = Column(Integer, primary_key=True)
            team_id = Column("team", Integer, ForeignKey("teams.id"))
            user_id = Column(Integer, ForeignKey("users.id"))
            __table_args__ = (Index("idx_team", team_id), Index("idx_pair", team_id, user_id))
        """
    )
    members = table(schema, "team_members")
    assert members.incomplete == ()
    assert [(i.name, i.columns) for i in members.indexes] == [
        ("idx_team", ("team",)),
        ("idx_pair", ("team", "user_id")),
    ]


def test_class_body_string_constants_are_in_scope_for_later_names() -> None:
    module = extract_source(
        """
        from sqlalchemy import Index

        class Metric(Base):
            __tablename__ = "metrics"
            PREFIX = "index_" + __tablename__
            UPPER = f"{__tablename__.upper()}_X"
            by_step = Index(f"{PREFIX}_step", "step")
            __table_args__ = (
                Index(f"index_{__tablename__}_run_uuid", "run_uuid"),
                Index(PREFIX + "_key", "key"),
                Index(UPPER, "value"),
                Index(LATER, "value"),
            )
            LATER = "too_late"
        """
    )
    (metric,) = module.classes
    assert metric.table_args is not None
    names = [(i.name, i.name_unreadable) for i in metric.table_args.items]
    assert names == [
        ("index_metrics_run_uuid", False),
        ("index_metrics_key", False),
        ("METRICS_X", False),
        (Template(Code("name", ("LATER",))), False),  # not bound yet: a module name
    ]
    assert [c.name for c in metric.constraints] == ["index_metrics_step"]
    assert all(i.unreadable == () for i in metric.table_args.items)


def test_a_reassigned_or_conditional_name_is_no_longer_a_constant() -> None:
    module = extract_source(
        """
        from sqlalchemy import Index

        class T(Base):
            __tablename__ = "t"
            prefix = "a"
            prefix = compute()
            if FLAG:
                other = "b"
            __table_args__ = (Index(prefix + "_x", "x"), Index(other + "_y", "y"))
        """
    )
    (cls,) = module.classes
    assert cls.table_args is not None
    assert [(i.name, i.name_unreadable) for i in cls.table_args.items] == [
        (None, True),
        (None, True),
    ]


# --- 5. a frozen copy on another MetaData -----------------------------------------------------


FROZEN = """
    from sqlalchemy import Column, Integer
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()

    class UserRole(Base):
        __tablename__ = "user_roles"
        id = Column(Integer, primary_key=True)
"""

MAIN = """
    from sqlalchemy import Column, ForeignKey, Integer
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()

    class User(Base):
        __tablename__ = "users"
        id = Column(Integer, primary_key=True)

    class UserRole(Base):
        __tablename__ = "user_roles"
        id = Column(Integer, primary_key=True)
        user_id = Column(Integer, ForeignKey("users.id"))
"""


def test_a_copy_on_another_metadata_does_not_hide_the_real_table() -> None:
    schema = build({"/proj/app/migrations_helpers/frozen.py": FROZEN, "/proj/app/models.py": MAIN})
    roles = table(schema, "user_roles")
    assert roles.incomplete == ()
    assert roles.span is not None and roles.span.path == "/proj/app/models.py"
    assert [c.name for c in roles.columns] == ["id", "user_id"]
    ((kind, message),) = problems(schema)
    assert kind == "duplicate-table"
    assert message.startswith("table user_roles is also declared on another MetaData at /proj")


def test_a_copy_in_a_migrations_folder_loses_even_to_an_unreadable_base() -> None:
    real = """
        from sqlalchemy import Column, ForeignKey, Integer
        from flask_appbuilder import Model

        class UserRole(Model):
            __tablename__ = "user_roles"
            id = Column(Integer, primary_key=True)
            user_id = Column(Integer, ForeignKey("users.id"))
    """
    schema = build({"/proj/app/migrations/shared/frozen.py": FROZEN, "/proj/app/models.py": real})
    roles = table(schema, "user_roles")
    assert roles.span is not None and roles.span.path == "/proj/app/models.py"
    assert [p.kind for p in schema.problems if p.span.path.endswith("frozen.py")] == [
        "duplicate-table"
    ]


def test_same_metadata_duplicates_and_ambiguous_copies_stay_incomplete() -> None:
    twice = build_one(
        MAIN + '\n    class Again(Base):\n        __tablename__ = "users"\n'
        "        id = Column(Integer, primary_key=True)\n"
    )
    assert table(twice, "users").incomplete == ("table users is declared more than once",)
    tie = build({"/proj/app/a.py": FROZEN, "/proj/app/b.py": FROZEN})
    assert table(tie, "user_roles").incomplete == (
        "table user_roles is declared on several MetaData of the same size",
    )


# --- 6. and 7. Flask-SQLAlchemy through re-exports, subclasses, and a local `db` --------------


INDICO_DB = {
    "/proj/app/__init__.py": "",
    "/proj/app/core/__init__.py": "",
    "/proj/app/core/db/__init__.py": "from .sqlalchemy import db\n\n__all__ = ['db']\n",
    "/proj/app/core/db/sqlalchemy/__init__.py": "from .core import db  # noqa: F401\n",
    "/proj/app/core/db/sqlalchemy/core.py": """
        from flask_sqlalchemy import SQLAlchemy
        from flask_sqlalchemy.model import BindMetaMixin
        from sqlalchemy.ext.declarative import DeclarativeMeta, declarative_base

        from app.core.db.sqlalchemy.util import AppModel

        class AppSQLAlchemy(SQLAlchemy):
            pass

        class NoNameGenMeta(BindMetaMixin, DeclarativeMeta):
            pass

        naming_convention = {"pk": "pk_%(table_name)s", "uq": "uq_%(table_name)s_%(column_0_name)s"}

        db = AppSQLAlchemy(model_class=declarative_base(cls=AppModel, metaclass=NoNameGenMeta))
        db.Model.metadata.naming_convention = naming_convention
    """,
    "/proj/app/core/db/sqlalchemy/util.py": """
        from sqlalchemy import Column, DateTime

        class AppModel:
            created_dt = Column(DateTime)
    """,
    "/proj/app/models.py": """
        from app.core.db import db

        class Membership(db.Model):
            __tablename__ = "memberships"
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer, db.ForeignKey("users.id"), unique=True)
    """,
}


def test_db_through_re_exporting_packages_and_a_subclass() -> None:
    memberships = table(build(INDICO_DB), "memberships")
    assert memberships.incomplete == ()
    assert [c.name for c in memberships.columns] == ["id", "user_id", "created_dt"]
    assert memberships.primary_key is not None and memberships.primary_key.name == "pk_memberships"
    assert [u.name for u in memberships.unique_constraints] == ["uq_memberships_user_id"]


def test_flask_model_class_made_by_declarative_base_names_tables_only_with_flask_meta() -> None:
    source = """
        from flask_sqlalchemy import SQLAlchemy
        from flask_sqlalchemy.model import DefaultMeta
        from sqlalchemy.orm import declarative_base

        db = SQLAlchemy(model_class=declarative_base(metaclass={meta}))

        class UserAccount(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """
    named = build_one(source.replace("{meta}", "DefaultMeta"))
    assert sorted(named.tables) == ["user_account"]
    unnamed = build_one(source.replace("{meta}", "None"))
    assert unnamed.tables == {}  # declarative_base's own metaclass needs __tablename__


def test_db_table_with_a_local_db_takes_its_metadata() -> None:
    schema = build_one(
        """
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy import MetaData

        db = SQLAlchemy(metadata=MetaData(naming_convention={"uq": "uq_%(table_name)s"}))

        tags = db.Table(
            "tags",
            db.Column("post_id", db.ForeignKey("post.id")),
            db.Column("tag_id", db.ForeignKey("tag.id")),
            db.UniqueConstraint("post_id", "tag_id"),
        )
        """
    )
    tags = table(schema, "tags")
    assert tags.incomplete == ()
    assert [u.name for u in tags.unique_constraints] == ["uq_tags"]
    assert schema.problems == ()


# --- 8. prefect: a snake-cased class name, a registry, `cls.<column>`; types ------------------


def test_tablename_from_a_regular_expression_on_the_class_name() -> None:
    source = """
        import re
        from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

        CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

        class Base(DeclarativeBase):
            pass

        class A:
            @declared_attr.directive
            def __tablename__(cls) -> str:
                return CAMEL.sub("_", cls.__name__).lower()

        class B:
            @declared_attr
            def __tablename__(cls):
                return "t_" + re.sub(r"([a-z])([A-Z])", r"\\1_\\2", cls.__name__).lower()

        class FlowRun(A, Base):
            id: Mapped[int] = mapped_column(primary_key=True)

        class TaskRunState(B, Base):
            id: Mapped[int] = mapped_column(primary_key=True)
        """
    module = extract_source(source)
    assert [c.name for c in module.constants] == ["CAMEL"]
    a, b = module.classes[1:3]
    assert a.tablename is not None and isinstance(a.tablename.value, Template)
    assert b.tablename is not None and isinstance(b.tablename.value, Template)
    schema = build_one(source)
    assert sorted(schema.tables) == ["flow_run", "t_task_run_state"]
    assert all(not t.incomplete for t in schema.tables.values())


def test_prefect_style_base() -> None:
    schema = build(
        {
            "/proj/app/utilities.py": """
                import re
                import sqlalchemy as sa

                CAMEL_TO_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
            """,
            "/proj/app/models.py": """
                from typing import ClassVar
                import sqlalchemy as sa
                from sqlalchemy.orm import (
                    DeclarativeBase, Mapped, declared_attr, mapped_column, registry,
                )
                from sqlalchemy.sql.functions import coalesce
                from app.types import DateTime
                from app.utilities import CAMEL_TO_SNAKE

                class Base(DeclarativeBase):
                    registry: ClassVar[registry] = registry(
                        metadata=sa.MetaData(
                            naming_convention={"ix": "ix_%(table_name)s__%(column_0_N_name)s"}
                        )
                    )

                    @declared_attr.directive
                    def __tablename__(cls) -> str:
                        return CAMEL_TO_SNAKE.sub("_", cls.__name__).lower()

                    id: Mapped[int] = mapped_column(primary_key=True)
                    created: Mapped[DateTime]

                class Run:
                    start_time: Mapped[DateTime] = mapped_column(index=True)
                    expected_start_time: Mapped[DateTime] = mapped_column()

                class FlowRun(Run, Base):
                    @declared_attr.directive
                    @classmethod
                    def __table_args__(cls):
                        return (
                            sa.Index(
                                "ix_flow_run__coalesce",
                                coalesce(cls.start_time, cls.expected_start_time).desc(),
                            ),
                            sa.Index("ix_flow_run__expected", cls.__table__.c.expected_start_time),
                        )
            """,
        }
    )
    assert sorted(schema.tables) == ["flow_run"]
    flow_run = table(schema, "flow_run")
    assert flow_run.incomplete == ()
    assert sorted((i.name or "", i.columns) for i in flow_run.indexes) == [
        ("ix_flow_run__coalesce", ("coalesce(start_time, expected_start_time) DESC",)),
        ("ix_flow_run__expected", ("expected_start_time",)),
        ("ix_flow_run__start_time", ("start_time",)),
    ]
    # A CapWords type from a module that is not analysed: only nullability is unknown.
    assert flow_run.inexact == ("type DateTime cannot be read: module app.types is not analysed",)


def test_unreadable_check_text_is_inexact_not_incomplete() -> None:
    schema = build_one(
        """
        from sqlalchemy import CheckConstraint, Column, Integer, String
        from sqlalchemy.orm import declarative_base

        Base = declarative_base()

        class Experiment(Base):
            __tablename__ = "experiments"
            id = Column(Integer, primary_key=True)
            stage = Column(String(32))
            __table_args__ = (CheckConstraint(stage.in_(["active", "deleted"]), name="stage"),)
        """
    )
    experiments = table(schema, "experiments")
    assert experiments.incomplete == ()
    assert experiments.inexact == ("CheckConstraint text cannot be read",)
    assert [(c.name, c.sqltext) for c in experiments.check_constraints] == [("stage", "")]


@pytest.mark.parametrize("alias", ["intpk", "PK"])
def test_column_aliases_from_unread_modules_still_make_the_table_incomplete(alias: str) -> None:
    schema = build_one(
        f"""
        from sqlalchemy.orm import DeclarativeBase, Mapped
        from app.types import {alias}

        class Base(DeclarativeBase):
            pass

        class T(Base):
            __tablename__ = "t"
            id: Mapped[{alias}]
        """
    )
    (reason,) = table(schema, "t").incomplete
    assert reason.startswith(f"type {alias} cannot be read")


# --- indexes added by project helpers ---------------------------------------------------------


def test_a_project_helper_given_a_model_may_add_indexes() -> None:
    schema = build(
        {
            "/proj/app/util.py": """
                import sqlalchemy as sa

                def make_fts_index(model, column):
                    sa.Index(f"ix_{model.__tablename__}_{column}_fts", getattr(model, column))
            """,
            "/proj/app/models.py": """
                from sqlalchemy import Column, Integer, String, event
                from sqlalchemy.orm import declarative_base
                from app.util import make_fts_index
                from app import signals

                Base = declarative_base()

                class Affiliation(Base):
                    __tablename__ = "affiliations"
                    id = Column(Integer, primary_key=True)
                    name = Column(String)

                class Plain(Base):
                    __tablename__ = "plain"
                    id = Column(Integer, primary_key=True)

                make_fts_index(Affiliation, "name")
                event.listen(Plain, "before_insert", print)
                signals.acl.entry_changed.connect(print, sender=Plain)
                print(Plain)
            """,
        }
    )
    line = 18  # of the dedented source
    assert table(schema, "affiliations").incomplete == (
        f"`make_fts_index(...)` at line {line} may add indexes or constraints",
    )
    assert table(schema, "plain").incomplete == ()
    assert [(p.kind, p.span.line) for p in schema.problems] == [("unanalysable", line)]


def test_a_predicate_only_sqlalchemy_can_write_leaves_its_index_unjudged(tmp_path: Path) -> None:
    """prefect 3.9.1: ``postgresql_where=cls.state_type == StateType.SCHEDULED`` (an enum
    member from another module) was compared as its Python source with the migration's
    ``WHERE state_type = 'SCHEDULED'``: a false SL009. A readable predicate still is."""
    model = """
        import enum

        from sqlalchemy import Column, Index, Integer, String, text
        from sqlalchemy.orm import declarative_base

        from app.states import StateType

        Base = declarative_base()


        class Run(Base):
            __tablename__ = "runs"
            id = Column(Integer, primary_key=True)
            state = Column(String(20))
            deployment_id = Column(Integer)
            __table_args__ = (
                Index("ix_runs_scheduled", deployment_id, postgresql_where=state == StateType.S),
                Index("ix_runs_running", deployment_id, postgresql_where=text("state = 'R'")),
            )
    """
    revision = """
        import sqlalchemy as sa
        from alembic import op

        revision = "1"
        down_revision = None


        def upgrade():
            op.create_table(
                "runs",
                sa.Column("id", sa.Integer, primary_key=True),
                sa.Column("state", sa.String(20)),
                sa.Column("deployment_id", sa.Integer),
            )
            op.create_index(
                "ix_runs_scheduled", "runs", ["deployment_id"],
                postgresql_where=sa.text("state = 'SCHEDULED'"),
            )
            op.create_index("ix_runs_running", "runs", ["deployment_id"])
    """
    found = run_check(
        tmp_path,
        {
            "app/models.py": model,
            "app/states.py": "import enum\n\nclass StateType(enum.Enum):\n    S = 'SCHEDULED'\n",
            "migrations/versions/0001.py": revision,
        },
    )
    assert [(d.code, d.key.object) for d in found] == [("SL009", "ix_runs_running")]


OPS_MODEL = """
    from sqlalchemy import Column, Index, Integer, String
    from sqlalchemy.orm import declarative_base

    Base = declarative_base()


    class Reschedule(Base):
        __tablename__ = "reschedules"
        id = Column(Integer, primary_key=True)
        ti_id = Column(Integer)
        name = Column(String(50))
        __table_args__ = (
            Index("ix_reschedules_ti_id_id_desc", ti_id, id.desc()),
            Index("trgm_ix_reschedules_name", "name", postgresql_using="gin"{ops}),
        )
"""
OPS_REVISION = """
    import sqlalchemy as sa
    from alembic import op

    revision = "1"
    down_revision = None


    def upgrade():
        op.create_table(
            "reschedules",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("ti_id", sa.Integer),
            sa.Column("name", sa.String(50)),
        )
        op.create_index(
            "ix_reschedules_ti_id_id_desc", "reschedules", ["ti_id", "id"],
            postgresql_ops={"id": "DESC"},
        )
        op.execute(
            "CREATE INDEX trgm_ix_reschedules_name ON reschedules USING gin (name gin_trgm_ops)"
        )
"""


def test_postgresql_ops_on_both_sides(tmp_path: Path) -> None:
    """airflow: ``create_index(..., ["ti_id", "id"], postgresql_ops={"id": "DESC"})`` is the
    model's ``Index(..., ti_id, id.desc())`` on PostgreSQL (a false SL009 while the option was
    not read); prefect: a trigram index the model declares without its operator class is a
    real difference, and stops being one once the model says ``postgresql_ops``."""
    files = {"migrations/versions/0001.py": OPS_REVISION}
    without = run_check(tmp_path, {**files, "app/models.py": OPS_MODEL.format(ops="")})
    assert [(d.code, d.key.object) for d in without] == [("SL009", "trgm_ix_reschedules_name")]
    ops = ', postgresql_ops={"name": "gin_trgm_ops"}'
    assert run_check(tmp_path, {**files, "app/models.py": OPS_MODEL.format(ops=ops)}) == []
