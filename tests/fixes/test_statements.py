"""Fixes read a file a statement at a time: the same nodes, positions, quote style and
indentation as a whole-file libcst parse; results checked on the statements they touch; and
the fixes adding to one declaration composed in one round."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from fix_helpers import GOLDEN, load
from schema_lint.diagnostics import Edit
from schema_lint.engine import check
from schema_lint.fixes.apply import apply_fixes
from schema_lint.fixes.source import NotParsed, Source

TRICKY = '''\
# a header comment
"""The module's docstring."""

import sqlalchemy as sa
from sqlalchemy import (
    Column,
    Integer,
)

SQL = """
class NotAClass:
    x = Column(Integer)
"""
LONG = 1 + \\
2


@decorator(
    arg=1,
)
class Model(Base):
\t__tablename__ = 'models'
\tid = Column(Integer, primary_key=True)
\tname = sa.Column(sa.String(20), info={'k': f"{x['y']}"})

\tdef method(self):
\t\treturn 'a'
# a dedented comment inside the class's lines


try:
    import fast
except ImportError:
    fast = None
else:
    pass
finally:
    pass

if True: value = Table('t', sa.MetaData(), Column('id', Integer))
items = [
1, 2]
'''


def _shape(src: Source, modules: list[cst.Module]) -> list[tuple[str, tuple[int, int], str]]:
    found = []
    for module in modules:
        for kind in (cst.ClassDef, cst.Call, cst.SimpleString, cst.Name):
            for node in src.nodes(module, kind):
                found.append((kind.__name__, src.start(node), src.code(node)))
    return sorted(found)


def _every(src: Source) -> list[cst.Module]:
    return src.modules(lines=range(1, len(src.lines) + 1))


def _same_as_whole(path: str, text: str) -> None:
    parts, whole = Source(path, text), Source(path, text, whole=True)
    assert _shape(parts, _every(parts)) == _shape(whole, _every(whole))
    module = cst.parse_module(text)
    assert parts.indent_unit == module.default_indent
    assert parts.quote == whole.quote


def test_statements_read_alone_match_the_whole_file() -> None:
    _same_as_whole("tricky.py", TRICKY)
    src = Source("tricky.py", TRICKY)
    assert len(_every(src)) > 5, "the file is read as several statements"
    assert src.indent_unit == "\t"
    # the f-string's field holds a string: the scan is unsure and asks libcst
    assert src.quote == "'"


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*/before/**/*.py")), ids=str)
def test_every_fix_case_reads_the_same(path: Path) -> None:
    _same_as_whole(str(path), path.read_text())


def test_only_the_statements_asked_for_are_parsed() -> None:
    src = Source("tricky.py", TRICKY)
    (model,) = [n for n in src.nodes(src.around(22), cst.ClassDef)]
    assert model.name.value == "Model" and src.start(model) == (21, 0)
    assert len(src._modules) == 1
    assert [
        c.name.value for m in src.modules(("NotAClass",)) for c in src.nodes(m, cst.ClassDef)
    ] == []


def test_a_statement_that_does_not_parse_is_reported() -> None:
    src = Source("broken.py", "import os\n\nclass X(:\n    pass\n")
    assert src.around(1).body
    with pytest.raises(NotParsed):
        src.around(3)


def _edit(line: int, col: int, content: str, end: tuple[int, int] | None = None) -> Edit:
    end_line, end_col = end or (line, col)
    return Edit("m.py", line, col, end_line, end_col, content)


def test_results_are_checked_on_the_statements_they_touch() -> None:
    text = (
        "class A(Base):\n"
        '    __tablename__ = "a"\n'
        "\n"
        "    id = Column(Integer)\n"
        "    name = Column(\n"
        "        String,\n"
        "    )\n"
    )
    src = Source("m.py", text)
    assert src.parses_with([_edit(3, 0, "    __table_args__ = (Index('i', 'id'),)\n")])
    assert src.parses_with([_edit(6, 15, " index=True,")])
    assert not src.parses_with([_edit(3, 0, "        __table_args__ = ()\n")])  # indented
    assert not src.parses_with([_edit(6, 14, " index=(,")])
    assert not src.parses_with([_edit(1, 13, "", (1, 14))])  # the class loses its colon
    # edits accepted before count where they touch the same statement, and only there
    flag = [_edit(6, 15, " index=True,")]
    assert not src.parses_with(flag, [_edit(6, 8, "(")])
    assert src.parses_with(flag, [_edit(4, 16, "(")])


def test_many_findings_on_one_table_are_fixed_in_one_round(tmp_path: Path) -> None:
    count = 60
    (tmp_path / "app").mkdir()
    (tmp_path / "alembic" / "versions").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "many"\n')
    (tmp_path / "app" / "__init__.py").write_text("")
    columns = "".join(f"    c{i}: Mapped[int] = mapped_column()\n" for i in range(count))
    (tmp_path / "app" / "models.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        'class Big(Base):\n    __tablename__ = "big"\n\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n" + columns
    )
    created = "".join(
        f'        sa.Column("c{i}", sa.Integer(), nullable=False),\n' for i in range(count)
    )
    indexes = "".join(
        f'    op.create_index("big_c{i}_idx", "big", ["c{i}"])\n' for i in range(count)
    )
    (tmp_path / "alembic" / "versions" / "0001_initial.py").write_text(
        '"""many"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        'revision = "0001"\ndown_revision = None\n\n\n'
        'def upgrade():\n    op.create_table(\n        "big",\n'
        '        sa.Column("id", sa.Integer(), primary_key=True),\n'
        f"{created}    )\n{indexes}\n\ndef downgrade():\n    pass\n"
    )
    project = load(tmp_path)
    result = check(project)
    assert [d.code for d in result.diagnostics] == ["SL002"] * count
    (change,) = apply_fixes(project, result.schemas, result.diagnostics, unsafe=False).values()
    assert len(change.applied) == count
    assert change.rounds is not None and len(change.rounds) == 1
    wanted = [f'        Index("big_c{i}_idx", "c{i}"),\n' for i in range(count)]
    block = '    __tablename__ = "big"\n    __table_args__ = (\n' + "".join(wanted) + "    )\n"
    assert block in change.new_text
    assert change.new_text.startswith("from sqlalchemy import Index\n")
    (tmp_path / "app" / "models.py").write_text(change.new_text)
    assert check(load(tmp_path)).diagnostics == ()
