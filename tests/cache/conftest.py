"""Every cache test gets its own user cache directory (where the signing key lives), so that
no test reads or writes the real ``~/.cache/schema-lint`` and each starts without a key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SHOP = Path(__file__).resolve().parents[1] / "cli" / "fixtures" / "shop"


@pytest.fixture(autouse=True)
def user_cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A small project with two findings in ``app/models.py`` (SL001 and SL002)."""
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    return root
