"""How much fuzzing a run does: `GODAP_FUZZ_SCALE` multiplies the CI figures (default 1).

CI runs the default (10,000 protocol cases and 1,000 mutated cores, a few minutes on two cores);
for a long local run use e.g. `GODAP_FUZZ_SCALE=20 pytest tests/test_fuzz_*.py`.
`GODAP_FUZZ_SEED` picks the random seed of the core mutations (default: fixed, so CI is
reproducible; any other value explores new cases).
"""

from __future__ import annotations

import os

SCALE_ENV = "GODAP_FUZZ_SCALE"
SEED_ENV = "GODAP_FUZZ_SEED"
DEFAULT_SEED = 20240607


def scale() -> float:
    raw = os.environ.get(SCALE_ENV, "1")
    try:
        value = float(raw)
    except ValueError as exc:
        raise ValueError(f"{SCALE_ENV}={raw!r} is not a number") from exc
    return max(value, 0.01)


def scaled(base: int) -> int:
    """`base` cases times the scale (at least one)."""
    return max(1, round(base * scale()))


def seed() -> int:
    raw = os.environ.get(SEED_ENV)
    return int(raw) if raw else DEFAULT_SEED
