"""The walkthrough's Delve session, typed in godap's debug console over the real protocol.

The fixture (tests/fixtures/programs/walkthrough) is shaped like the walkthrough's program: the
goroutine `refreshOnNotification` waits in a select in package database with a local
`channelQueue` holding a `*sync.Cond`, and package api has the version globals. Every command
of the walkthrough must answer with the right content; every message is schema-checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import MakeCore
from support import programs
from support.build import Mode
from support.cores import Core, Trigger
from support.dap_client import DapClient
from support.session import REPO_ROOT, SERVER_COMMAND, OpenCore, open_core, server_env
from support.toolchains import Release

PROGRAM = "walkthrough"
DATABASE = "example.com/console-api/database"
API = "example.com/console-api/api"
OPTIMIZED_AWAY = "<optimized away>"


@dataclass
class Walkthrough:
    core: Core
    mode: Mode
    session: OpenCore
    goid: int
    frame_index: int
    frame_id: int

    def run(self, line: str, frame_id: int | None = None) -> dict[str, Any]:
        arguments: dict[str, Any] = {"expression": line, "context": "repl"}
        if frame_id is not None:
            arguments["frameId"] = frame_id
        return self.session.client.request("evaluate", arguments)

    def text(self, line: str, frame_id: int | None = None) -> str:
        response = self.run(line, frame_id)
        assert response["success"], f"{line}: {response.get('message')}"
        return str(response["body"]["result"])


@pytest.fixture
def walkthrough(make_core: MakeCore, go_release: Release, build_mode: Mode) -> Iterator[Walkthrough]:
    core = make_core(PROGRAM, [], go_release, build_mode, trigger=Trigger.SIGABRT)
    goid = next(g for g, name in programs.parse_manifest(core.stdout).items() if name == "refreshOnNotification")
    with open_core(core.exe, core.core) as session:
        frames = session.stack(goid)
        index = next(i for i, f in enumerate(frames) if f["name"] == f"{DATABASE}.refreshOnNotification")
        yield Walkthrough(core, build_mode, session, goid, index, frames[index]["id"])


def _has(text: str, *parts: str) -> None:
    for part in parts:
        assert part in text, f"{part!r} not in:\n{text}"


def test_goroutines_lists_the_select_goroutine(walkthrough: Walkthrough) -> None:
    text = walkthrough.text("goroutines")
    lines = text.splitlines()
    assert lines[0].startswith("[") and lines[0].endswith(" goroutines]")
    line = next(line for line in lines if f"Goroutine {walkthrough.goid} " in line)
    _has(line, "- User: ", "views_updater.go:71", f"{DATABASE}.refreshOnNotification", "[select")


def test_goroutine_stack(walkthrough: Walkthrough) -> None:
    text = walkthrough.text(f"goroutine {walkthrough.goid} stack")
    _has(text, "in runtime.gopark", "in runtime.selectgo", f"in {DATABASE}.refreshOnNotification")
    assert f"{walkthrough.frame_index}  0x" in text
    assert "views_updater.go:71" in text


def test_goroutine_frame_list(walkthrough: Walkthrough) -> None:
    text = walkthrough.text(f"goroutine {walkthrough.goid} frame {walkthrough.frame_index} list")
    _has(text, f"Goroutine {walkthrough.goid} frame {walkthrough.frame_index} at ", "=>  71:", "select {")


def test_goroutine_frame_args(walkthrough: Walkthrough) -> None:
    text = walkthrough.text(f"goroutine {walkthrough.goid} frame {walkthrough.frame_index} args -v")
    names = [line.split(" = ")[0] for line in text.splitlines() if " = " in line and not line[0].isspace()]
    assert names == ["ctx", "dl", "started"]
    if walkthrough.mode == Mode.OPT and f"dl = {OPTIMIZED_AWAY}" in text:
        return
    _has(
        text,
        "ctx = context.Context(*context.cancelCtx) {",
        f"dl = *{DATABASE}.ViewUpdater {{",
        'name: "postgres://127.0.0.1:5432/console?sslmode=disable",',
        f'"bidder_list": *{DATABASE}.channelQueue {{',
        'viewNameToRefresh: "mv.refresh_bidder_list()",',
    )


def test_goroutine_frame_locals(walkthrough: Walkthrough) -> None:
    text = walkthrough.text(f"goroutine {walkthrough.goid} frame {walkthrough.frame_index} locals -v")
    _has(
        text,
        f"queue = {DATABASE}.channelQueue {{",
        "\tshouldRefresh: *bool false,",
        '\tviewNameToRefresh: "mv.refresh_bidder_list()",',
        "\tcond: *sync.Cond {",
        "\t\tL: sync.Locker(*sync.Mutex) {",
    )


def test_print_and_whatis_in_the_walkthrough_frame(walkthrough: Walkthrough) -> None:
    prefix = f"goroutine {walkthrough.goid} frame {walkthrough.frame_index}"
    response = walkthrough.run(f"{prefix} p queue.viewNameToRefresh")
    assert response["body"]["result"] == '"mv.refresh_bidder_list()"'
    assert response["body"]["type"] == "string"
    assert walkthrough.text(f"{prefix} whatis queue.viewNameToRefresh") == "string"
    expandable = walkthrough.run(f"{prefix} p queue")["body"]
    assert expandable["variablesReference"] > 0
    children = walkthrough.session.client.request("variables", {"variablesReference": expandable["variablesReference"]})
    fields = {v["name"]: v for v in children["body"]["variables"]}
    assert fields["viewNameToRefresh"]["evaluateName"] == "queue.viewNameToRefresh"


def test_vars_of_a_package_path(walkthrough: Walkthrough) -> None:
    text = walkthrough.text(f"vars -v {API}")
    _has(
        text,
        f"{API}.AppVersion = {API}.Version {{",
        '\tVersion: "1.5.1-45-0-ga29b008",',
        "\tAPILevel: 13,",
        "\tGitRefs: []string len: 4, cap: 4, [",
        '\t\t"remotes/origin/HEAD",',
        f"{API}.AppInfo = {API}.Info {{",
        f'{API}/build.GitVersion = "1.5.1-45-0-ga29b008"',
        f'{API}/build.BuildTime = "2018-07-26T09:17:55Z"',
    )
    assert "main.keep = " in walkthrough.text("vars -v main")


def test_switching_goroutine_and_frame_then_bare_commands(walkthrough: Walkthrough) -> None:
    assert walkthrough.text(f"goroutine {walkthrough.goid}").endswith(f"to {walkthrough.goid}")
    assert "refreshOnNotification" in walkthrough.text(f"frame {walkthrough.frame_index}")
    _has(walkthrough.text("locals -v"), 'viewNameToRefresh: "mv.refresh_bidder_list()"')
    assert walkthrough.text("p len(queue.viewNameToRefresh)") == "24"
    assert walkthrough.text("whatis queue.cond") == "*sync.Cond"
    assert "Frame " in walkthrough.text("up")
    assert walkthrough.text("down").startswith(f"Frame {walkthrough.frame_index}:")
    assert f"Goroutine {walkthrough.goid} [select" in walkthrough.text("goroutine")


def test_console_starts_at_the_clients_frame(walkthrough: Walkthrough) -> None:
    _has(walkthrough.text("locals", walkthrough.frame_id), "queue = ")
    assert walkthrough.text("p queue.viewNameToRefresh", walkthrough.frame_id) == '"mv.refresh_bidder_list()"'


def test_package_qualified_names_in_a_frame_of_another_package(walkthrough: Walkthrough) -> None:
    frame = walkthrough.frame_id
    assert walkthrough.text("api.AppVersion.GitRefs[3]", frame) == '"tags/1.5.1-45"'
    assert walkthrough.text('"example.com/console-api/api".AppInfo.PID', frame) == "96539"
    assert walkthrough.text("build.GitVersion", frame) == '"1.5.1-45-0-ga29b008"'
    assert walkthrough.text("sink == nil", frame) == "true"  # the frame's own package's globals
    if not (walkthrough.mode == Mode.OPT and "optimized" in walkthrough.text("p dl", frame)):
        assert walkthrough.text('dl.queues["deal_condition"].viewNameToRefresh', frame) == (
            '"mv.refresh_deal_condition()"'
        )
        assert walkthrough.text("cap(dl.listener.Notify)", frame) == "32"


def test_inspection_commands(walkthrough: Walkthrough) -> None:
    prefix = f"goroutine {walkthrough.goid} frame {walkthrough.frame_index}"
    _has(walkthrough.text(f"{prefix} regs"), "Rip = 0x", "Rsp = 0x")
    disassembly = walkthrough.text(f"{prefix} disassemble")
    _has(disassembly, f"TEXT {DATABASE}.refreshOnNotification(SB)", "views_updater.go:", "call ", "=>\t")
    _has(walkthrough.text("x -count 16 -size 1 -x &api.AppVersion.APILevel"), ":   0x0d   0x00")
    assert walkthrough.text("x -count 2 -size 8 -fmt dec -x &api.AppVersion.APILevel").count("000000013") == 1
    _has(walkthrough.text("sources views_updater"), "database/views_updater.go")
    _has(walkthrough.text("funcs refreshOn"), f"{DATABASE}.refreshOnNotification")
    _has(walkthrough.text("types console-api/api.V"), f"{API}.Version")
    _has(walkthrough.text(f"whatis {API}.Version"), "struct type", "\tAPILevel int")
    _has(walkthrough.text(f"{prefix} stack -full"), "       queue = ")
    grouped = walkthrough.text("goroutines -group")
    _has(grouped, "groups, ", f"goroutines: {walkthrough.goid}")
    _has(walkthrough.text("help"), "goroutines", "examinemem", "disassemble", "config")
    _has(walkthrough.text("help x"), "examinemem", "-count")


def test_errors_are_quiet_responses(walkthrough: Walkthrough) -> None:
    for context in ("hover", "watch", "repl"):
        response = walkthrough.session.client.request(
            "evaluate", {"expression": "nothere", "frameId": walkthrough.frame_id, "context": context}
        )
        assert not response["success"]
        assert response["message"] == "could not find symbol value for nothere (column 1)"
        assert response["body"]["error"]["showUser"] is False
    response = walkthrough.run("goroutine 999999 stack")
    assert not response["success"] and "no goroutine 999999" in response["message"]


def test_clipboard_copies_whole_values(walkthrough: Walkthrough) -> None:
    client = walkthrough.session.client
    body = client.request(
        "evaluate", {"expression": "api.AppVersion", "frameId": walkthrough.frame_id, "context": "clipboard"}
    )["body"]
    _has(body["result"], 'AdconfigSchemas: len: 3, cap: 3, ["10", "11", "9"]')
    hover = client.request(
        "evaluate", {"expression": "queue.viewNameToRefresh", "frameId": walkthrough.frame_id, "context": "hover"}
    )["body"]
    assert hover["result"] == '"mv.refresh_bidder_list()"'


def test_completions(walkthrough: Walkthrough) -> None:
    client = walkthrough.session.client

    def labels(text: str) -> list[str]:
        arguments = {"text": text, "column": len(text) + 1, "frameId": walkthrough.frame_id}
        return [t["label"] for t in client.request("completions", arguments)["body"]["targets"]]

    assert labels("queue.vi") == ["viewNameToRefresh"]
    assert set(labels("queue.")) == {"shouldRefresh", "viewNameToRefresh", "cond", "isShuttingDown"}
    assert {"goroutine", "goroutines"} <= set(labels("goro"))
    assert {"queue", "ctx", "dl", "started", "sink"} <= set(labels(""))
    assert set(labels("p api.App")) == {"AppVersion", "AppInfo"}


def test_config_changes_the_thread_list_and_tells_the_client(walkthrough: Walkthrough) -> None:
    session = walkthrough.session
    before = len(session.threads())
    _has(walkthrough.text("config"), "hideSystemGoroutines", "goroutineFilters", "substitutePath")
    assert walkthrough.text("config hideSystemGoroutines true") == "hideSystemGoroutines = true"
    event = session.client.wait_event("thread")  # this client did not say supportsInvalidatedEvent
    assert event["body"]["reason"] == "started"
    after = len(session.threads())
    assert after < before
    walkthrough.text("config goroutineFilters func=refreshOnNotification")
    assert [t["id"] for t in session.threads()] == [walkthrough.goid] or len(session.threads()) <= 2
    response = walkthrough.run("config goroutineFilters nonsense=1")
    assert not response["success"] and "unknown goroutine filter" in response["message"]


@pytest.mark.go_releases("local")
@pytest.mark.build_modes("noopt")
def test_invalidated_event_for_clients_that_support_it(make_core: MakeCore, go_release: Release) -> None:
    core = make_core(PROGRAM, [], go_release, Mode.NOOPT, trigger=Trigger.SIGABRT)
    client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
    try:
        client.request("initialize", {"adapterID": "godap", "supportsInvalidatedEvent": True})
        client.request("launch", {"program": str(core.exe), "coreFilePath": str(core.core)})
        client.wait_event("initialized")
        client.request("configurationDone")
        client.wait_event("stopped")
        capabilities_ok = client.request("evaluate", {"expression": "config groupGoroutines true", "context": "repl"})
        assert capabilities_ok["success"]
        assert client.wait_event("invalidated")["body"]["areas"] == ["threads"]
        client.request("evaluate", {"expression": "config showRegisters true", "context": "repl"})
        assert client.wait_event("invalidated")["body"]["areas"] == ["stacks"]
        names = [t["name"] for t in client.request("threads")["body"]["threads"]]
        assert any("×" in name for name in names)
        client.assert_no_violations()
    finally:
        client.close()
