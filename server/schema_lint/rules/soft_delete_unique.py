"""SL008 soft-delete-unique: a unique key that deleted rows still take part in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.facts.schema import Table
from schema_lint.facts.source import Span
from schema_lint.rules.compare import columns_text, declared_place
from schema_lint.rules.context import RuleContext
from schema_lint.rules.example_projects import MODELS, fixed_model, model_text
from schema_lint.rules.registry import Example, Option, Rule

SOFT_DELETE_COLUMNS = ("is_deleted", "deleted", "deleted_at", "archived_at")


@dataclass(frozen=True, slots=True)
class SoftDeleteUnique:
    """SL008's payload: the unique key, how it is declared, and the soft-delete column."""

    table: str
    schema: str | None
    columns: tuple[str, ...]
    name: str | None
    declared_by: str
    """``column`` (``unique=True``), ``constraint`` (``UniqueConstraint``) or ``index``."""
    soft_delete: str
    predicate: str
    """The condition that keeps deleted rows out: ``NOT is_deleted``, ``deleted_at IS NULL``."""
    column_key: str | None


def predicate(column: str) -> str:
    """Live rows: a timestamp (``*_at``, ``*_on``) is NULL, a flag is false."""
    if column.endswith(("_at", "_on")):
        return f"{column} IS NULL"
    return f"NOT {column}"


def check(context: RuleContext) -> Iterable[Diagnostic]:
    names: Sequence[str] = context.options["soft-delete-columns"]
    for table in context.models.schema.tables.values():
        if table.incomplete or table.span is None:
            continue
        marks = [c.name for c in table.columns if c.name in names]
        if not marks:
            continue
        soft = marks[0]
        implied = _implied_keys(table)
        generated = {c.name for c in table.columns if c.generated}
        for unique in table.unique_constraints:
            if set(marks) & set(unique.columns) or generated.intersection(unique.columns):
                continue
            if not _contains_a_key(unique.columns, implied):
                by = (
                    "column"
                    if _is_column_flag(table, unique.columns, unique.span)
                    else "constraint"
                )
                yield _finding(table, unique.columns, unique.name, by, unique.span, soft)
        for index in table.indexes:
            if (
                index.unique
                and not _filtered(index.where, marks, table)
                and not set(marks) & set(index.columns)
                and not generated.intersection(index.columns)
                and not _contains_a_key(index.columns, implied)
            ):
                yield _finding(
                    table, index.columns, index.name, index.declared_by, index.span, soft
                )


def _filtered(where: str | None, marks: Sequence[str], table: Table) -> bool:
    """A partial index whose predicate names a soft-delete column keeps deleted rows out;
    one with another predicate may too when a check constraint ties that predicate to the
    soft-delete column (indico: `NOT is_deleted OR type NOT IN (...)` with `WHERE type = 5`),
    which schema-lint cannot decide."""
    if where is None:
        return False
    if any(_mentions(where, mark) for mark in marks):
        return True
    return any(_mentions(c.sqltext, mark) for c in table.check_constraints for mark in marks)


def _mentions(sql: str, column: str) -> bool:
    return re.search(rf"\b{re.escape(column)}\b", sql, re.I) is not None


def _implied_keys(table: Table) -> tuple[frozenset[str], list[frozenset[str]]]:
    """The primary key, and every key that holds for all rows (no partial predicate)."""
    keys = [frozenset(u.columns) for u in table.unique_constraints]
    keys.extend(
        frozenset(i.columns)
        for i in table.indexes
        if i.unique and not i.expressions and not i.where
    )
    primary = frozenset(table.primary_key.columns) if table.primary_key is not None else frozenset()
    return primary, keys


def _contains_a_key(
    columns: tuple[str, ...], implied: tuple[frozenset[str], list[frozenset[str]]]
) -> bool:
    """Whether a deleted row can never be the only obstacle to a new one: the key contains
    the primary key (no new row shares it anyway), or strictly contains another key (that
    smaller key decides, and is judged itself)."""
    primary, keys = implied
    wanted = frozenset(columns)
    return (bool(primary) and primary <= wanted) or any(key < wanted for key in keys)


def _is_column_flag(table: Table, columns: tuple[str, ...], span: Span | None) -> bool:
    column = table.column(columns[0]) if len(columns) == 1 else None
    return column is not None and span is not None and span == column.span


