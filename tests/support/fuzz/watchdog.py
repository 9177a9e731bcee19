"""A per-case time limit: a case that runs too long is a hang, reported with where it was.

`time_limit` arms SIGALRM (main thread only) and raises `Hang`, a BaseException so that no
`except Exception` in the server can swallow it. As a backstop for a hang inside C code (where
no Python signal handler runs), faulthandler dumps every thread's stack; whoever waits for the
process (pytest's own timeout, the campaign's pool) ends it.
"""

from __future__ import annotations

import faulthandler
import signal
import sys
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

BACKSTOP_FACTOR = 10


class Hang(BaseException):
    """The case ran past its time limit; the message holds the innermost frames."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        where = "".join(traceback.format_stack(frame, limit=6)) if frame is not None else "?"
        raise Hang(f"still running after {seconds:.1f} s, in:\n{where}")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(seconds * BACKSTOP_FACTOR, exit=False, file=sys.stderr)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        faulthandler.cancel_dump_traceback_later()
        signal.signal(signal.SIGALRM, previous)
