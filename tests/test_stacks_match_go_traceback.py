"""Oracle 1: Go's own crash output (GOTRACEBACK=crash) against what the DAP server shows.

For every core of the matrix (Go release × build mode × way of dying), every goroutine Go printed
must be a DAP thread with the same wait reason, and its frames must match Go's in order (function,
file and line; the innermost frame of a parked goroutine by function only). Agreement per release
is printed at the end of the run.
"""

from __future__ import annotations

import pytest
from conftest import MakeCore
from support import scoreboard
from support.build import ARCHES, BuildOptions, Mode
from support.cores import Scenario, Trigger, scenario_ids
from support.toolchains import Release
from support.traceback_check import check_against_traceback

ZOO = [
    Scenario("zoo", ("blocked",), Trigger.SIGABRT),
    Scenario("zoo", ("blocked", "panic")),
    Scenario("zoo", ("abort",), Trigger.SIGABRT),
    *(
        Scenario("zoo", (name,))
        for name in (
            "nilderef",
            "index",
            "panicerr",
            "panicstruct",
            "gopanic",
            "nested",
            "repanic",
            "mapwrites",
            "recursion",
            "deadlock",
            "goexit",
        )
    ),
]
CGO = [
    Scenario("cgozoo", ("blocked",), Trigger.SIGABRT),
    Scenario("cgozoo", ("ccrash",)),
    Scenario("cgozoo", ("cbpanic",)),
]
STRIPPED = [ZOO[0], Scenario("zoo", ("nilderef",)), Scenario("zoo", ("mapwrites",))]
PIE = [ZOO[0], Scenario("zoo", ("nilderef",))]


def _check_core(
    scenario: Scenario,
    release: Release,
    mode: Mode,
    make_core: MakeCore,
    options: BuildOptions,
    board_name: str = "stacks vs Go traceback",
) -> None:
    core = make_core(
        scenario.program, scenario.args, release=release, mode=mode, trigger=scenario.trigger, options=options
    )
    board = scoreboard.tally(board_name + ("" if options.arch == "amd64" else f", {options.arch}"), release.minor)
    check_against_traceback(core, board, f"{scenario.program} {' '.join(scenario.args)} {mode}")


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("scenario", ZOO + CGO, ids=scenario_ids(ZOO + CGO))
def test_core_matches_go_traceback(
    scenario: Scenario, arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    """On arm64 (run under qemu-user): the link register, frames saved at their own SP, the signal
    frame's sigcontext and sigpanic's pushed LR; in cgozoo, C frames unwound with the executable's
    .eh_frame and calls from C back into Go (arm64 builds with aarch64-linux-gnu-gcc)."""
    _check_core(scenario, go_release, build_mode, make_core, BuildOptions(arch=arch))


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("scenario", STRIPPED, ids=scenario_ids(STRIPPED))
def test_stripped_binary_matches_go_traceback(
    scenario: Scenario, arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    """-ldflags='-s -w': no symbols, no DWARF; goroutines and stacks come from pclntab and the
    runtime variables found through the code that uses them (RIP-relative on amd64, ADRP pages
    on arm64)."""
    options = BuildOptions(ldflags="-s -w", arch=arch)
    _check_core(scenario, go_release, build_mode, make_core, options, "stacks vs Go traceback, stripped binaries")


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("scenario", PIE, ids=scenario_ids(PIE))
def test_position_independent_binary_matches_go_traceback(
    scenario: Scenario, arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    """-buildmode=pie: every address is moved by the load bias (from the core's AT_ENTRY); on
    arm64 the executable's segments (which a qemu core does not list) are placed by it too."""
    options = BuildOptions(pie=True, arch=arch)
    board = "stacks vs Go traceback, position-independent binaries"
    _check_core(scenario, go_release, build_mode, make_core, options, board)
