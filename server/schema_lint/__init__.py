"""schema-lint: keep SQLAlchemy models, Alembic migrations and the database in agreement."""

__version__ = "0.1.0"
