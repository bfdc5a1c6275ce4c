"""``schema-lint migration`` on copies of the fixture projects: where the revision goes, what
it is named, what it holds, and that the replay then reads it (no database here: see
``test_migration_databases.py`` for real Alembic on PostgreSQL and SQLite)."""

from __future__ import annotations

import ast
import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from generate_helpers import (
    FIXTURES,
    ROOT,
    copy_fixture,
    fix_and_generate,
    new_revisions,
    schema_lint,
)

DRIFT = ("SL003", "SL004", "SL005", "SL006", "SL007", "SL009")


def findings(project: Path, *select: str) -> list[dict[str, object]]:
    args = ["check", str(project), "--format", "json"]
    if select:
        args += ["--select", ",".join(select)]
    run = schema_lint(*args)
    assert run.code in (0, 1), run.err
    found: list[dict[str, object]] = json.loads(run.out)
    return found


def module_values(path: Path) -> dict[str, object]:
    tree = ast.parse(path.read_text("utf-8"))
    values: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
            if isinstance(target, ast.Name) and node.value is not None:
                values[target.id] = ast.literal_eval(node.value)
    return values


def calls(path: Path, function: str) -> list[str]:
    """The ``op.``/``batch_op.`` calls of ``function``, in order: ``create_index(ix_x)``."""
    tree = ast.parse(path.read_text("utf-8"))
    body = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    found = []
    for node in ast.walk(body):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("op", "batch_op")
            and node.func.attr not in ("f", "get_bind", "get_context", "batch_alter_table")
        ):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Call):  # op.f("name")
                first = first.args[0]
            name = first.value if isinstance(first, ast.Constant) else "?"
            found.append((node.lineno, f"{node.func.attr}({name})"))
    return [text for _, text in sorted(found)]


# --- the file ----------------------------------------------------------------------------------


