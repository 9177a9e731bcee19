"""An ELF core file: its segments, threads and notes, and the address space they describe."""

from __future__ import annotations

import contextlib
import mmap
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import BinaryIO

from ..binfmt.arch import Arch, arch_for_machine, supported_description
from ..binfmt.compressed import DecompressionError, compression_of, inflate_to_temp
from ..binfmt.elf import (
    ET_CORE,
    MACHINE_NAMES,
    PF_R,
    PF_W,
    PF_X,
    PT_LOAD,
    PT_NOTE,
    Buffer,
    ElfFormatError,
    Note,
    ProgramHeader,
    iter_notes,
    parse_header,
    program_headers,
)
from .errors import DebuggeeError
from .mappings import FileMapping
from .memory import SegmentMemory, Span, file_spans, layer_spans
from .notes import NT_PRSTATUS, CoreNotes, ThreadNote, decode_notes
from .signals import SigInfo

CANNOT_RUN = "a core dump cannot run: it is what a process left when it stopped"


@dataclass
class CoreFile:
    """A parsed core: threads, notes and segments. `memory()` builds the address space."""

    path: str
    size: int
    compression: str | None
    segments: list[ProgramHeader]
    notes: CoreNotes
    arch: Arch
    warnings: list[str] = field(default_factory=list)
    _data: Buffer = b""
    _keepalive: list[object] = field(default_factory=list, repr=False)

    @property
    def description(self) -> str:
        return f"the core {self.path}"

    @property
    def pid(self) -> int | None:
        return self.notes.process.pid if self.notes.process else None

    @property
    def command(self) -> str | None:
        return self.notes.process.fname if self.notes.process and self.notes.process.fname else None

    @property
    def threads(self) -> list[ThreadNote]:
        """The kernel writes the thread that dumped the core first."""
        return self.notes.threads

    @property
    def siginfo(self) -> SigInfo | None:
        return self.notes.siginfo

    @property
    def mappings(self) -> list[FileMapping]:
        return self.notes.files

    @property
    def auxv(self) -> dict[int, int]:
        return self.notes.auxv

    @property
    def can_run(self) -> bool:
        return False

    @property
    def can_write(self) -> bool:
        return False

    def memory(self, backing: Mapping[str, Buffer] | None = None) -> SegmentMemory:
        """The address space; `backing` maps NT_FILE paths to the bytes of files we were allowed to open."""
        spans = []
        for seg in self.segments:
            present = max(0, min(seg.filesz, self.size - seg.offset))
            end = seg.vaddr + seg.memsz
            if present:
                spans.append(Span(seg.vaddr, seg.vaddr + present, self._data, seg.offset, "core"))
            if seg.vaddr + present < end:
                reason = _missing_reason(seg, present)
                spans.append(Span(seg.vaddr + present, end, None, 0, reason))
        return SegmentMemory(layer_spans(spans, file_spans(self.mappings, backing)))

    def assume_mapped(self, mappings: list[FileMapping]) -> None:
        """For a core without NT_FILE (qemu-user writes none; the kernel always does): take these
        file mappings (the executable's own segments) as the process's, as gdb reads such a core,
        so that the pages the core left out are read from the file."""
        if self.notes.files or not mappings:
            return
        self.notes.files = list(mappings)
        self.warnings.append(
            "the core lists no mapped files (no NT_FILE note); its executable is taken to be mapped where "
            "its program headers say, and pages missing from the core are read from it"
        )

    @property
    def stop_seconds(self) -> float:
        return 0.0

    def resume(self) -> None:
        raise DebuggeeError(CANNOT_RUN)

    def stop(self) -> None:
        raise DebuggeeError(CANNOT_RUN)

    def kill(self) -> None:
        raise DebuggeeError(CANNOT_RUN)

    def close(self) -> None:
        for obj in self._keepalive:
            close = getattr(obj, "close", None)
            if close is not None:
                with contextlib.suppress(BufferError, OSError, ValueError):
                    close()
        self._keepalive.clear()


