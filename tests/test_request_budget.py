"""The per-request time budget: a request that runs past it is stopped at its next checkpoint and
answered with a clean error (id 4, "took longer than N s"); the session goes on. Launch has a
budget of its own (opening a huge core takes minutes and shows progress)."""

from __future__ import annotations

import io
import json
import time
from typing import Any

from conftest import MakeCore
from support.fuzz.driver import AdapterDriver

from dap_server import checkpoints
from dap_server.cli import _seconds
from dap_server.dap import Client, RequestContext, serve_streams
from dap_server.dap.connection import OVER_BUDGET_ERROR_ID


class SlowAdapter:
    def __init__(self, client: Client) -> None:
        self.client = client

    def evaluate_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        while True:  # a loop deep in the runtime view: it only ever calls checkpoint()
            checkpoints.checkpoint()
            time.sleep(0.001)

    def threads_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
        return {"threads": []}


def _frames(*messages: dict[str, Any]) -> bytes:
    out = b""
    for message in messages:
        body = json.dumps(message).encode()
        out += b"Content-Length: %d\r\n\r\n%b" % (len(body), body)
    return out


def test_a_request_over_budget_gets_a_clean_error_and_the_session_goes_on() -> None:
    sink = io.BytesIO()
    wire = _frames(
        {"seq": 1, "type": "request", "command": "evaluate", "arguments": {"expression": "x"}},
        {"seq": 2, "type": "request", "command": "threads"},
    )
    start = time.monotonic()
    serve_streams(io.BytesIO(wire), sink, SlowAdapter, request_budget=0.2)
    assert time.monotonic() - start < 5
    bodies = [json.loads(part.split(b"\r\n\r\n", 1)[1]) for part in sink.getvalue().split(b"Content-Length: ")[1:]]
    evaluate, threads = (m for m in bodies if m["type"] == "response")
    assert evaluate["success"] is False
    assert evaluate["body"]["error"]["id"] == OVER_BUDGET_ERROR_ID
    assert "took longer than 0.2 s" in evaluate["message"]
    assert threads["success"] is True


def test_checkpoints_outside_a_request_do_nothing() -> None:
    checkpoints.checkpoint()


def test_the_unwinder_stops_at_its_checkpoint(make_core: MakeCore) -> None:
    core = make_core("zoo", ("recursion",))
    driver = AdapterDriver(request_budget=0.001)
    launched = driver.request("launch", {"program": str(core.exe), "coreFilePath": str(core.core)})
    assert launched["success"], launched  # launch has its own budget
    answer = driver.request("stackTrace", {"threadId": 1, "levels": 20})
    assert answer["success"] is False and answer["body"]["error"]["id"] == OVER_BUDGET_ERROR_ID, answer
    driver.close()
    assert not driver.defects, driver.defects


def test_request_timeout_option() -> None:
    assert _seconds("0") is None
    assert _seconds("2.5") == 2.5
