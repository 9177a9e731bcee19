"""`godap capture PID -o FILE`: a compact ELF core of a running process, which runs on.

The process is stopped only while its memory is copied (see debuggee/snapshot.py for what is);
the core is written after it runs again. godap, Delve (`dlv core EXE FILE`) and gdb open it.
"""

from __future__ import annotations

import argparse
import sys

from .debuggee.core_writer import write_core
from .debuggee.errors import DebuggeeError
from .debuggee.live import LiveProcess
from .debuggee.snapshot import reserve, snapshot_and_detach

MIB = 1 << 20


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="godap capture", description="Write a core of a running process without stopping it for long."
    )
    parser.add_argument("pid", type=int, help="the process id")
    parser.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the core")
    args = parser.parse_args(argv)
    try:
        reserved = reserve(args.pid)  # faulted in while the process still runs
        snapshot = snapshot_and_detach(LiveProcess(args.pid), reserved)
    except DebuggeeError as exc:
        print(f"godap capture: {exc}", file=sys.stderr)
        return 1
    try:
        on_disk = write_core(snapshot, args.output)
    except (OSError, ValueError) as exc:
        print(f"godap capture: cannot write {args.output}: {exc}", file=sys.stderr)
        return 1
    finally:
        snapshot.close()
    print(
        f"godap capture: wrote {args.output} ({on_disk / MIB:.1f} MiB on disk, {snapshot.copied_bytes / MIB:.1f} MiB "
        f"copied); process {args.pid} was stopped for {snapshot.stop_seconds * 1000:.1f} ms",
        file=sys.stderr,
    )
    return 0
