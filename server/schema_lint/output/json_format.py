"""JSON: an array with one object per finding, ruff's field names plus ours."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from schema_lint.diagnostics import Diagnostic, Fix, payload_to_json
from schema_lint.rules.registry import rule_for


def diagnostic_to_dict(d: Diagnostic) -> dict[str, Any]:
    """Ruff's fields (code, message, places, ``fix``) plus the finding's key and payload."""
    rule = rule_for(d.code)
    fix = d.fix.to_dict() if isinstance(d.fix, Fix) else None
    return {
        "code": d.code,
        "message": d.message,
        "filename": d.span.path,
        "location": {"row": d.span.line, "column": d.span.col + 1},
        "end_location": {"row": d.span.end_line, "column": d.span.end_col + 1},
        "severity": d.severity.value,
        "url": rule.url if rule else None,
        "table": d.key.table,
        "object": d.key.object,
        "side": d.key.side,
        "sides": list(d.key.sides) if d.key.sides is not None else None,
        "key": str(d.key),
        "related": [
            {
                "filename": r.span.path,
                "location": {"row": r.span.line, "column": r.span.col + 1},
                "message": r.message,
            }
            for r in d.related
        ],
        "payload": payload_to_json(d.payload),
        "fix": fix,
    }


def render(diagnostics: Sequence[Diagnostic], cwd: str) -> str:
    return json.dumps([diagnostic_to_dict(d) for d in diagnostics], indent=2) + "\n"
