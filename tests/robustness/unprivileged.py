"""Running ``schema-lint`` as a user who may not read everything.

CI runs the tests as root, who reads every file whatever its mode. There the command runs
as ``nobody`` through ``runuser``, with an interpreter ``nobody`` may execute (the test's
own, else the system's of the same version) and the test environment's packages on its
path; elsewhere it runs as the current user, and ``chmod`` takes the permissions away.
"""

from __future__ import annotations

import os
import shutil
import site
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import schema_lint

UNPRIVILEGED_USER = "nobody"
_SERVER = str(Path(schema_lint.__file__).resolve().parents[1])


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def unprivileged_command() -> tuple[str, ...] | str:
    """The command that runs ``schema-lint`` unprivileged, or why there is none."""
    if not is_root():
        return (sys.executable, "-m", "schema_lint")
    runuser = shutil.which("runuser")
    if runuser is None:
        return "running as root without runuser"
    sites = [*site.getsitepackages(), _SERVER]
    launcher = (
        f"import site, sys\nfor p in {sites!r}: site.addsitedir(p)\n"
        "from schema_lint.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    )
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [
        sys.executable,
        getattr(sys, "_base_executable", sys.executable),
        shutil.which(version),
        f"/usr/bin/{version}",
        f"/usr/local/bin/{version}",
    ]
    for interpreter in dict.fromkeys(c for c in candidates if c and os.path.exists(c)):
        command = (runuser, "-u", UNPRIVILEGED_USER, "--", interpreter, "-s", "-c", launcher)
        probe = subprocess.run(
            [*command, "rule", "SL000"], capture_output=True, timeout=120, check=False
        )
        if probe.returncode == 0:
            return command
    return f"no Python interpreter that {UNPRIVILEGED_USER} may run imports schema_lint"


@contextmanager
def shared_directory() -> Iterator[Path]:
    """A temporary directory every user may enter and read; removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="schema-lint-robust-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        for root, dirs, _ in os.walk(path):
            for name in dirs:
                os.chmod(os.path.join(root, name), 0o755)
        shutil.rmtree(path, ignore_errors=True)


def forbid(path: Path) -> None:
    """Make ``path`` unreadable to the unprivileged user (its owner, when not root)."""
    path.chmod(stat.S_IRWXU if is_root() and path.is_dir() else 0o600 if is_root() else 0)
