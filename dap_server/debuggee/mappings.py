"""What a process had mapped: a file-backed range of its address space (NT_FILE, /proc/PID/maps)."""

from __future__ import annotations

from typing import NamedTuple


class FileMapping(NamedTuple):
    """A file mapping: [start, end) of the address space maps `path` from `file_offset`."""

    start: int
    end: int
    file_offset: int
    path: str