def _missing_reason(seg: ProgramHeader, present: int) -> str:
    if present < seg.filesz:
        return "missing: the core file is truncated"
    if seg.flags & (PF_R | PF_W | PF_X) == 0:
        return "an inaccessible (PROT_NONE) mapping"
    return "not dumped in the core (file-backed page; the mapped file was not available)"


def open_core(path: str, *, on_progress: Callable[[int], None] | None = None) -> CoreFile:
    """Open a core file (plain, gzip, xz or zstd); raise DebuggeeError with a clear message if it is not one."""
    if os.path.isdir(path):
        raise DebuggeeError(f"{path} is a directory, not a core file")
    try:
        handle: BinaryIO = open(path, "rb")  # noqa: SIM115 - kept open for the mmap's lifetime
    except OSError as exc:
        raise DebuggeeError(f"cannot open core file {path}: {exc.strerror or exc}") from exc
    keep: list[object] = []
    try:
        head = handle.read(8)
        kind = compression_of(head)
        if kind is not None:
            handle.close()
            try:
                handle = inflate_to_temp(path, kind, on_progress=on_progress)
            except DecompressionError as exc:
                raise DebuggeeError(str(exc)) from exc
        size = os.fstat(handle.fileno()).st_size
        if size == 0:
            raise DebuggeeError(f"{path} is empty (0 bytes): not a core file")
        data: Buffer = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        keep = [data, handle]
        core = _parse(path, data, size, kind)
        core._keepalive = keep
        return core
    except ElfFormatError as exc:
        _close_all(keep, handle)
        raise DebuggeeError(f"{exc}") from exc
    except BaseException:
        _close_all(keep, handle)
        raise


def _close_all(keep: list[object], handle: BinaryIO) -> None:
    for obj in keep:
        close = getattr(obj, "close", None)
        if close is not None:
            close()
    handle.close()


def _parse(path: str, data: Buffer, size: int, kind: str | None) -> CoreFile:
    what = f"core file {path}"
    header = parse_header(data, what)
    if header.file_type != ET_CORE:
        raise DebuggeeError(
            f"{path} is an ELF file but not a core dump (ELF type {header.file_type}); "
            "pass the core as coreFilePath and the executable as program"
        )
    arch = arch_for_machine(header.machine)
    if arch is None:
        name = MACHINE_NAMES.get(header.machine, f"machine {header.machine}")
        raise DebuggeeError(f"{path} is a core of a {name} process; godap reads {supported_description()} Linux cores")
    phdrs = program_headers(data, header, what)
    warnings: list[str] = []
    notes: list[Note] = []
    for ph in phdrs:
        if ph.type != PT_NOTE:
            continue
        end = min(size, ph.offset + ph.filesz)
        if end < ph.offset + ph.filesz:
            warnings.append("the core's note segment is truncated; some threads may be missing")
        notes.extend(iter_notes(memoryview(data)[ph.offset : end]))
    decoded = decode_notes(notes, arch)
    if not decoded.threads:
        if any(note.type == NT_PRSTATUS for note in notes):
            raise DebuggeeError(
                f"{path} says it is a core of an {arch.description} process, but its thread notes (NT_PRSTATUS) "
                f"are too short to hold {arch.description} registers: it is not a usable core dump"
            )
        raise DebuggeeError(f"{path} has no thread notes (NT_PRSTATUS): it is not a usable Linux core dump")
    loads = [ph for ph in phdrs if ph.type == PT_LOAD]
    missing = sum(max(0, ph.offset + ph.filesz - size) for ph in loads if ph.filesz)
    if missing:
        cut = [ph for ph in loads if ph.filesz and ph.offset + ph.filesz > size]
        warnings.append(
            f"the core file is truncated: {missing >> 10} KiB of {len(cut)} memory segment(s) are missing "
            f"(first at {cut[0].vaddr:#x}); values stored there read as unreadable"
        )
    return CoreFile(
        path=path,
        size=size,
        compression=kind,
        segments=loads,
        notes=decoded,
        arch=arch,
        warnings=warnings,
        _data=data,
    )
