"""A progress bar on stderr, shown only when a scan takes longer than a second."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    def __init__(self, delay: float = 1.0, width: int = 30) -> None:
        self._start = time.monotonic()
        self._delay = delay
        self._width = width
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if time.monotonic() - self._start < self._delay or total == 0:
            return
        filled = self._width * done // total
        bar = "#" * filled + "-" * (self._width - filled)
        sys.stderr.write(f"\rschema-lint: reading [{bar}] {done}/{total} files")
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
