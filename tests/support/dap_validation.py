"""Validate DAP messages against the protocol's JSON schema.

The schema is the copy debugpy vendors (``GODAP_DAP_SCHEMA`` may name another
file). A message is checked against the definition its name gives:
``Cap(command) + "Response"`` (``ErrorResponse`` when ``success`` is false),
``Cap(event) + "Event"``, ``Cap(command) + "Request"``; names the schema does
not know fall back to ``Response`` / ``Event`` / ``Request``.

jsonschema ignores ``format`` unless a FormatChecker knows it, so the integer
formats ``int32/int64/uint32/uint64`` are registered here. debugpy's copy of
the schema has no ``format`` at all; with ``integers_as_int32`` (default) every
``"type": "integer"`` without a format is treated as ``int32``, because DAP
clients keep ids (thread, frame, variablesReference) in 32-bit or
double-precision numbers.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import jsonschema

Message = dict[str, Any]

SCHEMA_ENV = "GODAP_DAP_SCHEMA"
_DEBUGPY_SCHEMA = ("_vendored", "pydevd", "_pydevd_bundle", "_debug_adapter", "debugProtocol.json")

INTEGER_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}


def schema_path() -> Path:
    override = os.environ.get(SCHEMA_ENV)
    if override:
        return Path(override)
    spec = importlib.util.find_spec("debugpy")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("debugpy is not installed; the tests take the DAP schema from it")
    return Path(next(iter(spec.submodule_search_locations)), *_DEBUGPY_SCHEMA)


@functools.cache
def _definitions(path: Path, integers_as_int32: bool) -> dict[str, Any]:
    definitions: dict[str, Any] = json.loads(path.read_text())["definitions"]
    if integers_as_int32:
        definitions = copy.deepcopy(definitions)
        _default_integer_format(definitions)
    return definitions


def _default_integer_format(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer" and "format" not in node:
            node["format"] = "int32"
        for value in node.values():
            _default_integer_format(value)
    elif isinstance(node, list):
        for item in node:
            _default_integer_format(item)


def format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker()
    for name, (low, high) in INTEGER_RANGES.items():

        def check(instance: object, low: int = low, high: int = high) -> bool:
            return not isinstance(instance, int) or isinstance(instance, bool) or low <= instance <= high

        checker.checks(name)(check)
    return checker


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


class SchemaValidator:
    """Checks messages; ``errors(message)`` lists what is wrong (empty when valid)."""

    def __init__(self, path: Path | None = None, *, integers_as_int32: bool = True) -> None:
        self.definitions = _definitions(path or schema_path(), integers_as_int32)
        self._checker = format_checker()
        self._validators: dict[str, jsonschema.Draft4Validator] = {}

    def definition_name(self, message: Message) -> str:
        kind = message.get("type")
        if kind == "response":
            if message.get("success") is False:
                return "ErrorResponse"
            name, fallback = _cap(str(message.get("command", ""))) + "Response", "Response"
        elif kind == "event":
            name, fallback = _cap(str(message.get("event", ""))) + "Event", "Event"
        elif kind == "request":
            name, fallback = _cap(str(message.get("command", ""))) + "Request", "Request"
        else:
            return "ProtocolMessage"
        return name if name in self.definitions else fallback

    def _validator(self, name: str) -> jsonschema.Draft4Validator:
        if name not in self._validators:
            schema = {"$ref": f"#/definitions/{name}", "definitions": self.definitions}
            self._validators[name] = jsonschema.Draft4Validator(schema, format_checker=self._checker)
        return self._validators[name]

    def errors(self, message: Message) -> list[str]:
        name = self.definition_name(message)
        problems = [] if name != "ProtocolMessage" else [f"unknown message type {message.get('type')!r}"]
        return problems + [
            f"{name}: {'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
            for error in self._validator(name).iter_errors(message)
        ]
