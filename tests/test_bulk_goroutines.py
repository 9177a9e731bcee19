"""A core with many goroutines is read in bulk (every runtime.g decoded at once, the stacks that
share pcs walked together): the thread list, the groups and the report say what reading goroutine
by goroutine says, and what Go's own traceback says."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from conftest import MakeCore
from support import programs, traceback
from support.build import Mode
from support.cores import Core, Trigger
from support.session import open_core, run_godap
from support.toolchains import Release

BULK = "GODAP_BULK_GOROUTINES"  # from how many goroutines on the server reads in bulk
ALWAYS, NEVER = "1", str(10**9)
MANY_GOROUTINES = 12_000  # above the server's default threshold (10,000)


def _threads(core: Core, monkeypatch: pytest.MonkeyPatch, threshold: str | None, **launch: Any) -> list[dict[str, Any]]:
    """The thread list with the server's bulk threshold set (None: its default)."""
    if threshold is None:
        monkeypatch.delenv(BULK, raising=False)
    else:
        monkeypatch.setenv(BULK, threshold)
    with open_core(core.exe, core.core, **launch) as session:
        return session.threads()


def _report(core: Core, monkeypatch: pytest.MonkeyPatch, threshold: str) -> dict[str, Any]:
    monkeypatch.setenv(BULK, threshold)
    done = run_godap("report", "--json", str(core.exe), str(core.core))
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.mark.build_modes("opt")
@pytest.mark.parametrize("group", [False, True], ids=["threads", "grouped"])
def test_bulk_thread_list_is_the_one_by_one_list(
    go_release: Release, build_mode: Mode, make_core: MakeCore, monkeypatch: pytest.MonkeyPatch, group: bool
) -> None:
    # zoo's blocked scenario: goroutines parked in channels, selects, mutexes, timers, syscalls,
    # deep recursion and runtime goroutines, so the bulk walk meets every kind of frame it handles
    core = make_core(programs.ZOO, ("blocked",), release=go_release, mode=build_mode, trigger=Trigger.SIGABRT)
    bulk = _threads(core, monkeypatch, ALWAYS, groupGoroutines=group)
    one_by_one = _threads(core, monkeypatch, NEVER, groupGoroutines=group)
    assert bulk == one_by_one
    assert len(bulk) > 10


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
@pytest.mark.parametrize(
    ("program", "args"),
    [
        (programs.ZOO, ("blocked",)),
        ("stuck", ("40",)),  # a deadlock, leaks and who could wake whom: the live pointer slots of every stack
    ],
    ids=["zoo", "stuck"],
)
def test_bulk_report_is_the_one_by_one_report(
    go_release: Release,
    build_mode: Mode,
    make_core: MakeCore,
    monkeypatch: pytest.MonkeyPatch,
    program: str,
    args: tuple[str, ...],
) -> None:
    core = make_core(program, args, release=go_release, mode=build_mode, trigger=Trigger.SIGABRT)
    bulk = _report(core, monkeypatch, ALWAYS)
    assert bulk == _report(core, monkeypatch, NEVER)
    assert bulk["blocking"]["findings"]


@pytest.mark.build_modes("opt")
def test_many_goroutines_are_named_and_grouped_as_go_prints_them(
    go_release: Release, build_mode: Mode, make_core: MakeCore, monkeypatch: pytest.MonkeyPatch
) -> None:
    core = make_core(
        programs.MANY, [str(MANY_GOROUTINES)], release=go_release, mode=build_mode, trigger=Trigger.SIGABRT
    )
    printed = [g for section in traceback.parse(core.stderr).sections for g in section.goroutines if g.id]
    where = {}
    for g in printed:
        user = next((f for f in g.frames if f.function.startswith("main.")), None)
        if user is not None:
            where[g.id] = f"{user.function} ({os.path.basename(user.file)}:{user.line})"
    assert len(where) > MANY_GOROUTINES
    names = {t["id"]: t["name"] for t in _threads(core, monkeypatch, None)}
    assert {g.id for g in printed} <= set(names)
    assert [goid for goid, text in where.items() if text not in names[goid]] == []

    kinds = programs.parse_many_kinds(core.stdout)
    groups = _threads(core, monkeypatch, None, groupGoroutines=True)
    counts = {kind: 0 for kind in ("waitChan", "waitSleep", "waitMutex")}
    for group in groups:
        count, _, rest = group["name"].partition("× ")
        for kind in counts:
            if f"] main.{kind} (" in rest:
                counts[kind] += int(count)
    assert counts == {"waitChan": kinds["chan"], "waitSleep": kinds["sleep"], "waitMutex": kinds["mutex"]}
    assert sum(int(g["name"].partition("×")[0]) for g in groups) == len(printed)
