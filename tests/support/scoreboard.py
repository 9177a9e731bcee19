"""Agreement figures gathered across a test session and printed at its end."""

from __future__ import annotations

import json
import os
from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Tally:
    goroutines: int = 0
    goroutines_matched: int = 0
    frames: int = 0
    frames_matched: int = 0
    cores: int = 0
    notes: list[str] = field(default_factory=list)


BOARDS: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))


def tally(board: str, key: str) -> Tally:
    return BOARDS[board][key]


def dump() -> dict[str, dict[str, dict[str, object]]]:
    """The boards as JSON data (what a pytest-xdist worker hands to the controller)."""
    return {board: {key: dict(t.__dict__) for key, t in rows.items()} for board, rows in BOARDS.items()}


def merge(data: dict[str, dict[str, dict[str, object]]]) -> None:
    """Add a worker's `dump()` to these boards."""
    for board, rows in data.items():
        for key, fields in rows.items():
            mine = tally(board, key)
            for name, value in fields.items():
                setattr(mine, name, getattr(mine, name) + value)


def render() -> list[str]:
    lines: list[str] = []
    for board, rows in sorted(BOARDS.items()):
        lines.append(f"{board}:")
        lines.append("  release    cores  goroutines matched    frames matched")
        for key, t in sorted(rows.items()):
            g = 100.0 * t.goroutines_matched / t.goroutines if t.goroutines else 100.0
            f = 100.0 * t.frames_matched / t.frames if t.frames else 100.0
            lines.append(
                f"  {key:<9} {t.cores:>6}  {t.goroutines_matched:>6}/{t.goroutines:<6} {g:6.2f}%"
                f"  {t.frames_matched:>6}/{t.frames:<6} {f:6.2f}%"
            )
            lines.extend(f"      {note}" for note in t.notes[:20])
    path = os.environ.get("GODAP_SCOREBOARD")
    if path and BOARDS:
        with open(path, "w") as handle:
            json.dump(dump(), handle, indent=2)
    return lines
