"""End to end in a real VS Code workbench: the extension starts the real `schema-lint lsp`, the
SL001 finding shows as a squiggle and in Problems, its quick fix (Ctrl+. then Enter) adds the
UniqueConstraint, and once saved the file on disk has it and the squiggle is gone. And with no
server to be found, the user gets one notification that says how to install it.

The workbench is code-server (VS Code 1.100.3) on 127.0.0.1, driven in Debian's chromium by
scripts/vscode_e2e/e2e.mjs; scripts/vscode_e2e/setup.sh installs both (cached). The driver
takes the README's screenshot on the way: it is copied to vscode-extension/images/quickfix.png
when SCHEMA_LINT_UPDATE_SCREENSHOT=1 (or when that file is missing).

SCHEMA_LINT_E2E_SERVER may name another server executable (default: the `schema-lint` beside
this Python, i.e. the project's own).
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from vscode_support import E2E_DIR, EXTENSION_DIR, REPO, require_tools, run

pytestmark = pytest.mark.timeout(1800)

FIXTURE = Path(__file__).parent / "fixture_project"
SCREENSHOT = EXTENSION_DIR / "images" / "quickfix.png"
MARKER = "SCHEMA_LINT_E2E_RUN"

# User settings of the test workbench: nothing but the editor, the file and the finding.
WORKBENCH_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "chat.commandCenter.enabled": False,
    "git.enabled": False,
    "files.autoSave": "off",
    "editor.minimap.enabled": False,
    "editor.stickyScroll.enabled": False,
    "editor.occurrencesHighlight": "off",
    "editor.selectionHighlight": False,
}


def server_executable() -> Path:
    override = os.environ.get("SCHEMA_LINT_E2E_SERVER")
    if override:
        return Path(override)
    # Not resolved: a venv's python is a symlink, its scripts sit beside the link.
    return Path(sys.executable).parent / "schema-lint"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(url: str, timeout: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            pytest.fail(f"code-server exited {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(
                f"code-server did not answer {url} in {timeout} s:\n{log.read_text()[-4000:]}"
            )
        time.sleep(0.2)


def marked_processes(run_id: str) -> list[int]:
    """Processes whose environment carries this run's marker: code-server and all it started."""
    found = []
    needle = f"{MARKER}={run_id}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def kill_run(run_id: str, groups: list[int], timeout: float = 15) -> list[int]:
    """SIGTERM, then SIGKILL, every process of the run; returns those that outlived both."""
    for group in groups:
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGTERM)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in marked_processes(run_id):
            with suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while marked_processes(run_id) and time.monotonic() < deadline:
            time.sleep(0.2)
    return [pid for pid in marked_processes(run_id) if not is_zombie(pid)]


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return True


def extension_logs(user_data: Path) -> str:
    """The extension's output channel and code-server's logs, to explain a failure."""
    parts = []
    for log in sorted(user_data.glob("logs/**/*.log")):
        text = log.read_text(errors="replace")
        if "schema-lint" in log.name or "schema-lint" in text or "exthost" in str(log):
            parts.append(f"--- {log.relative_to(user_data)} ---\n{text[-3000:]}")
    return "\n".join(parts)[-12000:]


@pytest.fixture
def e2e_tools() -> dict[str, str]:
    """The workbench and the browser, installed by the same script CI runs."""
    tools = require_tools("node", "npm", "chromium")
    result = run(["bash", str(E2E_DIR / "setup.sh")], cwd=REPO, timeout=1200)
    env = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
    return {**tools, **env}


@dataclass
class Workbench:
    url: str
    project: Path
    user_data: Path
    log: Path
    env: dict[str, str]
    groups: list[int]

    def diagnostics(self) -> str:
        return (
            f"--- code-server ---\n{self.log.read_text()[-3000:]}\n{extension_logs(self.user_data)}"
        )


