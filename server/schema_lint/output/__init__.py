"""Rendering diagnostics for people and machines: text, JSON, SARIF, GitHub annotations."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from schema_lint.diagnostics import Diagnostic
from schema_lint.output import github, json_format, sarif, text

Renderer = Callable[[Sequence[Diagnostic], str], str]

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "github": github.render,
}
