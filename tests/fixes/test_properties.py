"""Properties of ``--fix --unsafe-fixes`` over generated model projects: every file parses,
nothing is left to fix, a second run changes nothing, and the fixes only add code."""

from __future__ import annotations

import ast
import difflib
import io
import tempfile
import tokenize
from pathlib import Path

from fix_helpers import fix_project
from hypothesis import HealthCheck, given, settings
from model_files import projects
from schema_lint.fixes.api import fixable

EDITABLE_CALLS = frozenset({"Column", "mapped_column", "Field", "Table"})


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def tokens(text: str) -> list[str]:
    """The code tokens of ``text``, without layout (whitespace, newlines, indentation)."""
    layout = {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    layout.add(tokenize.ENDMARKER)
    stream = tokenize.generate_tokens(io.StringIO(text).readline)
    return [t.string for t in stream if t.type not in layout]


def is_subsequence(small: list[str], big: list[str]) -> bool:
    remaining = iter(big)
    return all(any(token == other for other in remaining) for token in small)


def editable_lines(text: str) -> set[int]:
    """Lines of the statements a fix may rewrite: imports, ``__table_args__``, columns."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            editable = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            value = node.value
            call = value.func if isinstance(value, ast.Call) else None
            called = call.attr if isinstance(call, ast.Attribute) else getattr(call, "id", None)
            editable = "__table_args__" in names or called in EDITABLE_CALLS or value is None
        else:
            continue
        if editable:
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


GENERATED_FOR = ("SL001", "SL002")
"""The rules whose fixes the generated projects exercise (their fixes only add code)."""


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(projects())
def test_fix_all_properties(files: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        write(root, files)
        fixed = fix_project(root, select=GENERATED_FOR)
        assert any(fixable(d.code) for d in fixed.before)
        models = (root / "app" / "models.py").read_text()
        original = files["app/models.py"]

        ast.parse(models)
        assert not fixed.after, [d.message for d in fixed.after]
        again = fix_project(root, select=GENERATED_FOR)
        assert not again.changes
        assert (root / "app" / "models.py").read_text() == models

        assert is_subsequence(tokens(original), tokens(models)), "a fix removed code"
        allowed = editable_lines(original)
        matcher = difflib.SequenceMatcher(None, original.split("\n"), models.split("\n"))
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag in ("replace", "delete"):
                removed = set(range(i1 + 1, i2 + 1))
                assert removed <= allowed, [original.split("\n")[n - 1] for n in removed]
