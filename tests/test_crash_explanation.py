"""The crash explanation, in Go's own words, for every way a Go program dies.

For each core the `exceptionInfo` description must equal the first lines of Go's own crash output
(the panic/fatal error/signal lines, and the `[signal …]` line where Go prints one), the stopped
event must be an exception naming the goroutine Go names first, and a core with no crash (gcore)
must say so.
"""

from __future__ import annotations

import pytest
from conftest import MakeCore
from support import traceback
from support.build import ARCHES, BuildOptions, Mode
from support.cores import Core, Trigger
from support.session import open_core
from support.stack_compare import DUMP_LABEL, compare_stack, dap_locations, normalize_function
from support.toolchains import Release

CASES = [
    ("zoo", ("blocked",), Trigger.SIGABRT, "SIGABRT"),
    ("selfabort", (), Trigger.SELF, "SIGABRT"),  # syscall.Kill(os.Getpid(), syscall.SIGABRT)
    ("zoo", ("blocked", "panic"), Trigger.SELF, "panic"),
    ("zoo", ("nilderef",), Trigger.SELF, "panic"),
    ("zoo", ("index",), Trigger.SELF, "panic"),
    ("zoo", ("panicerr",), Trigger.SELF, "panic"),
    ("zoo", ("panicstruct",), Trigger.SELF, "panic"),
    ("zoo", ("gopanic",), Trigger.SELF, "panic"),
    ("zoo", ("nested",), Trigger.SELF, "panic"),
    ("zoo", ("repanic",), Trigger.SELF, "panic"),
    ("zoo", ("repanicsame",), Trigger.SELF, "panic"),
    ("zoo", ("mapwrites",), Trigger.SELF, "fatal error"),
    ("zoo", ("recursion",), Trigger.SELF, "panic"),
    ("zoo", ("deadlock",), Trigger.SELF, "fatal error"),
    ("zoo", ("goexit",), Trigger.SELF, "fatal error"),
    ("cgozoo", ("ccrash",), Trigger.SELF, "SIGSEGV"),
    ("cgozoo", ("cbpanic",), Trigger.SELF, "panic"),
]
# The stopped event's `description` is VS Code's badge beside the thread's name: a few words.
SUMMARIES = {"panic": "panic", "fatal error": "fatal error"}  # a signal: "signal SIGSEGV"


def _go_first_lines(stderr: str) -> list[str]:
    """Go's crash message block. Two goroutines can both detect a concurrent map write and both
    print the fatal error; the repeat is dropped."""
    lines: list[str] = []
    for line in traceback.parse(stderr).header.splitlines():
        if not line.strip():
            break
        if not lines or line != lines[-1]:
            lines.append(line)
    return lines


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(
    ("program", "args", "trigger", "exception_id"), CASES, ids=["-".join((c[0], *c[1])) for c in CASES]
)
def test_exception_info_says_what_go_said(
    program: str,
    args: tuple[str, ...],
    trigger: Trigger,
    exception_id: str,
    arch: str,
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
) -> None:
    """The same words as Go's, on amd64 and on linux/arm64 cores made under qemu-user."""
    options = BuildOptions(arch=arch)
    core = make_core(program, args, release=go_release, mode=build_mode, trigger=trigger, options=options)
    _check_explanation(core, exception_id)


