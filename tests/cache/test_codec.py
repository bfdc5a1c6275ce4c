"""The cache codec: real facts survive the trip exactly; anything else is refused whole."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from schema_lint.cache.codec import Codec, Invalid, Unencodable
from schema_lint.cache.facts import pack, unpack
from schema_lint.cache.registry import (
    facts_classes,
    facts_codec,
    results_classes,
    results_codec,
)
from schema_lint.config import load_config
from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.engine import check
from schema_lint.facts.files import FileFacts
from schema_lint.facts.models import Lit, Ref
from schema_lint.facts.schema import Schema
from schema_lint.facts.source import Problem, Span
from schema_lint.project import load_project

REPO = Path(__file__).resolve().parents[2]
PROJECTS = [
    REPO / "examples" / "rbac",
    REPO / "tests" / "cli" / "fixtures" / "shop",
    *sorted(p for p in (REPO / "tests" / "fixtures" / "models").iterdir() if p.is_dir()),
]


def trip(codec: Codec, value: Any, hint: Any) -> Any:
    """Encode, pack, unpack and decode, as the cache does."""
    return codec.decode(unpack(pack(codec.encode(value, hint))), hint)


def test_every_allowed_class_has_a_codec() -> None:
    """A new fact type with a hint the codec cannot store fails here, not in a user's run."""
    for codec, classes in ((facts_codec(), facts_classes()), (results_codec(), results_classes())):
        for cls in classes:
            assert codec.encoder(cls) and codec.decoder(cls)
    assert facts_codec().decoder(FileFacts) and facts_codec().decoder(Schema)
    assert results_codec().decoder(tuple[Diagnostic, ...])
    assert results_codec().decoder(tuple[Problem, ...])


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_real_facts_schemas_and_findings_round_trip_exactly(root: Path) -> None:
    project = load_project(root, load_config(root))
    assert project.files
    for facts in project.files.values():
        assert trip(facts_codec(), facts, FileFacts) == facts
    result = check(project)
    schemas = [result.schemas.models, *result.schemas.migrations.values()]
    for schema in schemas:
        assert trip(facts_codec(), schema, Schema) == schema
    diagnostics = trip(results_codec(), result.diagnostics, tuple[Diagnostic, ...])
    assert diagnostics == result.diagnostics
    assert [d.payload for d in diagnostics] == [d.payload for d in result.diagnostics]
    assert trip(results_codec(), result.problems, tuple[Problem, ...]) == result.problems


SPAN = Span("app/models.py", 3, 4, 3, 20)
DIAGNOSTIC = Diagnostic("SL001", "message", SPAN, Severity.ERROR, FindingKey("SL001", "t", "a,b"))


def _encoded_diagnostic() -> list[Any]:
    return results_codec().encode(DIAGNOSTIC, Diagnostic)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("tag", "fields"),
    [
        ("subprocess.Popen", ("touch /tmp/pwned",)),
        ("os.system", ("touch /tmp/pwned",)),
        ("builtins.eval", ("__import__('os')",)),
        ("schema_lint.cache.codec.Codec", ()),
        ("ObjectFilter", (None, "x", None, "")),  # ours, but not allowed in results
        ("Span", ("p", 1, 0, 1, 0)),  # allowed in results, but not as a payload
        ("", ()),
    ],
)
def test_a_class_outside_the_allow_list_is_refused(tag: str, fields: tuple[Any, ...]) -> None:
    """A payload (typed ``Any``) names its class only from the rules' payload types; the
    fields are a valid instance of the named class where it is one of ours."""
    data = _encoded_diagnostic()
    data[7] = {"JunctionPair": ("t", None, ("a", "b"))}
    assert results_codec().decode(unpack(pack(data)), Diagnostic).payload is not None
    data[7] = {tag: fields}
    with pytest.raises(Invalid, match="not allowed"):
        results_codec().decode(unpack(pack(data)), Diagnostic)


