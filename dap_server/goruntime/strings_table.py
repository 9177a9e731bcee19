"""Reading Go string values and `[N]string` tables (wait reasons, status names) from memory."""

from __future__ import annotations

import struct

from ..debuggee.api import Memory, UnreadableMemory
from ..program.program import Program

MAX_TABLE = 256
MAX_NAME = 256


def read_go_string(memory: Memory, addr: int, limit: int = MAX_NAME) -> str:
    """The Go string header at `addr` ({ptr, len}); at most `limit` bytes of its contents."""
    ptr, length = struct.unpack("<QQ", memory.read(addr, 16))
    if length == 0:
        return ""
    if length > 1 << 40:
        raise UnreadableMemory(addr, 16, f"string length {length} is implausible")
    return memory.read(ptr, min(length, limit)).decode("utf-8", "replace")


def read_string_table(memory: Memory, program: Program, symbol: str) -> list[str] | None:
    """The contents of a package-level `[N]string` array such as runtime.waitReasonStrings."""
    sym = program.symbol(symbol)
    if sym is None or sym.size == 0 or sym.size % 16:
        return None
    count = min(sym.size // 16, MAX_TABLE)
    base = sym.value
    names = []
    for i in range(count):
        try:
            names.append(read_go_string(memory, base + 16 * i))
        except UnreadableMemory:
            names.append("")
    return names
