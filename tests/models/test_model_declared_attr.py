"""``declared_attr`` bodies evaluated for each class: exactly, or reported as unknown."""

from __future__ import annotations

import pytest
from model_helpers import build, build_one, extract_source
from schema_lint.facts.models import DeclaredAttrDecl
from schema_lint.facts.schema import Schema

HEAD = """
import re
import enum
from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import DeclarativeBase, column_property, declared_attr, relationship

class Base(DeclarativeBase):
    pass
"""


def _columns(schema: Schema, table: str) -> list[str]:
    return [c.name for c in schema.tables[table].columns]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("return cls.__name__.lower()", "useraccount"),
        ('return "accounts"', "accounts"),
        ('return f"app_{cls.__name__.lower()}s"', "app_useraccounts"),
        ('return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()', "user_account"),
        (  # dispatch
            'names = re.split("(?=[A-Z])", cls.__name__)\n'
            'return "_".join([x.lower() for x in names if x])',
            "user_account",
        ),
        (  # one character at a time
            'return "".join(["_" + c.lower() if c.isupper() else c for c in cls.__name__])'
            '.lstrip("_")',
            "user_account",
        ),
        (
            'name = ""\nfor c in cls.__name__:\n    if c.isupper() and name:\n'
            '        name += "_"\n    name += c.lower()\nreturn name',
            "user_account",
        ),
        ("return snake(cls.__name__)", "user_account"),
        ("return snake(cls.__name__, prefix='t_')", None),  # keyword arguments: not read
    ],
)
def test_tablename_from_the_class_name(body: str, expected: str | None) -> None:
    indented = "\n".join("        " + line for line in body.split("\n"))
    schema = build_one(
        HEAD
        + "\ndef snake(name, prefix=''):\n"
        + '    return prefix + re.sub("([a-z])([A-Z])", r"\\1_\\2", name).lower()\n'
        + "\nclass Named:\n    @declared_attr.directive\n    def __tablename__(cls):\n"
        + indented
        + "\n\nclass UserAccount(Named, Base):\n    id = Column(Integer, primary_key=True)\n"
    )
    if expected is None:
        (name,) = schema.tables
        assert name == "<UserAccount>" and schema.tables[name].incomplete
    else:
        assert list(schema.tables) == [expected]
        assert schema.tables[expected].incomplete == ()


def test_tablename_from_a_helper_in_another_model_file() -> None:
    schema = build(
        {
            "/proj/app/naming.py": """
                import re
                from sqlalchemy.orm import DeclarativeBase, declared_attr

                def resolve_table_name(name):
                    names = re.split("(?=[A-Z])", name)
                    return "_".join([x.lower() for x in names if x])
            """,
            "/proj/app/models.py": """
                from sqlalchemy import Column, Integer
                from sqlalchemy.orm import DeclarativeBase, declared_attr
                from app.naming import resolve_table_name

                class Base(DeclarativeBase):
                    @declared_attr.directive
                    def __tablename__(cls):
                        return resolve_table_name(cls.__name__)

                class IncidentCostType(Base):
                    id = Column(Integer, primary_key=True)
            """,
        }
    )
    assert list(schema.tables) == ["incident_cost_type"]


def test_a_tablename_returning_none_is_single_table_inheritance() -> None:
    schema = build_one(
        HEAD
        + """
class Named:
    @declared_attr.directive
    def __tablename__(cls):
        if cls.__name__ == "Employee":
            return "employees"
        return None

class Employee(Named, Base):
    id = Column(Integer, primary_key=True)
    kind = Column(String(20))

class Manager(Employee):
    budget = Column(Integer)
"""
    )
    assert list(schema.tables) == ["employees"]
    assert _columns(schema, "employees") == ["id", "kind", "budget"]


MIXIN = """
class Kind(enum.Enum):
    email = 1
    network = 2

class Principal:
    allow_emails = False
    kinds = {Kind.network}

    @declared_attr
    def email(cls):
        if not cls.allow_emails:
            return
        return Column(String, nullable=True, index=True)

    @declared_attr
    def network_id(cls):
        if Kind.network in cls.kinds:
            return Column(Integer, ForeignKey("networks.id"), index=True)

    @declared_attr
    def note(cls):
        \"\"\"Statements before the return.\"\"\"
        size = 200
        try:
            size = compute(size)
        except ValueError:
            pass
        return Column(String(size))

    @declared_attr
    def note_length(cls):
        return column_property(cls.note)

class Network(Base):
    __tablename__ = "networks"
    id = Column(Integer, primary_key=True)
"""


