"""What one model source file declares, before anything is resolved across files.

Plain frozen data without ``ast`` nodes, so that it pickles and can be cached per file by
content hash. Names are kept as written (a :data:`Dotted` such as ``("sa", "Column")`` or
``("User", "email")``); :mod:`schema_lint.schema.models` interprets them through the
file's imports and the other files of the project.

``via`` fields hold the dotted prefix through which a construct was reached when that prefix
is not plainly SQLAlchemy (``db`` in ``db.Column``, or ``Column`` imported from a project
module): the resolver checks that it is a Flask-SQLAlchemy object or a re-export before
believing the construct.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schema_lint.facts.source import Span
from schema_lint.vocabulary.sqlalchemy import ConstraintKind

Dotted = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Import:
    """``import module as local`` (``name`` is None) or ``from module import name as local``."""

    local: str
    module: str
    name: str | None = None
    level: int = 0
    """Number of leading dots of a relative import."""


# --- expressions kept for later resolution -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    """A dotted reference: ``User.email``, ``users.c.email``, a class-body column variable."""

    parts: Dotted


@dataclass(frozen=True, slots=True)
class Lit:
    """A string literal (a column key in a constraint, ``"users.id"`` in a foreign key)."""

    value: str


@dataclass(frozen=True, slots=True)
class SqlText:
    """``text("...")`` or ``literal_column("...")``: SQL kept as written."""

    text: str


@dataclass(frozen=True, slots=True)
class Func:
    """``func.<name>(args)``."""

    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Modified:
    """``desc(x)``, ``x.asc()``, ``nulls_last(x)``: rendered as ``<operand> <suffix>``."""

    operand: Expr
    suffix: str


@dataclass(frozen=True, slots=True)
class Opaque:
    """An expression that cannot be read statically, as source text."""

    source: str


Expr = Ref | Lit | SqlText | Func | Modified | Opaque


Literal = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Code:
    """A little Python kept to be evaluated when the schema is built: a name computed for
    each class (``cls.__name__`` through ``.lower()``, regular expressions, a helper
    function of the project), a ``declared_attr`` body that depends on class attributes, a
    constant or a helper function of a module. :mod:`schema_lint.schema.models.code`
    evaluates it, exactly or not at all.

    ``op`` and ``args``:

    * expressions: ``const`` (value); ``name`` (id): a local, else a name of the module;
      ``cls`` (attr): ``cls.<attr>`` of the class evaluated for; ``attr`` (target, name);
      ``call`` (function, *arguments); ``tuple``/``list``/``set`` (*items); ``fstr``
      (*parts); ``binop``/``cmp`` (operator, left, right); ``not`` (operand); ``and``/``or``
      (*operands); ``ifexp`` (test, body, orelse); ``comp`` (element, variable, iterable,
      *conditions); ``index`` (target, key); ``slice`` (target, lower, upper, step);
      ``result`` (i): the i-th construct read from a ``return``.
    * statements: ``block`` (*statements); ``assign`` (name, value); ``return`` (value);
      ``if`` (test, body, orelse); ``for`` (variable, iterable, body); ``raise`` ().
    """

    op: str
    args: tuple[Code | Literal, ...] = ()


@dataclass(frozen=True, slots=True)
class Template:
    """A value computed for the class it is evaluated for: ``code`` is an expression, or a
    ``block`` (a ``declared_attr`` body)."""

    code: Code


Name = str | Template | None


# --- columns and constraints ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForeignKeyDecl:
    """``ForeignKey(target, ondelete=..., onupdate=..., name=...)`` on a column."""

    target: Expr
    ondelete: str | None = None
    name: str | None = None
    onupdate: str | None = None


@dataclass(frozen=True, slots=True)
class TypeDecl:
    """A type annotation, reduced to what decides mapping and nullability."""

    container: str | None = None
    """Last name of an outer ``Mapped[...]``/``ClassVar[...]``/... subscript, if any."""
    optional: bool = False
    """``None`` is a member of the type at this level (``Optional[X]``, ``X | None``)."""
    target: Dotted | None = None
    """The remaining type when it is a plain (dotted) name: may be an ``Annotated`` alias."""
    column: ColumnDecl | None = None
    """The ``mapped_column()``/``Field()`` inside an ``Annotated[...]`` written here."""
    opaque: bool = False
    """The remaining type is not a plain name (a generic such as ``list["Child"]``)."""


@dataclass(frozen=True, slots=True)
class ColumnDecl:
    """A column as written: ``Column(...)``, ``mapped_column(...)``, ``Field(...)`` or bare.

    ``style`` is ``Column``, ``mapped_column``, ``Field`` (SQLModel), ``annotation`` (an
    annotated attribute without a value) or ``default`` (an annotated attribute with a plain
    default value, a column only for SQLModel). Flags are None when not given explicitly.
    """

    key: str | None
    name: str | None
    span: Span
    style: str
    via: Dotted | None = None
    primary_key: bool | None = None
    nullable: bool | None = None
    index: bool | None = None
    unique: bool | None = None
    identity: bool = False
    foreign_keys: tuple[ForeignKeyDecl, ...] = ()
    annotation: TypeDecl | None = None
    sort_order: int | None = None
    declared_attr: bool = False
    unreadable: tuple[str, ...] = ()
    generated: bool = False
    """``default=`` is a callable or ``server_default=`` a function: each new row gets a
    value of its own (``default=uuid4``, ``server_default=func.gen_random_uuid()``)."""


@dataclass(frozen=True, slots=True)
class ConstraintDecl:
    """``Index``, ``UniqueConstraint``, ``PrimaryKeyConstraint``, ``ForeignKeyConstraint`` or
    ``CheckConstraint``. ``items`` name column keys (strings) or columns (references)."""

    kind: ConstraintKind
    span: Span
    name: Name = None
    items: tuple[Expr, ...] = ()
    unique: bool = False
    where: str | None = None
    dialect: str | None = None
    """From ``.ddl_if(dialect=...)``."""
    targets: tuple[Expr, ...] = ()
    """Referred columns of a ``ForeignKeyConstraint``."""
    ondelete: str | None = None
    sqltext: str | None = None
    via: Dotted | None = None
    onupdate: str | None = None
    unreadable: tuple[str, ...] = ()
    """Why its columns or other parts cannot be read."""
    name_unreadable: bool = False
    """A name is given but cannot be read: only the name is unknown."""
    ops: tuple[tuple[str, str], ...] = ()
    """``postgresql_ops=``: an operator class or order per column name, on PostgreSQL."""
    where_unknown: bool = False
    """``postgresql_where=`` is given but cannot be read as SQL (``where`` keeps its source):
    no rule judges the index."""


@dataclass(frozen=True, slots=True)
class RelationshipDecl:
    """A ``relationship(..., secondary=...)`` (or SQLModel ``Relationship(link_model=...)``)."""

    key: str
    secondary: Expr
    span: Span
    """The ``secondary=``/``link_model=`` keyword argument."""
    link_model: bool = False
    via: Dotted | None = None


@dataclass(frozen=True, slots=True)
class MetaDataDecl:
    """A ``MetaData(...)`` call; ``convention`` is literal pairs, a name bound to a dict
    literal, or None for SQLAlchemy's default.

    Each part is known or not on its own: ``MetaData(schema=get_schema(), naming_convention=
    {...})`` keeps its convention with ``schema_unreadable`` set.
    """

    convention: tuple[tuple[str, str], ...] | Ref | None = None
    schema: str | None = None
    unreadable: bool = False
    """The naming convention cannot be read."""
    schema_unreadable: bool = False
    """``schema=`` cannot be read (the tables are keyed as unqualified)."""
    span: Span | None = field(default=None, compare=False)


MetaDataValue = MetaDataDecl | Ref


@dataclass(frozen=True, slots=True)
class TableDecl:
    """A ``Table("name", metadata, ...)`` call (module level or ``__table__ = Table(...)``)."""

    span: Span
    name: str | None
    var: str | None = None
    metadata: MetaDataValue | None = None
    schema: str | None = None
    columns: tuple[ColumnDecl, ...] = ()
    constraints: tuple[ConstraintDecl, ...] = ()
    via: Dotted | None = None
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TablenameDecl:
    """``__tablename__``: a literal, a template (``declared_attr``), or None when unreadable."""

    span: Span
    value: Name
    declared_attr: bool = False
    none: bool = False
    """``__tablename__ = None``: no table of its own (single-table inheritance)."""


@dataclass(frozen=True, slots=True)
class TableArgsDecl:
    """``__table_args__``; ``invalid`` when it is neither a tuple nor a dict (SQLAlchemy
    raises), ``unreadable`` reasons when it cannot be read statically."""

    span: Span
    items: tuple[ConstraintDecl, ...] = ()
    schema: str | None = None
    declared_attr: bool = False
    invalid: bool = False
    unreadable: tuple[str, ...] = ()
    cls: str | None = None
    """The class parameter of a ``declared_attr`` (items may name ``cls.<attribute>``)."""
    choices: DeclaredAttrDecl | None = None
    """A ``declared_attr`` whose body decides between several ``return``s for each class:
    its ``results`` are the possible values."""


@dataclass(frozen=True, slots=True)
class DeclaredAttrDecl:
    """A ``@declared_attr`` whose value depends on the class it is evaluated for (``if
    cls.allow_emails: return Column(...)``) or that runs statements before its ``return``.

    ``program`` is its body; each ``return`` of a construct is a ``result`` code indexing
    ``results`` (columns and relationships keyed by the attribute, or ``__table_args__``).
    """

    name: str
    span: Span
    program: Template
    results: tuple[ColumnDecl | RelationshipDecl | TableArgsDecl, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassDecl:
    name: str
    span: Span
    """The ``class`` statement's first line."""
    bases: tuple[Dotted | None, ...]
    """Each base as a dotted name; None when it is not one (a call, ...)."""
    base_spans: tuple[Span, ...]
    keywords: tuple[tuple[str, str], ...] = ()
    """Class keywords with constant values as text, e.g. ``("table", "True")``."""
    decorators: tuple[Dotted, ...] = ()
    abstract: bool = False
    tablename: TablenameDecl | None = None
    table_args: TableArgsDecl | None = None
    table: TableDecl | Ref | None = None
    """``__table__ = Table(...)`` or ``__table__ = some_table``."""
    metadata: MetaDataValue | None = None
    """``metadata = MetaData(...)`` in the body (a ``DeclarativeBase`` subclass), or the
    metadata of ``registry = registry(metadata=...)`` there."""
    columns: tuple[ColumnDecl, ...] = ()
    relationships: tuple[RelationshipDecl, ...] = ()
    constraints: tuple[ConstraintDecl, ...] = ()
    """``Index``/constraints written directly in the class body."""
    names: tuple[str, ...] = ()
    """Every attribute name the body binds, in order."""
    unreadable: tuple[str, ...] = ()
    constants: tuple[ConstDecl, ...] = ()
    """Attributes whose last binding in the body is a plain value (``allow_emails = True``)."""
    declared: tuple[DeclaredAttrDecl, ...] = ()
    """``declared_attr`` attributes evaluated per class (see :class:`DeclaredAttrDecl`)."""


