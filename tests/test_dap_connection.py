"""The DAP session loop, driven over OS pipes with a small fake adapter.

Every message the server writes is checked against the DAP schema and for seq order
by `PipeSession.finish()`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from typing import Any

import pytest
from dap_harness import PipeSession, frame

from dap_server.adapter.arguments import LaunchArguments
from dap_server.dap import Client, DapError, EndReason, RequestContext, serve_streams
from dap_server.dap.bodies import EvaluateResponseBody, ThreadsResponseBody
from dap_server.dap.events import OutputEventBody, StoppedEventBody
from dap_server.dap.messages import Capabilities, Thread
from dap_server.dap.requests import (
    DisconnectArguments,
    EvaluateArguments,
    InitializeRequestArguments,
    StackTraceArguments,
)

WAIT = 10.0


class FakeAdapter:
    """Answers a few requests; `evaluate`'s expression picks a behaviour."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.launch_args: LaunchArguments | None = None
        self.started = threading.Event()
        self.release = threading.Event()
        self.closed = False

    def initialize_request(self, args: InitializeRequestArguments, ctx: RequestContext) -> Capabilities:
        return Capabilities(supportsConfigurationDoneRequest=True, supportsCancelRequest=True)

    def launch_request(self, args: LaunchArguments, ctx: RequestContext) -> None:
        self.launch_args = args
        ctx.after_response(lambda: ctx.send_event("initialized"))

    def configurationDone_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        stopped = StoppedEventBody(reason="exception", threadId=1, allThreadsStopped=True)
        ctx.after_response(lambda: ctx.send_event("stopped", stopped))

    def threads_request(self, args: dict[str, Any], ctx: RequestContext) -> ThreadsResponseBody:
        return ThreadsResponseBody(threads=[Thread(id=1, name="main")])

    def stackTrace_request(self, args: StackTraceArguments, ctx: RequestContext) -> dict[str, Any]:
        return {"stackFrames": [], "totalFrames": 0}

    def evaluate_request(self, args: EvaluateArguments, ctx: RequestContext) -> object:
        expression = args.expression
        if expression == "boom":
            raise RuntimeError("boom")
        if expression == "refuse":
            raise DapError("no such variable", error_id=42, show_user=True, url="https://example.com/help")
        if expression == "block":  # wait for the test, ignoring cancellation
            self.started.set()
            self.release.wait(WAIT)
        if expression == "poll":  # run until cancelled
            self.started.set()
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline:
                ctx.check_cancelled()
                time.sleep(0.002)
        if expression == "progress":
            with ctx.progress("Reading goroutines", message="start") as progress:
                progress.update(message="half", percentage=50)
                progress.update(percentage=250)  # clamped to 100
        if expression == "progress-poll":
            progress = ctx.progress("Waiting")  # left open: the loop ends it
            self.started.set()
            deadline = time.monotonic() + WAIT
            while time.monotonic() < deadline and not progress.cancelled:
                time.sleep(0.002)
            ctx.check_cancelled()
        if expression == "event-then-fail":
            ctx.after_response(lambda: ctx.send_event("never"))
            ctx.send_event("output", OutputEventBody(output="before\n"))
            raise DapError("failed after an event")
        if expression == "number":
            return 5
        if expression == "unencodable":
            return {"result": {1, 2}, "variablesReference": 0}
        if expression == "nan":
            return {"result": float("nan"), "variablesReference": 0}
        return EvaluateResponseBody(result=expression, variablesReference=0)

    def disconnect_request(self, args: DisconnectArguments, ctx: RequestContext) -> None:
        ctx.send_event("terminated")

    def close(self) -> None:
        self.closed = True


class Adapters:
    """An adapter factory that remembers what it made."""

    def __init__(self) -> None:
        self.made: list[FakeAdapter] = []

    def __call__(self, client: Client) -> FakeAdapter:
        self.made.append(FakeAdapter(client))
        return self.made[-1]

    @property
    def adapter(self) -> FakeAdapter:
        return self.made[-1]


@pytest.fixture
def adapters() -> Adapters:
    return Adapters()


@pytest.fixture
def session(adapters: Adapters) -> PipeSession:
    return PipeSession(adapters)


def error_text(response: dict[str, Any]) -> str:
    assert response["success"] is False
    assert response["body"]["error"]["format"] == response["message"]
    return str(response["message"])


def output_events(session: PipeSession) -> list[str]:
    return [m["body"]["output"] for m in session.messages if m.get("event") == "output"]


