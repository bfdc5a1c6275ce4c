"""``noqa_edit``: the "ignore this finding on this line" edit of the language server."""

from __future__ import annotations

import pytest
from schema_lint.fixes.edits import apply_edits
from schema_lint.fixes.noqa import noqa_edit
from schema_lint.sources.suppression import noqa_lines

SOURCE = '''\
class UserRole(Base):
    __tablename__ = "user_roles"
    __tablename__ = "user_roles"  # noqa: E501
    __tablename__ = "user_roles"  # noqa:E501,W291
    __tablename__ = "user_roles"  # noqa
    __tablename__ = "user_roles"  # noqa: SL001
    __tablename__ = "user_roles"  # the table
    __tablename__ = "user_roles"   \n\
    doc = """a # b
    c"""
    total = 1 + \\
        2
    hash = "#"
'''


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (1, "class UserRole(Base):  # noqa: SL001"),
        (2, '    __tablename__ = "user_roles"  # noqa: SL001'),
        (3, '    __tablename__ = "user_roles"  # noqa: E501, SL001'),
        (4, '    __tablename__ = "user_roles"  # noqa:E501,W291, SL001'),
        (5, '    __tablename__ = "user_roles"  # noqa'),
        (6, '    __tablename__ = "user_roles"  # noqa: SL001'),
        (7, '    __tablename__ = "user_roles"  # the table  # noqa: SL001'),
        (8, '    __tablename__ = "user_roles"  # noqa: SL001'),
        (9, '    doc = """a # b'),
        (10, '    c"""  # noqa: SL001'),
        (11, "    total = 1 + \\"),
        (13, '    hash = "#"  # noqa: SL001'),
    ],
)
def test_noqa_edit(line: int, expected: str) -> None:
    edit = noqa_edit(SOURCE, "/p/models.py", line, "SL001")
    assert edit.path == "/p/models.py" and edit.line == edit.end_line == line
    text = apply_edits(SOURCE, [edit])
    assert text.split("\n")[line - 1] == expected
    others = [n for n in range(1, len(SOURCE.split("\n")) + 1) if n != line]
    assert [text.split("\n")[n - 1] for n in others] == [SOURCE.split("\n")[n - 1] for n in others]
    codes = dict(noqa_lines(text)).get(line)
    if line not in (9, 11):
        assert codes is not None and (not codes or "SL001" in codes)


def test_noqa_edit_on_text_that_does_not_tokenize() -> None:
    text = 'x = (\n    "a"\n'
    assert (
        apply_edits(text, [noqa_edit(text, "p", 2, "SL002")]) == 'x = (\n    "a"  # noqa: SL002\n'
    )
