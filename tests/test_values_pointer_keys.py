"""A map keyed by pointers shows each key as Go prints it, its address.

The fixture (tests/fixtures/programs/pointerkeys) fills `servers` with three keys that point to
equal structs and prints the map with fmt before it stops: Go's own text (`map[0xc…:0 …]`) is the
oracle for the names and values of the entries in the Variables view and in one-line summaries.
"""

from __future__ import annotations

import re

from conftest import MakeCore
from support.build import Mode
from support.session import open_core
from support.toolchains import Release


def test_pointer_keys_show_the_addresses_go_prints(make_core: MakeCore, go_release: Release, build_mode: Mode) -> None:
    core = make_core("pointerkeys", release=go_release, mode=build_mode)
    printed = dict(re.findall(r"(0x[0-9a-f]+):(\d+)", core.stdout))
    assert len(printed) == 3, core.stdout
    with open_core(core.exe, core.core) as session:
        frames = session.stack(session.stopped["threadId"])
        frame = next(f for f in frames if f["name"] == "main.main")
        arguments = {"expression": "servers", "frameId": frame["id"], "context": "watch"}
        body = session.client.request("evaluate", arguments)["body"]
        for address in printed:
            assert address in body["result"], body["result"]
        children = session.client.request("variables", {"variablesReference": body["variablesReference"]})["body"]
        entries = {v["name"]: v for v in children["variables"]}
        assert set(entries) == set(printed)
        for address, number in printed.items():
            fields = session.client.request("variables", {"variablesReference": entries[address]["variablesReference"]})
            key, value = fields["body"]["variables"]
            assert value["value"] == number
            assert 'name: "server"' in key["value"] and "port: 80" in key["value"], key
