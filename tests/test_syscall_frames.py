"""Frame numbers of a goroutine in a system call: godap (as Go's traceback) shows the frames from
where the goroutine entered the call; Delve counts from the thread's current frames, deeper in the
call. A Delve user's `goroutine N frame K` that godap does not have is answered with which frames
exist and how Delve's number maps onto godap's. Oracle: Delve on the same core.
"""

from __future__ import annotations

import pytest
from conftest import MakeCore, RunDelve
from support import delve
from support.cores import Trigger
from support.programs import parse_manifest
from support.session import open_core
from support.toolchains import Release


@pytest.mark.build_modes("opt")
def test_delve_frame_numbers_of_a_goroutine_in_a_syscall_are_explained(
    make_core: MakeCore, run_delve: RunDelve, go_release: Release, build_mode: str
) -> None:
    core = make_core("zoo", ("blocked",), release=go_release, mode=build_mode, trigger=Trigger.SIGABRT)
    goid = next(g for g, name in parse_manifest(core.stdout).items() if name == "blockSyscall")
    theirs = delve.parse_stack(run_delve(core.exe, core.core, [f"goroutine {goid} stack 100"])[0].output)
    with open_core(core.exe, core.core) as session:
        ours = [f["name"].split(" ")[0] for f in session.stack(goid) if f.get("presentationHint") != "label"]
        assert len(theirs) > len(ours), "Delve shows the thread's frames inside the system call"
        index = len(theirs) - 2  # the program's own frame: Delve's number for it is past godap's last
        assert index >= len(ours)
        request = {"expression": f"goroutine {goid} frame {index} args", "context": "repl"}
        response = session.client.request("evaluate", request)
        assert not response["success"]
        message = response["body"]["error"]["format"]
        assert f"goroutine {goid} has no frame {index}: it has frames 0–{len(ours) - 1}" in message
        assert "Delve counts from the thread's current frames" in message
        meant = theirs[index].function
        assert f"{ours.index(meant)} {meant}" in message, "the frame Delve meant is named with godap's number"
