"""Writing a revision file the way ``alembic revision`` does, through Alembic's own
``ScriptDirectory``: the project's ``alembic.ini`` (``file_template``, ``truncate_slug_length``,
``timezone``, ``output_encoding``, ``version_locations``, ``post_write_hooks``), its
``script.py.mako``, the chosen head as ``down_revision``, the head's version directory.

What Alembic would import or run is read instead: revision files are never imported (their
``revision``/``down_revision``/``branch_labels``/``depends_on`` come from schema-lint's
static facts, or are read as literals), ``env.py`` is never run, package resources in
``script_location`` are resolved statically, ``sys.path`` is left alone, and the template is
rendered only when it runs nothing of its own (:mod:`schema_lint.generate.template`). A file
is never overwritten. ``post_write_hooks`` run, as ``alembic revision`` runs them, only when
the file is written (not for a dry run or the editor), unless ``hooks`` is False.
"""

from __future__ import annotations

import ast
import configparser
import os
import re
import threading
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import alembic.util
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from mako.template import Template

from schema_lint.facts.migrations import Migration
from schema_lint.generate.template import unsafe_construct
from schema_lint.sources.discovery import Environment, configured_environments

TEMPLATE = "script.py.mako"
SA_IMPORT = "import sqlalchemy as sa"
_SA_IMPORT = re.compile(r"^\s*import sqlalchemy as sa\s*$", re.MULTILINE)
_LOCK = threading.Lock()
"""Alembic's module loader is swapped for a static one while a revision is generated."""


class GenerateError(Exception):
    """The revision cannot be written; the message says why (exit status 2)."""


@dataclass(frozen=True, slots=True)
class RevisionFile:
    path: str
    text: str
    revision: str
    down_revision: tuple[str, ...]
    written: bool
    notes: tuple[str, ...] = ()
    """What the user should know: ``env.py`` not run, hooks not run."""


@dataclass(frozen=True, slots=True)
class ScriptOptions:
    rev_id: str
    message: str
    head: str
    upgrades: str
    downgrades: str
    imports: str = ""
    dry_run: bool = False
    hooks: bool = True


def alembic_config(root: Path, environment: Environment) -> Config | None:
    """The Alembic configuration that declares ``environment`` (None: nothing declares it)."""
    found = environment.config_file
    section = environment.config_section
    if found is None:
        ini = root / "alembic.ini"
        script = os.path.realpath(environment.script_dir or "")
        for declared in configured_environments(root, [ini]) if ini.is_file() else ():
            if declared.script_dir and os.path.realpath(declared.script_dir) == script:
                found, section = declared.config_file, declared.config_section
                break
    if found is None:
        return None
    quiet = types.SimpleNamespace(quiet=True)
    if found.endswith(".toml"):
        return Config(toml_file=found, cmd_opts=quiet)  # type: ignore[arg-type]
    return Config(found, ini_section=section, cmd_opts=quiet)  # type: ignore[arg-type]


