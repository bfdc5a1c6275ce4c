"""Referring to a SQLAlchemy name the way the file already does, importing it when needed.

In order: a name the file already imports; the style of the code being edited (``sa.Index``
after ``sa.Column``, ``db.Index`` after ``db.Column``); a star import; the name added to an
existing ``from sqlalchemy import ...`` in sorted position; ``sa.<name>`` when the module is
imported under an alias; finally one new import line next to the other SQLAlchemy imports.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst

from schema_lint.diagnostics import Edit
from schema_lint.fixes import sequence
from schema_lint.fixes.edits import insertion
from schema_lint.fixes.source import Source, dotted
from schema_lint.vocabulary.sqlalchemy import SCHEMA_MODULES

_LIBRARIES = frozenset({"sqlalchemy", "sqlmodel"})

VOCABULARY = frozenset(
    {
        "Column",
        "mapped_column",
        "ForeignKey",
        "Table",
        "Index",
        "UniqueConstraint",
        "PrimaryKeyConstraint",
        "ForeignKeyConstraint",
        "CheckConstraint",
        "relationship",
        "Integer",
        "BigInteger",
        "String",
        "Text",
        "Boolean",
        "DateTime",
    }
)
"""SQLAlchemy names whose spelling in a file shows its import style."""


@dataclass(frozen=True, slots=True)
class Wanted:
    name: str
    modules: tuple[str, ...]
    """Modules exporting the name; a new import uses the first."""
    package: str
    """What an alias must stand for to write ``alias.<name>``."""
    flask: bool = True
    """Reachable as ``db.<name>`` on a Flask-SQLAlchemy object."""


UNIQUE_CONSTRAINT = Wanted("UniqueConstraint", SCHEMA_MODULES, "sqlalchemy")
INDEX = Wanted("Index", SCHEMA_MODULES, "sqlalchemy")
CHECK_CONSTRAINT = Wanted("CheckConstraint", SCHEMA_MODULES, "sqlalchemy")
TEXT = Wanted("text", ("sqlalchemy", "sqlalchemy.sql"), "sqlalchemy")
MAPPED_COLUMN = Wanted("mapped_column", ("sqlalchemy.orm",), "sqlalchemy.orm")
FIELD = Wanted("Field", ("sqlmodel",), "sqlmodel", flask=False)
COLUMN = Wanted("Column", SCHEMA_MODULES, "sqlalchemy")
OPTIONAL = Wanted("Optional", ("typing",), "typing", flask=False)


def sqlalchemy_name(name: str) -> Wanted:
    """Any name the ``sqlalchemy`` package exports (a column type, ``Index``, ...)."""
    return Wanted(name, ("sqlalchemy",), "sqlalchemy")


@dataclass(frozen=True, slots=True)
class Reference:
    code: str
    """How to write the name at the place being edited."""
    edits: tuple[Edit, ...] = ()
    """The import edits it needs."""


@dataclass(slots=True)
class _Imports:
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Local name -> (module, imported name) of ``from module import name``."""
    modules: dict[str, str] = field(default_factory=dict)
    """Local name -> module it stands for (``sa`` -> ``sqlalchemy``)."""
    stars: set[str] = field(default_factory=set)
    froms: list[tuple[cst.ImportFrom, str]] = field(default_factory=list)
    lines: list[tuple[cst.SimpleStatementLine, str, bool]] = field(default_factory=list)
    """Top-level import statements: (statement, module, is a from-import)."""
    bound: set[str] = field(default_factory=set)


def _scan(statements: Iterable[cst.BaseStatement]) -> _Imports:
    """The imports among ``statements`` (top-level ones), and the names they bind."""
    found = _Imports()
    for statement in statements:
        if isinstance(statement, (cst.ClassDef, cst.FunctionDef)):
            found.bound.add(statement.name.value)
            continue
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if isinstance(small, cst.Import):
                for alias in small.names:
                    parts = dotted(alias.name) or ()
                    local = _asname(alias) or parts[0]
                    found.modules[local] = ".".join(parts) if _asname(alias) else parts[0]
                    found.bound.add(local)
                    found.lines.append((statement, ".".join(parts), False))
            elif isinstance(small, cst.ImportFrom):
                _scan_from(found, statement, small)
            elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                targets = (
                    [t.target for t in small.targets]
                    if isinstance(small, cst.Assign)
                    else [small.target]
                )
                found.bound.update(t.value for t in targets if isinstance(t, cst.Name))
    return found


def _scan_from(found: _Imports, statement: cst.SimpleStatementLine, node: cst.ImportFrom) -> None:
    parts = dotted(node.module) if node.module is not None else None
    if node.relative or parts is None:
        if not isinstance(node.names, cst.ImportStar):
            found.bound.update(_asname(a) or _plain(a) for a in node.names)
        return
    module = ".".join(parts)
    found.lines.append((statement, module, True))
    if isinstance(node.names, cst.ImportStar):
        found.stars.add(module)
        return
    found.froms.append((node, module))
    for alias in node.names:
        name = _plain(alias)
        local = _asname(alias) or name
        found.names[local] = (module, name)
        found.modules[local] = f"{module}.{name}"
        found.bound.add(local)


