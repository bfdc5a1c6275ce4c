"""The parts of ``schema-lint migration`` on their own: the template check, batch mode from
``env.py``, the guards' SQL, revision ids, and the findings it will not turn into changes."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest
import sqlglot
from generate_helpers import FIXTURES, copy_fixture, schema_lint
from schema_lint.facts.migrations import Migration
from schema_lint.facts.source import Span
from schema_lint.generate import guards
from schema_lint.generate.batch import render_as_batch
from schema_lint.generate.changes import Index, Unique
from schema_lint.generate.heads import Graph
from schema_lint.generate.render import sql_type
from schema_lint.generate.template import unsafe_construct

GENERIC = (FIXTURES / "blog_classic" / "migrations" / "script.py.mako").read_text("utf-8")

# --- script.py.mako ----------------------------------------------------------------------------


def test_alembics_own_templates_are_safe() -> None:
    import alembic

    templates = Path(alembic.__file__).parent / "templates"
    verdicts = {
        path.parent.name: unsafe_construct(path.read_text("utf-8"))
        for path in templates.glob("*/script.py.mako")
    }
    assert verdicts["generic"] is None and verdicts["pyproject"] is None
    assert verdicts["async"] is None
    assert verdicts["multidb"] is not None  # it imports `re` in a module block


@pytest.mark.parametrize(
    ("extra", "what"),
    [
        ("<% import os %>", "a Python block"),
        ("<%! import os %>", "a Python block"),
        ("${config.get_main_option('x')}", "config.get_main_option"),
        ("${__import__('os').getcwd()}", "__import__"),
        ("${open('x').read()}", "open("),
        ("<%include file='other.mako'/>", "the tag `<%include>`"),
        ("${message | evil}", "the filter `evil`"),
        ("% for i in range(3):\n% endfor", "range(3)"),
        ("${message.__class__}", "__class__"),
    ],
)
def test_a_template_that_runs_code_is_refused(extra: str, what: str) -> None:
    found = unsafe_construct(GENERIC + extra + "\n")
    assert found is not None
    line, description = found
    assert line == GENERIC.count("\n") + 1
    assert what in description


@pytest.mark.parametrize(
    "extra",
    [
        "% if imports:\n${imports}\n% endif",
        "${repr(branch_labels) if branch_labels else 'None'}",
        "${message | h}",
        "<%text>${not_rendered}</%text>",
        "## a Mako comment",
        "% for label in branch_labels:\n${label}\n% endfor",
    ],
)
def test_plain_expressions_are_rendered(extra: str) -> None:
    assert unsafe_construct(GENERIC + extra + "\n") is None


# --- batch mode ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("configure", "dialect", "batch"),
    [
        ("render_as_batch=True", "postgresql", True),
        ("render_as_batch=False", "sqlite", False),
        ('render_as_batch=connection.dialect.name == "sqlite"', "postgresql", True),
        ("", "postgresql", False),
        ("", "sqlite", True),
    ],
)
def test_batch_mode_as_env_py_asks(
    tmp_path: Path, configure: str, dialect: str, batch: bool
) -> None:
    (tmp_path / "env.py").write_text(
        f"from alembic import context\ncontext.configure(connection=None, {configure})\n"
    )
    assert render_as_batch(str(tmp_path), dialect) is batch


# --- the guards' SQL -----------------------------------------------------------------------------


def _plain(name: str) -> str:
    return name if name.islower() and name != "user" else f'"{name}"'


def _sql_of(code: str) -> list[str]:
    """The SQL string literals of guard code, joined as Python joins them."""
    import ast

    found = [
        (node.lineno, node.args[0].value)
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") in ("text", "execute")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    ]
    return [text for _, text in sorted(found)]


@pytest.mark.parametrize("read", ["postgres", "sqlite", "mysql"])
def test_guard_sql_parses_for_every_database(read: str) -> None:
    unique = Unique("post_tags", None, "uq", ("post_id", "tag_id"))
    partial = Index("comments", None, "ix", ("post_id", "email"), True, "deleted_at IS NULL")
    code = "\n".join(
        [
            guards.duplicates_check(guards.key_of(unique, _plain)),
            guards.keep_lowest(guards.key_of(partial, _plain), "id", _plain),
            guards.null_check(None, "authors", "name", _plain),
        ]
    )
    statements = _sql_of(code)
    assert len(statements) == 3
    for statement in statements:
        parsed = sqlglot.parse_one(statement, read=read)
        assert parsed is not None
    delete = statements[1]
    # MySQL deletes from a table it reads only through a derived table
    assert "NOT IN (SELECT kept.keep_id FROM (SELECT MIN(id) AS keep_id FROM comments" in delete
    assert "AND (deleted_at IS NULL)" in delete


def test_guard_names_are_quoted_where_the_database_needs_it() -> None:
    key = guards.key_of(Unique("user", "Shop", "uq", ("Email",)), _plain)
    assert key.table == '"Shop"."user"' and key.items == ('"Email"',)
    assert 'GROUP BY "Email" HAVING COUNT(*) > 1' in guards.duplicates_query(key)


def test_messages_keep_their_braces() -> None:
    key = guards.key_of(Index("t", None, "ix", ("{odd}",), True, None, True), _plain)
    code = guards.duplicates_check(key)
    namespace: dict[str, object] = {}
    raising = code.split("        raise RuntimeError(", 1)[1].rsplit(")", 1)[0]
    exec(f"found = 2\nmessage = ({raising})", namespace)  # the f-string as Python reads it
    assert str(namespace["message"]).startswith("t holds 2 group(s) of rows with the same")
    assert "{odd}" in str(namespace["message"])


# --- revision ids and heads ----------------------------------------------------------------------


def _migration(revision: str, *down: str) -> Migration:
    return Migration(
        f"/p/{revision}.py", revision, down, (), (), (), (), Span(f"/p/{revision}.py", 1, 0, 1, 0)
    )


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (["0001", "0002", "0014"], "0015"),
        (["1", "2"], "3"),
        (["0099"], "0100"),
        (["1a2b3c", "0002"], None),
    ],
)
def test_next_revision_id_in_the_projects_style(ids: list[str], expected: str | None) -> None:
    chain = [_migration(ids[0])]
    chain += [_migration(rev, prev) for prev, rev in itertools.pairwise(ids)]
    assert Graph.of(chain).next_id() == expected


def test_heads_holding_a_revision() -> None:
    graph = Graph.of(
        [_migration("a"), _migration("b", "a"), _migration("c", "a"), _migration("d", "b")]
    )
    assert graph.heads == ("c", "d") or set(graph.heads) == {"c", "d"}
    assert set(graph.holders(["/p/a.py"])) == {"c", "d"}
    assert graph.holders(["/p/b.py"]) == ("d",)
    assert graph.holds("c", ["/p/a.py"]) and not graph.holds("c", ["/p/b.py"])


# --- the existing type of a column ---------------------------------------------------------------


def test_existing_types_are_built_from_literals_only() -> None:
    assert repr(sql_type("sa.String(length=64)")) == "String(length=64)"
    assert repr(sql_type("sa.DateTime(timezone=True)")) == "DateTime(timezone=True)"
    assert repr(sql_type("Integer()")) == "Integer()"
    assert sql_type("sa.String(length=LIMIT)") is None
    assert sql_type("postgresql.JSONB()") is None
    assert sql_type("sa.text('x')") is None  # not a type
    assert sql_type("app.types.GUID()") is None


# --- what is not generated, and why --------------------------------------------------------------


def test_mysql_nullability_and_partial_indexes_are_left_to_the_user(tmp_path: Path) -> None:
    project = copy_fixture("blog_classic", tmp_path)
    fixed = schema_lint("check", str(project), "--fix", "--unsafe-fixes", "--select", "SL008")
    assert fixed.code == 0, fixed.err
    run = schema_lint("migration", str(project), "--dialect", "mysql", "--dry-run")
    assert run.code == 1
    assert "SL004 not generated: on mysql a nullability change restates the whole column" in (
        run.err
    )
    assert "SL007 not generated: mysql has no partial indexes" in run.err
    assert "create_check_constraint('ck_posts_status'" in run.out  # the rest is generated


def test_an_environment_without_alembic_ini(tmp_path: Path) -> None:
    project = tmp_path / "bare"
    shutil.copytree(FIXTURES / "blog_classic" / "migrations", project / "migrations")
    shutil.copytree(FIXTURES / "blog_classic" / "app", project / "app")
    (project / "pyproject.toml").write_text('[project]\nname = "bare"\n')
    run = schema_lint("migration", str(project), "--select", "SL007")
    assert run.code == 0, run.err
    (path,) = (project / "migrations" / "versions").glob("0003_*.py")
    assert path.name == "0003_add_index_ix_posts_slug_on_posts.py"  # Alembic's default template
    found = json.loads(schema_lint("check", str(project), "--format", "json").out)
    assert "SL007" not in {f["code"] for f in found}