def write_revision(
    root: Path,
    environment: Environment,
    migrations: Mapping[str, Migration],
    options: ScriptOptions,
) -> RevisionFile:
    """Generate the revision file (or only its text, for a dry run); ``migrations`` are the
    environment's revision facts by real path."""
    if environment.script_dir is None:
        raise GenerateError(
            f"environment `{environment.name}` has no script location (no env.py beside its "
            f"versions): there is no {TEMPLATE} to write a revision with"
        )
    template = Path(environment.script_dir, TEMPLATE)
    try:
        template_text = template.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GenerateError(f"{template}: cannot be read ({exc})") from None
    unsafe = unsafe_construct(template_text)
    if unsafe is not None:
        line, what = unsafe
        raise GenerateError(
            f"{template}:{line}: {what} would run code of the project's own when the template "
            "is rendered; schema-lint renders only templates whose expressions read the "
            "revision's values. Write this revision with `alembic revision`, or simplify "
            "the template"
        )
    try:
        config = alembic_config(root, environment)
        environment_option = config is not None and config.get_alembic_boolean_option(
            "revision_environment"
        )
        captured: dict[str, bytes] = {}
        scripts = _scripts(environment, config, template_text, captured, options)
    except (configparser.Error, ValueError, CommandError) as exc:
        where = environment.config_file or environment.name
        raise GenerateError(f"{where}: the Alembic configuration cannot be read ({exc})") from None
    notes: list[str] = []
    if environment_option:
        notes.append("revision_environment = true: env.py was not run (schema-lint never runs it)")
    if "sa." in options.upgrades + options.downgrades and not _SA_IMPORT.search(template_text):
        options = replace(options, imports="\n".join(filter(None, [options.imports, SA_IMPORT])))
    if options.dry_run and scripts.hooks:
        notes.append("post_write_hooks are not run for a dry run")
    if options.dry_run or not options.hooks:
        scripts.hooks = []
    with _LOCK, _static_modules(_loader(migrations, captured)):
        try:
            script = scripts.generate_revision(
                options.rev_id,
                options.message,
                head=options.head,
                upgrades=options.upgrades,
                downgrades=options.downgrades,
                imports=options.imports,
            )
        except CommandError as exc:
            raise GenerateError(str(exc)) from None
    if script is None:
        raise GenerateError("Alembic wrote no revision file")
    path = os.path.abspath(script.path)
    data = captured.get(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise GenerateError(f"{path}: written, but cannot be read back ({exc})") from None
    return RevisionFile(
        path,
        data.decode(scripts.output_encoding, errors="replace"),
        script.revision,
        _as_tuple(script.down_revision),
        not options.dry_run,
        tuple(notes),
    )


class _Scripts(ScriptDirectory):
    """Alembic's script directory, rendering the checked template text it was given."""

    template_text: str
    captured: dict[str, bytes]
    dry_run: bool

    def _generate_template(self, src: Path, dest: Path, **kw: Any) -> None:
        try:
            output = Template(text=self.template_text).render_unicode(**kw)
        except Exception as exc:  # Mako reports template errors as any exception
            raise CommandError(f"{src}: rendering failed ({type(exc).__name__}: {exc})") from None
        data = output.encode(self.output_encoding)
        target = os.path.abspath(dest)
        if self.dry_run:
            if os.path.exists(target):
                raise CommandError(f"{target} already exists")
            self.captured[target] = data
            return
        try:
            with open(target, "xb") as handle:
                handle.write(data)
        except FileExistsError:
            raise CommandError(f"{target} already exists; it is left as it is") from None
        except OSError as exc:
            raise CommandError(f"{target}: cannot be written ({exc.strerror})") from None


def _scripts(
    environment: Environment,
    config: Config | None,
    template_text: str,
    captured: dict[str, bytes],
    options: ScriptOptions,
) -> _Scripts:
    """The script directory ``ScriptDirectory.from_config`` would build, with the locations
    schema-lint resolved statically."""
    kwargs: dict[str, Any] = {}
    if config is not None:
        for option in ("file_template", "timezone", "output_encoding"):
            value = config.get_alembic_option(option)
            if value is not None:
                kwargs[option] = value
        slug = config.get_alembic_option("truncate_slug_length")
        if slug is not None:
            kwargs["truncate_slug_length"] = int(slug)
        kwargs["hooks"] = config.get_hooks_list()
        if config.get_version_locations_list():
            kwargs["version_locations"] = list(environment.version_dirs)
    elif environment.version_dirs != (str(Path(environment.script_dir or "", "versions")),):
        kwargs["version_locations"] = list(environment.version_dirs)
    assert environment.script_dir is not None
    scripts = _Scripts(
        environment.script_dir,
        recursive_version_locations=environment.recursive,
        messaging_opts={"quiet": True},
        **kwargs,
    )
    scripts.template_text = template_text
    scripts.captured = captured
    scripts.dry_run = options.dry_run
    return scripts


ModuleLoader = Callable[[Path], types.ModuleType]


@contextmanager
def _static_modules(load: ModuleLoader) -> Iterator[None]:
    """Alembic's ``load_python_file`` replaced by ``load`` (env.py refused) for the block."""
    original = alembic.util.load_python_file

    def static(dir_: str | os.PathLike[str], filename: str) -> types.ModuleType:
        if filename == "env.py":
            raise CommandError("schema-lint does not run env.py")
        return load(Path(dir_, filename))

    alembic.util.load_python_file = static  # type: ignore[assignment]
    try:
        yield
    finally:
        alembic.util.load_python_file = original


def _loader(migrations: Mapping[str, Migration], captured: Mapping[str, bytes]) -> ModuleLoader:
    def load(path: Path) -> types.ModuleType:
        real = os.path.realpath(path)
        module = types.ModuleType(path.stem)
        facts = migrations.get(real)
        if facts is not None:
            module.revision = facts.revision  # type: ignore[attr-defined]
            module.down_revision = _scalar(facts.down_revisions)  # type: ignore[attr-defined]
            module.branch_labels = _scalar(facts.branch_labels)  # type: ignore[attr-defined]
            module.depends_on = _scalar(facts.depends_on)  # type: ignore[attr-defined]
            return module
        data = captured.get(os.path.abspath(path))
        if data is None:
            try:
                data = path.read_bytes()
            except OSError:
                return module
        for name, value in _literal_assignments(data).items():
            setattr(module, name, value)
        return module

    return load


_GRAPH_NAMES = frozenset({"revision", "down_revision", "branch_labels", "depends_on"})


def _literal_assignments(data: bytes) -> dict[str, Any]:
    """Module-level ``revision = "..."`` and the like, where the value is a literal."""
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return {}
    found: dict[str, Any] = {"__doc__": ast.get_docstring(tree)}
    for node in tree.body:
        target: ast.expr | None = None
        value: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id in _GRAPH_NAMES and value is not None:
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return found


def _as_tuple(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _scalar(values: tuple[str, ...]) -> str | tuple[str, ...] | None:
    if not values:
        return None
    return values[0] if len(values) == 1 else values
