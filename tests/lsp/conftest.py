"""Fixtures of the language server tests: a fixture project and a client per profile."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from lsp_helpers import SERVER, Client, copy_project, initialize


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


@pytest_lsp.fixture(config=SERVER, params=["visual-studio-code", "neovim"])
async def client(
    lsp_client: Client, request: pytest.FixtureRequest, project: Path
) -> AsyncIterator[None]:
    """A client with the capabilities of VS Code or Neovim 0.11, initialised on ``project``."""
    await initialize(lsp_client, project, request.param)
    yield
    await lsp_client.shutdown_session()
