"""The parser of Go's crash output, on hand-written samples and on real crashes of every release."""

from __future__ import annotations

import pytest
from conftest import MakeCore
from support import programs
from support import traceback as tb
from support.toolchains import Release

NIL_DEREFERENCE = "runtime error: invalid memory address or nil pointer dereference"

SAMPLE_126 = """\
panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49e500]

goroutine 1 gp=0x282bd402e1e0 m=0 mp=0x586160 [running]:
panic({0x4ae560?, 0x57f500?})
\t/usr/local/go/src/runtime/panic.go:879 +0x16f fp=0x282bd410ce80 sp=0x282bd410cdd0 pc=0x47932f
runtime.panicmem(...)
\t/usr/local/go/src/runtime/panic.go:336
main.(*T).f[...](0x0?)
\t/tmp/exp/main.go:12 +0x20 fp=0x282bd410ce90 sp=0x282bd410ce80 pc=0x49e500

goroutine 21 gp=0x282bd4124780 m=nil [sync.Mutex.Lock, 3 minutes, locked to thread]:
runtime.gopark(0x0?, 0x0?, 0x0?, 0x0?, 0x0?)
\t/usr/local/go/src/runtime/proc.go:462 +0xce fp=0x1 sp=0x2 pc=0x3
...additional frames elided...
created by main.main in goroutine 1
\t/tmp/exp/main.go:31 +0xf4

goroutine 7 gp=0x282bd4124960 m=2 mp=0x282bd4100008 [running]:
\tgoroutine running on other thread; stack unavailable
created by main.main in goroutine 1
\t/tmp/exp/main.go:32 +0x10
rax    0x0
rip    0x49e500

-----

SIGQUIT: quit
PC=0x4839c1 m=2 sigcode=0

goroutine 0 gp=0x282bd4002000 m=2 mp=0x282bd4100008 [idle]:
runtime.futex(0x1, 0x80, 0x0, 0x0, 0x0, 0x0)
\t/usr/local/go/src/runtime/sys_linux_amd64.s:569 +0x21 fp=0x1 sp=0x2 pc=0x4839c1
rax    0xca
"""

SAMPLE_121_DEADLOCK = """\
fatal error: all goroutines are asleep - deadlock!

runtime stack:
runtime.fatal({0x6826c3?, 0x40b7a7?})
\t/go/src/runtime/panic.go:1077 +0x5c fp=0x7ffd sp=0x7ffc pc=0x435a9c
runtime.checkdead()
\t/go/src/runtime/proc.go:5481 +0x2a5 fp=0x7ffe sp=0x7ffd pc=0x442005

goroutine 1 [chan receive]:
main.main()
\t/tmp/x/main.go:5 +0x1d fp=0xc sp=0xb pc=0x45
"""

SAMPLE_REPANIC = """\
panic: first [recovered]
\tpanic: second

goroutine 1 [running]:
main.main()
\t/tmp/x/main.go:5 +0x1d
"""


def test_sample_126_sections_frames_and_flags() -> None:
    parsed = tb.parse(SAMPLE_126)
    assert not parsed.unparsed
    assert parsed.header.splitlines()[0].startswith("panic: runtime error")
    assert [p.message for p in parsed.panics] == ["runtime error: invalid memory address or nil pointer dereference"]
    signal = parsed.signal
    assert signal is not None and (signal.name, signal.code, signal.addr, signal.pc) == (
        "SIGSEGV",
        1,
        0,
        0x49E500,
    )

    first = parsed.goroutine(1)
    assert (first.gp, first.m, first.mp, first.wait_reason) == (0x282BD402E1E0, 0, 0x586160, "running")
    assert first.functions == ["runtime.gopanic", "runtime.panicmem", "main.(*T).f[...]"]
    panic_frame, inlined, method = first.frames
    assert (panic_frame.function, panic_frame.args, panic_frame.line, panic_frame.offset) == (
        "panic",
        "{0x4ae560?, 0x57f500?}",
        879,
        0x16F,
    )
    assert (panic_frame.pc, panic_frame.sp, panic_frame.fp) == (0x47932F, 0x282BD410CDD0, 0x282BD410CE80)
    assert inlined.inlined and inlined.pc is None and not method.inlined

    waiting = parsed.goroutine(21)
    assert (waiting.wait_reason, waiting.minutes, waiting.locked_to_thread, waiting.m) == (
        "sync.Mutex.Lock",
        3,
        True,
        None,
    )
    assert waiting.elided_frames == -1
    assert waiting.created_by == tb.CreatedBy("main.main", 1, "/tmp/exp/main.go", 31, 0xF4)
    assert parsed.goroutine(7).stack_unavailable and parsed.goroutine(7).frames == []
    assert parsed.sections[0].registers == {"rax": 0, "rip": 0x49E500}

    (thread,) = parsed.threads
    assert thread.signal == tb.SignalInfo("SIGQUIT", "quit", 0, None, 0x4839C1, 2)
    assert [g.id for g in thread.goroutines] == [0] and thread.registers == {"rax": 0xCA}
    assert [g.id for g in parsed.user_goroutines] == [1, 21, 7]


