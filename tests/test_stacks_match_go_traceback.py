"""Oracle 1: Go's own crash output (GOTRACEBACK=crash) against what the DAP server shows.

For every core of the matrix (Go release × build mode × way of dying), every goroutine Go printed
must be a DAP thread with the same wait reason, and its frames must match Go's in order (function,
file and line; the innermost frame of a parked goroutine by function only). Agreement per release
is printed at the end of the run.
"""

from __future__ import annotations

import pytest
from conftest import MakeCore
from support import scoreboard, traceback
from support.build import BuildOptions, Mode
from support.cores import Trigger
from support.session import open_core
from support.stack_compare import compare_stack, dap_locations, thread_state
from support.toolchains import Release

FRAME_AGREEMENT = 0.995

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
    options: BuildOptions | None = None,
    board_name: str = "stacks vs Go traceback",
) -> None:
    core = make_core(program, args, release=release, mode=mode, trigger=trigger, options=options)
    printed = traceback.parse(core.stderr)
    goroutines = {}
    for section in printed.sections:
        for g in section.goroutines:
            if g.id != 0 and (g.id not in goroutines or (g.frames and not goroutines[g.id].frames)):
                goroutines[g.id] = g
    assert goroutines, "Go printed no goroutines"
    board = scoreboard.tally(board_name, release.minor)
    board.cores += 1
    with open_core(core.exe, core.core) as session:
        threads = {t["id"]: t["name"] for t in session.threads()}
        problems = []
        compared = matched = 0
        for goid, printed_g in goroutines.items():
            board.goroutines += 1
            if goid not in threads:
                problems.append(f"goroutine {goid} [{printed_g.status}] is not a thread")
                continue
            state, locked = thread_state(threads[goid])
            if _preempted_after_printing(printed_g, state, session.stack(goid)):
                board.notes.append(f"{program} {' '.join(args)} {mode}: goroutine {goid} preempted after Go printed it")
                board.goroutines_matched += 1
                continue
            if state != printed_g.wait_reason or locked != printed_g.locked_to_thread:
                problems.append(f"goroutine {goid}: ours [{state}] locked={locked}, Go [{printed_g.status}]")
                continue
            board.goroutines_matched += 1
            ours = dap_locations(session.stack(goid))
            result = compare_stack(ours, printed_g, parked=printed_g.wait_reason != "running")
            compared += result.compared
            matched += result.matched
            problems.extend(f"goroutine {goid}: {m}" for m in result.mismatches)
        board.frames += compared
        board.frames_matched += matched
        board.notes.extend(f"{program} {' '.join(args) or trigger} {mode}: {p}" for p in problems)
    goroutine_problems = [p for p in problems if "is not a thread" in p or "ours [" in p]
    assert not goroutine_problems, "\n".join(goroutine_problems)
    assert matched >= FRAME_AGREEMENT * compared, "\n".join(problems)


def _preempted_after_printing(printed: traceback.Goroutine, state: str, frames: list[dict[str, object]]) -> bool:
    """A goroutine Go printed as running on another M, with no stack ("goroutine running on other
    thread; stack unavailable"), is still running until the crash's SIGQUIT reaches that M: the
    core may show it runnable, asynchronously preempted in between (seen under qemu-user, go1.23
    arm64 "abort"). Only that transition, with asyncPreempt2 innermost, is accepted."""
    return (
        printed.wait_reason == "running"
        and not printed.frames
        and state == "runnable"
        and bool(frames)
        and frames[0].get("name") == "runtime.asyncPreempt2"
    )


@pytest.mark.parametrize(("case", "args", "trigger"), ZOO_CASES, ids=[c[0] for c in ZOO_CASES])
def test_zoo_core_matches_go_traceback(
    case: str, args: tuple[str, ...], trigger: Trigger, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    scenario = case.split("-")[0]
    _check_core("zoo", (scenario, *args), trigger, go_release, build_mode, make_core)


@pytest.mark.parametrize(("case", "args", "trigger"), CGO_CASES, ids=[c[0] for c in CGO_CASES])
def test_cgo_core_matches_go_traceback(
    case: str, args: tuple[str, ...], trigger: Trigger, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    _check_core("cgozoo", (case, *args), trigger, go_release, build_mode, make_core)


STRIPPED_CASES = [("blocked", (), Trigger.SIGABRT), ("nilderef", (), Trigger.SELF), ("mapwrites", (), Trigger.SELF)]


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ["amd64", "arm64"])
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
        "stacks vs Go traceback, stripped binaries" + ("" if arch == "amd64" else f", {arch}"),
    )


PIE_CASES = [("blocked", (), Trigger.SIGABRT), ("nilderef", (), Trigger.SELF)]


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ["amd64", "arm64"])
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
        "stacks vs Go traceback, position-independent binaries" + ("" if arch == "amd64" else f", {arch}"),
    )


ARM64 = BuildOptions(arch="arm64")


@pytest.mark.parametrize(("case", "args", "trigger"), ZOO_CASES, ids=[c[0] for c in ZOO_CASES])
def test_arm64_zoo_core_matches_go_traceback(
    case: str, args: tuple[str, ...], trigger: Trigger, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    """linux/arm64, run under qemu-user: the link register, frames saved at their own SP, the
    signal frame's sigcontext and sigpanic's pushed LR, in every Go release and build mode."""
    scenario = case.split("-")[0]
    _check_core(
        "zoo", (scenario, *args), trigger, go_release, build_mode, make_core, ARM64, "stacks vs Go traceback, arm64"
    )


@pytest.mark.parametrize(("case", "args", "trigger"), CGO_CASES, ids=[c[0] for c in CGO_CASES])
def test_arm64_cgo_core_matches_go_traceback(
    case: str, args: tuple[str, ...], trigger: Trigger, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    """linux/arm64 cgo (built with aarch64-linux-gnu-gcc): C frames unwound with the executable's
    .eh_frame, calls from C back into Go."""
    _check_core(
        "cgozoo", (case, *args), trigger, go_release, build_mode, make_core, ARM64, "stacks vs Go traceback, arm64"
    )
