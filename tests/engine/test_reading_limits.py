"""Bounded reading: the scanner's depth, statement-wise rewriting, the SQL parser's budget."""

from __future__ import annotations

import ast
import sys

import pytest
from schema_lint.extract.raw_sql import operations_from_sql
from schema_lint.facts.source import Span
from schema_lint.sources.limits import MAX_SQL_CHARS, file_budget
from schema_lint.sources.parse import Parsed, ParseFailure, parse_python
from schema_lint.sources.scanner import MAX_NESTING, nesting_depth, scan_text

SPAN = Span("v.py", 1, 0, 1, 0)
NEWER = pytest.mark.skipif(sys.version_info >= (3, 14), reason="this Python reads it directly")


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ("x = " + "(" * 300 + "1" + ")" * 300, True),
        ("x = " + " + ".join(["a"] * 300), True),
        ("x = f" + "()" * 300, True),
        ("x = " + "not " * 300 + "y", True),
        ("x = " + 'f"{' * 300 + "1" + '}"' * 300, True),
        ("x = [" + ", ".join(["a + 1"] * 5000) + "]", False),  # long, not deep
        ("x = '" + "(" * 5000 + "'", False),  # brackets in a string
        ("# " + "(" * 5000, False),  # and in a comment
        ('x = f\'{a}\' + """' + "[" * 5000 + '"""', False),
    ],
)
def test_nesting_depth_counts_nesting_not_length(text: str, deep: bool) -> None:
    assert (nesting_depth(text + "\n")[0] > MAX_NESTING) is deep


def test_logical_lines_follow_pep_701_fstrings_and_continuations() -> None:
    text = 'x = f"{\n  d["k"]  # c\n}"\ny = (1,\n  2)\nif a: \\\n    pass\nz = 1\n'
    lines = [(line.start, line.end, line.first) for line in scan_text(text).lines]
    assert lines == [(1, 3, "x"), (4, 5, "y"), (6, 7, "if"), (8, 8, "z")]


@NEWER
def test_a_real_syntax_error_after_newer_syntax_is_reported_where_it_is() -> None:
    text = "type X = int\nclass A[T]:\n    pass\n\n\ndef f():\n    return (\n"
    failure = parse_python(text)
    assert isinstance(failure, ParseFailure)
    assert (failure.kind, failure.line) == ("syntax-error", 7)


@NEWER
def test_statements_in_match_cases_and_clauses_are_rewritten_in_place() -> None:
    text = (
        "match x:\n"
        "    case 1:\n"
        '        y = f"{d["a"]}"\n'
        "    case _:\n"
        "        pass\n"
        "if a:\n"
        "    pass\n"
        'else: z = f"{d[\'b\']}{d["c"]}"\n'
        "class A[\n"
        "    T,\n"
        "](object):\n"
        "    value: T\n"
    )
    parsed = parse_python(text)
    assert isinstance(parsed, Parsed) and parsed.skipped_lines == ()
    names = {n.lineno: n for n in ast.walk(parsed.tree) if isinstance(n, ast.JoinedStr)}
    assert sorted(names) == [3, 8]
    cls = next(n for n in ast.walk(parsed.tree) if isinstance(n, ast.ClassDef))
    assert (cls.lineno, cls.end_lineno, [b.id for b in cls.bases]) == (9, 12, ["object"])  # type: ignore[attr-defined]


@NEWER
def test_columns_after_a_rewritten_fstring_keep_their_utf8_offsets() -> None:
    text = 'x = (f"é{d["k"]}", y)\n'
    parsed = parse_python(text)
    assert isinstance(parsed, Parsed)
    y = next(n for n in ast.walk(parsed.tree) if isinstance(n, ast.Name) and n.id == "y")
    assert y.col_offset == len('x = (f"é{d["k"]}", '.encode())
    key = next(n for n in ast.walk(parsed.tree) if isinstance(n, ast.Constant) and n.value == "k")
    assert key.col_offset == len('x = (f"é{d['.encode())


def test_deeply_nested_sql_costs_only_its_statement() -> None:
    deep = "CREATE INDEX ix_deep ON t (" + "(" * 60 + "a" + ")" * 60 + ")"
    result = operations_from_sql(f"{deep}; CREATE INDEX ix_b ON t (b)", "postgresql", SPAN)
    assert [op.index.name for op in result.operations] == ["ix_b"]  # type: ignore[attr-defined]
    assert len(result.unparsed) == 1 and result.unparsed[0].startswith("CREATE INDEX ix_deep")


def test_sql_longer_than_the_limit_is_not_parsed() -> None:
    long = "CREATE INDEX ix_long ON t (" + ", ".join(["a"] * MAX_SQL_CHARS) + ")"
    data = "INSERT INTO t VALUES " + ", ".join(["(1)"] * (MAX_SQL_CHARS // 3))
    result = operations_from_sql(f"{long};{data};CREATE INDEX ix_c ON t (c)", "postgresql", SPAN)
    assert [op.index.name for op in result.operations] == ["ix_c"]  # type: ignore[attr-defined]
    assert [u[:20] for u in result.unparsed] == ["CREATE INDEX ix_long"]  # data is not schema


def test_a_spent_sql_budget_stops_parsing_for_the_rest_of_the_file() -> None:
    with file_budget(0.0):
        result = operations_from_sql("CREATE INDEX ix_a ON t (a)", "postgresql", SPAN)
    assert result.operations == () and result.unparsed == ("CREATE INDEX ix_a ON t (a)",)
    with file_budget():
        result = operations_from_sql("CREATE INDEX ix_a ON t (a)", "postgresql", SPAN)
    assert [op.index.name for op in result.operations] == ["ix_a"]  # type: ignore[attr-defined]
