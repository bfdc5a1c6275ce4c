"""Where a fact came from, and problems found while reading sources."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A range in a source file.

    Lines are 1-based; columns are 0-based offsets in Unicode code points (Python ``str``
    indices), converted to UTF-16 or 1-based columns only by the front ends.
    """

    path: str
    line: int
    col: int
    end_line: int
    end_col: int


@dataclass(frozen=True, slots=True)
class Problem:
    """Something the analysis could not do or a defect found while reading.

    ``kind`` is a short slug: ``syntax-error``, ``decode-error``, ``unanalysable``,
    ``revision-cycle``, ``missing-revision``, ``duplicate-revision``, ``ignored-constraint``,
    ``detached-index``, ``unresolved-base``, ``invalid-table-args``, ``configuration``.
    """

    kind: str
    message: str
    span: Span


@dataclass(frozen=True, slots=True)
class Dependencies:
    """Other files some facts were computed from: facts are reused only while these hold.

    ``files`` are (path, content key) of each other file read; ``layout`` identifies the set
    of the project's Python files when imports were looked up (a file added or removed may
    change what an import finds), empty when none was.
    """

    files: tuple[tuple[str, str], ...] = ()
    layout: str = ""
