"""SL003 unique-drift: a unique constraint on one side only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, Related, Severity
from schema_lint.facts.schema import Table, UniqueConstraint
from schema_lint.rules.compare import (
    column_place,
    columns_text,
    declared_place,
    unique_constraints,
    unique_index_on,
)
from schema_lint.rules.context import RuleContext, SideKind, TablePair, declared, has, lacks
from schema_lint.rules.example_projects import fixed_model, project
from schema_lint.rules.registry import Example, Rule


@dataclass(frozen=True, slots=True)
class UniqueDrift:
    """SL003's payload: the constraint, and which side has it."""

    table: str
    schema: str | None
    columns: tuple[str, ...]
    name: str | None
    """The constraint's name on the side that has it (None when unnamed or unknown)."""
    in_model: bool
    """True: only the base side (the model) has it; False: only the other side has it."""
    column_key: str | None
    """The attribute of the single column, for ``unique=True``."""


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for pair in context.pairs(None):
        model = unique_constraints(pair.base)
        database = unique_constraints(pair.other)
        for columns, unique in model.items():
            if _primary(pair.base, columns) or _primary(pair.other, columns):
                continue
            if columns not in database and unique_index_on(pair.other, columns) is None:
                yield _finding(pair, unique, in_model=True)
        for columns, unique in database.items():
            if _primary(pair.base, columns) or _primary(pair.other, columns):
                continue
            if columns not in model and unique_index_on(pair.base, columns) is None:
                yield _finding(pair, unique, in_model=False)


def _primary(table: Table, columns: Iterable[str]) -> bool:
    """A unique constraint on exactly the primary key's columns adds nothing (autogenerate
    ignores it too): keystone's ``project_tag``."""
    key = table.primary_key
    return key is not None and bool(key.columns) and set(key.columns) == set(columns)


def _finding(pair: TablePair, unique: UniqueConstraint, *, in_model: bool) -> Diagnostic:
    model = pair.base
    where = f"`{model.qualified_name}`"
    named = f"`{unique.name}` " if unique.name else ""
    text = columns_text(unique.columns)
    related: tuple[Related, ...] = ()
    side = pair.side
    if in_model:
        span = declared_place(model, unique.span)
        message = (
            f"unique constraint {named}on {text} of {where} "
            f"{declared(pair.base_kind, pair.base_label)}, but {side.label} "
            f"{lacks(side.kind)} it: the database accepts duplicates"
        )
    else:
        single = unique.columns[0] if len(unique.columns) == 1 else None
        span = column_place(model, single) if single else model.span
        consequence = (
            "autogenerate would propose dropping it"
            if pair.base_kind is SideKind.MODELS
            else "it was made outside the migrations"
        )
        message = (
            f"{side.label} {has(side.kind)} unique constraint {named}on {text} of {where}, "
            f"which {pair.base_label} {lacks(pair.base_kind)}; {consequence}"
        )
        if unique.span is not None:
            related = (Related(unique.span, f"{named or 'the constraint '}is created here"),)
    column = model.column(unique.columns[0]) if len(unique.columns) == 1 else None
    assert span is not None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=pair.finding_key(RULE.code, ",".join(unique.columns)),
        related=related,
        suppressible_at=(unique.span,) if unique.span is not None and not in_model else (),
        payload=UniqueDrift(
            table=model.name,
            schema=model.schema,
            columns=unique.columns,
            name=unique.name,
            in_model=in_model,
            column_key=(column.key or column.name) if column is not None else None,
        ),
    )


_TAGS_MODEL = """\
class Tag(Base):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40){slug})
"""
_TAGS_TABLE = """\
op.create_table(
    "tags",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("slug", sa.String(40), nullable=False{slug}),
)
"""


def _tags(model: str, migration: str) -> dict[str, str]:
    return project(_TAGS_MODEL.format(slug=model), _TAGS_TABLE.format(slug=migration))


RULE = Rule(
    code="SL003",
    slug="unique-drift",
    summary="A unique constraint exists in the model or in the migrations, not in both",
    severity=Severity.WARNING,
    explanation="""\
The model and the database must agree on what is unique. When the model declares a unique
constraint that no migration creates, the application believes in a uniqueness the database
does not enforce, and duplicates get in. When a migration creates a unique constraint the
model lacks, `alembic revision --autogenerate` proposes dropping it.

Constraints are compared by table and column set; `unique=True` on a column and
`UniqueConstraint("col")` are the same constraint. A unique *index* is not a constraint: the
same uniqueness as a unique index on the other side is a form difference, which SL009
reports.

Fix (unsafe): make the model say what the migrations create. If the database is what should
change, keep the model and generate a migration instead (`schema-lint migration`).
""",
    check=check,
    payload=UniqueDrift,
    flagged=(
        Example(
            _tags(", unique=True", ""),
            "The model says unique; no migration creates the constraint",
            fixed=fixed_model(_TAGS_MODEL.format(slug="")),
        ),
        Example(
            _tags("", ", unique=True"),
            "A migration makes slug unique; the model does not say so",
            fixed=fixed_model(
                _TAGS_MODEL.format(slug="").replace(
                    '    __tablename__ = "tags"\n',
                    '    __tablename__ = "tags"\n'
                    '    __table_args__ = (UniqueConstraint("slug"),)\n',
                )
            ),
        ),
    ),
    accepted=(
        Example(_tags(", unique=True", ", unique=True"), "Unique on both sides"),
        Example(
            project(
                _TAGS_MODEL.format(slug="").replace(
                    '    __tablename__ = "tags"\n',
                    '    __tablename__ = "tags"\n'
                    '    __table_args__ = (UniqueConstraint("slug"),)\n',
                ),
                _TAGS_TABLE.format(slug=", unique=True"),
            ),
            '`UniqueConstraint("slug")` and `unique=True` are the same constraint',
        ),
        Example(
            project(
                _TAGS_MODEL.format(slug=""),
                _TAGS_TABLE.format(slug="") + 'op.create_unique_constraint(None, "tags", ["id"])\n',
            ),
            "A unique constraint on the primary key's columns: redundant, autogenerate ignores it",
        ),
    ),
)
