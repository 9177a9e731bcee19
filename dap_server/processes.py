"""`godap processes [--json]`: the Go processes on this machine, for an attach picker.

A process is listed when its executable (/proc/PID/exe) can be opened and carries Go 1.18+ build
info; the executable is mmapped, so only the pages of its ELF header, section headers and
`.go.buildinfo` are read. Processes whose executable cannot be opened (kernel threads, zombies,
other users' processes without ptrace rights) and non-Go ones are left out without a word.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from .program.buildinfo import parse_buildinfo
from .program.elf_image import ElfImage
from .program.errors import ProgramError

PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class ListedProcess:
    pid: int
    name: str
    """The kernel's name for it (/proc/PID/comm)."""
    go_version: str
    command_line: list[str]


def go_version_of(executable: str) -> str | None:
    """The Go release that built `executable` (go1.26.8), or None: not Go 1.18+, or unreadable."""
    try:
        image = ElfImage(executable)
    except (ProgramError, OSError):  # OSError: a file system that cannot mmap
        return None
    try:
        blob = image.section_data(".go.buildinfo")
    except ProgramError:
        return None
    finally:
        image.close()
    info = parse_buildinfo(blob) if blob else None
    return info.go_version if info is not None and info.go_version else None


def listed_process(pid: int) -> ListedProcess | None:
    """The process `pid` if it runs a Go program we can read; None otherwise (or if it is gone)."""
    directory = PROC / str(pid)
    version = go_version_of(str(directory / "exe"))
    if version is None:
        return None
    try:
        name = (directory / "comm").read_text(errors="replace").rstrip("\n")
        raw = (directory / "cmdline").read_bytes()
    except OSError:  # it exited meanwhile
        return None
    args = raw.removesuffix(b"\0")  # each argument ends with a NUL, unless the process rewrote them
    command_line = [arg.decode(errors="replace") for arg in args.split(b"\0")] if raw else []
    return ListedProcess(pid, name, version, command_line)


def go_processes() -> Iterator[ListedProcess]:
    """Every Go process we can read, by pid."""
    pids = sorted(int(entry.name) for entry in os.scandir(PROC) if entry.name.isdigit())
    for pid in pids:
        found = listed_process(pid)
        if found is not None:
            yield found


def render_text(processes: list[ListedProcess], out: TextIO) -> None:
    if not processes:
        out.write("no Go processes found (processes of other users need root or CAP_SYS_PTRACE)\n")
        return
    name_width = max(len("NAME"), *(len(p.name) for p in processes))
    version_width = max(len("GO"), *(len(p.go_version) for p in processes))
    out.write(f"{'PID':>7}  {'NAME':<{name_width}}  {'GO':<{version_width}}  COMMAND\n")
    for p in processes:
        out.write(f"{p.pid:>7}  {p.name:<{name_width}}  {p.go_version:<{version_width}}  {' '.join(p.command_line)}\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="godap processes", description="List the Go processes on this machine that godap can attach to."
    )
    parser.add_argument(
        "--json", action="store_true", help="print a JSON array of {pid, name, go_version, command_line}"
    )
    args = parser.parse_args(argv)
    processes = list(go_processes())
    try:
        if args.json:
            json.dump([asdict(p) for p in processes], sys.stdout, indent=2)
            sys.stdout.write("\n")
        else:
            render_text(processes, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # `godap processes | head` closed the pipe early
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
