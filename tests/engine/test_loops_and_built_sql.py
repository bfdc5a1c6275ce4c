"""Loops, conditions and SQL text built from known values: read exactly, or reported.

The exact shapes are compared with real PostgreSQL by the ``loops_built_sql`` fixture
(``tests/migrations``); here, what stays unknown and the bounds.
"""

from __future__ import annotations

from migration_helpers import header, migration
from schema_lint.facts.migrations import CreateIndex, MarkIncomplete, MarkUncertain

MARKERS = (MarkIncomplete, MarkUncertain)


def _indexes(source: str) -> list[str | None]:
    m = migration(header("a") + source)
    return [op.index.name for op in m.operations if isinstance(op, CreateIndex)]


def test_while_over_a_literal_list_runs_each_iteration() -> None:
    source = (
        "def upgrade():\n"
        "    queue = ['a', 'b', 'c']\n"
        "    while queue:\n"
        "        column = queue.pop(0)\n"
        "        if column == 'b':\n"
        "            continue\n"
        "        op.create_index(f'ix_t_{column}', 't', [column])\n"
        "    else:\n"
        "        op.create_index('ix_t_done', 't', ['d'])\n"
    )
    assert _indexes(source) == ["ix_t_a", "ix_t_c", "ix_t_done"]


def test_a_while_loop_that_breaks_skips_its_else() -> None:
    source = (
        "def upgrade():\n"
        "    n = 0\n"
        "    while True:\n"
        "        n += 1\n"
        "        op.create_index(f'ix_t_{n}', 't', ['a'])\n"
        "        if n == 2:\n"
        "            break\n"
        "    else:\n"
        "        op.create_index('ix_never', 't', ['a'])\n"
    )
    assert _indexes(source) == ["ix_t_1", "ix_t_2"]


def test_a_while_test_that_becomes_unknown_stops_reading_there() -> None:
    source = (
        "from app import settings\n"
        "def upgrade():\n"
        "    queue = ['a', settings.B]\n"
        "    while queue:\n"
        "        column = queue.pop(0)\n"
        "        op.create_index(f'ix_t_{column}', 't', [column])\n"
        "        if column == 'a':\n"
        "            queue = settings.MORE\n"
    )
    m = migration(header("a") + source)
    assert [op.index.name for op in m.operations if isinstance(op, CreateIndex)] == ["ix_t_a"]
    assert [p.kind for p in m.problems] == ["unanalysable"]
    assert "while loop" in m.problems[0].message


def test_a_return_inside_a_loop_ends_the_function() -> None:
    source = (
        "def upgrade():\n"
        "    for name in ('a', 'stop', 'b'):\n"
        "        if name == 'stop':\n"
        "            return\n"
        "        op.create_index(f'ix_t_{name}', 't', [name])\n"
        "    op.create_index('ix_after', 't', ['x'])\n"
    )
    assert _indexes(source) == ["ix_t_a"]


def test_sql_built_from_known_values_is_read() -> None:
    source = (
        "import textwrap\n"
        "NAMES = {'ix_t_a': 'a'}\n"
        "def upgrade():\n"
        "    for name, column in NAMES.items():\n"
        "        op.execute('CREATE INDEX %s ON t (%s)' % (name, column))\n"
        "        op.execute('CREATE INDEX {}_2 ON t ({})'.format(name, column))\n"
        "        op.execute(sa.text(f'CREATE INDEX {name}_3 ON t ({column})'))\n"
        "        op.execute('CREATE INDEX ' + name + '_4 ON t (' + column + ')')\n"
        "        op.execute(textwrap.dedent('''\\\n"
        "            CREATE INDEX %(n)s_5\n"
        "                ON t (a)''' % {'n': name}))\n"
    )
    assert _indexes(source) == ["ix_t_a", "ix_t_a_2", "ix_t_a_3", "ix_t_a_4", "ix_t_a_5"]


def test_sql_with_an_unknown_part_is_not_guessed() -> None:
    source = (
        "import textwrap\n"
        "from app import settings\n"
        "def upgrade():\n"
        "    op.execute('CREATE INDEX ix_t_%s ON t (a)' % settings.SUFFIX)\n"
        "    op.execute(textwrap.dedent(settings.SQL))\n"
        "    op.execute('CREATE INDEX ix_t_{} ON t (a)'.format(settings.SUFFIX))\n"
    )
    m = migration(header("a") + source)
    assert all(isinstance(op, MARKERS) for op in m.operations)
    assert [p.span.line for p in m.problems] == [8, 9, 10]
    assert all("not statically known" in p.message for p in m.problems)


def test_a_modules_list_is_not_changed_in_place_but_a_copy_is() -> None:
    source = (
        "QUEUE = ['a', 'b']\n"
        "def upgrade():\n"
        "    pending = list(QUEUE)\n"
        "    while pending:\n"
        "        column = pending.pop()\n"
        "        op.create_index(f'ix_t_{column}', 't', [column])\n"
        "    while QUEUE:\n"
        "        op.create_index(f'ix_t_{QUEUE.pop()}', 't', ['x'])\n"
    )
    m = migration(header("a") + source)
    assert [op.index.name for op in m.operations if isinstance(op, CreateIndex)] == [
        "ix_t_b",
        "ix_t_a",
    ]
    # QUEUE is read again elsewhere: its pop() is not guessed, and the loop never ends here
    assert [p.span.line for p in m.problems] == [12, 11]


def test_a_while_loop_on_a_database_condition_is_read_once_then_unknown() -> None:
    # superset's pattern: a loop that asks the inspector on every turn; each turn would add
    # a decision on the guard of the next one
    source = (
        "def upgrade():\n"
        "    n = 0\n"
        "    while True:\n"
        "        n += 1\n"
        "        if sa.inspect(op.get_bind()).has_table(f't{n}'):\n"
        "            break\n"
        "        op.create_table(f't{n}', sa.Column('id', sa.Integer()))\n"
    )
    m = migration(header("a") + source)
    assert [p.kind for p in m.problems] == ["unanalysable"]
    assert "while loop" in m.problems[0].message


def test_a_paging_loop_that_only_reads_rows_is_not_a_skipped_statement() -> None:
    # mlflow 75868b020152: data backfills page through a query; nothing in them is schema
    source = (
        "def _validate(row):\n"
        "    if row is None:\n"
        "        raise ValueError(row)\n"
        "def upgrade():\n"
        "    bind = op.get_bind()\n"
        "    query = sa.select(sa.column('a'))\n"
        "    while True:\n"
        "        rows = bind.execute(query.limit(10)).all()\n"
        "        if not rows:\n"
        "            break\n"
        "        for row in rows:\n"
        "            _validate(row)\n"
        "    for row in bind.execute(query):\n"
        "        _validate(row)\n"
        "    op.create_index('ix_t_a', 't', ['a'])\n"
    )
    m = migration(header("a") + source)
    assert m.problems == ()
    assert [op.index.name for op in m.operations if isinstance(op, CreateIndex)] == ["ix_t_a"]
