"""Fast pickling of facts between our own worker processes (never for anything on disk)."""

from __future__ import annotations

import copyreg
import dataclasses
import functools
from typing import Any


def _reducer(cls: type) -> Any:
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple(getattr(obj, name) for name in names)

    return reduce


@functools.cache
def register_fast_pickling() -> None:
    """Pickle facts as constructor calls, several times faster to load than slotted state,
    for every pickler (multiprocessing's results from ``project._extract_all``)."""
    from schema_lint.facts import files, migrations, models, schema, source

    for module in (files, migrations, models, schema, source):
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
                and value not in copyreg.dispatch_table
            ):
                copyreg.pickle(value, _reducer(value))
