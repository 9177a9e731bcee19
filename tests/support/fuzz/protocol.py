"""Hypothesis strategies for hostile DAP clients: what goes on the wire, item by item.

A `Script` is a list of well-framed items (valid requests with wrong or hostile arguments,
bodies that are not JSON, not objects, not UTF-8; headers in lowercase, without the space, with
extra fields) followed by at most one ending that makes the stream unusable (garbage, a wrong or
huge Content-Length, a frame cut short) or a `disconnect`. Everything before the ending must be
answered: one response per request the server can identify.
"""

from __future__ import annotations

import functools
import json
import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

INT32_MAX = 2**31 - 1
COMMANDS = (
    "initialize launch attach configurationDone threads stackTrace scopes variables source evaluate "
    "exceptionInfo readMemory disassemble loadedSources modules setBreakpoints setFunctionBreakpoints "
    "setExceptionBreakpoints pause continue next stepIn stepOut stepBack reverseContinue restartFrame goto "
    "terminate setVariable setExpression completions restart writeMemory dataBreakpointInfo cancel"
).split()

JSON_SCALAR = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
)
JSON = st.recursive(
    JSON_SCALAR,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=4,
)
# Small ids hit real goroutines, frames and variable references; the rest are out of range.
IDS = st.one_of(
    st.integers(1, 40),
    st.sampled_from([0, -1, INT32_MAX, INT32_MAX + 1, 2**63, -(2**63), 10**30]),
    st.integers(-(2**40), 2**40),
)
COUNTS = st.one_of(st.integers(-5, 64), st.sampled_from([0, -1, INT32_MAX, 2**40]))
ADDRESSES = st.one_of(
    st.integers(0, 2**64 - 1).map(hex),
    st.sampled_from(["0x0", "0x401000", "-0x10", "0x1" + "0" * 30, "banana", "", "1e9", "0b101", "0x_"]),
    st.text(max_size=10),
)
PATHS = st.sampled_from(["", "/", "/nonexistent/core", "/dev/null", "/proc/self/mem", "relative/path", "\0bad", "~"])


