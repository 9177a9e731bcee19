"""Attach to a running Go program over DAP, look at it, and leave it running as it was.

The program (tests/fixtures/programs/live) keeps printing heartbeats. While godap has it stopped
the heartbeats must stop; after `disconnect` they must go on, the program must not have seen EINTR,
and its own traceback (SIGQUIT with GOTRACEBACK=all) is the oracle for what godap showed: every
goroutine, its wait reason, and the frames of every goroutine still parked where it was.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import BuildProgram, RunDelve
from support import delve, scoreboard
from support.build import Mode
from support.dap_client import DapClient
from support.delve_compare import same_value
from support.live import LiveProgram, running
from support.session import (
    REPO_ROOT,
    SERVER_COMMAND,
    OpenCore,
    attach_process,
    open_core,
    run_godap,
    server_env,
)
from support.stack_compare import dap_locations, thread_state
from support.toolchains import Release
from support.traceback_check import Agreement

MANY = 10_000  # goroutines parked on one channel, beside the named ones
STOPPED_QUIET = 0.3  # seconds: no heartbeat may be printed while the process is stopped this long
STACK_SAMPLE = 40  # of the MANY identical goroutines, this many have their frames compared
NOT_GO = " (it has no .gopclntab and no Go build info); godap debugs Go programs only"
# Runs a command as root without CAP_SYS_PTRACE (out of its bounding set, so not regained at exec).
WITHOUT_CAP_SYS_PTRACE = ("setpriv", "--bounding-set", "-sys_ptrace", "--inh-caps", "-sys_ptrace")
AS_NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")
MOVING = ("running", "runnable", "syscall")  # states whose frames change from one moment to the next
STOP_MESSAGE = re.compile(r"Process (\d+) stopped in ([\d.]+) ms \(([\d,]+) goroutines\)")
SNAPSHOT_MESSAGE = re.compile(r"Snapshot of process (\d+): it was stopped for ([\d.]+) ms and runs on")


def _console(client: DapClient) -> str:
    return "".join(
        m["body"]["output"] for m in client.messages if m.get("type") == "event" and m.get("event") == "output"
    )


def _evaluate(session: OpenCore, expression: str) -> dict[str, Any]:
    response = session.client.request("evaluate", {"expression": expression, "context": "watch"})
    assert response["success"], f"{expression}: {response.get('message')} {response.get('body')}"
    return dict(response["body"])


def _user_functions(names: Iterable[str]) -> list[str]:
    """The program's own functions: C frames are named differently by each tool ("libc.so.6+0x…"
    by godap, "C.__clock_nanosleep", "live_c_sleep" or "???" by Delve), and around a cgo call Delve
    shows the system stack (runtime.asmcgocall) where godap shows the goroutine's (runtime.cgocall)."""
    return [name for name in names if name.startswith("main.")]


def _assert_runs_as_before(program: LiveProgram) -> None:
    beat = program.heartbeats()
    program.wait_heartbeats_past(beat + 2)
    state, tracer = program.state()
    assert tracer == 0, f"still traced by {tracer} after disconnect"
    assert state in ("R", "S"), f"state {state} after disconnect"
    assert "EINTR" not in program.lines, "a system call of the program returned EINTR"


