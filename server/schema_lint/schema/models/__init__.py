"""The schema the models declare, resolved across every model file of a project.

``symbols`` maps names to definitions across files, ``hierarchy`` resolves classes, their
bases and declarative roots with their ``MetaData``, ``mapping`` maps declarative classes to
tables, ``columns`` and ``tables`` turn declarations into facts, ``state`` is one build's
shared state, and ``build`` drives it all.
"""

from schema_lint.schema.models.build import build_model_schema, camel_to_snake_case

__all__ = ["build_model_schema", "camel_to_snake_case"]
