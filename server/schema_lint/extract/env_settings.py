"""What an Alembic ``env.py`` tells the replay: the naming convention of its metadata.

Alembic builds every operation's constraints with ``target_metadata``'s naming convention.
When ``env.py`` defines that metadata itself (``MetaData(naming_convention={...})``) it is
read here statically; when it imports the models' metadata, the models' convention applies.
"""

from __future__ import annotations

import ast
from typing import Any

from schema_lint.extract.evaluate import Evaluator, HostObject, ModuleRef, SACall, Unknown, is_known


class _PlainHost:
    """Module-level evaluation only: no operations, nothing reported."""

    def imported(self, dotted: str) -> Any:
        return ModuleRef(dotted)

    def attribute(self, target: HostObject, name: str) -> Any:
        return Unknown(name)

    def call(
        self, target: HostObject, args: list[Any], kwargs: dict[str, Any], node: ast.Call
    ) -> Any:
        return Unknown("call")

    def unanalysable(self, node: ast.AST, reason: str) -> None:
        return None

    def performs_operations(self, node: ast.AST, scope: dict[str, Any]) -> bool:
        return False


def env_naming_convention(tree: ast.Module) -> tuple[tuple[str, str], ...] | None:
    """The convention of ``target_metadata`` defined in ``env.py``; None when not defined there.

    Only string keys (``"ix"``, ``"uq"``, ...) are kept: class keys name the same kinds.
    """
    evaluator = Evaluator(_PlainHost())
    evaluator.load_module(tree)
    scope = evaluator.module_scope
    candidates = [scope.get("target_metadata")]
    candidates += [v for k, v in scope.items() if k != "target_metadata"]
    for value in candidates:
        if isinstance(value, SACall) and value.name == "MetaData":
            convention = value.kw("naming_convention")
            if isinstance(convention, dict) and is_known(convention):
                return tuple(
                    (key, template)
                    for key, template in convention.items()
                    if isinstance(key, str) and isinstance(template, str)
                )
            if convention is None:
                return ()
        if value is scope.get("target_metadata"):
            continue
    return None
