"""Vocabulary below every stage: SQLAlchemy/Alembic names and kinds, dialect rules.

Imported by ``extract/``, ``schema/``, ``rules/`` and ``fixes/`` alike, so that one name or
rule is written once; it imports nothing from the rest of schema-lint.
"""
