"""SL014 database-not-at-head: the database's Alembic stamp is not the migrations' head."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.facts.source import Span
from schema_lint.rules.context import RevisionNode, RuleContext, SideKind
from schema_lint.rules.database_presence import same_database
from schema_lint.rules.example_projects import project
from schema_lint.rules.registry import Example, Rule


@dataclass(frozen=True, slots=True)
class RevisionState:
    """SL014's payload: the stamp, the heads and what is pending."""

    stamped: tuple[str, ...] | None
    heads: tuple[str, ...]
    pending: tuple[str, ...]
    unknown: tuple[str, ...]
    """Stamped revisions no revision file defines."""


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for database in context.sides(SideKind.DATABASE):
        environments = same_database(context, database)
        if not environments:
            continue
        nodes = {n.revision: n for side in environments for n in side.history}
        heads = tuple(sorted({h for side in environments for h in side.schema.heads}))
        stamped = database.stamped
        if not heads:
            continue
        if stamped is None or not stamped:
            state = "has no `alembic_version` table" if stamped is None else "is not stamped"
            yield _finding(
                f"the database {state}: it was never migrated with Alembic, or its stamp was "
                f"lost (the migrations' head is {_names(heads)}; `alembic stamp` records it "
                "once the schema is right)",
                _place(nodes, heads),
                RevisionState(stamped, heads, (), ()),
            )
            continue
        unknown = tuple(r for r in stamped if r not in nodes)
        applied = _ancestors(stamped, nodes)
        pending = tuple(r for r in _ordered(nodes) if r not in applied)
        if unknown:
            message = (
                f"the database is stamped at {_names(unknown)}, which no revision file "
                f"defines (the migrations' head is {_names(heads)}): a revision was deleted "
                "or renamed, or the database runs a newer version of the code"
            )
        elif pending:
            message = (
                f"the database is stamped at {_names(stamped)}, not at the migrations' head "
                f"{_names(heads)}: {_names(pending)} {'is' if len(pending) == 1 else 'are'} "
                "pending (`alembic upgrade head`)"
            )
        else:
            continue
        place = nodes[pending[0]].span if pending else _place(nodes, heads)
        yield _finding(message, place, RevisionState(stamped, heads, pending, unknown))


def _names(revisions: Iterable[str]) -> str:
    return ", ".join(f"`{r}`" for r in revisions)


def _place(nodes: dict[str, RevisionNode], heads: tuple[str, ...]) -> Span | None:
    for head in heads:
        if head in nodes:
            return nodes[head].span
    return next((n.span for n in nodes.values()), None)


def _ancestors(stamped: Iterable[str], nodes: dict[str, RevisionNode]) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in stamped if r in nodes]
    while todo:
        revision = todo.pop()
        if revision in seen:
            continue
        seen.add(revision)
        todo.extend(p for p in nodes[revision].parents if p in nodes)
    return seen


def _ordered(nodes: dict[str, RevisionNode]) -> list[str]:
    """Revisions parents first (the order ``alembic upgrade`` applies them)."""
    done: list[str] = []
    seen: set[str] = set()

    def visit(revision: str, depth: int = 0) -> None:
        if revision in seen or depth > len(nodes):
            return
        seen.add(revision)
        for parent in nodes[revision].parents:
            if parent in nodes:
                visit(parent, depth + 1)
        done.append(revision)

    for revision in sorted(nodes):
        visit(revision)
    return done


def _finding(message: str, span: Span | None, payload: RevisionState) -> Diagnostic:
    assert span is not None
    return Diagnostic(
        code=RULE.code,
        message=message,
        span=span,
        severity=RULE.severity,
        key=FindingKey(RULE.code, None, "revision", "database"),
        payload=payload,
    )


_MODEL = """\
class Invoice(Base):
    __tablename__ = "invoices"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
_MIGRATION = """\
op.create_table("invoices", sa.Column("id", sa.Integer(), primary_key=True))
"""
_DATABASE = """\
CREATE TABLE invoices (id INTEGER NOT NULL PRIMARY KEY);
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
INSERT INTO alembic_version VALUES ('{stamp}');
"""

RULE = Rule(
    code="SL014",
    slug="database-not-at-head",
    summary="The database is not stamped at the migrations' head",
    severity=Severity.WARNING,
    explanation="""\
`schema-lint db` only. Alembic records the revision a database is at in its
`alembic_version` table. When that is not the head of the history, migrations are pending
(a deployment that did not run them), the stamp names a revision that no longer exists (a
squashed or deleted revision, or a database of a newer release), or the database was never
stamped (built with `create_all()`). The comparisons with the migrations are then against a
schema this database does not claim to have, so this says why they differ.

Fix: `alembic upgrade head`; for a database built another way, make its schema right and
`alembic stamp head`.
""",
    check=check,
    payload=RevisionState,
    flagged=(
        Example(
            project(_MODEL, _MIGRATION),
            "Stamped at a revision the history does not have",
            database=_DATABASE.format(stamp="ffff"),
        ),
    ),
    accepted=(
        Example(
            project(_MODEL, _MIGRATION),
            "Stamped at the head",
            database=_DATABASE.format(stamp="0001"),
        ),
    ),
)
