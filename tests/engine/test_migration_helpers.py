"""Helpers a revision imports from other modules of the project are evaluated like its own.

Reproduction 2 of ``docs/real-world.md`` (superset routes its DDL through
``superset/migrations/shared/utils.py``): before, such calls were skipped as "defined outside
this file" and the tables they created never existed in the replay.
"""

from __future__ import annotations

from pathlib import Path

from projects import write_project
from schema_lint.cache import FactsCache
from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.facts.migrations import CreateIndex, CreateTable, MarkIncomplete, MarkUncertain
from schema_lint.project import Project, load_project, with_file_text

UTILS = """
    import sqlalchemy as sa
    from alembic import op

    from .constants import PREFIX
    from .never_used import something_heavy


    def create_table(table_name, *columns, **kwargs):
        op.create_table(table_name, *columns, **kwargs)


    def create_index(table_name, column, unique=False):
        name = f"{PREFIX}_{table_name}_{column}"
        op.create_index(name, table_name, [column], unique=unique)


    def drop_unique_indexes(table):
        for index in sa.inspect(op.get_bind()).get_indexes(table):
            op.drop_index(index["name"], table_name=table)
"""

REVISION = """
    import sqlalchemy as sa

    from migrations.shared import utils
    from migrations.shared.constants import TAGS
    from migrations.shared.utils import create_index, create_table

    revision = "0001"
    down_revision = None


    def upgrade():
        create_table(TAGS, sa.Column("id", sa.Integer(), primary_key=True),
                     sa.Column("name", sa.String(50), nullable=False))
        create_index(TAGS, "name")
        utils.drop_unique_indexes("other")


    def downgrade():
        pass
"""


def _project(root: Path) -> Path:
    return write_project(
        root,
        {
            "app/models.py": """
                from sqlalchemy import String
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class Tag(Base):
                    __tablename__ = "tags"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    name: Mapped[str] = mapped_column(String(50))
            """,
            "migrations/env.py": "from alembic import context\n",
            "migrations/shared/constants.py": 'TAGS = "tags"\nPREFIX = "ix"\n',
            "migrations/shared/never_used.py": "raise SystemExit('never imported')\n",
            "migrations/shared/utils.py": UTILS,
            "migrations/versions/0001_tags.py": REVISION,
        },
    )


def _revision(project: Project) -> str:
    (path,) = project.layout.migration_files
    return path


def test_helpers_in_another_module_are_replayed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    project = load_project(root, load_config(root))
    revision = project.files[_revision(project)]
    assert revision.migration is not None
    operations = [
        op
        for op in revision.migration.operations
        if not isinstance(op, MarkIncomplete | MarkUncertain)
    ]
    assert [type(op) for op in operations] == [CreateTable, CreateIndex]
    # The helper whose loop is not read may change the table the call names.
    marked = {op.table for op in revision.migration.operations if isinstance(op, MarkIncomplete)}
    assert "other" in marked and "tags" not in marked
    index = operations[1]
    assert isinstance(index, CreateIndex) and index.index.name == "ix_tags_name"
    # Reported where the revision calls the helper: a suppression comment goes there.
    assert (index.span.path, index.span.line) == (revision.path, 15)

    result = check(project)
    (finding,) = result.diagnostics
    assert finding.code == "SL002" and "ix_tags_name" in finding.message
    assert [s.line for s in finding.suppressible_at] == [15]


def test_what_a_helper_cannot_do_is_reported_at_the_call(tmp_path: Path) -> None:
    root = _project(tmp_path)
    project = load_project(root, load_config(root))
    revision = project.files[_revision(project)]
    assert revision.migration is not None
    (problem,) = [p for p in revision.migration.problems if p.kind == "unanalysable"]
    assert problem.span.line == 16
    assert "utils.drop_unique_indexes" in problem.message
    assert (
        "the loop cannot be evaluated statically (in shared/utils.py, line 19)" in problem.message
    )


def test_only_the_modules_used_are_read_and_they_are_recorded(tmp_path: Path) -> None:
    root = _project(tmp_path)
    project = load_project(root, load_config(root))
    depends_on = project.files[_revision(project)].depends_on
    assert depends_on is not None and depends_on.layout == project.sources.index.digest
    assert sorted(Path(p).name for p, _ in depends_on.files) == ["constants.py", "utils.py"]


