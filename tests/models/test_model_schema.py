"""Resolving declarations across files into the schema: one behaviour per test."""

from __future__ import annotations

import hashlib
import textwrap

import pytest
from model_helpers import build, build_one
from schema_lint.facts.schema import Schema, Table

HEADER = """
    from typing import Annotated, List, Optional
    import sqlalchemy as sa
    from sqlalchemy import (
        Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint, func, text,
    )
    from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

    class Base(DeclarativeBase):
        pass
"""


def schema_of(body: str, dialect: str = "postgresql") -> Schema:
    return build_one(HEADER + body, dialect)


def table(schema: Schema, name: str) -> Table:
    assert name in schema.tables, sorted(schema.tables)
    return schema.tables[name]


def kinds(schema: Schema) -> list[tuple[str, int]]:
    return [(p.kind, p.span.line) for p in schema.problems]


def at(body: str, needle: str, *, header: str = HEADER) -> tuple[int, int]:
    """(line, column) of the first occurrence of ``needle`` in the dedented source."""
    for number, line in enumerate(textwrap.dedent(header + body).split("\n"), 1):
        if needle in line:
            return number, line.index(needle)
    raise AssertionError(needle)


# --- columns ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declaration", "nullable", "primary_key"),
    [
        ("x = Column(Integer)", True, False),
        ("x = Column(Integer, primary_key=True)", False, True),
        ("x = Column(Integer, sa.Identity())", False, False),
        ("x = Column(Integer, primary_key=True, nullable=True)", True, True),
        ("x: Mapped[int]", False, False),
        ("x: Mapped[Optional[int]]", True, False),
        ("x: Mapped[int | None] = mapped_column()", True, False),
        ("x: Mapped['Optional[int]']", True, False),
        ("x: Mapped[int] = mapped_column(nullable=True)", True, False),
        ("x: Mapped[Optional[int]] = mapped_column(primary_key=True)", True, True),
        ("x = mapped_column(Integer)", True, False),
        ("x = mapped_column(Integer, primary_key=True)", False, True),
        ("x: Mapped[int] = Column(Integer)", True, False),
    ],
)
def test_nullability_follows_sqlalchemy(
    declaration: str, nullable: bool, primary_key: bool
) -> None:
    schema = schema_of(
        f"""
    class T(Base):
        __tablename__ = "t"
        id = Column(Integer, primary_key=True)
        {declaration}
    """
    )
    column = table(schema, "t").column("x")
    assert column is not None
    assert (column.nullable, column.primary_key) == (nullable, primary_key)


