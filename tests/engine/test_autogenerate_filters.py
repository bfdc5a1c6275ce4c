"""The project's own autogenerate filters: ``include_object``/``include_name`` in ``env.py``
and ``[alembic:exclude]`` in ``alembic.ini``, read statically and applied to the comparison."""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.extract.env_filters import env_filters, ini_filters
from schema_lint.project import load_project

ENV_FILTERS = '''\
import re

from alembic import context


def include_object(object, name, type_, reflected, compare_to):
    """Keep trigram and case-insensitive indexes and PostGIS tables out."""
    if type_ == "index" and name.endswith("_case_insensitive"):
        return False
    if type_ == "table" and name in {"spatial_ref_sys", "topology"}:
        return False
    if re.match(r"trgm_.*_idx$", name):
        return False
    return True


def include_name(name, type_, parent_names):
    if type_ == "index":
        return not name.startswith("pg_")
    return True


def run_migrations_online():
    context.configure(include_object=include_object, include_name=include_name)
'''


def _summary(filters: object) -> list[tuple[str | None, str, str | None]]:
    return [(f.kind, f.name, f.table) for f in filters]  # type: ignore[attr-defined]


def test_name_patterns_sets_and_kinds_are_read() -> None:
    reading = env_filters(ast.parse(ENV_FILTERS), "env.py")
    assert _summary(reading.filters) == [
        ("index", "*_case_insensitive", None),
        ("table", "spatial_ref_sys", None),
        ("table", "topology", None),
        (None, "trgm_*_idx", None),
        ("index", "pg_*", None),
    ]
    assert reading.unreadable == ()
    assert reading.filters[0].span is not None and reading.filters[0].span.line == 6


def test_reflected_only_objects_of_a_kind_are_that_whole_kind() -> None:
    source = textwrap.dedent(
        """\
        def include_object(object, name, type_, reflected, compare_to):
            if type_ == "index" and reflected and compare_to is None:
                return False
            return True
        """
    )
    assert _summary(env_filters(ast.parse(source)).filters) == [("index", "*", None)]


def test_an_unknown_test_silences_its_kind_or_is_said_once() -> None:
    source = textwrap.dedent(
        """\
        def include_object(object, name, type_, reflected, compare_to):
            if type_ == "index" and object.info.get("skip"):
                return False
            if object.info.get("skip_autogenerate"):
                return False
            return True
        """
    )
    reading = env_filters(ast.parse(source))
    assert _summary(reading.filters) == [("index", "*", None)]  # silence for that kind
    assert reading.unreadable == (("include_object", 1),)  # no kind: said, still compared


def test_alembic_exclude_section() -> None:
    text = (
        "[alembic]\nscript_location = migrations\n\n"
        "[alembic:exclude]\ntables = a, b*\nindexes = ix_x\n"
    )
    assert _summary(ini_filters(text)) == [
        ("table", "a", None),
        ("table", "b*", None),
        ("index", "ix_x", None),
    ]


MODEL = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Flow(Base):
    __tablename__ = "flow"
    id = Column(Integer, primary_key=True)
    name = Column(String(50), nullable=False)
"""

REVISION = """\
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "flow",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
    )
    op.execute("CREATE INDEX ix_flow_name_case_insensitive ON flow (lower(name))")
    op.create_table("spatial_ref_sys", sa.Column("srid", sa.Integer(), primary_key=True))
