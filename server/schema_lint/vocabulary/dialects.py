"""Dialect rules: identifier length and truncation, case folding, naming conventions.

Names are derived the way SQLAlchemy's naming conventions and DDL compiler derive them, and
stored the way each database stores them; rules, fixes and the replay all ask here, so that
a rule and its fix never disagree on a name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass

DEFAULT_CONVENTION: Mapping[str, str] = {"ix": "ix_%(column_0_label)s"}

MAX_IDENTIFIER_LENGTH: Mapping[str, int] = {
    "postgresql": 63,
    "mysql": 64,
    "mariadb": 64,
    "sqlite": 9999,
    "mssql": 128,
    "oracle": 128,
}

DIALECTS = ("postgresql", "sqlite", "mysql", "mariadb", "mssql", "oracle")
"""Every dialect schema-lint knows, ``postgresql`` first (the default)."""

_TOKEN = re.compile(r"%\((\w+)\)s")
_COLUMN_TOKEN = re.compile(r"(?:referred_)?column_(\d+)(_?N)?_(name|label|key)")


@dataclass(frozen=True, slots=True)
class NamingTarget:
    """What a convention may refer to for one constraint or index."""

    kind: str  # "ix", "uq", "pk", "fk", "ck"
    table: str
    schema: str | None
    columns: Sequence[str]
    keys: Sequence[str] | None = None
    name: str | None = None
    """The explicit name given, if any (``%(constraint_name)s``)."""
    referred_table: str | None = None
    referred_columns: Sequence[str] = ()


def convention_name(
    convention: Mapping[str, str], target: NamingTarget, *, final: bool = False
) -> str | None:
    """The name SQLAlchemy gives ``target`` under ``convention``.

    Returns ``target.name`` unchanged when the convention does not apply (no template for the
    kind, an explicit name and no ``%(constraint_name)s`` token, or a name marked final with
    ``op.f()``/``conv()``). Returns ``None`` when the name cannot be derived (unknown token),
    so that callers compare by columns instead of guessing.
    """
    template = convention.get(target.kind)
    if final or template is None:
        return target.name
    if target.name is not None and "constraint_name" not in template:
        return target.name
    if "constraint_name" in template and target.name is None:
        return None
    try:
        return _TOKEN.sub(lambda m: _token_value(m.group(1), target), template)
    except KeyError:
        return None


def _token_value(token: str, target: NamingTarget) -> str:
    if token == "table_name":
        return target.table
    if token == "constraint_name":
        return target.name or ""
    if token == "referred_table_name":
        return target.referred_table or ""
    match = _COLUMN_TOKEN.fullmatch(token)
    if match is None:
        raise KeyError(token)
    referred = token.startswith("referred_")
    columns = list(target.referred_columns if referred else target.columns)
    if match.group(3) == "key" and target.keys is not None and not referred:
        columns = list(target.keys)
    kind = match.group(3)
    values = [_column_value(c, kind, target) for c in columns]
    multiples = match.group(2)
    if multiples:
        return ("_" if multiples.startswith("_") else "").join(values)
    idx = int(match.group(1))
    return values[idx] if idx < len(values) else ""


def _column_value(column: str, kind: str, target: NamingTarget) -> str:
    if kind == "label":
        prefix = f"{target.schema.replace('.', '_')}_" if target.schema else ""
        return f"{prefix}{target.table}_{column}"
    return column


def truncate_generated(name: str, dialect: str) -> str:
    """Shorten a convention-generated name like SQLAlchemy's DDL compiler does."""
    limit = MAX_IDENTIFIER_LENGTH.get(dialect, 9999)
    if len(name) > limit:
        digest = hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()
        return f"{name[: limit - 8]}_{digest[-4:]}"
    return name


def truncate_database(name: str, dialect: str) -> str:
    """What the database stores for an over-long explicit name (PostgreSQL cuts at 63 bytes)."""
    if dialect != "postgresql":
        return name
    data = name.encode("utf-8")
    if len(data) <= 63:
        return name
    return data[:63].decode("utf-8", errors="ignore")


def postgres_default_name(
    table: str, columns: Sequence[str], label: str, taken: Container[str]
) -> str:
    """The name PostgreSQL chooses for an unnamed constraint (``makeObjectName``)."""
    name2 = "_".join(columns) if columns else ""
    base = _make_object_name(table, name2, label)
    if base not in taken:
        return base
    for n in range(1, 10_000):
        candidate = _make_object_name(table, name2, f"{label}{n}")
        if candidate not in taken:
            return candidate
    return base


def _make_object_name(name1: str, name2: str, label: str) -> str:
    overhead = len(label) + 1 + (1 if name2 else 0)
    avail = 63 - overhead
    n1, n2 = len(name1.encode()), len(name2.encode())
    while n1 + n2 > avail:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    part1 = name1.encode()[:n1].decode("utf-8", errors="ignore")
    part2 = name2.encode()[:n2].decode("utf-8", errors="ignore")
    return f"{part1}_{part2}_{label}" if name2 else f"{part1}_{label}"


@dataclass(frozen=True, slots=True)
class Dialect:
    """One target database's rules for identifiers."""

    name: str = "postgresql"

    @property
    def max_identifier_length(self) -> int:
        return MAX_IDENTIFIER_LENGTH.get(self.name, 9999)

    def generated_name(self, convention: Mapping[str, str], target: NamingTarget) -> str | None:
        """The name SQLAlchemy generates for ``target`` under ``convention`` on this
        dialect (truncated with a hash suffix when too long); None when it cannot be derived."""
        name = convention_name(convention, target)
        return truncate_generated(name, self.name) if name else None

    def truncate_generated(self, name: str) -> str:
        return truncate_generated(name, self.name)

    def stored_name(self, name: str) -> str:
        """What the database stores for an explicit name (see :func:`truncate_database`)."""
        return truncate_database(name, self.name)

    def fold_case(self, identifier: str) -> str:
        """An unquoted identifier as the database stores it: PostgreSQL folds to lower case,
        Oracle to upper case, the others keep it."""
        if self.name == "postgresql":
            return identifier.lower()
        if self.name == "oracle":
            return identifier.upper()
        return identifier
