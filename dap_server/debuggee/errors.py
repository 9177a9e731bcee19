"""Errors raised by the debuggee layer."""

from __future__ import annotations


class DebuggeeError(Exception):
    """The core (or process) cannot be opened; the message is meant for the user."""


class DebuggeeExited(DebuggeeError):
    """The live process ended (while it ran, or while godap was stopping it)."""


class UnreadableMemory(Exception):
    """A read touched an address the target cannot supply; `reason` says why."""

    def __init__(self, addr: int, size: int, reason: str) -> None:
        super().__init__(f"cannot read {size} bytes at {addr:#x}: {reason}")
        self.addr = addr
        self.size = size
        self.reason = reason
