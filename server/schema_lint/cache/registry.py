"""The allow-lists of classes the cache may hold, and the codecs built over them.

Facts files may hold every frozen dataclass defined in ``facts/*``; results files the findings
(:mod:`schema_lint.diagnostics`, :class:`~schema_lint.facts.source.Span`,
:class:`~schema_lint.facts.source.Problem`) and each rule's declared payload type
(``Rule.payload``). A file names a class only by its short name, looked up in these lists;
nothing read from a file is ever imported.
"""

from __future__ import annotations

import dataclasses
import functools
from types import ModuleType

from schema_lint.cache.codec import Codec


def _defined_in(*modules: ModuleType) -> list[type]:
    return [
        value
        for module in modules
        for value in vars(module).values()
        if isinstance(value, type)
        and dataclasses.is_dataclass(value)
        and value.__module__ == module.__name__
    ]


def facts_classes() -> tuple[type, ...]:
    from schema_lint.facts import environment, files, migrations, models, schema, source

    return tuple(_defined_in(environment, files, migrations, models, schema, source))


def payload_classes() -> tuple[type, ...]:
    """What ``Diagnostic.payload`` (typed ``Any``) may hold: each rule's declared type."""
    from schema_lint.rules.registry import RULES

    return tuple(dict.fromkeys(rule.payload for rule in RULES if rule.payload is not None))


def results_classes() -> tuple[type, ...]:
    from schema_lint import diagnostics
    from schema_lint.facts import source

    return tuple(dict.fromkeys([*_defined_in(diagnostics, source), *payload_classes()]))


@functools.cache
def facts_codec() -> Codec:
    return Codec(facts_classes())


@functools.cache
def results_codec() -> Codec:
    return Codec(results_classes(), any_of=payload_classes())
