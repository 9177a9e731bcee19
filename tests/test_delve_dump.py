"""Cores written by Delve's `dump` command open like the kernel's.

Delve (`dlv attach PID`, then `dump FILE`) writes the kernel's process and thread notes with an
empty note name, the x87/SSE registers in an XSAVE note, and no NT_FILE. The test makes such a
core of the running `live` fixture and reads it with godap and with Delve itself: the goroutines
the program printed, Delve's goroutines, the program's own frames and a global must agree.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BuildProgram, RunDelve
from support import delve
from support.build import Mode
from support.live import running
from support.session import open_core
from support.stack_compare import dap_locations
from support.toolchains import Release

GOROUTINES = 20  # beside the named ones, parked on one channel
NAMED = ("waitForever", "readPipe", "spin")


def _main_functions(names: list[str]) -> list[str]:
    """The program's own frames (C and runtime frames are named differently by each tool)."""
    return [name for name in names if name.startswith("main.")]


@pytest.mark.build_modes("opt")
def test_a_core_written_by_delve_dump_opens(
    go_release: Release, build_mode: Mode, build_program: BuildProgram, run_delve: RunDelve, tmp_path: Path
) -> None:
    binary = build_program("live", go_release, build_mode)
    dump = tmp_path / "delve.core"
    with running(binary, GOROUTINES) as program:
        manifest = program.manifest
        written = delve.attach_delve(program.pid, binary.exe, [f"dump {dump}"])
    assert dump.is_file(), written[0].output
    named = {name: goid for goid, name in manifest.items() if name in NAMED}
    assert set(named) == set(NAMED), manifest
    commands = ["goroutines", "print main.heartbeats.v", *(f"goroutine {goid} stack 40" for goid in named.values())]
    listed, heartbeats, *stacks = run_delve(binary.exe, dump, commands)
    theirs = {g.id: g for g in delve.parse_goroutines(listed.output)}
    with open_core(binary.exe, dump) as session:
        assert session.stopped["reason"] == "pause"
        ours = {t["id"] for t in session.threads()}
        assert set(manifest) <= ours
        assert ours <= set(theirs)
        # Delve also lists goroutines that have exited and wait for reuse (at runtime.goexit, no
        # status); Go's traceback and godap leave them out.
        assert all(theirs[goid].function == "runtime.goexit" for goid in set(theirs) - ours), listed.output
        for (name, goid), result in zip(named.items(), stacks, strict=True):
            mine = _main_functions([loc.function for loc in dap_locations(session.stack(goid))])
            delves = _main_functions([f.function for f in delve.parse_stack(result.output)])
            assert mine and mine == delves, f"{name} (goroutine {goid}): {mine} vs Delve {delves}"
        value = session.client.request("evaluate", {"expression": "heartbeats.v", "context": "repl"})["body"]
        assert value["result"] == heartbeats.output.strip()
