"""A missing prerequisite (go, cores, dlv) fails the test; GODAP_ALLOW_SKIPS=1 makes it a skip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import conftest
import pytest
from conftest import MakeCore
from support import delve
from support.cores import CoreDumpUnavailable
from support.prerequisites import ALLOW_SKIPS_ENV, missing
from support.toolchains import SELECTION_ENV

TESTS = Path(__file__).resolve().parent


@pytest.mark.parametrize(
    ("value", "outcome"),
    [
        (None, pytest.fail.Exception),
        ("", pytest.fail.Exception),
        ("0", pytest.fail.Exception),
        ("1", pytest.skip.Exception),
    ],
)
def test_missing_fails_unless_skips_are_allowed(
    value: str | None, outcome: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv(ALLOW_SKIPS_ENV, raising=False)
    else:
        monkeypatch.setenv(ALLOW_SKIPS_ENV, value)
    with pytest.raises(outcome, match="no frobnicator"):
        missing("no frobnicator on this machine")


def test_a_machine_that_cannot_make_cores_fails_the_test(make_core: MakeCore, monkeypatch: pytest.MonkeyPatch) -> None:
    def unavailable(*args: object, **kwargs: object) -> None:
        raise CoreDumpUnavailable("core_pattern '|/usr/lib/systemd-coredump' pipes cores to a program")

    monkeypatch.setattr(conftest, "make_core_from_binary", unavailable)
    monkeypatch.delenv(ALLOW_SKIPS_ENV, raising=False)
    with pytest.raises(pytest.fail.Exception, match="pipes cores to a program"):
        make_core("zoo", ("nilderef",))
    monkeypatch.setenv(ALLOW_SKIPS_ENV, "1")
    with pytest.raises(pytest.skip.Exception, match="pipes cores to a program"):
        make_core("zoo", ("nilderef",))


def test_missing_dlv_fails_the_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delve, "find_dlv", lambda: None)
    monkeypatch.delenv(ALLOW_SKIPS_ENV, raising=False)
    with pytest.raises(pytest.fail.Exception, match="dlv not found"):
        conftest.require_dlv()


@pytest.mark.parametrize(("allow", "returncode", "summary"), [(None, 1, "1 error"), ("1", 0, "1 skipped")])
def test_an_unusable_go_selection_fails_the_release_tests(allow: str | None, returncode: int, summary: str) -> None:
    """End to end: a test parametrized over Go releases, when the selection names no usable release."""
    env = {key: value for key, value in os.environ.items() if key != ALLOW_SKIPS_ENV}
    env[SELECTION_ENV] = "1.19"
    if allow is not None:
        env[ALLOW_SKIPS_ENV] = allow
    test = f"{TESTS / 'test_layouts.py'}::test_offsets_match_dwarf"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", test],
        cwd=TESTS.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == returncode, result.stdout[-3000:] + result.stderr[-2000:]
    assert summary in result.stdout and "'1.19' matches none of" in result.stdout, result.stdout[-3000:]
