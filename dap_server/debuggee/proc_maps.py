"""/proc/PID/maps of a live process, one entry per mapping."""

from __future__ import annotations

from dataclasses import dataclass

from .mappings import FileMapping


@dataclass(frozen=True, slots=True)
class MapsEntry:
    """[start, end) with its permissions ("rw-p"), file offset and path ("" when anonymous,
    "[heap]", "[stack]", "[vdso]" for the kernel's own)."""

    start: int
    end: int
    perms: str
    offset: int
    path: str

    @property
    def file_backed(self) -> bool:
        return self.path.startswith("/")

    def as_file_mapping(self) -> FileMapping:
        return FileMapping(self.start, self.end, self.offset, self.path)


def read_maps(pid: int) -> list[MapsEntry]:
    """Every mapping of `pid` (empty when the process is gone)."""
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return []
    entries = []
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) < 5:
            continue
        start, end = (int(part, 16) for part in fields[0].split("-"))
        path = fields[5].removesuffix(" (deleted)") if len(fields) == 6 else ""
        entries.append(MapsEntry(start, end, fields[1], int(fields[2], 16), path))
    return entries