def _check_explanation(core: Core, exception_id: str) -> None:
    printed = traceback.parse(core.stderr)
    expected = _go_first_lines(core.stderr)
    with open_core(core.exe, core.core) as session:
        stopped = session.stopped
        assert stopped["reason"] == "exception"
        assert stopped["allThreadsStopped"] is True
        assert stopped["description"] == SUMMARIES.get(exception_id, f"signal {exception_id}")
        assert stopped["text"].splitlines() == expected
        info = session.client.request("exceptionInfo", {"threadId": stopped["threadId"]})["body"]
        assert info["exceptionId"] == exception_id
        assert info["description"].splitlines() == expected
        named = next((g.id for g in printed.goroutines if g.id != 0), None)
        if printed.goroutines and printed.goroutines[0].id != 0:
            assert stopped["threadId"] == named
        output = [e["body"]["output"] for e in session.client.events if e.get("event") == "output"]
        assert any(expected[0] in text for text in output), "the summary is printed to the debug console"


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("args", [("nilderef",), ("panicstruct",), ("mapwrites",), ("deadlock",)], ids=" ".join)
@pytest.mark.parametrize("arch", ARCHES)
def test_stripped_binary_explains_the_crash(
    args: tuple[str, ...], arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    options = BuildOptions(ldflags="-s -w", arch=arch)
    core = make_core("zoo", args, release=go_release, mode=build_mode, options=options)
    with open_core(core.exe, core.core) as session:
        info = session.client.request("exceptionInfo", {"threadId": session.stopped["threadId"]})["body"]
        assert info["description"].splitlines() == _go_first_lines(core.stderr)


@pytest.mark.go_releases("local", "1.21")
def test_core_of_a_running_program_says_no_crash(go_release: Release, make_core: MakeCore) -> None:
    core = make_core("zoo", ("blocked",), release=go_release, trigger=Trigger.GCORE)
    with open_core(core.exe, core.core) as session:
        assert session.stopped["reason"] == "pause"
        info = session.client.request("exceptionInfo", {"threadId": session.stopped["threadId"]})["body"]
        assert info["exceptionId"] == "no crash"
        assert len(session.threads()) > 10


STACK_CASES = [
    ("zoo", ("nilderef",)),
    ("zoo", ("gopanic",)),
    ("zoo", ("mapwrites",)),
    ("selfabort", ()),
    ("cgozoo", ("cbpanic",)),
]


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize(("program", "args"), STACK_CASES, ids=["-".join((c[0], *c[1])) for c in STACK_CASES])
def test_crashing_stack_starts_where_go_traceback_starts(
    program: str, args: tuple[str, ...], go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    """The runtime dumps the core by re-raising SIGABRT from its crash path, so the thread's
    innermost frames are its signal handler's. The stack a user reads starts with Go's first
    printed frame (the panic, the throw, the frame the signal interrupted); one label frame then
    says the runtime re-raised SIGABRT (Go 1.21: its handler waits for another thread to), and the
    handler's frames follow it."""
    core = make_core(program, args, release=go_release, mode=build_mode)
    named = traceback.parse(core.stderr).goroutines[0]
    with open_core(core.exe, core.core) as session:
        assert session.stopped["threadId"] == named.id
        frames = session.stack(named.id)
    labels = [i for i, f in enumerate(frames) if f.get("presentationHint") == "label"]
    reraise = [i for i in labels if DUMP_LABEL in frames[i]["name"]]
    assert len(reraise) == 1, [f["name"] for f in frames]
    assert "SIGABRT" in frames[reraise[0]]["name"]
    ours, behind = frames[: reraise[0]], frames[reraise[0] + 1 :]
    assert not any("received here" in frames[i]["name"] for i in labels), [f["name"] for f in frames]
    result = compare_stack(dap_locations(ours), named, parked=False)
    assert dap_locations(ours)[0].function == normalize_function(named.frames[0].normalized_function)
    assert result.matched == result.compared, result.mismatches
    # the re-raise, or (Go 1.21, a thread that sent SIGQUIT on to the next M) the handler waiting,
    # or (several Ms threw at once: concurrent map writes) the crash path waiting for its lock
    assert {"runtime.dieFromSignal", "runtime.sighandler", "runtime.dopanic_m"} & {f["name"] for f in behind}
    assert all(f.get("presentationHint") in ("subtle", "label") for f in behind)
    if named.created_by is not None:
        assert ours[-1]["name"].startswith(f"created by {named.created_by.function}")
