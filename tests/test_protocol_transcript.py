"""A recorded DAP session on the shipped sample core, replayed message by message.

protocol-fixtures/transcripts/sample-session.jsonl holds what a client sent and what the server
answered. The test sends the same requests to a fresh server and expects the same messages back,
so any change in what clients see shows up here. Re-record after an intended change with
GODAP_RECORD_TRANSCRIPT=1 (and review the diff).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from support.dap_client import DapClient
from support.session import REPO_ROOT, SERVER_COMMAND, server_env

SAMPLE = REPO_ROOT / "protocol-fixtures" / "sample"
TRANSCRIPT = REPO_ROOT / "protocol-fixtures" / "transcripts" / "sample-session.jsonl"
PLACEHOLDER = "${SAMPLE}"

SCRIPT: list[tuple[str, dict[str, Any] | None, list[str]]] = [
    (
        "initialize",
        {
            "adapterID": "godap",
            "clientID": "transcript",
            "linesStartAt1": True,
            "columnsStartAt1": True,
            "supportsVariableType": True,
            "supportsVariablePaging": True,
        },
        [],
    ),
    (
        "launch",
        {"program": f"{PLACEHOLDER}/inventory.xz", "coreFilePath": f"{PLACEHOLDER}/core.xz"},
        ["initialized", "process"],
    ),
    ("configurationDone", None, ["output", "stopped"]),
    ("threads", None, []),
    ("stackTrace", {"threadId": 19, "startFrame": 0, "levels": 20}, []),
    ("exceptionInfo", {"threadId": 19}, []),
    ("scopes", {"frameId": 4}, []),  # main.(*Store).reserve, the crashing frame
    ("variables", {"variablesReference": 1}, []),
    ("variables", {"variablesReference": 3}, []),
    ("variables", {"variablesReference": 4}, []),
    ("stackTrace", {"threadId": 1}, []),
    ("scopes", {"frameId": 22}, []),
    ("variables", {"variablesReference": 7}, []),
    ("continue", {"threadId": 19}, []),
    ("next", {"threadId": 19}, []),
    ("disconnect", None, ["exited", "terminated"]),
]


def _expand(value: Any) -> Any:
    return json.loads(json.dumps(value).replace(PLACEHOLDER, str(SAMPLE)))


def _placeholders(value: Any) -> Any:
    """The sample's location as ${SAMPLE}, except in source paths, which the binary recorded at
    build time (under .../sample/src/, wherever this checkout is now)."""
    return json.loads(re.sub(re.escape(str(SAMPLE)) + r"(?!/src/)", lambda _: PLACEHOLDER, json.dumps(value)))


def _run_script() -> list[dict[str, Any]]:
    """Run SCRIPT against a fresh server; the transcript lines it produces, in arrival order."""
    lines: list[dict[str, Any]] = []
    client = DapClient.spawn(SERVER_COMMAND, cwd=REPO_ROOT, env=server_env())
    try:
        for command, arguments, events in SCRIPT:
            seen = len(client.messages)
            seq = client.send_request(command, _expand(arguments))
            request: dict[str, Any] = {"seq": seq, "type": "request", "command": command}
            if arguments is not None:
                request["arguments"] = arguments
            lines.append({"client": request})
            client.wait_response(seq)
            for name in events:
                client.wait_event(name)
            lines.extend({"server": _placeholders(m)} for m in client.messages[seen:])
        client.assert_no_violations()
    finally:
        client.close()
    return lines


def test_sample_session_replays_identically() -> None:
    produced = _run_script()
    if os.environ.get("GODAP_RECORD_TRANSCRIPT"):
        TRANSCRIPT.write_text("".join(json.dumps(line, sort_keys=True) + "\n" for line in produced))
    recorded = [json.loads(line) for line in TRANSCRIPT.read_text().splitlines() if line.strip()]
    assert len(produced) == len(recorded)
    for index, (mine, theirs) in enumerate(zip(produced, recorded, strict=True)):
        assert mine == theirs, f"transcript line {index + 1} differs"


def test_transcript_covers_a_whole_session() -> None:
    commands = [
        line["client"]["command"] for line in map(json.loads, TRANSCRIPT.read_text().splitlines()) if "client" in line
    ]
    assert commands[0] == "initialize" and commands[-1] == "disconnect"
    assert Path(SAMPLE / "core.xz").exists() and Path(SAMPLE / "inventory.xz").exists()
