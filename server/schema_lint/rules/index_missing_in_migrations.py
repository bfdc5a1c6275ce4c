"""SL007 index-missing-in-migrations: the model declares an index no migration creates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.facts.schema import Index, Table
from schema_lint.rules.compare import columns_text, declared_place, plain, unique_constraints
from schema_lint.rules.context import RuleContext, SideKind, TablePair
from schema_lint.rules.example_projects import fixed_model, project
from schema_lint.rules.registry import Example, Rule


@dataclass(frozen=True, slots=True)
class ModelOnlyIndex:
    """SL007's payload: the model's index and how it is declared."""

    table: str
    schema: str | None
    name: str | None
    columns: tuple[str, ...]
    unique: bool
    declared_by: str
    """``column`` for ``index=True``, ``index`` for ``Index(...)``."""
    column_key: str | None


def _created(index: Index, other: Table, declared: frozenset[str]) -> bool:
    """The other side has this index: by name when both names are known, else by shape
    (an index ``declared`` under its own name by the model is not this one under another);
    a unique index whose uniqueness the other side enforces as a constraint is SL009's."""
    for candidate in other.indexes:
        if index.name is not None and candidate.name == index.name:
            return True
    for candidate in other.indexes:
        if candidate.name in declared:
            continue  # the model's other index of the same shape
        if (
            candidate.columns == index.columns
            and candidate.unique == index.unique
            and candidate.expressions == index.expressions
        ):
            return True  # another name: SL002 reports the rename
    if index.unique and plain(index):
        return frozenset(index.columns) in unique_constraints(other)
    return False


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for pair in context.pairs(SideKind.MIGRATIONS):  # a database's indexes: SL012
        names = frozenset(i.name for i in pair.base.indexes if i.name is not None)
        for index in pair.base.indexes:
            if index.expressions and index.name is None:
                continue  # nothing to recognise it by
            if not _created(index, pair.other, names - {index.name}):
                yield _finding(pair, index)


def _finding(pair: TablePair, index: Index) -> Diagnostic:
    model = pair.base
    span = declared_place(model, index.span, index.inherited_from)
    assert span is not None
    kind = "unique index" if index.unique else "index"
    named = f"`{index.name}` " if index.name else ""
    message = (
        f"{kind} {named}on {columns_text(index.columns)} of `{model.qualified_name}` is "
        f"declared in the model, but {pair.side.label} never create it: the database lacks "
        "it and autogenerate will propose `add_index`"
    )
    column = model.column(index.columns[0]) if len(index.columns) == 1 else None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=FindingKey(
            RULE.code, model.qualified_name, index.name or ",".join(index.columns), pair.side.name
        ),
        payload=ModelOnlyIndex(
            table=model.name,
            schema=model.schema,
            name=index.name,
            columns=index.columns,
            unique=index.unique,
            declared_by=index.declared_by,
            column_key=(column.key or column.name) if column is not None else None,
        ),
    )


_MODEL = """\
class Event(Base):
    __tablename__ = "events"
{args}    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20){extra})
"""
_TABLE = """\
op.create_table(
    "events",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
)
{index}"""


def _events(extra: str = "", args: str = "", index: str = "") -> dict[str, str]:
    return project(_MODEL.format(args=args, extra=extra), _TABLE.format(index=index))


_BY_KIND = '    __table_args__ = (Index("events_by_kind", "kind"),)\n'

RULE = Rule(
    code="SL007",
    slug="index-missing-in-migrations",
    summary="An index declared in the model is created by no migration",
    severity=Severity.WARNING,
    explanation="""\
The reverse of SL002: the model declares an index (`index=True`, `Index(...)`) that no
migration creates. The database does not have it, so the queries it was meant for scan the
table, and `alembic revision --autogenerate` proposes `op.create_index(...)`.

Indexes are matched by name when both sides know it, else by columns and uniqueness (an
index under another name is SL002's rename). A unique index whose uniqueness the migrations
enforce with a unique constraint is a form difference, reported by SL009.

Fix (unsafe): remove the declaration from the model, so that it says what the database has.
Usually the better fix is the other one: a migration that creates the index
(`schema-lint migration`).
""",
    check=check,
    payload=ModelOnlyIndex,
    flagged=(
        Example(
            _events(extra=", index=True"),
            "`index=True` with no migration behind it",
            fixed=fixed_model(_MODEL.format(args="", extra="")),
        ),
        Example(
            _events(args=_BY_KIND),
            "An `Index(...)` no migration creates",
            fixed=fixed_model(_MODEL.format(args="", extra="")),
        ),
    ),
    accepted=(
        Example(
            _events(
                extra=", index=True", index='op.create_index("ix_events_kind", "events", ["kind"])'
            ),
            "The migration creates it under the same name",
        ),
        Example(
            _events(args=_BY_KIND, index='op.create_index("events_by_kind", "events", ["kind"])'),
            "An explicit name, created by the migration",
        ),
    ),
)
