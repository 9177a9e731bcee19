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
from support.build import BuildOptions, Mode
from support.cores import Core, Trigger
from support.session import open_core
from support.toolchains import Release

CASES = [
    ("zoo", ("blocked",), Trigger.SIGABRT, "SIGABRT"),
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
@pytest.mark.parametrize(
    ("program", "args", "trigger", "exception_id"), CASES, ids=[f"{c[0]}-{'-'.join(c[1])}" for c in CASES]
)
def test_exception_info_says_what_go_said(
    program: str,
    args: tuple[str, ...],
    trigger: Trigger,
    exception_id: str,
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
) -> None:
    core = make_core(program, args, release=go_release, mode=build_mode, trigger=trigger)
    _check_explanation(core, exception_id)


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize(
    ("program", "args", "trigger", "exception_id"), CASES, ids=[f"{c[0]}-{'-'.join(c[1])}" for c in CASES]
)
def test_arm64_exception_info_says_what_go_said(
    program: str,
    args: tuple[str, ...],
    trigger: Trigger,
    exception_id: str,
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
) -> None:
    """linux/arm64 cores made under qemu-user: the same words as Go's."""
    options = BuildOptions(arch="arm64")
    core = make_core(program, args, release=go_release, mode=build_mode, trigger=trigger, options=options)
    _check_explanation(core, exception_id)


def _check_explanation(core: Core, exception_id: str) -> None:
    printed = traceback.parse(core.stderr)
    expected = _go_first_lines(core.stderr)
    with open_core(core.exe, core.core) as session:
        stopped = session.stopped
        assert stopped["reason"] == "exception"
        assert stopped["allThreadsStopped"] is True
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
@pytest.mark.parametrize("arch", ["amd64", "arm64"])
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
