"""Conditions as PostgreSQL stores them (``pg_get_constraintdef``) compare equal to what the
models and the migrations write, and different conditions stay different."""

from __future__ import annotations

import pytest
from schema_lint.vocabulary.sql import normalise_condition

SAME = [
    (
        "status IN ('new', 'paid')",
        "(status)::text = ANY "
        "((ARRAY['new'::character varying, 'paid'::character varying])::text[])",
    ),
    (
        "status NOT IN ('a', 'b')",
        "(status)::text <> ALL ((ARRAY['a'::character varying, 'b'::character varying])::text[])",
    ),
    ("total BETWEEN 0 AND 10", "((total >= 0) AND (total <= 10))"),
]
DIFFERENT = [
    (
        "status IN ('new', 'paid')",
        "(status)::text = ANY ((ARRAY['new'::character varying])::text[])",
    ),
    ("total BETWEEN 0 AND 10", "((total >= 0) AND (total <= 11))"),
    ("status IN ('a')", "(status)::text <> ALL ((ARRAY['a'::character varying])::text[])"),
]


@pytest.mark.parametrize(("written", "stored"), SAME)
def test_stored_form_equals_written(written: str, stored: str) -> None:
    assert normalise_condition(written) == normalise_condition(stored) is not None


@pytest.mark.parametrize(("written", "stored"), DIFFERENT)
def test_other_conditions_stay_different(written: str, stored: str) -> None:
    assert normalise_condition(written) != normalise_condition(stored)
