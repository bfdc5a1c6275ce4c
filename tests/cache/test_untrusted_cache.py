"""A repository cannot run code, hide findings or write elsewhere through the cache.

Each test builds the attacker's input itself, as it would arrive in a pull request: files
committed under ``.schema_lint_cache/``, a symbolic link, a directory of someone else's.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import stat
import struct
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from schema_lint import __version__
from schema_lint.cache import CACHE_DIR_NAME, CacheStore, FactsCache, ResultsCache, results_key
from schema_lint.cache.facts import header, pack
from schema_lint.cache.keys import facts_fingerprint
from schema_lint.cache.registry import results_codec
from schema_lint.cache.secret import KEY_FILE, key_directory, user_key
from schema_lint.cache.store import MAGIC
from schema_lint.cli import main
from schema_lint.config import load_config
from schema_lint.diagnostics import Diagnostic
from schema_lint.facts.source import Problem
from schema_lint.project import discover

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def check(
    shop: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., Run]]:
    """``schema-lint check ARGS`` in the shop project, in this process."""
    monkeypatch.chdir(shop)

    def run(*args: str) -> Run:
        code = main(["check", *args])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    yield run


def reported(run: Run) -> bool:
    """The shop's three findings are all there."""
    return run.code == 1 and run.out.count("SL00") >= 3 and "Found 3 errors." in run.out


def cache_names() -> tuple[str, str]:
    """The file names an attacker can compute from the released code (facts, results)."""
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    fingerprint = facts_fingerprint()
    return (
        f"facts-{__version__}-py{python}-{fingerprint}.cache",
        f"results-{__version__}-{fingerprint}.cache",
    )


def exploit_pickle(marker: Path) -> bytes:
    """A pickle that runs ``touch MARKER`` when loaded by the old cache reader, which allowed
    any attribute of a ``schema_lint.*`` module (``schema_lint.project.os.system``)."""

    def text(value: str) -> bytes:
        raw = value.encode()
        return b"X" + struct.pack("<I", len(raw)) + raw

    return (
        b"\x80\x04"
        + text("schema_lint.project")
        + text("os.system")
        + b"\x93"  # STACK_GLOBAL
        + text(f"touch {marker}")
        + b"\x85R."  # TUPLE1, REDUCE, STOP
    )


def test_the_exploit_pickle_does_run_code_when_unpickled(tmp_path: Path) -> None:
    """The attacker's input below is real: plain unpickling runs the command."""
    marker = tmp_path / "ran"
    pickle.loads(exploit_pickle(marker))
    assert marker.exists()


def test_an_old_format_pickle_in_the_cache_is_not_executed(
    shop: Path, tmp_path: Path, check: Callable[..., Run]
) -> None:
    marker = tmp_path / "pwned"
    cache = shop / CACHE_DIR_NAME
    cache.mkdir()
    python = f"{sys.version_info.major}{sys.version_info.minor}"
    fingerprint = facts_fingerprint()
    names = [
        *cache_names(),
        f"facts-{__version__}-py{python}-{fingerprint}.pickle",
        f"results-{__version__}-{fingerprint}.pickle",
    ]
    for name in names:
        (cache / name).write_bytes(exploit_pickle(marker))
    assert reported(check())
    assert reported(check())  # and again, from the cache this run wrote
    assert not marker.exists()


def test_a_signed_entry_naming_a_class_outside_the_allow_list_is_not_built(
    shop: Path, tmp_path: Path, check: Callable[..., Run]
) -> None:
    """Even signed with this user's key, a results entry whose payload names a class that is
    not a rule payload is rejected whole, and the project is checked again."""
    first = check()
    assert reported(first)
    store = CacheStore.open(shop / CACHE_DIR_NAME)
    config = load_config(shop)
    key = results_key(config, *discover(shop, config))
    cached = ResultsCache(store).get(key)
    assert cached is not None and cached[0]
    encoded = results_codec().encode(cached[0], tuple[Diagnostic, ...])
    for diagnostic in encoded:
        diagnostic[7] = {"subprocess.Popen": (["touch", str(tmp_path / "pwned")],)}
    body = header("results")
    body.update(
        key=key,
        diagnostics=encoded,
        problems=results_codec().encode(cached[1], tuple[Problem, ...]),
    )
    store.write(cache_names()[1], pack(body))
    assert ResultsCache(store).get(key) is None
    assert check().out == first.out
    assert not (tmp_path / "pwned").exists()


