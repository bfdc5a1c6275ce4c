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
