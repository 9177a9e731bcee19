"""A minimal DAP client for timing: every message is stamped with ``perf_counter`` on arrival.

It is deliberately thin (no schema checks) so that the client's own work does
not count in the figures: the arrival stamp is taken as soon as the body's
bytes are in, before the JSON is parsed.
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO, Any

Message = dict[str, Any]

DEFAULT_TIMEOUT = 120.0


class DapError(RuntimeError):
    """The adapter failed a request, closed early or did not answer in time."""


def _read_one(stream: IO[bytes]) -> tuple[bytes, float] | None:
    length = -1
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    body = stream.read(length)
    return body, time.perf_counter()


class TimedDap:
    """Talk DAP over a pair of byte streams; ``request`` returns (response, seconds)."""

    def __init__(self, reader: IO[bytes], writer: IO[bytes], on_close: Callable[[], None] | None = None) -> None:
        self._reader, self._writer, self._on_close = reader, writer, on_close
        self._seq = 0
        self._cond = threading.Condition()
        self._responses: dict[int, tuple[Message, float]] = {}
        self._events: list[tuple[Message, float]] = []
        self._eof = False
        self._thread = threading.Thread(target=self._loop, name="timed-dap", daemon=True)
        self._thread.start()

    @classmethod
    def over_process(cls, process: subprocess.Popen[bytes]) -> TimedDap:
        assert process.stdout is not None and process.stdin is not None
        return cls(process.stdout, process.stdin)

    @classmethod
    def over_tcp(cls, port: int, deadline: float) -> TimedDap:
        """Connect to 127.0.0.1:port, retrying until ``deadline`` (perf_counter)."""
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=5.0)
                break
            except OSError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.002)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader, writer = sock.makefile("rb"), sock.makefile("wb")

        def shut() -> None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            for closeable in (reader, writer, sock):
                with contextlib.suppress(OSError):
                    closeable.close()

        return cls(reader, writer, shut)

    def _loop(self) -> None:
        try:
            while (item := _read_one(self._reader)) is not None:
                body, stamp = item
                message = json.loads(body)
                with self._cond:
                    if message.get("type") == "response":
                        self._responses[message["request_seq"]] = (message, stamp)
                    elif message.get("type") == "event":
                        self._events.append((message, stamp))
                    self._cond.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self._eof = True
                self._cond.notify_all()

    def _wait(
        self, find: Callable[[], tuple[Message, float] | None], what: str, timeout: float
    ) -> tuple[Message, float]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while (found := find()) is None:
                if self._eof:
                    raise DapError(f"adapter closed its output while waiting for {what}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DapError(f"no {what} within {timeout:.0f}s")
                self._cond.wait(remaining)
            return found

    def send(self, command: str, arguments: dict[str, Any] | None = None) -> tuple[int, float]:
        """Send a request; returns its seq and the perf_counter just before it was written."""
        self._seq += 1
        message: Message = {"seq": self._seq, "type": "request", "command": command}
        if arguments is not None:
            message["arguments"] = arguments
        body = json.dumps(message).encode()
        data = b"Content-Length: %d\r\n\r\n%b" % (len(body), body)
        sent = time.perf_counter()
        self._writer.write(data)
        self._writer.flush()
        return self._seq, sent

    def response(self, seq: int, timeout: float = DEFAULT_TIMEOUT) -> tuple[Message, float]:
        """The response to ``seq`` and its arrival stamp; raises DapError if it failed."""
        message, stamp = self._wait(lambda: self._responses.pop(seq, None), f"response to request {seq}", timeout)
        if not message.get("success"):
            raise DapError(f"{message.get('command')} failed: {message.get('message')} {message.get('body')}")
        return message, stamp

    def request(
        self, command: str, arguments: dict[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> tuple[Message, float]:
        """Send and wait: (response, seconds from send to arrival)."""
        seq, sent = self.send(command, arguments)
        message, stamp = self.response(seq, timeout)
        return message, stamp - sent

    def event(self, name: str, timeout: float = DEFAULT_TIMEOUT) -> tuple[Message, float]:
        """The next event called ``name`` (after the last one returned) and its arrival stamp."""

        def find() -> tuple[Message, float] | None:
            for index in range(len(self._events)):
                if self._events[index][0].get("event") == name:
                    found = self._events[index]
                    del self._events[: index + 1]  # keep nothing we will not be asked for again
                    return found
            return None

        return self._wait(find, f"{name!r} event", timeout)

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._writer.close()
        if self._on_close is not None:
            self._on_close()
        self._thread.join(2.0)