def test_annotated_aliases_across_modules() -> None:
    schema = build(
        {
            "/proj/app/types.py": """
                from typing import Annotated, Optional
                from sqlalchemy import ForeignKey
                from sqlalchemy.orm import mapped_column

                intpk = Annotated[int, mapped_column(primary_key=True)]
                required = Annotated[Optional[str], mapped_column(nullable=False, index=True)]
                user_fk = Annotated[int, mapped_column(ForeignKey("users.id"))]
                maybe_required = Optional[required]
            """,
            "/proj/app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped
                from app.types import intpk, maybe_required, required, user_fk

                class Base(DeclarativeBase):
                    pass

                class Post(Base):
                    __tablename__ = "posts"
                    id: Mapped[intpk]
                    title: Mapped[required]
                    subtitle: Mapped[maybe_required]
                    author_id: Mapped[user_fk]
            """,
        }
    )
    posts = table(schema, "posts")
    assert posts.primary_key is not None and posts.primary_key.columns == ("id",)
    assert [(c.name, c.nullable) for c in posts.columns] == [
        ("id", False),
        ("title", False),
        ("subtitle", False),
        ("author_id", False),
    ]
    assert {i.name for i in posts.indexes} == {"ix_posts_title", "ix_posts_subtitle"}
    assert [(f.columns, f.ref_table, f.ref_columns) for f in posts.foreign_keys] == [
        (("author_id",), "users", ("id",))
    ]


def test_attribute_key_and_sql_name() -> None:
    schema = schema_of(
        """
    class Account(Base):
        __tablename__ = "accounts"
        __table_args__ = (UniqueConstraint("acct", "region"),)
        id: Mapped[int] = mapped_column(primary_key=True)
        account_id = Column("acct", Integer)
        region: Mapped[str] = mapped_column("region_code", key="region")

    Index("ix_accounts_account", Account.account_id)
    """
    )
    accounts = table(schema, "accounts")
    account = accounts.column("acct")
    assert account is not None and account.key == "account_id"
    id_column = accounts.column("id")
    assert id_column is not None and id_column.key is None
    (index,) = accounts.indexes
    assert index.columns == ("acct",)
    (unique,) = accounts.unique_constraints
    assert unique.columns[0] == "acct"


def test_column_spans_point_at_the_declaration() -> None:
    body = """
    class User(Base):
        __tablename__ = "users"
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str] = mapped_column(index=True)
    """
    schema = schema_of(body)
    users = table(schema, "users")
    email = users.column("email")
    assert email is not None and email.span is not None
    assert (email.span.line, email.span.col) == at(body, "email:")
    (index,) = users.indexes
    assert (index.declared_by, index.span) == ("column", email.span)
    assert users.span is not None
    assert (users.span.line, users.span.col) == at(body, "__tablename__")
    assert users.class_name == "User"
    assert users.class_span is not None
    assert (users.class_span.line, users.class_span.col) == at(body, "class User")
    assert users.class_span.end_col == len("class User(Base):")


# --- names ------------------------------------------------------------------------------------


def test_default_index_names_with_schema_and_truncation() -> None:
    long_table = "a" * 40
    long_column = "b" * 30
    schema = schema_of(
        f"""
    class Short(Base):
        __tablename__ = "short"
        __table_args__ = {{"schema": "sales"}}
        id = Column(Integer, primary_key=True)
        code = Column(String, index=True, unique=True)
        label = Column(String, unique=True)

    class Long(Base):
        __tablename__ = "{long_table}"
        id = Column(Integer, primary_key=True)
        {long_column} = Column(String, index=True)
    """
    )
    short = table(schema, "sales.short")
    assert [(i.name, i.unique) for i in short.indexes] == [("ix_sales_short_code", True)]
    assert [(u.name, u.columns) for u in short.unique_constraints] == [(None, ("label",))]
    full = f"ix_{long_table}_{long_column}"
    digest = hashlib.md5(full.encode()).hexdigest()[-4:]
    (index,) = table(schema, long_table).indexes
    assert len(full) > 63
    assert index.name == f"{full[:55]}_{digest}"


def test_naming_convention_from_project_metadata() -> None:
    schema = build(
        {
            "/proj/app/db.py": """
                from flask_sqlalchemy import SQLAlchemy
                from sqlalchemy import MetaData
                from .conventions import CONVENTION

                db = SQLAlchemy(metadata=MetaData(naming_convention=CONVENTION))
            """,
            "/proj/app/conventions.py": """
                CONVENTION = {
                    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
                    "ix": "i_%(column_0_name)s",
                }
            """,
            "/proj/app/models.py": """
                from app.db import db

                class Item(db.Model):
                    __table_args__ = (db.UniqueConstraint("a", "b"), db.Index(None, "b"))
                    id = db.Column(db.Integer, primary_key=True)
                    a = db.Column(db.Integer)
                    b = db.Column(db.Integer, index=True)
            """,
        }
    )
    item = table(schema, "item")
    assert [u.name for u in item.unique_constraints] == ["uq_item_a_b"]
    assert sorted(i.name or "" for i in item.indexes) == ["i_b", "i_b"]
    assert dict(schema.naming_convention) == {
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ix": "i_%(column_0_name)s",
    }


def test_metadata_schema_and_late_convention_assignment() -> None:
    schema = schema_of(
        """
    from sqlalchemy import MetaData
    from sqlalchemy.orm import declarative_base

    Legacy = declarative_base(metadata=MetaData(schema="legacy"))
    Legacy.metadata.naming_convention = {"ix": "legacy_%(column_0_name)s"}

    class Old(Legacy):
        __tablename__ = "old"
        id = Column(Integer, primary_key=True)
        name = Column(String, index=True)
    """
    )
    old = table(schema, "legacy.old")
    assert [i.name for i in old.indexes] == ["legacy_name"]


# --- indexes and constraints ------------------------------------------------------------------


def test_expression_indexes_keep_sql_text() -> None:
    schema = schema_of(
        """
    class User(Base):
        __tablename__ = "users"
        __table_args__ = (
            Index("ix_users_lower", text("lower(email)"), postgresql_where=text("active")),
        )
        id: Mapped[int] = mapped_column(primary_key=True)
        email: Mapped[str]
        created: Mapped[int]
        deleted: Mapped[Optional[int]]

        by_created = Index("ix_users_created", created.desc())

    Index(None, func.lower(User.email), User.created, postgresql_where=User.deleted.is_(None))
    Index("ix_users_desc", sa.desc(User.created), unique=True)
    """
    )
    users = table(schema, "users")
    found = {i.name: (i.columns, i.expressions, i.where, i.unique) for i in users.indexes}
    assert found == {
        "ix_users_lower": (("lower(email)",), True, "active", False),
        "ix_users_created": (("created DESC",), True, None, False),
        "ix_users_email": (("lower(email)", "created"), True, "deleted IS NULL", False),
        "ix_users_desc": (("created DESC",), True, None, True),
    }


def test_desc_of_a_column_name_is_that_column_descending() -> None:
    """prefect 3.1.5: ``Index("ix", sa.desc("expected_start_time"))`` compiles to
    ``expected_start_time DESC`` (a string given to ``desc``/``asc`` names a column, it is not
    a string literal); it was read as ``'expected_start_time' DESC``, and SL009 reported the
    migration's ``sa.text("expected_start_time DESC")`` as a different index."""
    schema = schema_of(
        """
    class Run(Base):
        __tablename__ = "runs"
        __table_args__ = (
            sa.Index("ix_runs_start_desc", sa.desc("start")),
            Index("ix_runs_end_asc", sa.asc("end"), sa.nullsfirst("start")),
        )
        id: Mapped[int] = mapped_column(primary_key=True)
        start: Mapped[int]
        end: Mapped[int]
    """
    )
    found = {i.name: i.columns for i in table(schema, "runs").indexes}
    assert found == {
        "ix_runs_start_desc": ("start DESC",),
        "ix_runs_end_asc": ("end ASC", "start NULLS FIRST"),
    }


def test_dialect_specific_indexes() -> None:
    body = """
    class T(Base):
        __tablename__ = "t"
        __table_args__ = (
            Index("ix_pg", "id").ddl_if(dialect="postgresql"),
            Index("ix_lite", "id").ddl_if(dialect="sqlite"),
        )
        id = Column(Integer, primary_key=True)
    """
    on_pg = table(schema_of(body), "t").indexes
    assert [(i.name, i.dialect) for i in on_pg] == [("ix_pg", "postgresql")]
    on_sqlite = table(schema_of(body, dialect="sqlite"), "t").indexes
    assert [(i.name, i.dialect) for i in on_sqlite] == [("ix_lite", "sqlite")]


def test_composite_primary_keys() -> None:
    schema = schema_of(
        """
    class Link(Base):
        __tablename__ = "links"
        b = Column(Integer, primary_key=True)
        a = Column(Integer, primary_key=True)

    class Pair(Base):
        __tablename__ = "pairs"
        __table_args__ = (sa.PrimaryKeyConstraint("y", "x", name="pairs_pk"),)
        x: Mapped[Optional[int]]
        y: Mapped[int] = mapped_column(nullable=True)
    """
    )
    links = table(schema, "links")
    assert links.primary_key is not None and links.primary_key.columns == ("b", "a")
    pairs = table(schema, "pairs")
    assert pairs.primary_key is not None
    assert (pairs.primary_key.name, pairs.primary_key.columns) == ("pairs_pk", ("y", "x"))
    assert [(c.name, c.nullable, c.primary_key) for c in pairs.columns] == [
        ("x", False, True),
        ("y", True, True),
    ]


def test_foreign_keys_by_string_object_and_constraint() -> None:
    schema = schema_of(
        """
    class Parent(Base):
        __tablename__ = "parents"
        __table_args__ = {"schema": "core"}
        id = Column("pid", Integer, primary_key=True)

    class Child(Base):
        __tablename__ = "children"
        __table_args__ = (
            sa.ForeignKeyConstraint(
                ["p1", "p2"], ["core.parents.pid", "other.x"], ondelete="CASCADE"
            ),
        )
        id = Column(Integer, primary_key=True)
        parent_id = Column(Integer, ForeignKey(Parent.id, ondelete="SET NULL"))
        p1 = Column(Integer)
        p2 = Column(Integer)
    """
    )
    fks = {
        f.columns: (f.ref_table, f.ref_columns, f.ondelete)
        for f in table(schema, "children").foreign_keys
    }
    assert fks == {
        ("parent_id",): ("core.parents", ("pid",), "SET NULL"),
        ("p1", "p2"): ("core.parents", ("pid", "x"), "CASCADE"),
    }


# --- inheritance ------------------------------------------------------------------------------


def test_mixins_and_abstract_bases_from_other_modules() -> None:
    schema = build(
        {
            "/proj/app/base.py": """
                from sqlalchemy import Column, Integer, Index
                from sqlalchemy.orm import DeclarativeBase, declared_attr

                class Base(DeclarativeBase):
                    pass

                class Model(Base):
                    __abstract__ = True
                    id = Column(Integer, primary_key=True)

                class Owned:
                    owner_id = Column(Integer, index=True)

                    @declared_attr
                    def __table_args__(cls):
                        return (Index(f"ix_{cls.__tablename__}_owner", "owner_id", "id"),)

                    @declared_attr
                    def __tablename__(cls):
                        return cls.__name__.lower() + "s"
            """,
            "/proj/app/models/things.py": """
                from sqlalchemy import Column, String
                from ..base import Model, Owned

                class Thing(Owned, Model):
                    name = Column(String)
            """,
        }
    )
    things = table(schema, "things")
    assert things.span == things.class_span
    assert [(c.name, c.inherited_from) for c in things.columns] == [
        ("name", None),
        ("owner_id", "Owned"),
        ("id", "Model"),
    ]
    assert {(i.name, i.inherited_from, i.declared_by) for i in things.indexes} == {
        ("ix_things_owner_id", "Owned", "column"),
        ("ix_things_owner", "Owned", "index"),
    }


def test_single_and_joined_table_inheritance() -> None:
    schema = schema_of(
        """
    class Employee(Base):
        __tablename__ = "employees"
        id = Column(Integer, primary_key=True)
        kind = Column(String)

    class Manager(Employee):
        budget = Column(Integer, index=True)

    class Engineer(Employee):
        __tablename__ = "engineers"
        id = Column(Integer, ForeignKey("employees.id"), primary_key=True)
        language = Column(String)

    Index("ix_manager_budget_kind", Manager.budget, Manager.kind)
    """
    )
    assert sorted(schema.tables) == ["employees", "engineers"]
    employees = table(schema, "employees")
    assert [c.name for c in employees.columns] == ["id", "kind", "budget"]
    assert {i.name for i in employees.indexes} == {"ix_employees_budget", "ix_manager_budget_kind"}
    assert [c.name for c in table(schema, "engineers").columns] == ["id", "language"]


def test_flask_sqlalchemy_table_names() -> None:
    schema = build(
        {
            "/proj/app/ext.py": """
                from flask_sqlalchemy import SQLAlchemy
                db = SQLAlchemy()
            """,
            "/proj/app/models.py": """
                from .ext import db

                class UserAccount(db.Model):
                    id = db.Column(db.Integer, primary_key=True)

                class Admin(UserAccount):
                    level = db.Column(db.Integer)

                class APIToken(UserAccount):
                    id = db.Column(db.Integer, db.ForeignKey("user_account.id"), primary_key=True)

                class Named(db.Model):
                    __tablename__ = "explicitly_named"
                    id = db.Column(db.Integer, primary_key=True)
            """,
        }
    )
    assert sorted(schema.tables) == ["api_token", "explicitly_named", "user_account"]
    accounts = table(schema, "user_account")
    assert [c.name for c in accounts.columns] == ["id", "level"]
    assert accounts.span == accounts.class_span


def test_sqlmodel_tables_and_link_models() -> None:
    models = """
        from typing import Optional
        from sqlmodel import Field, Relationship, SQLModel
        from app.base import Stamped

        class Link(SQLModel, table=True):
            a_id: Optional[int] = Field(default=None, foreign_key="teamthing.id", primary_key=True)
            b_id: Optional[int] = Field(default=None, primary_key=True)

        class TeamThing(Stamped, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            name: str = Field(nullable=True)
            links: list["Link"] = Relationship(link_model=Link)

        class TeamThingRead(Stamped):
            id: int
    """
    schema = build(
        {
            "/proj/app/models.py": models,
            "/proj/app/base.py": """
                from typing import Optional
                from sqlmodel import Field, SQLModel

                class Stamped(SQLModel):
                    created: int = Field(index=True)
                    note: Optional[str] = None
            """,
        }
    )
    assert sorted(schema.tables) == ["link", "teamthing"]
    thing = table(schema, "teamthing")
    assert [(c.name, c.nullable, c.inherited_from) for c in thing.columns] == [
        ("created", False, "Stamped"),
        ("note", True, "Stamped"),
        ("id", False, None),
        ("name", True, None),
    ]
    link = table(schema, "link")
    (use,) = link.secondary_of
    assert (use.line, use.col) == at(models, "link_model=Link", header="")
    link_ids = [c for c in link.columns if c.primary_key]
    assert [(c.name, c.nullable) for c in link_ids] == [("a_id", False), ("b_id", False)]
    assert [(f.columns, f.ref_table) for f in link.foreign_keys] == [(("a_id",), "teamthing")]


def test_relationship_secondary_spans() -> None:
    body = """
    user_roles = Table(
        "user_roles", Base.metadata,
        Column("user_id", ForeignKey("users.id")), Column("role_id", ForeignKey("roles.id")),
    )

    class Membership(Base):
        __tablename__ = "memberships"
        user_id = Column(Integer, ForeignKey("users.id"), primary_key=True)
        group_id = Column(Integer, primary_key=True)

    class User(Base):
        __tablename__ = "users"
        id = Column(Integer, primary_key=True)
        roles = relationship("Role", secondary=user_roles)
        roles_by_name = relationship("Role", secondary="user_roles", viewonly=True)
        roles_lazy = relationship("Role", secondary=lambda: user_roles, viewonly=True)
        groups = relationship("Group", secondary=Membership.__table__)
        plain = relationship("Role")
    """
    schema = schema_of(body)
    spans = table(schema, "user_roles").secondary_of
    assert [(s.line, s.col) for s in spans] == [
        at(body, "secondary=user_roles"),
        at(body, 'secondary="user_roles"'),
        at(body, "secondary=lambda"),
    ]
    (membership,) = table(schema, "memberships").secondary_of
    assert (membership.line, membership.col) == at(body, "secondary=Membership")
    assert membership.end_col - membership.col == len("secondary=Membership.__table__")
    assert table(schema, "users").secondary_of == ()


# --- what cannot be read ----------------------------------------------------------------------


def test_unreadable_base_makes_the_table_incomplete() -> None:
    schema = build(
        {
            "/proj/app/models.py": """
                from sqlalchemy import Column, Integer
                from app.base import Base
                from sqlalchemy_utils import Timestamp

                class Thing(Timestamp, Base):
                    __tablename__ = "things"
                    id = Column(Integer, primary_key=True)

                class Other(Base):
                    id = Column(Integer, primary_key=True)
            """
        }
    )
    assert sorted(schema.tables) == ["things"]
    things = table(schema, "things")
    assert len(things.incomplete) >= 2
    assert any("Timestamp" in reason for reason in things.incomplete)
    assert things.naming_unknown == ("metadata `Base.metadata` cannot be read",)
    assert sorted(kinds(schema)) == [
        ("unresolved-base", 6),
        ("unresolved-base", 6),
        ("unresolved-base", 10),
    ]
    line = "class Thing(Timestamp, Base):"
    start, base = line.index("Timestamp"), line.index("Base)")
    assert {(p.span.col, p.span.end_col) for p in schema.problems if p.span.line == 6} == {
        (start, start + len("Timestamp")),
        (base, base + len("Base")),
    }


def test_dynamic_table_args_and_names() -> None:
    body = """
    COMMON = (UniqueConstraint("a"),)

    class A(Base):
        __tablename__ = "a"
        __table_args__ = COMMON + (Index("ix_a_b", "b"),)
        id = Column(Integer, primary_key=True)

    class B(Base):
        __tablename__ = "b"
        __table_args__ = (Index(index_name("b"), "id"),)
        id = Column(Integer, primary_key=True)

    class C(Base):
        @declared_attr
        def __tablename__(cls):
            return settings.prefix + cls.__name__
        id = Column(Integer, primary_key=True)
    """
    schema = schema_of(body)
    assert table(schema, "a").incomplete == ("__table_args__ is computed and cannot be read",)
    b = table(schema, "b")
    assert b.incomplete == ()
    line = at(body, "index_name(")[0]
    assert b.naming_unknown == (f"the name of the Index at line {line} cannot be read",)
    assert [(i.name, i.columns) for i in b.indexes] == [(None, ("id",))]
    c = table(schema, "<C>")
    assert c.incomplete == ("the table name of C cannot be read statically",)
    assert [col.name for col in c.columns] == ["id"]
    assert sorted(kinds(schema)) == [
        ("unanalysable", at(body, "index_name(")[0]),
        ("unanalysable", at(body, "class C(")[0]),
    ]


def test_alias_from_unread_project_module() -> None:
    schema = build(
        {
            "/proj/app/models.py": """
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
                from app.types import intpk

                class Base(DeclarativeBase):
                    pass

                class T(Base):
                    __tablename__ = "t"
                    id: Mapped[intpk]
            """
        }
    )
    (reason,) = table(schema, "t").incomplete
    assert reason.startswith("type intpk cannot be read")


def test_problems_for_constraints_sqlalchemy_ignores() -> None:
    body = """
    class Mixin:
        x = Column(Integer)
        ix_x = Index("ix_mixin_x", x)

    class T(Mixin, Base):
        __tablename__ = "t"
        __table_args__ = (UniqueConstraint("a", "b"))
        id = Column(Integer, primary_key=True)
        a = Column(Integer)
        b = Column(Integer)
        UniqueConstraint("a", "b")
        sa.CheckConstraint("a > b")
        ab = Index("ix_t_ab", a, b)

    Index("ix_t_a", "a")
    Index("ix_t_b", T.b)
    """
    schema = schema_of(body)
    assert sorted(kinds(schema), key=lambda k: k[1]) == [
        ("ignored-constraint", at(body, "ix_mixin_x")[0]),
        ("invalid-table-args", at(body, "__table_args__")[0]),
        ("ignored-constraint", at(body, '    UniqueConstraint("a", "b")')[0]),
        ("ignored-constraint", at(body, "CheckConstraint")[0]),
        ("detached-index", at(body, 'Index("ix_t_a"')[0]),
    ]
    t = table(schema, "t")
    assert {i.name for i in t.indexes} == {"ix_t_ab", "ix_t_b"}
    assert t.unique_constraints == ()
    assert t.incomplete == ("__table_args__ is neither a tuple nor a dict",)


def test_only_sqlalchemy_constructs_are_read() -> None:
    schema = build(
        {
            "/proj/app/models.py": """
                import pandas as pd
                from rich.table import Table
                from sqlalchemy import Integer
                from sqlalchemy.orm import DeclarativeBase
                from .lib import Column

                class Base(DeclarativeBase):
                    pass

                class Index:
                    pass

                class T(Base):
                    __tablename__ = "t"
                    id = Column(Integer, primary_key=True)

                frame_index = pd.Index(["a", "b"])
                Index("x", "y")
                grid = Table("report")
            """,
            "/proj/app/lib.py": """
                from dataclasses import dataclass

                class Column:
                    pass
            """,
        }
    )
    assert table(schema, "t").columns == ()
    assert sorted(schema.tables) == ["t"]
    assert schema.problems == ()


def test_re_exports_relative_star_and_module_imports() -> None:
    schema = build(
        {
            "/proj/app/__init__.py": "",
            "/proj/app/compat.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import *
            """,
            "/proj/app/base.py": """
                from .compat import DeclarativeBase

                class Base(DeclarativeBase):
                    pass
            """,
            "/proj/app/models/__init__.py": "",
            "/proj/app/models/user.py": """
                import app.base
                from ..compat import Column, Integer
                from app.compat import *

                class User(app.base.Base):
                    __tablename__ = "users"
                    id = Column(Integer, primary_key=True)
                    name: Mapped[str] = mapped_column(index=True)
            """,
        }
    )
    users = table(schema, "users")
    assert [c.name for c in users.columns] == ["id", "name"]
    assert [i.name for i in users.indexes] == ["ix_users_name"]
    assert users.incomplete == ()


def test_duplicate_tables_are_flagged() -> None:
    schema = schema_of(
        """
    class A(Base):
        __tablename__ = "same"
        id = Column(Integer, primary_key=True)

    class B(Base):
        __tablename__ = "same"
        id = Column(Integer, primary_key=True)
    """
    )
    assert table(schema, "same").incomplete == ("table same is declared more than once",)


@pytest.mark.parametrize(
    "name",
    ["User", "UserAccount", "HTTPLog", "APIKey", "OAuth2Token", "ABCModel", "Model2Fa", "x", "A"],
)
def test_flask_automatic_names_match_flask_sqlalchemy(name: str) -> None:
    from flask_sqlalchemy.model import camel_to_snake_case as flask_name
    from schema_lint.schema.models import camel_to_snake_case

    assert camel_to_snake_case(name) == flask_name(name)


def test_db_from_an_unread_module_is_trusted_only_when_used_as_flask() -> None:
    schema = build(
        {
            "/proj/app/models.py": """
                from app.extensions import db
                from thirdparty import helpers

                class Post(db.Model):
                    id = db.Column(db.Integer, primary_key=True)
                    title = db.Column(db.String, index=True)
                    helper = helpers.Column(db.Integer)
            """
        }
    )
    post = table(schema, "post")
    assert [c.name for c in post.columns] == ["id", "title"]
    assert [i.name for i in post.indexes] == [None]
    assert post.incomplete == ("db is imported from a module that is not analysed",)


def test_unreadable_index_expressions_are_neither_dropped_silently_nor_flagged() -> None:
    schema = schema_of(
        """
    from app.sql import weird

    class T(Base):
        __tablename__ = "t"
        id = Column(Integer, primary_key=True)
        name = Column(String)
        by_weird = Index("ix_t_weird", weird(name))
        by_lower = Index("ix_t_lower", func.lower(name), weird(name))

    Index("ix_t_module", weird(T.name))
    """
    )
    t = table(schema, "t")
    assert schema.problems == ()
    assert [(i.name, i.columns, i.expressions) for i in t.indexes] == [
        ("ix_t_lower", ("lower(name)", "weird(name)"), True)
    ]
    assert t.incomplete == (
        "Index() in T cannot be read",
        "index expression `weird(name)` cannot be read",
    )


def test_generated_defaults() -> None:
    """A default that gives every row its own value (SL008 does not judge keys holding one);
    constants and literal server defaults do not."""
    schema = schema_of(
        """
    class T(Base):
        __tablename__ = "t"
        id: Mapped[int] = mapped_column(primary_key=True)
        a = Column(String, default=uuid4)
        b = Column(String, default=lambda: str(uuid4()))
        c = Column(String, server_default=func.gen_random_uuid())
        d = Column(String, server_default=text("gen_random_uuid()"))
        e = Column(Integer, default=0)
        f = Column(Integer, server_default=text("0"))
        g = Column(Integer, server_default="0")
        h = Column(Boolean, default=False)
        i: Mapped[int]
    """
    )
    generated = {c.name for c in table(schema, "t").columns if c.generated}
    assert generated == {"a", "b", "c", "d"}
