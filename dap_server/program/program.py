"""One Go executable: its image, symbols, build info, pc-line table and DWARF, with a load bias.

All addresses this class hands out are run-time addresses (link-time address + load bias), so
callers never care whether the binary is position-independent.
"""

from __future__ import annotations

from functools import cached_property

from .buildinfo import BuildInfo, go_minor, parse_buildinfo
from .dwarf.info import DwarfInfo
from .elf_image import ElfImage
from .errors import ProgramError
from .layout_tables import fallback_tables
from .moduledata import find_moduledata
from .pclntab import Pclntab
from .symbols import STT_OBJECT, Symbol, SymbolTable

_PCLNTAB_SECTIONS = (".gopclntab", ".data.rel.ro.gopclntab")


class Program:
    """Static facts about the executable that produced a core."""

    def __init__(self, path: str) -> None:
        self.image = ElfImage(path)
        self.path = path
        self.symbols = SymbolTable(self.image)
        self.dwarf = DwarfInfo(self.image)
        self.bias = 0
        self._recovered: dict[str, Symbol] = {}
        blob = self.image.section_data(".go.buildinfo")
        self.buildinfo: BuildInfo | None = parse_buildinfo(blob) if blob else None
        if not self.is_go:
            self.image.close()
            raise ProgramError(
                f"{path} is not a Go program (it has no .gopclntab and no Go build info); godap debugs Go programs only"
            )

    @property
    def is_go(self) -> bool:
        return self.buildinfo is not None or any(self.image.section(s) for s in _PCLNTAB_SECTIONS)

    def set_load_bias(self, bias: int) -> None:
        """Where a position-independent executable was loaded, relative to its link address."""
        self.bias = bias
        self.__dict__.pop("pclntab", None)

    @property
    def go_version(self) -> str:
        return self.buildinfo.go_version if self.buildinfo else ""

    @property
    def go_minor(self) -> int | None:
        return go_minor(self.go_version)

    @property
    def build_ids(self) -> dict[str, tuple[int, bytes]]:
        """Build-id notes by kind ("go", "gnu"): (run-time address of the note section, its bytes)."""
        ids = {}
        for section, kind in ((".note.go.buildid", "go"), (".note.gnu.build-id", "gnu")):
            sec = self.image.section(section)
            if sec is None:
                continue
            raw = bytes(self.image.data[sec.header.offset : sec.header.offset + sec.size])
            ids[kind] = (sec.addr + self.bias, raw)
        return ids

    def symbol(self, name: str) -> Symbol | None:
        """A symbol by name, at its run-time address: from the symbol table, or recovered by
        analysis when the binary was stripped (see `remember_symbol`)."""
        sym = self.symbols.find(name)
        if sym is not None:
            return Symbol(sym.name, sym.value + self.bias, sym.size, sym.kind)
        return self._recovered.get(name)

    def symbol_address(self, name: str) -> int | None:
        sym = self.symbol(name)
        return None if sym is None else sym.value

    def remember_symbol(self, name: str, address: int, size: int = 0) -> None:
        """Record where a runtime variable of a stripped binary was found (a run-time address)."""
        self._recovered[name] = Symbol(name, address, size, STT_OBJECT)

    @property
    def stripped(self) -> bool:
        return not self.symbols

    @cached_property
    def pclntab(self) -> Pclntab:
        data = None
        for name in _PCLNTAB_SECTIONS:
            data = self.image.section_data(name)
            if data:
                break
        if not data:
            raise ProgramError(f"{self.path} has no pc-line table (.gopclntab); cannot walk Go stacks")
        text = self.symbols.find("runtime.text")
        gofunc = self.symbols.find("go:func.*")
        moduledata = fallback_tables(self.go_minor)["runtime.moduledata"]  # stripped: no DWARF either
        text_start = text.value if text is not None else self._moduledata_word(moduledata["text"])
        gofunc_start = gofunc.value if gofunc is not None else self._moduledata_word(moduledata["gofunc"])
        if text_start is None:
            section = self.image.section(".text")
            if section is None:
                raise ProgramError(f"{self.path} has neither a runtime.text symbol nor a .text section")
            text_start = section.addr
        return Pclntab(data, text_start + self.bias, gofunc_start, self.image.read_link, self.bias)

    def _moduledata_word(self, offset: int) -> int | None:
        """A field of runtime.firstmoduledata as the file stores it (for stripped binaries)."""
        address = find_moduledata(self.image)
        raw = self.image.read_link(address + offset, 8) if address is not None and not self.image.is_pie else None
        return int.from_bytes(raw, "little") or None if raw else None

    def close(self) -> None:
        self.image.close()
