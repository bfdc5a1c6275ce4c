"""SL001 junction-missing-unique: an association table whose pair can be duplicated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.facts.schema import Table
from schema_lint.rules.context import RuleContext, SideKind
from schema_lint.rules.registry import Example, Option, Rule

BOOKKEEPING_COLUMNS = (
    "created_at",
    "updated_at",
    "created_on",
    "updated_on",
    "modified_at",
    "modified_on",
    "created",
    "updated",
    "modified",
    "inserted_at",
    "added_at",
    "granted_at",
    "assigned_at",
    "created_by",
    "updated_by",
    "modified_by",
    "created_by_id",
    "updated_by_id",
    "modified_by_id",
    "granted_by",
    "granted_by_id",
    "assigned_by",
    "assigned_by_id",
    "added_by",
    "added_by_id",
    "version_id",
    "changed_on",
    "changed_by",
    "changed_by_id",
    "created_by_fk",
    "changed_by_fk",
)


def junction_pair(table: Table, bookkeeping: Sequence[str]) -> tuple[str, ...] | None:
    """The foreign-key columns that make ``table`` a junction, or None if it is not one."""
    keep = set(bookkeeping)
    fk_columns: list[str] = []
    for fk in table.foreign_keys:
        for column in fk.columns:
            if column not in fk_columns and column not in keep:
                fk_columns.append(column)
    if len(fk_columns) < 2:
        return None
    if table.secondary_of:
        return tuple(fk_columns)
    pk = table.primary_key.columns if table.primary_key else ()
    own = [c for c in pk if c not in fk_columns]
    # The surrogate key: a single-column primary key that is not a foreign key, or the `id`
    # of PRIMARY KEY (id, a_id, b_id), which does not make the pair unique. Any other
    # non-foreign-key column of a composite key is part of what the row means (payload).
    surrogate = own[0] if len(own) == 1 and (len(pk) == 1 or own[0] == "id") else None
    for other in table.columns:
        if other.name in fk_columns or other.name == surrogate or other.name in keep:
            continue
        return None
    return tuple(fk_columns)


def is_covered(table: Table, pair: Sequence[str], bookkeeping: Sequence[str] = ()) -> bool:
    """Some primary key, unique constraint or full unique index allows each pair once, or
    each pair once per value of the other columns it adds, when those say what the
    association is (superset's ``UNIQUE (tag_id, object_id, object_type)`` on a polymorphic
    association) rather than when or by whom it was made (``created_at``) or the surrogate
    ``id``."""
    members = set(pair)
    pk = set(table.primary_key.columns) if table.primary_key else set()
    incidental = set(bookkeeping) | (pk - members)
    keys: list[tuple[str, ...]] = []
    if table.primary_key and table.primary_key.columns:
        keys.append(table.primary_key.columns)
    unique = [u.columns for u in table.unique_constraints]
    unique.extend(
        i.columns for i in table.indexes if i.unique and not i.expressions and i.where is None
    )
    keys.extend(unique)
    if any(key and set(key) <= members for key in keys):
        return True
    return any(members < set(key) and not (set(key) - members) & incidental for key in unique)


@dataclass(frozen=True, slots=True)
class JunctionPair:
    """SL001's payload: the junction table and the pair to make unique."""

    table: str
    schema: str | None
    columns: tuple[str, ...]


def check(context: RuleContext) -> Iterable[Diagnostic]:
    bookkeeping = context.options["bookkeeping-columns"]
    for table in context.models.schema.tables.values():
        if table.incomplete or table.span is None:
            continue
        pair = junction_pair(table, bookkeeping)
        covered = is_covered(table, pair, bookkeeping) if pair is not None else False
        if pair is None or covered or _database_refuses(context, table, pair, bookkeeping):
            continue
        columns = ", ".join(pair)
        yield Diagnostic(
            code=RULE.code,
            message=(
                f"junction table `{table.qualified_name}` has no unique constraint on "
                f"({columns}): the same pair can be stored twice"
            ),
            span=table.span,
            severity=RULE.severity,
            key=FindingKey(RULE.code, table.qualified_name, ",".join(pair)),
            payload=JunctionPair(table.name, table.schema, pair),
        )


