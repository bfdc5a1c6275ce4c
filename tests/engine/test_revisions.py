"""The revision graph: order, heads, and defects reported as problems, never crashes."""

from __future__ import annotations

from migration_helpers import migration
from schema_lint.schema.revisions import order_revisions


def rev(revision: str, down: object = None, **extra: object) -> object:
    lines = [f"revision = {revision!r}", f"down_revision = {down!r}"]
    lines += [f"{key} = {value!r}" for key, value in extra.items()]
    return migration("\n".join(lines) + "\ndef upgrade():\n    pass\n", f"{revision}.py")


def test_branches_merge_and_multiple_heads() -> None:
    order = order_revisions(
        [
            rev("c", "a"),
            rev("a"),
            rev("b", "a"),
            rev("m", ("b", "c")),
            rev("x", "m"),
            rev("y", "m"),
        ]
    )  # type: ignore[list-item]
    ids = [m.revision for m in order.migrations]
    assert ids[0] == "a" and ids.index("m") > max(ids.index("b"), ids.index("c"))
    assert order.heads == ("x", "y")
    assert order.problems == ()


def test_depends_on_orders_across_branches() -> None:
    order = order_revisions(
        [
            rev("b1", None, branch_labels=("other",)),
            rev("a2", "a1", depends_on="b1"),
            rev("a1"),
        ]
    )  # type: ignore[list-item]
    ids = [m.revision for m in order.migrations]
    assert ids.index("b1") < ids.index("a2")
    assert set(order.heads) == {"a2", "b1"}


def test_cycle_missing_parent_and_duplicate_are_problems() -> None:
    order = order_revisions(
        [
            rev("a"),
            rev("b", "c"),
            rev("c", "b"),
            rev("d", "zzzz"),
            rev("a", None),
        ]
    )  # type: ignore[list-item]
    kinds = sorted(p.kind for p in order.problems)
    assert kinds == ["duplicate-revision", "missing-revision", "revision-cycle", "revision-cycle"]
    assert [m.revision for m in order.migrations] == ["a", "d"]
