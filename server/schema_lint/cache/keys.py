"""What cache entries are keyed by: content hashes and the code that computed them."""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path

from schema_lint.sources.modules import content_key

__all__ = ["content_key", "facts_fingerprint"]


@functools.cache
def facts_fingerprint() -> str:
    """A hash of the code behind what the cache keeps: a cache written by other code is never
    read. Covers facts, extraction, schemas, rules and the cache's own format (the cache keeps
    built schemas and whole results too), and the Python version (its parser), so that a
    change in behaviour, not only in shape, invalidates it.
    """
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=6)
    digest.update(f"py{sys.version_info.major}.{sys.version_info.minor}".encode())
    for folder in ("facts", "vocabulary", "extract", "sources", "schema", "rules", "cache"):
        for module in sorted((package / folder).rglob("*.py")):
            digest.update(str(module.relative_to(package)).encode())
            digest.update(module.read_bytes())
    for name in ("project.py", "engine.py", "config.py", "diagnostics.py"):
        digest.update((package / name).read_bytes())
    return digest.hexdigest()
