"""Fixes that add to the same declaration, composed into one edit.

Two fixes appending to the same ``__table_args__`` (or ``Table(...)``) collide: their edits
start at the same place. Applied one after the other, the second would be computed again
on the text the first made. Instead, each such fix records what it adds (an
:class:`Addition`), and the fix loop asks for one edit adding all the items at once, in the
order the findings are sorted in (the order rounds would have applied them in), so a
thousand findings on one table are fixed in one round.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from schema_lint.diagnostics import Edit
from schema_lint.fixes.layout import Item

Redo = Callable[[Sequence[Item]], "list[Edit] | str"]


@dataclass(frozen=True, slots=True)
class Addition:
    """One item added to a declaration by a fix."""

    key: tuple[str, int, int]
    """The declaration added to: its file and start."""
    item: Item
    edits: tuple[Edit, ...]
    """The fix's edits that add ``item`` (its other edits, e.g. an import, are its own)."""
    redo: Redo = field(compare=False, repr=False)
    """The edits adding several items at once, in order; a string says why not."""


_RECORDED: ContextVar[list[Addition] | None] = ContextVar("schema_lint_additions", default=None)


def record(addition: Addition) -> None:
    """Note ``addition`` for the fix being computed, if its caller listens."""
    recorded = _RECORDED.get()
    if recorded is not None:
        recorded.append(addition)


@contextmanager
def recording() -> Iterator[list[Addition]]:
    """The additions recorded while the block runs."""
    recorded: list[Addition] = []
    token = _RECORDED.set(recorded)
    try:
        yield recorded
    finally:
        _RECORDED.reset(token)
