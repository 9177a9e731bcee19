"""The session loop: one reader thread, one dispatcher, one writer lock.

The reader parses frames and queues requests; it answers `cancel` itself, at once,
so a running handler can see the cancellation. The dispatcher (the thread that calls
`Connection.run`) handles requests strictly in order. Events may be sent from any
thread; the writer numbers and writes messages one at a time.
"""

from __future__ import annotations

import contextlib
import enum
import queue
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from .. import checkpoints, logs
from . import envelope
from .cancellation import CancellationRegistry
from .client import Client
from .codec import FrameReader, FramingError, MessageWriter
from .context import RequestContext
from .converter import StructureError, structure
from .dispatch import handlers_of
from .envelope import IncomingRequest, Rejected
from .errors import Cancelled, DapError, OverBudget
from .events import OutputEventBody
from .requests import CancelArguments, InitializeRequestArguments

log = logs.get("godap.dap")

AdapterFactory = Callable[[Client], object]

CANCELLED_ERROR_ID = 2
INTERNAL_ERROR_ID = 3
OVER_BUDGET_ERROR_ID = 4
DEFAULT_REQUEST_BUDGET = 60.0  # seconds a request may run before its next checkpoint stops it


class EndReason(enum.Enum):
    DISCONNECT = "disconnect request"
    END_OF_INPUT = "end of input"
    FRAMING_ERROR = "unreadable input"
    CONNECTION_LOST = "connection lost"


class _End(NamedTuple):
    reason: EndReason
    detail: str = ""
    by_reader: bool = True  # the reader thread has ended (or is about to)