# -- the happy path -------------------------------------------------------------------


def test_session_answers_in_order_and_numbers_messages_from_1(session: PipeSession, adapters: Adapters) -> None:
    init = session.call("initialize", {"adapterID": "godap", "clientID": "test"})
    threads = session.call("threads")
    assert init["success"] and init["body"] == {
        "supportsConfigurationDoneRequest": True,
        "supportsCancelRequest": True,
    }
    assert threads["body"] == {"threads": [{"id": 1, "name": "main"}]}
    assert (init["seq"], init["request_seq"], init["command"]) == (1, 1, "initialize")
    assert (threads["seq"], threads["request_seq"], threads["command"]) == (2, 2, "threads")
    assert session.finish() is EndReason.END_OF_INPUT
    assert adapters.adapter.closed


def test_initialize_arguments_are_kept_for_the_adapter(session: PipeSession, adapters: Adapters) -> None:
    session.call("initialize", {"adapterID": "godap", "linesStartAt1": False, "supportsProgressReporting": True})
    client = adapters.adapter.client
    assert client.initialize_arguments is not None
    assert client.initialize_arguments.linesStartAt1 is False
    assert client.supports_progress
    session.finish()


def test_after_response_runs_after_the_response_is_written(session: PipeSession) -> None:
    session.call("initialize", {"adapterID": "godap"})
    launch_seq = session.request("launch", {"program": "/bin/app", "coreFilePath": "/tmp/core"})
    session.event("initialized")
    done_seq = session.request("configurationDone")
    session.event("stopped")
    session.finish()
    order = [(m["type"], m.get("command") or m.get("event")) for m in session.messages]
    assert order == [
        ("response", "initialize"),
        ("response", "launch"),
        ("event", "initialized"),
        ("response", "configurationDone"),
        ("event", "stopped"),
    ]
    assert [m.get("request_seq") for m in session.messages if m["type"] == "response"][1:] == [
        launch_seq,
        done_seq,
    ]


def test_events_sent_before_a_failure_arrive_and_after_response_is_skipped(session: PipeSession) -> None:
    response = session.call("evaluate", {"expression": "event-then-fail"})
    assert error_text(response) == "failed after an event"
    session.finish()
    assert [m.get("event") or m.get("command") for m in session.messages] == ["output", "evaluate"]


# -- framing --------------------------------------------------------------------------

HEADER_VARIANTS = {
    "lowercase": b"content-length: %d\r\n\r\n",
    "no space after colon": b"Content-Length:%d\r\n\r\n",
    "extra header first": b"Content-Type: application/vscode-jsonrpc\r\nContent-Length: %d\r\n\r\n",
    "extra header after": b"CONTENT-LENGTH: %d\r\nX-Whatever: 1\r\n\r\n",
    "padded value": b"Content-Length:   %d  \r\n\r\n",
}


@pytest.mark.parametrize("header", HEADER_VARIANTS.values(), ids=HEADER_VARIANTS.keys())
def test_header_variants_are_understood(session: PipeSession, header: bytes) -> None:
    body = b'{"seq": 1, "type": "request", "command": "threads"}'
    session.send_raw(header % len(body) + body)
    assert session.response(1)["success"]
    session.finish()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"Content-Length: abc\r\n\r\n{}", "Content-Length b'abc' is not a non-negative integer"),
        (b"Content-Length: -1\r\n\r\n", "Content-Length b'-1' is not a non-negative integer"),
        (b"Content-Length: 2000\r\n\r\n", "Content-Length 2000 exceeds the limit of 1024 bytes"),
        (b"Content-Type: x\r\n\r\n{}", "message header has no Content-Length"),
        (b"Content-Length 2\r\n\r\n{}", "header line b'Content-Length 2' has no ':'"),
        (b"Content-Length: 2\n\n{}", "does not end with CRLF"),
        (b"Content-Length: 100\r\n\r\n{}", "input ended after 2 of 100 body bytes"),
        (b"Content-Length: 1", "input ended inside a message header"),
    ],
)
def test_unframeable_input_ends_the_session_with_a_reason(raw: bytes, reason: str, adapters: Adapters) -> None:
    session = PipeSession(adapters, max_body_size=1024)
    seq = session.request("threads")
    session.send_raw(raw)
    session.close_input()
    assert session.finish() is EndReason.FRAMING_ERROR
    assert session.response(seq)["success"], "requests before the bad frame are still answered"
    [told] = output_events(session)
    assert told.startswith("godap: closing the session: ") and reason in told
    assert adapters.adapter.closed


