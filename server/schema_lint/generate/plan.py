"""From findings to changes: what a revision must do so that the migrations produce what the
models declare.

Every change comes from one finding schema-lint reports (its payload says what differs, the
two schemas say exactly how), so that once the revision exists the replay reads it and the
finding is gone. A finding that cannot be turned into an exact change is *skipped* with the
reason, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from schema_lint.diagnostics import Diagnostic
from schema_lint.engine import CheckResult
from schema_lint.facts.schema import CheckConstraint as CheckFact
from schema_lint.facts.schema import ForeignKey as ForeignKeyFact
from schema_lint.facts.schema import Index as IndexFact
from schema_lint.facts.schema import Table
from schema_lint.facts.source import Span
from schema_lint.generate.changes import (
    PARTIAL_INDEX_KEYWORDS,
    Change,
    Check,
    Create,
    Drop,
    ForeignKey,
    Index,
    SetNullable,
    Unique,
    qualified,
    table_of,
)
from schema_lint.project import Project
from schema_lint.rules.check_drift import CheckDrift
from schema_lint.rules.compare import referential_action
from schema_lint.rules.index_definition_drift import (
    CONSTRAINT_IN_DATABASE,
    INDEX_IN_DATABASE,
    IndexDrift,
)
from schema_lint.rules.index_missing_in_migrations import ModelOnlyIndex
from schema_lint.rules.index_missing_in_model import MissingIndex
from schema_lint.rules.nullable_drift import NullableDrift
from schema_lint.rules.ondelete_drift import ActionDrift
from schema_lint.rules.registry import selected
from schema_lint.rules.unique_drift import UniqueDrift
from schema_lint.sources.discovery import Environment
from schema_lint.vocabulary.dialects import (
    NamingTarget,
    convention_name,
    postgres_default_name,
    truncate_generated,
)

GENERATED = ("SL002", "SL003", "SL004", "SL005", "SL006", "SL007", "SL009")
"""Codes whose findings a revision resolves."""
MODEL_FIRST = ("SL001", "SL008")
"""Codes resolved in the model first (``check --fix --unsafe-fixes``); the differences their
fixes leave are SL003/SL007/SL009 findings, which the revision resolves."""
NOT_GENERATED = {
    "SL010": "a table or column only the models declare is not generated: the models' column "
    "types are not read; write it with `alembic revision` by hand",
    "SL011": "a table or column only the migrations create is not dropped: that would delete "
    "data; drop it by hand if it should go",
}
DEFAULT_SELECT = ("SL001", "SL003", "SL004", "SL005", "SL006", "SL007", "SL008", "SL009")
"""The unique, index, nullability, ondelete, check and soft-delete differences. SL002 (an
index only the migrations create) is resolved by declaring it in the model, so a revision
drops an index only when SL002 is selected explicitly."""


@dataclass(frozen=True, slots=True)
class Planned:
    change: Change
    finding: Diagnostic
    anchors: tuple[str, ...]
    """Files of the revisions the change builds on (the table's and the object's)."""


@dataclass(frozen=True, slots=True)
class Skipped:
    finding: Diagnostic
    reason: str


@dataclass(frozen=True, slots=True)
class EnvironmentPlan:
    environment: Environment
    dialect: str
    changes: tuple[Planned, ...]
    """In the order the migrations create the tables changed."""


@dataclass(frozen=True, slots=True)
class Plan:
    environments: tuple[EnvironmentPlan, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True, slots=True)
class _Pair:
    model: Table
    other: Table
    dialect: str
    convention: dict[str, str]

    @property
    def row_key(self) -> str | None:
        pk = self.other.primary_key
        return pk.columns[0] if pk is not None and len(pk.columns) == 1 else None

    def anchors(self, *spans: Span | None) -> tuple[str, ...]:
        """The files of the revisions that create the table and ``spans``."""
        created = next((c.span for c in self.other.columns if c.span is not None), None)
        found = [self.other.span or created, *spans]
        return tuple(dict.fromkeys(s.path for s in found if s is not None))


_T = TypeVar("_T")

Result = list[tuple[Change, tuple[Span | None, ...]]] | str
"""Changes with the spans of what they build on, or why there are none."""


def plan(project: Project, result: CheckResult, select: Collection[str] | None) -> Plan:
    """The changes that resolve the findings of ``result`` whose codes ``select`` names
    (codes or prefixes; None: :data:`DEFAULT_SELECT`), per Alembic environment."""
    chosen = tuple(select) if select is not None else DEFAULT_SELECT
    environments = {e.name: e for e in project.layout.environments}
    by_env: dict[str, list[Planned]] = {}
    skipped: list[Skipped] = []
    pairs: dict[str, _Pair | str] = {}
    for finding in result.diagnostics:
        code = finding.code
        if not selected(code, chosen, ()):
            continue
        if code in MODEL_FIRST:
            skipped.append(Skipped(finding, _MODEL_FIRST_REASON))
            continue
        if code in NOT_GENERATED:
            skipped.append(Skipped(finding, NOT_GENERATED[code]))
            continue
        build = _BUILDERS.get(code)
        side = finding.key.side
        if build is None or side not in environments or finding.key.table is None:
            continue
        key = f"{side}/{finding.key.table}"
        if key not in pairs:
            pairs[key] = _pair(project, result, environments[side], finding.key.table)
        pair = pairs[key]
        if isinstance(pair, str):
            skipped.append(Skipped(finding, pair))
            continue
        made = build(finding, pair)
        if isinstance(made, str):
            skipped.append(Skipped(finding, made))
            continue
        found = pair
        by_env.setdefault(side, []).extend(
            Planned(_finalised(change, found), finding, found.anchors(*spans))
            for change, spans in made
        )
    plans = []
    for environment in project.layout.environments:
        if environment.name in by_env:
            tables = {
                k: i for i, k in enumerate(result.schemas.migrations[environment.name].tables)
            }
            ordered = sorted(
                by_env[environment.name],
                key=lambda p: tables.get(qualified(*table_of(p.change)), len(tables)),
            )
            dialect = environment.dialect or project.config.dialect
            plans.append(EnvironmentPlan(environment, dialect, tuple(ordered)))
    return Plan(tuple(plans), tuple(skipped))


_MODEL_FIRST_REASON = (
    "resolved in the model: apply its fix first (`schema-lint check --fix --unsafe-fixes`), "
    "then generate the migration for the difference the fix leaves"
)


def _convention(project: Project, result: CheckResult, env: str) -> tuple[tuple[str, str], ...]:
    own = project.env_conventions.get(env)
    if own is not None:
        return tuple(own)
    models = result.schemas.env_models.get(env) or result.schemas.models
    return tuple(models.naming_convention)


def _pair(project: Project, result: CheckResult, environment: Environment, key: str) -> _Pair | str:
    schemas = result.schemas
    models = schemas.env_models.get(environment.name) or schemas.models
    model = models.tables.get(key)
    other = schemas.migrations.get(environment.name, None)
    table = other.tables.get(key) if other is not None else None
    if model is None or table is None:
        return (
            f"the migrations' `{key}` was not found (tables replayed once per tenant schema "
            "are not generated)"
        )
    dialect = environment.dialect or project.config.dialect
    convention = dict(_convention(project, result, environment.name))
    return _Pair(model, table, dialect, convention)


# --- one builder per code -------------------------------------------------------------------


def _unique_drift(finding: Diagnostic, pair: _Pair) -> Result:
    data = finding.payload
    if not isinstance(data, UniqueDrift):
        return "the finding carries no constraint"
    columns = frozenset(data.columns)
    if data.in_model:
        mine = _first(pair.model.unique_constraints, lambda u: frozenset(u.columns) == columns)
        if mine is None:
            return "the model's unique constraint was not found"
        name = mine.name or _default_name(pair, "uq", mine.columns)
        unique = Unique(pair.model.name, pair.model.schema, name, mine.columns)
        return [(Create(unique, pair.row_key), ())]
    theirs = _first(pair.other.unique_constraints, lambda u: frozenset(u.columns) == columns)
    if theirs is None:
        return "the migrations' unique constraint was not found"
    if theirs.name is None:
        return _unnamed("unique constraint", theirs.columns)
    unique = Unique(pair.other.name, pair.other.schema, theirs.name, theirs.columns)
    return [(Drop(unique, pair.row_key), (theirs.span,))]


def _nullable_drift(finding: Diagnostic, pair: _Pair) -> Result:
    data = finding.payload
    if not isinstance(data, NullableDrift):
        return "the finding carries no column"
    if pair.dialect in ("mysql", "mariadb"):
        return (
            f"on {pair.dialect} a nullability change restates the whole column (type, "
            "default, comment), which schema-lint does not read: write it by hand"
        )
    column = pair.other.column(data.column)
    if column is None:
        return f"the migrations' column `{data.column}` was not found"
    change = SetNullable(
        pair.other.name,
        pair.other.schema,
        data.column,
        not data.database_nullable,
        column.type_text,
    )
    return [(change, (column.nullable_span or column.span,))]


def _ondelete_drift(finding: Diagnostic, pair: _Pair) -> Result:
    data = finding.payload
    if not isinstance(data, ActionDrift):
        return "the finding carries no foreign key"
    key = _fk_key(data.columns, data.ref_table)
    mine = _first(pair.model.foreign_keys, lambda fk: _fk_key(fk.columns, fk.ref_table) == key)
    theirs = _first(pair.other.foreign_keys, lambda fk: _fk_key(fk.columns, fk.ref_table) == key)
    if mine is None or theirs is None:
        return "the foreign key was not found on both sides"
    if theirs.name is None:
        return _unnamed("foreign key", theirs.columns)
    old = _foreign_key(pair, theirs, theirs.name)
    new = ForeignKey(
        old.table,
        old.schema,
        old.name,
        old.columns,
        old.ref_table,
        old.ref_schema,
        old.ref_columns,
        referential_action(mine.ondelete),
        referential_action(mine.onupdate),
    )
    return [(Drop(old), (theirs.span,)), (Create(new), (theirs.span,))]


def _check_drift(finding: Diagnostic, pair: _Pair) -> Result:
    data = finding.payload
    if not isinstance(data, CheckDrift):
        return "the finding carries no check constraint"
    made: list[tuple[Change, tuple[Span | None, ...]]] = []
    if data.database_text is not None:
        theirs = _check(pair.other.check_constraints, data.name, data.database_text)
        if theirs is None:
            return "the migrations' check constraint was not found"
        if theirs.name is None:
            return "the migrations create this check constraint without a name to drop it by"
        check = Check(pair.other.name, pair.other.schema, theirs.name, theirs.sqltext)
        made.append((Drop(check), (theirs.span,)))
    if data.model_text is not None:
        mine = _check(pair.model.check_constraints, data.name, data.model_text)
        if mine is None:
            return "the model's check constraint was not found"
        if mine.name is None:
            return (
                "the model's check constraint has no name: name it "
                '(`CheckConstraint(..., name="...")`) so that a migration can create and drop it'
            )
        check = Check(pair.model.name, pair.model.schema, mine.name, mine.sqltext)
        made.append((Create(check), ()))
    return made


def _index_missing_in_migrations(finding: Diagnostic, pair: _Pair) -> Result:
    data = finding.payload
    if not isinstance(data, ModelOnlyIndex):
        return "the finding carries no index"
    mine = _model_index(pair, data.name, data.columns, data.unique)
    if isinstance(mine, str):
        return mine
    return [(Create(mine, pair.row_key), ())]


def _index_definition_drift(finding: Diagnostic, pair: _Pair) -> Result:
    data = finding.payload
    if not isinstance(data, IndexDrift):
        return "the finding carries no index"
    old: Unique | Index
    span: Span | None
    if data.form == CONSTRAINT_IN_DATABASE:
        theirs_uq = _first(pair.other.unique_constraints, lambda u: u.name == data.name)
        if theirs_uq is None or theirs_uq.name is None:
            return _unnamed("unique constraint", data.columns)
        old = Unique(pair.other.name, pair.other.schema, theirs_uq.name, theirs_uq.columns)
        span = theirs_uq.span
    else:
        theirs = _first(pair.other.indexes, lambda i: i.name == data.name)
        if theirs is None or theirs.name is None:
            return "the migrations' index was not found by its name"
        old = _index(pair, theirs, theirs.name)
        span = theirs.span
    new: Unique | Index | str
    if data.form == INDEX_IN_DATABASE:
        columns = frozenset(data.model_columns)
        mine_uq = _first(pair.model.unique_constraints, lambda u: frozenset(u.columns) == columns)
        if mine_uq is None:
            return "the model's unique constraint was not found"
        name = mine_uq.name or _default_name(pair, "uq", mine_uq.columns)
        new = Unique(pair.model.name, pair.model.schema, name, mine_uq.columns)
    else:
        unique = data.unique if data.form == CONSTRAINT_IN_DATABASE else None
        new = _model_index(pair, data.model_name, data.model_columns, unique)
    if isinstance(new, str):
        return new
    return [(Drop(old, pair.row_key), (span,)), (Create(new, pair.row_key), ())]


def _index_missing_in_model(finding: Diagnostic, pair: _Pair) -> Result:
    data = finding.payload
    if not isinstance(data, MissingIndex):
        return "the finding carries no index"
    theirs = _first(pair.other.indexes, lambda i: i.name == data.index)
    if theirs is None or theirs.name is None:
        return "the migrations' index was not found by its name"
    return [(Drop(_index(pair, theirs, theirs.name), pair.row_key), (theirs.span,))]


_BUILDERS: dict[str, Callable[[Diagnostic, _Pair], Result]] = {
    "SL002": _index_missing_in_model,
    "SL003": _unique_drift,
    "SL004": _nullable_drift,
    "SL005": _ondelete_drift,
    "SL006": _check_drift,
    "SL007": _index_missing_in_migrations,
    "SL009": _index_definition_drift,
}


_KINDS = {Unique: "uq", Index: "ix", ForeignKey: "fk", Check: "ck"}


def _finalised(change: Change, pair: _Pair) -> Change:
    """``change`` with its object's name marked final when the naming convention made it
    (or would wrap it again): rendered ``op.f(name)``, as autogenerate renders such names."""
    if isinstance(change, SetNullable):
        return change
    found = change.object
    kind = _KINDS[type(found)]
    template = pair.convention.get(kind)
    if template is None:
        return change
    final = "constraint_name" in template
    if not final:
        target = NamingTarget(
            kind,
            found.table,
            found.schema,
            () if isinstance(found, Check) else found.columns,
            referred_table=found.ref_table if isinstance(found, ForeignKey) else None,
            referred_columns=found.ref_columns if isinstance(found, ForeignKey) else (),
        )
        generated = convention_name(pair.convention, target)
        final = generated is not None and truncate_generated(generated, pair.dialect) == found.name
    return replace(change, object=replace(found, final=final))


# --- helpers --------------------------------------------------------------------------------


def _first(items: Sequence[_T], test: Callable[[_T], bool]) -> _T | None:
    return next((item for item in items if test(item)), None)


def _unnamed(kind: str, columns: Sequence[str]) -> str:
    return (
        f"the migrations create the {kind} on ({', '.join(columns)}) without a name this "
        "database keeps: it cannot be dropped by name"
    )


def _default_name(pair: _Pair, kind: str, columns: Sequence[str]) -> str:
    """The name of a constraint the model leaves unnamed: the naming convention's, else the
    one PostgreSQL would choose, else ``<kind>_<table>_<columns>``."""
    table = pair.model
    if kind in pair.convention:
        name = convention_name(
            pair.convention, NamingTarget(kind, table.name, table.schema, columns)
        )
        if name:
            return truncate_generated(name, pair.dialect)
    if pair.dialect == "postgresql":
        return postgres_default_name(table.name, columns, "key", ())
    return truncate_generated(f"{kind}_{table.name}_{'_'.join(columns)}", pair.dialect)


def _fk_key(columns: Sequence[str], ref_table: str) -> tuple[tuple[str, ...], str]:
    return tuple(columns), ref_table.lower().removeprefix("public.")


def _foreign_key(pair: _Pair, fk: ForeignKeyFact, name: str) -> ForeignKey:
    ref_schema, _, ref_table = fk.ref_table.rpartition(".")
    return ForeignKey(
        pair.other.name,
        pair.other.schema,
        name,
        fk.columns,
        ref_table,
        ref_schema or None,
        fk.ref_columns,
        referential_action(fk.ondelete),
        referential_action(fk.onupdate),
    )


def _check(checks: Sequence[CheckFact], name: str | None, text: str) -> CheckFact | None:
    named = _first(checks, lambda c: name is not None and c.name == name)
    return named or _first(checks, lambda c: c.sqltext == text)


def _index(pair: _Pair, index: IndexFact, name: str) -> Index:
    return Index(
        pair.other.name,
        pair.other.schema,
        name,
        index.columns,
        index.unique,
        index.where,
        index.expressions,
    )


def _model_index(
    pair: _Pair, name: str | None, columns: Sequence[str], unique: bool | None
) -> Index | str:
    """The model's index by name, else by columns (and uniqueness when given)."""
    model = pair.model
    mine = _first(model.indexes, lambda i: name is not None and i.name == name) or _first(
        model.indexes,
        lambda i: i.columns == tuple(columns) and (unique is None or i.unique == unique),
    )
    if mine is None:
        return "the model's index was not found"
    if mine.name is None:
        return "the model's index has no name schema-lint can derive: name it in the model"
    if mine.where is not None and pair.dialect not in PARTIAL_INDEX_KEYWORDS:
        return f"{pair.dialect} has no partial indexes (`WHERE {mine.where}`)"
    return Index(
        model.name, model.schema, mine.name, mine.columns, mine.unique, mine.where, mine.expressions
    )
