"""``schema-lint db --format markdown``: an audit report people read.

A summary by severity (CRITICAL for duplicates the schema lets in: junctions without a
unique pair, unique keys that deleted rows keep taking), one section per table with each
finding, its evidence (model file:line, migration file:line, database object) and its fix
(the model's quick-fix, the migration to write), and a Mermaid ``erDiagram`` of the tables
with findings and the foreign keys between them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from schema_lint.diagnostics import Diagnostic, Edit, Fix, NoFix, Severity
from schema_lint.facts.schema import Schema, Table
from schema_lint.output.paths import display_path
from schema_lint.output.remedy import migration_remedy
from schema_lint.rules.registry import rule_for
from schema_lint.sources.text import DecodeError, decode_source

CRITICAL_CODES = frozenset({"SL001", "SL008"})
"""Missing uniqueness: duplicates the database accepts."""
LEVELS = ("CRITICAL", "WARNING", "INFO")


def level(diagnostic: Diagnostic) -> str:
    if diagnostic.code in CRITICAL_CODES or diagnostic.severity is Severity.ERROR:
        return "CRITICAL"
    return "WARNING" if diagnostic.severity is Severity.WARNING else "INFO"


@dataclass(frozen=True, slots=True)
class Report:
    diagnostics: Sequence[Diagnostic]
    database: str
    """The URL as shown (no password)."""
    dialect: str
    stamped: tuple[str, ...] | None
    heads: tuple[str, ...]
    models: Schema
    database_schema: Schema
    model_files: frozenset[str]


def render_report(report: Report, cwd: str) -> str:
    findings = sorted(report.diagnostics, key=lambda d: (LEVELS.index(level(d)), d.sort_key))
    counts = {name: sum(1 for d in findings if level(d) == name) for name in LEVELS}
    lines = [
        "# Schema audit",
        "",
        f"- Database: `{report.database}` ({report.dialect}), read in a read-only transaction",
        f"- Stamped at: {_revisions(report.stamped)}; migrations' head: {_revisions(report.heads)}",
        "- Compared: the models with the database, the migrations with the database, and the "
        "models with the migrations; each difference is reported once",
        "",
        "## Summary",
        "",
        "| Severity | Findings |",
        "| --- | ---: |",
        *(f"| {name} | {counts[name]} |" for name in LEVELS),
        "",
    ]
    if not findings:
        lines += ["All clear: the models, the migrations and the database agree.", ""]
        return "\n".join(lines)
    by_table: dict[str, list[Diagnostic]] = {}
    for diagnostic in findings:
        by_table.setdefault(diagnostic.key.table or "(database)", []).append(diagnostic)
    for table in sorted(by_table, key=lambda t: (t == "(database)", t)):
        lines += [f"## `{table}`" if table != "(database)" else "## The database", ""]
        for number, diagnostic in enumerate(by_table[table], 1):
            lines += _finding(report, diagnostic, number, cwd)
    lines += _diagram(report, [t for t in by_table if t != "(database)"])
    return "\n".join(lines)


def _revisions(revisions: Sequence[str] | None) -> str:
    if revisions is None:
        return "no `alembic_version` table"
    return ", ".join(f"`{r}`" for r in revisions) or "nothing"


def _finding(report: Report, d: Diagnostic, number: int, cwd: str) -> list[str]:
    rule = rule_for(d.code)
    slug = f" `{rule.slug}`" if rule else ""
    lines = [f"### {number}. {level(d)} {d.code}{slug}", "", d.message, ""]
    sides = d.key.sides
    if sides is not None:
        lines.append(f"- Compares: {_side(sides[0])} with {_side(sides[1])}")
    places = [(d.span, "reported here"), *((r.span, r.message) for r in d.related)]
    for span, note in places:
        kind = "Model" if span.path in report.model_files else "Migration"
        where = f"`{display_path(span.path, cwd)}:{span.line}`"
        lines.append(f"- {kind}: {where}" + (f" ({note})" if note != "reported here" else ""))
    obj = _database_object(report.database_schema, d)
    if obj is not None:
        lines.append(f"- Database: {obj}")
    if isinstance(d.fix, Fix):
        kind = "safe" if d.fix.applicability.value == "safe" else "unsafe"
        lines.append(
            f"- Model fix ({kind}, `schema-lint check --fix"
            f"{' --unsafe-fixes' if kind == 'unsafe' else ''}`): {d.fix.message}"
        )
        diff = _diff(d.fix.edits, cwd)
        if diff:
            lines += ["", "  ```diff", *(f"  {line}" for line in diff), "  ```", ""]
    elif isinstance(d.fix, NoFix):
        lines.append(f"- Model fix: none ({d.fix.reason})")
    remedy = migration_remedy(d)
    if remedy is not None:
        lines.append(f"- Migration: {remedy}")
    lines.append("")
    return lines


def _side(name: str) -> str:
    if name == "models":
        return "the models"
    if name == "database":
        return "the database"
    return f"the migrations (`{name}`)"


def _database_object(schema: Schema, d: Diagnostic) -> str | None:
    """What the database has for the finding's object, by name or columns."""
    if d.key.side is None and d.key.table is None:
        return None
    table = schema.tables.get(d.key.table or "")
    if table is None:
        return f"no table `{d.key.table}`" if d.key.table else None
    obj = d.key.object
    if obj is None:
        return f"table `{table.qualified_name}`"
    if d.code == "SL001":
        return f"no primary key, unique constraint or unique index on ({obj.replace(',', ', ')})"
    columns = tuple(obj.split(","))
    for index in table.indexes:
        if index.name == obj or (index.name is None and index.columns == columns):
            unique = "unique " if index.unique else ""
            where = f" WHERE {index.where}" if index.where else ""
            return f"{unique}index `{index.name}` on ({', '.join(index.columns)}){where}"
    for unique_constraint in table.unique_constraints:
        if unique_constraint.name == obj or frozenset(unique_constraint.columns) == frozenset(
            columns
        ):
            return (
                f"unique constraint `{unique_constraint.name}` on "
                f"({', '.join(unique_constraint.columns)})"
            )
    for fk in table.foreign_keys:
        if fk.columns == columns:
            actions = f" ON DELETE {fk.ondelete}" if fk.ondelete else ""
            return f"foreign key `{fk.name}` ({', '.join(fk.columns)}) -> {fk.ref_table}{actions}"
    for check in table.check_constraints:
        if check.name == obj or check.sqltext == obj:
            return f"check constraint `{check.name}` ({check.sqltext})"
    column = table.column(obj)
    if column is not None:
        return f"column `{column.name}` ({'nullable' if column.nullable else 'NOT NULL'})"
    return f"none (table `{table.qualified_name}` has no `{obj}`)"


