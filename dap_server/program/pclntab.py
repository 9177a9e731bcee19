"""Go's pc-line table (`runtime.pcHeader`, Go 1.18+ layout): functions by pc, frame sizes, file:line
and the inline tree, decoded lazily with per-table caches.

Layout facts: src/runtime/symtab.go (`pcHeader`, `_func`, `step`, `pcvalue`) and
src/runtime/symtabinl.go (`inlinedCall`), identical from Go 1.21 to 1.27.
"""

from __future__ import annotations

import struct
from array import array
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from .errors import ProgramError

MAGIC_GO120 = 0xFFFFFFF1
MAGIC_GO118 = 0xFFFFFFF0
_HEADER = struct.Struct("<IBBBBQQQQQQQQQ")
_FUNC = struct.Struct("<IiiIIIIIIiBBBB")
_INLINED_CALL = struct.Struct("<B3xiii")

PCDATA_UNSAFE_POINT = 0
PCDATA_INL_TREE_INDEX = 2
FUNCDATA_INL_TREE = 3
FUNCFLAG_TOPFRAME = 1
FUNCFLAG_SPWRITE = 2
FUNCFLAG_ASM = 4
_NO_FUNCDATA = 0xFFFFFFFF
_TABLE_CACHE_LIMIT = 500_000
_LOCATION_CACHE_LIMIT = 1_000_000

ReadLink = Callable[[int, int], bytes | None]


@dataclass(frozen=True, slots=True)
class Func:
    """One `_func` record; `entry`/`end` are run-time addresses."""

    index: int
    entry: int
    end: int
    name: str
    args: int
    pcsp: int
    pcfile: int
    pcln: int
    cu_offset: int
    start_line: int
    func_id: int
    flag: int
    pcdata: tuple[int, ...]
    funcdata: tuple[int, ...]

    @property
    def is_top_frame(self) -> bool:
        return bool(self.flag & FUNCFLAG_TOPFRAME)

    @property
    def writes_sp(self) -> bool:
        return bool(self.flag & FUNCFLAG_SPWRITE)


class SourceLocation(NamedTuple):
    """One logical frame at a pc: the physical function, or a call the compiler inlined there."""

    function: str
    file: str
    line: int
    inlined: bool
    func: Func


