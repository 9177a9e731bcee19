"""Run a protocol `Script` through the real session loop and the real adapter, in-process.

The whole script is on the input stream from the start (a client that writes everything at once,
then hangs up), the output goes to a sink; the server's reader thread and dispatcher run as they
do behind stdio. What came back is checked: strict framing (exactly one Content-Length header),
seq counting from 1, the DAP schema, no internal errors, and exactly one response for every
request the server could identify before the stream ended.
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dap_server.adapter import go_adapter
from dap_server.dap import EndReason, serve_streams
from dap_server.dap.client import Client
from dap_server.dap.envelope import IncomingRequest, parse_request
from dap_server.session import Session, SessionOptions

from .driver import ErrorLog, is_internal_error, shared_validator
from .protocol import Script
from .watchdog import Hang, time_limit

_HEADER = re.compile(rb"Content-Length: (\d+)\r\n\r\n")
SCRIPT_TIME_LIMIT = 30.0


class _Sink:
    """The client's end of the output stream; it can vanish after `cut_after` bytes."""

    def __init__(self, cut_after: int | None = None) -> None:
        self.data = bytearray()
        self._cut_after = cut_after

    def write(self, data: bytes) -> int:
        if self._cut_after is not None and len(self.data) + len(data) > self._cut_after:
            raise BrokenPipeError("the client went away")
        self.data += data
        return len(data)

    def flush(self) -> None:
        pass


@dataclass
class Outcome:
    end: EndReason | None = None
    messages: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def expected_responses(script: Script) -> Counter[tuple[int, str]]:
    """(request_seq, command) of every response the script is owed."""
    owed: Counter[tuple[int, str]] = Counter()
    for item in script.items:
        parsed = parse_request(item.body)
        if isinstance(parsed, IncomingRequest) or parsed.seq is not None:
            owed[(parsed.seq, parsed.command)] += 1
    if script.disconnect:
        owed[(len(script.items) + 1, "disconnect")] += 1
    return owed


def run_script(
    adapter_factory: Callable[[Client], object], script: Script, *, cut_output_after: int | None = None
) -> Outcome:
    outcome = Outcome()
    sink = _Sink(cut_output_after)
    with ErrorLog() as errors:
        try:
            with time_limit(SCRIPT_TIME_LIMIT):
                outcome.end = serve_streams(io.BytesIO(script.wire()), sink, adapter_factory)
        except Hang as exc:
            outcome.problems.append(f"hang: {exc}")
        except Exception as exc:
            outcome.problems.append(f"serve_streams raised {exc!r}")
    outcome.problems += [f"logged: {record}" for record in errors.records]
    check_output(outcome, bytes(sink.data), script, complete=cut_output_after is None)
    return outcome


def check_output(outcome: Outcome, data: bytes, script: Script, *, complete: bool = True) -> None:
    """Parse what the server wrote into `outcome.messages` and add what is wrong to its problems
    (`complete`: the client read everything, so every owed response must be there)."""
    outcome.messages = _parse_output(data, outcome.problems)
    _check(outcome, script, complete=complete)


def _parse_output(data: bytes, problems: list[str]) -> list[dict[str, Any]]:
    messages = []
    pos = 0
    while pos < len(data):
        match = _HEADER.match(data, pos)
        if match is None:
            problems.append(f"output header is not exactly one Content-Length: {data[pos : pos + 80]!r}")
            break
        start = match.end()
        end = start + int(match.group(1))
        if end > len(data):
            problems.append("output ends inside a body")
            break
        messages.append(json.loads(data[start:end].decode("utf-8")))
        pos = end
    return messages


def _check(outcome: Outcome, script: Script, *, complete: bool) -> None:
    validator = shared_validator()
    problems = outcome.problems
    for number, message in enumerate(outcome.messages, start=1):
        if message.get("seq") != number:
            problems.append(f"seq {message.get('seq')} where {number} was due")
        problems.extend(validator.errors(message))
        if message.get("type") == "response" and is_internal_error(message):
            problems.append(f"internal error: {message.get('message')}")
    if not complete:
        return
    if outcome.end is not None and outcome.end not in (
        EndReason.END_OF_INPUT,
        EndReason.DISCONNECT,
        EndReason.FRAMING_ERROR,
    ):
        problems.append(f"the session ended with {outcome.end}")
    answered = Counter(
        (m.get("request_seq"), m.get("command")) for m in outcome.messages if m.get("type") == "response"
    )
    owed = expected_responses(script)
    if answered != owed:
        missing, extra = owed - answered, answered - owed
        problems.append(f"responses do not match requests: missing {dict(missing)}, unexpected {dict(extra)}")


@contextmanager
def shared_launch(program: str, core: str) -> Iterator[None]:
    """While active, a plain `launch` of (program, core) reuses one opened session instead of
    opening the core again (0.1–0.3 s each); any other launch opens for real."""
    shared = Session.open(SessionOptions(program=program, core=core))
    real_close = shared.close
    shared.close = lambda: None  # type: ignore[method-assign]
    plain = SessionOptions(program=program, core=core)

    class Opener:
        @staticmethod
        def open(options: SessionOptions, progress: Callable[[str, int, int], None] | None = None) -> Session:
            if options == plain:
                if progress is not None:
                    progress("Reading goroutines", 1, 1)
                return shared
            return Session.open(options, progress)

    saved = go_adapter.Session
    go_adapter.Session = Opener  # type: ignore[misc,assignment]
    try:
        yield
    finally:
        go_adapter.Session = saved  # type: ignore[misc]
        real_close()