def test_columns_declared_only_for_some_classes() -> None:
    schema = build_one(
        HEAD
        + MIXIN
        + """
class Plain(Principal, Base):
    __tablename__ = "plain"
    id = Column(Integer, primary_key=True)

class WithEmail(Principal, Base):
    __tablename__ = "with_email"
    allow_emails = True
    kinds = {Kind.email, Kind.email}
    id = Column(Integer, primary_key=True)
"""
    )
    assert _columns(schema, "plain") == ["id", "network_id", "note"]
    assert _columns(schema, "with_email") == ["id", "email", "note"]
    assert [i.name for i in schema.tables["with_email"].indexes] == ["ix_with_email_email"]
    assert all(not t.incomplete for t in schema.tables.values())


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        ("allow_emails = compute()", "cls.allow_emails is not a constant"),
        ("kinds = {Kind.network, Kind.other}", "a set whose members may be equal"),
    ],
)
def test_a_condition_that_cannot_be_evaluated_leaves_the_table_unchecked(
    attributes: str, reason: str
) -> None:
    schema = build_one(
        HEAD
        + MIXIN
        + f"""
class Odd(Principal, Base):
    __tablename__ = "odd"
    {attributes}
    id = Column(Integer, primary_key=True)
"""
    )
    incomplete = " ".join(schema.tables["odd"].incomplete)
    assert "declared_attr `" in incomplete and "of Principal cannot be read for Odd" in incomplete
    assert reason in incomplete or "a condition" in incomplete


def test_members_with_equal_values_are_aliases() -> None:
    """``Kind.b`` is ``Kind.a`` when their values are equal: never assumed distinct."""
    schema = build_one(
        HEAD
        + """
class Kind(enum.Enum):
    a = 1
    b = 1

class M:
    kinds = {Kind.a, Kind.b}

    @declared_attr
    def extra(cls):
        if len(cls.kinds) > 1:
            return Column(Integer)

class T(M, Base):
    __tablename__ = "t"
    id = Column(Integer, primary_key=True)
"""
    )
    assert schema.tables["t"].incomplete


def test_table_args_chosen_for_each_class() -> None:
    schema = build_one(
        HEAD
        + """
class Owned:
    owner_required = True

    @declared_attr
    def __table_args__(cls):
        if cls.owner_required:
            return (Index(f"ix_{cls.__tablename__}_owner", "owner_id"), {"schema": "app"})
        return {}

    owner_id = Column(Integer)

class Order(Owned, Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)

class Gift(Owned, Base):
    __tablename__ = "gifts"
    owner_required = False
    id = Column(Integer, primary_key=True)
"""
    )
    assert sorted(schema.tables) == ["app.orders", "gifts"]
    assert [i.name for i in schema.tables["app.orders"].indexes] == ["ix_orders_owner"]
    assert schema.tables["gifts"].indexes == ()


def test_a_relationship_with_secondary_counts_for_the_classes_that_have_it() -> None:
    schema = build_one(
        HEAD
        + """
links = Table(
    "links",
    Base.metadata,
    Column("a_id", ForeignKey("a.id")),
    Column("b_id", ForeignKey("b.id")),
)

class Linked:
    linked = False

    @declared_attr
    def others(cls):
        if cls.linked:
            return relationship("B", secondary="links")

class A(Linked, Base):
    __tablename__ = "a"
    linked = True
    id = Column(Integer, primary_key=True)

class B(Linked, Base):
    __tablename__ = "b"
    id = Column(Integer, primary_key=True)
"""
    )
    assert len(schema.tables["links"].secondary_of) == 1


def test_declared_attr_programs_are_facts() -> None:
    module = extract_source(HEAD + MIXIN)
    principal = next(c for c in module.classes if c.name == "Principal")
    assert [d.name for d in principal.declared] == ["email", "network_id", "note"]
    assert all(isinstance(d, DeclaredAttrDecl) for d in principal.declared)
    assert [c.name for c in principal.constants] == ["allow_emails", "kinds"]
    assert principal.unreadable == ()


def test_a_body_returning_from_inside_a_loop_it_cannot_keep_is_unreadable() -> None:
    module = extract_source(
        HEAD
        + """
class M:
    @declared_attr
    def x(cls):
        with context():
            return Column(Integer)
"""
    )
    (m,) = [c for c in module.classes if c.name == "M"]
    assert m.unreadable == ("declared_attr `x` cannot be read",)


@pytest.mark.parametrize(
    "expression",
    [
        '"a" * 100_000_000',
        're.sub("(a+)+$", "", "a" * 5000 + "b")',
        "[x for x in cls.__name__ * 10000]",
    ],
)
def test_evaluation_is_bounded(expression: str) -> None:
    schema = build_one(
        HEAD
        + f"""
class M:
    @declared_attr.directive
    def __tablename__(cls):
        return {expression}

class T(M, Base):
    id = Column(Integer, primary_key=True)
"""
    )
    assert list(schema.tables) == ["<T>"]
