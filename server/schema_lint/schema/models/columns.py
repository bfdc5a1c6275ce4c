"""A declared column resolved into the column SQLAlchemy builds: name, nullability, flags.

Nullability follows SQLAlchemy 2.x exactly:

* ``Column(...)``: explicit ``nullable=``, else ``not (primary_key or Identity())``.
* ``mapped_column(...)`` / a bare ``Mapped[...]`` annotation: explicit ``nullable=``, else
  the ``nullable=`` of an ``Annotated`` alias's ``mapped_column()``, else whether the
  annotation includes ``None`` (``Optional[...]``, ``X | None``, also inside the alias).
  Without a ``Mapped[...]`` annotation, as ``Column``. Note that SQLAlchemy keeps
  ``Mapped[Optional[int]] = mapped_column(primary_key=True)`` nullable in ``MetaData``.
* SQLModel ``Field(...)``: explicit ``nullable=``, else ``not primary_key and Optional``;
  ``sa_column=Column(...)`` as ``Column``.

A ``PrimaryKeyConstraint`` in ``__table_args__`` later makes its columns NOT NULL unless
``nullable=`` was given explicitly (see :mod:`schema_lint.schema.models.tables`).
"""

from __future__ import annotations

from schema_lint.facts.models import ClassDecl, ColumnDecl, ForeignKeyDecl, TypeAliasDecl, TypeDecl
from schema_lint.facts.source import Span
from schema_lint.schema.models.symbols import Env, Local, Project, Unread

_MAX_ALIASES = 10


class CBuild:
    """A column of a table being built."""

    __slots__ = (
        "attr",
        "explicit",
        "fks",
        "generated",
        "index",
        "inexact",
        "inherited_from",
        "key",
        "name",
        "nullable",
        "primary_key",
        "sort_order",
        "span",
        "unique",
    )

    def __init__(self, name: str, span: Span) -> None:
        self.name = name
        self.key = name
        """``Column.key``: what constraint strings name."""
        self.attr: str | None = None
        """The attribute name on the class."""
        self.span = span
        self.nullable = True
        self.explicit: bool | None = None
        """``nullable=`` as given by the user (decides what a PK constraint may change)."""
        self.primary_key = False
        self.index = False
        self.unique = False
        self.fks: list[tuple[ForeignKeyDecl, Env]] = []
        self.sort_order = 0
        self.generated = False
        self.inherited_from: str | None = None
        self.inexact: list[str] = []
        """Why its nullability may be wrong (a type from a module that is not analysed)."""


class AnnotationInfo:
    """What ``Mapped[...]`` resolves to through type aliases."""

    __slots__ = ("column", "column_env", "inexact", "mapped", "optional", "reasons", "target")

    def __init__(self) -> None:
        self.optional = False
        self.mapped = False
        self.column: ColumnDecl | None = None
        self.column_env: Env | None = None
        self.reasons: list[str] = []
        self.inexact: list[str] = []
        self.target: Local | None = None
        """The type when it is a project class (a model: a relationship, not a column)."""


def annotation_info(project: Project, env: Env, typed: TypeDecl | None) -> AnnotationInfo:
    info = AnnotationInfo()
    if typed is None:
        return info
    info.mapped = typed.container == "Mapped"
    info.optional = typed.optional
    if typed.column is not None:
        info.column, info.column_env = typed.column, env
    target = typed.target
    for _ in range(_MAX_ALIASES):
        if target is None:
            break
        symbol = project.resolve(env, target)
        if isinstance(symbol, Local) and isinstance(symbol.decl, TypeAliasDecl):
            alias = symbol.decl.type
            info.optional = info.optional or alias.optional
            if alias.column is not None:  # Annotated flattens: the innermost one comes first
                info.column, info.column_env = alias.column, symbol.env
            env, target = symbol.env, alias.target
            continue
        if isinstance(symbol, Unread) and symbol.project:
            reason = f"type {'.'.join(target)} cannot be read: {symbol.reason}"
            if _is_class_name(target[-1]):
                info.inexact.append(reason)
            else:
                info.reasons.append(reason)
        if isinstance(symbol, Local) and isinstance(symbol.decl, ClassDecl):
            info.target = symbol
        break
    return info


def resolve_column(
    project: Project,
    env: Env,
    decl: ColumnDecl,
    *,
    sqlmodel: bool = False,
    inherited_from: str | None = None,
) -> tuple[CBuild, list[str]]:
    """The column ``decl`` produces, and why it may be partial."""
    info = annotation_info(project, env, decl.annotation)
    reasons = [*decl.unreadable, *info.reasons]
    attr = decl.key
    col = CBuild(decl.name or attr or "?", decl.span)
    col.attr = attr
    col.inherited_from = inherited_from
    col.inexact = info.inexact
    col.fks = [(fk, env) for fk in decl.foreign_keys]
    col.sort_order = decl.sort_order or 0
    col.generated = decl.generated
    if decl.style == "Column":
        col.primary_key = bool(decl.primary_key)
        col.explicit = decl.nullable
        default = not (col.primary_key or decl.identity)
        col.index, col.unique = bool(decl.index), bool(decl.unique)
    elif sqlmodel:
        col.primary_key = bool(decl.primary_key)
        col.explicit = (
            decl.nullable if decl.nullable is not None else not col.primary_key and info.optional
        )
        default = col.explicit
        col.index, col.unique = bool(decl.index), bool(decl.unique)
    else:
        alias = info.column
        if alias is not None and info.column_env is not None:
            reasons.extend(alias.unreadable)
            col.fks.extend((fk, info.column_env) for fk in alias.foreign_keys)
            if decl.sort_order is None and alias.sort_order is not None:
                col.sort_order = alias.sort_order
        col.primary_key = bool(decl.primary_key) or bool(alias and alias.primary_key)
        col.explicit = decl.nullable
        if col.explicit is None and alias is not None:
            col.explicit = alias.nullable
        default = info.optional if info.mapped else not (bool(decl.primary_key) or decl.identity)
        col.index = bool(_first(decl.index, alias.index if alias else None))
        col.unique = bool(_first(decl.unique, alias.unique if alias else None))
    col.nullable = col.explicit if col.explicit is not None else default
    return col, reasons


def _is_class_name(name: str) -> bool:
    """A CapWords name (``DateTime``): a type, not an ``Annotated`` column alias.

    Only the nullability such a type implies is unknown. An alias that configures the column
    (``intpk = Annotated[int, mapped_column(primary_key=True)]``) is lower case by
    convention, and its module mentions ``mapped_column``, so discovery would read it.
    """
    return name[:1].isupper() and not name.isupper()


def _first(*values: bool | None) -> bool | None:
    for value in values:
        if value is not None:
            return value
    return None
