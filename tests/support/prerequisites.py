"""What a test does when this machine lacks something it needs: a Go toolchain, cores, dlv, node, gcc.

It fails, with the reason: a CI run must not pass by skipping what it could not run. A developer
whose machine cannot have it (no root to fix core_pattern, no Node) sets ``GODAP_ALLOW_SKIPS=1``
to skip those tests instead. Skips that come from a test's own parametrization (a Go release not
selected, a build mode that does not apply) are not missing prerequisites: they stay skips.
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest

ALLOW_SKIPS_ENV = "GODAP_ALLOW_SKIPS"


def skips_allowed() -> bool:
    return os.environ.get(ALLOW_SKIPS_ENV, "") == "1"


def missing(reason: str) -> NoReturn:
    """Fail the running test because `reason` (skip it instead where GODAP_ALLOW_SKIPS=1)."""
    if skips_allowed():
        pytest.skip(reason)
    pytest.fail(f"{reason} ({ALLOW_SKIPS_ENV}=1 makes this a skip)", pytrace=False)
