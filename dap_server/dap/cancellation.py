"""Which requests the client has cancelled, shared by the reader and dispatcher threads.

Only requests that are queued or running can be cancelled, so the sets stay as small
as the queue. A cancelled progress cancels the request that reported it.
"""

from __future__ import annotations

import threading


class CancellationRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: set[int] = set()
        self._cancelled: set[int] = set()
        self._progress: dict[str, int] = {}

    def add_pending(self, seq: int) -> None:
        with self._lock:
            self._pending.add(seq)

    def finish(self, seq: int) -> None:
        with self._lock:
            self._pending.discard(seq)
            self._cancelled.discard(seq)

    def cancel(self, *, request_id: int | None = None, progress_id: str | None = None) -> None:
        with self._lock:
            if progress_id is not None and progress_id in self._progress:
                self._cancelled.add(self._progress[progress_id])
            if request_id is not None and request_id in self._pending:
                self._cancelled.add(request_id)

    def is_cancelled(self, seq: int) -> bool:
        with self._lock:
            return seq in self._cancelled

    def add_progress(self, progress_id: str, seq: int) -> None:
        with self._lock:
            self._progress[progress_id] = seq

    def remove_progress(self, progress_id: str) -> None:
        with self._lock:
            self._progress.pop(progress_id, None)
