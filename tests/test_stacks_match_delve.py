"""Oracle 2: Delve (`dlv core`) on the same cores agrees on goroutines and frames.

Delve is compared where it is itself right: the set of goroutine ids, and the frames of parked
goroutines (running goroutines and goroutines in system calls show different, equally valid
views of the signal machinery, and Delve reports stale states for goroutines in syscalls). The
innermost frame of a parked goroutine is compared by name: Delve puts it on the line after the
call, where Go's traceback puts it on the call.
"""

from __future__ import annotations

import pytest
from conftest import MakeCore, RunDelve
from support import delve, scoreboard, traceback
from support.build import ARCHES, BuildOptions, Mode
from support.cores import Scenario, Trigger, scenario_ids
from support.session import open_core
from support.stack_compare import Location, dap_locations, go_locations, normalize_function
from support.toolchains import Release

AGREEMENT = 0.99
CASES = [
    Scenario("zoo", ("blocked",), Trigger.SIGABRT),
    Scenario("zoo", ("nilderef",)),
    Scenario("zoo", ("mapwrites",)),
    Scenario("zoo", ("deadlock",)),
]


def _delve_locations(frames: list[delve.DelveFrame]) -> list[Location]:
    return [Location(normalize_function(f.function), f.file, f.line) for f in frames]


def _same_frame(index: int, mine: Location, theirs: Location) -> bool:
    """Delve symbolizes a parked goroutine's innermost frame at its return address (one line
    late; Go's own traceback and godap use the call's line): that one is compared by name."""
    return mine.function == theirs.function and (index == 0 or mine.line == theirs.line)


def _same_stack(ours: list[Location], printed: list[Location] | None) -> bool:
    """godap's frames are the ones Go printed for the goroutine (Go printed it with its frames)."""
    if not printed or len(ours) != len(printed):
        return False
    return all(_same_frame(i, mine, go) for i, (mine, go) in enumerate(zip(ours, printed, strict=True)))


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("scenario", CASES, ids=scenario_ids(CASES))
def test_goroutines_and_frames_match_delve(
    scenario: Scenario, arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore, run_delve: RunDelve
) -> None:
    """arm64 cores (qemu-user) are read by the amd64 build of dlv as well."""
    program, args, trigger = scenario
    options = BuildOptions(arch=arch)
    core = make_core(program, args, release=go_release, mode=build_mode, trigger=trigger, options=options)
    listing = run_delve(core.exe, core.core, ["goroutines"])[0]
    theirs = delve.parse_goroutines(listing.output)
    board = scoreboard.tally("stacks vs Delve" + ("" if arch == "amd64" else f", {arch}"), go_release.minor)
    board.cores += 1
    with open_core(core.exe, core.core) as session:
        ours = {t["id"]: t["name"] for t in session.threads()}
        assert sorted(ours) == sorted(g.id for g in theirs), "goroutine ids differ from Delve's"
        board.goroutines += len(theirs)
        board.goroutines_matched += len(theirs)
        parked = [g.id for g in theirs if "[running]" not in ours[g.id] and "[syscall" not in ours[g.id]]
        stacks = run_delve(core.exe, core.core, [f"goroutine {goid} stack 200" for goid in parked])
        printed = {
            g.id: go_locations(g) for section in traceback.parse(core.stderr).sections for g in section.goroutines
        }
        compared = matched = 0
        for goid, result in zip(parked, stacks, strict=True):
            delve_frames = _delve_locations(delve.parse_stack(result.output))
            our_frames = dap_locations(session.stack(goid))
            pairs = list(enumerate(zip(our_frames, delve_frames, strict=False)))
            differ = [(i, mine, frame) for i, (mine, frame) in pairs if not _same_frame(i, mine, frame)]
            if differ and _same_stack(our_frames, printed.get(goid)):
                # Delve is the second oracle: where it disagrees with Go's own traceback of the
                # same core and godap agrees with Go, Delve is not counted (seen: go1.25 arm64).
                board.notes.append(f"{' '.join(args)} goroutine {goid}: Delve differs from Go's traceback")
                continue
            compared += len(pairs)
            matched += len(pairs) - len(differ)
            for _, mine, frame in differ:
                board.notes.append(f"{' '.join(args)} goroutine {goid}: ours {mine}, Delve {frame}")
        board.frames += compared
        board.frames_matched += matched
    assert compared and matched >= AGREEMENT * compared
