"""One dialect per Alembic environment: each version tree is replayed, and compared with the
models, for the database it targets (directory name, ``env.py``, ``alembic.ini``, config)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from schema_lint.config import load_config
from schema_lint.engine import check
from schema_lint.project import load_project

MODELS = """\
from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    __table_args__ = (Index("ix_things_a_sqlite", "a").ddl_if(dialect="sqlite"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a: Mapped[str | None] = mapped_column(String(20))
"""


def _revision(rev: str, body: str) -> str:
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        f"revision = {rev!r}\ndown_revision = None\n\n\n"
        "def upgrade():\n" + textwrap.indent(textwrap.dedent(body), "    ") + "\n"
    )


CREATE = """\
op.create_table(
    "things",
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("a", sa.String(20)),
)
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def codes(root: Path, **overrides: object) -> list[tuple[str, str, str]]:
    project = load_project(root, load_config(root, overrides or None))
    result = check(project)
    return sorted((d.code, d.key.table, d.key.side) for d in result.diagnostics)


def test_prefect_sqlite_tree_is_compared_with_the_sqlite_models(tmp_path: Path) -> None:
    """Reproduction 18 (prefect): a ``versions/sqlite`` tree creates an index that the model
    declares with ``.ddl_if(dialect="sqlite")``; checked with ``--dialect postgresql``, the
    SQLite tree was compared with the PostgreSQL models and the index reported missing."""
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": MODELS,
            "app/migrations/versions/postgresql/0001_pg.py": _revision("p1", CREATE),
            "app/migrations/versions/sqlite/0001_lite.py": _revision(
                "s1", CREATE + 'op.create_index("ix_things_a_sqlite", "things", ["a"])\n'
            ),
        },
    )
    assert codes(tmp_path, dialect="postgresql") == []


ENV_PY = """\
from alembic import context

def run_migrations_offline():
    context.configure(url="x", dialect_name={dialect!r})
"""
SQLITE_ONLY = _revision("s1", CREATE + 'op.create_index("ix_things_a_sqlite", "things", ["a"])\n')


def environments(root: Path, **overrides: object) -> dict[str, tuple[str | None, str]]:
    project = load_project(root, load_config(root, overrides or None))
    return {e.name: (e.dialect, e.dialect_source) for e in project.layout.environments}


def test_dialect_from_env_py(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": MODELS,
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": ENV_PY.format(dialect="sqlite"),
            "migrations/versions/0001.py": SQLITE_ONLY,
        },
    )
    assert environments(tmp_path) == {"migrations": ("sqlite", "`dialect_name` in its env.py")}
    assert codes(tmp_path) == []
    result = check(load_project(tmp_path, load_config(tmp_path)))
    (note,) = [p for p in result.problems if p.kind == "environment"]
    assert note.message == (
        "environment `migrations` is replayed for sqlite (`dialect_name` in its env.py) and "
        "compared with the models for sqlite"
    )
    assert note.span.path == str(tmp_path / "migrations" / "env.py")


def test_dialect_from_the_alembic_ini_url_unless_the_project_states_one(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": MODELS,
            "alembic.ini": (
                "[alembic]\nscript_location = migrations\n"
                "sqlalchemy.url = sqlite+pysqlite:///app.db\n"
            ),
            "migrations/versions/0001.py": SQLITE_ONLY,
        },
    )
    assert environments(tmp_path) == {"migrations": ("sqlite", "its alembic.ini URL")}
    assert codes(tmp_path) == []
    # a dialect the project states wins over a URL, which is often a developer's default
    assert environments(tmp_path, dialect="postgresql") == {"migrations": (None, "")}
    assert codes(tmp_path, dialect="postgresql") == [
        ("SL002", "things", "migrations"),
    ]


def test_configuration_wins_and_names_must_match(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": (
                '[tool.schema-lint.migrations.environments."migrations/versions/sqlite"]\n'
                'dialect = "postgresql"\n'
                '[tool.schema-lint.migrations.environments."nowhere"]\n'
                'dialect = "sqlite"\n'
            ),
            "app/models.py": MODELS,
            "migrations/versions/sqlite/0001.py": SQLITE_ONLY,
        },
    )
    assert environments(tmp_path) == {
        "migrations/versions/sqlite": ("postgresql", "the configuration")
    }
    result = check(load_project(tmp_path, load_config(tmp_path)))
    assert [d.code for d in result.diagnostics] == ["SL002"]
    (problem,) = [p for p in result.problems if p.kind == "configuration"]
    assert "'nowhere'] matches no Alembic environment" in problem.message
    assert "migrations/versions/sqlite" in problem.message