def forged_results(root: Path, key: bytes | None) -> bytes:
    """A results file saying "no findings" for exactly this tree, computed as an attacker
    can from the checked-in files: signed with ``key`` (not the victim's), or unsigned."""
    config = load_config(root)
    body = header("results")
    body.update(key=results_key(config, *discover(root, config)), diagnostics=[], problems=[])
    data = pack(body)
    name = cache_names()[1]
    tag = b"\0" * 32
    if key is not None:
        mac = hmac.new(key, MAGIC, hashlib.sha256)
        mac.update(name.encode() + b"\0")
        mac.update(data)
        tag = mac.digest()
    return MAGIC + tag + data


@pytest.mark.parametrize("signed", [True, False], ids=["attacker-key", "unsigned"])
def test_a_poisoned_results_file_does_not_hide_findings(
    shop: Path, check: Callable[..., Run], signed: bool
) -> None:
    cache = shop / CACHE_DIR_NAME
    cache.mkdir()
    forged = forged_results(shop, secrets.token_bytes(32) if signed else None)
    (cache / cache_names()[1]).write_bytes(forged)
    # The forgery is well made: signed with the victim's key it would be believed.
    victim = forged_results(shop, user_key())
    assert forged[len(MAGIC) + 32 :] == victim[len(MAGIC) + 32 :]
    assert reported(check())
    (cache / cache_names()[1]).write_bytes(victim)
    assert check().code == 0  # what the attacker wanted, had they held the key


def test_a_symlinked_cache_directory_is_refused_and_nothing_is_written_there(
    shop: Path, tmp_path: Path, check: Callable[..., Run]
) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (shop / CACHE_DIR_NAME).symlink_to(target)
    run = check()
    assert reported(run)
    assert "is a symbolic link" in run.err and CACHE_DIR_NAME in run.err
    assert list(target.iterdir()) == []
    assert reported(check()) and list(target.iterdir()) == []


def test_a_symlinked_file_in_the_cache_is_not_followed(
    shop: Path, tmp_path: Path, check: Callable[..., Run]
) -> None:
    """A committed link named like a cache file: never read through, never written through."""
    victim = tmp_path / "authorized_keys"
    victim.write_text("ssh-ed25519 AAAA... user@host\n")
    cache = shop / CACHE_DIR_NAME
    cache.mkdir()
    for name in (*cache_names(), ".gitignore"):
        (cache / name).symlink_to(victim)
    run = check()
    assert reported(run)
    assert "is a symbolic link; not followed" in run.err
    assert victim.read_text() == "ssh-ed25519 AAAA... user@host\n"
    for name in cache_names():
        assert not (cache / name).is_symlink()  # replaced by this run's own files
    assert (cache / ".gitignore").is_symlink()
    assert reported(check())


def test_a_fifo_named_like_a_cache_file_does_not_block(
    shop: Path, check: Callable[..., Run]
) -> None:
    cache = shop / CACHE_DIR_NAME
    cache.mkdir()
    os.mkfifo(cache / cache_names()[1])
    run = check()
    assert reported(run) and "not a regular file" in run.err


def give_away(path: Path) -> None:
    """Make ``path`` another user's (``nobody``); only root can."""
    import pwd

    nobody = pwd.getpwnam("nobody")
    os.chown(path, nobody.pw_uid, nobody.pw_gid)


def test_a_cache_directory_owned_by_someone_else_is_refused(
    shop: Path, check: Callable[..., Run]
) -> None:
    if not IS_ROOT:
        pytest.skip("only root can give a directory to another user (CI runs as root)")
    cache = shop / CACHE_DIR_NAME
    cache.mkdir()
    give_away(cache)
    run = check()
    assert reported(run)
    assert "owned by another user" in run.err and "running without the cache" in run.err
    assert list(cache.iterdir()) == []


def test_a_cache_file_owned_by_someone_else_is_ignored(
    shop: Path, check: Callable[..., Run]
) -> None:
    if not IS_ROOT:
        pytest.skip("only root can give a file to another user (CI runs as root)")
    assert reported(check())
    store = CacheStore.open(shop / CACHE_DIR_NAME)
    config = load_config(shop)
    key = results_key(config, *discover(shop, config))
    results = shop / CACHE_DIR_NAME / cache_names()[1]
    results.write_bytes(forged_results(shop, store.key))  # even one signed with our key
    give_away(results)
    run = check()
    assert reported(run) and "owned by another user" in run.err
    assert ResultsCache(store).get(key) is not None  # replaced by this run's own result


