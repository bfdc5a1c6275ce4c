"""SL006 check-drift: a check constraint on one side only, or with another condition."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, Related, Severity
from schema_lint.facts.schema import CheckConstraint
from schema_lint.rules.compare import declared_place
from schema_lint.rules.context import RuleContext, TablePair, declared, has, lacks
from schema_lint.rules.example_projects import fixed_model, project
from schema_lint.rules.registry import Example, Rule
from schema_lint.vocabulary.sql import normalise_condition


@dataclass(frozen=True, slots=True)
class CheckDrift:
    """SL006's payload: the check on each side (None: that side does not have it)."""

    table: str
    schema: str | None
    name: str | None
    model_text: str | None
    database_text: str | None


def _canonical(check: CheckConstraint, dialect: str) -> str | None:
    """The condition in canonical form; None when it cannot be known or parsed."""
    if check.text_unknown:
        return None
    return normalise_condition(check.sqltext, dialect)


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for pair in context.pairs(None):
        dialect = pair.dialect.name
        model = [(c, _canonical(c, dialect)) for c in pair.base.check_constraints]
        database = [(c, _canonical(c, dialect)) for c in pair.other.check_constraints]
        if any(text is None for _, text in (*model, *database)):
            continue  # a condition that cannot be read may be any of the others
        unmatched = list(database)
        for mine, text in model:
            named = next((d for d in unmatched if mine.name and d[0].name == mine.name), None)
            same = named or next((d for d in unmatched if d[1] == text), None)
            if same is None:
                yield _finding(pair, mine, None)
                continue
            unmatched.remove(same)
            if same[1] != text:
                yield _finding(pair, mine, same[0])
        for theirs, _ in unmatched:
            yield _finding(pair, None, theirs)


def _finding(
    pair: TablePair, mine: CheckConstraint | None, theirs: CheckConstraint | None
) -> Diagnostic:
    model = pair.base
    where = f"`{model.qualified_name}`"
    side, kind = pair.side.label, pair.side.kind
    if mine is not None and theirs is not None:
        message = (
            f"check constraint `{mine.name}` of {where} is `{mine.sqltext}` in "
            f"{pair.base_label} but `{theirs.sqltext}` in {side}"
        )
    elif mine is not None:
        named = f"`{mine.name}` " if mine.name else ""
        message = (
            f"check constraint {named}`{mine.sqltext}` of {where} "
            f"{declared(pair.base_kind, pair.base_label)}, but {side} {lacks(kind)} it: the "
            "database accepts rows it forbids"
        )
    else:
        assert theirs is not None
        message = (
            f"{side} {has(kind)} check constraint `{theirs.name}` (`{theirs.sqltext}`) on "
            f"{where}, which {pair.base_label} {lacks(pair.base_kind)}"
        )
    span = declared_place(model, mine.span) if mine is not None else model.span
    assert span is not None
    related: tuple[Related, ...] = ()
    if theirs is not None and theirs.span is not None:
        related = (Related(theirs.span, "created here"),)
    name = (mine.name if mine is not None else None) or (theirs.name if theirs else None)
    shown = mine if mine is not None else theirs
    assert shown is not None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=pair.finding_key(RULE.code, name or shown.sqltext),
        related=related,
        suppressible_at=tuple(r.span for r in related),
        payload=CheckDrift(
            table=model.name,
            schema=model.schema,
            name=name,
            model_text=mine.sqltext if mine is not None else None,
            database_text=theirs.sqltext if theirs is not None else None,
        ),
    )


_MODEL = """\
class Product(Base):
    __tablename__ = "products"
{args}    id: Mapped[int] = mapped_column(primary_key=True)
    price: Mapped[int]
"""
_TABLE = """\
op.create_table(
    "products",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("price", sa.Integer(), nullable=False),{check}
)
"""


def _args(condition: str) -> str:
    return f'    __table_args__ = (CheckConstraint("{condition}", name="price_positive"),)\n'


def _products(model: str, database: str) -> dict[str, str]:
    check = f'\n    sa.CheckConstraint("{database}", name="price_positive"),' if database else ""
    args = _args(model) if model else ""
    return project(_MODEL.format(args=args), _TABLE.format(check=check))


RULE = Rule(
    code="SL006",
    slug="check-drift",
    summary="A check constraint exists on one side only, or with another condition",
    severity=Severity.WARNING,
    explanation="""\
A `CheckConstraint` in the model that no migration creates is a rule the database does not
enforce; one the migrations create and the model lacks surprises every test database built
with `create_all`. Two checks of the same name with different conditions are worse: both
sides believe they agree.

Checks are matched by name when both have one, otherwise by their condition. Conditions are
compared after parsing them as SQL, so whitespace, keyword and identifier case, redundant
parentheses and casts PostgreSQL adds do not count (`alembic check` compares names only).
A condition that cannot be read keeps the table's checks out of the comparison.

Fix (unsafe): make the model's check what the migrations create (add, remove or rewrite it).
If the database is what should change, generate a migration instead.
""",
    check=check,
    payload=CheckDrift,
    flagged=(
        Example(
            _products("price > 0", "price >= 0"),
            "Same name, another condition",
            fixed=fixed_model(_MODEL.format(args=_args("price >= 0"))),
        ),
        Example(
            _products("price > 0", ""),
            "The model's check is never created",
            fixed=fixed_model(_MODEL.format(args="")),
        ),
    ),
    accepted=(
        Example(_products("PRICE > 0", "(price)>0"), "Case and parentheses do not matter"),
        Example(_products("", ""), "No check on either side"),
    ),
)
