"""Property tests: whatever a client sends, the server neither dies nor writes anything
outside the DAP schema (`PipeSession.finish()` checks every message it wrote)."""

from __future__ import annotations

import json
from typing import Any

from dap_harness import PipeSession, frame
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_dap_connection import FakeAdapter

from dap_server.dap import Client, EndReason, RequestContext
from dap_server.dap.requests import EvaluateArguments

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class QuickAdapter(FakeAdapter):
    """FakeAdapter without its blocking and polling behaviours."""

    def evaluate_request(self, args: EvaluateArguments, ctx: RequestContext) -> object:
        if args.expression in ("block", "poll", "progress-poll"):
            return {"result": "", "variablesReference": 0}
        return super().evaluate_request(args, ctx)


def quick_adapter(client: Client) -> QuickAdapter:
    return QuickAdapter(client)


HEADER_LINES = st.sampled_from(
    [
        b"Content-Length: 2\r\n",
        b"content-length:0\r\n",
        b"Content-Length: -1\r\n",
        b"X: y\r\n",
        b"\r\n",
        b"\n",
    ]
)
RAW_INPUT = st.one_of(
    st.binary(max_size=300),
    st.lists(st.one_of(HEADER_LINES, st.binary(max_size=20)), max_size=8).map(b"".join),
    st.binary(max_size=200).map(frame),
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
COMMANDS = st.sampled_from(
    ["initialize", "launch", "threads", "stackTrace", "evaluate", "cancel", "configurationDone", "nope"]
) | st.text(max_size=12).filter(lambda c: c != "disconnect")
MESSAGES = st.one_of(
    st.dictionaries(st.sampled_from(["seq", "type", "command", "arguments", "event"]) | st.text(max_size=6), JSON),
    st.fixed_dictionaries(
        {
            "seq": st.integers(-2, 2**32),
            "type": st.sampled_from(["request", "response", "event", "x"]),
            "command": COMMANDS,
        },
        optional={"arguments": JSON},
    ),
    st.builds(
        lambda seq, command, arguments: {
            "seq": seq,
            "type": "request",
            "command": command,
            "arguments": arguments,
        },
        st.integers(1, 1000),
        COMMANDS,
        st.dictionaries(
            st.sampled_from(["threadId", "expression", "requestId", "progressId", "program", "adapterID"]),
            JSON,
        ),
    ),
)


@FUZZ
@given(data=RAW_INPUT)
def test_random_bytes_never_kill_the_server(data: bytes) -> None:
    session = PipeSession(quick_adapter)
    session.send_raw(data)
    assert session.finish() in (EndReason.END_OF_INPUT, EndReason.FRAMING_ERROR)


@FUZZ
@given(messages=st.lists(MESSAGES, min_size=1, max_size=5))
def test_random_json_messages_never_kill_the_server(messages: list[dict[str, Any]]) -> None:
    session = PipeSession(quick_adapter)
    for message in messages:
        session.send(json.dumps(message).encode())
    last = session.request("threads", seq=2**31 - 1)  # a seq no random message uses
    assert session.response(last)["success"], "the session still answers"
    assert session.finish() is EndReason.END_OF_INPUT