def _mutations() -> list[tuple[str, Any]]:
    good = _encoded_diagnostic()
    span = list(good[2])

    def with_field(index: int, value: Any) -> list[Any]:
        changed = list(good)
        changed[index] = value
        return changed

    return [
        ("missing field", good[:-1]),
        ("extra field", [*good, None]),
        ("int for str", with_field(0, 1)),
        ("bool for int", with_field(2, [*span[:1], True, *span[2:]])),
        ("float for int", with_field(2, [*span[:1], 3.0, *span[2:]])),
        ("unknown enum value", with_field(3, "fatal")),
        ("map for a class", with_field(2, {"path": "x"})),
        ("str for a tuple", with_field(5, "related")),
        ("bytes for str", with_field(1, b"message")),
        ("two tags", with_field(7, {"JunctionPair": ("t", None, ()), "MissingIndex": ()})),
        ("payload of the wrong shape", with_field(7, {"JunctionPair": ("t",)})),
    ]


@pytest.mark.parametrize("data", [m[1] for m in _mutations()], ids=[m[0] for m in _mutations()])
def test_shape_and_type_mismatches_are_refused(data: Any) -> None:
    """Each case changes one thing in a valid encoding (which decodes: see below)."""
    with pytest.raises(Invalid):
        results_codec().decode(unpack(pack(data)), Diagnostic)


def test_the_unchanged_encoding_decodes() -> None:
    assert results_codec().decode(unpack(pack(_encoded_diagnostic())), Diagnostic) == DIAGNOSTIC


def test_a_valid_payload_decodes_to_its_own_class() -> None:
    from schema_lint.rules.junction_unique import JunctionPair

    diagnostic = replace(DIAGNOSTIC, payload=JunctionPair("t", None, ("a", "b")))
    decoded = trip(results_codec(), diagnostic, Diagnostic)
    assert type(decoded.payload) is JunctionPair and decoded.payload == diagnostic.payload


def test_lists_where_tuples_belong_are_refused_before_packing() -> None:
    """Decoding never sees a list (arrays unpack as tuples): a list is not trusted as one."""
    with pytest.raises(Invalid):
        results_codec().decode(list(results_codec().encode(SPAN, Span)), Span)


def test_values_that_do_not_fit_their_hint_are_not_stored() -> None:
    with pytest.raises(Unencodable):
        results_codec().encode(replace(SPAN, line="3"), Span)  # type: ignore[arg-type]
    with pytest.raises(Unencodable):
        results_codec().encode(replace(DIAGNOSTIC, related=["x"]), Diagnostic)  # type: ignore[arg-type]


def test_a_str_subclass_is_stored_as_plain_str() -> None:
    """The extractor marks ``op.f()`` names with a ``str`` subclass; the cache keeps the text."""

    class Marked(str):
        __slots__ = ()

    decoded = trip(facts_codec(), Lit(Marked("ix_users_email")), Lit)
    assert decoded == Lit("ix_users_email") and type(decoded.value) is str
    assert trip(facts_codec(), Ref(("User", "email")), Ref) == Ref(("User", "email"))


@dataclass(frozen=True)
class Ambiguous:
    value: tuple[str, ...] | frozenset[str]


@dataclass(frozen=True)
class Listed:
    value: list[str]


@dataclass
class Mutable:
    value: str


@pytest.mark.parametrize("cls", [Ambiguous, Listed])
def test_hints_the_codec_cannot_tell_apart_fail_when_built(cls: type) -> None:
    with pytest.raises(TypeError):
        Codec([cls]).decoder(cls)


def test_only_frozen_dataclasses_are_allowed() -> None:
    with pytest.raises(TypeError, match="frozen"):
        Codec([Mutable])


def test_classes_of_one_name_in_two_modules_are_both_allowed() -> None:
    # facts.models.Opaque (a model expression) and facts.migrations.Opaque (a guard's
    # condition) share a name: each decodes as itself.
    from schema_lint.cache.registry import facts_codec
    from schema_lint.facts import migrations, models

    codec = facts_codec()
    guard = migrations.Decide(1, migrations.Opaque(("settings.pg_uri",)), "settings.pg_uri", SPAN)
    assert trip(codec, guard, migrations.Decide) == guard
    expression = models.Opaque("f(x)")
    assert trip(codec, expression, models.Opaque) == expression
    assert {migrations.Opaque, models.Opaque} <= set(codec.classes)
