"""What an Alembic ``env.py`` says about the database its revisions run on.

- ``context.configure(..., dialect_name="sqlite")``: the dialect;
- the schema unqualified tables live in: ``SET search_path TO "core"`` executed on the
  connection, ``execution_options(schema_translate_map={None: "core"})`` or
  ``connection.dialect.default_schema_name = "core"``. A schema set from a value known only
  at run time (a loop over tenants, a command-line argument) is *dynamic*: the tree is
  applied to several schemas, and its tables are compared as unqualified.

Only ``env.py``'s own constants are evaluated; nothing is imported or run.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Any

from schema_lint.extract.evaluate import Evaluator, HostObject, ModuleRef, Unknown

_SEARCH_PATH = re.compile(r"search_path\s*(?:to|=)\s*(.*)", re.IGNORECASE)
_IDENTIFIER = re.compile(r'^\s*"?([A-Za-z_][\w$]*)"?\s*(?:,|;|$)')


@dataclass(frozen=True, slots=True)
class EnvTarget:
    dialect: str | None = None
    """``dialect_name=`` given to ``context.configure``, when a literal."""
    schema: str | None = None
    """The one schema unqualified tables live in, when ``env.py`` sets a literal one."""
    dynamic_schema: str | None = None
    """How ``env.py`` sets the schema at run time (the construct, for messages)."""
    no_target_metadata: bool = False
    """``target_metadata = None`` is its only assignment: autogenerate (and ``alembic check``)
    never compares this environment with models."""


class _ConstantsHost:
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


def env_target(tree: ast.Module) -> EnvTarget:
    """The dialect and schema ``env.py`` (parsed as ``tree``) states."""
    evaluator = Evaluator(_ConstantsHost())
    evaluator.load_module(tree)

    def value(node: ast.expr) -> Any:
        return evaluator.eval(node, {})

    dialect: str | None = None
    schemas: set[str] = set()
    dynamic: str | None = None
    inside: set[int] = set()  # parts of a search_path string already read whole
    for node in ast.walk(tree):
        if id(node) in inside:
            continue
        if isinstance(node, ast.keyword) and node.arg == "dialect_name":
            found = value(node.value)
            if isinstance(found, str):
                dialect = found
        elif isinstance(node, ast.keyword) and node.arg == "schema_translate_map":
            if isinstance(node.value, ast.Dict):
                for key, target in zip(node.value.keys, node.value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value is None:
                        schema = value(target)
                        if isinstance(schema, str):
                            schemas.add(schema)
                        else:
                            dynamic = f"schema_translate_map={{None: {ast.unparse(target)}}}"
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Attribute) and t.attr == "default_schema_name" for t in node.targets
        ):
            schema = value(node.value)
            if isinstance(schema, str):
                schemas.add(schema)
            else:
                dynamic = f"default_schema_name = {ast.unparse(node.value)}"
        elif _mentions_search_path(node):
            assert isinstance(node, ast.expr)
            inside.update(id(sub) for sub in ast.walk(node))
            text = value(node)
            match = _SEARCH_PATH.search(text) if isinstance(text, str) else None
            first = _IDENTIFIER.match(match.group(1)) if match else None
            if first is not None and first.group(1).lower() not in {"public", "default"}:
                schemas.add(first.group(1))
            elif first is None:
                dynamic = f"`{_shorten(ast.unparse(node))}`"
    schema = schemas.pop() if len(schemas) == 1 and dynamic is None else None
    if len(schemas) > 1 and dynamic is None:
        dynamic = f"several schemas ({', '.join(sorted(schemas))})"
    return EnvTarget(dialect, schema, dynamic, _no_target_metadata(tree))


def _no_target_metadata(tree: ast.Module) -> bool:
    """Whether ``target_metadata`` is bound to None and to nothing else anywhere."""
    values = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(
            isinstance(t, ast.Name) and t.id == "target_metadata"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
    ]
    rebound = any(_rebinds(node) for node in ast.walk(tree))
    return (
        bool(values)
        and not rebound
        and all(isinstance(v, ast.Constant) and v.value is None for v in values)
    )


def _rebinds(node: ast.AST) -> bool:
    """Whether ``node`` binds ``target_metadata`` other than by a plain assignment."""
    if isinstance(node, ast.Global | ast.Nonlocal):
        return "target_metadata" in node.names
    if isinstance(node, ast.Assign):
        return any(
            isinstance(t, ast.Tuple | ast.List | ast.Starred)
            and any(isinstance(n, ast.Name) and n.id == "target_metadata" for n in ast.walk(t))
            for t in node.targets
        )
    if isinstance(node, ast.Import | ast.ImportFrom):
        return any((a.asname or a.name) == "target_metadata" for a in node.names)
    if isinstance(node, ast.AugAssign | ast.NamedExpr | ast.For | ast.withitem):
        target = node.target if not isinstance(node, ast.withitem) else node.optional_vars
        return target is not None and any(
            isinstance(n, ast.Name) and n.id == "target_metadata" for n in ast.walk(target)
        )
    return False


def _mentions_search_path(node: ast.AST) -> bool:
    """A string, f-string or string formatting that sets ``search_path``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(_SEARCH_PATH.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return any(_mentions_search_path(part) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _mentions_search_path(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _mentions_search_path(node.func.value)
    return False


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
