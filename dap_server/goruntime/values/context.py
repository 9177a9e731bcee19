"""What every value of one process shares: memory, types, where a value is, why it cannot be read,
and limits. This module imports no other module of the values engine: `base.ValueContext` builds
on `ProcessReader` with what needs the Value classes (making values, runtime type descriptors).

Limits are constants on purpose: every loop over target memory is bounded by one of them and by the
bytes actually readable, so a corrupted length or a cyclic structure can never hang the server or
make it allocate without bound.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ...debuggee.api import Memory, UnreadableMemory
from ...program.dwarf.dies import DwarfError
from ...program.dwarf.locations import OPTIMIZED_AWAY  # what DWARF says of a value the compiler dropped
from ...program.dwarf.types import TypeTable
from ...program.program import Program

MAX_VALUE_READ = 1 << 20  # bytes read at once for one value; bigger values are read piece by piece
MAX_FULL_STRING = 64 << 20  # full_string() stops here (Delve stops at 512 bytes)
SUMMARY_BUDGET = 256  # characters of a one-line summary
STRING_PREVIEW = 200  # bytes of a string shown inside a summary
PAGE_LIMIT = 1024  # children returned by one request when the caller gives no count
MAX_MAP_SLOTS = 1 << 22  # slots visited while iterating one map
MAX_CHAIN = 1 << 16  # overflow buckets followed in one bucket chain
PARTLY_OPTIMIZED_AWAY = f"{OPTIMIZED_AWAY} (this part of the value was not kept)"

_U64 = struct.Struct("<Q")


class Unreadable(Exception):
    """A value (or part of it) cannot be decoded; `reason` is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# What decoding a value may raise: unreadable target memory, or DWARF too damaged to describe it.
DECODE_ERRORS = (Unreadable, DwarfError)


def reason_of(exc: Exception) -> str:
    return exc.reason if isinstance(exc, Unreadable) else str(exc)


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a value is: at an address, as known bytes (registers, literals), or missing (why).

    Known bytes may have `holes`: [start, end) ranges of pieces the compiler did not keep (a dead
    slice capacity, say); reading them is "optimized away", reading the rest works.
    """

    address: int | None = None
    data: bytes | None = None
    missing: str | None = None
    holes: tuple[tuple[int, int], ...] = ()

    def at(self, offset: int) -> Loc:
        if self.missing is not None:
            return self
        if self.data is not None:
            holes = tuple((a - offset, b - offset) for a, b in self.holes if b > offset)
            return Loc(data=self.data[offset:], holes=holes)
        assert self.address is not None
        return Loc(address=self.address + offset)

    def known(self, offset: int, size: int) -> bool:
        """Whether bytes [offset, offset+size) of known data are all there."""
        assert self.data is not None
        end = offset + size
        return end <= len(self.data) and not any(a < end and offset < b for a, b in self.holes)


class ProcessReader:
    """The memory and the executable of one process, as value decoding reads them: bounded reads
    that raise Unreadable, and the DWARF types."""

    def __init__(self, memory: Memory, program: Program) -> None:
        self.memory = memory
        self.program = program
        # Bit-set types' named bits, by type name (values/flags.py).
        self.flag_sets: dict[str, tuple[tuple[int, str], ...]] = {}

    @property
    def types(self) -> TypeTable:
        return self.program.dwarf.types

    def read(self, addr: int, size: int) -> bytes:
        if size < 0 or size > MAX_VALUE_READ:
            raise Unreadable(f"refusing to read {size} bytes at {addr:#x} at once")
        try:
            return self.memory.read(addr, size)
        except UnreadableMemory as exc:
            raise Unreadable(_reason(exc)) from None

    def word(self, addr: int) -> int:
        return int(_U64.unpack(self.read(addr, 8))[0])

    def readable(self, addr: int, size: int = 1) -> bool:
        return addr >= 0 and size >= 0 and self.memory.readable(addr, max(size, 1))

    def why_unreadable(self, addr: int) -> str:
        """Why the byte at `addr` cannot be read ("missing: the core file is truncated", …)."""
        return (self.memory.why_unreadable(addr) if addr >= 0 else None) or "address out of range"

    def function_at(self, pc: int) -> tuple[str, str, int] | None:
        """(name, file, line of its entry) of the function containing run-time `pc`."""
        pcln = self.program.pclntab
        func = pcln.func_for_pc(pc)
        if func is None:
            return None
        file, line = pcln.file_line(func, func.entry)
        return func.name, file, line


def _reason(exc: UnreadableMemory) -> str:
    return f"cannot read {exc.size} bytes at {exc.addr:#x}: {exc.reason}"
