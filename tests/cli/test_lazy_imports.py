"""A plain ``check`` imports only what it uses: no libcst, pygls or sqlglot when not needed.

Each run is a fresh interpreter that calls the CLI and then prints ``sys.modules``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import write_project

SHOP = Path(__file__).parent / "fixtures" / "shop"

_WRAPPER = (
    "import json, sys\n"
    "from schema_lint.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stdout.flush()\n"
    "sys.stderr.write('\\nMODULES ' + json.dumps(sorted(sys.modules)) + '\\n')\n"
    "sys.exit(code)\n"
)

EDITOR_ONLY = ("libcst", "pygls", "lsprotocol")
"""Used by fixes and the language server, never by a plain check."""


def modules_after(cwd: Path, *args: str) -> tuple[int, set[str]]:
    """The exit status of ``schema-lint <args>`` and the top-level packages it imported."""
    result = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    line = next(x for x in result.stderr.splitlines() if x.startswith("MODULES "))
    return result.returncode, set(json.loads(line.removeprefix("MODULES ")))


def _top(modules: set[str]) -> set[str]:
    return {m.split(".", 1)[0] for m in modules}


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    return root


def test_plain_check_imports_no_editor_packages(shop: Path) -> None:
    for args in (("check", "--no-cache"), ("check",), ("check",)):  # cold, writing, warm
        code, modules = modules_after(shop, *args)
        assert code == 1  # the shop has findings: the check did run
        assert not _top(modules) & set(EDITOR_ONLY), sorted(_top(modules) & set(EDITOR_ONLY))


def test_warm_unchanged_check_does_not_load_the_engine(shop: Path) -> None:
    modules_after(shop, "check")
    code, modules = modules_after(shop, "check")
    assert code == 1
    assert "schema_lint.engine" not in modules
    assert "schema_lint.schema.replay" not in modules


def test_sqlglot_only_when_a_condition_is_compared(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    plain = write_project(
        tmp_path / "plain",
        {
            "app/models.py": """
                from sqlalchemy import Column, Integer, String
                from sqlalchemy.orm import declarative_base

                Base = declarative_base()

                class User(Base):
                    __tablename__ = "users"
                    id = Column(Integer, primary_key=True)
                    name = Column(String(50))
            """
        },
    )
    code, modules = modules_after(plain, "check", "--no-cache")
    assert code == 0
    assert "sqlglot" not in _top(modules)
    assert "schema_lint.models" not in modules  # nothing from the user's project is imported
    (tmp_path / "checked").mkdir()
    checked = write_project(
        tmp_path / "checked",
        {
            "app/models.py": """
                from sqlalchemy import CheckConstraint, Column, Integer
                from sqlalchemy.orm import declarative_base

                Base = declarative_base()

                class Item(Base):
                    __tablename__ = "items"
                    __table_args__ = (CheckConstraint("qty > 0", name="ck_qty"),)
                    id = Column(Integer, primary_key=True)
                    qty = Column(Integer)
            """,
            "migrations/env.py": "",
            "migrations/versions/a1_items.py": """
                import sqlalchemy as sa
                from alembic import op

                revision = "a1"
                down_revision = None

                def upgrade():
                    op.create_table(
                        "items",
                        sa.Column("id", sa.Integer(), primary_key=True),
                        sa.Column("qty", sa.Integer()),
                        sa.CheckConstraint("(qty > 0)", name="ck_qty"),
                    )
            """,
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
        },
    )
    code, modules = modules_after(checked, "check", "--no-cache")
    assert code == 0
    assert "sqlglot" in _top(modules)  # the two spellings of the condition were compared