@dataclass(frozen=True, slots=True)
class TypeAliasDecl:
    """``name = Annotated[...]`` / ``Optional[...]``: a type alias usable in ``Mapped[...]``."""

    name: str
    type: TypeDecl
    span: Span


@dataclass(frozen=True, slots=True)
class DbDecl:
    """``db = SQLAlchemy(metadata=..., model_class=..., disable_autonaming=...)``, also
    through a subclass of ``SQLAlchemy`` declared in the same file."""

    name: str
    span: Span
    metadata: MetaDataValue | None = None
    model_class: Dotted | None = None
    autonaming: bool = True
    model_base: FactoryDecl | None = None
    """``model_class=declarative_base(...)`` written inline."""
    via: Dotted | None = None
    """The class called, when it is imported and must be checked to be Flask-SQLAlchemy's
    (``db = AppSQLAlchemy()`` with the subclass in another module)."""


@dataclass(frozen=True, slots=True)
class FactoryDecl:
    """``Base = declarative_base(metadata=...)``, ``reg = registry(metadata=...)`` or
    ``Base = reg.generate_base()``; ``kind`` is ``base``, ``registry`` or ``generate``."""

    name: str
    span: Span
    kind: str
    metadata: MetaDataValue | None = None
    registry: Dotted | None = None
    cls: Dotted | None = None
    """``declarative_base(cls=Mixin)``: a class whose body every model inherits."""
    metaclass: Dotted | None = None
    """``declarative_base(metaclass=...)``."""


