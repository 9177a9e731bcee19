"""The ELF symbol table, read raw: by-name lookups search .strtab bytes instead of building objects."""

from __future__ import annotations

import struct
from bisect import bisect_right
from typing import NamedTuple

from .elf_image import ElfImage

_SYM = struct.Struct("<IBBHQQ")
STT_FUNC = 2
STT_OBJECT = 1


class Symbol(NamedTuple):
    name: str
    value: int
    size: int
    kind: int


class SymbolTable:
    """`.symtab` and `.strtab`; empty for stripped binaries."""

    def __init__(self, image: ElfImage) -> None:
        self._symtab = image.section_data(".symtab") or b""
        self._strtab = image.section_data(".strtab") or b""
        self._by_name: dict[str, Symbol | None] = {}
        self._sorted_funcs: list[Symbol] | None = None
        self._starts: list[int] = []

    def __bool__(self) -> bool:
        return bool(self._symtab)

    def find(self, name: str) -> Symbol | None:
        """The symbol called `name`, found by searching the string table first."""
        if name in self._by_name:
            return self._by_name[name]
        found = self._search(name)
        self._by_name[name] = found
        return found

    def _search(self, name: str) -> Symbol | None:
        needle = b"\0" + name.encode() + b"\0"
        offsets = set()
        start = 0
        while (hit := self._strtab.find(needle, start)) >= 0:
            offsets.add(hit + 1)
            start = hit + 1
        for offset in sorted(offsets):
            # The entry's first word is its name's offset: search for it at entry boundaries.
            key = struct.pack("<I", offset)
            pos = self._symtab.find(key)
            while pos >= 0:
                if pos % _SYM.size == 0:
                    _, info, _, _, value, size = _SYM.unpack_from(self._symtab, pos)
                    if value:
                        return Symbol(name, value, size, info & 0xF)
                pos = self._symtab.find(key, pos + 1)
        return None

    def defined(self, kind: int) -> list[Symbol]:
        """Every defined symbol of one kind (STT_OBJECT, STT_FUNC), in table order."""
        strtab = self._strtab
        out = []
        for st_name, info, _, _, value, size in _SYM.iter_unpack(self._symtab[: len(self._symtab) // 24 * 24]):
            if info & 0xF == kind and value:
                end = strtab.find(b"\0", st_name)
                out.append(Symbol(strtab[st_name:end].decode("utf-8", "replace"), value, size, kind))
        return out

    def function_at(self, addr: int) -> Symbol | None:
        """The function symbol containing `addr` (used to name C frames of cgo programs)."""
        if self._sorted_funcs is None:
            self._index_functions()
        assert self._sorted_funcs is not None
        i = bisect_right(self._starts, addr) - 1
        if i < 0:
            return None
        sym = self._sorted_funcs[i]
        if sym.size and addr >= sym.value + sym.size:
            return None
        return sym

    def _index_functions(self) -> None:
        funcs = self.defined(STT_FUNC)
        funcs.sort(key=lambda s: s.value)
        self._sorted_funcs = funcs
        self._starts = [s.value for s in funcs]
