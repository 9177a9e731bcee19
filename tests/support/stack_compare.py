"""Comparing the DAP stack of a goroutine with the one Go printed in its crash output."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .traceback import Goroutine

INLINED_SUFFIX = " (inlined)"
DUMP_LABEL = "to dump the core"  # the label before the frames of the runtime's re-raise
_TYPE_ARGS = re.compile(r"\[.*\]")
_STATE = re.compile(r"^Goroutine \d+ \[(?P<state>[^\]]*)\]")


def normalize_function(name: str) -> str:
    """Generic instantiations print as `F[...]`; pclntab has `F[go.shape.int]`."""
    return _TYPE_ARGS.sub("[...]", name)


@dataclass(frozen=True)
class Location:
    function: str
    file: str
    line: int


@dataclass
class Comparison:
    compared: int = 0
    matched: int = 0
    mismatches: list[str] = field(default_factory=list)


def dap_locations(frames: list[dict[str, Any]]) -> list[Location]:
    """Real frames of a DAP stackTrace (label frames dropped), names as Go prints them. The frames
    of the runtime's re-raise that dumped the core, behind the label that says so, are the signal
    handler's, not the goroutine's: they end the list."""
    result = []
    for frame in frames:
        if frame.get("presentationHint") == "label":
            if DUMP_LABEL in frame["name"]:
                break
            continue
        name = frame["name"].removesuffix(INLINED_SUFFIX)
        source = frame.get("source") or {}
        file = source.get("path") or source.get("name") or ""
        result.append(Location(normalize_function(name), file, frame.get("line", 0)))
    return result


def go_locations(goroutine: Goroutine) -> list[Location]:
    return [Location(normalize_function(f.normalized_function), f.file, f.line) for f in goroutine.frames]


def _same(ours: Location, theirs: Location, function_only: bool) -> bool:
    if ours.function != theirs.function:
        return False
    return function_only or (ours.line == theirs.line and ours.file.endswith(theirs.file.lstrip("./")))


def compare_stack(ours: list[Location], goroutine: Goroutine, parked: bool) -> Comparison:
    """Frames Go printed vs ours, in order. Go's list may start below ours (a running goroutine
    shows signal-handling frames first) and may elide the middle of a deep stack."""
    theirs = go_locations(goroutine)
    result = Comparison()
    if not theirs:
        return result
    start = next((i for i, loc in enumerate(ours) if loc.function == theirs[0].function), None)
    if start is None:
        result.compared = len(theirs)
        result.mismatches.append(f"Go's first frame {theirs[0].function} is not in our stack")
        return result
    elided = goroutine.elided_frames
    if elided and elided > 0:
        head = len(theirs) // 2
        pairs = list(zip(ours[start : start + head], theirs[:head], strict=False))
        tail = theirs[head:]
        pairs += list(zip(ours[len(ours) - len(tail) :], tail, strict=False))
        missing = len(theirs) - len(pairs)
    else:
        pairs = list(zip(ours[start:], theirs, strict=False))
        missing = len(theirs) - len(pairs)
    for index, (mine, go) in enumerate(pairs):
        result.compared += 1
        if _same(mine, go, function_only=parked and index == 0 and start == 0):
            result.matched += 1
        else:
            result.mismatches.append(
                f"frame {index}: ours {mine.function} {mine.file}:{mine.line}, Go {go.function} {go.file}:{go.line}"
            )
    if missing:
        result.compared += missing
        result.mismatches.append(f"{missing} of Go's frames are missing from our stack")
    return result


def thread_state(name: str) -> tuple[str, bool]:
    """(wait reason or status, locked to thread) from a godap thread name."""
    match = _STATE.match(name)
    if match is None:
        return "", False
    parts = match["state"].split(", ")
    return parts[0], "locked to thread" in parts[1:]
