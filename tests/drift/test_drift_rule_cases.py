"""Minimal reproductions of the rule disagreements the ground truth found (``tricky``'s
``dup_model``, ``dup_db`` and ``two_soft`` tables), without a database: the whole engine on a
one-model, one-revision project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from schema_lint.config import load_config
from schema_lint.diagnostics import Diagnostic
from schema_lint.engine import check
from schema_lint.project import load_project
from schema_lint.rules.example_projects import project


def run(tmp_path: Path, model: str, upgrade: str) -> list[Diagnostic]:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'case'\n")
    for rel, source in project(model, upgrade).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(source)
    result = check(load_project(tmp_path, load_config(tmp_path)))
    assert result.problems == ()
    return list(result.diagnostics)


def keys(diagnostics: list[Diagnostic]) -> set[tuple[str, Any]]:
    return {(d.code, getattr(d.payload, "name", None) or d.payload.index) for d in diagnostics}


TABLE = """\
op.create_table(
    "tags",
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("code", sa.String(20), nullable=False),
)
"""

TAGS = """\
class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = ({indexes})
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))
"""


def test_the_second_of_two_model_indexes_on_one_column_is_missing(tmp_path: Path) -> None:
    """The migrations create `tags_code_a` only: `tags_code_b` is missing (SL007), not the
    same index under another name."""
    model = TAGS.format(indexes='Index("tags_code_a", "code"), Index("tags_code_b", "code")')
    upgrade = TABLE + 'op.create_index("tags_code_a", "tags", ["code"])'
    assert keys(run(tmp_path, model, upgrade)) == {("SL007", "tags_code_b")}


def test_the_second_of_two_migration_indexes_on_one_column_is_no_rename(
    tmp_path: Path,
) -> None:
    """The model declares `tags_code_a`, which the migrations create: their `tags_code_b` is
    missing from the model (SL002), not `tags_code_a` renamed (whose fix would rename it)."""
    model = TAGS.format(indexes='Index("tags_code_a", "code"),')
    upgrade = (
        TABLE
        + 'op.create_index("tags_code_a", "tags", ["code"])\n'
        + 'op.create_index("tags_code_b", "tags", ["code"])'
    )
    (finding,) = run(tmp_path, model, upgrade)
    assert (finding.code, finding.payload.index, finding.payload.renamed_from) == (
        "SL002",
        "tags_code_b",
        None,
    )
    assert "exists in the migrations but not in the model" in finding.message


SOFT = """\
class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("email", "deleted_at"),
        Index("accounts_email_live", "email", unique=True, postgresql_where=text("{where}")),
        Index("accounts_handle", "handle", unique=True),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(80))
    handle: Mapped[str] = mapped_column(String(40))
    is_deleted: Mapped[bool]
    deleted_at: Mapped[Optional[str]]
"""


def test_any_soft_delete_column_of_the_table_excludes_deleted_rows(tmp_path: Path) -> None:
    """`is_deleted` and `deleted_at`: a key with `deleted_at`, or a predicate on it, is safe
    although `is_deleted` comes first; a key with neither is not."""
    found = run(tmp_path, SOFT.format(where="deleted_at IS NULL"), "pass")
    sl008 = [d for d in found if d.code == "SL008"]
    assert [d.payload.columns for d in sl008] == [("handle",)]
    assert sl008[0].payload.predicate == "NOT is_deleted"