def _database_refuses(
    context: RuleContext, table: Table, pair: Sequence[str], bookkeeping: Sequence[str]
) -> bool:
    """Every Alembic environment (and the live database, if any) makes the pair unique: the
    database refuses a duplicate, and the model's silence about it is drift (SL003, SL009),
    not a junction defect."""
    found = [
        other
        for side in context.others
        if side.kind in (SideKind.MIGRATIONS, SideKind.DATABASE)
        and (other := side.schema.tables.get(table.qualified_name)) is not None
    ]
    return bool(found) and all(not t.incomplete and is_covered(t, pair, bookkeeping) for t in found)


_MODELS_HEAD = """\
from sqlalchemy import Column, ForeignKey, Integer, String, Table, UniqueConstraint
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

RULE = Rule(
    code="SL001",
    slug="junction-missing-unique",
    summary="Junction table without a unique constraint on its foreign-key pair",
    severity=Severity.ERROR,
    explanation="""\
A junction (association) table links two tables: `user_roles` says which user has which
role. Without a primary key, unique constraint or unique index over its foreign-key pair,
the database accepts the same pair twice. Duplicates then corrupt permission checks,
counts and joins, and deleting "the" link leaves its twin behind.

A table is a junction when it is the `secondary=` of a relationship, or when it has two or
more foreign-key columns and nothing else but an optional single surrogate primary key and
bookkeeping columns (`created_at`, `created_by`, ...; see the `bookkeeping-columns` option).
A composite primary key, `UniqueConstraint` or unique `Index` whose columns are a subset of
the pair makes it safe; `PRIMARY KEY (id, user_id, role_id)` does not.

Fix: add `UniqueConstraint("user_id", "role_id")` to `__table_args__` (or make the pair the
primary key), and write a migration that adds the constraint after removing duplicates.
""",
    check=check,
    flagged=(
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

class UserRole(Base):
    __tablename__ = "user_roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
"""
            },
            "A surrogate key and the pair, nothing unique",
            fixed={
                "models.py": _MODELS_HEAD
                + """

class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role_id", name="uq_user_roles_user_id_role_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
"""
            },
        ),
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id")),
    Column("role_id", ForeignKey("roles.id")),
)
"""
            },
            "An imperative association table",
            fixed={
                "models.py": _MODELS_HEAD
                + """

user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id")),
    Column("role_id", ForeignKey("roles.id")),
    UniqueConstraint("user_id", "role_id", name="uq_user_roles_user_id_role_id"),
)
"""
            },
        ),
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

class Follow(Base):
    __tablename__ = "follows"
    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    followed_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[str] = mapped_column(String(30))
"""
            },
            "A self-referential junction with a bookkeeping column",
            fixed={
                "models.py": _MODELS_HEAD
                + """

class Follow(Base):
    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint(
            "follower_id", "followed_id", name="uq_follows_follower_id_followed_id"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    follower_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    followed_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[str] = mapped_column(String(30))
"""
            },
        ),
    ),
    accepted=(
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
"""
            },
            "A unique constraint on the pair",
        ),
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("role_id", ForeignKey("roles.id"), primary_key=True),
)
"""
            },
            "The pair is the primary key",
        ),
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

class Membership(Base):
    __tablename__ = "memberships"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    title: Mapped[str] = mapped_column(String(100))
"""
            },
            "A payload column: an entity, not a junction",
        ),
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    objects = relationship("Tagged", secondary="tagged_object")


class Tagged(Base):
    __tablename__ = "tagged_object"
    __table_args__ = (UniqueConstraint("tag_id", "object_id", "object_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"))
    object_id: Mapped[int] = mapped_column(ForeignKey("dashboards.id"))
    object_type: Mapped[str] = mapped_column(String(20))
"""
            },
            "A polymorphic association, unique per pair and object type (superset)",
        ),
        Example(
            {
                "models.py": _MODELS_HEAD
                + """

class UserRole(Base):
    __tablename__ = "user_roles"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
""",
                "alembic/versions/0001_user_roles.py": """\
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "user_roles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.UniqueConstraint("user_id", "role_id"),
    )
""",
            },
            "The migrations make the pair unique: the model's silence is drift (SL003)",
        ),
    ),
    payload=JunctionPair,
    options={
        "bookkeeping-columns": Option(
            tuple,
            BOOKKEEPING_COLUMNS,
            "Columns that do not stop a table from being a junction.",
            str,
        ),
    },
)
