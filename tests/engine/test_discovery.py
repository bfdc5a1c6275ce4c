"""Zero-configuration discovery of model files and Alembic environments."""

from __future__ import annotations

from pathlib import Path

from schema_lint.config import load_config
from schema_lint.project import discover

REVISION = "revision = '{rev}'\ndown_revision = None\ndef upgrade():\n    pass\n"
MODEL = "from sqlalchemy.orm import DeclarativeBase\nclass Base(DeclarativeBase):\n    pass\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_alembic_ini_and_models(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = %(here)s/migrations\n",
            "migrations/env.py": "import sqlalchemy\nfrom app.models import Base\n",
            "migrations/versions/0001_init.py": REVISION.format(rev="0001"),
            "app/models.py": MODEL,
            "app/utils.py": "def helper():\n    return 1\n",
            ".venv/pyvenv.cfg": "",
            ".venv/lib/site.py": MODEL,
            "node_modules/x/models.py": MODEL,
            "build/lib/app/models.py": MODEL,
        },
    )
    layout, _ = discover(tmp_path, load_config(tmp_path))
    assert [e.name for e in layout.environments] == ["migrations"]
    assert list(layout.migration_files) == [str(tmp_path / "migrations/versions/0001_init.py")]
    assert set(layout.model_files) == {str(tmp_path / "app/models.py")}


def test_version_locations_and_pyproject_alembic(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.alembic]\nscript_location = 'db'\n"
                "version_locations = ['db/versions', 'plugins/versions']\n"
            ),
            "db/versions/a.py": REVISION.format(rev="a"),
            "plugins/versions/b.py": REVISION.format(rev="b"),
        },
    )
    layout, _ = discover(tmp_path, load_config(tmp_path))
    assert [e.name for e in layout.environments] == ["db"]
    assert set(layout.migration_files.values()) == {"db"}
    assert len(layout.migration_files) == 2


def test_unconfigured_versions_directory_is_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "service/migrations/versions/1.py": REVISION.format(rev="1"),
            "other/migrations/versions/2.py": REVISION.format(rev="2"),
        },
    )
    layout, _ = discover(tmp_path, load_config(tmp_path))
    assert sorted(e.name for e in layout.environments) == [
        "other/migrations/versions",
        "service/migrations/versions",
    ]


def test_configured_paths_and_exclude(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": (
                "[tool.schema-lint]\nmodels = ['src/models']\nmigrations = ['db']\n"
                "exclude = ['src/models/legacy']\n"
            ),
            "db/env.py": "",
            "db/versions/1.py": REVISION.format(rev="1"),
            "src/models/user.py": MODEL,
            "src/models/legacy/old.py": MODEL,
            "src/other.py": MODEL,
        },
    )
    layout, _ = discover(tmp_path, load_config(tmp_path))
    assert set(layout.model_files) == {str(tmp_path / "src/models/user.py")}
    assert list(layout.migration_files.values()) == ["db"]


def test_script_folder_files_are_not_models_and_reexports_are_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": MODEL,
            "migrations/shared/frozen_models.py": MODEL,
            "migrations/versions/1.py": REVISION.format(rev="1"),
            "app/db/__init__.py": "from .core import db\n",
            "app/db/core.py": "from flask_sqlalchemy import SQLAlchemy\ndb = SQLAlchemy()\n",
            "app/empty/__init__.py": "",
        },
    )
    layout, _ = discover(tmp_path, load_config(tmp_path))
    assert set(layout.model_files) == {
        str(tmp_path / "app/db/__init__.py"),
        str(tmp_path / "app/db/core.py"),
    }


def _rev(rev: str, down: str | None, labels: str = "()") -> str:
    return (
        "from alembic import op\n\n"
        f"revision = {rev!r}\ndown_revision = {down!r}\nbranch_labels = {labels}\n\n\n"
        "def upgrade():\n    op.add_column('t', None)\n"
    )


def test_revision_files_below_a_version_directory_that_continue_its_graph(
    tmp_path: Path,
) -> None:
    """keystone sets ``version_locations`` in code (``versions/yoga/expand`` ...): those
    revisions were never replayed, so constraints its contract branch drops stayed, and
    SL003 reported them. Files below a version directory are read as the environment's when
    they continue its graph; an archive of unrelated revisions is not."""
    from schema_lint.project import load_project

    write(
        tmp_path,
        {
            "pyproject.toml": "",
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/env.py": "",
            "migrations/versions/0001_initial.py": _rev("a1", None),
            "migrations/versions/yoga/expand/0002.py": _rev("b2", "a1", "('expand',)"),
            "migrations/versions/yoga/contract/0003.py": _rev("c3", "a1", "('contract',)"),
            "migrations/versions/bobcat/contract/0004.py": _rev("d4", "c3"),
            "migrations/versions/archive/0005.py": _rev("e5", None),
            "migrations/versions/archive/0006.py": _rev("f6", "zz"),
            "migrations/versions/archive/0007.py": _rev("a1", "d4"),
        },
    )
    project = load_project(tmp_path, load_config(tmp_path))
    kept = sorted(
        Path(p).relative_to(tmp_path / "migrations" / "versions").as_posix()
        for p in project.layout.migration_files
    )
    assert kept == [
        "0001_initial.py",
        "bobcat/contract/0004.py",
        "yoga/contract/0003.py",
        "yoga/expand/0002.py",
    ]
    (note,) = [p for p in project.layout.problems if p.kind == "environment"]
    assert note.message.startswith("environment `migrations`: 3 revision file(s) in ")
