"""Walk a launched session the way an inquisitive editor would: threads, frames, scopes and
variables (bounded), the exception, sources, memory, disassembly, and ids that are stale or out
of range. Used on mutated cores: whatever the damage, every request must get a schema-valid answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .driver import AdapterDriver

BAD_IDS = (0, -1, 2**31 - 1, 987654)
BAD_REFERENCES = ("0x0", "0xffffffffffffffff", "banana", "-1")


@dataclass(frozen=True)
class Limits:
    """How far a walk goes (the fuzz run uses the small default; the corpus replay goes deeper)."""

    threads: int = 6
    frames: int = 48
    frames_with_scopes: int = 2
    threads_with_scopes: int = 2
    variables: int = 40
    depth: int = 3
    instructions: int = 16


SHALLOW = Limits()
DEEP = Limits(threads=64, frames=64, frames_with_scopes=4, threads_with_scopes=64, variables=200, depth=4)


@dataclass
class Walk:
    """What the walk saw (for assertions about truth) besides the driver's defects."""

    launched: bool = False
    launch_message: str = ""
    warnings: list[str] = field(default_factory=list)
    threads: list[dict[str, Any]] = field(default_factory=list)
    frames: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    variables: list[dict[str, Any]] = field(default_factory=list)
    requests: int = 0


def launch(driver: AdapterDriver, program: str, core: str, **options: Any) -> Walk:
    walk = Walk()
    driver.request("initialize", {"adapterID": "godap", "supportsProgressReporting": True})
    response = driver.request("launch", {"program": program, "coreFilePath": core, **options})
    walk.requests += 2
    walk.launched = bool(response.get("success"))
    walk.launch_message = str(response.get("message") or "")
    walk.warnings = [
        str(e["body"]["output"]) for e in driver.events("output") if str(e["body"]["output"]).startswith("warning")
    ]
    return walk


def explore(driver: AdapterDriver, walk: Walk, limits: Limits | None = None) -> Walk:
    """Every request an editor may send after `launch` (bounded), then stale ids and a disconnect."""

    def ask(command: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        walk.requests += 1
        return driver.request(command, arguments)

    limits = limits or SHALLOW
    ask("configurationDone")
    walk.threads = list((ask("threads").get("body") or {}).get("threads") or [])
    ask("exceptionInfo", {"threadId": walk.threads[0]["id"] if walk.threads else 1})
    for index, thread in enumerate(walk.threads[: limits.threads]):
        stack = ask("stackTrace", {"threadId": thread["id"], "startFrame": 0, "levels": limits.frames})
        frames = list((stack.get("body") or {}).get("stackFrames") or [])
        walk.frames[thread["id"]] = frames
        if index < limits.threads_with_scopes:
            for frame in _interesting(frames)[: limits.frames_with_scopes]:
                _scopes(ask, walk, frame["id"], limits)
    ask("stackTrace", {"threadId": walk.threads[0]["id"] if walk.threads else 1, "startFrame": 3, "levels": 2})
    paths = [f["source"]["path"] for fs in walk.frames.values() for f in fs if (f.get("source") or {}).get("path")]
    for path in [*paths[:1], "/etc/passwd"]:
        ask("source", {"source": {"path": path}, "sourceReference": 0})
    pcs = [
        f["instructionPointerReference"]
        for fs in walk.frames.values()
        for f in fs
        if "instructionPointerReference" in f
    ]
    for reference in [*pcs[:1], *BAD_REFERENCES]:
        ask("readMemory", {"memoryReference": reference, "offset": -8, "count": 64})
        ask(
            "disassemble",
            {"memoryReference": reference, "instructionOffset": -4, "instructionCount": limits.instructions},
        )
    ask("loadedSources")
    ask("modules", {"startModule": 0, "moduleCount": 0})
    ask("evaluate", {"expression": "main.AppVersion", "context": "watch"})
    for bad in BAD_IDS:
        ask("stackTrace", {"threadId": bad})
        ask("scopes", {"frameId": bad})
        ask("variables", {"variablesReference": bad})
    ask("disconnect", {})
    return walk


def _interesting(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Frames of the program first (their variables are the ones people look at), then the rest."""
    user = [f for f in frames if str(f.get("name", "")).startswith("main.")]
    return user + [f for f in frames if f not in user]


def _scopes(ask: Any, walk: Walk, frame_id: int, limits: Limits) -> None:
    scopes = ask("scopes", {"frameId": frame_id})
    budget = [limits.variables]
    for scope in (scopes.get("body") or {}).get("scopes") or []:
        _variables(ask, walk, int(scope.get("variablesReference") or 0), limits.depth, budget)


def _variables(ask: Any, walk: Walk, reference: int, depth: int, budget: list[int]) -> None:
    if reference <= 0 or depth <= 0 or budget[0] <= 0:
        return
    body = ask("variables", {"variablesReference": reference, "start": 0, "count": 16}).get("body") or {}
    for variable in body.get("variables") or []:
        budget[0] -= 1
        walk.variables.append(variable)
        if budget[0] <= 0:
            return
        _variables(ask, walk, int(variable.get("variablesReference") or 0), depth - 1, budget)