def _field(good: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the right type, sometimes any JSON value."""
    return st.one_of(good, good, good, JSON)


def _arguments(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={name: _field(value) for name, value in fields.items()})


@functools.cache
def arguments_for(launch_paths: tuple[str, str]) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
    program, core = launch_paths
    source = st.fixed_dictionaries({}, optional={"path": _field(PATHS | st.text(max_size=20)), "name": JSON})
    return {
        "initialize": _arguments({"adapterID": st.text(max_size=8), "supportsProgressReporting": st.booleans()}),
        "launch": _arguments(
            {
                "program": st.sampled_from([program]) | PATHS,
                "coreFilePath": st.sampled_from([core]) | PATHS,
                "mode": st.sampled_from(["core", "exec", ""]),
                "goroutineFilters": st.text(max_size=20) | st.lists(st.text(max_size=8), max_size=3),
                "stackTraceDepth": COUNTS,
                "hideSystemGoroutines": st.booleans(),
                "groupGoroutines": st.booleans(),
                "substitutePath": st.lists(
                    st.fixed_dictionaries({"from": st.text(max_size=8), "to": st.text(max_size=8)}), max_size=2
                ),
            }
        ),
        "stackTrace": _arguments({"threadId": IDS, "startFrame": COUNTS, "levels": COUNTS}),
        "scopes": _arguments({"frameId": IDS}),
        "variables": _arguments(
            {
                "variablesReference": IDS,
                "filter": st.sampled_from(["indexed", "named", "other"]),
                "start": COUNTS,
                "count": COUNTS,
                "format": st.fixed_dictionaries({}, optional={"hex": st.booleans()}),
            }
        ),
        "source": _arguments({"source": source, "sourceReference": IDS}),
        "evaluate": _arguments(
            {
                "expression": st.text(max_size=30)
                | st.sampled_from(["main.AppVersion", "1+1", "__import__('os').system('id')", "x" * 5000]),
                "frameId": IDS,
                "context": st.sampled_from(["watch", "repl", "hover", "clipboard", "variables"]),
            }
        ),
        "exceptionInfo": _arguments({"threadId": IDS}),
        "readMemory": _arguments({"memoryReference": ADDRESSES, "offset": COUNTS | IDS, "count": COUNTS}),
        "disassemble": _arguments(
            {
                "memoryReference": ADDRESSES,
                "offset": COUNTS,
                "instructionOffset": st.integers(-64, 64),
                "instructionCount": st.integers(-2, 128),
                "resolveSymbols": st.booleans(),
            }
        ),
        "modules": _arguments({"startModule": COUNTS, "moduleCount": COUNTS}),
        "setBreakpoints": _arguments(
            {"source": source, "breakpoints": st.lists(JSON, max_size=3), "lines": st.lists(JSON, max_size=3)}
        ),
        "cancel": _arguments({"requestId": st.integers(-1, 40), "progressId": st.text(max_size=6)}),
    }


@dataclass(frozen=True)
class Item:
    """One frame on the wire: a message (dict) or a raw body, with a header style."""

    body: bytes
    header: bytes  # the header lines, "{n}" standing for the body length
    note: str = ""

    def wire(self) -> bytes:
        return self.header.replace(b"{n}", str(len(self.body)).encode()) + self.body


GOOD_HEADERS = [
    b"Content-Length: {n}\r\n\r\n",
    b"content-length: {n}\r\n\r\n",
    b"CONTENT-LENGTH:{n}\r\n\r\n",
    b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {n}\r\n\r\n",
    b"Content-Length:   {n}  \r\nX-Extra: yes\r\n\r\n",
]
BAD_BODIES = [
    b"",
    b"{",
    b"null",
    b"[1,2,3]",
    b'"a string"',
    b"42",
    b"\xff\xfe\x00 not utf-8",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"seq": NaN, "type": "request", "command": "threads"}',
    b'{"seq": 1e400, "type": "request", "command": "threads"}',
    b'{"seq": 1, "type": "request", "command": "threads", "arguments": [1]}',
    b'{"seq": 1, "type": "event", "event": "stopped"}',
    b'{"seq": 1, "type": "response", "command": "x", "success": true, "request_seq": 1}',
    json.dumps({"seq": 1, "type": "request", "command": "evaluate", "arguments": {"expression": "\ud800"}}).encode(),
]
ENDINGS = [
    b"",
    b"garbage without a header\r\n\r\n",
    b"Content-Length: 999999999999999999999\r\n\r\n{}",
    b'Content-Length: 100\r\n\r\n{"seq": 1}',
    b"Content-Length: -5\r\n\r\n",
    b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    b"Content-Length: 2\n\n{}",
    b"X-No-Length: 1\r\n\r\n{}",
    b"Content-Length: 2\r\n",
    b"Content-Length: 0x10\r\n\r\n",
    b"A" * 9000 + b"\r\n",
    b"".join(b"X-H%d: v\r\n" % i for i in range(40)) + b"Content-Length: 2\r\n\r\n{}",
]


@dataclass
class Script:
    items: list[Item] = field(default_factory=list)
    ending: bytes = b""
    disconnect: bool = False

    @property
    def cases(self) -> int:
        """Protocol cases this script contributes: each item, the ending or disconnect."""
        return len(self.items) + (1 if self.ending or self.disconnect else 0)

    def wire(self) -> bytes:
        data = b"".join(item.wire() for item in self.items)
        if self.disconnect:
            seq = len(self.items) + 1
            data += Item(
                json.dumps({"seq": seq, "type": "request", "command": "disconnect"}).encode(), GOOD_HEADERS[0]
            ).wire()
        return data + self.ending


@st.composite
def requests(draw: st.DrawFn, arguments: dict[str, st.SearchStrategy[dict[str, Any]]], seq: int) -> dict[str, Any]:
    command = draw(st.sampled_from(COMMANDS) | st.text(max_size=10))
    message: dict[str, Any] = {"seq": seq, "type": "request", "command": command}
    strategy = arguments.get(command)
    if strategy is not None:
        message["arguments"] = draw(strategy)
    elif draw(st.booleans()):
        message["arguments"] = draw(st.dictionaries(st.text(max_size=8), JSON, max_size=3))
    if draw(st.integers(0, 20)) == 0:  # mangle the envelope itself
        key = draw(st.sampled_from(["seq", "type", "command", "arguments"]))
        message[key] = draw(JSON)
    return message


@st.composite
def scripts(draw: st.DrawFn, launch_paths: tuple[str, str], max_items: int = 12) -> Script:
    arguments = arguments_for(launch_paths)
    script = Script()
    program, core = launch_paths
    if draw(st.integers(0, 3)) > 0:  # most scripts start like an editor, then misbehave
        for command, args in (
            ("initialize", {"adapterID": "fuzz", "supportsProgressReporting": True}),
            ("launch", {"program": program, "coreFilePath": core}),
        ):
            body = json.dumps({"seq": len(script.items) + 1, "type": "request", "command": command, "arguments": args})
            script.items.append(Item(body.encode(), GOOD_HEADERS[0], command))
    for _ in range(draw(st.integers(1, max_items))):
        seq = len(script.items) + 1
        header = draw(st.sampled_from(GOOD_HEADERS))
        if draw(st.integers(0, 9)) == 0:
            script.items.append(Item(draw(st.sampled_from(BAD_BODIES)), header, "bad body"))
            continue
        message = draw(requests(arguments, seq))
        try:
            body = json.dumps(message, allow_nan=False).encode("utf-8", "surrogatepass")
        except ValueError:
            continue
        script.items.append(Item(body, header, str(message.get("command"))[:20]))
    choice = draw(st.integers(0, 5))
    if choice == 0:
        script.disconnect = True
    elif choice == 1:
        script.ending = draw(st.sampled_from(ENDINGS) | st.binary(min_size=1, max_size=64))
    return script


# --- the same vocabulary, drawn with random.Random: ten times faster than hypothesis draws, for
# --- the bulk of a run (hypothesis, with shrinking, explores the rest) ------------------------------

_RANDOM_IDS = (0, -1, 1, 2, 3, 17, 40, INT32_MAX, INT32_MAX + 1, 2**63, -(2**63), 10**30)
_RANDOM_JSON = (None, True, False, 0, -1, 1.5, 1e308, "", "x", "1", [], {}, [1, "a"], {"a": {"b": None}}, 2**70)
_RANDOM_ADDRESSES = ("0x0", "0x401000", "-0x10", "0x1" + "0" * 30, "banana", "", "1e9", "0b101", "0x_", "0xc000000000")
_RANDOM_TEXT = ("", "a", "main", "main.AppVersion", "\u00e9\u4e2d", "\0", "x" * 300, "$(id)", "../../etc/passwd")


def _random_value(rng: random.Random, kind: str) -> Any:
    if rng.random() < 0.2:
        return rng.choice(_RANDOM_JSON)
    if kind == "id":
        return rng.choice(_RANDOM_IDS) if rng.random() < 0.5 else rng.randint(1, 40)
    if kind == "count":
        return rng.choice((-1, 0, 1, 5, 64, INT32_MAX, 2**40))
    if kind == "address":
        return (
            rng.choice(_RANDOM_ADDRESSES) if rng.random() < 0.5 else hex(rng.getrandbits(rng.choice((12, 24, 47, 64))))
        )
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "path":
        return rng.choice(("", "/", "/nonexistent/core", "/dev/null", "relative/path", "~"))
    return rng.choice(_RANDOM_TEXT)


_RANDOM_FIELDS: dict[str, dict[str, str]] = {
    "initialize": {"adapterID": "text", "supportsProgressReporting": "bool", "linesStartAt1": "bool"},
    "launch": {
        "program": "path",
        "coreFilePath": "path",
        "mode": "text",
        "goroutineFilters": "text",
        "stackTraceDepth": "count",
    },
    "stackTrace": {"threadId": "id", "startFrame": "count", "levels": "count"},
    "scopes": {"frameId": "id"},
    "variables": {"variablesReference": "id", "start": "count", "count": "count", "filter": "text"},
    "source": {"sourceReference": "id"},
    "evaluate": {"expression": "text", "frameId": "id", "context": "text"},
    "exceptionInfo": {"threadId": "id"},
    "readMemory": {"memoryReference": "address", "offset": "count", "count": "count"},
    "disassemble": {
        "memoryReference": "address",
        "offset": "count",
        "instructionOffset": "id",
        "instructionCount": "id",
    },
    "modules": {"startModule": "count", "moduleCount": "count"},
    "cancel": {"requestId": "id", "progressId": "text"},
    "setBreakpoints": {"lines": "count", "breakpoints": "count"},
}


def random_script(rng: random.Random, launch_paths: tuple[str, str], max_items: int = 12) -> Script:
    """A script like `scripts` draws, from a seeded Random."""
    program, core = launch_paths
    script = Script()
    if rng.random() < 0.75:
        for command, args in (
            ("initialize", {"adapterID": "fuzz", "supportsProgressReporting": True}),
            ("launch", {"program": program, "coreFilePath": core}),
        ):
            body = json.dumps({"seq": len(script.items) + 1, "type": "request", "command": command, "arguments": args})
            script.items.append(Item(body.encode(), GOOD_HEADERS[0], command))
    for _ in range(rng.randint(1, max_items)):
        header = rng.choice(GOOD_HEADERS)
        if rng.random() < 0.1:
            script.items.append(Item(rng.choice(BAD_BODIES), header, "bad body"))
            continue
        command = rng.choice(COMMANDS) if rng.random() < 0.95 else rng.choice(_RANDOM_TEXT)
        message: dict[str, Any] = {"seq": len(script.items) + 1, "type": "request", "command": command}
        fields = _RANDOM_FIELDS.get(command, {})
        arguments = {name: _random_value(rng, kind) for name, kind in fields.items() if rng.random() < 0.8}
        if command == "disassemble" and isinstance(arguments.get("instructionCount"), int):
            arguments["instructionCount"] = min(arguments["instructionCount"], 256)  # 100,000 is its own test
        if arguments or rng.random() < 0.5:
            message["arguments"] = arguments if rng.random() < 0.95 else rng.choice(_RANDOM_JSON)
        if rng.random() < 0.05:
            message[rng.choice(["seq", "type", "command"])] = rng.choice(_RANDOM_JSON)
        body = json.dumps(message, allow_nan=False).encode()
        script.items.append(Item(body, header, str(command)[:20]))
    roll = rng.random()
    if roll < 0.17:
        script.disconnect = True
    elif roll < 0.34:
        script.ending = rng.choice(ENDINGS) if rng.random() < 0.7 else rng.randbytes(rng.randint(1, 64))
    return script
