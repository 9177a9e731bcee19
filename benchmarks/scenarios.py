"""One run of each measured scenario; every function starts and stops its own process.

Each returns a flat ``dict[str, float]`` of measurements (seconds, MiB, counts)
so that runs can be summarised key by key. ``Ids`` carries goroutine ids that
godap's first run found (the stopped goroutine, the last goroutine of the list)
so that Delve is asked about the very same goroutines.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

from . import servers
from .dap import DapError, Message
from .inputs import Input
from .procs import Timed, run_timed
from .servers import Live

STACK_LEVELS = 20
CLI_TIMEOUT = 600.0
Measures = dict[str, float]


@dataclass
class Ids:
    stopped: int | None = None
    last: int | None = None
    other: int | None = None  # the goroutine before the last
    notes: list[str] = field(default_factory=list)


def _thread_ids(response: Message) -> list[int]:
    return [int(thread["id"]) for thread in response["body"]["threads"]]


def _frames(live: Live, goid: int, levels: int = STACK_LEVELS) -> tuple[list[Message], float]:
    response, seconds, _ = live.request("stackTrace", {"threadId": goid, "startFrame": 0, "levels": levels})
    frames = response["body"]["stackFrames"]
    if not frames:
        raise DapError(f"{live.name}: empty stack for goroutine {goid}")
    return frames, seconds


# --- T1, T2 (godap), T3, T6: one editor-like session ---------------------------------------------


def session(server: str, inp: Input, ids: Ids, machine: bool = False) -> Measures:
    """spawn → initialize → launch → configurationDone → stopped → threads → stackTrace(stopped goroutine)
    → stackTrace(last goroutine) twice → stackTrace(the one before it). ``machine``: godap run by
    this machine's own interpreter rather than the install's (see servers.snapshot)."""
    with servers.godap(machine) if server == "godap" else servers.delve() as live:
        servers.open_core(live, inp)
        response, seconds, stamp = live.request("threads")
        thread_ids = _thread_ids(response)
        measures: Measures = dict(live.phases)
        measures["threads"] = seconds
        measures["threads listed"] = len(thread_ids)
        measures["launch→threads"] = servers.since_launch(live, stamp)
        measures["spawn→threads"] = stamp - live.spawned
        stopped = live.stopped.get("body", {}).get("threadId")
        if server == "godap":
            ids.stopped = int(stopped) if stopped is not None else thread_ids[0]
            ids.last = thread_ids[-1]
            ids.other = thread_ids[-2] if len(thread_ids) > 1 else thread_ids[-1]
        goid = ids.stopped if ids.stopped in thread_ids else (stopped or thread_ids[0])
        seq, sent = live.client.send("stackTrace", {"threadId": goid, "startFrame": 0, "levels": STACK_LEVELS})
        message, stamp = live.client.response(seq, servers.SESSION_TIMEOUT)
        if not message["body"]["stackFrames"]:
            raise DapError(f"{server}: empty stack for the stopped goroutine {goid}")
        measures["stackTrace"] = stamp - sent
        measures["spawn→stackTrace"] = stamp - live.spawned
        if ids.last is not None:
            measures["far listed"] = float(ids.last in thread_ids)
            _, measures["far first"] = _frames(live, ids.last)
            _, measures["far again"] = _frames(live, ids.last)
            if ids.other is not None:
                _, measures["far other"] = _frames(live, ids.other)
    measures["peak rss"] = live.peak_rss_mib
    measures["peak anon"] = live.peak_anon_mib
    return measures


def far_without_threads(server: str, inp: Input, ids: Ids) -> Measures:
    """open → stackTrace(last goroutine) twice, with no threads request before (nothing listed yet)."""
    if ids.last is None:
        raise LookupError("no goroutine ids yet (the godap session failed)")
    with servers.godap() if server == "godap" else servers.delve() as live:
        servers.open_core(live, inp)
        measures: Measures = {}
        _, measures["far first"] = _frames(live, ids.last)
        _, measures["far again"] = _frames(live, ids.last)
    measures["peak rss"] = live.peak_rss_mib
    measures["peak anon"] = live.peak_anon_mib
    return measures


# --- T4: grouping (godap) ------------------------------------------------------------------------


def grouped_threads(inp: Input) -> Measures:
    with servers.godap() as live:
        servers.open_core(live, inp, {"groupGoroutines": True})
        response, seconds, stamp = live.request("threads")
        measures: Measures = dict(live.phases)
        measures["threads"] = seconds
        measures["groups"] = len(response["body"]["threads"])
        measures["launch→threads"] = servers.since_launch(live, stamp)
        measures["spawn→threads"] = stamp - live.spawned
    measures["peak rss"] = live.peak_rss_mib
    measures["peak anon"] = live.peak_anon_mib
    return measures


# --- T2, T4 (Delve CLI), T5 (godap report) -------------------------------------------------------


def delve_cli(inp: Input, commands: str) -> Measures:
    """``dlv core EXE CORE --init FILE`` where FILE holds ``commands`` then ``exit``; the whole process."""
    dlv = servers.find_dlv()
    if dlv is None:
        raise DapError("no dlv (expected ~/go/bin/dlv)")
    with tempfile.NamedTemporaryFile("w", suffix=".dlvinit", delete=False) as init:
        init.write(f"{commands}\nexit\n")
    try:
        timed = run_timed(
            [
                str(dlv),
                "core",
                str(inp.exe),
                str(inp.core),
                "--init",
                init.name,
                "--allow-non-terminal-interactive=true",
            ],
            timeout=CLI_TIMEOUT,
        )
    finally:
        os.unlink(init.name)
    if timed.returncode != 0 or timed.stdout_lines == 0:
        raise DapError(f"dlv core … {commands!r} exited {timed.returncode} with {timed.stdout_lines} lines")
    return _process_measures(timed)


def _process_measures(timed: Timed) -> Measures:
    """What is recorded of one whole CLI process."""
    return {
        "wall": timed.wall,
        "cpu": timed.cpu,
        "peak rss": timed.peak_rss_mib,
        "peak anon": timed.peak_anon_mib,
        "lines": timed.stdout_lines,
    }


def godap_report(inp: Input) -> Measures:
    """``godap report EXE CORE`` with its output on a pipe (counted, not kept): the whole process."""
    timed = run_timed(
        [*servers.godap_command(), "report", str(inp.exe), str(inp.core)],
        timeout=CLI_TIMEOUT,
        cwd=str(servers.godap_cwd),
        env=servers.godap_env(),
    )
    if timed.returncode != 0 or timed.stdout_lines == 0:
        raise DapError(f"godap report exited {timed.returncode} with {timed.stdout_lines} lines")
    return _process_measures(timed)


# --- T7: variables ---------------------------------------------------------------------------------

_SYSTEM_PREFIXES = ("runtime.", "runtime/", "internal/", "syscall.", "sync.", "sync/")


def _pick_frames(frames: list[Message]) -> tuple[Message | None, Message | None]:
    """The first frame outside the runtime and the standard sync/syscall packages, and the first main.* frame."""
    frames = [f for f in frames if f.get("presentationHint") != "label"]  # godap's "SIGABRT received here"
    user = next((f for f in frames if not str(f["name"]).startswith(_SYSTEM_PREFIXES)), None)
    main = next((f for f in frames if str(f["name"]).startswith("main.")), None)
    return user, main


def _scopes(live: Live, frame_id: int, kind: str) -> tuple[list[Message], list[str], float]:
    """The scopes that hold ``kind``: Locals (+ Arguments, which Delve folds into Locals), or Globals."""
    response, seconds, _ = live.request("scopes", {"frameId": frame_id})
    scopes: list[Message] = response["body"]["scopes"]
    if kind == "locals":
        chosen = [s for s in scopes if "local" in str(s["name"]).lower() or str(s["name"]) == "Arguments"]
    else:
        chosen = [s for s in scopes if "global" in str(s["name"]).lower()][:1]
    return chosen, [str(s["name"]) for s in scopes], seconds


def variables(server: str, inp: Input, kind: str, goid: int = 1) -> Measures:
    """Cold: scopes → variables of the ``kind`` ("locals" or "globals") scopes, first in the session.
    Warm: scopes again on the same frame → variables on the (new) references.

    Locals (with Arguments) are those of the first user frame of goroutine ``goid``; globals are
    asked for on its first ``main.*`` frame. Raises LookupError when the server offers no such scope.
    """
    with servers.godap() if server == "godap" else servers.delve() as live:
        servers.open_core(live, inp)
        live.request("threads")
        frames, _ = _frames(live, goid, 100)
        user, main = _pick_frames(frames)
        frame = user if kind == "locals" else main
        if frame is None:
            raise LookupError(f"goroutine {goid} has no {'user' if kind == 'locals' else 'main.*'} frame")
        measures: Measures = {}
        for phase in ("cold", "warm"):
            chosen, names, seconds = _scopes(live, int(frame["id"]), kind)
            if not chosen:
                raise LookupError(f"{server}: no {kind} scope for {frame['name']} (scopes: {names})")
            measures[f"{phase} scopes+variables"] = seconds
            measures[f"{phase} count"] = 0
            for scope in chosen:
                response, seconds, _ = live.request("variables", {"variablesReference": scope["variablesReference"]})
                measures[f"{phase} scopes+variables"] += seconds
                measures[f"{phase} count"] += len(response["body"]["variables"])
    measures["peak rss"] = live.peak_rss_mib
    measures["peak anon"] = live.peak_anon_mib
    return measures


def frame_names(server: str, inp: Input, goid: int = 1) -> dict[str, Any]:
    """Which frames and scopes ``variables`` uses (for the notes)."""
    with servers.godap() if server == "godap" else servers.delve() as live:
        servers.open_core(live, inp)
        live.request("threads")
        frames, _ = _frames(live, goid, 100)
        user, main = _pick_frames(frames)
        picked: dict[str, Any] = {"user": user and user["name"], "main": main and main["name"]}
        for key, frame in (("user scopes", user), ("main scopes", main)):
            if frame is not None:
                picked[key] = _scopes(live, int(frame["id"]), "locals")[1]
        return picked
