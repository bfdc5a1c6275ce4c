"""Newer syntax read on any supported Python: PEP 695, PEP 758 and PEP 701 files give the
facts their older equivalents give, line for line, and nothing is skipped.

On an interpreter that knows the syntax, ``ast`` reads it directly; the comparison holds
there too.
"""

from __future__ import annotations

from schema_lint.project import ROLE_MIGRATION, ROLE_MODEL, extract_file
from schema_lint.schema.models import build_model_schema
from schema_lint.schema.replay import replay_migrations
from schema_lint.schema.serialize import schema_to_dict

NEW_MODELS = """\
import sqlalchemy as sa
from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PREFIX = "app"

type Label = str


class Base(DeclarativeBase):
    pass


class Repository[T: Base]:
    def first[K](self, key: K) -> T | None:
        try:
            return None
        except KeyError, LookupError:
            return None


class Tag(Base):
    __tablename__ = "app_tags"
    __table_args__ = (
        Index(f"ix_{"tags"}_name", "name"),
        UniqueConstraint("name", "kind", name=f"{"uq"}_tags_name_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), index=True, comment=f"{
        "the kind"  # PEP 701: a comment and a line break in a replacement field
    }")


def label[T](x: T) -> str:
    return f"{x!r:>{10}}"


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("app_tags.id"), index=True)
"""

OLD_MODELS = (
    NEW_MODELS.replace("type Label = str", "Label = str")
    .replace("class Repository[T: Base]:", "class Repository:")
    .replace("def first[K](self", "def first(self")
    .replace("except KeyError, LookupError:", "except (KeyError, LookupError):")
    .replace('f"ix_{"tags"}_name"', "f'ix_{\"tags\"}_name'")
    .replace('f"{"uq"}_tags_name_kind"', "f'{\"uq\"}_tags_name_kind'")
    .replace(
        'f"{\n        "the kind"  # PEP 701: a comment and a line break in a replacement field'
        '\n    }"',
        "f'''{\n        \"the kind\"\n    }'''",
    )
    .replace("def label[T](x: T)", "def label(x: T)")
)

NEW_REVISION = """\
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
type Name = str


def upgrade():
    op.create_table("app_tags", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_index(f"ix_{"app_tags"}_id", "app_tags", ["id"], unique=True)
    try:
        pass
    except ValueError, TypeError:
        pass
"""

OLD_REVISION = (
    NEW_REVISION.replace("type Name = str", "Name = str")
    .replace('f"ix_{"app_tags"}_id"', "f'ix_{\"app_tags\"}_id'")
    .replace("except ValueError, TypeError:", "except (ValueError, TypeError):")
)


def _tables(text: str) -> tuple[dict[str, object], list[tuple[str, int | None]]]:
    facts = extract_file("models.py", text.encode("utf-8"), ROLE_MODEL, "postgresql")
    assert facts.problems == (), facts.problems
    assert facts.model is not None
    schema = build_model_schema([facts.model], dialect="postgresql")
    lines = sorted((t.name, t.span.line if t.span else None) for t in schema.tables.values())
    return schema_to_dict(schema), lines


def test_the_older_equivalent_is_what_it_says() -> None:
    assert OLD_MODELS.count("\n") == NEW_MODELS.count("\n")
    for new in ("type ", "[T", "except KeyError,", 'f"{"', "# PEP 701"):
        assert new not in OLD_MODELS, new


def test_newer_model_syntax_gives_the_facts_of_its_older_equivalent() -> None:
    new, new_lines = _tables(NEW_MODELS)
    old, old_lines = _tables(OLD_MODELS)
    assert new == old
    assert new_lines == old_lines
    tag = new["tables"]["app_tags"]  # type: ignore[index]
    assert {i["name"] for i in tag["indexes"]} == {"ix_tags_name", "ix_app_tags_kind"}
    assert [u["name"] for u in tag["unique_constraints"]] == ["uq_tags_name_kind"]
    note = new["tables"]["notes"]  # type: ignore[index]
    assert note["foreign_keys"][0]["ref_table"] == "app_tags"


def test_newer_revision_syntax_gives_the_replay_of_its_older_equivalent() -> None:
    replays = []
    for text in (NEW_REVISION, OLD_REVISION):
        facts = extract_file("0001.py", text.encode("utf-8"), ROLE_MIGRATION, "postgresql")
        assert facts.problems == () and facts.migration is not None
        replays.append(schema_to_dict(replay_migrations([facts.migration])))
    assert replays[0] == replays[1]
    assert replays[0]["tables"]["app_tags"]["indexes"][0]["name"] == "ix_app_tags_id"