class Connection:
    """One DAP session over a reader and a writer, with a fresh adapter."""

    def __init__(
        self,
        reader: FrameReader,
        writer: MessageWriter,
        adapter_factory: AdapterFactory,
        *,
        request_budget: float | None = DEFAULT_REQUEST_BUDGET,
    ) -> None:
        self._reader = reader
        self._request_budget = request_budget
        self._client = Client(writer)
        self._cancellation = CancellationRegistry()
        self._queue: queue.SimpleQueue[IncomingRequest | Rejected | _End] = queue.SimpleQueue()
        self._finished = threading.Event()
        self._adapter = adapter_factory(self._client)
        self._handlers = handlers_of(self._adapter)
        self._reader_thread = threading.Thread(target=self._read_loop, name="godap-dap-reader", daemon=True)

    def run(self) -> EndReason:
        """Serve until `disconnect`, the end of input, or a lost connection.

        The reader thread is joined when it ended the session; after `disconnect` it
        may still be blocked reading, and, being a daemon, never delays exit.
        """
        self._reader_thread.start()
        try:
            end = self._dispatch_loop()
        finally:
            self._finished.set()
            self._client.close()
            self._close_adapter()
        if end.by_reader:
            self._reader_thread.join()
        log.info("session ended: %s", end.reason.value)
        return end.reason

    def join_reader(self, timeout: float) -> bool:
        """Wait for the reader thread (once its input is closed); True if it has ended."""
        self._reader_thread.join(timeout)
        return not self._reader_thread.is_alive()

    # -- reader thread ------------------------------------------------------------

    def _read_loop(self) -> None:
        end = _End(EndReason.CONNECTION_LOST, "reader stopped")
        try:
            while not self._finished.is_set():
                frame = self._reader.read_frame()
                if frame is None:
                    end = _End(EndReason.END_OF_INPUT)
                    break
                self._accept(frame)
        except FramingError as exc:  # including TruncatedFrame: the input ended inside a message
            end = _End(EndReason.FRAMING_ERROR, str(exc))
        except OSError as exc:
            end = _End(EndReason.CONNECTION_LOST, str(exc))
        except Exception as exc:
            log.exception("the DAP reader failed")
            end = _End(EndReason.CONNECTION_LOST, f"internal error: {exc!r}")
        finally:
            self._queue.put(end)

    def _accept(self, frame: bytes) -> None:
        log.debug("received %.2000r", frame)
        message = envelope.parse_request(frame)
        if isinstance(message, IncomingRequest) and message.command == "cancel":
            self._cancel(message)
            return
        if isinstance(message, IncomingRequest):
            self._cancellation.add_pending(message.seq)
        self._queue.put(message)

    def _cancel(self, request: IncomingRequest) -> None:
        try:
            args = structure(request.arguments, CancelArguments)
        except StructureError as exc:
            error = DapError(f"invalid arguments for cancel: {exc}")
            self._client.send(envelope.error_response(request.seq, request.command, error))
            return
        self._cancellation.cancel(request_id=args.requestId, progress_id=args.progressId)
        self._client.send(envelope.response(request.seq, request.command))

    # -- dispatcher -----------------------------------------------------------------

    def _dispatch_loop(self) -> _End:
        while True:
            item = self._queue.get()
            if isinstance(item, _End):
                if item.reason is EndReason.FRAMING_ERROR:
                    log.error("closing the session: %s", item.detail)
                    self._tell_client(f"closing the session: {item.detail}")
                return item
            if isinstance(item, Rejected):
                self._reject(item)
            else:
                self._handle(item)
                if item.command == "disconnect":
                    return _End(EndReason.DISCONNECT, by_reader=False)
            if self._client.closed:
                return _End(EndReason.CONNECTION_LOST, "a write failed", by_reader=False)

    def _reject(self, rejected: Rejected) -> None:
        log.warning("dropped a message from the client: %s", rejected.reason)
        if rejected.seq is None:
            self._tell_client(f"dropped a message: {rejected.reason}")
        else:
            self._client.send(envelope.error_response(rejected.seq, rejected.command, DapError(rejected.reason)))

    def _handle(self, request: IncomingRequest) -> None:
        context = RequestContext(
            seq=request.seq,
            command=request.command,
            client=self._client,
            cancellation=self._cancellation,
            budget=self._request_budget,
        )
        try:
            response = self._run(request, context)
            context.end_open_progress()
            if self._send_response(response) and response["success"]:
                context.run_after_response()
        finally:
            self._cancellation.finish(request.seq)

    def _run(self, request: IncomingRequest, context: RequestContext) -> dict[str, Any]:
        """The response to `request`: the handler's body or an error."""
        seq, command = request.seq, request.command
        try:
            context.check_cancelled()
            handler = self._handlers.get(command)
            if handler is None:
                raise DapError(f"Unsupported command: {command}")
            if command == "initialize":
                self._note_initialize(request)
            with checkpoints.installed(context.check_cancelled):
                body = handler(request.arguments, context)
            return envelope.response(seq, command, body)
        except OverBudget as exc:
            log.warning("stopped %s (seq %d): %s", command, seq, exc)
            over = DapError(f"the {command} request {exc} and was stopped", error_id=OVER_BUDGET_ERROR_ID)
            return envelope.error_response(seq, command, over)
        except Cancelled:
            cancelled = DapError("Request cancelled", error_id=CANCELLED_ERROR_ID)
            return envelope.error_response(seq, command, cancelled, short="cancelled")
        except DapError as exc:
            return envelope.error_response(seq, command, exc)
        except Exception as exc:
            log.exception("handler for %s (seq %d) failed", command, seq)
            return envelope.error_response(seq, command, _internal_error(command, exc))

    def _send_response(self, response: dict[str, Any]) -> bool:
        """Send a response; one whose body cannot be encoded is replaced by an error."""
        try:
            self._client.send(response)
            return True
        except (TypeError, ValueError) as exc:
            seq, command = response["request_seq"], response["command"]
            log.exception("the %s response (seq %d) cannot be encoded", command, seq)
            self._client.send(envelope.error_response(seq, command, _internal_error(command, exc)))
            return False

    def _note_initialize(self, request: IncomingRequest) -> None:
        with contextlib.suppress(StructureError):  # the handler's own argument check reports it
            self._client.initialize_arguments = structure(request.arguments, InitializeRequestArguments)

    def _tell_client(self, text: str) -> None:
        self._client.send_event("output", OutputEventBody(category="console", output=f"godap: {text}\n"))

    def _close_adapter(self) -> None:
        close = getattr(self._adapter, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                log.exception("closing the adapter failed")


def _internal_error(command: str, exc: BaseException, limit: int = 200) -> DapError:
    """An error naming an unexpected exception briefly (the traceback goes to the log)."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return DapError(f"internal error in {command}: {text}", error_id=INTERNAL_ERROR_ID)
