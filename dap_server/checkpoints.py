"""Checkpoints in long loops: a request's cancellation and time budget reach the unwinder and the
value decoders without a callback threaded through every call.

The session loop installs the running request's check with `installed(check)`; code deep down
calls `checkpoint()` every few thousand iterations, which raises whatever the check raises (the
DAP layer's `Cancelled` or `OverBudget`) and otherwise costs one ContextVar lookup. Outside a
request (the CLI report, tests) nothing is installed and `checkpoint()` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_check: ContextVar[Callable[[], None] | None] = ContextVar("godap_checkpoint", default=None)


def checkpoint() -> None:
    """Raise if the current request was cancelled or ran out of time."""
    check = _check.get()
    if check is not None:
        check()


@contextmanager
def installed(check: Callable[[], None]) -> Iterator[None]:
    """Make `check` the one `checkpoint()` calls, for the duration of the block."""
    token = _check.set(check)
    try:
        yield
    finally:
        _check.reset(token)
