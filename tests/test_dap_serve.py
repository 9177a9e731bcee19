"""Serving over TCP (one session after another) and over stdio (in a subprocess)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
from dap_harness import check_sequence, frame, read_frames

from dap_server.dap import DEFAULT_HOST, Client, RequestContext, serve_tcp
from dap_server.dap.bodies import ThreadsResponseBody
from dap_server.dap.messages import Thread

REPO = Path(__file__).resolve().parents[1]
WAIT = 10.0


class CountingAdapter:
    made: list[CountingAdapter]

    def __init__(self, client: Client) -> None:
        self.closed = False
        CountingAdapter.made.append(self)

    def threads_request(self, args: dict[str, Any], ctx: RequestContext) -> ThreadsResponseBody:
        return ThreadsResponseBody(threads=[Thread(id=len(CountingAdapter.made), name="main")])

    def disconnect_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        pass

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def fresh_adapters() -> None:
    CountingAdapter.made = []


def start_server(host: str = DEFAULT_HOST, sessions: int = 2) -> tuple[threading.Thread, tuple[str, int]]:
    listening = threading.Event()
    address: list[tuple[str, int]] = []

    def on_listening(bound_host: str, bound_port: int) -> None:
        address.append((bound_host, bound_port))
        listening.set()

    server = threading.Thread(
        target=serve_tcp,
        args=(host, 0, CountingAdapter),
        kwargs={"on_listening": on_listening, "max_sessions": sessions},
        daemon=True,
    )
    server.start()
    assert listening.wait(WAIT)
    return server, address[0]


def converse(port: int, requests: list[str]) -> list[dict[str, Any]]:
    """Send requests on a new connection; return everything the server wrote until it closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT) as sock:
        for seq, command in enumerate(requests, start=1):
            sock.sendall(frame({"seq": seq, "type": "request", "command": command}))
        if "disconnect" not in requests:
            sock.shutdown(socket.SHUT_WR)
        violations: list[str] = []
        with sock.makefile("rb") as stream:
            messages = list(read_frames(stream, violations))
    assert not violations + check_sequence(messages)
    return messages


def test_tcp_serves_sessions_one_after_another_with_fresh_adapters() -> None:
    server, (host, port) = start_server()
    assert host == "127.0.0.1"
    first = converse(port, ["threads", "disconnect"])
    second = converse(port, ["threads"])  # this client just closes its side
    server.join(WAIT)
    assert not server.is_alive()
    assert [m["body"]["threads"][0]["id"] for m in (first[0], second[0])] == [1, 2]
    assert [m["command"] for m in first] == ["threads", "disconnect"]
    assert [adapter.closed for adapter in CountingAdapter.made] == [True, True]


def test_tcp_warns_when_listening_beyond_loopback(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="godap.dap"):
        server, (host, port) = start_server("0.0.0.0", sessions=1)
        converse(port, ["disconnect"])
        server.join(WAIT)
    assert host == "0.0.0.0"
    assert any("other machines can reach" in r.getMessage() for r in caplog.records)


def test_tcp_on_loopback_does_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="godap.dap"):
        server, (_, port) = start_server(sessions=1)
        converse(port, ["disconnect"])
        server.join(WAIT)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


STDIO_SERVER = textwrap.dedent(
    """
    import os, sys
    from typing import Any
    from dap_server.dap import serve_stdio

    class Noisy:
        def __init__(self, client):
            pass

        def threads_request(self, args: dict[str, Any], ctx) -> dict[str, Any]:
            print("a stray print")
            os.write(1, b"a stray write to fd 1\\n")
            return {"threads": [{"id": 1, "name": "main"}]}

    reason = serve_stdio(Noisy)
    print("after the session:", reason.name)
    """
)


@pytest.mark.parametrize("ending", ["disconnect", "end of input"])
def test_stdio_keeps_stray_output_off_the_protocol_and_exits_cleanly(ending: str) -> None:
    requests = [{"seq": 1, "type": "request", "command": "threads"}]
    if ending == "disconnect":
        requests.append({"seq": 2, "type": "request", "command": "disconnect"})
    server = subprocess.Popen(
        [sys.executable, "-c", STDIO_SERVER],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert server.stdin is not None and server.stdout is not None and server.stderr is not None
    server.stdin.write(b"".join(frame(r) for r in requests))
    server.stdin.flush()
    if ending == "end of input":
        server.stdin.close()
    violations: list[str] = []
    messages = []
    for message in read_frames(server.stdout, violations):
        messages.append(message)
        if len(messages) == len(requests):
            break
    # After `disconnect` stdin is still open and the reader blocked on it: the process
    # must exit anyway, without the interpreter aborting over the daemon reader.
    server.wait(WAIT)
    stdout, stderr = server.stdout.read(), server.stderr.read()
    server.stdin.close()
    server.stdout.close()
    server.stderr.close()
    assert server.returncode == 0, stderr.decode()
    assert not violations + check_sequence(messages)
    assert messages[0]["body"] == {"threads": [{"id": 1, "name": "main"}]}
    reason = "DISCONNECT" if ending == "disconnect" else "END_OF_INPUT"
    assert stdout.decode() == f"after the session: {reason}\n", "stdout is the protocol's alone while serving"
    assert "a stray print\na stray write to fd 1\n" in stderr.decode()