def test_the_default_body_limit_is_64_mib(session: PipeSession) -> None:
    session.send_raw(b"Content-Length: %d\r\n\r\n" % (64 * 1024 * 1024 + 1))
    assert session.finish() is EndReason.FRAMING_ERROR
    assert "exceeds the limit of 67108864 bytes" in output_events(session)[0]


def test_a_body_that_arrives_in_pieces_is_read_whole(session: PipeSession) -> None:
    data = frame({"seq": 1, "type": "request", "command": "evaluate", "arguments": {"expression": "ü" * 3000}})
    for start in range(0, len(data), 997):
        session.send_raw(data[start : start + 997])
        time.sleep(0.001)
    assert session.response(1)["body"]["result"] == "ü" * 3000
    session.finish()


# -- malformed messages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "message is not valid JSON"),
        (b"\xff\xfe{}", "message is not UTF-8"),
        (b"[1, 2]", "message is a JSON array, not an object"),
        (b'"threads"', "message is a JSON string, not an object"),
        (b"null", "message is a JSON null, not an object"),
        (b'{"type": "request", "command": "threads"}', "message has no valid 'seq' (got null)"),
        (b'{"seq": "1", "type": "request", "command": "threads"}', "message has no valid 'seq' (got \"1\")"),
        (b'{"seq": 0, "type": "request", "command": "threads"}', "message has no valid 'seq' (got 0)"),
        (b'{"seq": 4294967296, "type": "request", "command": "x"}', "message has no valid 'seq'"),
        (b'{"seq": 5, "type": "event", "event": "x"}', "unexpected event message from the client (seq 5)"),
        (b'{"seq": 5, "type": "response", "request_seq": 1}', "unexpected response message"),
    ],
)
def test_undispatchable_messages_without_a_request_seq_are_reported_as_output(
    session: PipeSession, body: bytes, reason: str
) -> None:
    session.send(body)
    assert session.call("threads", None)["success"], "the session goes on"
    session.finish()
    [told] = output_events(session)
    assert told.startswith("godap: dropped a message: ") and reason in told


@pytest.mark.parametrize(
    ("message", "command", "reason"),
    [
        ({"seq": 7, "command": "threads"}, "threads", "message 'type' must be \"request\" (got null)"),
        ({"seq": 7, "type": "req", "command": "threads"}, "threads", "message 'type' must be \"request\""),
        ({"seq": 7, "type": "request"}, "", "request has no valid 'command' (got null)"),
        ({"seq": 7, "type": "request", "command": 3}, "", "request has no valid 'command' (got 3)"),
        ({"seq": 7, "type": "request", "command": ""}, "", "request has no valid 'command'"),
        (
            {"seq": 7, "type": "request", "command": "threads", "arguments": [1]},
            "threads",
            "invalid arguments for threads: expected object @ $",
        ),
    ],
)
def test_malformed_requests_with_a_seq_get_an_error_response(
    session: PipeSession, message: dict[str, Any], command: str, reason: str
) -> None:
    session.send(message)
    response = session.response(7)
    assert response["command"] == command
    assert reason in error_text(response)
    session.finish()


def test_unknown_command_is_unsupported(session: PipeSession) -> None:
    assert error_text(session.call("frobnicate", {})) == "Unsupported command: frobnicate"
    session.finish()


# -- arguments ------------------------------------------------------------------------


def test_missing_or_null_arguments_count_as_empty(session: PipeSession, adapters: Adapters) -> None:
    assert session.call("launch")["success"]
    assert adapters.adapter.launch_args == LaunchArguments()
    session.send({"seq": 10, "type": "request", "command": "threads", "arguments": None})
    assert session.response(10)["success"]
    session.finish()


def test_missing_required_argument_names_its_path(session: PipeSession) -> None:
    response = session.call("stackTrace")
    assert error_text(response) == "invalid arguments for stackTrace: required field missing @ $.threadId"
    session.finish()


def test_wrong_argument_types_are_named_with_their_path(session: PipeSession) -> None:
    assert error_text(session.call("stackTrace", {"threadId": "x"})) == (
        "invalid arguments for stackTrace: expected int @ $.threadId"
    )
    assert error_text(session.call("stackTrace", {"threadId": 1, "format": {"hex": "yes"}})) == (
        "invalid arguments for stackTrace: expected bool @ $.format.hex"
    )
    session.finish()


