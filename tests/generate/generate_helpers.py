"""Running ``schema-lint`` and real Alembic on copies of the fixture projects, and reading back
what the database holds and what the imported models declare, in comparable forms."""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import shutil
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from schema_lint.cli import main
from schema_lint.vocabulary.sql import normalise_condition

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Run:
    code: int
    out: str
    err: str


def schema_lint(*args: str) -> Run:
    """``schema-lint ARGS`` in this process (no cache), with its output."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args[:1], *args[1:], "--no-cache"] if args else [])
    return Run(code, out.getvalue(), err.getvalue())


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def fix_and_generate(project: Path, *extra: str) -> Run:
    """The workflow: fix the model-side findings, then generate the migration."""
    fixed = schema_lint("check", str(project), "--fix", "--unsafe-fixes", "--select", "SL001,SL008")
    assert fixed.code in (0, 1), fixed.err
    generated = schema_lint("migration", str(project), *extra)
    assert generated.code == 0, generated.out + generated.err
    return generated


def new_revisions(project: Path, before: set[Path]) -> list[Path]:
    return sorted(set(project.rglob("versions/**/*.py")) - before)


# --- real Alembic ------------------------------------------------------------------------------


def alembic_config(config_file: Path, url: str) -> Config:
    config = Config(str(config_file))
    config.attributes["url"] = url
    return config


def upgrade(config_file: Path, url: str, target: str = "head") -> None:
    command.upgrade(alembic_config(config_file, url), target)


def downgrade(config_file: Path, url: str, target: str = "-1") -> None:
    command.downgrade(alembic_config(config_file, url), target)


def engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=sa.NullPool)


@contextlib.contextmanager
def connection(url: str) -> Iterator[sa.Connection]:
    db = engine(url)
    try:
        with db.begin() as conn:
            yield conn
    finally:
        db.dispose()


# --- the database, reflected whole -------------------------------------------------------------


def reflect(url: str) -> dict[str, Any]:
    """Every table but Alembic's, with every name, as the database holds it."""
    db = engine(url)
    try:
        with db.connect() as conn, warnings.catch_warnings():
            warnings.simplefilter("ignore", sa.exc.SAWarning)
            inspector = sa.inspect(conn)
            dialect = conn.dialect.name
            return {
                name: _reflect_table(inspector, name, dialect)
                for name in sorted(inspector.get_table_names())
                if not name.startswith("alembic_version") and not name.endswith("_version")
            }
    finally:
        db.dispose()


