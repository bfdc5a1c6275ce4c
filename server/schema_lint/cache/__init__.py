"""The persistent cache (``.schema_lint_cache/``): it can neither execute nor lie.

- Plain data only: msgpack of our frozen dataclasses through a codec driven by their type
  hints and an explicit allow-list (:mod:`~schema_lint.cache.codec`,
  :mod:`~schema_lint.cache.registry`); nothing read names an importable path.
- Signed: every file carries an HMAC made with a per-user key kept outside any project
  (:mod:`~schema_lint.cache.secret`); a file this user did not write is ignored unread
  (:mod:`~schema_lint.cache.store`).
- Never followed: the directory and its files are opened without following links and
  refused when they belong to someone else (:mod:`~schema_lint.cache.directory`).
- Exact: facts are keyed by content (:mod:`~schema_lint.cache.facts`), results by
  everything they were computed from (:mod:`~schema_lint.cache.results`).
"""

from __future__ import annotations

from schema_lint.cache.facts import FactsCache
from schema_lint.cache.keys import content_key, facts_fingerprint
from schema_lint.cache.pickling import register_fast_pickling
from schema_lint.cache.results import ResultsCache, results_key
from schema_lint.cache.store import CacheStore, CacheUnavailable

CACHE_DIR_NAME = ".schema_lint_cache"

__all__ = [
    "CACHE_DIR_NAME",
    "CacheStore",
    "CacheUnavailable",
    "FactsCache",
    "ResultsCache",
    "content_key",
    "facts_fingerprint",
    "register_fast_pickling",
    "results_key",
]
