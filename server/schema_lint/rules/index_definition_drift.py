"""SL009 index-definition-drift: one index, defined differently on each side; and one
uniqueness, enforced by a unique index on one side and a unique constraint on the other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, Related, Severity
from schema_lint.facts.schema import Index, UniqueConstraint
from schema_lint.facts.source import Span
from schema_lint.rules.compare import (
    column_place,
    columns_text,
    declared_place,
    plain,
    unique_constraints,
    unique_index_on,
)
from schema_lint.rules.context import RuleContext, SideKind, TablePair, has
from schema_lint.rules.example_projects import fixed_model, project
from schema_lint.rules.registry import Example, Rule
from schema_lint.vocabulary.sql import normalise_condition

DEFINITION = "definition"
INDEX_IN_DATABASE = "index-in-database"
"""The migrations have a unique index, the model a unique constraint."""
CONSTRAINT_IN_DATABASE = "constraint-in-database"
"""The migrations have a unique constraint, the model a unique index."""


@dataclass(frozen=True, slots=True)
class IndexDrift:
    """SL009's payload: the database's index (or constraint) and what the model has."""

    table: str
    schema: str | None
    form: str
    name: str | None
    """The database's index or constraint name."""
    columns: tuple[str, ...]
    unique: bool
    where: str | None
    model_name: str | None
    model_columns: tuple[str, ...]
    declared_by: str
    """How the model declares its side: ``column``, ``index`` or ``constraint``."""
    column_key: str | None


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for pair in context.pairs(None):
        dialect = pair.dialect.name
        model_by_name = {i.name: i for i in pair.base.indexes if i.name is not None}
        for index in pair.other.indexes:
            mine = model_by_name.get(index.name) if index.name is not None else None
            if mine is not None:
                differences = _differences(mine, index, dialect)
                if differences:
                    yield _definition(pair, mine, index, differences)
                continue
            if index.unique and plain(index):
                columns = frozenset(index.columns)
                constraint = unique_constraints(pair.base).get(columns)
                if constraint is not None and unique_index_on(pair.base, columns) is None:
                    yield _form(pair, INDEX_IN_DATABASE, constraint, index)
        for columns, constraint in unique_constraints(pair.other).items():
            mine_index = unique_index_on(pair.base, columns)
            if (
                mine_index is not None
                and columns not in unique_constraints(pair.base)
                and unique_index_on(pair.other, columns) is None
            ):
                yield _form(pair, CONSTRAINT_IN_DATABASE, constraint, mine_index)


def _differences(mine: Index, theirs: Index, dialect: str) -> list[str]:
    found = []
    if _items(mine, dialect) != _items(theirs, dialect):
        if set(_items(mine, dialect)) == set(_items(theirs, dialect)):
            found.append(f"column order {columns_text(theirs.columns)}")
        else:
            found.append(f"columns {columns_text(theirs.columns)}")
    if mine.unique != theirs.unique:
        found.append("UNIQUE" if theirs.unique else "not unique")
    if _predicate(mine, dialect) != _predicate(theirs, dialect):
        found.append(f"WHERE {theirs.where}" if theirs.where else "no WHERE")
    return found


def _items(index: Index, dialect: str) -> tuple[str, ...]:
    """The index's items; expressions in canonical form (a database writes
    ``lower((email)::text)`` for ``lower(email)``)."""
    if not index.expressions:
        return index.columns
    return tuple(normalise_condition(item, dialect) or item for item in index.columns)


def _predicate(index: Index, dialect: str) -> str | None:
    if index.where is None:
        return None
    return normalise_condition(index.where, dialect) or index.where


def _definition(pair: TablePair, mine: Index, theirs: Index, differences: list[str]) -> Diagnostic:
    model = pair.base
    give = "give" if pair.side.kind is SideKind.MIGRATIONS else "gives"
    message = (
        f"index `{theirs.name}` of `{model.qualified_name}` differs: {pair.side.label} {give} "
        f"it {', '.join(differences)}; {pair.base_label} {has(pair.base_kind)} it "
        f"{'UNIQUE ' if mine.unique else ''}on {columns_text(mine.columns)}"
        + (f" WHERE {mine.where}" if mine.where else "")
    )
    return _diagnostic(
        pair,
        declared_place(model, mine.span, mine.inherited_from),
        message,
        Severity.WARNING,
        theirs.span,
        IndexDrift(
            table=model.name,
            schema=model.schema,
            form=DEFINITION,
            name=theirs.name,
            columns=theirs.columns,
            unique=theirs.unique,
            where=theirs.where,
            model_name=mine.name,
            model_columns=mine.columns,
            declared_by=mine.declared_by,
            column_key=_key(pair, mine.columns),
        ),
    )


