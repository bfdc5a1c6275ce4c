"""A hypothesis strategy for model projects with SL001 and SL002 findings in every form.

Each project has one ``app/models.py`` in one declaration style (2.0 ``mapped_column``,
classic ``Column``, ``import sqlalchemy as sa``, Flask-SQLAlchemy), junction tables whose
``__table_args__`` takes each form (or that are ``Table(...)`` calls), entity tables whose
indexes live only in the migration (by convention, under other names, composite, unique),
and one Alembic revision creating them.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

STYLES = ("decl2", "classic", "sa", "flask", "sqlmodel")
ARGS_FORMS = (
    "absent",
    "docstring",
    "tuple_one_line",
    "tuple_vertical",
    "tuple_vertical_no_comma",
    "one_element",
    "dict_one_line",
    "dict_vertical",
    "tuple_dict_one_line",
    "tuple_dict_vertical",
    "table_call",
    "table_call_one_line",
)
INDEX_KINDS = ("conventional", "conventional_unique", "named", "composite", "composite_unique")


@dataclass(frozen=True)
class Style:
    name: str
    quote: str

    def s(self, value: str) -> str:
        return f"{self.quote}{value}{self.quote}"

    def call(self, name: str) -> str:
        return {"sa": f"sa.{name}", "flask": f"db.{name}"}.get(self.name, name)

    @property
    def sqlmodel(self) -> bool:
        return self.name == "sqlmodel"

    def header(self) -> str:
        if self.name == "decl2":
            return (
                "from sqlalchemy import ForeignKey, Index, String, Table, Column\n"
                "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
                "class Base(DeclarativeBase):\n    pass\n"
            )
        if self.name == "classic":
            return (
                "from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table\n"
                "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n"
            )
        if self.name == "sa":
            return "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\n\n" + (
                "Base = declarative_base()\n"
            )
        if self.sqlmodel:
            return "from sqlmodel import Field, Index, SQLModel\n"
        return "from app.extensions import db\n"

    @property
    def base(self) -> str:
        return {"flask": "db.Model", "sqlmodel": "SQLModel, table=True"}.get(self.name, "Base")

    def column(self, key: str, kind: str, extra: str = "", vertical: bool = False) -> str:
        """A class-body column; ``kind`` is ``pk``, ``str``, ``bare`` or a FK target."""
        if self.sqlmodel:
            return self._field(key, kind)
        if kind == "pk":
            if self.name == "decl2":
                return f"    {key}: Mapped[int] = mapped_column(primary_key=True)\n"
            return f"    {key} = {self.call('Column')}({self.call('Integer')}, primary_key=True)\n"
        if kind == "bare" and self.name == "decl2":
            return f"    {key}: Mapped[str]\n"
        if kind in ("str", "bare"):
            args = [f"{self.call('String')}(50)"]
        else:
            args = [f"{self.call('ForeignKey')}({self.s(kind)})"]
        if extra:
            args.append(extra)
        if vertical:
            inner = "".join(f"        {a},\n" for a in args)
            body = f"(\n{inner}    )"
        else:
            body = f"({', '.join(args)})"
        if self.name == "decl2":
            annotation = "int" if kind not in ("str", "bare") else "str"
            return f"    {key}: Mapped[{annotation}] = mapped_column{body}\n"
        return f"    {key} = {self.call('Column')}{body}\n"

    def _field(self, key: str, kind: str) -> str:
        if kind == "pk":
            return f"    {key}: int | None = Field(default=None, primary_key=True)\n"
        if kind == "bare":
            return f"    {key}: str\n"
        if kind == "str":
            return f"    {key}: str = Field(max_length=50)\n"
        return f"    {key}: int = Field(foreign_key={self.s(kind)})\n"


def table_args(style: Style, form: str, table: str) -> str:
    index = f"{style.call('Index')}({style.s('ix_' + table + '_role')}, {style.s('role_id')})"
    options = f"{{{style.s('comment')}: {style.s(table)}}}"
    return {
        "absent": "",
        "docstring": "",
        "tuple_one_line": f"    __table_args__ = ({index}, {index.replace('_role', '_r2')})\n",
        "tuple_vertical": f"    __table_args__ = (\n        {index},\n    )\n",
        "tuple_vertical_no_comma": (
            f"    __table_args__ = (\n        {index},\n        {index.replace('_role', '_r2')}\n"
            "    )\n"
        ),
        "one_element": f"    __table_args__ = ({index},)\n",
        "dict_one_line": f"    __table_args__ = {options}\n",
        "dict_vertical": f"    __table_args__ = {{\n        {options[1:-1]},\n    }}\n",
        "tuple_dict_one_line": f"    __table_args__ = ({index}, {options})\n",
        "tuple_dict_vertical": (
            f"    __table_args__ = (\n        {index},\n        {options},\n    )\n"
        ),
    }[form]


def junction(style: Style, number: int, form: str, vertical: bool, comment: bool) -> str:
    table = f"link_{number}"
    if form.startswith("table_call") and style.sqlmodel:
        form = "absent"
    if form.startswith("table_call"):
        column = style.call("Column")
        columns = [
            f"{column}({style.s('user_id')}, {style.call('ForeignKey')}({style.s('users.id')}))",
            f"{column}({style.s('role_id')}, {style.call('ForeignKey')}({style.s('roles.id')}))",
        ]
        head = [style.s(table)] + ([] if style.name == "flask" else ["Base.metadata"])
        args = head + columns
        if form == "table_call_one_line":
            return f"link_{number} = {style.call('Table')}({', '.join(args)})\n"
        body = "".join(f"    {a},\n" for a in args)
        return f"link_{number} = {style.call('Table')}(\n{body})\n"
    lines = [f"class Link{number}({style.base}):\n"]
    if form == "docstring":
        lines.append(f'    """Link {number}."""\n\n')
    if form != "docstring" or style.name != "flask":
        note = "  # the pairs" if comment else ""
        lines.append(f"    __tablename__ = {style.s(table)}{note}\n")
        lines.append("\n" if comment else "")
    lines.append(table_args(style, form, table))
    lines.append(style.column("id", "pk"))
    lines.append(style.column("user_id", "users.id", vertical=vertical))
    lines.append(style.column("role_id", "roles.id"))
    return "".join(lines)


def entity(style: Style, number: int, kinds: list[str], bare: bool) -> tuple[str, list[str]]:
    """A class with columns a, b, c and the migration lines creating its indexes."""
    table = f"things_{number}"
    lines = [f"class Thing{number}({style.base}):\n", f"    __tablename__ = {style.s(table)}\n"]
    lines.append(style.column("id", "pk"))
    lines.append(style.column("a", "bare" if bare else "str"))
    lines.append(style.column("b", "str", vertical=True))
    lines.append(style.column("c", "str"))
    operations = [
        f'op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True), '
        'sa.Column("a", sa.String(50)), sa.Column("b", sa.String(50)), '
        'sa.Column("c", sa.String(50)))'
    ]
    for kind in kinds:
        unique = ", unique=True" if kind.endswith("unique") else ""
        if kind.startswith("conventional"):
            name, columns = f"ix_{table}_a", '["a"]'
        elif kind == "named":
            name, columns = f"idx_{table}_c", '["c"]'
        else:
            name, columns = f"{table}_b_c_idx", '["b", "c"]'
        operations.append(f'op.create_index("{name}", "{table}", {columns}{unique})')
    return "".join(lines), operations


@st.composite
def projects(draw: st.DrawFn) -> dict[str, str]:
    """``{relative path: source}`` of a project with findings to fix."""
    style = Style(draw(st.sampled_from(STYLES)), draw(st.sampled_from(['"', "'"])))
    parts = [style.header(), "\n"]
    for name in ("users", "roles"):
        cls = name.capitalize()[:-1]
        parts.append(f"\nclass {cls}({style.base}):\n    __tablename__ = {style.s(name)}\n")
        parts.append(style.column("id", "pk") + "\n")
    forms = draw(st.lists(st.sampled_from(ARGS_FORMS), min_size=1, max_size=3))
    for number, form in enumerate(forms):
        code = junction(style, number, form, draw(st.booleans()), draw(st.booleans()))
        parts.append("\n" + code + "\n")
    operations: list[str] = []
    for number in range(draw(st.integers(0, 2))):
        kinds = draw(st.lists(st.sampled_from(INDEX_KINDS), min_size=1, max_size=3, unique=True))
        if "conventional" in kinds and "conventional_unique" in kinds:
            kinds.remove("conventional_unique")
        if "composite" in kinds and "composite_unique" in kinds:
            kinds.remove("composite_unique")
        code, created = entity(style, number, kinds, draw(st.booleans()))
        parts.append("\n" + code + "\n")
        operations.extend(created)
    models = "".join(parts).rstrip("\n") + "\n"
    body = "".join(f"    {op}\n" for op in operations) or "    pass\n"
    migration = (
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        'revision = "0001"\ndown_revision = None\n\n\n'
        f"def upgrade():\n{body}\n\ndef downgrade():\n    pass\n"
    )
    return {
        "pyproject.toml": '[project]\nname = "generated"\n',
        "app/__init__.py": "",
        "app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
        "app/models.py": models,
        "alembic/versions/0001_initial.py": migration,
    }
