"""Finding the runtime's variables in binaries without a symbol table (`go build -ldflags=-s`).

pclntab survives stripping, so the runtime's functions can still be found by name and their
machine code tells where the variables they use live; the runtime's tables of names are found
by their contents. Every find is validated against the core before it is trusted.
"""

from __future__ import annotations

import struct

from ..debuggee.api import Memory, Thread, UnreadableMemory
from ..program.code_refs import data_refs, slice_header
from ..program.moduledata import find_moduledata
from ..program.program import Program
from .layouts import RuntimeLayouts

MAX_SLICE = 1 << 27
MAX_MS = 4096
_STRING = struct.Struct("<QQ")
_WAIT_REASONS_ALWAYS = frozenset({b"IO wait", b"GC sweep wait", b"chan receive", b"select", b"sleep"})
# table symbol → (a string it holds, that string's index, the entry struct or None for a string, entries)
_TABLES = {
    "runtime.gStatusStrings": (b"runnable", 1, None, 12),
    "runtime.sigtable": (b"SIGSEGV: segmentation violation", 11, "runtime.sigTabT", 65),
}


def recover_runtime_symbols(
    memory: Memory, program: Program, layouts: RuntimeLayouts, threads: list[Thread]
) -> list[str]:
    """Remember the runtime variables this stripped binary's code and data reveal; notes on what was done."""
    if not program.stripped:
        return []
    notes = []
    allgs = _allgs(memory, program)
    if allgs is not None:
        program.remember_symbol("runtime.allgs", allgs, 24)
        notes.append(f"stripped binary: found runtime.allgs at {allgs:#x} through runtime.allgadd's code")
    moduledata = find_moduledata(program.image)
    if moduledata is not None:
        program.remember_symbol(
            "runtime.firstmoduledata", moduledata + program.bias, layouts.size("runtime.moduledata") or 0
        )
    allm = _allm(memory, program, layouts, {t.lwp for t in threads})
    if allm is not None:
        program.remember_symbol("runtime.allm", allm, 8)
    strings = _StringScan(memory, program)
    for name, (needle, index, struct_name, count) in _TABLES.items():
        entry = layouts.size(struct_name) if struct_name else _STRING.size
        offset = layouts.offset(struct_name, "name") if struct_name else 0
        if entry is None or offset is None:
            continue
        start = strings.table(needle, index, entry, offset)
        if start is not None:
            program.remember_symbol(name, start, entry * count)
    reasons = strings.wait_reasons()
    if reasons is not None:
        program.remember_symbol("runtime.waitReasonStrings", reasons[0], 16 * reasons[1])
    return notes


def _allgs(memory: Memory, program: Program) -> int | None:
    for function in ("runtime.allgadd", "runtime.forEachG"):
        address = slice_header(data_refs(program, function))
        if address is None:
            continue
        try:
            array, length, capacity = struct.unpack("<QQQ", memory.read(address, 24))
        except UnreadableMemory:
            continue
        if array and 0 < length <= capacity < MAX_SLICE:
            return address
    return None


def _allm(memory: Memory, program: Program, layouts: RuntimeLayouts, lwps: set[int]) -> int | None:
    """The variable (referenced by runtime.mcommoninit) whose M list holds the core's threads."""
    procid = layouts.offset("runtime.m", "procid")
    alllink = layouts.offset("runtime.m", "alllink")
    if procid is None or alllink is None:
        return None
    best, best_hits = None, 0
    for candidate in sorted(set(data_refs(program, "runtime.mcommoninit"))):
        hits = 0
        try:
            cursor = memory.u64(candidate)
            seen: set[int] = set()
            while cursor and cursor not in seen and len(seen) < MAX_MS:
                seen.add(cursor)
                hits += memory.u64(cursor + procid) in lwps
                cursor = memory.u64(cursor + alllink)
        except UnreadableMemory:
            pass
        if hits > best_hits:
            best, best_hits = candidate, hits
    return best


class _StringScan:
    """Go string headers in the executable's initialized data, pointing at known text."""

    def __init__(self, memory: Memory, program: Program) -> None:
        self._memory = memory
        image = program.image
        self._data = []
        for name in (".data", ".noptrdata"):
            section = image.section(name)
            if section is None:
                continue
            try:
                self._data.append((section.addr + program.bias, memory.read(section.addr + program.bias, section.size)))
            except UnreadableMemory:
                continue
        rodata = image.section(".rodata")
        self._rodata = (rodata.addr + program.bias, image.section_data(".rodata") or b"") if rodata else (0, b"")

    def _headers_to(self, text: bytes) -> list[int]:
        """Addresses of string headers {ptr, len(text)} whose bytes are `text`."""
        base, blob = self._rodata
        pointers: set[int] = set()
        start = 0
        while (hit := blob.find(text, start)) >= 0 and len(pointers) < 64:
            pointers.add(base + hit)
            start = hit + 1
        found = []
        for address, data in self._data:
            for offset in range(0, len(data) - 15, 8):
                ptr, length = _STRING.unpack_from(data, offset)
                if length == len(text) and ptr in pointers:
                    found.append(address + offset)
        return found

    def _valid(self, address: int) -> bool:
        try:
            ptr, length = _STRING.unpack(self._memory.read(address, 16))
        except UnreadableMemory:
            return False
        base, blob = self._rodata
        return (ptr == 0 and length == 0) or (base <= ptr and ptr + length <= base + len(blob) and 0 < length < 128)

    def table(self, needle: bytes, index: int, entry: int, offset: int) -> int | None:
        """The start of a table of `entry`-byte records holding `needle` at position `index`."""
        for header in self._headers_to(needle):
            start = header - offset - index * entry
            if all(self._valid(start + i * entry + offset) for i in range(index + 1)):
                return start
        return None

    def wait_reasons(self) -> tuple[int, int] | None:
        """runtime.waitReasonStrings: (start, entries); its length and order change between releases,
        so the table is the run of string headers around "chan receive" that starts with ""."""
        for header in self._headers_to(b"chan receive"):
            start = header
            while start - 16 >= header - 16 * 64 and self._valid(start - 16):
                start -= 16
                if self._memory.read(start, 16) == bytes(16):
                    break
            end = header
            while (
                end + 16 <= header + 16 * 64 and self._valid(end + 16) and self._memory.read(end + 16, 16) != bytes(16)
            ):
                end += 16
            if self._memory.read(start, 16) == bytes(16) and self._holds(start, end, _WAIT_REASONS_ALWAYS):
                return start, (end - start) // 16 + 1
        return None

    def _holds(self, start: int, end: int, texts: frozenset[bytes]) -> bool:
        """Whether the string table [start, end] holds every one of `texts` (tells the wait-reason
        table from others that share strings with it, such as the tracer's block reasons)."""
        found: set[bytes] = set()
        for entry in range(start, end + 16, 16):
            ptr, length = _STRING.unpack(self._memory.read(entry, 16))
            if 0 < length < 128:
                found.add(self._memory.read(ptr, length))
        return texts <= found
