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
from .pclntab import Pclntab
from .symbols import SymbolTable

NT_GNU_BUILD_ID = 3
NT_GO_BUILD_ID = 4
_PCLNTAB_SECTIONS = (".gopclntab", ".data.rel.ro.gopclntab")


class Program:
    """Static facts about the executable that produced a core."""

    def __init__(self, path: str) -> None:
        self.image = ElfImage(path)
        self.path = path
        self.symbols = SymbolTable(self.image)
        self.dwarf = DwarfInfo(self.image)
        self.bias = 0
        blob = self.image.section_data(".go.buildinfo")
        self.buildinfo: BuildInfo | None = parse_buildinfo(blob) if blob else None
        if not self.is_go:
            self.image.close()
            raise ProgramError(
                f"{path} is not a Go program (it has no .gopclntab and no Go build info); "
                "godap reads cores of Go programs"
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

    def go_build_id(self) -> str | None:
        for owner, kind, desc in self.image.notes(".note.go.buildid"):
            if owner == b"Go" and kind == NT_GO_BUILD_ID:
                return desc.decode("utf-8", "replace")
        return None

    def symbol_address(self, name: str) -> int | None:
        sym = self.symbols.find(name)
        return None if sym is None else sym.value + self.bias

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
        if text is not None:
            text_start = text.value
        else:
            section = self.image.section(".text")
            if section is None:
                raise ProgramError(f"{self.path} has neither a runtime.text symbol nor a .text section")
            text_start = section.addr
        gofunc = self.symbols.find("go:func.*")
        return Pclntab(
            data,
            text_start + self.bias,
            gofunc.value if gofunc is not None else None,
            self.image.read_link,
            self.bias,
        )

    def close(self) -> None:
        self.image.close()
