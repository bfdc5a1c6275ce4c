"""SARIF 2.1.0 for code-scanning services."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from schema_lint import __version__
from schema_lint.diagnostics import Diagnostic, Severity
from schema_lint.facts.source import Span
from schema_lint.rules.registry import RULES

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _location(span: Span, cwd: str, message: str | None = None) -> dict[str, Any]:
    rel = os.path.relpath(span.path, cwd)
    artifact: dict[str, Any] = (
        {"uri": Path(span.path).as_uri()}
        if rel.startswith("..")
        else {"uri": Path(rel).as_posix(), "uriBaseId": "%SRCROOT%"}
    )
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {
                "startLine": span.line,
                "startColumn": span.col + 1,
                "endLine": span.end_line,
                "endColumn": span.end_col + 1,
            },
        }
    }
    if message:
        location["message"] = {"text": message}
    return location


def render(diagnostics: Sequence[Diagnostic], cwd: str) -> str:
    rule_ids = [rule.code for rule in RULES]
    results = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": rule_ids.index(d.code),
            "level": _LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [_location(d.span, cwd)],
        }
        if d.related:
            result["relatedLocations"] = [
                {"id": i, **_location(r.span, cwd, r.message)} for i, r in enumerate(d.related)
            ]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "schema-lint",
                        "version": __version__,
                        "informationUri": "https://github.com/schema-lint/schema-lint",
                        "rules": [
                            {
                                "id": rule.code,
                                "name": rule.slug,
                                "shortDescription": {"text": rule.summary},
                                "fullDescription": {"text": rule.explanation},
                                "helpUri": rule.url,
                                "defaultConfiguration": {"level": _LEVEL[rule.severity]},
                            }
                            for rule in RULES
                        ],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(cwd).as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
