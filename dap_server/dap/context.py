"""What a request handler gets besides its arguments: cancellation, events, work to run
after the response, and progress reporting."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType

from .. import logs
from .cancellation import CancellationRegistry
from .client import Client
from .errors import Cancelled, OverBudget
from .events import ProgressEndEventBody, ProgressStartEventBody, ProgressUpdateEventBody

log = logs.get("godap.dap")


class RequestContext:
    def __init__(
        self,
        *,
        seq: int,
        command: str,
        client: Client,
        cancellation: CancellationRegistry,
        budget: float | None = None,
    ) -> None:
        self.seq = seq
        self.command = command
        self.client = client
        self._cancellation = cancellation
        self._started = time.monotonic()
        self.budget = budget
        self._after_response: list[Callable[[], None]] = []
        self._open_progress: list[Progress] = []
        self._progress_count = 0

    @property
    def cancelled(self) -> bool:
        """True once the client cancelled this request (or a progress it reported)."""
        return self._cancellation.is_cancelled(self.seq)

    def check_cancelled(self) -> None:
        """Raise `Cancelled` if the request was cancelled, `OverBudget` if it has run longer than
        its budget; call at convenient checkpoints."""
        if self.cancelled:
            raise Cancelled()
        if self.budget is not None and time.monotonic() - self._started > self.budget:
            raise OverBudget(self.budget)

    def set_budget(self, seconds: float | None) -> None:
        """Give this request another time budget (counted from its start; None: unlimited)."""
        self.budget = seconds

    def send_event(self, event: str, body: object = None) -> None:
        """Send an event now, before this request's response."""
        self.client.send_event(event, body)

    def after_response(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the dispatcher thread right after a successful response is
        written, before the next request is handled (e.g. `initialized` after `launch`)."""
        self._after_response.append(callback)

    def progress(
        self,
        title: str,
        *,
        message: str | None = None,
        percentage: float | None = None,
        cancellable: bool = True,
    ) -> Progress:
        """Start a progress report tied to this request; use it as a context manager.
        It sends nothing unless the client asked for progress events in `initialize`,
        and `cancel{progressId}` on it cancels this request."""
        self._progress_count += 1
        progress = Progress(self, f"{self.seq}.{self._progress_count}")
        self._open_progress.append(progress)
        if self.client.supports_progress:
            self._cancellation.add_progress(progress.id, self.seq)
            self.client.send_event(
                "progressStart",
                ProgressStartEventBody(
                    progressId=progress.id,
                    title=title,
                    requestId=self.seq,
                    cancellable=cancellable,
                    message=message,
                    percentage=_clamp(percentage),
                ),
            )
        return progress

    def end_open_progress(self) -> None:
        """End progress reports the handler left open (the session loop calls this)."""
        for progress in list(self._open_progress):
            progress.end()

    def run_after_response(self) -> None:
        """Run the `after_response` callbacks (the session loop calls this)."""
        for callback in self._after_response:
            try:
                callback()
            except Exception:
                log.exception("after_response callback of %s (seq %d) failed", self.command, self.seq)

    def _progress_ended(self, progress: Progress) -> None:
        self._open_progress.remove(progress)
        self._cancellation.remove_progress(progress.id)


class Progress:
    """One progressStart ... progressEnd sequence; `end` is idempotent."""

    def __init__(self, context: RequestContext, progress_id: str) -> None:
        self.id = progress_id
        self._context = context
        self._ended = False

    @property
    def cancelled(self) -> bool:
        return self._context.cancelled

    def update(self, message: str | None = None, percentage: float | None = None) -> None:
        if not self._ended and self._context.client.supports_progress:
            self._context.client.send_event(
                "progressUpdate",
                ProgressUpdateEventBody(progressId=self.id, message=message, percentage=_clamp(percentage)),
            )

    def end(self, message: str | None = None) -> None:
        if self._ended:
            return
        self._ended = True
        self._context._progress_ended(self)
        if self._context.client.supports_progress:
            self._context.client.send_event("progressEnd", ProgressEndEventBody(progressId=self.id, message=message))

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.end()


def _clamp(percentage: float | None) -> float | None:
    return None if percentage is None else min(100.0, max(0.0, percentage))
