"""The real adapter behind the real request handling of the session loop, called synchronously.

`AdapterDriver.request` hands one request to `Connection._handle` (exactly what the dispatcher
thread does), collects every message the server writes, and checks each against the DAP schema.
What counts as a defect is recorded in `defects` rather than raised, so that a fuzz case can run
a whole session first: a missing or malformed response, an error response that reports an
internal error (an exception escaped a handler), or an error logged by the server.
"""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from dap_server.adapter import GoAdapter
from dap_server.dap.client import Client
from dap_server.dap.codec import FrameReader, MessageWriter
from dap_server.dap.connection import INTERNAL_ERROR_ID, Connection
from dap_server.dap.envelope import IncomingRequest

from ..dap_validation import SchemaValidator

Message = dict[str, Any]
_VALIDATOR: CachedValidator | None = None


class CachedValidator:
    """Schema checks remembered by message content (all but `seq`): a fuzz run sends the same
    error responses and bodies thousands of times, and jsonschema takes milliseconds each."""

    def __init__(self) -> None:
        self._validator = SchemaValidator()
        self._known: dict[str, list[str]] = {}

    def errors(self, message: Message) -> list[str]:
        key = json.dumps({k: v for k, v in message.items() if k != "seq"}, sort_keys=True)
        found = self._known.get(key)
        if found is None:
            found = self._validator.errors(message)
            if len(self._known) > 200_000:
                self._known.clear()
            self._known[key] = found
        return found


def shared_validator() -> CachedValidator:
    """One validator for the whole run (building jsonschema validators is not free either)."""
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = CachedValidator()
    return _VALIDATOR


class _Sink:
    """A byte sink standing in for the client's end of the connection."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._lock = threading.Lock()

    def write(self, data: bytes) -> int:
        with self._lock:
            self._buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        with self._lock:
            data = bytes(self._buffer)
            self._buffer.clear()
        return data


class ErrorLog(logging.Handler):
    """Collects exceptions the `godap` loggers report (a handler that failed, a callback that
    raised); errors logged on purpose without one (closing an unreadable stream) are not defects."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.records.append(f"{record.getMessage()}: {record.exc_info[1]!r}")

    def __enter__(self) -> ErrorLog:
        logging.getLogger("godap").addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger("godap").removeHandler(self)


def is_internal_error(message: Message) -> bool:
    error = (message.get("body") or {}).get("error") or {}
    return message.get("success") is False and error.get("id") == INTERNAL_ERROR_ID


class AdapterDriver:
    """One adapter session, one request at a time, on the calling thread."""

    def __init__(
        self, adapter_factory: Callable[[Client], object] = GoAdapter, *, request_budget: float | None = None
    ) -> None:
        self._sink = _Sink()
        reader, writer = FrameReader(io.BytesIO(b"")), MessageWriter(self._sink)
        self._connection = Connection(reader, writer, adapter_factory, request_budget=request_budget)
        self._validator = shared_validator()
        self._seq = 0
        self._written = 0
        self.messages: list[Message] = []
        self.defects: list[str] = []

    def request(self, command: str, arguments: Message | None = None) -> Message:
        """The response to one request (a stand-in error response if none was written)."""
        self._seq += 1
        seq = self._seq
        self._connection._cancellation.add_pending(seq)
        try:
            self._connection._handle(IncomingRequest(seq, command, arguments or {}))
        except Exception as exc:  # the session loop itself would have died
            self.defects.append(f"{command}: the session loop raised {exc!r}")
        new = self._collect()
        response = next((m for m in new if m.get("type") == "response" and m.get("request_seq") == seq), None)
        if response is None:
            self.defects.append(f"{command}: no response")
            return {"type": "response", "request_seq": seq, "success": False, "command": command, "message": ""}
        if is_internal_error(response):
            self.defects.append(f"{command} {_brief(arguments)}: {response.get('message')}")
        return response

    def events(self, name: str) -> list[Message]:
        return [m for m in self.messages if m.get("type") == "event" and m.get("event") == name]

    def close(self) -> None:
        self._connection._close_adapter()
        self._collect()

    def _collect(self) -> list[Message]:
        reader = FrameReader(io.BytesIO(self._sink.take()))
        new: list[Message] = []
        while (body := reader.read_frame()) is not None:
            message = json.loads(body)
            self._written += 1
            if message.get("seq") != self._written:
                self.defects.append(f"seq {message.get('seq')} where {self._written} was due")
            self.defects.extend(self._validator.errors(message))
            new.append(message)
        self.messages.extend(new)
        return new


def _brief(arguments: Message | None, limit: int = 200) -> str:
    text = json.dumps(arguments, default=repr)
    return text if len(text) <= limit else text[: limit - 3] + "..."
