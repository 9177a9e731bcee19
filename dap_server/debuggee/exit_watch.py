"""Notice that a process ended while it ran untraced (between two stops).

A detached process is not godap's child, so no wait status ever reaches godap; a pidfd becomes
readable when the process ends, which a thread polls alongside a pipe that cancels the watch.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections.abc import Callable


class ExitWatch:
    """Calls `on_exit()` once, from its own thread, if process `pid` ends before `cancel()`."""

    def __init__(self, pid: int, on_exit: Callable[[], None]) -> None:
        self._on_exit = on_exit
        self._lock = threading.Lock()
        self._cancelled = False
        self._wake_read, self._wake_write = os.pipe()
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except ProcessLookupError:
            self._pidfd = None  # already gone: say so at once, from the watch's thread as always
        self._thread = threading.Thread(target=self._watch, name=f"godap-exit-watch-{pid}", daemon=True)
        self._thread.start()

    def cancel(self) -> None:
        """Stop watching (the process is stopped again, or the session ends). Waits for the thread,
        unless called from `on_exit` itself; then closes the descriptors. Idempotent."""
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
        os.write(self._wake_write, b"x")
        if self._thread is not threading.current_thread():
            self._thread.join()
        for fd in (self._pidfd, self._wake_read, self._wake_write):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)

    def _watch(self) -> None:
        if self._pidfd is None or self._wait_for_exit(self._pidfd):
            self._on_exit()

    def _wait_for_exit(self, pidfd: int) -> bool:
        """True when the process ended, False when the watch was cancelled first."""
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        poller.register(self._wake_read, select.POLLIN)
        ready = {fd for fd, _ in poller.poll()}
        return self._wake_read not in ready
