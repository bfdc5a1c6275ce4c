"""The live database side: a URL that never shows its password, a read-only connection, and
reflection into the same :class:`~schema_lint.facts.schema.Schema` facts the replay builds.

The only package that imports SQLAlchemy. Nothing here writes to the database.
"""
