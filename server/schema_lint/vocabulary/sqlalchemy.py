"""SQLAlchemy and Alembic vocabulary: the names schema-lint recognises, and kinds as enums.

Every stage that reads or writes SQLAlchemy code (``extract/``, ``schema/``, ``fixes/``)
takes its names from here, so that a construct is recognised the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

MODEL_LIBRARIES = frozenset({"sqlalchemy", "sqlmodel", "flask_sqlalchemy"})
"""Top-level packages whose model-side names are trusted without looking further."""

MIGRATION_LIBRARIES = frozenset(
    {"sqlalchemy", "alembic", "sqlmodel", "sqlalchemy_utils", "geoalchemy2"}
)
"""Packages a migration may call without hiding schema operations."""

SCHEMA_MODULES = ("sqlalchemy", "sqlalchemy.schema", "sqlalchemy.sql.schema", "sqlmodel")
"""Modules that export ``Column``, ``Index``, the constraints and ``Table``."""

COLUMN_CALLS = frozenset({"Column", "mapped_column", "Field"})
"""Calls that declare a column (SQLModel's ``Field`` included)."""

RELATIONSHIP_CALLS = frozenset({"relationship", "relation", "Relationship"})
COLUMN_WRAPPERS = frozenset({"deferred", "column_property"})


class ConstraintKind(str, Enum):
    """What a constraint or index declaration is; compares equal to its value."""

    INDEX = "index"
    UNIQUE = "unique"
    PRIMARY_KEY = "primary_key"
    FOREIGN_KEY = "foreign_key"
    CHECK = "check"

    @property
    def construct(self) -> str:
        """The SQLAlchemy class that declares it (``UniqueConstraint``)."""
        return _CONSTRUCTS[self]

    @property
    def convention_key(self) -> str:
        """Its key in a naming convention (``uq``)."""
        return _CONVENTION_KEYS[self]


_CONSTRUCTS: Mapping[ConstraintKind, str] = {
    ConstraintKind.INDEX: "Index",
    ConstraintKind.UNIQUE: "UniqueConstraint",
    ConstraintKind.PRIMARY_KEY: "PrimaryKeyConstraint",
    ConstraintKind.FOREIGN_KEY: "ForeignKeyConstraint",
    ConstraintKind.CHECK: "CheckConstraint",
}
_CONVENTION_KEYS: Mapping[ConstraintKind, str] = {
    ConstraintKind.INDEX: "ix",
    ConstraintKind.UNIQUE: "uq",
    ConstraintKind.PRIMARY_KEY: "pk",
    ConstraintKind.FOREIGN_KEY: "fk",
    ConstraintKind.CHECK: "ck",
}

CONSTRAINT_CALLS: Mapping[str, ConstraintKind] = {
    construct: kind for kind, construct in _CONSTRUCTS.items()
}
"""``Index``/constraint class names to their kind."""
