"""The test DAP client and its schema validator, against hand-made messages and fake adapters."""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

import pytest
from support.dap_client import DapClient, DapClosed, DapTimeout, encode, read_message
from support.dap_validation import Message, SchemaValidator

VALID: list[Message] = [
    {"seq": 1, "type": "event", "event": "initialized"},
    {
        "seq": 2,
        "type": "response",
        "request_seq": 1,
        "success": True,
        "command": "threads",
        "body": {"threads": [{"id": 1, "name": "goroutine 1"}, {"id": 2**31 - 1, "name": "max int32"}]},
    },
    {"seq": 3, "type": "event", "event": "stopped", "body": {"reason": "exception", "threadId": 1}},
    {
        "seq": 4,
        "type": "response",
        "request_seq": 2,
        "success": False,
        "command": "evaluate",
        "message": "no such variable",
        "body": {"error": {"id": 1, "format": "no such variable"}},
    },
    {"seq": 5, "type": "event", "event": "godap/crashInfo", "body": {"anything": ["goes"]}},
    {"seq": 6, "type": "response", "request_seq": 3, "success": True, "command": "godapCustom"},
    {"seq": 7, "type": "request", "command": "runInTerminal", "arguments": {"cwd": "/", "args": ["x"]}},
]

INVALID: list[tuple[Message, str]] = [
    ({"seq": 1, "type": "response", "request_seq": 1, "success": True, "command": "threads"}, "'body'"),
    (
        {
            "seq": 1,
            "type": "response",
            "request_seq": 1,
            "success": True,
            "command": "threads",
            "body": {"threads": [{"id": "1", "name": "g"}]},
        },
        "'integer'",
    ),
    (
        {
            "seq": 1,
            "type": "response",
            "request_seq": 1,
            "success": True,
            "command": "threads",
            "body": {"threads": [{"id": 1}]},
        },
        "'name'",
    ),
    (
        {
            "seq": 1,
            "type": "response",
            "request_seq": 1,
            "success": True,
            "command": "threads",
            "body": {"threads": [{"id": 2**40, "name": "g"}]},
        },
        "int32",
    ),
    (
        {"seq": 1, "type": "response", "request_seq": 1, "success": False, "command": "evaluate", "message": "failed"},
        "'body'",
    ),
    ({"seq": 1, "type": "event", "event": "stopped", "body": {"threadId": 1}}, "'reason'"),
    ({"seq": 1, "type": "event", "event": "output", "body": {"output": 7}}, "'string'"),
    ({"seq": 1, "type": "gossip"}, "unknown message type"),
]


@pytest.fixture(scope="module")
def validator() -> SchemaValidator:
    return SchemaValidator()


@pytest.mark.parametrize("message", VALID, ids=lambda m: str(m.get("command") or m.get("event")))
def test_valid_messages_pass(validator: SchemaValidator, message: Message) -> None:
    assert validator.errors(message) == []


@pytest.mark.parametrize(("message", "complaint"), INVALID, ids=[c for _, c in INVALID])
def test_invalid_messages_are_reported(validator: SchemaValidator, message: Message, complaint: str) -> None:
    errors = validator.errors(message)
    assert errors and any(complaint in error for error in errors), errors


def test_definition_names(validator: SchemaValidator) -> None:
    response = {"type": "response", "command": "setBreakpoints", "success": True}
    assert validator.definition_name(response) == "SetBreakpointsResponse"
    assert validator.definition_name({**response, "success": False}) == "ErrorResponse"
    assert validator.definition_name({"type": "event", "event": "thread"}) == "ThreadEvent"
    assert validator.definition_name({"type": "event", "event": "custom"}) == "Event"
    assert validator.definition_name({"type": "response", "command": "custom", "success": True}) == "Response"


def test_framing_round_trip() -> None:
    stream = io.BytesIO(encode({"seq": 1, "type": "event", "event": "é"}) + encode({"seq": 2, "type": "x"}))
    assert read_message(stream) == {"seq": 1, "type": "event", "event": "é"}
    assert read_message(stream) == {"seq": 2, "type": "x"}
    assert read_message(stream) is None
    with pytest.raises(ValueError, match="Content-Length"):
        read_message(io.BytesIO(b"X-Other: 1\r\n\r\n{}"))


# --- a fake adapter ----------------------------------------------------------------


Reply = Callable[[Message], list[Message]]


class FakeAdapter:
    """Answers each request with a response (and events) chosen by ``reply``."""

    def __init__(self, reader: IO[bytes], writer: IO[bytes], reply: Reply) -> None:
        self.reader, self.writer, self.reply = reader, writer, reply
        self.seq = 0
        self.requests: list[Message] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        try:
            while (request := read_message(self.reader)) is not None:
                self.requests.append(request)
                for message in self.reply(request):
                    self.seq += 1
                    self.writer.write(encode({"seq": self.seq, **message}))
                    self.writer.flush()
        except (OSError, ValueError):
            pass
        finally:
            with contextlib.suppress(OSError):
                self.writer.close()


