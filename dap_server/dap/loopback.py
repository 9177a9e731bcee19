"""A DAP client for an adapter running in the same process, over OS pipes.

`godap report` uses it so that the report goes through exactly the server an editor talks to:
the same codec, dispatcher, handlers and error responses.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from .codec import FrameReader, FramingError, MessageWriter
from .connection import AdapterFactory
from .serve import serve_streams

DEFAULT_TIMEOUT = 600.0


class RequestFailed(Exception):
    """The server answered a request with success: false."""

    def __init__(self, command: str, message: str) -> None:
        super().__init__(f"{command}: {message}")
        self.command = command
        self.message = message


class LoopbackClient:
    """Requests and events with a server thread; `on_event` sees every event as it arrives."""

    def __init__(self, adapter_factory: AdapterFactory, on_event: Callable[[dict[str, Any]], None] | None = None):
        to_server_r, to_server_w = os.pipe()
        to_client_r, to_client_w = os.pipe()
        self._server_in: BinaryIO = os.fdopen(to_server_r, "rb", buffering=0)
        self._server_out: BinaryIO = os.fdopen(to_client_w, "wb", buffering=0)
        self._writer_stream: BinaryIO = os.fdopen(to_server_w, "wb", buffering=0)
        self._reader_stream: BinaryIO = os.fdopen(to_client_r, "rb")
        self._writer = MessageWriter(self._writer_stream)
        self._responses: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._events: list[dict[str, Any]] = []
        self._event_seen = threading.Condition()
        self._on_event = on_event
        self._seq = 0
        self._server = threading.Thread(target=self._serve, args=(adapter_factory,), daemon=True, name="godap-server")
        self._reader = threading.Thread(target=self._read, daemon=True, name="godap-loopback-reader")
        self._server.start()
        self._reader.start()

    def _serve(self, adapter_factory: AdapterFactory) -> None:
        try:
            serve_streams(self._server_in, self._server_out, adapter_factory)
        finally:
            self._server_out.close()

    def _read(self) -> None:
        frames = FrameReader(self._reader_stream)
        try:
            while (frame := frames.read_frame()) is not None:
                message = json.loads(frame)
                if not isinstance(message, dict):
                    continue
                if message.get("type") == "response":
                    self._responses.put(message)
                elif message.get("type") == "event":
                    self._note_event(message)
        except (FramingError, OSError, ValueError):
            pass
        finally:
            self._responses.put(None)

    def _note_event(self, event: dict[str, Any]) -> None:
        if self._on_event is not None:
            self._on_event(event)
        with self._event_seen:
            self._events.append(event)
            self._event_seen.notify_all()

    def request(
        self, command: str, arguments: dict[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> dict[str, Any]:
        """Send a request and return the body of its (successful) response."""
        self._seq += 1
        message: dict[str, Any] = {"seq": self._seq, "type": "request", "command": command}
        if arguments is not None:
            message["arguments"] = arguments
        self._writer.write(message)
        while True:
            try:
                response = self._responses.get(timeout=timeout)
            except queue.Empty as exc:
                raise RequestFailed(command, f"no answer within {timeout:.0f} s") from exc
            if response is None:
                raise RequestFailed(command, "the server ended the session")
            if response.get("request_seq") != self._seq:
                continue
            if not response.get("success"):
                raise RequestFailed(command, str(response.get("message") or "failed"))
            body = response.get("body")
            return body if isinstance(body, dict) else {}

    def wait_event(self, name: str, timeout: float = DEFAULT_TIMEOUT) -> dict[str, Any]:
        """The body of the first event called `name` (waiting for it if needed)."""
        with self._event_seen:
            found = self._event_seen.wait_for(
                lambda: any(e.get("event") == name for e in self._events), timeout=timeout
            )
            if not found:
                raise RequestFailed(name, f"no {name} event within {timeout:.0f} s")
            event = next(e for e in self._events if e.get("event") == name)
        body = event.get("body")
        return body if isinstance(body, dict) else {}

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._writer_stream.close()
        self._server.join(timeout=10)
        self._reader.join(timeout=10)
        self._reader_stream.close()
