"""The last whole-project result: a re-check of an unchanged project reads only this file.

Keyed by everything the result was computed from (:func:`results_key`); the key alone proves
nothing, since anyone can compute it from the checked-in files: the file is used only when it
is signed with this user's key (:class:`~schema_lint.cache.store.CacheStore`).
"""

from __future__ import annotations

import contextlib
import hashlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from schema_lint import __version__
from schema_lint.cache.codec import Unencodable
from schema_lint.cache.facts import DECODE_ERRORS, header, pack, read_body
from schema_lint.cache.keys import content_key, facts_fingerprint
from schema_lint.cache.registry import results_codec
from schema_lint.cache.store import CacheStore
from schema_lint.diagnostics import Coverage, Diagnostic
from schema_lint.facts.source import Problem
from schema_lint.rules.registry import rule_for
from schema_lint.sources.collector import paused_gc

Diagnostics = tuple[Diagnostic, ...]
Problems = tuple[Problem, ...]


def results_key(config: object, layout: object, candidates: dict[str, tuple[str, bytes]]) -> str:
    """A key for a whole check: configuration, every file read and every ``env.py``."""
    from schema_lint.sources.discovery import ProjectLayout

    digest = hashlib.blake2b(digest_size=16)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    digest.update(f"{__version__}|{python}|{facts_fingerprint()}|{config!r}".encode())
    for path in sorted(candidates):
        role, data = candidates[path]
        digest.update(f"|{path}|{role}|{content_key(data)}".encode())
    if isinstance(layout, ProjectLayout):
        for environment in layout.environments:
            digest.update(f"|env {environment!r}".encode())
            if environment.config_file:  # [alembic:exclude] and the like
                with contextlib.suppress(OSError):
                    digest.update(Path(environment.config_file).read_bytes())
            if environment.script_dir:
                with contextlib.suppress(OSError):
                    digest.update(Path(environment.script_dir, "env.py").read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class ResultsCache:
    store: CacheStore

    @property
    def name(self) -> str:
        return f"results-{__version__}-{facts_fingerprint()}.cache"

    def get(self, key: str) -> tuple[Diagnostics, Problems, Coverage | None] | None:
        """The findings, problems and summary figures of the check ``key`` names."""
        body = read_body(self.store, self.name, "results")
        if body is None or body.get("key") != key:
            return None
        try:
            with paused_gc():
                diagnostics = results_codec().decode(body.get("diagnostics"), Diagnostics)
                problems = results_codec().decode(body.get("problems"), Problems)
                encoded = body.get("coverage")
                coverage = None if encoded is None else results_codec().decode(encoded, Coverage)
        except DECODE_ERRORS:
            return None
        if not all(_payload_fits(d) for d in diagnostics):
            return None
        return diagnostics, problems, coverage

    def put(
        self,
        key: str,
        diagnostics: Sequence[Diagnostic],
        problems: Sequence[Problem],
        coverage: Coverage | None = None,
    ) -> None:
        body = header("results")
        try:
            body["key"] = key
            body["diagnostics"] = results_codec().encode(tuple(diagnostics), Diagnostics)
            body["problems"] = results_codec().encode(tuple(problems), Problems)
            if coverage is not None:
                body["coverage"] = results_codec().encode(coverage, Coverage)
            data = pack(body)
        except (Unencodable, ValueError, TypeError, OverflowError):
            return
        self.store.write(self.name, data)


def _payload_fits(diagnostic: Diagnostic) -> bool:
    """A finding carries its own rule's payload type (or none), and no computed fix."""
    rule = rule_for(diagnostic.code)
    if rule is None or diagnostic.fix is not None:
        return False
    return diagnostic.payload is None or type(diagnostic.payload) is rule.payload
