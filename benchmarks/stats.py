"""Medians with min–max over runs, and how they print."""

from __future__ import annotations

import statistics
from dataclasses import dataclass

Measures = dict[str, float]


@dataclass(frozen=True)
class Stat:
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def to_json(self) -> dict[str, object]:
        return {"median": self.median, "min": self.low, "max": self.high, "n": len(self.values), "values": self.values}


def stat(runs: list[Measures], key: str) -> Stat | None:
    values = tuple(run[key] for run in runs if key in run)
    return Stat(values) if values else None


def ms(value: Stat | None) -> str:
    """``123 (110–140)`` in milliseconds; small values keep a decimal."""
    if value is None:
        return "—"
    if len(value.values) == 1:
        return _ms(value.median)
    return f"{_ms(value.median)} ({_ms(value.low)}–{_ms(value.high)})"


def _ms(seconds: float) -> str:
    milli = seconds * 1000
    return f"{milli:.1f}" if milli < 20 else f"{milli:,.0f}"


def mib(value: Stat | None) -> str:
    if value is None:
        return "—"
    if len(value.values) == 1:
        return f"{value.median:.0f}"
    return f"{value.median:.0f} ({value.low:.0f}–{value.high:.0f})"


def count(value: Stat | None) -> str:
    return "—" if value is None else f"{value.median:,.0f}"


def ratio(godap: Stat | None, delve: Stat | None) -> float | None:
    if godap is None or delve is None or delve.median <= 0:
        return None
    return godap.median / delve.median


def ratio_noise(godap: Stat | None, delve: Stat | None) -> float:
    """How much godap ÷ Delve moved from run to run: half the range of the run-by-run ratios.

    The scenarios compared alternate run by run, so run i of each was measured side by side,
    under the same load; with one run there is no measured noise (0)."""
    if godap is None or delve is None:
        return 0.0
    ratios = [g / d for g, d in zip(godap.values, delve.values, strict=False) if d > 0]
    return (max(ratios) - min(ratios)) / 2 if len(ratios) > 1 else 0.0


def noise(value: Stat | None) -> float:
    """Half the range of one scenario's runs (for targets on an absolute time)."""
    return 0.0 if value is None or len(value.values) < 2 else (value.high - value.low) / 2


def ratio_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"