def test_launch_ignores_client_keys_and_reads_godap_options(session: PipeSession, adapters: Adapters) -> None:
    arguments = {
        "type": "godap",
        "request": "launch",
        "name": "Open core",
        "__sessionId": "a5f3",
        "__configurationTarget": 6,
        "__restart": {"attempt": 2},
        "mode": "core",
        "program": "/bin/app",
        "coreFilePath": "/tmp/core",
        "substitutePath": [{"from": "/build", "to": "/src"}],
        "goroutineFilters": "-with user",
        "stackTraceDepth": 20,
    }
    assert session.call("launch", arguments)["success"]
    args = adapters.adapter.launch_args
    assert args is not None
    assert (args.mode, args.program, args.coreFilePath, args.stackTraceDepth) == (
        "core",
        "/bin/app",
        "/tmp/core",
        20,
    )
    assert args.restart_data == {"attempt": 2}
    assert [(rule.from_, rule.to) for rule in args.substitutePath] == [("/build", "/src")]
    assert args.goroutineFilters == "-with user"
    assert (args.hideSystemGoroutines, args.showGlobalVariables, args.showRegisters) == (False, True, False)
    session.finish()


# -- failures in handlers ---------------------------------------------------------------


def test_dap_error_becomes_an_error_response_with_its_details(session: PipeSession) -> None:
    response = session.call("evaluate", {"expression": "refuse"})
    assert error_text(response) == "no such variable"
    assert response["body"]["error"] == {
        "id": 42,
        "format": "no such variable",
        "showUser": True,
        "url": "https://example.com/help",
    }
    session.finish()


def test_handler_exception_is_answered_logged_and_survived(
    session: PipeSession, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="godap.dap"):
        response = session.call("evaluate", {"expression": "boom"})
        assert error_text(response) == "internal error in evaluate: RuntimeError: boom"
        assert session.call("threads")["success"]
    [record] = [r for r in caplog.records if r.exc_info]
    assert "evaluate" in record.getMessage() and record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)
    session.finish()


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("number", "TypeError: a body must be a message object, a mapping or None, not int"),
        ("unencodable", "TypeError: Object of type set is not JSON serializable"),
        ("nan", "ValueError: Out of range float values are not JSON compliant"),
    ],
)
def test_a_body_that_cannot_be_sent_becomes_an_error_response(
    session: PipeSession, expression: str, reason: str
) -> None:
    response = session.call("evaluate", {"expression": expression})
    assert reason in error_text(response)
    assert session.call("threads")["success"]
    session.finish()


# -- cancellation ---------------------------------------------------------------------


def test_request_cancelled_before_it_starts_is_answered_cancelled(session: PipeSession, adapters: Adapters) -> None:
    blocking = session.request("evaluate", {"expression": "block"})
    assert adapters.adapter.started.wait(WAIT)
    queued = session.request("threads")
    cancel = session.request("cancel", {"requestId": queued})
    assert session.response(cancel)["success"], "cancel is answered at once, out of band"
    adapters.adapter.release.set()
    assert session.response(blocking)["success"]
    response = session.response(queued)
    assert response["message"] == "cancelled"
    assert response["body"]["error"]["format"] == "Request cancelled"
    assert session.call("threads")["success"]
    session.finish()


def test_running_request_sees_its_cancellation(session: PipeSession, adapters: Adapters) -> None:
    polling = session.request("evaluate", {"expression": "poll"})
    assert adapters.adapter.started.wait(WAIT)
    session.request("cancel", {"requestId": polling})
    response = session.response(polling)
    assert (response["success"], response["message"]) == (False, "cancelled")
    session.finish()


def test_cancelling_finished_or_unknown_requests_changes_nothing(session: PipeSession) -> None:
    done = session.call("threads")["request_seq"]
    assert session.call("cancel", {"requestId": done})["success"]
    assert session.call("cancel", {"requestId": 999})["success"]
    assert session.call("cancel", {"progressId": "nope"})["success"]
    assert session.call("cancel")["success"]
    assert error_text(session.call("cancel", {"requestId": "x"})) == (
        "invalid arguments for cancel: expected int @ $.requestId"
    )
    assert session.call("threads")["success"]
    session.finish()


# -- progress -------------------------------------------------------------------------