@contextmanager
def workbench(
    tools: dict[str, str], vsix: Path, tmp_path: Path, settings: dict[str, object], path_env: str
) -> Iterator[Workbench]:
    """code-server with the extension installed, serving a copy of the fixture project on a free
    127.0.0.1 port; every process it started is killed on the way out."""
    run_id = uuid.uuid4().hex
    project = tmp_path / "project"
    shutil.copytree(FIXTURE, project)
    user_data = tmp_path / "user-data"
    extensions = tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    (user_data / "User" / "settings.json").write_text(
        json.dumps({**WORKBENCH_SETTINGS, **settings}, indent=2)
    )
    config = tmp_path / "code-server.yaml"
    config.write_text("auth: none\ncert: false\n")
    env = {**os.environ, "PATH": path_env, MARKER: run_id}
    common = ["--config", str(config), "--user-data-dir", str(user_data)]
    common += ["--extensions-dir", str(extensions)]
    installed = subprocess.run(
        [tools["CODE_SERVER"], *common, "--install-extension", str(vsix)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert list(extensions.glob("schema-lint.schema-lint-*")), installed.stdout

    port = free_port()
    log = tmp_path / "code-server.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [
                tools["CODE_SERVER"],
                *common,
                "--auth",
                "none",
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                str(project),
            ],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    bench = Workbench(
        url=f"http://127.0.0.1:{port}/?folder={project}",
        project=project,
        user_data=user_data,
        log=log,
        env=env,
        groups=[process.pid],
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", 120, process, log)
        yield bench
    finally:
        leftovers = kill_run(run_id, bench.groups)
    assert not leftovers, f"processes of the run outlived SIGKILL: {leftovers}"


def drive(
    tools: dict[str, str], bench: Workbench, scenario: str, screenshot: Path, artifacts: Path
) -> dict[str, object]:
    """Runs the browser driver for one scenario; its JSON summary, failing the test if not ok."""
    driver = subprocess.Popen(
        [
            tools["node"],
            tools["E2E_DRIVER"],
            "--scenario",
            scenario,
            "--url",
            bench.url,
            "--file",
            str(bench.project / "models.py"),
            "--screenshot",
            str(screenshot),
            "--artifacts",
            str(artifacts),
            "--chromium",
            tools["CHROMIUM"],
            "--timeout-ms",
            "240000",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=bench.env,
        start_new_session=True,
    )
    bench.groups.append(driver.pid)
    stdout, stderr = driver.communicate(timeout=1200)
    artifacts.mkdir(parents=True, exist_ok=True)
    (artifacts / f"{scenario}-driver.log").write_text(stderr)
    lines = stdout.strip().splitlines()
    summary: dict[str, object] = json.loads(lines[-1]) if lines else {"ok": False}
    assert driver.returncode == 0 and summary["ok"], (
        f"the {scenario} scenario failed (artifacts in {artifacts}):\n"
        f"{json.dumps(summary, indent=2)}\n--- driver ---\n{stderr[-4000:]}\n{bench.diagnostics()}"
    )
    sys.stderr.write(stderr)
    return summary


def test_quick_fix_in_a_real_workbench(
    e2e_tools: dict[str, str], vsix: Path, tmp_path: Path
) -> None:
    server = server_executable()
    probe = subprocess.run(
        [str(server), "lsp", "--help"], capture_output=True, text=True, timeout=120, check=False
    )
    assert probe.returncode == 0, (
        f"`{server} lsp --help` exited {probe.returncode}: the language server is not installed "
        f"or has no `lsp` command\n{probe.stdout[-2000:]}{probe.stderr[-2000:]}"
    )
    shot = tmp_path / "quickfix.png"
    settings = {"schemaLint.path": str(server)}
    with workbench(e2e_tools, vsix, tmp_path, settings, os.environ.get("PATH", "")) as bench:
        summary = drive(e2e_tools, bench, "quickfix", shot, tmp_path / "artifacts")
        models = bench.project / "models.py"

    if os.environ.get("SCHEMA_LINT_UPDATE_SCREENSHOT") == "1" or not SCREENSHOT.exists():
        SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, SCREENSHOT)

    # The finding was on UserRole's __tablename__ line, and its fix was the one applied.
    assert summary["line"] == '__tablename__ = "user_roles"', summary
    assert "UniqueConstraint" in str(summary["fix"]), summary

    # What the quick fix wrote: UserRole's table has the unique pair, and the module still works.
    saved = models.read_text()
    assert saved == summary["saved"]
    tree = ast.parse(saved)
    user_role = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "UserRole"
    )
    assert any(
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__table_args__" for t in node.targets)
        for node in user_role.body
    ), saved
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import models; from sqlalchemy import UniqueConstraint; "
            "print(sorted(sorted(c.name for c in k.columns) "
            "for k in models.UserRole.__table__.constraints if isinstance(k, UniqueConstraint)))",
        ],
        cwd=models.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert "['role_id', 'user_id']" in check.stdout, check.stdout


def test_missing_server_gives_one_notification(
    e2e_tools: dict[str, str], vsix: Path, tmp_path: Path
) -> None:
    # Nothing to find: a schemaLint.path that does not exist, and a PATH without schema-lint.
    path_env = os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and not (Path(entry) / "schema-lint").exists()
    )
    settings = {"schemaLint.path": str(tmp_path / "nowhere" / "schema-lint")}
    with workbench(e2e_tools, vsix, tmp_path, settings, path_env) as bench:
        summary = drive(
            e2e_tools, bench, "not-found", tmp_path / "not-found.png", tmp_path / "artifacts"
        )
    assert summary["buttons"] == ["Copy Install Command", "Open Settings", "Show Output"], summary