class Pclntab:
    """pc → function / frame size / file:line / inlined calls, for one module."""

    def __init__(self, data: bytes, text_start: int, gofunc: int | None, read_link: ReadLink, bias: int = 0) -> None:
        if len(data) < _HEADER.size:
            raise ProgramError("the pc-line table (.gopclntab) is too short")
        (
            magic,
            pad1,
            pad2,
            min_lc,
            ptr_size,
            nfunc,
            nfiles,
            _text,
            funcname_off,
            cu_off,
            filetab_off,
            pctab_off,
            pcln_off,
            _,
        ) = _HEADER.unpack_from(data)
        if magic not in (MAGIC_GO120, MAGIC_GO118) or pad1 or pad2 or ptr_size != 8 or min_lc not in (1, 2, 4):
            raise ProgramError(
                f"the pc-line table has an unknown header (magic {magic:#x}); godap reads Go 1.18+ binaries"
            )
        self.data = data
        self.min_lc = min_lc
        self.nfunc = nfunc
        self.nfiles = nfiles
        self.text_start = text_start
        self.bias = bias
        self._gofunc = gofunc
        self._read_link = read_link
        self._funcnametab = funcname_off
        self._cutab = cu_off
        self._filetab = filetab_off
        self._pctab = pctab_off
        self._functab = pcln_off
        ftab_end = pcln_off + (nfunc + 1) * 8
        for name, off in (("funcname", funcname_off), ("cu", cu_off), ("file", filetab_off), ("pc", pctab_off)):
            if off > len(data):
                raise ProgramError(f"the pc-line table is corrupt: its {name} table starts past its end")
        if ftab_end > len(data) or nfunc == 0:
            raise ProgramError("the pc-line table is corrupt: the function table runs past its end")
        pairs = array("I", data[pcln_off:ftab_end])
        self._entries = pairs[0::2]
        self._funcoffs = pairs[1::2]
        if any(self._entries[i] > self._entries[i + 1] for i in range(0, nfunc, max(1, nfunc // 64))):
            raise ProgramError("the pc-line table is corrupt: function entries are not sorted")
        self._funcs: dict[int, Func] = {}
        self._tables: dict[int, tuple[array[int], array[int]]] = {}
        self._names: dict[int, str] = {}
        self._files: dict[int, str] = {}
        self._locations: dict[int, tuple[SourceLocation, ...]] = {}
        self._by_name: dict[str, int] | None = None

    @property
    def text_end(self) -> int:
        return self.text_start + self._entries[self.nfunc]

    def func_for_pc(self, pc: int) -> Func | None:
        off = pc - self.text_start
        entries = self._entries
        if off < 0 or off >= entries[self.nfunc]:
            return None
        i = bisect_right(entries, off, 0, self.nfunc) - 1
        if i < 0:
            return None
        return self.func_at(i)

    def func_at(self, index: int) -> Func:
        func = self._funcs.get(index)
        if func is None:
            func = self._decode_func(index)
            self._funcs[index] = func
        return func

    def function_named(self, name: str) -> Func | None:
        """The function called `name` (an index of names is built on the first call)."""
        if self._by_name is None:
            index: dict[str, int] = {}
            for i in range(self.nfunc):
                off = self._functab + self._funcoffs[i] + 4
                if off + 4 <= len(self.data):
                    (name_off,) = struct.unpack_from("<i", self.data, off)
                    index.setdefault(self._funcname(name_off), i)
            self._by_name = index
        found = self._by_name.get(name)
        return None if found is None else self.func_at(found)

    def functions(self) -> list[Func]:
        """Every function (decodes all records: for listings, not for request paths of a core)."""
        return [self.func_at(i) for i in range(self.nfunc)]

    def _decode_func(self, index: int) -> Func:
        base = self._functab + self._funcoffs[index]
        if base + _FUNC.size > len(self.data):
            raise ProgramError(f"the pc-line table is corrupt: function record {index} lies past its end")
        (
            entry_off,
            name_off,
            args,
            _,
            pcsp,
            pcfile,
            pcln,
            npcdata,
            cu_offset,
            start_line,
            func_id,
            flag,
            _,
            nfuncdata,
        ) = _FUNC.unpack_from(self.data, base)
        tail = base + _FUNC.size
        npcdata = min(npcdata, 16)
        pcdata = struct.unpack_from(f"<{npcdata}I", self.data, tail) if npcdata else ()
        tail += 4 * npcdata
        funcdata = struct.unpack_from(f"<{nfuncdata}I", self.data, tail) if nfuncdata else ()
        end = self._entries[index + 1] if index + 1 <= self.nfunc else entry_off
        return Func(
            index=index,
            entry=self.text_start + entry_off,
            end=self.text_start + end,
            name=self._funcname(name_off),
            args=args,
            pcsp=pcsp,
            pcfile=pcfile,
            pcln=pcln,
            cu_offset=cu_offset,
            start_line=start_line,
            func_id=func_id,
            flag=flag,
            pcdata=pcdata,
            funcdata=funcdata,
        )

    def _funcname(self, name_off: int) -> str:
        name = self._names.get(name_off)
        if name is None:
            start = self._funcnametab + name_off
            end = self.data.find(b"\0", start, start + 4096)
            name = self.data[start : end if end >= 0 else start].decode("utf-8", "replace") or "?"
            self._names[name_off] = name
        return name

    def _table(self, offset: int) -> tuple[array[int], array[int]]:
        """A pc-value table decoded once: (ends, values), pcs relative to the function entry."""
        cached = self._tables.get(offset)
        if cached is not None:
            return cached
        if len(self._tables) > _TABLE_CACHE_LIMIT:
            self._tables.clear()
        ends = array("q")
        values = array("q")
        data = self.data
        pos = self._pctab + offset
        limit = len(data)
        pc = 0
        val = -1
        quantum = self.min_lc
        first = True
        while pos < limit:
            uv = data[pos]
            pos += 1
            if uv & 0x80:
                uv, pos = _varint_tail(data, pos, uv)
            if uv == 0 and not first:
                break
            first = False
            val += (uv >> 1) ^ -(uv & 1)
            pcd = data[pos] if pos < limit else 0
            pos += 1
            if pcd & 0x80:
                pcd, pos = _varint_tail(data, pos, pcd)
            pc += pcd * quantum
            ends.append(pc)
            values.append(val)
            if len(ends) > 1 << 22:
                break
        result = (ends, values)
        self._tables[offset] = result
        return result

    def pcvalue(self, func: Func, table_offset: int, pc: int) -> int:
        """The value of a pc-value table at `pc` (−1 when the table has no row for it)."""
        if table_offset == 0:
            return -1
        ends, values = self._table(table_offset)
        i = bisect_right(ends, pc - func.entry)
        return values[i] if i < len(values) else -1

    def sp_delta(self, func: Func, pc: int) -> int:
        """Bytes the function has pushed at `pc` (pcsp); 0 at the entry."""
        return max(0, self.pcvalue(func, func.pcsp, pc))

    def file_line(self, func: Func, pc: int) -> tuple[str, int]:
        file_index = self.pcvalue(func, func.pcfile, pc)
        line = self.pcvalue(func, func.pcln, pc)
        return self._file(func.cu_offset, file_index), line

    def _file(self, cu_offset: int, index: int) -> str:
        if index < 0:
            return "?"
        slot = self._cutab + 4 * (cu_offset + index)
        if slot + 4 > len(self.data):
            return "?"
        (off,) = struct.unpack_from("<I", self.data, slot)
        if off == 0xFFFFFFFF:
            return "?"
        name = self._files.get(off)
        if name is None:
            start = self._filetab + off
            end = self.data.find(b"\0", start, start + 4096)
            name = self.data[start : end if end >= 0 else start].decode("utf-8", "replace") or "?"
            self._files[off] = name
        return name

    def files(self) -> list[str]:
        """Every file name in the file table."""
        table = self.data[self._filetab : self._pctab]
        return [name.decode("utf-8", "replace") for name in table.split(b"\0") if name]

    def locations(self, pc: int) -> tuple[SourceLocation, ...]:
        """Logical frames at `pc` (already adjusted by the caller: pc−1 after a call), innermost first."""
        cached = self._locations.get(pc)
        if cached is not None:
            return cached
        func = self.func_for_pc(pc)
        if func is None:
            return ()
        frames: list[SourceLocation] = []
        cursor = pc
        tree = self._inline_tree(func)
        if tree is not None:
            seen = 0
            while seen < 256:
                idx = self.pcvalue(func, func.pcdata[PCDATA_INL_TREE_INDEX], cursor)
                if idx < 0:
                    break
                call = self._inlined_call(tree, idx)
                if call is None:
                    break
                name_off, parent_pc = call
                file, line = self.file_line(func, cursor)
                frames.append(SourceLocation(self._funcname(name_off), file, line, True, func))
                cursor = func.entry + parent_pc
                seen += 1
        file, line = self.file_line(func, cursor)
        frames.append(SourceLocation(func.name, file, line, False, func))
        result = tuple(frames)
        if len(self._locations) > _LOCATION_CACHE_LIMIT:
            self._locations.clear()
        self._locations[pc] = result
        return result

    def _inline_tree(self, func: Func) -> int | None:
        if len(func.pcdata) <= PCDATA_INL_TREE_INDEX or func.pcdata[PCDATA_INL_TREE_INDEX] == 0:
            return None
        return self.funcdata_address(func, FUNCDATA_INL_TREE)

    def funcdata_address(self, func: Func, index: int) -> int | None:
        """Where the function's funcdata `index` lies (go:func.* data), None when it has none."""
        if self._gofunc is None or len(func.funcdata) <= index or func.funcdata[index] == _NO_FUNCDATA:
            return None
        return self._gofunc + func.funcdata[index]

    def read_funcdata(self, addr: int, size: int) -> bytes | None:
        """`size` bytes of funcdata at `addr` (from `funcdata_address`), None if unreadable."""
        return self._read_link(addr, size)

    def _inlined_call(self, tree: int, index: int) -> tuple[int, int] | None:
        raw = self._read_link(tree + index * _INLINED_CALL.size, _INLINED_CALL.size)
        if raw is None:
            return None
        _, name_off, parent_pc, _ = _INLINED_CALL.unpack(raw)
        return name_off, parent_pc


def _varint_tail(data: bytes, pos: int, first: int) -> tuple[int, int]:
    """Finish a uvarint whose first byte (with the continuation bit) was `first`."""
    value = first & 0x7F
    shift = 7
    limit = len(data)
    while pos < limit and shift < 35:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
    return value & 0xFFFFFFFF, pos