def _asname(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return None


def _plain(alias: cst.ImportAlias) -> str:
    return ".".join(dotted(alias.name) or ())


def reference(src: Source, wanted: Wanted, near: cst.CSTNode | None, limit: int) -> Reference | str:
    """How to refer to ``wanted`` in code inside ``near``; a string says why it cannot be."""
    key = ("reference", wanted, id(near), limit)
    return src.memo(key, lambda: _reference(src, wanted, near, limit))


def _reference(
    src: Source, wanted: Wanted, near: cst.CSTNode | None, limit: int
) -> Reference | str:
    found = _scan(src.top_level({wanted.name, *_prefixes(src, near)}))
    for local, (module, name) in found.names.items():
        if name == wanted.name and module in wanted.modules:
            return Reference(local)
    style = _style(src, found, near) if near is not None else None
    alias = next((a for a, m in found.modules.items() if m == wanted.package), None)
    if style:
        module = found.modules.get(style, "")
        if module == wanted.package:
            return Reference(f"{style}.{wanted.name}")
        if wanted.flask and module.split(".")[0] not in _LIBRARIES:
            return Reference(f"{style}.{wanted.name}")  # a Flask-SQLAlchemy ``db`` object
    if wanted.name in found.bound:
        if alias is not None:
            return Reference(f"{alias}.{wanted.name}")
        return f"`{wanted.name}` already names something else in this file"
    if any(m in found.stars for m in wanted.modules):
        return Reference(wanted.name)
    for module in wanted.modules:
        node = next((n for n, m in found.froms if m == module), None)
        if node is not None:
            return Reference(wanted.name, tuple(_add_name(src, node, wanted.name, limit)))
    if alias is not None:
        return Reference(f"{alias}.{wanted.name}")
    line = f"from {wanted.modules[0]} import {wanted.name}\n"
    return Reference(wanted.name, (insertion(src.path, _new_import_line(src, found), line),))


def _prefixes(src: Source, near: cst.CSTNode | None) -> set[str]:
    """The objects that SQLAlchemy names are reached through in ``near`` (``sa``, ``db``):
    the only names besides the wanted one whose binding matters."""
    found: set[str] = set()
    for node in src.within(near, cst.Call) if near is not None else ():
        parts = dotted(node.func)
        if parts and len(parts) > 1 and parts[-1] in VOCABULARY:
            found.add(parts[0])
    return found


def _style(src: Source, found: _Imports, near: cst.CSTNode) -> str | None:
    """``""`` for bare names, an alias or object name such as ``sa`` or ``db``, or None."""
    votes: Counter[str] = Counter()
    for node in src.within(near, cst.Call):
        parts = dotted(node.func)
        if not parts or parts[-1] not in VOCABULARY:
            continue
        if len(parts) == 1:
            module = found.names.get(parts[0], ("", ""))[0]
            if module.split(".")[0] in _LIBRARIES:
                votes[""] += 1
        elif parts[0] in found.modules or parts[0] in found.bound:
            votes[parts[0]] += 1
    if not votes:
        return None
    return max(votes, key=lambda k: (votes[k], k == ""))


def _member_key(name: str) -> tuple[int, str, str]:
    """Ruff's and isort's default order of imported names: CONSTANTS, Classes, functions."""
    kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
    return (kind, name.lower(), name)


def _plain_key(name: str) -> tuple[int, str, str]:
    return (0, name, name)


def _add_name(src: Source, node: cst.ImportFrom, name: str, limit: int) -> list[Edit]:
    """Edits adding ``name`` to ``from module import ...``, in order if the names are sorted."""
    assert not isinstance(node.names, cst.ImportStar)
    names = [_plain(a) for a in node.names]
    seq = sequence.of_import(src, node)
    index = len(names)
    for key in (_member_key, _plain_key):
        ordered = [key(n) for n in names]
        if ordered == sorted(ordered):
            index = bisect.bisect(ordered, key(name))
            break
    if index == len(names):
        return sequence.append(src, seq, [name], limit)
    return sequence.insert_before(src, seq, index, [name], limit)


def _new_import_line(src: Source, found: _Imports) -> tuple[int, int]:
    """Where ``from sqlalchemy import X`` goes: sorted among the SQLAlchemy imports, else with
    the other third-party imports, else after the last import."""
    ours = [(s, m, f) for s, m, f in found.lines if m.split(".")[0] == "sqlalchemy"]
    froms = [(s, m) for s, m, f in ours if f]
    if froms:
        later = [s for s, m in froms if m.lower() > "sqlalchemy"]
        if later:
            return (src.start(later[0])[0], 0)
        return (src.end(froms[-1][0])[0] + 1, 0)
    if ours:
        return (src.end(ours[-1][0])[0] + 1, 0)
    neighbours = [
        (s, m)
        for s, m, f in found.lines
        if f and m.split(".")[0] in {"sqlmodel", "flask_sqlalchemy", "alembic", "flask"}
    ]
    if neighbours:
        later = [s for s, m in neighbours if m.lower() > "sqlalchemy"]
        if later:
            return (src.start(later[0])[0], 0)
        return (src.end(neighbours[-1][0])[0] + 1, 0)
    others = [s for s, m, f in found.lines if m != "__future__"]
    if others:
        return (src.end(others[-1])[0] + 1, 0)
    futures = [s for s, m, f in found.lines if m == "__future__"]
    if futures:
        return (src.end(futures[-1])[0] + 1, 0)
    first = src.first_statement()
    return (src.start(first)[0], 0) if first is not None else (len(src.lines), 0)