def test_cached_facts_of_a_revision_follow_its_helpers(tmp_path: Path) -> None:
    root = _project(tmp_path)
    config = load_config(root)

    def index_names() -> list[str]:
        cache = FactsCache.load(tmp_path / "cache")
        project = load_project(root, config, cache=cache)
        migration = project.files[_revision(project)].migration
        assert migration is not None
        return [op.index.name or "" for op in migration.operations if isinstance(op, CreateIndex)]

    assert index_names() == ["ix_tags_name"]
    assert index_names() == ["ix_tags_name"]  # from the cache
    constants = root / "migrations/shared/constants.py"
    constants.write_text('TAGS = "tags"\nPREFIX = "idx"\n')
    assert index_names() == ["idx_tags_name"]
    (root / "migrations/shared/never_used.py").unlink()  # the files changed, not this one
    assert index_names() == ["idx_tags_name"]


def test_an_edited_helper_updates_the_revisions_in_the_editor(tmp_path: Path) -> None:
    root = _project(tmp_path)
    project = load_project(root, load_config(root))
    edited = with_file_text(
        project,
        str(root / "migrations/shared/constants.py"),
        'TAGS = "tags"\nPREFIX = "uq"\n',
    )
    migration = edited.files[_revision(edited)].migration
    assert migration is not None
    names = [op.index.name for op in migration.operations if isinstance(op, CreateIndex)]
    assert names == ["uq_tags_name"]
    assert [d.message for d in check(edited).diagnostics] != [
        d.message for d in check(project).diagnostics
    ]


def test_an_import_that_is_not_found_stays_a_call_outside_the_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "migrations/shared/utils.py").unlink()
    project = load_project(root, load_config(root))
    migration = project.files[_revision(project)].migration
    assert migration is not None
    assert all(isinstance(op, MarkIncomplete | MarkUncertain) for op in migration.operations)
    marked = {op.table for op in migration.operations if isinstance(op, MarkIncomplete)}
    assert marked >= {"other"}
    assert any("defined outside this file" in p.message for p in migration.problems)


def _cascade_project(root: Path) -> Path:
    """superset's ``add_on_delete_cascade_for_owners_references``: a loop over module-level
    descriptions calls a project helper whose tables cannot be evaluated."""
    return write_project(
        root,
        {
            "app/models.py": """
                from sqlalchemy import ForeignKey
                from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

                class Base(DeclarativeBase):
                    pass

                class User(Base):
                    __tablename__ = "users"
                    id: Mapped[int] = mapped_column(primary_key=True)

                class Slice(Base):
                    __tablename__ = "slices"
                    id: Mapped[int] = mapped_column(primary_key=True)
                    owner_id: Mapped[int] = mapped_column(
                        ForeignKey("users.id", ondelete="CASCADE")
                    )
            """,
            "migrations/env.py": "from alembic import context\n",
            "migrations/shared/constraints.py": """
                from dataclasses import dataclass
                from alembic import op

                @dataclass(frozen=True)
                class ForeignKey:
                    table: str
                    referent_table: str
                    local_cols: list[str]

                def redefine(foreign_key, on_delete=None):
                    with op.batch_alter_table(foreign_key.table) as batch_op:
                        batch_op.drop_constraint(f"fk_{foreign_key.table}", type_="foreignkey")
                        batch_op.create_foreign_key(
                            f"fk_{foreign_key.table}", foreign_key.referent_table,
                            foreign_key.local_cols, ["id"], ondelete=on_delete,
                        )
            """,
            "migrations/versions/0001_slices.py": """
                import sqlalchemy as sa
                from alembic import op

                revision = "0001"
                down_revision = None

                def upgrade():
                    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
                    op.create_table(
                        "slices",
                        sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id",
                                  name="fk_slices"), nullable=False),
                    )
            """,
            "migrations/versions/0002_cascade.py": """
                from migrations.shared.constraints import ForeignKey, redefine

                revision = "0002"
                down_revision = "0001"

                foreign_keys = [
                    ForeignKey(table="slices", referent_table="users", local_cols=["owner_id"]),
                ]

                def upgrade():
                    for foreign_key in foreign_keys:
                        redefine(foreign_key, on_delete="CASCADE")
            """,
        },
    )


def test_a_skipped_loop_taints_the_tables_its_data_names(tmp_path: Path) -> None:
    """Before: a false SL005 (the replay kept the foreign key the loop redefines)."""
    root = _cascade_project(tmp_path)
    result = check(load_project(root, load_config(root)))
    assert [d.code for d in result.diagnostics] == []
    table = result.schemas.migrations["migrations/versions"].tables["slices"]
    assert table.incomplete
