"""The reads every Memory offers, written once on top of a source's own `read` and `unpack`."""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from typing import Any

from .errors import UnreadableMemory

_U64 = struct.Struct("<Q")
_U32 = struct.Struct("<I")


class MemoryReads(ABC):
    """Words and readability checks for a memory source that defines `read` and `unpack`."""

    @abstractmethod
    def read(self, addr: int, size: int) -> bytes:
        """Exactly `size` bytes at `addr`, or UnreadableMemory."""

    @abstractmethod
    def unpack(self, fmt: struct.Struct, addr: int) -> tuple[Any, ...]:
        """`fmt.unpack` of the bytes at `addr`."""

    def u64(self, addr: int) -> int:
        return int(self.unpack(_U64, addr)[0])

    def u32(self, addr: int) -> int:
        return int(self.unpack(_U32, addr)[0])

    def readable(self, addr: int, size: int = 1) -> bool:
        return self.why_unreadable(addr, size) is None

    def why_unreadable(self, addr: int, size: int = 1) -> str | None:
        try:
            self.read(addr, size)
        except UnreadableMemory as exc:
            return exc.reason
        return None