def _finding(
    table: Table,
    columns: tuple[str, ...],
    name: str | None,
    declared_by: str,
    span: Span | None,
    soft: str,
) -> Diagnostic:
    place = declared_place(table, span)
    assert place is not None
    kind = "unique index" if declared_by == "index" else "unique constraint"
    named = f"`{name}` " if name else ""
    message = (
        f"{kind} {named}on {columns_text(columns)} of `{table.qualified_name}` does not exclude "
        f"deleted rows (`{soft}`): a deleted row still blocks a new one with the same "
        f"{', '.join(columns)}"
    )
    column = table.column(columns[0]) if len(columns) == 1 else None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=place,
        severity=RULE.severity,
        key=FindingKey(RULE.code, table.qualified_name, name or ",".join(columns)),
        payload=SoftDeleteUnique(
            table=table.name,
            schema=table.schema,
            columns=columns,
            name=name,
            declared_by="column" if declared_by == "column" else declared_by,
            soft_delete=soft,
            predicate=predicate(soft),
            column_key=(column.key or column.name) if column is not None else None,
        ),
    )


_MODEL = """\
class Episode(Base):
    __tablename__ = "episodes"
{args}    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int]
    number: Mapped[int]
    is_deleted: Mapped[bool] = mapped_column(default=False)
"""


def _episodes(args: str) -> dict[str, str]:
    return {MODELS: model_text(_MODEL.format(args=args))}


def _args(item: str) -> str:
    return f"    __table_args__ = ({item},)\n"


_PARTIAL = (
    'Index("uq_episodes_release_number", "release_id", "number", unique=True, '
    'postgresql_where=text("NOT is_deleted"))'
)
_FIXED = """\
    __table_args__ = (
        Index(
            "uq_episodes_release_number",
            "release_id",
            "number",
            unique=True,
            postgresql_where=text("NOT is_deleted"),
        ),
    )
"""

RULE = Rule(
    code="SL008",
    slug="soft-delete-unique",
    summary="A unique key on a soft-deleted table does not exclude deleted rows",
    severity=Severity.ERROR,
    explanation="""\
Soft deletion keeps a row and marks it (`is_deleted`, `deleted_at`, ...). A unique constraint
that does not know about the mark counts deleted rows too: a deleted episode 3 of a release
blocks the new episode 3 for ever, and "restore" and "re-create" flows fail at random.

A unique key is safe when it includes a soft-delete column of its table or is a partial
unique index whose predicate mentions one (`postgresql_where` / `sqlite_where`), e.g.
`UNIQUE (release_id, number) WHERE is_deleted = false`. Tables without such a column, and
tables without a unique key, are not concerned. Not reported either, since no deleted row
can be the only obstacle to a new one: a key that contains the primary key or another key, a
key with a column whose default gives every row its own value (`default=uuid4`,
`server_default=func.gen_random_uuid()`), and a partial unique index on a table whose check
constraint mentions the soft-delete column (the check may keep deleted rows out of the
index's rows).

Fix (unsafe, needs a migration): turn the `UniqueConstraint` or `unique=True` into a partial
unique `Index(..., unique=True, postgresql_where=text("NOT is_deleted"))` (or
`deleted_at IS NULL`), or give a unique index that predicate.
""",
    check=check,
    payload=SoftDeleteUnique,
    flagged=(
        Example(
            _episodes(
                _args('UniqueConstraint("release_id", "number", name="uq_episodes_release_number")')
            ),
            "A unique pair that deleted rows keep taking",
            fixed=fixed_model(_MODEL.format(args=_FIXED)),
        ),
        Example(
            _episodes(
                _args('Index("uq_episodes_release_number", "release_id", "number", unique=True)')
            ),
            "A unique index without a predicate",
            fixed=fixed_model(_MODEL.format(args=_FIXED)),
        ),
    ),
    accepted=(
        Example(_episodes(_args(_PARTIAL)), "A partial unique index over live rows"),
        Example(
            _episodes(_args('UniqueConstraint("release_id", "number", "is_deleted")')),
            "The soft-delete column is part of the key",
        ),
        Example(_episodes(""), "No unique key at all (the audit's `episodes` table)"),
        Example(
            _episodes(_args('UniqueConstraint("id", "release_id")')),
            "The key contains the primary key: no new row can share it",
        ),
        Example(
            {
                MODELS: "import uuid\n"
                + model_text(
                    _MODEL.format(args="")
                    + "    token: Mapped[str] = mapped_column(unique=True, default=uuid.uuid4)\n"
                )
            },
            "Every new row gets its own value: a deleted row never holds a new row's",
        ),
        Example(
            _episodes(
                "    __table_args__ = (\n"
                '        CheckConstraint("NOT is_deleted OR number > 0"),\n'
                '        Index("uq_episodes_trailer", "release_id", unique=True, '
                'postgresql_where=text("number = 0")),\n'
                "    )\n"
            ),
            "A check constraint keeps deleted rows out of the partial index (indico)",
        ),
    ),
    options={
        "soft-delete-columns": Option(
            tuple,
            SOFT_DELETE_COLUMNS,
            "Columns that mark a row as deleted.",
            str,
        ),
    },
)