def test_every_section_of_an_alembic_ini_is_an_environment(tmp_path: Path) -> None:
    """Netflix dispatch: `[core]` and `[tenant]` sections, run with `alembic --name`."""
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "alembic.ini": (
                "[alembic]\nfile_template = %%(rev)s\n"
                "[core]\nscript_location = revisions/core\n"
                "[tenant]\nscript_location = revisions/tenant\n"
                "sqlalchemy.url = sqlite:///tenant.db\n"
            ),
            "revisions/core/versions/0001.py": _revision("c1", CREATE),
            "revisions/tenant/versions/0001.py": _revision("t1", CREATE),
        },
    )
    assert environments(tmp_path) == {
        "revisions/core": (None, ""),
        "revisions/tenant": ("sqlite", "its alembic.ini URL"),
    }


UNCOMPARED_ENV = """\
from alembic import context

target_metadata = None


def run_migrations_online():
    context.configure(connection=None, target_metadata=target_metadata)
"""
CREATE_X = _revision("x1", 'op.create_table("x", sa.Column("id", sa.Integer, primary_key=True))\n')


def test_an_environment_without_target_metadata_may_keep_unmodelled_tables(tmp_path: Path) -> None:
    """Reproduction 19 (ckan): an extension's ``env.py`` sets ``target_metadata = None``, so
    autogenerate never compares its tables with models; SL011 reported its table `x`."""
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": MODELS,
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": UNCOMPARED_ENV,
            "migrations/versions/0001.py": CREATE_X,
        },
    )
    assert ("SL011", "x", "migrations") not in codes(tmp_path)
    result = check(load_project(tmp_path, load_config(tmp_path)))
    (note,) = [p for p in result.problems if p.kind == "environment"]
    assert note.message == (
        "environment `migrations`: its env.py sets `target_metadata = None`, so autogenerate "
        "never compares it with models; the tables it creates that no model declares are not "
        "reported"
    )


def test_target_metadata_bound_somewhere_reports_unmodelled_tables(tmp_path: Path) -> None:
    """``target_metadata = None`` then rebound (an import, a branch) still compares."""
    rebound = UNCOMPARED_ENV.replace(
        "target_metadata = None\n",
        "target_metadata = None\nif True:\n    from app.models import Base\n"
        "    target_metadata = Base.metadata\n",
    )
    imported = UNCOMPARED_ENV.replace(
        "target_metadata = None\n", "target_metadata = None\nfrom app import target_metadata\n"
    )
    for env in (rebound, imported):
        write(
            tmp_path,
            {
                "pyproject.toml": "",
                "app/models.py": MODELS,
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/env.py": env,
                "migrations/versions/0001.py": CREATE_X,
            },
        )
        assert ("SL011", "x", "migrations") in codes(tmp_path)


def test_raw_sql_index_on_sqlite_keeps_the_default_null_order_implicit(tmp_path: Path) -> None:
    """prefect 3.9.1: ``CREATE INDEX ... (state_type, coalesce(a, b))`` run on SQLite was read
    as ``COALESCE(a, b) NULLS FIRST`` (SQLite's default order, spelt out for PostgreSQL), and
    SL009 reported the model's ``coalesce(cls.a, cls.b)`` as a different index."""
    models = """\
from sqlalchemy import Index, Integer, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Thing(Base):
    __tablename__ = "things"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    a: Mapped[str | None] = mapped_column(String(20))
    b: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (Index("ix_things_a_b", a, func.coalesce(a, b)),)
"""
    create = CREATE.replace(
        'sa.Column("a", sa.String(20)),',
        'sa.Column("a", sa.String(20)), sa.Column("b", sa.String(20)),',
    )
    revision = _revision(
        "s1", create + 'op.execute("CREATE INDEX ix_things_a_b ON things (a, coalesce(a, b))")\n'
    )
    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "app/models.py": models,
            "app/migrations/versions/sqlite/0001.py": revision,
        },
    )
    assert codes(tmp_path) == []
