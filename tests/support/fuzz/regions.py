"""Named byte ranges of a core and of an executable, found through godap's own readers.

A fuzz case says where it strikes by region name ("note:PRSTATUS#0.desc", "mem:allgs",
"sec:.gopclntab", "pclntab:func#12"...), so a case recorded in the corpus still means the same
thing on a core made again on another machine, where the addresses differ.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

from dap_server.binfmt.elf import PT_LOAD, PT_NOTE, SHT_NOBITS, parse_header, program_headers, section_headers
from dap_server.debuggee.notes import NT_AUXV, NT_FILE, NT_FPREGSET, NT_PRPSINFO, NT_PRSTATUS, NT_SIGINFO
from dap_server.program.elf_image import ElfImage
from dap_server.session import Session, SessionError, SessionOptions

_NOTE_NAMES = {
    NT_PRSTATUS: "PRSTATUS",
    NT_FPREGSET: "FPREGSET",
    NT_PRPSINFO: "PRPSINFO",
    NT_AUXV: "AUXV",
    NT_SIGINFO: "SIGINFO",
    NT_FILE: "FILE",
}
_NHDR = struct.Struct("<III")
_EHDR_SIZE = 64
MAX_GOROUTINE_REGIONS = 12
STACK_BYTES = 1024
PANIC_BYTES = 96


@dataclass(frozen=True)
class Region:
    name: str
    offset: int  # in the file
    size: int
    vaddr: int | None = None  # where it lies in the dumped address space (memory regions)


def _file(path: Path) -> mmap.mmap:
    with path.open("rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def core_regions(core: Path, exe: Path) -> list[Region]:
    """The ELF structure of the core, its notes, and runtime objects in the dumped memory."""
    data = _file(core)
    try:
        header = parse_header(data, "core")
        phdrs = program_headers(data, header, "core")
        regions = [
            Region("elf.header", 0, _EHDR_SIZE),
            Region("phdrs", header.phoff, header.phnum * header.phentsize),
        ]
        for i, ph in enumerate(phdrs):
            regions.append(Region(f"phdr#{i}", header.phoff + i * header.phentsize, header.phentsize))
            if ph.type == PT_NOTE:
                regions.append(Region("notes", ph.offset, ph.filesz))
                regions.extend(_note_regions(data, ph.offset, ph.filesz))
        loads = [ph for ph in phdrs if ph.type == PT_LOAD and ph.filesz]
        regions.extend(Region(f"load#{i}", ph.offset, ph.filesz) for i, ph in enumerate(loads))
    finally:
        data.close()
    regions.extend(_memory_regions(core, exe, loads))
    return [r for r in regions if r.size > 0]


def _note_regions(data: mmap.mmap, start: int, size: int) -> list[Region]:
    regions = []
    counts: dict[str, int] = {}
    pos, end = start, start + size
    while pos + _NHDR.size <= end:
        namesz, descsz, ntype = _NHDR.unpack_from(data, pos)
        desc = pos + _NHDR.size + (namesz + 3) // 4 * 4
        kind = _NOTE_NAMES.get(ntype, f"type{ntype:#x}")
        index = counts.get(kind, 0)
        counts[kind] = index + 1
        name = f"note:{kind}#{index}"
        regions.append(Region(f"{name}.header", pos, _NHDR.size))
        regions.append(Region(f"{name}.desc", desc, min(descsz, end - desc)))
        pos = desc + (descsz + 3) // 4 * 4
    return regions


def _memory_regions(core: Path, exe: Path, loads: list) -> list[Region]:  # type: ignore[type-arg]
    """Runtime objects of the dumped process, located by opening the pristine core."""

    def at(name: str, addr: int, size: int) -> Region | None:
        for ph in loads:
            if ph.vaddr <= addr and addr + size <= ph.vaddr + ph.filesz:
                return Region(name, ph.offset + addr - ph.vaddr, size, addr)
        return None

    try:
        session = Session.open(SessionOptions(program=str(exe), core=str(core)))
    except SessionError:  # not a Go core: only its ELF structure can be mutated
        return []
    try:
        process = session.process
        program = process.program
        found: list[Region | None] = []
        for symbol, size in (("runtime.allgs", 24), ("runtime.allglen", 8), ("runtime.allm", 8)):
            addr = program.symbol_address(symbol)
            if addr is not None:
                found.append(at(f"mem:{symbol.removeprefix('runtime.')}", addr, size))
        allgs = program.symbol_address("runtime.allgs")
        if allgs is not None:
            array, length, _ = struct.unpack("<QQQ", process.memory.read(allgs, 24))
            found.append(at("mem:allgs.array", array, 8 * length))
        record = min(process.layouts.size("runtime.g") or 448, 1024)
        crash = session.goroutine(1)
        chosen = [g for g in process.goroutines if g.panic]
        if crash is not None:
            chosen.append(crash)
        chosen += process.goroutines
        seen: set[int] = set()
        for g in chosen:
            if g.addr in seen or len(seen) >= MAX_GOROUTINE_REGIONS:
                continue
            seen.add(g.addr)
            found.append(at(f"mem:g#{g.goid}", g.addr, record))
            if g.sched_sp:
                found.append(at(f"mem:stack#{g.goid}", g.sched_sp, STACK_BYTES))
            if g.panic:
                found.append(at(f"mem:panic#{g.goid}", g.panic, PANIC_BYTES))
        for i, m in enumerate(process.machines[:4]):
            found.append(at(f"mem:m#{i}", m.addr, 1024))
        for index, thread in enumerate(session.process.debuggee.threads[:2]):
            found.append(at(f"mem:threadstack#{index}", thread.registers.sp, STACK_BYTES))
        return [r for r in found if r is not None]
    finally:
        session.close()


def exe_regions(exe: Path) -> list[Region]:
    """ELF headers, sections, and the parts of the pc-line table and symbol table godap reads."""
    image = ElfImage(str(exe))
    try:
        header = image.header
        regions = [
            Region("elf.header", 0, _EHDR_SIZE),
            Region("phdrs", header.phoff, header.phnum * header.phentsize),
            Region("shdrs", header.shoff, header.shnum * header.shentsize),
        ]
        raw_headers = section_headers(image.data, header, "exe")
        names = {s.header.offset: s.name for s in image.sections.values()}
        for i, sh in enumerate(raw_headers):
            name = names.get(sh.offset, f"#{i}") if sh.type != SHT_NOBITS else f"#{i}"
            regions.append(Region(f"shdr:{name}", header.shoff + i * header.shentsize, header.shentsize))
            if sh.type != SHT_NOBITS and sh.size and name in image.sections:
                regions.append(Region(f"sec:{name}", sh.offset, sh.size))
        regions.extend(_pclntab_regions(image))
        regions.extend(_symbol_regions(image))
        return [r for r in regions if r.size > 0]
    finally:
        image.close()


def _pclntab_regions(image: ElfImage) -> list[Region]:
    section = image.section(".gopclntab")
    if section is None:
        return []
    base = section.header.offset
    data = image.data
    nfunc, _, _, _, _, _, pctab_off, pcln_off = struct.unpack_from("<QQQQQQQQ", data, base + 8)
    regions = [
        Region("pclntab:header", base, 72),
        Region("pclntab:functab", base + pcln_off, (nfunc + 1) * 8),
    ]
    for index in (0, 1, nfunc // 3, nfunc // 2, nfunc - 1):
        _, funcoff = struct.unpack_from("<II", data, base + pcln_off + 8 * index)
        regions.append(Region(f"pclntab:func#{index}", base + pcln_off + funcoff, 44))
    regions.append(Region("pclntab:pctab", base + pctab_off, min(4096, section.size - pctab_off)))
    return regions


def _symbol_regions(image: ElfImage) -> list[Region]:
    symtab, strtab = image.section(".symtab"), image.section(".strtab")
    if symtab is None or strtab is None:
        return []
    strings = bytes(image.data[strtab.header.offset : strtab.header.offset + strtab.size])
    regions = []
    for name in ("runtime.allgs", "runtime.allglen", "runtime.allm", "runtime.text", "runtime.buildVersion"):
        hit = strings.find(b"\0" + name.encode() + b"\0")
        if hit < 0:
            continue
        for i in range(symtab.size // 24):
            entry = symtab.header.offset + 24 * i
            (st_name,) = struct.unpack_from("<I", image.data, entry)
            if st_name == hit + 1:
                regions.append(Region(f"sym:{name}", entry, 24))
                break
    return regions
