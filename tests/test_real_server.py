"""A real, widely used Go server: nats-server, built from the module proxy at a pinned version,
serving a thousand subscribers and busy publishers when SIGABRT comes.

Oracle: Go's own traceback of the same death. Its goroutines and frames must be godap's, and
godap must name goroutines and groups after the server's own code (the first frame of the main
module, github.com/nats-io/nats-server/v2) rather than after the standard library or a wrapper the
compiler generated. Built once, with the machine's Go (cached with the core).
"""

from __future__ import annotations

from collections import Counter

import pytest
from support import scoreboard, toolchains
from support.cores import Core, CoreDumpUnavailable, Trigger, make_core
from support.prerequisites import missing
from support.servers import NATS_ARGS, NATS_SERVER, NATS_VERSION, NatsLoad, build_module
from support.session import open_core
from support.stack_compare import normalize_function
from support.traceback import Goroutine
from support.traceback_check import check_against_traceback, misnamed, printed_goroutines

SUBSCRIBERS = 1000


@pytest.fixture(scope="module")
def nats_core() -> Core:
    try:
        release = toolchains.local_release()
    except toolchains.ToolchainError as exc:
        missing(str(exc))
    exe = build_module(NATS_SERVER, NATS_VERSION, release)
    try:
        return make_core(exe, NATS_ARGS, Trigger.SIGABRT, load=NatsLoad(subscribers=SUBSCRIBERS))
    except CoreDumpUnavailable as exc:
        missing(str(exc))


def _short(function: str) -> str:
    """How a name shows a function: the package path trimmed to its last element."""
    head = normalize_function(function)
    return head[head.split("[", 1)[0].rfind("/") + 1 :]


def _own_frame(goroutine: Goroutine) -> str | None:
    """The first function Go printed that is the server's own code."""
    for frame in goroutine.frames:
        if frame.function.startswith(NATS_SERVER + "/"):
            return normalize_function(frame.function)
    return None


def test_nats_server_core_matches_go_traceback(nats_core: Core) -> None:
    goroutines = printed_goroutines(nats_core)
    assert len(goroutines) >= 2 * SUBSCRIBERS, "each client has a read and a write goroutine"
    check_against_traceback(nats_core, scoreboard.tally("stacks vs Go traceback, nats-server", "local"), "nats")


def test_nats_goroutines_are_named_after_the_server_code(nats_core: Core) -> None:
    def expected(goroutine: Goroutine) -> str | None:
        own = _own_frame(goroutine)
        return None if own is None else _short(own)

    wrong = misnamed(nats_core, expected)
    assert not wrong, f"{len(wrong)} misnamed, e.g.\n" + "\n".join(wrong[:10])


def test_nats_groups_are_named_apart(nats_core: Core) -> None:
    goroutines = printed_goroutines(nats_core)
    with open_core(nats_core.exe, nats_core.core, groupGoroutines=True) as session:
        groups = session.client.request("goroutineGroups")["body"]["groups"]
    names = Counter(f"[{g['state']}] {g['where']}" for g in groups)
    assert [name for name, count in names.items() if count > 1] == []
    read_loop = f"{NATS_SERVER}/server.(*client).readLoop"
    readers = [g for g in groups if _own_frame(goroutines[g["threadId"]]) == read_loop]
    assert sum(g["count"] for g in readers) >= SUBSCRIBERS
    assert all(g["where"].startswith(f"{read_loop} (client.go:") for g in readers), readers


def test_a_slice_whose_length_was_not_kept_shows_its_capacity(nats_core: Core) -> None:
    """sendq.go: `msg = _msg[:0]` of a `[4096]byte`; at the select the compiler keeps msg's pointer
    and capacity in the frame but not its length."""
    loop = f"{NATS_SERVER}/server.(*sendq).internalLoop"
    goid = next(g.id for g in printed_goroutines(nats_core).values() if loop in g.functions)
    with open_core(nats_core.exe, nats_core.core) as session:
        frame = next(f for f in session.stack(goid) if f["name"].startswith(loop))
        scopes = session.client.request("scopes", {"frameId": frame["id"]})["body"]["scopes"]
        values = {}
        for scope in scopes:
            if scope.get("presentationHint") == "locals":
                body = session.client.request("variables", {"variablesReference": scope["variablesReference"]})["body"]
                values = {v["name"]: v["value"] for v in body["variables"]}
        assert values["msg"].startswith("[]uint8 len: ?, cap: 4096, elements at 0x"), values["msg"]
        arguments = {"expression": "len(msg)", "frameId": frame["id"], "context": "watch"}
        response = session.client.request("evaluate", arguments)
        assert not response["success"] and "length of this slice was not kept" in response["message"]
        arguments["expression"] = "cap(msg[:2])"
        assert session.client.request("evaluate", arguments)["body"]["result"] == "4096"