@pytest.mark.parametrize("kind", ["other-user", "symlink", "file", "system-folder"])
def test_a_cache_dir_option_that_is_not_a_cache_directory_is_a_usage_error(
    tmp_path: Path, check: Callable[..., Run], kind: str
) -> None:
    path = tmp_path / "given"
    if kind == "other-user":
        if IS_ROOT:
            path.mkdir()
            give_away(path)
        else:
            path = Path("/")  # owned by root
    elif kind == "symlink":
        (tmp_path / "real").mkdir()
        path.symlink_to(tmp_path / "real")
    elif kind == "file":
        path.write_text("x")
    else:  # a folder of the user's own that holds other things (as /etc does for root)
        path.mkdir()
        (path / "passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    before = sorted(os.listdir(path)) if path.is_dir() else None
    run = check("--cache-dir", str(path))
    assert run.code == 2 and run.out == ""
    assert run.err.startswith(f"schema-lint: --cache-dir: {path} ")
    expected = {
        "other-user": "owned by another user",
        "symlink": "is a symbolic link",
        "file": "is not a directory",
        "system-folder": "not a schema-lint cache directory",
    }[kind]
    assert expected in run.err
    assert (sorted(os.listdir(path)) if path.is_dir() else None) == before
    if kind == "symlink":
        assert list((tmp_path / "real").iterdir()) == []


def test_a_new_or_reused_cache_dir_option_works(tmp_path: Path, check: Callable[..., Run]) -> None:
    given = tmp_path / "new" / "cache"
    assert reported(check("--cache-dir", str(given)))
    assert reported(check("--cache-dir", str(given)))  # now marked as ours
    assert sorted(p.name for p in given.iterdir()) == sorted(
        [".gitignore", "CACHEDIR.TAG", *cache_names()]
    )


def test_the_key_is_private_and_outside_the_project(
    shop: Path, user_cache_home: Path, check: Callable[..., Run]
) -> None:
    assert reported(check())
    directory = key_directory()
    assert directory == user_cache_home / "schema-lint"
    key = directory / KEY_FILE
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == 32
    assert not any(p.name == KEY_FILE for p in shop.rglob("*"))
    assert user_key() == key.read_bytes()  # one key, kept


def _key_in_fresh_process(home: str) -> bytes:
    os.environ["XDG_CACHE_HOME"] = home
    return user_key()


def test_concurrent_first_runs_agree_on_one_key(tmp_path: Path) -> None:
    home = str(tmp_path / "fresh")
    with ProcessPoolExecutor(max_workers=4) as pool:
        keys = list(pool.map(_key_in_fresh_process, [home] * 8))
    assert len(set(keys)) == 1
    assert sorted(os.listdir(Path(home) / "schema-lint")) == [KEY_FILE]  # no temporary left


@pytest.mark.parametrize("problem", ["home-is-a-file", "key-readable-by-others", "short-key"])
def test_without_a_usable_key_the_run_goes_on_without_the_cache(
    shop: Path, user_cache_home: Path, check: Callable[..., Run], problem: str
) -> None:
    if problem == "home-is-a-file":
        user_cache_home.write_text("not a directory")
    else:
        key = user_cache_home / "schema-lint" / KEY_FILE
        key.parent.mkdir(parents=True, mode=0o700)
        key.write_bytes(secrets.token_bytes(32 if problem != "short-key" else 8))
        key.chmod(0o644 if problem == "key-readable-by-others" else 0o600)
    quiet = check()
    assert reported(quiet) and "cache" not in quiet.err
    verbose = check("--verbose")
    assert reported(verbose)
    assert verbose.err.count("running without the cache") == 1
    assert not (shop / CACHE_DIR_NAME).exists()


def test_a_tampered_entry_is_rejected(shop: Path, check: Callable[..., Run]) -> None:
    """One byte flipped anywhere (signature or body) and the file is not used at all."""
    assert reported(check())
    store = CacheStore.open(shop / CACHE_DIR_NAME)
    config = load_config(shop)
    key = results_key(config, *discover(shop, config))
    facts_name, results_name = cache_names()
    facts_file, results_file = store.directory / facts_name, store.directory / results_name
    facts_good, results_good = facts_file.read_bytes(), results_file.read_bytes()
    assert FactsCache.load(store).entry_keys and ResultsCache(store).get(key) is not None
    for offset in (len(MAGIC), len(MAGIC) + 40, len(facts_good) - 1):  # tag, body, last byte
        tampered = bytearray(facts_good)
        tampered[offset] ^= 0x01
        facts_file.write_bytes(bytes(tampered))
        assert not FactsCache.load(store).entry_keys
    for offset in (len(MAGIC) + 31, len(results_good) // 2):
        tampered = bytearray(results_good)
        tampered[offset] ^= 0x80
        results_file.write_bytes(bytes(tampered))
        assert ResultsCache(store).get(key) is None
        assert reported(check())
        results_file.write_bytes(bytes(tampered))
    facts_file.write_bytes(facts_good)
    results_file.write_bytes(results_good)
    assert FactsCache.load(store).entry_keys and ResultsCache(store).get(key) is not None
