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
from support.cores import Trigger
from support.toolchains import Release
from support.traceback_check import check_against_traceback

ZOO_CASES = [
    ("blocked", (), Trigger.SIGABRT),
    ("blocked-panic", ("panic",), Trigger.SELF),
    ("abort", (), Trigger.SIGABRT),
    ("nilderef", (), Trigger.SELF),
    ("index", (), Trigger.SELF),
    ("panicerr", (), Trigger.SELF),
    ("panicstruct", (), Trigger.SELF),
    ("gopanic", (), Trigger.SELF),
    ("nested", (), Trigger.SELF),
    ("repanic", (), Trigger.SELF),
    ("mapwrites", (), Trigger.SELF),
    ("recursion", (), Trigger.SELF),
    ("deadlock", (), Trigger.SELF),
    ("goexit", (), Trigger.SELF),
]
CGO_CASES = [
    ("blocked", (), Trigger.SIGABRT),
    ("ccrash", (), Trigger.SELF),
    ("cbpanic", (), Trigger.SELF),
]


def _check_core(
    program: str,
    args: tuple[str, ...],
    trigger: Trigger,
    release: Release,
    mode: Mode,
    make_core: MakeCore,
    options: BuildOptions,
    board_name: str = "stacks vs Go traceback",
) -> None:
    core = make_core(program, args, release=release, mode=mode, trigger=trigger, options=options)
    board = scoreboard.tally(board_name + ("" if options.arch == "amd64" else f", {options.arch}"), release.minor)
    check_against_traceback(core, board, f"{program} {' '.join(args) or trigger} {mode}")


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("case", "args", "trigger"), ZOO_CASES, ids=[c[0] for c in ZOO_CASES])
def test_zoo_core_matches_go_traceback(
    case: str,
    args: tuple[str, ...],
    trigger: Trigger,
    arch: str,
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
) -> None:
    """On arm64 (run under qemu-user): the link register, frames saved at their own SP, the signal
    frame's sigcontext and sigpanic's pushed LR, in every Go release and build mode."""
    scenario = case.split("-")[0]
    _check_core("zoo", (scenario, *args), trigger, go_release, build_mode, make_core, BuildOptions(arch=arch))


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("case", "args", "trigger"), CGO_CASES, ids=[c[0] for c in CGO_CASES])
def test_cgo_core_matches_go_traceback(
    case: str,
    args: tuple[str, ...],
    trigger: Trigger,
    arch: str,
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
) -> None:
    """C frames unwound with the executable's .eh_frame, calls from C back into Go (arm64 builds
    with aarch64-linux-gnu-gcc)."""
    _check_core("cgozoo", (case, *args), trigger, go_release, build_mode, make_core, BuildOptions(arch=arch))


STRIPPED_CASES = [("blocked", (), Trigger.SIGABRT), ("nilderef", (), Trigger.SELF), ("mapwrites", (), Trigger.SELF)]


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("case", "args", "trigger"), STRIPPED_CASES, ids=[c[0] for c in STRIPPED_CASES])
def test_stripped_binary_matches_go_traceback(
    case: str,
    args: tuple[str, ...],
    trigger: Trigger,
    arch: str,
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
) -> None:
    """-ldflags='-s -w': no symbols, no DWARF; goroutines and stacks come from pclntab and the
    runtime variables found through the code that uses them (RIP-relative on amd64, ADRP pages
    on arm64)."""
    _check_core(
        "zoo",
        (case, *args),
        trigger,
        go_release,
        build_mode,
        make_core,
        BuildOptions(ldflags="-s -w", arch=arch),
        "stacks vs Go traceback, stripped binaries",
    )


PIE_CASES = [("blocked", (), Trigger.SIGABRT), ("nilderef", (), Trigger.SELF)]


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("case", "args", "trigger"), PIE_CASES, ids=[c[0] for c in PIE_CASES])
def test_position_independent_binary_matches_go_traceback(
    case: str,
    args: tuple[str, ...],
    trigger: Trigger,
    arch: str,
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
) -> None:
    """-buildmode=pie: every address is moved by the load bias (from the core's AT_ENTRY); on
    arm64 the executable's segments (which a qemu core does not list) are placed by it too."""
    _check_core(
        "zoo",
        (case, *args),
        trigger,
        go_release,
        build_mode,
        make_core,
        BuildOptions(pie=True, arch=arch),
        "stacks vs Go traceback, position-independent binaries",
    )
