"""The registers a signal interrupted, as Go's crash output printed them, are the registers godap
shows for the interrupted frame (read from the signal frame's saved context).

With GOTRACEBACK=crash a signal death prints, for the crashing M and then for every other M it
stops with SIGQUIT, `PC=… m=N` and the registers of that M's signal context (amd64: rax…r15,
rip, rflags; arm64: r0…r29, lr, sp, pc). godap finds the same context in sigtramp's frame on the
thread's own stack: the kernel's layout of the signal frame, per architecture.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import MakeCore
from support import traceback
from support.build import ARCHES, BuildOptions, Mode
from support.cores import Core, Scenario, Trigger, scenario_ids
from support.toolchains import Release

from dap_server.debuggee.api import Registers
from dap_server.debuggee.signals import SIGNAL_NAMES
from dap_server.goruntime.frames import Frame
from dap_server.goruntime.threads import machines_by_stack
from dap_server.session import Session, SessionOptions

CASES = [Scenario("cgozoo", ("ccrash",)), Scenario("zoo", ("abort",), Trigger.SIGABRT)]
# Go's names for registers godap names otherwise; those Go prints that a context has no word
# for (amd64's cs/fs/gs segment selectors, arm64's fault address) are not compared.
GO_NAMES = {"amd64": {"rflags": "eflags"}, "arm64": {**{f"r{i}": f"x{i}" for i in range(30)}, "lr": "x30"}}
NOT_COMPARED = {"cs", "fs", "gs", "fault"}


def _interrupted(frames: list[Frame], signo: int) -> Registers | None:
    """The registers of the frame resumed from the outermost signal `signo` (a crashing M may
    take a second signal, its own abort, while handling the first)."""
    found = None
    for i, frame in enumerate(frames[:-1]):
        if frame.signal == signo and frames[i + 1].registers is not None:
            found = frames[i + 1].registers
    return found


def _core_and_printed_contexts(
    scenario: Scenario, arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> tuple[Core, list[tuple[int, traceback.SignalInfo, dict[str, int]]]]:
    """The scenario's core, and each M id, signal and registers Go's crash output printed."""
    program, args, trigger = scenario
    core = make_core(program, args, go_release, build_mode, trigger=trigger, options=BuildOptions(arch=arch))
    printed = []
    for section in traceback.parse(core.stderr).sections:
        if section.registers and section.signal is not None and section.signal.m is not None:
            printed.append((section.signal.m, section.signal, section.registers))
    return core, printed


def _each_crash_core(test: Callable[..., None]) -> Callable[..., None]:
    parametrized = pytest.mark.parametrize("scenario", CASES, ids=scenario_ids(CASES))(test)
    return pytest.mark.build_modes("opt")(pytest.mark.parametrize("arch", ARCHES)(parametrized))


@_each_crash_core
def test_each_threads_signal_context_is_what_go_printed(
    scenario: Scenario, arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    core, printed = _core_and_printed_contexts(scenario, arch, go_release, build_mode, make_core)
    assert len(printed) >= 2, "Go printed the registers of the crashing M and of the others"
    session = Session.open(SessionOptions(program=str(core.exe), core=str(core.core)))
    try:
        process = session.process
        threads = {t.lwp: t for t in process.debuggee.threads}
        by_id = {m.id: m for m in process.machines}
        names = GO_NAMES[arch]
        compared = 0
        for m_id, signal, registers in printed:
            m = by_id[m_id]
            assert m.lwp, f"m={m.id} (procid {m.procid}) is matched to no thread of the core"
            thread = threads[m.lwp]
            signo = next(n for n, name in SIGNAL_NAMES.items() if name == signal.name)
            regs = _interrupted(process.unwinder.thread_frames(thread, m), signo)
            assert regs is not None, f"m={m.id}: no frame resumed from {signal.name}"
            assert regs.pc == signal.pc
            for name, value in registers.items():
                if name in NOT_COMPARED:
                    continue
                ours = regs.values[names.get(name, name)]
                assert ours == value, f"m={m.id} {name}: ours {ours:#x}, Go {value:#x}"
                compared += 1
        assert compared >= 17 * len(printed)
    finally:
        session.close()


@_each_crash_core
def test_threads_in_the_signal_handler_are_found_by_stack_alone(
    scenario: Scenario, arch: str, go_release: Release, build_mode: Mode, make_core: MakeCore
) -> None:
    """An M can be on a thread before it stores `procid` (a SIGQUIT relayed between minit's
    unblocking of signals and its gettid); godap then finds the thread by the M's stacks. Each M
    that Go printed a signal context for is found that way alone, on the thread procid names."""
    core, printed = _core_and_printed_contexts(scenario, arch, go_release, build_mode, make_core)
    session = Session.open(SessionOptions(program=str(core.exe), core=str(core.core)))
    try:
        process = session.process
        by_stack = machines_by_stack(list(process.debuggee.threads), process.machines, process.reader)
        found = {m.id: lwp for lwp, m in by_stack.items()}
        missing = sorted({m_id for m_id, _, _ in printed} - found.keys())
        assert not missing, f"Ms {missing} are on no thread's stack"
        assert all(m.procid == lwp for lwp, m in by_stack.items() if m.procid), "a stack names another M's thread"
    finally:
        session.close()
