"""100,000 goroutines: all of them are threads, filters apply before anything is cut, grouping
counts them right, and the goroutines Go printed are all there."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import MakeCore
from support import programs, traceback
from support.build import Mode
from support.cores import Core, Trigger
from support.session import open_core
from support.toolchains import Release

GOROUTINES = 100_000
_GROUP = re.compile(r"^(?P<count>\d+)× \[(?P<state>[^\]]*)\] (?P<where>.*)$")


@pytest.fixture(scope="module")
def big_core(make_core: MakeCore) -> Iterator[Core]:
    yield make_core(programs.MANY, [str(GOROUTINES)], trigger=Trigger.SIGABRT, timeout=900)


@pytest.mark.slow
def test_every_goroutine_go_printed_is_a_thread(big_core: Core) -> None:
    printed = {g.id for section in traceback.parse(big_core.stderr).sections for g in section.goroutines if g.id}
    assert len(printed) > GOROUTINES
    with open_core(big_core.exe, big_core.core) as session:
        ids = {t["id"] for t in session.threads()}
    assert printed <= ids
    assert len(ids) == len(printed)


@pytest.mark.slow
def test_grouping_counts_every_goroutine(big_core: Core) -> None:
    kinds = programs.parse_many_kinds(big_core.stdout)
    with open_core(big_core.exe, big_core.core, groupGoroutines=True) as session:
        groups = {}
        for thread in session.threads():
            match = _GROUP.match(thread["name"])
            assert match, thread["name"]
            groups[match["where"].split(" ")[0]] = (int(match["count"]), match["state"])
        stack = session.stack(next(t["id"] for t in session.threads() if "main.waitChan" in t["name"]))
    assert groups["main.waitChan"] == (kinds["chan"], "chan receive")
    assert groups["main.waitSleep"] == (kinds["sleep"], "sleep")
    assert groups["main.waitMutex"] == (kinds["mutex"], "sync.Mutex.Lock")
    assert sum(count for count, _ in groups.values()) > GOROUTINES
    assert any(f["name"] == "main.waitChan" for f in stack)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("filters", "kind"),
    [
        (["func=main.waitSleep"], "sleep"),
        (["reason=sync.Mutex.Lock"], "mutex"),
        (["user", "!func=waitSleep", "!func=waitMutex", "func=main."], "chan"),
    ],
)
def test_filters_apply_to_every_goroutine(big_core: Core, filters: list[str], kind: str) -> None:
    expected = programs.parse_many_kinds(big_core.stdout)[kind]
    with open_core(big_core.exe, big_core.core, goroutineFilters=filters) as session:
        threads = session.threads()
        stopped = session.stopped["threadId"]
    matching = [t for t in threads if t["id"] != stopped or kind in t["name"]]
    assert abs(len(matching) - expected) <= 1  # main itself may match ("func=main.")
    assert len(matching) >= expected


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("opt")
def test_hide_system_goroutines(go_release: Release, build_mode: Mode, make_core: MakeCore) -> None:
    core = make_core("zoo", ("blocked",), release=go_release, mode=build_mode, trigger=Trigger.SIGABRT)
    with open_core(core.exe, core.core) as everything:
        all_names = [t["name"] for t in everything.threads()]
    with open_core(core.exe, core.core, hideSystemGoroutines=True) as users:
        user_names = [t["name"] for t in users.threads()]
        stopped = users.stopped["threadId"]
    assert len(user_names) < len(all_names)
    assert not [n for n in user_names if "runtime.gopark" in n and f"Goroutine {stopped} " not in n]
    assert any("main.blockChanRecv" in n for n in user_names)
