"""rbac-demo: accounts, roles and permissions for a small anime catalogue.

The schema is managed with Alembic (see ``alembic/``); the ORM models live in
``app.models``.
"""

import os

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "postgresql+psycopg://rbac:rbac@localhost:5432/rbac"


def make_session_factory(url: str | None = None) -> sessionmaker[Session]:
    """A session factory bound to DATABASE_URL (or ``url``)."""
    engine = create_engine(url or os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
    return sessionmaker(bind=engine, expire_on_commit=False)