def test_sample_121_runtime_stack_and_old_header() -> None:
    parsed = tb.parse(SAMPLE_121_DEADLOCK)
    assert not parsed.unparsed
    assert parsed.fatal_error == "all goroutines are asleep - deadlock!"
    assert parsed.header == "fatal error: all goroutines are asleep - deadlock!"
    (stack,) = parsed.runtime_stacks
    assert [f.function for f in stack.frames] == ["runtime.fatal", "runtime.checkdead"]
    (main,) = parsed.goroutines
    assert (main.id, main.gp, main.m, main.status, main.minutes) == (1, None, None, "chan receive", None)


def test_sample_recovered_panic_chain() -> None:
    parsed = tb.parse(SAMPLE_REPANIC)
    assert parsed.panics == [tb.Panic("first", recovered=True), tb.Panic("second")]


def test_unknown_lines_are_kept() -> None:
    parsed = tb.parse("panic: x\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\nsomething new\n")
    assert parsed.unparsed == ["something new"]


# --- real crashes ------------------------------------------------------------------


def _crash(make_core: MakeCore, release: Release, *args: str, trigger: str = "self") -> tb.Traceback:
    core = make_core(programs.ZOO, args, release, trigger=trigger)
    parsed = tb.parse(core.stderr)
    assert not parsed.unparsed, parsed.unparsed
    return parsed


def test_blocked_goroutines_match_the_manifest(make_core: MakeCore, go_release: Release) -> None:
    core = make_core(programs.ZOO, ["blocked"], go_release, trigger="sigquit")
    parsed = tb.parse(core.stderr)
    assert not parsed.unparsed
    assert parsed.signal is not None and parsed.signal.name == "SIGQUIT"
    assert parsed.threads, "a signal death adds one section per other M"
    assert all(section.registers for section in parsed.sections)
    names = programs.parse_manifest(core.stdout)
    by_name = {blocked.name: blocked for blocked in programs.ZOO_BLOCKED}
    assert set(names.values()) == set(by_name)
    for goid, name in names.items():
        goroutine, expected = parsed.goroutine(goid), by_name[name]
        assert goroutine.wait_reason == expected.wait_reason_for(go_release), name
        assert goroutine.locked_to_thread == expected.locked_to_thread, name
        assert expected.function in goroutine.functions, name
        assert goroutine.created_by is not None and goroutine.created_by.goroutine is not None
        assert (goroutine.gp is not None) == go_release.at_least(1, 22)
    recursion = parsed.goroutine(next(goid for goid, name in names.items() if name == "recurse"))
    assert recursion.functions.count("main.recurse") == programs.ZOO_RECURSION_DEPTH + 1


def test_nil_dereference(make_core: MakeCore, go_release: Release) -> None:
    parsed = _crash(make_core, go_release, "nilderef")
    assert parsed.panics[0].message == NIL_DEREFERENCE
    assert parsed.signal is not None and (parsed.signal.name, parsed.signal.addr) == ("SIGSEGV", 0)
    crashing = parsed.goroutines[0]
    assert crashing.id == 1 and crashing.wait_reason == "running"
    assert crashing.functions[0] == "runtime.gopanic"
    assert "runtime.sigpanic" in crashing.functions and "main.derefPlain" in crashing.functions


def test_fatal_errors(make_core: MakeCore, go_release: Release) -> None:
    mapwrites = _crash(make_core, go_release, "mapwrites")
    assert mapwrites.fatal_error == "concurrent map writes"
    assert "main.writeMap" in mapwrites.goroutines[0].functions
    deadlock = _crash(make_core, go_release, "deadlock")
    assert deadlock.fatal_error == "all goroutines are asleep - deadlock!"
    assert any("runtime.checkdead" in [f.function for f in s.frames] for s in deadlock.runtime_stacks)


def test_panic_chains(make_core: MakeCore, go_release: Release) -> None:
    nested = _crash(make_core, go_release, "nested")
    assert [p.message for p in nested.panics] == ["zoo: first panic", "zoo: second panic in deferred call"]
    repanic = _crash(make_core, go_release, "repanic")
    assert repanic.panics[0] == tb.Panic("zoo: original panic", recovered=True)
    same = _crash(make_core, go_release, "repanicsame")
    assert same.panics[0].recovered
    # Go 1.25 prints one "[recovered, repanicked]" line instead of two panics.
    assert same.panics[0].repanicked == go_release.at_least(1, 25)
    assert len(same.panics) == (1 if go_release.at_least(1, 25) else 2)


def test_deep_recursion_is_elided(make_core: MakeCore, go_release: Release) -> None:
    parsed = _crash(make_core, go_release, "recursion")
    crashing = parsed.goroutines[0]
    assert crashing.elided_frames is not None and crashing.elided_frames > 0
    total = len(crashing.frames) + crashing.elided_frames
    assert crashing.functions.count("main.deepPanic") + crashing.elided_frames >= programs.ZOO_DEEP_RECURSION
    assert total > programs.ZOO_DEEP_RECURSION


def test_panic_in_goroutine(make_core: MakeCore, go_release: Release) -> None:
    parsed = _crash(make_core, go_release, "gopanic")
    crashing = parsed.goroutines[0]
    assert crashing.id != 1 and "main.panicInGoroutine" in crashing.functions
    assert crashing.created_by is not None and crashing.created_by.function == "main.dieGoPanic"


@pytest.mark.parametrize("scenario", ["index", "panicerr", "panicstruct", "goexit"])
def test_other_scenarios_parse(make_core: MakeCore, go_release: Release, scenario: str) -> None:
    parsed = _crash(make_core, go_release, scenario)
    assert parsed.panics or parsed.fatal_error
    assert len(parsed.user_goroutines) > 10
