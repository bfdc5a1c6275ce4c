"""SL005 ondelete-drift: a foreign key's ``ON DELETE``/``ON UPDATE`` differs between sides."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, Related, Severity
from schema_lint.facts.schema import ForeignKey
from schema_lint.rules.compare import columns_text, declared_place, referential_action
from schema_lint.rules.context import RuleContext, TablePair
from schema_lint.rules.example_projects import fixed_model, project
from schema_lint.rules.registry import Example, Rule


@dataclass(frozen=True, slots=True)
class ActionDrift:
    """SL005's payload: the foreign key and the clauses the migrations give it."""

    table: str
    schema: str | None
    columns: tuple[str, ...]
    ref_table: str
    ondelete: str | None
    """The migrations' ``ON DELETE`` (None: no clause, i.e. ``NO ACTION``)."""
    onupdate: str | None
    ondelete_differs: bool
    onupdate_differs: bool
    column_key: str | None
    """The attribute of the single column whose ``ForeignKey(...)`` declares it."""


def _target(fk: ForeignKey) -> tuple[tuple[str, ...], str, tuple[str, ...]]:
    ref = fk.ref_table.lower()
    return fk.columns, ref.removeprefix("public."), fk.ref_columns


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for pair in context.pairs(None):
        database = {_target(fk): fk for fk in pair.other.foreign_keys}
        for fk in pair.base.foreign_keys:
            other = database.get(_target(fk))
            if other is None:
                continue
            delete = referential_action(fk.ondelete) != referential_action(other.ondelete)
            update = referential_action(fk.onupdate) != referential_action(other.onupdate)
            if delete or update:
                yield _finding(pair, fk, other, delete, update)


def _clause(value: str | None) -> str:
    action = referential_action(value)
    return action if action else "no action"


def _finding(
    pair: TablePair, fk: ForeignKey, other: ForeignKey, delete: bool, update: bool
) -> Diagnostic:
    model = pair.base
    span = declared_place(model, fk.span)
    assert span is not None
    parts = []
    if delete:
        parts.append(
            f"ON DELETE is {_clause(fk.ondelete)} in {pair.base_label} and "
            f"{_clause(other.ondelete)} in {pair.side.label}"
        )
    if update:
        parts.append(
            f"ON UPDATE is {_clause(fk.onupdate)} in {pair.base_label} and "
            f"{_clause(other.onupdate)} in {pair.side.label}"
        )
    message = (
        f"foreign key {columns_text(fk.columns)} of `{model.qualified_name}` -> "
        f"`{fk.ref_table}`: {'; '.join(parts)}"
    )
    related = (Related(other.span, "created here"),) if other.span is not None else ()
    column = model.column(fk.columns[0]) if len(fk.columns) == 1 else None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=pair.finding_key(RULE.code, ",".join(fk.columns)),
        related=related,
        suppressible_at=(other.span,) if other.span is not None else (),
        payload=ActionDrift(
            table=model.name,
            schema=model.schema,
            columns=fk.columns,
            ref_table=fk.ref_table,
            ondelete=referential_action(other.ondelete),
            onupdate=referential_action(other.onupdate),
            ondelete_differs=delete,
            onupdate_differs=update,
            column_key=(column.key or column.name) if column is not None else None,
        ),
    )


_MODEL = """\
class Author(Base):
    __tablename__ = "authors"
    id: Mapped[int] = mapped_column(primary_key=True)


class Book(Base):
    __tablename__ = "books"
    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"{model}))
"""
_TABLES = """\
op.create_table("authors", sa.Column("id", sa.Integer(), primary_key=True))
op.create_table(
    "books",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("author_id", sa.Integer(), sa.ForeignKey("authors.id"{database}), nullable=False),
)
"""


def _books(model: str, database: str) -> dict[str, str]:
    return project(_MODEL.format(model=model), _TABLES.format(database=database))


RULE = Rule(
    code="SL005",
    slug="ondelete-drift",
    summary="A foreign key's ON DELETE or ON UPDATE differs between model and migrations",
    severity=Severity.WARNING,
    explanation="""\
`ondelete="CASCADE"` in the model and no `ON DELETE` clause in the database mean that deleting
a parent fails in production while the model (and `create_all` in tests) cascades. The two
must agree. Clauses are compared case-insensitively, and `NO ACTION` equals no clause (it is
the default). One finding says which clause differs and how, where `alembic check` reports a
foreign key dropped and added.

Fix (unsafe): set `ondelete=` (`onupdate=`) on the model's `ForeignKey(...)` or
`ForeignKeyConstraint(...)` to what the migrations create, or remove it. If the database is
what should change, keep the model and generate a migration instead.
""",
    check=check,
    payload=ActionDrift,
    flagged=(
        Example(
            _books(', ondelete="CASCADE"', ""),
            "The model cascades; the database does not",
            fixed=fixed_model(_MODEL.format(model="")),
        ),
        Example(
            _books("", ', ondelete="SET NULL"'),
            "The database sets NULL; the model does not know",
            fixed=fixed_model(_MODEL.format(model=', ondelete="SET NULL"')),
        ),
    ),
    accepted=(
        Example(_books(', ondelete="cascade"', ', ondelete="CASCADE"'), "Case does not matter"),
        Example(_books(', ondelete="NO ACTION"', ""), "`NO ACTION` is the default"),
    ),
)
