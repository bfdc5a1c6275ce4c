"""Bad input never raises: decoding, syntax errors, newer syntax, huge files."""

from __future__ import annotations

import ast
import sys

import pytest
from schema_lint.project import ROLE_MIGRATION, ROLE_MODEL, extract_file
from schema_lint.sources.parse import Parsed, ParseFailure, parse_python
from schema_lint.sources.positions import LineIndex
from schema_lint.sources.text import DecodeError, decode_source


def test_decoding_honours_bom_cookie_and_line_endings() -> None:
    assert decode_source(b"\xef\xbb\xbfx = 1\r\n").text == "x = 1\n"
    latin = "# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1")
    source = decode_source(latin)
    assert source.encoding == "iso-8859-1" and "café" in source.text
    assert decode_source(b"a\r\nb\r\n").newline == "\r\n"


def test_undecodable_bytes_name_the_line() -> None:
    with pytest.raises(DecodeError) as info:
        decode_source(b"x = 1\ny = '\xff'\n")
    assert info.value.line == 2


def test_bad_files_become_problems_not_exceptions() -> None:
    broken = extract_file("m.py", b"class A(:\n", ROLE_MODEL, "postgresql")
    assert [p.kind for p in broken.problems] == ["syntax-error"]
    assert broken.problems[0].span.line == 1
    binary = extract_file("m.py", b"x = '\xff\xfe'\n", ROLE_MODEL, "postgresql")
    assert [p.kind for p in binary.problems] == ["decode-error"]
    empty = extract_file("e.py", b"", ROLE_MIGRATION, "postgresql")
    assert empty.migration is None and empty.problems == ()
    half = extract_file(
        "v.py",
        b"revision = 'a'\ndown_revision = None\ndef upgrade(:\n",
        ROLE_MIGRATION,
        "postgresql",
    )
    assert [p.kind for p in half.problems] == ["syntax-error"]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="only older Pythons lack this syntax")
def test_newer_syntax_is_rewritten_and_read_whole() -> None:
    text = "type Alias = int\nclass A:\n    def f[T](self, x: T) -> T:\n        return x\n"
    text += "    value = 1\n"
    parsed = parse_python(text)
    assert isinstance(parsed, Parsed)
    assert parsed.skipped_lines == ()
    assigned = [n for n in ast.walk(parsed.tree) if isinstance(n, ast.Assign)]
    assert [(n.targets[0].id, n.lineno) for n in assigned] == [("Alias", 1), ("value", 5)]  # type: ignore[attr-defined]
    method = next(n for n in ast.walk(parsed.tree) if isinstance(n, ast.FunctionDef))
    assert (method.name, method.lineno, method.end_lineno) == ("f", 3, 4)


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="only older Pythons lack this syntax")
def test_syntax_no_rewrite_reads_is_blanked_and_the_rest_is_read() -> None:
    text = 'import string\nclass A:\n    label = t"{x}"\n    value = 1\n'
    parsed = parse_python(text)
    assert isinstance(parsed, Parsed)
    assert parsed.skipped_lines == ((3, 3),)
    names = [n.targets[0].id for n in ast.walk(parsed.tree) if isinstance(n, ast.Assign)]  # type: ignore[attr-defined]
    assert names == ["value"]


def test_real_syntax_errors_are_reported_with_position() -> None:
    result = parse_python("x = (\n")
    assert isinstance(result, ParseFailure) and result.line == 1


def test_columns_are_code_points_on_non_ascii_lines() -> None:
    text = "é = f(ü)\n"
    call = ast.parse(text).body[0].value  # type: ignore[attr-defined]
    span = LineIndex("x.py", text).span(call)
    assert (span.col, span.end_col) == (4, 8)


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="only older Pythons lack this syntax")
def test_decorated_newer_syntax_is_blanked_with_its_decorators() -> None:
    text = 'import functools\n@register(t"{x}")\ndef label(x):\n    return x\nvalue = 1\n'
    parsed = parse_python(text)
    assert isinstance(parsed, Parsed)
    assert parsed.skipped_lines == ((2, 4),)
