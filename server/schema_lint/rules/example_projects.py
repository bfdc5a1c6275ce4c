"""Small projects for the drift rules' documented examples: one model file, one revision.

``model`` is the body of the model module after its imports and ``Base``; ``upgrade`` the
body of the revision's ``upgrade()``. The examples are run by the test suite through the
whole engine, and their ``fixed`` texts through ``check --fix --unsafe-fixes``.
"""

from __future__ import annotations

import textwrap

MODELS = "app/models.py"
REVISION = "alembic/versions/0001_initial.py"

MODEL_HEAD = """\
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass
"""

_REVISION = '''\
"""initial"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade():
{body}

def downgrade():
    pass
'''


def model_text(model: str) -> str:
    """The model module with ``model`` (dedented) after its head."""
    return f"{MODEL_HEAD}\n\n{textwrap.dedent(model).strip()}\n"


def project(model: str, upgrade: str) -> dict[str, str]:
    """A model module and a revision whose ``upgrade()`` runs ``upgrade``."""
    body = textwrap.indent(textwrap.dedent(upgrade).strip(), "    ")
    return {MODELS: model_text(model), REVISION: _REVISION.format(body=body + "\n")}


def fixed_model(model: str) -> dict[str, str]:
    """The ``fixed`` of an example: the model module as the fix leaves it."""
    return {MODELS: model_text(model)}
