"""SL000 unreadable-file: a file that should be read and cannot be, so nothing in it is checked."""

from __future__ import annotations

from collections.abc import Iterable

from schema_lint.diagnostics import Diagnostic, FindingKey, Severity
from schema_lint.rules.context import RuleContext
from schema_lint.rules.example_projects import MODEL_HEAD
from schema_lint.rules.registry import Example, Rule

UNREADABLE_KINDS = frozenset(
    {
        "syntax-error",
        "decode-error",
        "file-too-large",
        "unreadable-file",
        "unreadable-directory",
        "too-deeply-nested",
    }
)
"""The problem kinds that mean a file (or directory) was not read at all."""


def check(context: RuleContext) -> Iterable[Diagnostic]:
    for problem in context.problems:
        if problem.kind not in UNREADABLE_KINDS:
            continue
        what = "directory" if problem.kind == "unreadable-directory" else "file"
        yield Diagnostic(
            code=RULE.code,
            message=f"{what} not checked: {problem.message}",
            span=problem.span,
            severity=RULE.severity,
            key=FindingKey(RULE.code, None, problem.kind),
        )


RULE = Rule(
    code="SL000",
    slug="unreadable-file",
    summary="A file that should be read and cannot be, so nothing in it is checked",
    severity=Severity.ERROR,
    explanation="""\
schema-lint reads every Python file of the project (model files and Alembic revisions),
each `alembic.ini` and each environment's `env.py`. When one of them cannot be read, the
tables it declares and the migrations it holds are not checked, and a clean result would
say more than schema-lint knows. So a file that should be read and cannot be is a finding of
its own, like a syntax error in ruff, and `check` exits 1:

- a syntax error that no Python grammar accepts (newer syntax such as PEP 695 type
  parameters, `type` aliases, PEP 758 `except A, B:` and PEP 701 f-strings is read on any
  supported Python), or a NUL byte;
- bytes that are not valid in the file's encoding (UTF-8 unless a coding cookie or a BOM
  says otherwise; UTF-16 and UTF-32 with a BOM or a cookie are read);
- a file schema-lint may not read (permissions), a directory it may not list, a symbolic
  link that leads to itself or nowhere, something that is not a regular file (a FIFO or a
  device under a `.py` name), a file over 20 MiB;
- nesting deeper than 200 levels of brackets, operators or blocks (Python itself refuses
  more than 200 nested brackets).

Fix: correct the file, or, if it is not source code schema-lint should read, add it to
`exclude` in `[tool.schema-lint]`. `--ignore SL000` turns the findings back into the
warnings on stderr that `--verbose` lists.
""",
    check=check,
    flagged=(
        Example(
            {
                "app/models.py": MODEL_HEAD
                + """

class User(Base:
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
            },
            "A model file with a syntax error: its tables are not checked",
        ),
        Example(
            {
                "app/models.py": MODEL_HEAD
                + """

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50)
"""
            },
            "An unclosed bracket on the last line",
        ),
    ),
    accepted=(
        Example(
            {
                "app/models.py": MODEL_HEAD
                + """

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
            },
            "A file that reads",
        ),
        Example(
            {
                "app/models.py": MODEL_HEAD
                + """

type Label = str


class Repository[T: Base]:
    def get(self, key: int) -> T | None:
        try:
            return None
        except KeyError, LookupError:
            return None


class Tag(Base):
    __tablename__ = f"{"app"}_tags"
    id: Mapped[int] = mapped_column(primary_key=True)
"""
            },
            "Newer syntax (PEP 695, PEP 758, PEP 701) is read on any supported Python",
        ),
    ),
)
