"""Each rule's own flagged examples, fixed: the exact output text, and nothing left."""

from __future__ import annotations

from pathlib import Path

import pytest
from fix_helpers import fix_project
from schema_lint.rules.registry import Example, rule_for

UQ_USER_ROLES = 'UniqueConstraint("user_id", "role_id", name="uq_user_roles_user_id_role_id")'

# (rule, example index) -> (file, text replaced, replacement)
EXPECTED = {
    ("SL001", 0): (
        "models.py",
        '    __tablename__ = "user_roles"\n',
        '    __tablename__ = "user_roles"\n'
        f"    __table_args__ = (\n        {UQ_USER_ROLES},\n    )\n",
    ),
    ("SL001", 1): (
        "models.py",
        '    Column("role_id", ForeignKey("roles.id")),\n)',
        f'    Column("role_id", ForeignKey("roles.id")),\n    {UQ_USER_ROLES},\n)',
    ),
    ("SL001", 2): (
        "models.py",
        '    __tablename__ = "follows"\n',
        '    __tablename__ = "follows"\n'
        "    __table_args__ = (\n"
        "        UniqueConstraint(\n"
        '            "follower_id", "followed_id", name="uq_follows_follower_id_followed_id"\n'
        "        ),\n"
        "    )\n",
    ),
    ("SL002", 0): (
        "app/models.py",
        "mapped_column(String(64))",
        "mapped_column(String(64), index=True)",
    ),
    ("SL002", 1): (
        "app/models.py",
        '    __tablename__ = "refresh_tokens"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    token_hash: Mapped[str] = mapped_column(String(64), index=True)\n",
        '    __tablename__ = "refresh_tokens"\n'
        '    __table_args__ = (Index("idx_refresh_tokens_token_hash", "token_hash"),)\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    token_hash: Mapped[str] = mapped_column(String(64))\n",
    ),
}


def write(root: Path, example: Example) -> None:
    (root / "pyproject.toml").write_text("[project]\nname = 'example'\n")
    for rel, source in example.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)


@pytest.mark.parametrize(("code", "number"), sorted(EXPECTED))
def test_flagged_example_is_fixed(tmp_path: Path, code: str, number: int) -> None:
    rule = rule_for(code)
    assert rule is not None
    example = rule.flagged[number]
    write(tmp_path, example)
    fixed = fix_project(tmp_path)
    assert code in {d.code for d in fixed.before} and not fixed.after
    rel, old, new = EXPECTED[(code, number)]
    source = example.files[rel]
    assert source.count(old) == 1
    expected = source.replace(old, new)
    assert (tmp_path / rel).read_text() == expected
    for other, text in example.files.items():
        if other != rel:
            assert (tmp_path / other).read_text() == text


def test_every_flagged_example_has_an_expected_fix() -> None:
    for code in ("SL001", "SL002"):
        rule = rule_for(code)
        assert rule is not None
        assert {n for c, n in EXPECTED if c == code} == set(range(len(rule.flagged)))
