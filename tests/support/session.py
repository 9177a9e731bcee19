"""Open a core in the real godap server over the real protocol, as an editor would."""

from __future__ import annotations

import os
import sys
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
    """A DAP session on one core, stopped: the client plus what the start-up said."""

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


@contextmanager
def open_core(exe: Path | str, core: Path | str, **launch: Any) -> Iterator[OpenCore]:
    """initialize → launch → initialized → configurationDone → stopped; every message schema-checked."""
    client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
    try:
        client.request("initialize", {"adapterID": "godap", "linesStartAt1": True, "columnsStartAt1": True})
        client.request("launch", {"program": str(exe), "coreFilePath": str(core), **launch})
        client.wait_event("initialized")
        client.request("configurationDone")
        stopped = client.wait_event("stopped")["body"]
        yield OpenCore(client, stopped)
        client.assert_no_violations()
    finally:
        client.close()
