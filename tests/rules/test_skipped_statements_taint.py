"""Precision: a finding never rests on a statement schema-lint skipped.

For every drift rule's flagged examples, a revision added after the example's head runs a
statement that cannot be read (its SQL text is built from a setting) and that names the very
object a finding is about: the finding must go, and every other finding of the example stay.
Index and constraint findings are tainted by the object's name alone (the table stays
judged); findings on columns and tables by the table's name.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from schema_lint.config import load_config
from schema_lint.diagnostics import Diagnostic
from schema_lint.engine import build_schemas, check
from schema_lint.project import load_project
from schema_lint.rules.registry import RULES, Example

DRIFT = {f"SL{n:03d}" for n in range(2, 12)}
COLUMN_OR_TABLE = {"SL004", "SL010", "SL011"}
"""Rules whose findings are about a column or a whole table: tainted through the table."""

CASES = [
    pytest.param(rule.code, example, id=f"{rule.code}-{i}")
    for rule in RULES
    if rule.code in DRIFT
    for i, example in enumerate(rule.flagged)
    if example.database is None
    # a statement is added after the head revision: examples without one have nothing to taint
    and any(rel.endswith(".py") and "revision = " in src for rel, src in example.files.items())
]

_TAINT = '''\
"""a statement schema-lint cannot read"""
from alembic import op

from app.settings import OLD_NAME

revision = "zz_taint"
down_revision = {head!r}


def upgrade():
    op.execute(f"ALTER INDEX {{OLD_NAME}} RENAME TO {name}")


def downgrade():
    pass
'''


def _write(root: Path, files: dict[str, str]) -> None:
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'example'\n")
    for rel, source in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


def _findings(root: Path) -> list[Diagnostic]:
    return list(check(load_project(root, load_config(root))).diagnostics)


def _object_names(root: Path, table: str, obj: str) -> list[str]:
    """The names of the migrations' indexes and constraints a finding about ``obj`` (a name,
    or columns written ``a,b``) of ``table`` may be about."""
    schemas = build_schemas(load_project(root, load_config(root)))
    columns = tuple(obj.split(","))
    names = [obj]
    for schema in schemas.migrations.values():
        found = schema.tables.get(table)
        if found is None:
            continue
        for item in (*found.indexes, *found.unique_constraints, *found.foreign_keys):
            if item.name and tuple(item.columns) == columns:
                names.append(item.name)
    return names


def _head(files: dict[str, str]) -> tuple[str, str]:
    """The versions directory and head revision of an example with one linear history."""
    revisions: dict[str, str | None] = {}
    directory = ""
    for rel, source in files.items():
        found = re.search(r'^revision\s*=\s*["\'](\w+)["\']', source, re.M)
        if found is None:
            continue
        down = re.search(r'^down_revision\s*=\s*["\'](\w+)["\']', source, re.M)
        revisions[found[1]] = down[1] if down else None
        directory = rel.rsplit("/", 1)[0]
    (head,) = set(revisions) - set(revisions.values())
    return directory, head


@pytest.mark.parametrize(("code", "example"), CASES)
def test_a_skipped_statement_naming_the_object_silences_the_finding(
    tmp_path: Path, code: str, example: Example
) -> None:
    files = dict(example.files)
    _write(tmp_path / "before", files)
    before = [d for d in _findings(tmp_path / "before") if d.code == code]
    assert before, f"{code}'s flagged example must be flagged"
    directory, head = _head(files)
    for finding in before:
        key = finding.key
        assert key is not None
        assert key.table is not None
        names = [key.table.split(".")[-1]]
        if code not in COLUMN_OR_TABLE and key.object is not None:
            found = _object_names(tmp_path / "before", key.table, key.object)
            unnamed = len(found) == 1 and getattr(finding.payload, "name", "") is None
            if not unnamed:  # an unnamed object only the model has: tainted through its table
                names = found
        name = names[-1]
        tainted = dict(files)
        tainted[f"{directory}/zz_taint.py"] = _TAINT.format(head=head, name=name)
        tainted["app/settings.py"] = "import os\nOLD_NAME = os.environ['OLD_NAME']\n"
        root = tmp_path / f"taint-{name}"
        _write(root, tainted)
        after = _findings(root)
        assert finding.key not in {d.key for d in after}, name
        others = {d.key for d in before if d.key != finding.key}
        assert others <= {d.key for d in after}, "only the tainted object is silenced"


def test_an_uncertain_constraint_takes_its_counterpart_of_another_name_along(
    tmp_path: Path,
) -> None:
    """optuna: a skipped `drop_constraint(<name from the database>)` made the migrations'
    `study_user_attributes_study_id_key_key` uncertain; the model's unnamed unique constraint
    on the same columns stayed, and SL003 said no migration creates it."""
    files = {
        "pyproject.toml": "",
        "app/models.py": (
            "from sqlalchemy import Column, Integer, String, UniqueConstraint\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Attr(Base):\n"
            '    __tablename__ = "attrs"\n'
            '    __table_args__ = (UniqueConstraint("study_id", "key"),)\n'
            "    id = Column(Integer, primary_key=True)\n"
            "    study_id = Column(Integer)\n"
            "    key = Column(String(20))\n"
        ),
        "migrations/versions/0001.py": (
            "import sqlalchemy as sa\nfrom alembic import op\n\nfrom app.names import found\n\n"
            'revision = "1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.create_table("attrs", sa.Column("id", sa.Integer, primary_key=True),\n'
            '        sa.Column("study_id", sa.Integer), sa.Column("key", sa.String(20)),\n'
            '        sa.UniqueConstraint("study_id", "key"))\n'
            '    op.drop_constraint(found(), "attrs", type_="unique")\n'
        ),
        "app/names.py": "def found():\n    return input()\n",
    }
    assert _check_files(tmp_path, files) == []


def test_an_uncertain_check_takes_its_unnamed_counterpart_along(tmp_path: Path) -> None:
    """optuna's `version_info_id=1`: uncertain under PostgreSQL's name in the migrations,
    unnamed in the model; SL006 said no migration creates it."""
    files = {
        "pyproject.toml": "",
        "app/models.py": (
            "from sqlalchemy import CheckConstraint, Column, Integer\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Info(Base):\n"
            '    __tablename__ = "info"\n'
            '    __table_args__ = (CheckConstraint("info_id=1"),)\n'
            "    info_id = Column(Integer, primary_key=True)\n"
        ),
        "migrations/versions/0001.py": (
            "import sqlalchemy as sa\nfrom alembic import op\n\nfrom app.names import found\n\n"
            'revision = "1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.create_table("info", sa.Column("info_id", sa.Integer, primary_key=True),\n'
            '        sa.CheckConstraint("info_id=1"))\n'
            '    op.drop_constraint(found(), "info", type_="check")\n'
        ),
        "app/names.py": "def found():\n    return input()\n",
    }
    assert _check_files(tmp_path, files) == []


def _check_files(root: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return [d.code for d in check(load_project(root, load_config(root))).diagnostics]


_UUID_MODEL = (
    "from sqlalchemy import Column, Integer, String\n"
    "from sqlalchemy.orm import declarative_base\n\n"
    "Base = declarative_base()\n\n\n"
    "class Db(Base):\n"
    '    __tablename__ = "dbs"\n'
    "    id = Column(Integer, primary_key=True)\n"
    "    uuid = Column(String(36), unique=True)\n"
)


def test_a_loop_over_module_values_built_from_other_module_values_taints_its_tables(
    tmp_path: Path,
) -> None:
    """superset `b56500de1855`: `for table_name, model in models.items()` adds the
    `uq_<table>_uuid` constraints, `models` a comprehension over `table_names`; the table
    names were not followed, and SL003 said no migration makes `dbs.uuid` unique."""
    revision = (
        "import sqlalchemy as sa\nfrom alembic import op\n\nfrom app.models import Base\n\n"
        'revision = "1"\ndown_revision = None\n\n'
        'table_names = ["dbs"]\n'
        "models = {name: type(name, (Base,), {}) for name in table_names}\n\n\n"
        "def upgrade():\n"
        '    op.create_table("dbs", sa.Column("id", sa.Integer, primary_key=True),\n'
        '        sa.Column("uuid", sa.String(36)))\n'
        "    for table_name, model in models.items():\n"
        "        with op.batch_alter_table(table_name) as batch_op:\n"
        '            batch_op.create_unique_constraint(f"uq_{table_name}_uuid", ["uuid"])\n'
    )
    files = {
        "pyproject.toml": "",
        "app/models.py": _UUID_MODEL,
        "migrations/versions/0001.py": revision,
    }
    assert _check_files(tmp_path, files) == []


def test_an_uncertain_unique_index_takes_the_models_unique_constraint_along(
    tmp_path: Path,
) -> None:
    """superset `ssh_tunnels`: the migrations' unique index on `uuid` was uncertain, the
    model's `unique=True` constraint stayed, and SL003 said no migration makes it unique."""
    revision = (
        "import sqlalchemy as sa\nfrom alembic import op\n\nfrom app.names import found\n\n"
        'revision = "1"\ndown_revision = None\n\n\n'
        "def upgrade():\n"
        '    op.create_table("dbs", sa.Column("id", sa.Integer, primary_key=True),\n'
        '        sa.Column("uuid", sa.String(36)))\n'
        '    op.create_index("ix_dbs_uuid", "dbs", ["uuid"], unique=True)\n'
        '    op.drop_index(found(), table_name="dbs")\n'
    )
    files = {
        "pyproject.toml": "",
        "app/models.py": _UUID_MODEL,
        "app/names.py": "def found():\n    return input()\n",
        "migrations/versions/0001.py": revision,
    }
    assert _check_files(tmp_path, files) == []
