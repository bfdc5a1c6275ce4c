"""Every declaration style, and every way uniqueness or an index can be declared, through the
whole engine: flagged where the pair or the index is missing, accepted where it is declared."""

from __future__ import annotations

from pathlib import Path

import pytest
from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.project import load_project

DECL = """\
from sqlalchemy import Column, ForeignKey, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)


class Role(Base):
    __tablename__ = "roles"
    id: Mapped[int] = mapped_column(primary_key=True)
"""

FLASK_DB = """\
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class Role(db.Model):
    id = db.Column(db.Integer, primary_key=True)
"""

SQLMODEL = """\
from typing import Optional

from sqlmodel import Field, SQLModel, UniqueConstraint


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: Optional[int] = Field(default=None, primary_key=True)


class Role(SQLModel, table=True):
    __tablename__ = "roles"
    id: Optional[int] = Field(default=None, primary_key=True)
"""

JUNCTIONS: dict[str, tuple[str, str]] = {
    # name: (module source, extra lines)
    "mapped-surrogate": (
        DECL,
        """
class UserRole(Base):
    __tablename__ = "user_roles"{args}
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
""",
    ),
    "classic-column": (
        DECL,
        """
class UserRole(Base):
    __tablename__ = "user_roles"{args}
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    role_id = Column("role", Integer, ForeignKey("roles.id"), nullable=False)
""",
    ),
    "imperative-table": (
        DECL,
        """
user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id")),
    Column("role_id", ForeignKey("roles.id")),{table_args}
)
""",
    ),
    "dunder-table": (
        DECL,
        """
class UserRole(Base):
    __table__ = Table(
        "user_roles",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", ForeignKey("users.id")),
        Column("role_id", ForeignKey("roles.id")),{table_args}
    )
""",
    ),
    "flask": (
        FLASK_DB,
        """
user_roles = db.Table(
    "user_roles",
    db.Column("user_id", db.ForeignKey("user.id")),
    db.Column("role_id", db.ForeignKey("role.id")),{table_args}
)
""",
    ),
    "sqlmodel-link": (
        SQLMODEL,
        """
class UserRole(SQLModel, table=True):
    __tablename__ = "user_roles"{args}
    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    role_id: int = Field(foreign_key="roles.id")
""",
    ),
}

UNIQUE_ARGS = '\n    __table_args__ = (UniqueConstraint("user_id", "role_id"),)'
UNIQUE_TABLE = '\n    UniqueConstraint("user_id", "role_id"),'
UNIQUE_DB_TABLE = '\n    db.UniqueConstraint("user_id", "role_id"),'


def run(tmp_path: Path, source: str) -> list[tuple[str, str | None, tuple[str, ...]]]:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    (tmp_path / "models.py").write_text(source)
    result = check(load_project(tmp_path, load_config(tmp_path)))
    assert not [p for p in result.problems if p.kind == "incomplete-table"], result.problems
    return [(d.code, d.table, d.payload.columns) for d in result.diagnostics]


def junction(name: str, args: str = "", table_args: str = "") -> str:
    head, body = JUNCTIONS[name]
    return head + body.replace("{args}", args).replace("{table_args}", table_args)


@pytest.mark.parametrize("style", sorted(JUNCTIONS))
def test_sl001_flags_every_style(tmp_path: Path, style: str) -> None:
    found = run(tmp_path, junction(style))
    assert [(code, table) for code, table, _ in found] == [("SL001", "user_roles")]
    pair = found[0][2]
    assert set(pair) == {"user_id", "role_id"} or set(pair) == {"user_id", "role"}


@pytest.mark.parametrize("style", sorted(JUNCTIONS))
def test_sl001_accepts_a_unique_constraint_in_every_style(tmp_path: Path, style: str) -> None:
    args = UNIQUE_ARGS
    if style == "classic-column":
        args = '\n    __table_args__ = (UniqueConstraint("user_id", "role"),)'
    table_args = UNIQUE_DB_TABLE if style == "flask" else UNIQUE_TABLE
    assert run(tmp_path, junction(style, args, table_args)) == []


@pytest.mark.parametrize(
    ("args", "flagged"),
    [
        (
            '\n    __table_args__ = (UniqueConstraint("user_id", "role_id"), {"comment": "x"})',
            False,
        ),
        ('\n    __table_args__ = (Index("ux", "user_id", "role_id", unique=True),)', False),
        ('\n    __table_args__ = (Index("ux", "role_id", "user_id", unique=True),)', False),
        ('\n    __table_args__ = (Index("ix", "user_id", "role_id"),)', True),
        (
            '\n    __table_args__ = (Index("ux", "user_id", "role_id", unique=True,'
            ' postgresql_where="role_id > 0"),)',
            True,
        ),
        ('\n    __table_args__ = (UniqueConstraint("user_id"),)', False),
        ('\n    __table_args__ = (PrimaryKeyConstraint("id", "user_id", "role_id"),)', True),
        ('\n    __table_args__ = {"schema": "auth"}', True),
    ],
    ids=[
        "tuple-with-dict",
        "unique-index",
        "unique-index-reversed",
        "plain-index",
        "partial-unique-index",
        "subset-of-pair",
        "pk-with-id",
        "dict-only",
    ],
)
def test_sl001_ways_of_declaring_uniqueness(tmp_path: Path, args: str, flagged: bool) -> None:
    source = junction("mapped-surrogate", args).replace(
        'ForeignKey("users.id")',
        'ForeignKey("auth.users.id")' if "auth" in args else 'ForeignKey("users.id")',
    )
    found = run(tmp_path, source)
    assert [code for code, _, _ in found] == (["SL001"] if flagged else [])


