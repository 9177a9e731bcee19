"""The blocking graph on a core of `stuck`, whose blocking the source says: 10,000 goroutines leaked
on a channel nobody else reaches, an AB-BA lock-order deadlock while other goroutines sleep, a
WaitGroup never done, a select on two channels, a mutex holder and three waiters, senders and
receivers. The program prints the address of every channel and lock it made (%p) and the id of
every goroutine; Go's own traceback gives the wait reasons. Everything is read over DAP: thread
names, the "Blocked on" scope, the console's `blocked`, `waiters` and `deadlocks`, and the
blocking section of `godap report --json`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import pytest
from conftest import MakeCore
from support import programs, traceback
from support.build import ARCHES, BuildOptions
from support.cores import Core, Trigger
from support.session import OpenCore, open_core
from support.toolchains import Release

from dap_server.report import collect, schema

LEAKERS = 10_000
_FACT = re.compile(r"^F (?P<name>\w+) (?P<addr>0x[0-9a-f]+)$", re.M)


@dataclass
class Stuck:
    core: Core
    session: OpenCore
    facts: dict[str, str]  # name → address as %p printed it
    names: dict[int, str]  # goroutine id → the fixture's name for it

    def ids(self, name: str) -> list[int]:
        return sorted(goid for goid, n in self.names.items() if n == name)

    def console(self, line: str) -> str:
        response = self.session.client.request("evaluate", {"expression": line, "context": "repl"})
        assert response["success"], f"{line}: {response.get('message')}"
        return str(response["body"]["result"])


@pytest.fixture(scope="module", params=ARCHES)
def stuck(go_release: Release, make_core: MakeCore, request: pytest.FixtureRequest) -> Iterator[Stuck]:
    """On amd64 and on arm64 (qemu-user's cores), whose frames keep their live pointer slots at
    other offsets from the CFA."""
    options = BuildOptions(arch=request.param)
    core = make_core("stuck", (str(LEAKERS),), release=go_release, trigger=Trigger.SIGABRT, options=options)
    facts = {m["name"]: m["addr"] for m in _FACT.finditer(core.stdout)}
    names = programs.parse_manifest(core.stdout)
    with open_core(core.exe, core.core) as session:
        yield Stuck(core, session, facts, names)


def _threads(stuck: Stuck) -> dict[int, str]:
    return {t["id"]: t["name"] for t in stuck.session.threads()}


def test_thread_names_say_what_each_goroutine_waits_on(stuck: Stuck) -> None:
    names = _threads(stuck)
    f = stuck.facts
    expected = {
        "leaker": f"receive on chan {f['leak']}",
        "wgwait": f"on sync.WaitGroup {f['wg']}",
        "selector": f"select on receive chan {f['selA']}, receive chan {f['selB']}",
        "mutexwait": f"on sync.Mutex {f['mu']}",
        "holder": f"receive on chan {f['release']}",
        "fullsender": f"send on chan {f['full']}",
        "receiver": f"receive on chan {f['recvs']}",
        "sender": f"send on chan {f['sends']}",
        "condwait": f"on sync.Cond {f['cond']}",
    }
    for name, suffix in expected.items():
        for goid in stuck.ids(name):
            assert names[goid].endswith(" · " + suffix), (name, names[goid])
    (abba1,), (abba2,) = stuck.ids("abba1"), stuck.ids("abba2")
    assert names[abba1].endswith(f" · on sync.Mutex {f['muB']}"), names[abba1]
    assert names[abba2].endswith(f" · on sync.Mutex {f['muA']}"), names[abba2]
    for goid in stuck.ids("releaser") + stuck.ids("chankeeper"):
        assert " · " not in names[goid], names[goid]  # asleep: no object to name
    (acceptor,) = stuck.ids("acceptor")
    fd = re.search(r"^N acceptfd (\d+)$", stuck.core.stdout, re.M)
    assert fd is not None
    assert names[acceptor].endswith(f" · read on fd {fd[1]}"), names[acceptor]


def test_blocked_lists_go_s_own_wait_reasons(stuck: Stuck) -> None:
    lines = stuck.console("blocked").splitlines()
    assert lines[0].startswith("[") and "blocked goroutines]" in lines[0]
    listed = {int(m[1]): m[2] for m in (re.match(r"Goroutine (\d+) \[([^\]]*)\]", line) for line in lines[1:]) if m}
    printed = traceback.parse(stuck.core.stderr)
    shown = [goid for goid in stuck.names if goid in listed]
    assert len(shown) >= min(len(stuck.names), 1000 - 10)  # `blocked` lists the first 1,000
    for goid in shown:
        assert listed[goid] == printed.goroutine(goid).wait_reason, goid


def test_blocked_on_scope_expands_the_select_s_two_channels(stuck: Stuck) -> None:
    client = stuck.session.client
    (selector,) = stuck.ids("selector")
    top = stuck.session.stack(selector)[0]
    scopes = client.request("scopes", {"frameId": top["id"]})["body"]["scopes"]
    assert scopes[0]["name"] == "Blocked on"
    cases = client.request("variables", {"variablesReference": scopes[0]["variablesReference"]})["body"]["variables"]
    assert [(c["name"], c["memoryReference"]) for c in cases] == [
        ("receive from", stuck.facts["selA"]),
        ("receive from", stuck.facts["selB"]),
    ]
    assert {c["type"] for c in cases} == {"chan"}
    fields = _children(stuck, cases[1])
    assert fields["element type"]["value"] == "string"
    assert (fields["len"]["value"], fields["cap"]["value"], fields["closed"]["value"]) == ("0", "0", "false")
    waiters = _indexed(stuck, fields["waiters"])
    assert waiters == [f"goroutine {selector}"]
    wakers = _children(stuck, fields["could wake it"])
    assert set(wakers) == {f"goroutine {g}" for g in stuck.ids("selectwaker")}


def test_blocked_on_scope_of_a_mutex_waiter_shows_the_lock_and_its_holder(stuck: Stuck) -> None:
    client = stuck.session.client
    waiter = stuck.ids("mutexwait")[0]
    top = stuck.session.stack(waiter)[0]
    scope = client.request("scopes", {"frameId": top["id"]})["body"]["scopes"][0]
    (lock,) = client.request("variables", {"variablesReference": scope["variablesReference"]})["body"]["variables"]
    assert (lock["type"], lock["memoryReference"]) == ("sync.Mutex", stuck.facts["mu"])
    fields = _children(stuck, lock)
    assert "locked" in fields["state"]["value"]
    assert sorted(_indexed(stuck, fields["waiters"])) == sorted(f"goroutine {g}" for g in stuck.ids("mutexwait"))
    (holder,) = stuck.ids("holder")
    wakers = _children(stuck, fields["could wake it"])
    assert {name: v["value"] for name, v in wakers.items()} == {f"goroutine {holder}": "likely holder"}


def test_waiters_names_senders_receivers_and_who_could_wake_them(stuck: Stuck) -> None:
    f = stuck.facts
    (keeper,) = stuck.ids("chankeeper")
    sends = stuck.console(f"waiters {f['sends']}")
    assert sends.startswith(f"chan {f['sends']} element type int, len 0, cap 0, closed false")
    assert _ids_after(sends, "send (2)") == stuck.ids("sender")
    assert _ids_after(sends, "could wake it: goroutines") == [keeper]
    recvs = stuck.console(f"waiters {f['recvs']}")
    assert "len 0, cap 4" in recvs and _ids_after(recvs, "receive (2)") == stuck.ids("receiver")
    full = stuck.console(f"waiters {f['full']}")
    assert "len 2, cap 2" in full and _ids_after(full, "send (1)") == stuck.ids("fullsender")
    mutex = stuck.console(f"waiters {f['mu']}")
    assert _ids_after(mutex, "wait (3)") == stuck.ids("mutexwait")
    assert f"could wake it: goroutine {stuck.ids('holder')[0]} (likely holder" in mutex
    assert stuck.console("waiters 0x10") == "no goroutine waits on 0x10"


@pytest.mark.parametrize(
    ("line", "says"),
    [("waiters", "waiters needs a channel"), ("waiters noSuchVariable", "noSuchVariable"), ("waiters 1+", "")],
)
def test_waiters_on_bad_input_is_a_clear_error(stuck: Stuck, line: str, says: str) -> None:
    response = stuck.session.client.request("evaluate", {"expression": line, "context": "repl"})
    assert response["success"] is False and says in response["message"], response
    assert stuck.console("blocked")  # the session goes on


def test_deadlocks_finds_the_cycle_the_leak_and_the_biggest_group(stuck: Stuck) -> None:
    text = stuck.console("deadlocks")
    f = stuck.facts
    (abba1,), (abba2,) = stuck.ids("abba1"), stuck.ids("abba2")
    first, second = sorted((abba1, abba2))
    assert text.splitlines()[0] == f"deadlock: goroutines {first}, {second} wait on each other"
    assert f"goroutine {abba1} waits on sync.Mutex {f['muB']}; goroutine {abba2} (its likely holder)" in text
    assert f"goroutine {abba2} waits on sync.Mutex {f['muA']}; goroutine {abba1} (its likely holder)" in text
    leak = f"leak: {LEAKERS:,} goroutines wait on chan {f['leak']}, which no other goroutine and no package variable"
    assert leak in text
    assert f"leak: 1 goroutine waits on sync.WaitGroup {f['wg']}" in text
    assert f"leak: 1 goroutine waits on sync.Cond {f['cond']}" in text
    assert re.search(
        rf"^{LEAKERS:,} goroutines wait: receive on chan {f['leak']} \[chan receive\] "
        r"\(created by main\.startLeak at main\.go:\d+\)$",
        text,
        re.M,
    )
    # Nothing that a sleeping goroutine can wake is called stuck.
    for name in ("selector", "holder", "mutexwait", "sender", "receiver", "fullsender"):
        for goid in stuck.ids(name):
            assert not any(
                line.startswith(("deadlock", "leak", "stuck")) and _in_finding(text, line, goid)
                for line in text.splitlines()
            ), (name, goid)


def test_report_has_the_blocking_section(stuck: Stuck) -> None:
    report = collect(str(stuck.core.exe), str(stuck.core.core))
    jsonschema.validate(report, schema())
    findings = report["blocking"]["findings"]
    kinds = [finding["kind"] for finding in findings]
    assert kinds[0] == "deadlock"
    assert sorted(findings[0]["goroutines"]) == sorted(stuck.ids("abba1") + stuck.ids("abba2"))
    assert {o["address"] for o in findings[0]["objects"]} == {stuck.facts["muA"], stuck.facts["muB"]}
    leaks = [finding for finding in findings if finding["kind"] == "leak"]
    assert sorted(leaks[0]["goroutines"]) == stuck.ids("leaker")
    for name in ("wgwait", "condwait"):
        assert any(leak["goroutines"] == stuck.ids(name) for leak in leaks[1:]), name
    assert report["blocking"]["blocked"] >= len(stuck.names)


def _children(stuck: Stuck, variable: dict[str, Any]) -> dict[str, Any]:
    body = stuck.session.client.request("variables", {"variablesReference": variable["variablesReference"]})["body"]
    return {v["name"]: v for v in body["variables"]}


def _indexed(stuck: Stuck, variable: dict[str, Any]) -> list[str]:
    arguments = {"variablesReference": variable["variablesReference"], "filter": "indexed", "start": 0, "count": 50}
    return [v["value"] for v in stuck.session.client.request("variables", arguments)["body"]["variables"]]


def _ids_after(text: str, prefix: str) -> list[int]:
    line = next(line for line in text.splitlines() if line.strip().startswith(prefix))
    return sorted(int(word) for word in line.split(":", 1)[1].split(" (", 1)[0].replace("goroutines", "").split(","))


def _in_finding(text: str, title: str, goid: int) -> bool:
    lines = text.splitlines()
    listed = lines[lines.index(title) + 1].split(":", 1)[1].split(" ...+", 1)[0]  # ids, then "...+N more"
    return goid in {int(word) for word in listed.split(",")}


@pytest.mark.parametrize(("ldflags", "locks"), [("-w", True), ("-s -w", False)], ids=["no-dwarf", "stripped"])
def test_without_dwarf_the_layout_tables_serve_and_stripped_locks_are_unknown(
    go_release: Release, make_core: MakeCore, ldflags: str, locks: bool
) -> None:
    """Without DWARF the built-in tables give the layouts; without a symbol table the semaphore
    table cannot be found, and a lock wait says so instead of naming a wrong lock."""
    core = make_core(
        "stuck", ("200",), release=go_release, trigger=Trigger.SIGABRT, options=BuildOptions(ldflags=ldflags)
    )
    facts = {m["name"]: m["addr"] for m in _FACT.finditer(core.stdout)}
    names = programs.parse_manifest(core.stdout)
    with open_core(core.exe, core.core) as session:
        stuck = Stuck(core, session, facts, names)
        threads = _threads(stuck)
        for goid in stuck.ids("leaker"):
            assert threads[goid].endswith(f" · receive on chan {facts['leak']}"), threads[goid]
        text = stuck.console("deadlocks")
        assert f"leak: 200 goroutines wait on chan {facts['leak']}, which no other goroutine" in text
        blocked = stuck.console("blocked")
        for goid in stuck.ids("mutexwait"):
            line = next(line for line in blocked.splitlines() if line.startswith(f"Goroutine {goid} "))
            if locks:
                assert line.endswith(f"on sync.Mutex {facts['mu']}"), line
            else:
                assert line.endswith("which lock is not known (no symbol for runtime.semtable: the binary is stripped)")
        assert text.startswith("deadlock: goroutines") is locks