def respond(request: Message, **fields: Any) -> Message:
    return {"type": "response", "request_seq": request["seq"], "command": request["command"], "success": True, **fields}


def standard_reply(request: Message) -> list[Message]:
    if request["command"] == "initialize":
        return [respond(request, body={}), {"type": "event", "event": "initialized"}]
    if request["command"] == "threads":
        return [
            respond(request, body={"threads": [{"id": 1, "name": "main"}]}),
            {"type": "event", "event": "output", "body": {"output": "one"}},
            {"type": "event", "event": "output", "body": {"output": "two"}},
        ]
    if request["command"] == "bad":
        return [respond(request, body={"threads": "nope"}, command="threads")]
    if request["command"] == "silent":
        return []
    return [
        {
            "type": "response",
            "request_seq": request["seq"],
            "command": request["command"],
            "success": False,
            "message": "unknown",
            "body": {"error": {"id": 1, "format": "unknown"}},
        }
    ]


@pytest.fixture
def piped() -> Iterator[tuple[DapClient, FakeAdapter]]:
    to_adapter_r, to_adapter_w = os.pipe()
    to_client_r, to_client_w = os.pipe()
    adapter = FakeAdapter(os.fdopen(to_adapter_r, "rb"), os.fdopen(to_client_w, "wb"), standard_reply)
    client = DapClient(os.fdopen(to_client_r, "rb"), os.fdopen(to_adapter_w, "wb"))
    yield client, adapter
    client.close()


def test_requests_events_and_seq(piped: tuple[DapClient, FakeAdapter]) -> None:
    client, adapter = piped
    assert client.request("initialize", {"adapterID": "godap"})["success"]
    client.wait_event("initialized", timeout=5)
    threads = client.request("threads")
    assert threads["body"]["threads"] == [{"id": 1, "name": "main"}]
    assert client.wait_event("output", timeout=5)["body"]["output"] == "one"
    assert client.wait_event("output", timeout=5)["body"]["output"] == "two"
    assert client.request("nonsense")["success"] is False
    assert [r["seq"] for r in adapter.requests] == [1, 2, 3]
    assert [e["event"] for e in client.events] == ["initialized", "output", "output"]
    client.assert_no_violations()


def test_violations_are_recorded_not_raised(piped: tuple[DapClient, FakeAdapter]) -> None:
    client, _ = piped
    client.request("bad")
    assert len(client.violations) == 1 and "ThreadsResponse" in client.violations[0]
    with pytest.raises(AssertionError, match="DAP violations"):
        client.assert_no_violations()


def test_timeouts_and_close_never_hang(piped: tuple[DapClient, FakeAdapter]) -> None:
    client, _ = piped
    with pytest.raises(DapTimeout):
        client.request("silent", timeout=0.2)
    with pytest.raises(DapTimeout):
        client.wait_event("never", timeout=0.2)
    start = time.monotonic()
    client.close()
    client.close()
    assert time.monotonic() - start < 10


def test_close_with_a_stuck_adapter() -> None:
    stuck_r, stuck_w = os.pipe()  # nobody ever writes to the client
    sink_r, sink_w = os.pipe()
    client = DapClient(os.fdopen(stuck_r, "rb"), os.fdopen(sink_w, "wb"), close_timeout=0.2)
    start = time.monotonic()
    client.close()
    assert time.monotonic() - start < 2
    os.close(stuck_w)
    os.close(sink_r)


FAKE_PROCESS = """
import sys
sys.path.insert(0, {support!r})
from support.dap_client import encode, read_message
request = read_message(sys.stdin.buffer)
sys.stderr.write("fake adapter started\\n")
sys.stdout.buffer.write(encode({{"seq": 1, "type": "response", "request_seq": request["seq"],
                                 "command": request["command"], "success": True, "body": {{}}}}))
sys.stdout.buffer.flush()
read_message(sys.stdin.buffer)  # then exit without answering
"""


def test_spawned_adapter() -> None:
    code = FAKE_PROCESS.format(support=os.path.dirname(__file__))
    with DapClient.spawn([sys.executable, "-c", code]) as client:
        assert client.request("initialize", {"adapterID": "godap"}, timeout=20)["success"]
        with pytest.raises(DapClosed):
            client.request("threads", timeout=20)
    assert client.process is not None and client.process.returncode is not None
    assert "fake adapter started" in client.stderr
    client.assert_no_violations()


def test_tcp_adapter() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def accept() -> None:
        connection, _ = server.accept()
        FakeAdapter(connection.makefile("rb"), connection.makefile("wb"), standard_reply).thread.join(10)
        connection.close()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    with DapClient.connect("127.0.0.1", port, timeout=10) as client:
        assert client.request("threads")["body"]["threads"][0]["name"] == "main"
        client.assert_no_violations()
    acceptor.join(10)
    server.close()
