"""The message envelope (`seq`, `type`, `command`, `request_seq`, ...) as plain dicts.

Incoming bodies are checked here before anything is dispatched; outgoing
responses and events are built here, without `seq` (the writer numbers them).
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from .converter import to_json_body
from .errors import DapError
from .messages import Message

MAX_SEQ = 2**31 - 1  # the spec's seq is an int32 with minimum 1


class IncomingRequest(NamedTuple):
    seq: int
    command: str
    arguments: dict[str, Any]


class Rejected(NamedTuple):
    """A message that cannot be dispatched: answered with an error response when
    `seq` is known, otherwise reported to the client as an `output` event."""

    reason: str
    seq: int | None = None
    command: str = ""


def parse_request(body: bytes) -> IncomingRequest | Rejected:
    try:
        message = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Rejected(f"message is not UTF-8 ({exc.reason} at byte {exc.start})")
    except (ValueError, RecursionError) as exc:
        return Rejected(f"message is not valid JSON ({exc})")
    if not isinstance(message, dict):
        return Rejected(f"message is a JSON {_json_type(message)}, not an object")
    seq = message.get("seq")
    if type(seq) is not int or not 1 <= seq <= MAX_SEQ:
        return Rejected(f"message has no valid 'seq' (got {_brief(seq)})")
    kind = message.get("type")
    if kind in ("response", "event"):
        return Rejected(f"unexpected {kind} message from the client (seq {seq})")
    command = message.get("command")
    echo = command if isinstance(command, str) else ""
    if kind != "request":
        return Rejected(f"message 'type' must be \"request\" (got {_brief(kind)})", seq, echo)
    if not isinstance(command, str) or not command:
        return Rejected(f"request has no valid 'command' (got {_brief(command)})", seq, echo)
    arguments = message.get("arguments")
    if arguments is None:
        arguments = {}
    elif not isinstance(arguments, dict):
        return Rejected(f"invalid arguments for {command}: expected object @ $", seq, command)
    return IncomingRequest(seq, command, arguments)


def response(request_seq: int, command: str, body: object = None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": "response",
        "request_seq": request_seq,
        "success": True,
        "command": command,
    }
    json_body = to_json_body(body)
    if json_body is not None:
        message["body"] = json_body
    return message


def error_response(request_seq: int, command: str, error: DapError, *, short: str | None = None) -> dict[str, Any]:
    """A failed response. `short` replaces `message` (e.g. "cancelled", which clients recognise);
    the schema requires `body.error` either way."""
    detail = Message(
        id=error.error_id,
        format=error.message,
        showUser=error.show_user,
        url=error.url,
        urlLabel=error.url_label,
    )
    return {
        "type": "response",
        "request_seq": request_seq,
        "success": False,
        "command": command,
        "message": error.message if short is None else short,
        "body": {"error": to_json_body(detail)},
    }


def event(name: str, body: object = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "event", "event": name}
    json_body = to_json_body(body)
    if json_body is not None:
        message["body"] = json_body
    return message


def _json_type(value: Any) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _brief(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."
