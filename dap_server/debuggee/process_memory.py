"""A live process's address space, read in bulk while it is stopped (debuggee/vm_read.py).

Reads go through 64 KiB blocks kept for the stop (one read per block instead of one per value;
PTRACE_PEEKDATA's word at a time is 500× slower). A read that a block cannot serve (the block
runs into an unmapped page) is tried once more exactly as asked; past that it is unreadable.
"""

from __future__ import annotations

import struct
from typing import Any

from .errors import UnreadableMemory
from .reads import MemoryReads
from .vm_read import RemoteReader

_BLOCK = 64 << 10
_MAX_BLOCKS = 4096  # 256 MiB of cached blocks; then the cache starts afresh


class ProcessMemory(MemoryReads):
    """Memory of a stopped process; valid until it runs again (then make a new one)."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._reader = RemoteReader(pid)
        self._blocks: dict[int, bytes | None] = {}  # None: the block's first page is not mapped

    def close(self) -> None:
        self._reader.close()

    def read(self, addr: int, size: int) -> bytes:
        if size <= 0:
            if size == 0:
                return b""
            raise UnreadableMemory(addr, size, "negative size")
        if addr < 0 or addr + size > 1 << 64:
            raise UnreadableMemory(addr, size, "address out of range")
        first, last = addr // _BLOCK, (addr + size - 1) // _BLOCK
        if first == last:
            block = self._block(first)
            off = addr - first * _BLOCK
            if block is not None and off + size <= len(block):
                return block[off : off + size]
        elif last - first < 64:
            parts = [self._block(b) for b in range(first, last + 1)]
            if all(p is not None and len(p) == _BLOCK for p in parts[:-1]) and parts[-1] is not None:
                data = b"".join(parts)  # type: ignore[arg-type]
                off = addr - first * _BLOCK
                if off + size <= len(data):
                    return data[off : off + size]
        return self._exact(addr, size)

    def _block(self, index: int) -> bytes | None:
        block = self._blocks.get(index)
        if block is None and index not in self._blocks:
            block = self._reader.read(index * _BLOCK, _BLOCK) or None
            if len(self._blocks) >= _MAX_BLOCKS:
                self._blocks.clear()
            self._blocks[index] = block
        return block

    def _exact(self, addr: int, size: int) -> bytes:
        data = self._reader.read(addr, size)
        if len(data) != size:
            raise UnreadableMemory(addr, size, f"{addr + len(data):#x} is not mapped in process {self._pid}")
        return data

    def unpack(self, fmt: struct.Struct, addr: int) -> tuple[Any, ...]:
        return fmt.unpack(self.read(addr, fmt.size))

    def window(self, addr: int, size: int) -> tuple[bytes, int] | None:
        try:
            return self.read(addr, size), 0
        except UnreadableMemory:
            return None