def test_progress_events_bracket_the_work_when_the_client_wants_them(session: PipeSession) -> None:
    session.call("initialize", {"adapterID": "godap", "supportsProgressReporting": True})
    seq = session.request("evaluate", {"expression": "progress"})
    session.response(seq)
    session.finish()
    start, half, full, end, response = session.messages[1:]
    assert start["event"] == "progressStart"
    progress_id = start["body"]["progressId"]
    assert start["body"] == {
        "progressId": progress_id,
        "title": "Reading goroutines",
        "requestId": seq,
        "cancellable": True,
        "message": "start",
    }
    assert half["body"] == {"progressId": progress_id, "message": "half", "percentage": 50}
    assert full["body"] == {"progressId": progress_id, "percentage": 100}
    assert end["body"] == {"progressId": progress_id}
    assert response["success"]


def test_no_progress_events_unless_the_client_asked(session: PipeSession) -> None:
    session.call("initialize", {"adapterID": "godap"})
    assert session.call("evaluate", {"expression": "progress"})["success"]
    session.finish()
    assert [m["type"] for m in session.messages] == ["response", "response"]


def test_cancelling_a_progress_cancels_its_request_and_ends_the_progress(
    session: PipeSession, adapters: Adapters
) -> None:
    session.call("initialize", {"adapterID": "godap", "supportsProgressReporting": True})
    seq = session.request("evaluate", {"expression": "progress-poll"})
    progress_id = session.event("progressStart")["body"]["progressId"]
    session.request("cancel", {"progressId": progress_id})
    assert session.response(seq)["message"] == "cancelled"
    session.finish()
    kinds = [m.get("event") or m.get("command") for m in session.messages]
    assert kinds.index("progressEnd") < len(kinds) - 1 - kinds[::-1].index("evaluate")


# -- concurrency ----------------------------------------------------------------------


def test_events_from_other_threads_never_interleave_with_responses(session: PipeSession, adapters: Adapters) -> None:
    session.call("initialize", {"adapterID": "godap"})
    client = adapters.adapter.client

    def chatter(name: str) -> None:
        for i in range(150):
            client.send_event("output", OutputEventBody(category="stdout", output=f"{name} {i} " + "x" * 500))

    threads = [threading.Thread(target=chatter, args=(f"t{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    seqs = [session.request("threads") for _ in range(60)]
    for thread in threads:
        thread.join()
    for seq in seqs:
        assert session.response(seq)["success"]
    session.finish()  # checks framing and seq order of all 511 messages
    assert len(output_events(session)) == 450


# -- ending ---------------------------------------------------------------------------


def test_disconnect_ends_the_session_after_its_response(session: PipeSession, adapters: Adapters) -> None:
    session.call("initialize", {"adapterID": "godap"})
    disconnect = session.request("disconnect", {"terminateDebuggee": False})
    session.request("threads")  # after disconnect: never answered
    assert session.finish() is EndReason.DISCONNECT
    assert [m.get("event") or m.get("command") for m in session.messages] == [
        "initialize",
        "terminated",
        "disconnect",
    ]
    assert session.messages[-1]["request_seq"] == disconnect
    assert adapters.adapter.closed


def test_events_after_the_session_are_dropped_quietly(session: PipeSession, adapters: Adapters) -> None:
    session.call("threads")
    session.finish()
    client = adapters.adapter.client
    assert client.closed
    client.send_event("output", OutputEventBody(output="too late\n"))  # a background thread, say


def test_disconnect_ends_the_session_even_without_a_handler() -> None:
    class Minimal:
        def __init__(self, client: Client) -> None:
            pass

    session = PipeSession(Minimal)
    assert error_text(session.call("disconnect")) == "Unsupported command: disconnect"
    assert session.finish() is EndReason.DISCONNECT


def test_a_client_that_stops_reading_ends_the_session(adapters: Adapters) -> None:
    to_server_r, to_server_w = os.pipe()
    from_server_r, from_server_w = os.pipe()
    os.close(from_server_r)  # nobody will read what the server writes
    rfile, wfile = os.fdopen(to_server_r, "rb"), os.fdopen(from_server_w, "wb")
    os.write(to_server_w, frame({"seq": 1, "type": "request", "command": "threads"}))
    assert serve_streams(rfile, wfile, adapters) is EndReason.CONNECTION_LOST
    assert adapters.adapter.closed
    os.close(to_server_w)
    rfile.close()
    with contextlib.suppress(BrokenPipeError):  # the unsent response is still buffered
        wfile.close()