def _form(pair: TablePair, form: str, constraint: UniqueConstraint, index: Index) -> Diagnostic:
    model = pair.base
    text = columns_text(index.columns)
    autogenerate = pair.base_kind is SideKind.MODELS
    if form == INDEX_IN_DATABASE:
        message = (
            f"uniqueness of {text} in `{model.qualified_name}` is unique index `{index.name}` "
            f"in {pair.side.label} and a unique constraint in {pair.base_label}: it is "
            "enforced either way"
            + (
                ", but autogenerate will propose dropping the index and adding the constraint"
                if autogenerate
                else ""
            )
        )
        database, place, name = index.span, declared_place(model, constraint.span), index.name
        mine_name, mine_columns, by = constraint.name, constraint.columns, "constraint"
    else:
        message = (
            f"uniqueness of {text} in `{model.qualified_name}` is unique constraint "
            f"`{constraint.name}` in {pair.side.label} and a unique index in {pair.base_label}: "
            "it is enforced either way"
            + (
                ", but autogenerate will propose dropping the constraint and adding the index"
                if autogenerate
                else ""
            )
        )
        database, name = constraint.span, constraint.name
        place = declared_place(model, index.span, index.inherited_from)
        mine_name, mine_columns, by = index.name, index.columns, index.declared_by
    if place is None or place == model.span:
        single = index.columns[0] if len(index.columns) == 1 else None
        place = column_place(model, single) if single else model.span
    return _diagnostic(
        pair,
        place,
        message,
        Severity.INFO,
        database,
        IndexDrift(
            table=model.name,
            schema=model.schema,
            form=form,
            name=name,
            columns=index.columns if form == INDEX_IN_DATABASE else constraint.columns,
            unique=True,
            where=None,
            model_name=mine_name,
            model_columns=mine_columns,
            declared_by=by,
            column_key=_key(pair, index.columns),
        ),
    )


def _key(pair: TablePair, columns: tuple[str, ...]) -> str | None:
    column = pair.base.column(columns[0]) if len(columns) == 1 else None
    return (column.key or column.name) if column is not None else None


def _diagnostic(
    pair: TablePair,
    span: Span | None,
    message: str,
    severity: Severity,
    database: Span | None,
    payload: IndexDrift,
) -> Diagnostic:
    assert span is not None
    related: tuple[Related, ...] = ()
    if database is not None:
        related = (Related(database, "created here"),)
    obj = payload.name or ",".join(payload.columns)
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=severity,
        key=pair.finding_key(RULE.code, obj),
        related=related,
        suppressible_at=tuple(r.span for r in related),
        payload=payload,
    )


_MODEL = """\
class Membership(Base):
    __tablename__ = "memberships"
{args}    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    role_id: Mapped[int]
"""
_TABLE = """\
op.create_table(
    "memberships",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("user_id", sa.Integer(), nullable=False),
    sa.Column("role_id", sa.Integer(), nullable=False),
)
op.create_index("memberships_ix", "memberships", ["user_id", "role_id"]{unique})
"""


def _args(item: str) -> str:
    return f"    __table_args__ = ({item},)\n"


def _memberships(item: str, unique: str) -> dict[str, str]:
    return project(_MODEL.format(args=_args(item)), _TABLE.format(unique=unique))


_PLAIN = 'Index("memberships_ix", "user_id", "role_id")'
_UNIQUE = 'Index("memberships_ix", "user_id", "role_id", unique=True)'

RULE = Rule(
    code="SL009",
    slug="index-definition-drift",
    summary="An index differs between model and migrations, or uniqueness takes another form",
    severity=Severity.WARNING,
    explanation="""\
One index, found on both sides by its name, may still differ: in its columns, their order,
its uniqueness or its partial predicate (`postgresql_where`). A real case: a migration makes
`roles_users_ix` UNIQUE on (user_id, role_id) while the model declares it non-unique; the
model's tests then accept what production refuses. Autogenerate never compares predicates.

The same uniqueness in two forms (a unique index on one side, a `UniqueConstraint` or
`unique=True` on the other) is reported at `info` severity: the database enforces it either
way, but autogenerate proposes dropping one form and creating the other.

Fix (unsafe): make the model's declaration what the migrations create. If the database is
what should change, generate a migration instead.
""",
    check=check,
    payload=IndexDrift,
    flagged=(
        Example(
            _memberships(_PLAIN, ", unique=True"),
            "The migration makes the index unique; the model does not",
            fixed=fixed_model(_MODEL.format(args=_args(_UNIQUE))),
        ),
        Example(
            project(
                _MODEL.format(args=_args('UniqueConstraint("user_id", "role_id")')),
                _TABLE.format(unique=", unique=True"),
            ),
            "A unique index in the database, a unique constraint in the model (info)",
            fixed=fixed_model(_MODEL.format(args=_args(_UNIQUE))),
        ),
    ),
    accepted=(
        Example(_memberships(_UNIQUE, ", unique=True"), "The same unique index on both sides"),
        Example(_memberships(_PLAIN, ""), "The same plain index on both sides"),
    ),
)