@dataclass(frozen=True, slots=True)
class MetaDataBinding:
    """``target = MetaData(...)`` / ``target = other.metadata`` (``target`` may be
    ``Base.metadata``), or ``target.naming_convention = {...}`` when ``attribute`` is set."""

    target: Dotted
    value: MetaDataValue
    span: Span
    attribute: bool = False


@dataclass(frozen=True, slots=True)
class ConventionDecl:
    """``NAME = {"ix": "...", ...}``: a dict of string literals, maybe a naming convention."""

    name: str
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class NameAlias:
    """``name = some.dotted.name`` at module level (``Model = db.Model``)."""

    name: str
    target: Dotted


@dataclass(frozen=True, slots=True)
class HelperCall:
    """``helper(Model, Model.col, ...)`` at module level, not a SQLAlchemy call: a project
    function given a model may add indexes or constraints to its table."""

    callee: Dotted
    args: tuple[Dotted, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class ConstDecl:
    """``NAME = <expression>`` at module level or in a class body, when it can be kept as
    :class:`Code` (literals, names, ``re.compile(...)``, ...)."""

    name: str
    value: Code


@dataclass(frozen=True, slots=True)
class FunctionDecl:
    """A small module-level function kept as :class:`Code` (a helper that builds a table
    name, say); ``defaults`` belong to the last parameters."""

    name: str
    params: tuple[str, ...]
    defaults: tuple[Code, ...]
    body: Code


@dataclass(frozen=True, slots=True)
class LateColumn:
    """``Model.attr = Column(...)`` after the class: declarative adds the column."""

    owner: Dotted
    column: ColumnDecl


@dataclass(frozen=True, slots=True)
class ModelModule:
    """Everything schema-related that one Python file declares."""

    path: str
    imports: tuple[Import, ...] = ()
    star_imports: tuple[Import, ...] = ()
    classes: tuple[ClassDecl, ...] = ()
    tables: tuple[TableDecl, ...] = ()
    indexes: tuple[ConstraintDecl, ...] = ()
    """Module-level ``Index(...)`` (and constraints) outside any table."""
    aliases: tuple[TypeAliasDecl, ...] = ()
    dbs: tuple[DbDecl, ...] = ()
    factories: tuple[FactoryDecl, ...] = ()
    metadatas: tuple[MetaDataBinding, ...] = ()
    conventions: tuple[ConventionDecl, ...] = ()
    names: tuple[NameAlias, ...] = ()
    late_columns: tuple[LateColumn, ...] = ()
    constants: tuple[ConstDecl, ...] = ()
    functions: tuple[FunctionDecl, ...] = ()
    calls: tuple[HelperCall, ...] = ()