def _diff(edits: Sequence[Edit], cwd: str) -> list[str]:
    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    out: list[str] = []
    for path, changes in sorted(by_path.items()):
        try:
            text = decode_source(Path(path).read_bytes()).text
        except (OSError, DecodeError):
            continue
        new = _apply(text, changes)
        name = display_path(path, cwd)
        out.extend(
            line.rstrip("\n")
            for line in difflib.unified_diff(
                text.splitlines(keepends=True),
                new.splitlines(keepends=True),
                f"a/{name}",
                f"b/{name}",
                n=1,
            )
        )
    return out


def _apply(text: str, edits: Sequence[Edit]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, col: int) -> int:
        return starts[min(line - 1, len(lines))] + col

    for edit in sorted(edits, key=lambda e: (e.line, e.col), reverse=True):
        begin, end = offset(edit.line, edit.col), offset(edit.end_line, edit.end_col)
        text = text[:begin] + edit.content + text[end:]
    return text


_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


def _entity(name: str) -> str:
    return _IDENTIFIER.sub("_", name)


def _diagram(report: Report, tables: Sequence[str]) -> list[str]:
    """A Mermaid erDiagram: the tables with findings, the tables their foreign keys link,
    and those keys."""
    source: Mapping[str, Table] = {**report.database_schema.tables, **report.models.tables}
    shown = [t for t in tables if t in source]
    if not shown:
        return []
    linked = set(shown)
    relations: list[str] = []
    for key in shown:
        for fk in source[key].foreign_keys:
            target = fk.ref_table if fk.ref_table in source else fk.ref_table.split(".")[-1]
            if target not in source:
                continue
            linked.add(target)
            label = ", ".join(fk.columns)
            relations.append(f'    {_entity(target)} ||--o{{ {_entity(key)} : "{label}"')
    lines = ["## Diagram", "", "```mermaid", "erDiagram"]
    for key in sorted(linked):
        table = source[key]
        lines.append(f"    {_entity(key)} {{")
        keys = set(table.primary_key.columns) if table.primary_key else set()
        fk_columns = {c for fk in table.foreign_keys for c in fk.columns}
        for column in table.columns:
            marks = [
                m
                for m, on in (("PK", column.name in keys), ("FK", column.name in fk_columns))
                if on
            ]
            kind = "nullable" if column.nullable else "required"
            lines.append(
                f"        {kind} {_entity(column.name)}{' ' + ','.join(marks) if marks else ''}"
            )
        lines.append("    }")
    lines.extend(sorted(dict.fromkeys(relations)))
    lines += ["```", ""]
    return lines
