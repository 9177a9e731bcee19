"""ELF64 structures: file header, program headers, section headers and note records.

Both the core reader (target/) and the executable reader (program/) stand on this module; it
knows the file format only, never what a segment or section means to Go.
"""

from __future__ import annotations

import mmap
import struct
from collections.abc import Iterator
from typing import NamedTuple

ELF_MAGIC = b"\x7fELF"
ELFCLASS64 = 2
ELFDATA2LSB = 1
ET_EXEC = 2
ET_DYN = 3
ET_CORE = 4
EM_X86_64 = 62
EM_AARCH64 = 183

PT_LOAD = 1
PT_NOTE = 4
PT_TLS = 7

SHT_NOBITS = 8
SHF_COMPRESSED = 0x800

PF_X = 1
PF_W = 2
PF_R = 4

Buffer = bytes | memoryview | mmap.mmap
"""Anything ELF structures are read from: file bytes, a view of them, or an mmap."""

_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")
_SHDR = struct.Struct("<IIQQQQIIQQ")
_NHDR = struct.Struct("<III")

MACHINE_NAMES = {EM_X86_64: "x86-64", EM_AARCH64: "arm64", 3: "x86 (32-bit)", 40: "arm (32-bit)"}


class ElfFormatError(Exception):
    """The bytes are not an ELF64 little-endian file we can read, with the reason."""


class ElfHeader(NamedTuple):
    file_type: int
    machine: int
    entry: int
    phoff: int
    shoff: int
    phentsize: int
    phnum: int
    shentsize: int
    shnum: int
    shstrndx: int


class ProgramHeader(NamedTuple):
    type: int
    flags: int
    offset: int
    vaddr: int
    filesz: int
    memsz: int
    align: int


class SectionHeader(NamedTuple):
    name_offset: int
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    info: int
    addralign: int
    entsize: int


class Note(NamedTuple):
    owner: bytes
    type: int
    desc: bytes


def parse_header(data: Buffer, what: str) -> ElfHeader:
    """Parse and check the ELF header; `what` names the file in error messages."""
    if len(data) < 4 or bytes(data[:4]) != ELF_MAGIC:
        raise ElfFormatError(f"{what} is not an ELF file (no \\x7fELF magic)")
    if len(data) < _EHDR.size:
        raise ElfFormatError(f"{what} is too short for an ELF header ({len(data)} bytes)")
    ident = bytes(data[:16])
    if ident[4] != ELFCLASS64:
        raise ElfFormatError(f"{what} is a 32-bit ELF file; godap reads 64-bit Linux programs only")
    if ident[5] != ELFDATA2LSB:
        raise ElfFormatError(f"{what} is a big-endian ELF file; godap reads little-endian programs only")
    (_, e_type, machine, _, entry, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum, shstrndx) = (
        _EHDR.unpack_from(data, 0)
    )
    return ElfHeader(e_type, machine, entry, phoff, shoff, phentsize, phnum, shentsize, shnum, shstrndx)


def program_headers(data: Buffer, header: ElfHeader, what: str) -> list[ProgramHeader]:
    if header.phnum == 0:
        return []
    if header.phentsize < _PHDR.size:
        raise ElfFormatError(f"{what}: program header entries are {header.phentsize} bytes, too small")
    end = header.phoff + header.phnum * header.phentsize
    if end > len(data):
        raise ElfFormatError(f"{what}: program headers end at {end:#x}, past the end of the file")
    result = []
    for i in range(header.phnum):
        p_type, flags, offset, vaddr, _, filesz, memsz, align = _PHDR.unpack_from(
            data, header.phoff + i * header.phentsize
        )
        result.append(ProgramHeader(p_type, flags, offset, vaddr, filesz, memsz, align))
    return result


def section_headers(data: Buffer, header: ElfHeader, what: str) -> list[SectionHeader]:
    if header.shnum == 0 or header.shoff == 0:
        return []
    if header.shentsize < _SHDR.size:
        raise ElfFormatError(f"{what}: section header entries are {header.shentsize} bytes, too small")
    end = header.shoff + header.shnum * header.shentsize
    if end > len(data):
        raise ElfFormatError(f"{what}: section headers end at {end:#x}, past the end of the file")
    return [SectionHeader(*_SHDR.unpack_from(data, header.shoff + i * header.shentsize)) for i in range(header.shnum)]


def iter_notes(blob: Buffer) -> Iterator[Note]:
    """Yield the note records of a PT_NOTE segment or SHT_NOTE section; stops at the first bad one."""
    pos = 0
    size = len(blob)
    while pos + _NHDR.size <= size:
        namesz, descsz, ntype = _NHDR.unpack_from(blob, pos)
        pos += _NHDR.size
        name_end = pos + namesz
        desc_start = pos + _align4(namesz)
        desc_end = desc_start + descsz
        if desc_end > size:
            return
        yield Note(bytes(blob[pos:name_end]).rstrip(b"\0"), ntype, bytes(blob[desc_start:desc_end]))
        pos = desc_start + _align4(descsz)


def _align4(n: int) -> int:
    return (n + 3) & ~3


def c_string(blob: Buffer, offset: int, limit: int = 4096) -> str:
    """The NUL-terminated string at `offset` (at most `limit` bytes), decoded leniently."""
    end = bytes(blob[offset : offset + limit]).find(b"\0")
    raw = bytes(blob[offset : offset + limit]) if end < 0 else bytes(blob[offset : offset + end])
    return raw.decode("utf-8", "replace")
