"""Partly known values: what the optimizer kept of a value is shown, never all of it hidden nor
a wrong whole.

`holdStringData` (tests/fixtures/programs/values/holders.go) last uses its string's length before
it waits and reads through the pointer after: optimized, the frame keeps the pointer and no
length. Go's own traceback (the core's stderr) says so, `main.holdStringData({0x4b424c, 0x0?})`:
the pointer, and a length it could not vouch for. (Delve reads the missing piece as 0 and shows
`""`.) The session is the real server over DAP.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from support.session import OpenCore, open_core
from support.traceback import parse
from test_values_support import ValuesCore, values_core

from dap_server.goruntime.values.format import quote

__all__ = ["values_core"]

HOLDER = "holdStringData"
SOURCE = Path(__file__).parent / "fixtures" / "programs" / "values" / "holders.go"


def _argument(session: OpenCore, frame_id: int, name: str) -> dict[str, Any]:
    scopes = session.client.request("scopes", {"frameId": frame_id})["body"]["scopes"]
    reference = next(s["variablesReference"] for s in scopes if s.get("presentationHint") == "arguments")
    listed = session.client.request("variables", {"variablesReference": reference})["body"]["variables"]
    return next(v for v in listed if v["name"] == name)


def _evaluate(session: OpenCore, frame_id: int, expression: str) -> dict[str, Any]:
    arguments = {"expression": expression, "frameId": frame_id, "context": "watch"}
    return session.client.request("evaluate", arguments)


def test_a_string_whose_length_was_not_kept_shows_its_pointer_and_its_bytes_on_request(
    values_core: ValuesCore,
) -> None:
    text = re.search(rf'{HOLDER}\("([^"]+)"\)', SOURCE.read_text())
    assert text is not None
    goid = values_core.goroutines_of(HOLDER)[0].goid
    printed = next(f for f in parse(values_core.core.stderr).goroutine(goid).frames if f.function == f"main.{HOLDER}")
    pointer, length = printed.args.strip("{}").split(", ")  # as Go prints a string argument
    with open_core(values_core.core.exe, values_core.core.core) as session:
        frame = next(f for f in session.stack(goid) if f["name"] == f"main.{HOLDER}")
        s = _argument(session, frame["id"], "s")
        if not length.endswith("?"):  # Go knew the length (unoptimized): the whole string
            assert s["value"] == quote(text.group(1).encode()), s
            return
        assert not pointer.endswith("?"), printed.args
        address = int(pointer, 16)
        assert s["value"] == f"string len: ?, bytes at {address:#x} (the length was not kept)", s
        assert int(s["memoryReference"], 16) == address, s
        children = session.client.request("variables", {"variablesReference": s["variablesReference"]})["body"]
        assert [(c["name"], c["type"]) for c in children["variables"]] == [("str", "*uint8")], children
        head = _evaluate(session, frame["id"], "s[:13]")
        assert head["body"]["result"] == quote(text.group(1).encode()[:13]), head
        for expression in ("len(s)", "s[0]", "s[:]"):
            response = _evaluate(session, frame["id"], expression)
            assert not response["success"] and "length of this string was not kept" in response["message"], response
