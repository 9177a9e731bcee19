"""Drive the real DAP session loop in-process over OS pipes.

`PipeSession` runs `serve_streams` in a thread. The test writes requests (or raw
bytes) into one pipe; a thread reads the other with a deliberately strict, separate
frame parser (it also insists on exactly one `Content-Length` header), checks every
message against the DAP schema (`support.dap_validation`, ints as int32) and checks
that `seq` counts up from 1; `finish()` asserts that all of it held.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

from support.dap_validation import SchemaValidator

from dap_server.dap import AdapterFactory, EndReason, serve_streams

Message = dict[str, Any]
TIMEOUT = 10.0
_HEADER = re.compile(rb"Content-Length: (\d+)\r\n\r\n")


def frame(message: Message | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n%b" % (len(body), body)


def read_frames(stream: IO[bytes], violations: list[str]) -> Iterator[Message]:
    """Messages from `stream` until it ends, requiring exactly one `Content-Length: N`
    header (what the server must write); problems are appended to `violations`."""
    while True:
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            byte = stream.read(1)
            if not byte:
                if header:
                    violations.append(f"output ended inside a header: {header!r}")
                return
            header += byte
        match = _HEADER.fullmatch(header)
        if match is None:
            violations.append(f"header is not exactly one Content-Length: {header!r}")
            return
        length = int(match.group(1))
        body = stream.read(length)
        if len(body) != length:
            violations.append(f"output ended after {len(body)} of {length} body bytes")
            return
        yield json.loads(body.decode("utf-8"))


def check_sequence(messages: list[Message]) -> list[str]:
    """Schema violations and seq errors (seq must count 1, 2, 3, ...) in `messages`."""
    validator = SchemaValidator()
    problems = []
    for expected_seq, message in enumerate(messages, start=1):
        if message.get("seq") != expected_seq:
            problems.append(f"seq {message.get('seq')} where {expected_seq} was due: {message}")
        problems.extend(validator.errors(message))
    return problems


class PipeSession:
    def __init__(self, adapter_factory: AdapterFactory, **serve_options: Any) -> None:
        to_server_r, to_server_w = os.pipe()
        from_server_r, from_server_w = os.pipe()
        self._to_server = os.fdopen(to_server_w, "wb", buffering=0)
        self._server_in = os.fdopen(to_server_r, "rb")
        self._server_out = os.fdopen(from_server_w, "wb")
        self._from_server = os.fdopen(from_server_r, "rb")
        self.messages: list[Message] = []
        self.violations: list[str] = []
        self.end_reason: EndReason | None = None
        self.server_error: BaseException | None = None
        self._next_seq = 1
        self._arrived = threading.Condition()
        self._server = threading.Thread(
            target=self._serve, args=(adapter_factory, serve_options), name="test-server", daemon=True
        )
        self._listener = threading.Thread(target=self._listen, name="test-listener", daemon=True)
        self._server.start()
        self._listener.start()

    # -- sending ----------------------------------------------------------------------

    def send_raw(self, data: bytes) -> None:
        self._to_server.write(data)

    def send(self, message: Message | bytes) -> None:
        self.send_raw(frame(message))

    def request(self, command: str, arguments: Message | None = None, *, seq: int | None = None) -> int:
        """Send a request (without `arguments` when None) and return its seq."""
        if seq is None:
            seq = self._next_seq
        self._next_seq = max(self._next_seq, seq + 1)
        message: Message = {"seq": seq, "type": "request", "command": command}
        if arguments is not None:
            message["arguments"] = arguments
        self.send(message)
        return seq

    def close_input(self) -> None:
        if not self._to_server.closed:
            self._to_server.close()

    # -- receiving ----------------------------------------------------------------------

    def wait_for(self, predicate: Callable[[Message], bool], what: str = "message") -> Message:
        """The first message so far (or to come) that satisfies `predicate`."""
        deadline = time.monotonic() + TIMEOUT
        with self._arrived:
            while True:
                for message in self.messages:
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._listener.is_alive():
                    raise AssertionError(f"no {what} arrived; got {self.messages}")
                self._arrived.wait(min(remaining, 0.1))

    def response(self, seq: int) -> Message:
        return self.wait_for(
            lambda m: m.get("type") == "response" and m.get("request_seq") == seq, f"response to seq {seq}"
        )

    def call(self, command: str, arguments: Message | None = None) -> Message:
        return self.response(self.request(command, arguments))

    def event(self, name: str) -> Message:
        return self.wait_for(lambda m: m.get("type") == "event" and m.get("event") == name, f"{name} event")

    def finish(self) -> EndReason | None:
        """Close the input, wait for the server to end, and assert that everything it
        wrote was well framed and schema-valid."""
        self.close_input()
        self._server.join(TIMEOUT)
        self._listener.join(TIMEOUT)
        assert not self._server.is_alive(), "the server did not end after its input closed"
        assert not self._listener.is_alive(), "the server's output did not end"
        # The server's reader may still be returning from its last read: close() waits for it.
        self._server_in.close()
        self._from_server.close()
        assert self.server_error is None, f"serve_streams raised {self.server_error!r}"
        problems = self.violations + check_sequence(self.messages)
        assert not problems, "\n".join(problems)
        return self.end_reason

    def __enter__(self) -> PipeSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None:
            self.finish()
        else:
            self.close_input()

    # -- threads ------------------------------------------------------------------------

    def _serve(self, adapter_factory: AdapterFactory, serve_options: dict[str, Any]) -> None:
        try:
            self.end_reason = serve_streams(self._server_in, self._server_out, adapter_factory, **serve_options)
        except BaseException as exc:
            self.server_error = exc
        finally:
            self._server_out.close()

    def _listen(self) -> None:
        try:
            for message in read_frames(self._from_server, self.violations):
                self._record(message)
        finally:
            with self._arrived:
                self._arrived.notify_all()

    def _record(self, message: Message) -> None:
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
