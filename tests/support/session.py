"""Open a core in the real godap server, or attach it to a process, over the real protocol, as
an editor would."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dap_client import DapClient

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_COMMAND = (sys.executable, "-m", "dap_server")


@dataclass
class OpenCore:
    """A DAP session on one core or one process, stopped: the client plus what the start-up said."""

    client: DapClient
    stopped: dict[str, Any]

    def threads(self) -> list[dict[str, Any]]:
        return list(self.client.request("threads")["body"]["threads"])

    def stack(self, thread_id: int, **arguments: Any) -> list[dict[str, Any]]:
        body = self.client.request("stackTrace", {"threadId": thread_id, **arguments})["body"]
        return list(body["stackFrames"])


def server_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def run_godap(*args: str, timeout: float = 600.0) -> subprocess.CompletedProcess[str]:
    """`godap ARGS…` (report, capture, …) run to its end, its output captured."""
    return subprocess.run(
        [*SERVER_COMMAND, *args], cwd=REPO_ROOT, env=server_env(), capture_output=True, text=True, timeout=timeout
    )


LISTENING = re.compile(r"listening on ([\d.]+):(\d+)")


def start_listening(address: str, timeout: float = 30.0) -> tuple[subprocess.Popen[str], str]:
    """`godap --listen ADDRESS`, read until it says where it listens (or stops talking): the
    process, still running, and what it wrote to stderr up to then."""
    process = subprocess.Popen(
        [*SERVER_COMMAND, "--listen", address],
        cwd=REPO_ROOT,
        env=server_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    lines = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if LISTENING.search(line) or not line:
            break
    return process, "".join(lines)


def open_core(exe: Path | str, core: Path | str, **launch: Any) -> contextlib.AbstractContextManager[OpenCore]:
    """initialize → launch → initialized → configurationDone → stopped; every message schema-checked."""
    return _started("launch", {"program": str(exe), "coreFilePath": str(core), **launch})


def attach_process(pid: int | str, **attach: Any) -> contextlib.AbstractContextManager[OpenCore]:
    """initialize → attach → initialized → configurationDone → stopped, as `open_core`."""
    return _started("attach", {"processId": pid, **attach})


@contextmanager
def _started(command: str, arguments: dict[str, Any]) -> Iterator[OpenCore]:
    client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
    try:
        client.request("initialize", {"adapterID": "godap", "linesStartAt1": True, "columnsStartAt1": True})
        response = client.request(command, arguments)
        assert response["success"], f"{command} failed: {response.get('message')} {response.get('body')}"
        client.wait_event("initialized")
        client.request("configurationDone")
        stopped = client.wait_event("stopped")["body"]
        yield OpenCore(client, stopped)
        client.assert_no_violations()
    finally:
        client.close()
