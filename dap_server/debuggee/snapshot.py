"""A copy of a stopped process's memory, taken so that it can run on while godap looks.

What is copied is what a Go view reads and no file holds: every readable mapping that is writable
or not file-backed (goroutine stacks, heap arenas, data and bss, the vdso), never [vvar] or
[vsyscall]. Read-only file-backed pages (text, rodata) stay out: the executable supplies them, as
it does for a kernel core. Anonymous pages the process never touched are not read (their
/proc/PID/pagemap entry is neither present nor swapped) and read as zeros, as they would have.

The copy goes into one buffer reserved and faulted in before the process is stopped (`reserve`):
a stop then costs the copy itself (process_vm_readv), not the page faults of fresh memory.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..binfmt.elf import Buffer
from .errors import DebuggeeError
from .live import LiveProcess, LiveThread
from .mappings import FileMapping
from .memory import SegmentMemory, Span, file_spans, layer_spans
from .proc_maps import MapsEntry, read_maps
from .signals import SigInfo
from .vm_read import RemoteReader

PAGE = 4096
_KERNEL_ONLY = ("[vvar]", "[vvar_vclock]", "[vsyscall]")
_SLACK = 16 << 20  # bytes the process may touch between `reserve` and the stop, beyond an eighth more
_PRESENT_OR_SWAPPED = re.compile(rb"[\x40-\xff]+")  # top byte of a pagemap entry: bit 63 or 62 set


@dataclass(frozen=True, slots=True)
class Run:
    """[start, end) of a copied mapping: its bytes at `offset` of `buffer`, or no buffer for
    pages never touched (zeros)."""

    start: int
    end: int
    buffer: Buffer | None
    offset: int = 0

    def data(self) -> memoryview:
        assert self.buffer is not None
        return memoryview(self.buffer)[self.offset : self.offset + self.end - self.start]


@dataclass(frozen=True, slots=True)
class CopiedMapping:
    """One mapping the snapshot holds, cut into runs of copied and untouched pages."""

    entry: MapsEntry
    runs: tuple[Run, ...]


class Snapshot:
    """A Debuggee over the copy: threads and registers of the stop, memory as it was then."""

    def __init__(
        self, process: LiveProcess, copied: list[CopiedMapping], files: list[FileMapping], reserved: Buffer | None
    ) -> None:
        self.pid = process.pid
        self.arch = process.arch
        self.command = process.command
        self.executable = process.executable
        self.command_line = _command_line(process.pid)
        self.warnings: list[str] = []
        self.copied = copied
        self._reserved = reserved  # kept open as long as the runs point into it
        self.stop_seconds = 0.0  # the caller sets it once the process runs again
        self._threads = list(process.threads)
        self._auxv = dict(process.auxv)
        self._files = files
        longest_hole = max((r.end - r.start for m in copied for r in m.runs if r.buffer is None), default=0)
        # Untouched pages read as zeros from one anonymous mapping: it costs no memory until read.
        self._zeros = mmap.mmap(-1, longest_hole) if longest_hole else None

    @property
    def description(self) -> str:
        return f"the snapshot of process {self.pid}" + (f" ({self.command})" if self.command else "")

    @property
    def threads(self) -> Sequence[LiveThread]:
        return self._threads

    @property
    def siginfo(self) -> SigInfo | None:
        return None

    @property
    def mappings(self) -> list[FileMapping]:
        return self._files

    @property
    def auxv(self) -> dict[int, int]:
        return self._auxv

    @property
    def can_run(self) -> bool:
        return False  # the process runs on its own; the copy stays as it was

    @property
    def can_write(self) -> bool:
        return False

    @property
    def copied_bytes(self) -> int:
        return sum(r.end - r.start for m in self.copied for r in m.runs if r.buffer is not None)

    def memory(self, backing: Mapping[str, Buffer] | None = None) -> SegmentMemory:
        spans = [
            Span(r.start, r.end, r.buffer, r.offset, "snapshot")
            if r.buffer is not None
            else Span(r.start, r.end, self._zeros, 0, "snapshot (never touched)")
            for m in self.copied
            for r in m.runs
        ]
        return SegmentMemory(layer_spans(spans, file_spans(self._files, backing)))

    def resume(self) -> None:
        raise _cannot_run()

    def stop(self) -> None:
        raise _cannot_run()

    def kill(self) -> None:
        raise _cannot_run()

    def close(self) -> None:
        """Nothing the snapshot handed out may be used after this (its memory views point here)."""
        for buffer in (self._zeros, self._reserved):
            if isinstance(buffer, mmap.mmap):
                with contextlib.suppress(BufferError):  # a view still held: the mapping goes with it
                    buffer.close()
        self._zeros = self._reserved = None


def _cannot_run() -> DebuggeeError:
    return DebuggeeError("a snapshot cannot run: the process it was taken from runs on by itself")


def reserve(pid: int) -> mmap.mmap | None:
    """A buffer for the copy of `pid`, faulted in now, while the process still runs: the size of
    what it has touched (and may copy) plus room to grow. None when nothing would be copied."""
    size = sum(end - start for _, ranges in _plan(pid, read_maps(pid)) for start, end in ranges)
    if not size:
        return None
    return mmap.mmap(-1, size + size // 8 + _SLACK, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE)


def snapshot_and_detach(process: LiveProcess, reserved: mmap.mmap | None = None) -> Snapshot:
    """Copy what a Go view needs from the stopped `process` (into `reserved`, from `reserve`,
    while it lasts), then let it go (it runs on even if the copy fails); the snapshot's
    `stop_seconds` is how long the process was stopped."""
    try:
        taken = take_snapshot(process, reserved)
    finally:
        process.close()
    taken.stop_seconds = process.stopped_for
    return taken


def take_snapshot(process: LiveProcess, reserved: mmap.mmap | None = None) -> Snapshot:
    """Copy what a Go view needs from `process`, which must be stopped (the caller resumes it)."""
    entries = read_maps(process.pid)
    plan = _plan(process.pid, entries)
    files = [entry.as_file_mapping() for entry in entries if entry.file_backed]
    reader = RemoteReader(process.pid)
    space = _Space(reserved)
    try:
        copied = [CopiedMapping(entry, tuple(_runs(reader, space, entry, ranges))) for entry, ranges in plan]
    finally:
        reader.close()
    return Snapshot(process, copied, files, reserved)


class _Space:
    """Hands out consecutive parts of the reserved buffer; past its end, fresh memory."""

    def __init__(self, reserved: mmap.mmap | None) -> None:
        self._reserved = reserved
        self._used = 0

    def take(self, size: int) -> tuple[Buffer, int]:
        if self._reserved is not None and self._used + size <= len(self._reserved):
            self._used += size
            return self._reserved, self._used - size
        return memoryview(bytearray(size)), 0


def _plan(pid: int, entries: list[MapsEntry]) -> list[tuple[MapsEntry, list[tuple[int, int]]]]:
    """The mappings to copy, each with the ranges worth reading (touched pages of anonymous ones)."""
    pagemap = _open_or_none(f"/proc/{pid}/pagemap")
    try:
        plan = []
        for entry in entries:
            if not _copied(entry):
                continue
            ranges = [(entry.start, entry.end)]
            if pagemap is not None and not entry.file_backed:  # an untouched file page reads the file
                ranges = _touched(pagemap, entry.start, entry.end)
            plan.append((entry, ranges))
        return plan
    finally:
        if pagemap is not None:
            os.close(pagemap)


def _copied(entry: MapsEntry) -> bool:
    return "r" in entry.perms and entry.path not in _KERNEL_ONLY and ("w" in entry.perms or not entry.file_backed)


def _runs(reader: RemoteReader, space: _Space, entry: MapsEntry, ranges: list[tuple[int, int]]) -> list[Run]:
    """The mapping as runs of copied and untouched pages; the pages past a read error are left out."""
    runs = []
    cursor = entry.start
    for start, end in ranges:
        if start > cursor:
            runs.append(Run(cursor, start, None))
        buffer, offset = space.take(end - start)
        got = reader.read_into(memoryview(buffer)[offset : offset + end - start], start)
        if got:
            runs.append(Run(start, start + got, buffer, offset))
        if got < end - start:
            return runs
        cursor = end
    if cursor < entry.end:
        runs.append(Run(cursor, entry.end, None))
    return runs


def _touched(pagemap: int, start: int, end: int) -> list[tuple[int, int]]:
    """Ranges of [start, end) whose pages are present or swapped out, from /proc/PID/pagemap."""
    entries = os.pread(pagemap, (end - start) // PAGE * 8, start // PAGE * 8)
    tops = entries[7::8]
    return [(start + m.start() * PAGE, start + m.end() * PAGE) for m in _PRESENT_OR_SWAPPED.finditer(tops)]


def _command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return handle.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _open_or_none(path: str) -> int | None:
    try:
        return os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
