"""The connected client as the adapter sees it: what it said in `initialize`, and a way
to send it events from any thread."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from .. import logs
from . import envelope
from .codec import MessageWriter
from .requests import InitializeRequestArguments

log = logs.get("godap.dap")


class Client:
    def __init__(self, writer: MessageWriter) -> None:
        self._writer = writer
        self._closed = threading.Event()
        # Set by the session loop when `initialize` arrives with well-formed arguments.
        self.initialize_arguments: InitializeRequestArguments | None = None

    @property
    def supports_progress(self) -> bool:
        return self.initialize_arguments is not None and self.initialize_arguments.supportsProgressReporting

    @property
    def closed(self) -> bool:
        """True once the session ended or a write failed; nothing more is sent then."""
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()

    def send_event(self, event: str, body: object = None) -> None:
        """Send an event now. A body that cannot be encoded raises TypeError/ValueError;
        once the client is closed, events are dropped quietly."""
        self.send(envelope.event(event, body))

    def send(self, message: Mapping[str, Any]) -> None:
        """Write one message (used by the session loop for responses)."""
        if self._closed.is_set():
            log.debug("client closed; not sending %s", message.get("event") or message.get("command"))
            return
        try:
            seq = self._writer.write(message)
        except OSError as exc:
            if not self._closed.is_set():
                log.warning("lost the connection to the client while writing: %s", exc)
            self._closed.set()
            return
        log.debug("sent #%d %.2000r", seq, message)