def test_sl001_composite_primary_key_and_module_level_unique_index(tmp_path: Path) -> None:
    composite = (
        DECL
        + """
class UserRole(Base):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"), primary_key=True)
"""
    )
    assert run(tmp_path, composite) == []
    module_index = junction("mapped-surrogate") + (
        '\n\nIndex("ux_user_roles", UserRole.user_id, UserRole.role_id, unique=True)\n'
    )
    assert run(tmp_path, module_index) == []


def test_sl001_secondary_and_payload(tmp_path: Path) -> None:
    payload = junction("mapped-surrogate").replace(
        '    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))\n',
        '    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))\n'
        "    note: Mapped[str] = mapped_column(String(100))\n",
    )
    assert run(tmp_path, payload) == []
    secondary = (
        payload
        + """
class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    roles = relationship("Role", secondary="user_roles")
"""
    )
    assert [code for code, _, _ in run(tmp_path, secondary)] == ["SL001"]


# -- SL002 ----------------------------------------------------------------------------------

MIGRATION = """\
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
    )
    {index}
"""

TOKENS = """\
from sqlalchemy import Column, Index, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


class Base(DeclarativeBase):
    pass


class HashMixin:
    token_hash: Mapped[str] = mapped_column(String(64){mixin})


class Token(HashMixin, Base):
    __tablename__ = "tokens"{args}
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column({user})
{extra}"""


def run_sl002(tmp_path: Path, index: str, **parts: str) -> list[tuple[str, int, str | None]]:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    versions = tmp_path / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    (versions / "0001.py").write_text(MIGRATION.replace("{index}", index))
    source = TOKENS
    for key in ("mixin", "args", "user", "extra"):
        source = source.replace("{" + key + "}", parts.get(key, ""))
    (tmp_path / "models.py").write_text(source)
    result = check(load_project(tmp_path, load_config(tmp_path)))
    return [(d.code, d.span.line, d.key.object) for d in result.diagnostics]


SINGLE = 'op.create_index(op.f("ix_tokens_user_id"), "tokens", ["user_id"])'
PAIR = 'op.create_index("ix_tokens_user_hash", "tokens", ["user_id", "token_hash"])'
HASH = 'op.create_index(op.f("ix_tokens_token_hash"), "tokens", ["token_hash"], unique=True)'


@pytest.mark.parametrize(
    ("index", "parts", "expected"),
    [
        (SINGLE, {}, [("SL002", 16, "ix_tokens_user_id")]),
        (SINGLE, {"user": "index=True"}, []),
        (SINGLE, {"args": '\n    __table_args__ = (Index("ix_tokens_user_id", "user_id"),)'}, []),
        (SINGLE, {"extra": '\n\nIndex("ix_tokens_user_id", Token.user_id)\n'}, []),
        (SINGLE, {"extra": '\n\nIndex("ix_tokens_user_id", Token.__table__.c.user_id)\n'}, []),
        (SINGLE, {"user": "unique=True, index=True"}, [("SL009", 16, "ix_tokens_user_id")]),
        (
            SINGLE.replace('op.f("ix_tokens_user_id")', '"idx_tokens_user"'),
            {"user": "index=True"},
            [("SL002", 16, "idx_tokens_user")],
        ),
        (PAIR, {}, [("SL002", 14, "ix_tokens_user_hash")]),
        (
            PAIR,
            {
                "args": '\n    __table_args__ = (Index("ix_tokens_user_hash", "user_id",'
                ' "token_hash"),)'
            },
            [],
        ),
        (
            PAIR,
            {
                "args": '\n    __table_args__ = (Index("ix_tokens_user_hash", "token_hash",'
                ' "user_id"),)'
            },
            [("SL009", 15, "ix_tokens_user_hash")],
        ),
        (HASH, {}, [("SL002", 13, "ix_tokens_token_hash")]),
        (HASH, {"mixin": ", unique=True, index=True"}, []),
        (HASH, {"mixin": ", index=True"}, [("SL009", 13, "ix_tokens_token_hash")]),
    ],
    ids=[
        "missing",
        "index-true",
        "table-args",
        "module-level",
        "module-level-table-c",
        "uniqueness-differs",
        "name-differs",
        "composite-missing",
        "composite-declared",
        "composite-order-differs",
        "mixin-missing",
        "mixin-declared",
        "mixin-not-unique",
    ],
)
def test_sl002_ways_of_declaring_an_index(
    tmp_path: Path, index: str, parts: dict[str, str], expected: list[tuple[str, int, str]]
) -> None:
    assert run_sl002(tmp_path, index, **parts) == expected


def test_sl001_composite_key_with_a_payload_column_is_not_a_junction(tmp_path: Path) -> None:
    # airflow's asset references: PRIMARY KEY (asset_id, dag_id, task_id), task_id is payload.
    source = (
        DECL
        + """
class Dag(Base):
    __tablename__ = "dags"
    id: Mapped[int] = mapped_column(primary_key=True)


class TaskRef(Base):
    __tablename__ = "task_refs"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    dag_id: Mapped[int] = mapped_column(ForeignKey("dags.id"), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(50), primary_key=True)
"""
    )
    assert run(tmp_path, source) == []