@pytest.mark.slow
def test_attach_shows_every_goroutine_and_leaves_the_program_running(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    with running(binary, MANY) as program:
        with attach_process(program.pid) as session:
            assert session.stopped["reason"] == "pause"
            stopped_at = program.heartbeats()
            state, tracer = program.state()
            assert state == "t" and tracer != 0, f"not stopped by a tracer: {state} {tracer}"
            match = STOP_MESSAGE.search(_console(session.client))
            assert match and int(match[1]) == program.pid, _console(session.client)
            threads = {t["id"]: t["name"] for t in session.threads()}
            names = list(program.manifest.items())
            stacks = {
                goid: dap_locations(session.stack(goid))
                for goid, name in names
                if name != "waitForever" or goid % (MANY // STACK_SAMPLE) == 0
            }
            stacks.update(
                {goid: dap_locations(session.stack(goid)) for goid in threads if goid not in program.manifest}
            )
            assert _evaluate(session, "liveBanner")["result"] == '"godap attaches here"'
            assert _evaluate(session, "liveAnswer")["result"] == "42"
            assert _evaluate(session, "len(liveNumbers)")["result"] == "5"
            time.sleep(STOPPED_QUIET)
            assert program.heartbeats() == stopped_at, "the program ran while godap had it stopped"
            session.client.request("disconnect", {"terminateDebuggee": False})
        _assert_runs_as_before(program)
        printed = {g.id: g for g in program.quit_traceback().goroutines}

    board = scoreboard.tally("live attach vs Go traceback", go_release.minor)
    board.cores += 1
    agreement = Agreement()
    for goid, name in program.manifest.items():
        assert goid in threads, f"goroutine {goid} ({name}) is not a thread"
    for goid, name in threads.items():
        board.goroutines += 1
        go = printed.get(goid)
        ours, locked = thread_state(name)
        if go is None or (go.wait_reason, go.locked_to_thread) != (ours, locked) or ours in MOVING:
            continue  # it moved on or ended since the stop: nothing to compare
        board.goroutines_matched += 1
        if goid not in stacks:
            continue
        agreement.add(f"goroutine {goid} [{ours}]", stacks[goid], go, parked=True)
    agreement.record(board, f"live {build_mode}")
    parked = {g for g, name in program.manifest.items() if name.startswith("park") or name == "waitForever"}
    unmatched = [g for g in parked if g in stacks and (printed[g].wait_reason != thread_state(threads[g])[0])]
    assert not unmatched, [(g, threads[g], printed[g].status) for g in unmatched]
    assert agreement.compared > len(parked & stacks.keys()), "too few frames compared"
    agreement.assert_agrees()


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("noopt")
def test_continue_and_pause_rebuild_every_view(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    with running(binary, 10) as program, attach_process(program.pid) as session:
        client = session.client
        before = int(_evaluate(session, "heartbeats.v")["result"])
        main_frames = session.stack(1)
        frame_id = main_frames[0]["id"]
        assert client.request("continue", {"threadId": 1})["success"]
        program.wait_heartbeats_past(program.heartbeats() + 3)
        listed = client.request("threads")
        assert listed["success"] and len(listed["body"]["threads"]) == len(session.threads())
        refused = client.request("stackTrace", {"threadId": 1})
        assert not refused["success"] and "is running: pause it" in refused["message"] + str(refused.get("body"))
        os.kill(program.pid, signal.SIGUSR1)  # five goroutines start while it runs
        spawned = program.spawned(5)
        assert client.request("pause", {"threadId": 1})["success"]
        stopped = client.wait_event("stopped")["body"]
        assert stopped["reason"] == "pause"
        events = [m["body"] for m in client.messages if m.get("type") == "event" and m.get("event") == "thread"]
        started = {e["threadId"] for e in events if e["reason"] == "started"}
        assert set(spawned) <= started, (spawned, events)
        assert set(spawned) <= {t["id"] for t in session.threads()}
        assert len(STOP_MESSAGE.findall(_console(client))) == 2
        after = int(_evaluate(session, "heartbeats.v")["result"])
        assert after >= before + 3, (before, after)
        stale = client.request("scopes", {"frameId": frame_id})
        assert not stale["success"], "a frame id of the last stop still answers"
        assert client.request("disconnect", {})["success"]
        _assert_runs_as_before(program)


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_disconnect_with_terminate_debuggee_kills_only_then(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    with running(binary) as program, attach_process(program.pid) as session:
        assert session.client.request("disconnect", {"terminateDebuggee": True})["success"]
        exited = session.client.wait_event("exited")["body"]
        assert exited["exitCode"] == 137
        assert program.process.wait(10) == -9


@pytest.mark.build_modes("opt")
def test_attach_lists_the_goroutines_dlv_attach_lists(
    go_release: Release, build_mode: Mode, build_program: BuildProgram, run_delve: RunDelve
) -> None:
    """Delve attached to the same process, before and after godap: the same goroutines, and the
    program runs on after both."""
    binary = build_program("live", go_release, build_mode)
    with running(binary, MANY) as program:
        parked = sorted(g for g, name in program.manifest.items() if name.startswith("park") or name == "waitForever")
        before = delve.parse_goroutines(delve.attach_delve(program.pid, binary.exe, ["goroutines"])[0].output)
        _assert_runs_as_before(program)
        with attach_process(program.pid) as session:
            ours = {t["id"]: t["name"] for t in session.threads()}
            # A goroutine in C or in a system call moves on between the two attaches: not compared.
            still = [g for g in parked if g in ours and thread_state(ours[g])[0] not in MOVING]
            stacks = {goid: dap_locations(session.stack(goid)) for goid in still[:: len(still) // STACK_SAMPLE]}
        _assert_runs_as_before(program)
        theirs = {g.id: g for g in before}
        assert set(parked) <= set(theirs), "Delve does not list every parked goroutine"
        assert set(parked) <= set(ours)
        assert {g for g in ours if g not in theirs} <= {g for g in ours if thread_state(ours[g])[0] in MOVING}
        listed = delve.attach_delve(program.pid, binary.exe, [f"goroutine {goid} stack 50" for goid in stacks])
        for (goid, mine), result in zip(stacks.items(), listed, strict=True):
            ours_go = _user_functions(loc.function for loc in mine)
            theirs_go = _user_functions(f.function for f in delve.parse_stack(result.output))
            assert ours_go and theirs_go == ours_go, f"goroutine {goid}: {ours_go} vs {theirs_go}"
        _assert_runs_as_before(program)


# What the live fixture keeps still while attached: its values, and the channels its parked
# goroutines were called with, down to the goroutine that waits in each channel's queue (godap
# and Delve each summarise a whole channel or mutex in their own words, so fields are compared).
STILL_GLOBALS = ("main.liveBanner", "main.liveAnswer", "main.liveNumbers", "main.heldRW.readerCount.v")
CHANNEL_FIELDS = ("qcount", "dataqsiz", "elemsize", "closed")
PARKED_EXPRESSIONS = {
    "parkChanRecv": (*(f"ch.{f}" for f in CHANNEL_FIELDS), "ch.recvq.first.g.goid"),
    "parkChanSend": (*(f"ch.{f}" for f in CHANNEL_FIELDS), "ch.sendq.first.g.goid"),
    "parkSelect": ("a.recvq.first.g.goid", "b.sendq.first.g.goid"),
}


@pytest.mark.build_modes("noopt")
def test_attached_values_mean_what_dlv_attach_prints(
    go_release: Release, build_mode: Mode, build_program: BuildProgram, run_delve: RunDelve
) -> None:
    """Globals and the channels in parked goroutines' frames, read by godap attached to the
    process and then by `dlv attach` to the same process: the same values, and each channel's
    waiting queue holds the goroutine the program says is parked on it."""
    binary = build_program("live", go_release, build_mode)
    with running(binary, 10) as program:
        parked = {goid: name for goid, name in program.manifest.items() if name in PARKED_EXPRESSIONS}
        ours: dict[str, str] = {}
        with attach_process(program.pid) as session:
            for name in STILL_GLOBALS:
                ours[f"print {name}"] = _evaluate(session, name)["result"]
            for goid, function in parked.items():
                frames = session.stack(goid)
                index = [loc.function for loc in dap_locations(frames)].index(f"main.{function}")
                for expression in PARKED_EXPRESSIONS[function]:
                    body = session.client.request(
                        "evaluate", {"expression": expression, "frameId": frames[index]["id"], "context": "watch"}
                    )["body"]
                    ours[f"goroutine {goid} {function} {expression}"] = body["result"]
                    if expression.endswith(".g.goid"):
                        assert body["result"] == str(goid), f"{function}: {expression} = {body['result']}"
        _assert_runs_as_before(program)
        stacks = delve.attach_delve(program.pid, binary.exe, [f"goroutine {goid} stack 50" for goid in parked])
        commands = [f"print {name}" for name in STILL_GLOBALS]
        for (goid, function), stack in zip(parked.items(), stacks, strict=True):
            frame = next(f.index for f in delve.parse_stack(stack.output) if f.function == f"main.{function}")
            commands += [f"goroutine {goid} frame {frame} print {e}" for e in PARKED_EXPRESSIONS[function]]
        theirs = delve.attach_delve(program.pid, binary.exe, commands)
        _assert_runs_as_before(program)
    assert len(parked) == len(PARKED_EXPRESSIONS)
    disagree = []
    for (what, mine), result in zip(ours.items(), theirs, strict=True):
        assert result.error is None, f"{result.command}: {result.error}"
        verdict = same_value(mine, result.output.strip(), "")
        if not verdict.agree:
            disagree.append(f"{what}: godap {mine!r}, Delve {result.output.strip()!r} ({verdict.why})")
    assert not disagree, "\n".join(disagree)


# -- snapshots and captured cores ----------------------------------------------------------------


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("noopt")
def test_a_snapshot_shows_the_stop_while_the_program_runs_on(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    with running(binary, 100) as program:
        with attach_process(program.pid, snapshot=True) as session:
            match = SNAPSHOT_MESSAGE.search(_console(session.client))
            assert match and int(match[1]) == program.pid, _console(session.client)
            print(f"snapshot of {len(program.manifest)} goroutines: the process was stopped for {match[2]} ms")
            assert program.state()[1] == 0, "the process is still traced during a snapshot session"
            at_stop = int(_evaluate(session, "heartbeats.v")["result"])
            program.wait_heartbeats_past(at_stop + 5)
            assert int(_evaluate(session, "heartbeats.v")["result"]) == at_stop, "the snapshot changed"
            threads = {t["id"]: t["name"] for t in session.threads()}
            assert set(program.manifest) <= set(threads)
            refused = session.client.request("continue", {"threadId": 1})
            assert not refused["success"] and "snapshot cannot run" in refused["message"]
        _assert_runs_as_before(program)


@pytest.mark.build_modes("opt")
def test_a_captured_core_opens_in_godap_delve_and_gdb_and_agrees_with_attaching(
    go_release: Release, build_mode: Mode, build_program: BuildProgram, run_delve: RunDelve, tmp_path: Path
) -> None:
    binary = build_program("live", go_release, build_mode)
    core = tmp_path / "live.core"
    with running(binary, 100) as program:
        captured = run_godap("capture", str(program.pid), "-o", str(core), timeout=120)
        assert captured.returncode == 0, captured.stderr
        print(captured.stderr.strip())
        _assert_runs_as_before(program)
        parked = [g for g, name in program.manifest.items() if name.startswith("park") or name == "waitForever"]
        with attach_process(program.pid) as session:
            attached = {t["id"]: t["name"] for t in session.threads()}
            attached_stacks = {goid: dap_locations(session.stack(goid)) for goid in parked}
    with open_core(binary.exe, core) as session:
        threads = {t["id"]: t["name"] for t in session.threads()}
        for goid in parked:
            assert threads[goid] == attached[goid]
            assert dap_locations(session.stack(goid)) == attached_stacks[goid]
    theirs = {g.id: g for g in delve.parse_goroutines(run_delve(binary.exe, core, ["goroutines"])[0].output)}
    assert set(threads) <= set(theirs), "godap shows goroutines Delve does not find in the captured core"
    # Delve also lists dead goroutines (a cgo program's spare one for callbacks), as Go's own traceback does not.
    extra = [g for goid, g in theirs.items() if goid not in threads]
    assert all(g.function == "runtime.goexit" and g.status is None for g in extra), extra
    gdb = subprocess.run(
        ["gdb", "-batch", "-ex", "info threads", str(binary.exe), str(core)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f"LWP {program.pid}" in gdb.stdout, gdb.stdout + gdb.stderr


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_report_explains_a_running_process_from_a_snapshot(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    with running(binary, 100) as program:
        result = subprocess.run(
            [*SERVER_COMMAND, "report", str(program.pid)],
            cwd=REPO_ROOT,
            env=server_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert f"with core process {program.pid} (a snapshot; it runs on)" in result.stdout
        assert "100× [chan receive] main.waitForever" in result.stdout, result.stdout
        _assert_runs_as_before(program)


# -- attach failures: a clear error, and the server keeps serving --------------------------------


@contextmanager
def _server(*prefix: str) -> Iterator[DapClient]:
    """A godap server; `prefix` runs it through another command (setpriv)."""
    client = DapClient.spawn((*prefix, *SERVER_COMMAND), cwd=REPO_ROOT, env=server_env())
    try:
        client.request("initialize", {"adapterID": "godap"})
        yield client
        client.assert_no_violations()
    finally:
        client.close()


def _refused(client: DapClient, pid: object, **arguments: Any) -> str:
    response = client.request("attach", {"processId": pid, **arguments})
    assert not response["success"], f"attach to {pid} succeeded"
    text = response["body"]["error"]["format"] if response.get("body", {}).get("error") else response["message"]
    assert client.request("threads")["success"], "the server stopped serving after a failed attach"
    return str(text)


def test_attach_refuses_what_it_cannot_attach_to() -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    zombie = subprocess.Popen(["true"])
    try:
        time.sleep(0.2)  # `true` has exited and is not reaped: a zombie
        with _server() as client:
            assert _refused(client, 4_194_303) == "there is no process 4194303"
            assert _refused(client, str(sleeper.pid)) == f"/usr/bin/sleep is not a Go program{NOT_GO}"
            assert f"process {zombie.pid} (true) is a zombie" in _refused(client, zombie.pid)
            assert 'attach needs "processId"' in _refused(client, "not-a-pid")
            assert 'attach "mode" must be "local"' in _refused(client, sleeper.pid, mode="remote")
    finally:
        sleeper.kill()
        sleeper.wait()
        zombie.wait()


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_attach_names_the_tracer_of_a_traced_process(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    seize = (
        "import sys, time; from dap_server.debuggee import ptrace; "
        "ptrace.seize(int(sys.argv[1])); print('ok', flush=True); time.sleep(60)"
    )
    with running(binary) as program:
        tracer = subprocess.Popen(
            [sys.executable, "-c", seize, str(program.pid)],
            stdout=subprocess.PIPE,
            text=True,
            env=server_env(),
            cwd=REPO_ROOT,
        )
        try:
            assert tracer.stdout is not None and tracer.stdout.readline().strip() == "ok"
            with _server() as client:
                message = _refused(client, program.pid)
                assert f"traced by process {tracer.pid}" in message, message
        finally:
            tracer.kill()
            tracer.wait()
        _assert_runs_as_before(program)


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_attach_without_cap_sys_ptrace_says_what_to_change(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    # The server runs as root without CAP_SYS_PTRACE (out of its bounding set, so not regained at
    # exec): the kernel refuses it a process whose capabilities it lacks, as in a container.
    with running(binary) as program, _server(*WITHOUT_CAP_SYS_PTRACE) as client:
        message = _refused(client, program.pid)
        assert "permission denied" in message and "CAP_SYS_PTRACE" in message, message


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_a_killed_server_leaves_the_process_running(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    with running(binary) as program, attach_process(program.pid) as session:
        assert program.state()[0] == "t"
        assert session.client.process is not None
        session.client.process.kill()  # SIGKILL: no disconnect, no clean-up of its own
        session.client.process.wait(10)
        _assert_runs_as_before(program)


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_a_process_that_exits_while_it_runs_ends_the_session(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    with running(binary) as program, attach_process(program.pid) as session:
        client = session.client
        assert client.request("continue", {"threadId": 1})["success"]
        program.process.terminate()
        program.process.wait(10)
        client.wait_event("terminated")  # noticed while it ran, before anyone pauses
        assert f"process {program.pid}" in _console(client) and "ended while it ran" in _console(client)
        paused = client.request("pause", {"threadId": 1})
        assert not paused["success"] and f"process {program.pid}" in paused["message"], paused
        assert "has exited" in paused["message"], paused
        assert client.request("disconnect", {})["success"]
        assert sum(event["event"] == "terminated" for event in client.events) == 1


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_attach_refuses_an_executable_that_is_not_the_process(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    binary = build_program("live", go_release, build_mode)
    other = build_program("many", go_release, build_mode)
    with running(binary) as program:
        with _server() as client:
            message = _refused(client, program.pid, program=str(other.exe))
            assert str(other.exe) in message and f"process {program.pid}" in message, message
        _assert_runs_as_before(program)


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_attach_to_another_users_process_names_both_users(
    go_release: Release, build_mode: Mode, build_program: BuildProgram
) -> None:
    """The program runs as nobody; godap as root without CAP_SYS_PTRACE, as an ordinary user would."""
    binary = build_program("live", go_release, build_mode)
    home = Path(tempfile.mkdtemp(prefix="godap-other-user-"))  # the cache under /root is not nobody's
    try:
        home.chmod(0o755)
        exe = home / "live"
        shutil.copy2(binary.exe, exe)
        with running(dataclasses.replace(binary, exe=exe), prefix=AS_NOBODY) as program:
            with _server(*WITHOUT_CAP_SYS_PTRACE) as client:
                message = _refused(client, program.pid)
                assert "it runs as uid 65534 and godap as uid 0" in message, message
            _assert_runs_as_before(program)
    finally:
        shutil.rmtree(home)