"""


def _project(root: Path, env: str, ini_extra: str = "") -> Path:
    files = {
        "pyproject.toml": "[project]\nname = 'filters'\n",
        "alembic.ini": f"[alembic]\nscript_location = migrations\n{ini_extra}",
        "migrations/env.py": env,
        "migrations/versions/0001_flow.py": REVISION,
        "app/models.py": MODEL,
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _codes(root: Path) -> list[tuple[str, str | None]]:
    result = check(load_project(root, load_config(root)))
    return [(d.code, d.key.object if d.key else None) for d in result.diagnostics]


def test_without_filters_both_objects_are_findings(tmp_path: Path) -> None:
    root = _project(tmp_path, "from alembic import context\n")
    assert sorted(_codes(root)) == [
        ("SL002", "ix_flow_name_case_insensitive"),
        ("SL011", None),
    ]


def test_the_projects_filters_keep_them_out(tmp_path: Path) -> None:
    root = _project(tmp_path, ENV_FILTERS)
    assert _codes(root) == []
    result = check(load_project(root, load_config(root)))
    notes = [p.message for p in result.problems if p.kind == "autogenerate-filter"]
    assert any(
        m.startswith("include_object in env.py line 6 keeps index `*_case_insensitive`")
        and "index `ix_flow_name_case_insensitive` of `flow`" in m
        for m in notes
    )
    assert any("table `spatial_ref_sys`" in m for m in notes)


def test_alembic_exclude_keeps_a_table_out(tmp_path: Path) -> None:
    root = _project(
        tmp_path, "from alembic import context\n", "\n[alembic:exclude]\ntables = spatial_*\n"
    )
    assert _codes(root) == [("SL002", "ix_flow_name_case_insensitive")]


def test_an_unreadable_filter_is_said_once_and_objects_are_still_compared(tmp_path: Path) -> None:
    env = (
        "from alembic import context\n"
        "def include_object(object, name, type_, reflected, compare_to):\n"
        "    return not object.info.get('skip')\n"
    )
    root = _project(tmp_path, env)
    result = check(load_project(root, load_config(root)))
    (said,) = [p for p in result.problems if p.kind == "unreadable-filter"]
    assert said.message.startswith("include_object in env.py line 2 cannot be read")
    assert sorted((d.code, d.key.object if d.key else None) for d in result.diagnostics) == [
        ("SL002", "ix_flow_name_case_insensitive"),
        ("SL011", None),
    ]


def test_nested_tests_and_an_unknown_part_keep_what_is_known() -> None:
    # ckan's include_name: `plugin_loaded(...)` cannot be read; the names it narrows can
    source = textwrap.dedent(
        """\
        def include_name(name, type_, parent_names):
            if type_ == "table":
                if name.endswith("_alembic_version"):
                    return False
                if not plugin_loaded("tracking") and name in ("tracking_raw", "tracking_summary"):
                    return False
            return True
        """
    )
    assert _summary(env_filters(ast.parse(source)).filters) == [
        ("table", "*_alembic_version", None),
        ("table", "tracking_raw", None),
        ("table", "tracking_summary", None),
    ]


def test_a_test_on_an_unknown_value_silences_its_kind() -> None:
    # ckan's plugin environments: tables are compared only when named after the plugin
    source = textwrap.dedent(
        """\
        name = os.path.basename(os.path.dirname(__file__))
        def include_object(object, object_name, type_, reflected, compare_to):
            if type_ == "table":
                return object_name.startswith(name)
            return True
        """
    )
    assert _summary(env_filters(ast.parse(source)).filters) == [("table", "*", None)]


PREFECT_FILTER = """
def include_object(object, name, type_, reflected, compare_to):
    if type_ == "index":
        if not reflected and any([name.endswith(suffix) for suffix in {"asc", "desc"}]):
            return compare_to is None or object.name != compare_to.name
        elif reflected and (name.startswith("gin") or name.endswith("case_insensitive")):
            return False
    return True
"""


def test_reflected_and_not_reflected_filters_keep_to_their_side() -> None:
    """prefect's ``include_object``: ``not reflected and any([name.endswith(s) ...])`` keeps
    the models' ``*asc``/``*desc`` indexes out (the whole function was read as unreadable
    for indexes, silencing every SL002), ``reflected and ...`` the database's."""
    found = env_filters(ast.parse(PREFECT_FILTER))
    assert found.unreadable == ()
    assert sorted((f.kind, f.name, f.reflected) for f in found.filters) == [
        ("index", "*asc", False),
        ("index", "*case_insensitive", True),
        ("index", "*desc", False),
        ("index", "gin*", True),
    ]
