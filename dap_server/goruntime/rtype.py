"""Runtime type descriptors (`internal/abi.Type`): kind, size and name, read from memory.

Used where the core only gives a type pointer: the dynamic type of an interface or a panic value.
Layout (Go 1.21–1.27): Size_ 0, TFlag 20, Kind_ 23, Str 40 (a NameOff from moduledata.types);
names are `abi.Name` records: a flags byte, a uvarint length, the bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from enum import IntEnum

from ..program.program import Program
from ..target.errors import UnreadableMemory
from ..target.memory import Memory
from .layouts import RuntimeLayouts

_TYPE_HEADER = struct.Struct("<Q12xBBBB16xiI")
_KIND_MASK = 0x1F
_TFLAG_EXTRA_STAR = 2
_MAX_NAME = 1 << 16


class Kind(IntEnum):
    INVALID = 0
    BOOL = 1
    INT = 2
    INT8 = 3
    INT16 = 4
    INT32 = 5
    INT64 = 6
    UINT = 7
    UINT8 = 8
    UINT16 = 9
    UINT32 = 10
    UINT64 = 11
    UINTPTR = 12
    FLOAT32 = 13
    FLOAT64 = 14
    COMPLEX64 = 15
    COMPLEX128 = 16
    ARRAY = 17
    CHAN = 18
    FUNC = 19
    INTERFACE = 20
    MAP = 21
    POINTER = 22
    SLICE = 23
    STRING = 24
    STRUCT = 25
    UNSAFE_POINTER = 26


@dataclass(frozen=True, slots=True)
class RuntimeType:
    addr: int
    size: int
    kind: Kind
    tflag: int
    name: str


class RuntimeTypes:
    """Decodes `*abi.Type` pointers of the main module, caching by address."""

    def __init__(self, memory: Memory, program: Program, layouts: RuntimeLayouts) -> None:
        self._memory = memory
        self._cache: dict[int, RuntimeType | None] = {}
        self.types_base = self._types_base(program, layouts)

    def _types_base(self, program: Program, layouts: RuntimeLayouts) -> int | None:
        moduledata = program.symbol_address("runtime.firstmoduledata")
        offset = layouts.offset("runtime.moduledata", "types")
        if moduledata is not None and offset is not None:
            try:
                return self._memory.u64(moduledata + offset)
            except UnreadableMemory:
                pass
        return program.symbol_address("runtime.types")

    def get(self, addr: int) -> RuntimeType | None:
        """The descriptor at `addr`, or None if it cannot be read as one."""
        if addr in self._cache:
            return self._cache[addr]
        result = None
        try:
            size, tflag, _, _, kind, name_off, _ = self._memory.unpack(_TYPE_HEADER, addr)
            name = self._name(name_off)
            if name is not None:
                if tflag & _TFLAG_EXTRA_STAR and name.startswith("*"):
                    name = name[1:]
                result = RuntimeType(addr, size, _kind(kind & _KIND_MASK), tflag, name)
        except UnreadableMemory:
            result = None
        self._cache[addr] = result
        return result

    def _name(self, name_off: int) -> str | None:
        if self.types_base is None or name_off <= 0:
            return None
        addr = self.types_base + name_off
        head = self._memory.read(addr, 1 + 10)
        length = 0
        shift = 0
        pos = 1
        while pos < len(head):
            byte = head[pos]
            length |= (byte & 0x7F) << shift
            pos += 1
            if byte < 0x80:
                break
            shift += 7
        if length > _MAX_NAME:
            return None
        return self._memory.read(addr + pos, length).decode("utf-8", "replace")


def _kind(value: int) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        return Kind.INVALID