def _reflect_table(inspector: sa.Inspector, name: str, dialect: str) -> dict[str, Any]:
    indexes = []
    for index in inspector.get_indexes(name):
        if index.get("duplicates_constraint"):
            continue
        where = (index.get("dialect_options") or {}).get(f"{dialect}_where")
        indexes.append(
            (
                index["name"],
                tuple(str(c) for c in index["column_names"]),
                bool(index["unique"]),
                _condition(where, dialect),
            )
        )
    return {
        "columns": {c["name"]: bool(c["nullable"]) for c in inspector.get_columns(name)},
        "primary_key": tuple(inspector.get_pk_constraint(name)["constrained_columns"]),
        "unique_constraints": sorted(
            (u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(name)
        ),
        "indexes": sorted(indexes, key=repr),
        "foreign_keys": sorted(
            (
                fk["name"],
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
                _action((fk.get("options") or {}).get("ondelete")),
                _action((fk.get("options") or {}).get("onupdate")),
            )
            for fk in inspector.get_foreign_keys(name)
        ),
        "check_constraints": sorted(
            (c["name"], _condition(c["sqltext"], dialect))
            for c in inspector.get_check_constraints(name)
        ),
    }


def _action(value: str | None) -> str | None:
    action = " ".join((value or "").upper().split())
    return None if action in ("", "NO ACTION") else action


def _condition(text: Any, dialect: str) -> str | None:
    if text is None:
        return None
    return normalise_condition(str(text), dialect) or str(text)


# --- the models, imported ----------------------------------------------------------------------


def import_models(path: Path) -> ModuleType:
    """The fixture's model module (its own code, imported under a unique name)."""
    name = f"genmig_models_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def declared(metadata: sa.MetaData, dialect: str) -> dict[str, Any]:
    """What the models declare, in the shape :func:`compared` reads from a reflection."""
    tables: dict[str, Any] = {}
    for table in metadata.sorted_tables:
        uniques = {frozenset(c.name for c in u.columns) for u in _uniques(table)}
        indexes = set()
        for index in table.indexes:
            options = index.dialect_options.get(dialect)
            where = options.get("where") if options is not None else None
            columns = tuple(c.name for c in index.columns)
            indexes.add((str(index.name), columns, bool(index.unique), _condition(where, dialect)))
        tables[table.name] = {
            "nullable": {c.name: bool(c.nullable) for c in table.columns},
            "uniques": uniques,
            "indexes": indexes,
            "foreign_keys": {
                (
                    tuple(c.name for c in fk.columns),
                    fk.referred_table.name,
                    tuple(e.column.name for e in fk.elements),
                    _action(fk.ondelete),
                    _action(fk.onupdate),
                )
                for fk in table.foreign_key_constraints
            },
            "checks": {
                str(c.name)
                for c in table.constraints
                if isinstance(c, sa.CheckConstraint) and c.name is not None
            },
        }
    return tables


def _uniques(table: sa.Table) -> list[sa.UniqueConstraint]:
    return [c for c in table.constraints if isinstance(c, sa.UniqueConstraint)]


def compared(reflected: dict[str, Any]) -> dict[str, Any]:
    """A reflection in the shape of :func:`declared`."""
    tables: dict[str, Any] = {}
    for name, table in reflected.items():
        tables[name] = {
            "nullable": {
                column: nullable and column not in table["primary_key"]
                for column, nullable in table["columns"].items()
            },
            "uniques": {frozenset(columns) for _, columns in table["unique_constraints"]},
            "indexes": set(table["indexes"]),
            "foreign_keys": {fk[1:] for fk in table["foreign_keys"]},
            "checks": {str(name) for name, _ in table["check_constraints"] if name},
        }
    return tables


def primary_key_nullability(metadata: sa.MetaData) -> None:
    """Primary key columns are NOT NULL in every database (a model may say otherwise)."""
    for table in metadata.tables.values():
        for column in table.primary_key.columns:
            column.nullable = False


# --- reading a generated revision --------------------------------------------------------------


def operations(path: Path, function: str) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(operation, table, name, columns) of each constraint or index operation of
    ``function`` in ``path``, in order, whether written with ``op.`` or in a batch block."""
    tree = ast.parse(path.read_text("utf-8"))
    body = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    found: list[tuple[str, str, str, tuple[str, ...]]] = []

    def literal(node: ast.expr) -> Any:
        if isinstance(node, ast.Call) and node.args:  # op.f("name")
            node = node.args[0]
        return ast.literal_eval(node)

    def visit(statements: list[ast.stmt], table: str | None) -> None:
        for statement in statements:
            if isinstance(statement, ast.With):
                call = statement.items[0].context_expr
                inner = table
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == (
                    "batch_alter_table"
                ):
                    inner = literal(call.args[0])
                visit(statement.body, inner)
            elif isinstance(statement, ast.If):
                visit(statement.body, table)
            elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                call = statement.value
                name = getattr(call.func, "attr", "")
                if name == "execute" or not call.args:
                    continue
                args = [literal(a) for a in call.args]
                batch = getattr(call.func.value, "id", "") == "batch_op"  # type: ignore[attr-defined]
                target = table if batch else None
                if not batch:
                    keyword = next((k for k in call.keywords if k.arg == "table_name"), None)
                    target = literal(keyword.value) if keyword else args.pop(1)
                columns = tuple(args[1]) if len(args) > 1 and isinstance(args[1], list) else ()
                found.append((name, str(target), str(args[0]), columns))

    visit(body.body, None)
    return found
