"""The executable as an ELF image: sections (inflated as far as read), notes and link-time reads."""

from __future__ import annotations

import contextlib
import mmap
import os
from bisect import bisect_right
from typing import BinaryIO, NamedTuple

from ..binfmt.arch import Arch, arch_for_machine, supported_description
from ..binfmt.compressed import DecompressionError, compression_of, inflate_to_temp
from ..binfmt.elf import (
    ET_CORE,
    ET_DYN,
    MACHINE_NAMES,
    PT_LOAD,
    SHF_COMPRESSED,
    SHT_NOBITS,
    ElfFormatError,
    ElfHeader,
    ProgramHeader,
    SectionHeader,
    c_string,
    parse_header,
    program_headers,
    section_headers,
)
from .errors import ProgramError
from .section_contents import COMPRESSION_HEADER, SectionContents


class Section(NamedTuple):
    name: str
    header: SectionHeader

    @property
    def addr(self) -> int:
        return self.header.addr

    @property
    def size(self) -> int:
        return self.header.size

    @property
    def end(self) -> int:
        return self.header.addr + self.header.size


class ElfImage:
    """An mmapped executable. A compressed section is inflated once, as far as it is read."""

    def __init__(self, path: str) -> None:
        if os.path.isdir(path):
            raise ProgramError(f"{path} is a directory, not an executable")
        try:
            self._file: BinaryIO = open(path, "rb")  # noqa: SIM115 - closed by close()
            kind = compression_of(self._file.read(8))
            if kind is not None:
                self._file.close()
                self._file = inflate_to_temp(path, kind)
        except OSError as exc:
            raise ProgramError(f"cannot open executable {path}: {exc.strerror or exc}") from exc
        except DecompressionError as exc:
            raise ProgramError(str(exc)) from exc
        try:
            size = os.fstat(self._file.fileno()).st_size
            if size == 0:
                raise ProgramError(f"{path} is empty (0 bytes): not an executable")
            self.data: mmap.mmap = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
            self.path = path
            self.size = size
            self.header = self._check_header(path)
            what = f"executable {path}"
            self.segments = [p for p in program_headers(self.data, self.header, what) if p.type == PT_LOAD]
            self.sections = self._read_sections(section_headers(self.data, self.header, what))
        except ElfFormatError as exc:
            self.close()
            raise ProgramError(str(exc)) from exc
        except BaseException:
            self.close()
            raise
        self._contents: dict[str, SectionContents] = {}
        self._segment_starts = sorted((p.vaddr, i) for i, p in enumerate(self.segments))

    def _check_header(self, path: str) -> ElfHeader:
        header = parse_header(self.data, f"executable {path}")
        if header.file_type == ET_CORE:
            raise ProgramError(f"{path} is a core dump, not an executable; pass it as coreFilePath")
        arch = arch_for_machine(header.machine)
        if arch is None:
            name = MACHINE_NAMES.get(header.machine, f"machine {header.machine}")
            raise ProgramError(f"{path} is a {name} executable; godap reads {supported_description()} Linux programs")
        self.arch: Arch = arch
        return header

    def _read_sections(self, headers: list[SectionHeader]) -> dict[str, Section]:
        if not headers or self.header.shstrndx >= len(headers):
            return {}
        names = headers[self.header.shstrndx]
        sections = {}
        for sh in headers:
            name = c_string(self.data, names.offset + sh.name_offset, 256) if names.offset < self.size else ""
            if name and name not in sections:
                sections[name] = Section(name, sh)
        return sections

    @property
    def is_pie(self) -> bool:
        return self.header.file_type == ET_DYN

    @property
    def entry(self) -> int:
        return self.header.entry

    def section(self, name: str) -> Section | None:
        return self.sections.get(name)

    def section_contents(self, name: str) -> SectionContents | None:
        """A section's contents, inflated from the front on demand if SHF_COMPRESSED; None if absent."""
        section = self.sections.get(name)
        if section is None or section.header.type == SHT_NOBITS:
            return None
        contents = self._contents.get(name)
        if contents is None:
            sh = section.header
            raw = self.data[sh.offset : sh.offset + sh.size]
            if len(raw) != sh.size:
                raise ProgramError(f"{self.path}: section {name} runs past the end of the file (truncated executable?)")
            contents = SectionContents(f"{self.path}: section {name}", raw, bool(sh.flags & SHF_COMPRESSED))
            self._contents[name] = contents
        return contents

    def section_data(self, name: str) -> bytes | None:
        """All of a section's contents, zlib-inflated if SHF_COMPRESSED; None if absent."""
        contents = self.section_contents(name)
        return None if contents is None else contents.whole()

    def section_size(self, name: str) -> int:
        """The size of a section's contents, once inflated (read from the compression header)."""
        section = self.sections.get(name)
        if section is None:
            return 0
        sh = section.header
        if sh.flags & SHF_COMPRESSED and sh.size >= COMPRESSION_HEADER.size:
            return int(COMPRESSION_HEADER.unpack_from(self.data, sh.offset)[2])
        return sh.size

    def segment_for(self, addr: int) -> ProgramHeader | None:
        i = bisect_right(self._segment_starts, (addr, len(self.segments))) - 1
        if i < 0:
            return None
        seg = self.segments[self._segment_starts[i][1]]
        return seg if seg.vaddr <= addr < seg.vaddr + seg.memsz else None

    def read_link(self, addr: int, size: int) -> bytes | None:
        """Bytes at link-time address `addr` as stored in the file (unrelocated), or None."""
        seg = self.segment_for(addr)
        if seg is None or addr + size > seg.vaddr + seg.filesz:
            return None
        off = seg.offset + addr - seg.vaddr
        data = self.data[off : off + size]
        return bytes(data) if len(data) == size else None

    def close(self) -> None:
        data = getattr(self, "data", None)
        if data is not None:
            with contextlib.suppress(BufferError):
                data.close()
        self._file.close()
