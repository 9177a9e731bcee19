"""Defects the fuzzers find that are reported to the engineer who owns the code and not fixed yet.

A defect matching one of these is counted and printed by the fuzz tests instead of failing them;
everything else fails. Remove an entry once its fix lands (the run then shows it no longer occurs).
"""

from __future__ import annotations

import re

KNOWN_OPEN: dict[str, str] = {}
_PATTERNS = [(re.compile(pattern), why) for pattern, why in KNOWN_OPEN.items()]


def known_reason(defect: str) -> str | None:
    """Why `defect` is known and open, or None if it is a new one."""
    for pattern, why in _PATTERNS:
        if pattern.search(defect):
            return why
    return None
