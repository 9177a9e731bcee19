"""A DAP client for tests: Content-Length framing, requests, events, schema checks.

Every message received is validated (see dap_validation) and its ``seq`` is
checked to count 1, 2, 3...; problems are recorded in ``violations`` rather
than raised, so a test can run a whole session and then assert there were
none. Connect it to ``python -m dap_server`` over stdio (``spawn``), to a TCP
port (``connect``), or to any pair of byte streams (the constructor, e.g.
pipes to an in-process server).
"""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from . import proc
from .dap_validation import Message, SchemaValidator

DEFAULT_TIMEOUT = 30.0
CLOSE_TIMEOUT = 5.0
DEFAULT_COMMAND = (sys.executable, "-m", "dap_server")


class DapTimeout(AssertionError):
    """No expected message arrived in time."""


class DapClosed(AssertionError):
    """The adapter closed its output while we waited."""


def encode(message: Message) -> bytes:
    body = json.dumps(message, separators=(",", ":")).encode()
    return b"Content-Length: %d\r\n\r\n%b" % (len(body), body)


def read_message(stream: IO[bytes]) -> Message | None:
    """One framed message, or None at end of stream; raises ValueError on bad framing."""
    length: int | None = None
    while True:
        line = stream.readline()
        if not line:
            if length is not None:
                raise ValueError("stream ended inside a header")
            return None
        if line == b"\r\n":
            break
        if not line.endswith(b"\r\n"):
            raise ValueError(f"header line without CRLF: {line!r}")
        name, _, value = line.decode("ascii").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ValueError("header without Content-Length")
    body = stream.read(length)
    if len(body) != length:
        raise ValueError(f"stream ended after {len(body)} of {length} body bytes")
    message = json.loads(body.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError(f"message is not an object: {message!r}")
    return message


class DapClient:
    def __init__(
        self,
        reader: IO[bytes],
        writer: IO[bytes],
        *,
        validator: SchemaValidator | None = None,
        on_close: Callable[[], None] | None = None,
        close_timeout: float = CLOSE_TIMEOUT,
    ) -> None:
        """Talk DAP over ``reader`` (adapter -> us) and ``writer`` (us -> adapter).

        ``on_close`` runs at the end of ``close()`` (e.g. to stop a process);
        ``close()`` then waits at most ``close_timeout`` for the reader thread.
        """
        self._reader, self._writer = reader, writer
        self._validator = validator or SchemaValidator()
        self._on_close = on_close
        self._close_timeout = close_timeout
        self._seq = 0
        self._lock = threading.Condition()
        self._write_lock = threading.Lock()
        self.messages: list[Message] = []  # everything received, in order
        self.violations: list[str] = []
        self._consumed_events = 0  # events before this index were returned by wait_event
        self._eof = False
        self._closed = False
        self.process: subprocess.Popen[bytes] | None = None  # set by spawn()
        self.stderr = ""  # the spawned adapter's stderr, available after close()
        self._thread = threading.Thread(target=self._read_loop, name="dap-client-reader", daemon=True)
        self._thread.start()

    # -- construction ---------------------------------------------------------------

    @classmethod
    def spawn(
        cls,
        command: Sequence[str] = DEFAULT_COMMAND,
        *,
        cwd: Path | str | None = None,
        env: dict[str, str] | None = None,
    ) -> DapClient:
        """Start the adapter as a subprocess speaking DAP on stdin/stdout."""
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 - lives until close()
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            start_new_session=True,
        )
        assert process.stdin is not None and process.stdout is not None

        def stop() -> None:
            try:
                process.wait(timeout=CLOSE_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill_group(process)
            stderr.seek(0)
            client.stderr = stderr.read().decode(errors="replace")
            stderr.close()

        client = cls(process.stdout, process.stdin, on_close=stop)
        client.process = process
        return client

    @classmethod
    def connect(cls, host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT) -> DapClient:
        """Connect to an adapter listening on a TCP port (retrying until ``timeout``)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                sock = socket.create_connection((host, port), timeout=timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        sock.settimeout(None)
        reader, writer = sock.makefile("rb"), sock.makefile("wb")

        def shut() -> None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            for closeable in (reader, writer, sock):
                with contextlib.suppress(OSError):
                    closeable.close()

        return cls(reader, writer, on_close=shut)

    # -- receiving ------------------------------------------------------------------

    def _read_loop(self) -> None:
        try:
            while True:
                message = read_message(self._reader)
                if message is None:
                    break
                self._receive(message)
        except (ValueError, OSError) as exc:
            with self._lock:
                if not self._closed:
                    self.violations.append(f"framing: {exc}")
        finally:
            with self._lock:
                self._eof = True
                self._lock.notify_all()

    def _receive(self, message: Message) -> None:
        problems = self._validator.errors(message)
        with self._lock:
            expected = len(self.messages) + 1
            if message.get("seq") != expected:
                problems.append(f"seq is {message.get('seq')!r}, expected {expected}")
            self.violations.extend(f"message {expected} ({_describe(message)}): {p}" for p in problems)
            self.messages.append(message)
            self._lock.notify_all()

    def _wait_for(self, find: Callable[[], Message | None], what: str, timeout: float) -> Message:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = find()
                if found is not None:
                    return found
                if self._eof:
                    raise DapClosed(f"adapter closed its output while waiting for {what}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise DapTimeout(f"no {what} within {timeout:.1f}s")
                self._lock.wait(remaining)

    @property
    def events(self) -> list[Message]:
        with self._lock:
            return [m for m in self.messages if m.get("type") == "event"]

    def wait_event(self, name: str, timeout: float = DEFAULT_TIMEOUT) -> Message:
        """The next event called ``name`` after the last one ``wait_event`` returned."""

        def find() -> Message | None:
            events = [m for m in self.messages if m.get("type") == "event"]
            for index in range(self._consumed_events, len(events)):
                if events[index].get("event") == name:
                    self._consumed_events = index + 1
                    return events[index]
            return None

        return self._wait_for(find, f"{name!r} event", timeout)

    def wait_response(self, request_seq: int, timeout: float = DEFAULT_TIMEOUT) -> Message:
        def find() -> Message | None:
            responses = (m for m in self.messages if m.get("type") == "response")
            return next((m for m in responses if m.get("request_seq") == request_seq), None)

        return self._wait_for(find, f"response to request {request_seq}", timeout)

    # -- sending --------------------------------------------------------------------

    def send(self, message: Message) -> None:
        """Write one raw message (no seq added)."""
        with self._write_lock:
            self._writer.write(encode(message))
            self._writer.flush()

    def send_request(self, command: str, arguments: dict[str, Any] | None = None) -> int:
        with self._write_lock:
            self._seq += 1
            seq = self._seq
        message: Message = {"seq": seq, "type": "request", "command": command}
        if arguments is not None:
            message["arguments"] = arguments
        self.send(message)
        return seq

    def request(
        self, command: str, arguments: dict[str, Any] | None = None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> Message:
        """Send a request and return its response (successful or not)."""
        return self.wait_response(self.send_request(command, arguments), timeout)

    # -- the end --------------------------------------------------------------------

    def assert_no_violations(self) -> None:
        assert not self.violations, "DAP violations:\n" + "\n".join(self.violations)

    def close(self) -> None:
        """Close our side, wait briefly for the adapter, then force it. Never hangs."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        with contextlib.suppress(OSError, ValueError):
            self._writer.close()
        if self._on_close is not None:
            self._on_close()
        self._thread.join(self._close_timeout)

    def __enter__(self) -> DapClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def _describe(message: Message) -> str:
    return str(message.get("command") or message.get("event") or message.get("type"))