def test_revision_follows_file_template_and_chains_to_the_head(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    before = set(project.rglob("versions/**/*.py"))
    run = fix_and_generate(project, "-m", "Bring the schema to the models!")
    (path,) = new_revisions(project, before)
    today = datetime.date.today()
    # file_template = %%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s; ids are numbers
    assert path.name == f"{today:%Y_%m_%d}_0003_bring_the_schema_to_the_models.py"
    values = module_values(path)
    assert values["revision"] == "0003"
    assert values["down_revision"] == "0002"
    assert path.read_text("utf-8").startswith('"""Bring the schema to the models!\n')
    assert "0003" in run.out and "on 0002" in run.out
    # the replay reads the new file: nothing selected is left, and nothing is unreadable
    assert findings(project) == []
    verbose = schema_lint("check", str(project), "--verbose")
    assert path.name not in verbose.err


def test_operations_resolve_each_drift_finding(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    before = set(project.rglob("versions/**/*.py"))
    fix_and_generate(project)
    (path,) = new_revisions(project, before)
    assert calls(path, "upgrade") == [
        "alter_column(name)",  # SL004: NOT NULL, after its NULL check
        "alter_column(bio)",  # SL004: nullable
        "create_unique_constraint(authors_email_key)",  # SL003, named as PostgreSQL would
        "drop_index(ix_posts_author_created)",  # SL009: another definition
        "drop_constraint(fk_posts_author_id)",  # SL005: the foreign key again, ON DELETE
        "create_check_constraint(ck_posts_status)",  # SL006
        "create_index(ix_posts_author_created)",
        "create_foreign_key(fk_posts_author_id)",
        "create_index(ix_posts_slug)",  # SL007
        "drop_constraint(uq_tags_name)",  # SL003: only the migrations had it
        "create_unique_constraint(uq_post_tags_post_id_tag_id)",  # SL001, after its fix
        "drop_constraint(uq_comments_post_author)",  # SL008's fix: a partial unique index
        "create_index(uq_comments_post_author)",
    ]
    # the downgrade undoes each operation, last first
    assert calls(path, "downgrade") == [
        "drop_index(uq_comments_post_author)",
        "create_unique_constraint(uq_comments_post_author)",
        "drop_constraint(uq_post_tags_post_id_tag_id)",
        "create_unique_constraint(uq_tags_name)",
        "drop_index(ix_posts_slug)",
        "drop_constraint(fk_posts_author_id)",
        "drop_index(ix_posts_author_created)",
        "drop_constraint(ck_posts_status)",
        "create_foreign_key(fk_posts_author_id)",
        "create_index(ix_posts_author_created)",
        "drop_constraint(authors_email_key)",
        "alter_column(bio)",
        "alter_column(name)",
    ]
    text = path.read_text("utf-8")
    # render_as_batch=True in env.py: batch blocks, as autogenerate renders them
    assert "with op.batch_alter_table('post_tags', schema=None) as batch_op:" in text
    assert "postgresql_where=sa.text('deleted_at IS NULL')" in text
    assert "ondelete='CASCADE'" in text


def test_guards_run_before_any_change(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    before = set(project.rglob("versions/**/*.py"))
    fix_and_generate(project)
    (path,) = new_revisions(project, before)
    text = re.sub(r"'\n\s*'", "", path.read_text("utf-8"))  # one literal per string
    upgrade = text[text.index("def upgrade") : text.index("def downgrade")]
    first_change = upgrade.index("with op.batch_alter_table")
    for guard in (
        "SELECT COUNT(*) FROM authors WHERE name IS NULL",
        "FROM authors WHERE email IS NOT NULL GROUP BY email HAVING COUNT(*) > 1",
        "WHERE post_id IS NOT NULL AND tag_id IS NOT NULL GROUP BY post_id, tag_id",
        "author_email IS NOT NULL AND (deleted_at IS NULL) GROUP BY post_id, author_email",
    ):
        assert guard in upgrade
        assert upgrade.index(guard) < first_change
    downgrade = text[text.index("def downgrade") :]
    # the downgrade adds uniqueness and NOT NULL back: it checks first too
    assert "SELECT COUNT(*) FROM authors WHERE bio IS NULL" in downgrade
    assert "GROUP BY name HAVING COUNT(*) > 1" in downgrade


def test_dry_run_prints_the_file_and_writes_nothing(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    before = set(project.rglob("*"))
    run = schema_lint("migration", str(project), "--dry-run", "--select", "SL004")
    assert run.code == 0, run.err
    assert set(project.rglob("*")) == before
    header, _, body = run.out.partition("\n")
    assert header.startswith("# ") and header.endswith("_0003_match_the_models_on_authors.py")
    assert "revision: str = '0003'" in body
    assert "alter_column('name'" in body and "create_unique_constraint" not in body


def test_rev_id_and_select(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    before = set(project.rglob("versions/**/*.py"))
    run = schema_lint("migration", str(project), "--rev-id", "abc123", "--select", "SL005,SL006")
    assert run.code == 0, run.err
    (path,) = new_revisions(project, before)
    assert module_values(path)["revision"] == "abc123"
    assert "_abc123_match_the_models_on_posts.py" in path.name
    assert calls(path, "upgrade") == [
        "drop_constraint(fk_posts_author_id)",
        "create_check_constraint(ck_posts_status)",
        "create_foreign_key(fk_posts_author_id)",
    ]
    left = {f["code"] for f in findings(project)}
    assert not left & {"SL005", "SL006"} and {"SL004", "SL007"} <= left


def test_index_only_in_the_migrations_is_dropped_only_when_selected(tmp_path: Path) -> None:
    project = tmp_path / "rbac"
    shutil.copytree(ROOT / "examples" / "rbac", project)
    run = schema_lint("migration", str(project), "--dry-run")
    # SL001 is fixed in the model first; SL002 (an index the model lacks) is not selected
    assert "SL001 not generated: resolved in the model" in run.err
    assert run.code == 1 and run.out == ""
    run = schema_lint("migration", str(project), "--dry-run", "--select", "SL002")
    assert run.code == 0, run.err
    # env.py: render_as_batch=connection.dialect.name == "sqlite": batch mode suits both
    assert "batch_op.drop_index(batch_op.f('ix_refresh_tokens_token_hash'))" in run.out
    assert "batch_op.create_index(batch_op.f('ix_refresh_tokens_token_hash')" in run.out
    assert run.out.startswith("# ") and "0015_drop_indexes_on_refresh_tokens.py" in run.out


def test_naming_convention_version_locations_and_hooks(tmp_path: Path) -> None:
    project = copy_fixture("shop_naming", tmp_path)
    before = set(project.rglob("alembic/**/*.py"))
    run = fix_and_generate(project)
    (path,) = sorted(set(project.rglob("alembic/**/*.py")) - before)
    # the head (7f8e9d0c1b2a) lives in the second version location: so does its child
    assert path.parent.name == "extra"
    values = module_values(path)
    assert values["down_revision"] == "7f8e9d0c1b2a"
    assert re.fullmatch(r"[0-9a-f]{12}", str(values["revision"]))  # Alembic's own ids
    text = path.read_text("utf-8")
    # the post_write_hook (ruff format) ran: double quotes, calls split over lines
    assert 'batch_op.f("uq_customers_email")' in text
    assert "'" not in text.split('"""', 2)[2].replace("'\\''", "")
    # names are the convention's, final (op.f): the convention must not apply twice
    assert 'batch_op.f("ck_products_price_positive")' in text
    assert 'batch_op.f("uq_order_products_order_id")' in text
    assert 'batch_op.f("fk_orders_customer_id_customers")' in text
    assert "Generated" in run.out
    assert findings(project) == []


def test_no_hooks(tmp_path: Path) -> None:
    project = copy_fixture("shop_naming", tmp_path)
    before = set(project.rglob("alembic/**/*.py"))
    run = schema_lint("migration", str(project), "--no-hooks", "--select", "SL006")
    assert run.code == 0, run.err
    (path,) = sorted(set(project.rglob("alembic/**/*.py")) - before)
    assert "batch_op.f('ck_products_price_positive')" in path.read_text("utf-8")


def test_two_environments_get_a_revision_each(tmp_path: Path) -> None:
    project = copy_fixture("two_envs", tmp_path)
    before = set(project.rglob("versions/*.py"))
    fix_and_generate(project)
    app, audit = sorted(set(project.rglob("versions/*.py")) - before)
    assert app.parent == project / "app" / "migrations" / "versions"
    assert module_values(app)["revision"] == "0002"
    assert module_values(app)["down_revision"] == "0001"
    assert calls(app, "upgrade") == [
        "alter_column(email)",
        "create_unique_constraint(uq_user_groups_user_id_group_id)",
    ]
    assert audit.parent == project / "audit" / "migrations" / "versions"
    assert module_values(audit)["down_revision"] == "aud001"
    assert calls(audit, "upgrade") == ["alter_column(created_at)", "create_index(ix_events_kind)"]
    assert findings(project) == []


def test_several_heads_need_head_only_for_shared_tables(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    versions = project / "migrations" / "versions"
    (versions / "0002b_notes.py").write_text(
        '"""notes"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        'revision = "0002b"\ndown_revision = "0001"\n\n\n'
        "def upgrade():\n"
        '    op.create_table("notes", sa.Column("id", sa.Integer(), primary_key=True))\n',
        encoding="utf-8",
    )
    # authors (SL003) is on both heads; post_tags (SL003 after SL001's fix) only on 0002
    fixed = schema_lint("check", str(project), "--fix", "--unsafe-fixes", "--select", "SL001")
    assert fixed.code == 0, fixed.err
    run = schema_lint("migration", str(project), "--dry-run", "--select", "SL003")
    assert run.code == 2
    assert "several heads" in run.err and "--head" in run.err
    assert "`authors`: 0002, 0002b" in run.err or "`authors`: 0002b, 0002" in run.err
    assert "`post_tags`" not in run.err
    before = set(versions.glob("*.py"))
    run = schema_lint("migration", str(project), "--select", "SL003", "--head", "0002b")
    assert run.code == 2
    assert "--head 0002b: `post_tags` is not in the history of 0002b" in run.err
    assert set(versions.glob("*.py")) == before
    run = schema_lint("migration", str(project), "--select", "SL003", "--head", "0002")
    assert run.code == 0, run.err
    (path,) = set(versions.glob("*.py")) - before
    assert module_values(path)["down_revision"] == "0002"
    assert findings(project, "SL003") == []


def test_nothing_to_generate(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    fix_and_generate(project)
    before = set(project.rglob("*"))
    run = schema_lint("migration", str(project))
    assert run.code == 0
    assert "Nothing to generate" in run.err
    assert set(project.rglob("*")) == before


def test_unsafe_template_is_not_rendered(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    template = project / "migrations" / "script.py.mako"
    marker = tmp_path / "rendered"
    template.write_text(
        template.read_text("utf-8") + f"<% open({str(marker)!r}, 'w').close() %>\n", "utf-8"
    )
    before = set(project.rglob("*"))
    run = schema_lint("migration", str(project), "--select", "SL004")
    assert run.code == 2
    assert "script.py.mako:" in run.err and "a Python block" in run.err
    assert not marker.exists()
    assert set(project.rglob("*")) == before


def test_nothing_of_the_project_is_run(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    marker = tmp_path / "ran"
    touch = f"open({str(marker)!r}, 'a').write(__file__ + '\\n')\n"
    env = project / "migrations" / "env.py"
    env.write_text(touch + env.read_text("utf-8"), "utf-8")
    for revision in (project / "migrations" / "versions").glob("*.py"):
        revision.write_text(revision.read_text("utf-8") + touch, "utf-8")
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text("utf-8") + "revision_environment = true\n", "utf-8")
    run = schema_lint("migration", str(project), "--select", "SL004")
    assert run.code == 0, run.err
    assert "revision_environment = true: env.py was not run" in run.err
    assert not marker.exists()


def test_keep_lowest_needs_a_single_column_primary_key(tmp_path: Path) -> None:
    project = tmp_path / "composite"
    (project / "migrations" / "versions").mkdir(parents=True)
    for name in ("env.py", "script.py.mako"):
        shutil.copy(FIXTURES / "blog_classic" / "migrations" / name, project / "migrations")
    (project / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (project / "models.py").write_text(
        "from sqlalchemy import Column, Integer, String\n"
        "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\n"
        "class Version(Base):\n"
        '    __tablename__ = "versions"\n'
        "    doc = Column(Integer, primary_key=True)\n"
        "    number = Column(Integer, primary_key=True)\n"
        "    label = Column(String(20), unique=True)\n"
    )
    (project / "migrations" / "versions" / "0001_versions.py").write_text(
        'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "0001"\n'
        "down_revision = None\n\n\ndef upgrade():\n"
        '    op.create_table("versions", sa.Column("doc", sa.Integer(), primary_key=True),\n'
        '        sa.Column("number", sa.Integer(), primary_key=True),\n'
        '        sa.Column("label", sa.String(20)))\n'
    )
    run = schema_lint("migration", str(project), "--dedupe", "keep-lowest", "--dry-run")
    assert run.code == 2
    assert "`versions` has no single-column primary key" in run.err
    run = schema_lint("migration", str(project), "--dry-run")
    assert run.code == 0 and "versions_label_key" in run.out


def test_without_alembic_says_what_to_install(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    code = (
        "import sys; sys.modules['alembic'] = None\n"
        "from schema_lint.cli import main\n"
        f"sys.exit(main(['migration', {str(project)!r}, '--no-cache']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 2
    assert "pip install 'schema-lint[migration]'" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_arguments(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    with pytest.raises(SystemExit) as exited:
        schema_lint("migration", str(project), "--dedupe=newest")
    assert exited.value.code == 2
    run = schema_lint("migration", str(project), "--select", "XX1")
    assert run.code == 2 and "unknown code XX1" in run.err


def test_a_bad_alembic_option_is_reported(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    ini = project / "alembic.ini"
    ini.write_text(ini.read_text("utf-8") + "truncate_slug_length = forty\n", "utf-8")
    run = schema_lint("migration", str(project), "--select", "SL004")
    assert run.code == 2
    assert "alembic.ini: the Alembic configuration cannot be read" in run.err
    assert "Traceback" not in run.err
