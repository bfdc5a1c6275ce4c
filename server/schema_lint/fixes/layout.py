"""Rendering new code the way a formatter would lay it out: one line if it fits, else split."""

from __future__ import annotations

from dataclasses import dataclass

INDENT = "    "


@dataclass(frozen=True, slots=True)
class CallText:
    """A call to insert, e.g. ``UniqueConstraint("a_id", "b_id")``; args are rendered code."""

    func: str
    args: tuple[str, ...]

    def inline(self) -> str:
        return f"{self.func}({', '.join(self.args)})"


Item = str | CallText
"""Code to insert into a sequence: plain code, or a call that may be split over lines."""


def inline(item: Item) -> str:
    return item if isinstance(item, str) else item.inline()


def render(
    item: Item, indent: str, column: int, suffix: str, limit: int, unit: str = INDENT
) -> str:
    """``item`` starting at ``column`` of a line indented by ``indent``, followed by ``suffix``;
    ``unit`` is one level of indentation.

    A call that does not fit is split like black and ruff do: its arguments on one indented
    line if they fit there, else one per line with a trailing comma.
    """
    one_line = inline(item)
    if isinstance(item, str) or column + len(one_line) + len(suffix) <= limit:
        return one_line
    inner = indent + unit
    body = ", ".join(item.args)
    if len(inner) + len(body) <= limit:
        return f"{item.func}(\n{inner}{body}\n{indent})"
    lines = "".join(f"{inner}{arg},\n" for arg in item.args)
    return f"{item.func}(\n{lines}{indent})"
