"""A copy of a stopped process's memory, taken so that it can run on while godap looks.

What is copied is what a Go view reads and no file holds: every readable mapping that is writable
or not file-backed (goroutine stacks, heap arenas, data and bss, the vdso), never [vvar] or
[vsyscall]. Read-only file-backed pages (text, rodata) stay out: the executable supplies them, as
it does for a kernel core. Anonymous pages the process never touched are not read (their
/proc/PID/pagemap entry is neither present nor swapped) and read as zeros, as they would have.
"""

from __future__ import annotations

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

PAGE = 4096
_KERNEL_ONLY = ("[vvar]", "[vvar_vclock]", "[vsyscall]")
_PRESENT_OR_SWAPPED = re.compile(rb"[\x40-\xff]+")  # top byte of a pagemap entry: bit 63 or 62 set


@dataclass(frozen=True, slots=True)
class Run:
    """[start, end) of a copied mapping: its bytes, or None for pages never touched (zeros)."""

    start: int
    end: int
    data: bytes | None


@dataclass(frozen=True, slots=True)
class CopiedMapping:
    """One mapping the snapshot holds, cut into runs of copied and untouched pages."""

    entry: MapsEntry
    runs: tuple[Run, ...]


class Snapshot:
    """A Debuggee over the copy: threads and registers of the stop, memory as it was then."""

    def __init__(self, process: LiveProcess, copied: list[CopiedMapping], files: list[FileMapping]) -> None:
        self.pid = process.pid
        self.command = process.command
        self.executable = process.executable
        self.command_line = _command_line(process.pid)
        self.warnings: list[str] = []
        self.copied = copied
        self.stop_seconds = 0.0  # the caller sets it once the process runs again
        self._threads = list(process.threads)
        self._auxv = dict(process.auxv)
        self._files = files
        longest_hole = max((r.end - r.start for m in copied for r in m.runs if r.data is None), default=0)
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
        return sum(len(r.data) for m in self.copied for r in m.runs if r.data is not None)

    def memory(self, backing: Mapping[str, Buffer] | None = None) -> SegmentMemory:
        spans = [
            Span(r.start, r.end, r.data if r.data is not None else self._zeros, 0, "snapshot")
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
        if self._zeros is not None:
            self._zeros.close()
            self._zeros = None


def _cannot_run() -> DebuggeeError:
    return DebuggeeError("a snapshot cannot run: the process it was taken from runs on by itself")


def snapshot_and_detach(process: LiveProcess) -> Snapshot:
    """Copy what a Go view needs from the stopped `process`, then let it go (it runs on even if
    the copy fails); the snapshot's `stop_seconds` is how long the process was stopped."""
    try:
        taken = take_snapshot(process)
    finally:
        process.close()
    taken.stop_seconds = process.stopped_for
    return taken


def take_snapshot(process: LiveProcess) -> Snapshot:
    """Copy what a Go view needs from `process`, which must be stopped (the caller resumes it)."""
    entries = read_maps(process.pid)
    files = [entry.as_file_mapping() for entry in entries if entry.file_backed]
    fd = os.open(f"/proc/{process.pid}/mem", os.O_RDONLY | os.O_CLOEXEC)
    pagemap = _open_or_none(f"/proc/{process.pid}/pagemap")
    try:
        copied = [CopiedMapping(entry, tuple(_runs(fd, pagemap, entry))) for entry in entries if _copied(entry)]
    finally:
        os.close(fd)
        if pagemap is not None:
            os.close(pagemap)
    return Snapshot(process, copied, files)


def _copied(entry: MapsEntry) -> bool:
    return "r" in entry.perms and entry.path not in _KERNEL_ONLY and ("w" in entry.perms or not entry.file_backed)


def _runs(fd: int, pagemap: int | None, entry: MapsEntry) -> list[Run]:
    """The mapping as runs of copied and untouched pages; the pages past a read error are left out."""
    touched = [(entry.start, entry.end)]
    if pagemap is not None and not entry.file_backed:  # an untouched file page reads the file, not zeros
        touched = _touched(pagemap, entry.start, entry.end)
    runs = []
    cursor = entry.start
    for start, end in touched:
        if start > cursor:
            runs.append(Run(cursor, start, None))
        data = _read(fd, start, end - start)
        if data:
            runs.append(Run(start, start + len(data), data))
        if len(data) < end - start:
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


def _read(fd: int, addr: int, size: int) -> bytes:
    """Up to `size` bytes at `addr`, fewer when a page cannot be read."""
    parts = []
    done = 0
    while done < size:
        try:
            chunk = os.pread(fd, size - done, addr + done)
        except OSError:
            break
        if not chunk:
            break
        parts.append(chunk)
        done += len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


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
