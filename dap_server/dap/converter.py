"""Between DAP JSON and the message classes of this package (`message_class`).

Structuring is strict: JSON types are checked exactly (no "5" -> 5, no "false" -> True,
no string taken as a list), and every problem is reported with a JSONPath
(`expected int @ $.threadId`), all of them at once. Unknown keys are ignored, as clients add
their own (`type`, `__sessionId`, ...). Unstructuring omits fields equal to their default, so
optional fields, which all default to None, vanish; required fields are always written.

A field's annotation is turned into a checker the first time its class is structured
(`typing.get_type_hints`, once per class); checkers are plain functions, nothing is compiled.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar

from .message_class import is_message_class, spec

T = TypeVar("T")

Problems = list[tuple[str, str]]  # (what was expected, JSONPath)
Checker = Callable[[Any, str, Problems], Any]  # value, its path, where problems go -> the structured value
_NAMES: dict[object, str] = {int: "int", float: "number", str: "string", bool: "bool", type(None): "null"}


class StructureError(Exception):
    """Arguments that do not fit their class; the message lists each problem with its path."""


class _Invalid(Exception):
    """Raised inside a checker of a union member: that member does not fit."""


def structure(value: Any, cls: type[T]) -> T:
    """Build `cls` from JSON `value`, raising StructureError with readable reasons."""
    problems: Problems = []
    result = _checker(cls)(value, "$", problems)
    if problems:
        raise StructureError("; ".join(f"{expected} @ {path}" for expected, path in problems))
    return typing.cast(T, result)


def to_json_body(body: object) -> Any:
    """The JSON form of a response or event body: a message object, a mapping, or None."""
    if body is None:
        return None
    if is_message_class(type(body)):
        return _unstructure(body)
    if isinstance(body, Mapping):
        return dict(body)
    raise TypeError(f"a body must be a message object, a mapping or None, not {type(body).__name__}")


def _unstructure(value: Any) -> Any:
    cls = type(value)
    if cls in (str, int, bool, float) or value is None:
        return value
    if cls is list or cls is tuple:
        return [_unstructure(item) for item in value]
    if cls is dict:
        return {key: _unstructure(item) for key, item in value.items()}
    if not is_message_class(cls):
        return value  # an `Any` field: JSON already
    body: dict[str, Any] = {}
    for f in spec(cls).fields:
        item = getattr(value, f.name)
        if f.required or item != f.default_value():
            body[f.wire] = _unstructure(item)
    return body


# -- checkers ------------------------------------------------------------------------------

_CHECKERS: dict[object, Checker] = {}


def _checker(annotation: object) -> Checker:
    found = _CHECKERS.get(annotation)
    if found is None:
        found = _make_checker(annotation)
        _CHECKERS[annotation] = found
    return found


def _make_checker(annotation: object) -> Checker:
    if annotation is Any:
        return _as_is
    if annotation in _NAMES:
        return _scalar(annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Literal:
        return _literal(args)
    if origin in (typing.Union, types.UnionType):
        return _union(args)
    if origin is list or origin is dict:
        return _collection(origin, args[-1])
    if isinstance(annotation, type) and is_message_class(annotation):
        return _message(annotation)
    raise TypeError(f"no JSON form for {annotation!r}")


def _describe(annotation: object) -> str:
    if annotation in _NAMES:
        return _NAMES[annotation]
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list:
        return "array of strings" if args == (str,) else "array"
    return "object"


def _as_is(value: Any, path: str, problems: Problems) -> Any:
    return value


def _scalar(expected: object) -> Checker:
    accepted = (int, float) if expected is float else (expected,)
    name = _NAMES[expected]

    def check(value: Any, path: str, problems: Problems) -> Any:
        if type(value) not in accepted:  # bool is a subclass of int: compare exact types
            problems.append((f"expected {name}", path))
        return value

    return check


def _literal(choices: tuple[Any, ...]) -> Checker:
    expected = "expected one of " + ", ".join(repr(choice) for choice in choices)

    def check(value: Any, path: str, problems: Problems) -> Any:
        if not any(type(value) is type(choice) and value == choice for choice in choices):
            problems.append((expected, path))
        return value

    return check


def _union(members: tuple[Any, ...]) -> Checker:
    """`X | None` takes None or an X (reporting X's problems); a wider union takes the first
    member that fits, and names them all when none does."""
    optional = type(None) in members
    others = [member for member in members if member is not type(None)]
    if len(others) == 1:
        inner = _checker(others[0])
        return lambda value, path, problems: None if value is None and optional else inner(value, path, problems)
    checkers = [_checker(member) for member in others]
    expected = "expected " + " or ".join(_describe(member) for member in others)

    def check(value: Any, path: str, problems: Problems) -> Any:
        if value is None and optional:
            return None
        for member in checkers:
            tried: Problems = []
            result = member(value, path, tried)
            if not tried:
                return result
        problems.append((expected, path))
        return value

    return check


def _collection(origin: type, item_type: object) -> Checker:
    """`list[T]` or `dict[str, T]`: the JSON container is checked, then each item (its index or key
    in the path)."""
    expected = "expected array" if origin is list else "expected object"

    def check(value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, origin):
            problems.append((expected, path))
            return value
        item = _checker(item_type)
        if isinstance(value, list):
            return [item(element, f"{path}[{index}]", problems) for index, element in enumerate(value)]
        assert isinstance(value, dict)
        return {key: item(element, f"{path}[{key!r}]", problems) for key, element in value.items()}

    return check


def _message(cls: type) -> Checker:
    fields: list[tuple[str, str, Checker]] = []  # name, JSON key, checker (resolved on first use)

    def field_checkers() -> list[tuple[str, str, Checker]]:
        if not fields:
            hints = typing.get_type_hints(cls)
            fields.extend((f.name, f.wire, _checker(hints[f.name])) for f in spec(cls).fields)
        return fields

    def check(value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, dict):
            problems.append(("expected object", path))
            return None
        found = spec(cls)
        values: dict[str, Any] = {}
        before = len(problems)
        for name, wire, item in field_checkers():
            if wire in value:
                values[name] = item(value[wire], f"{path}.{wire}", problems)
            elif name in found.required:
                problems.append(("required field missing", f"{path}.{wire}"))
        return cls(**values) if len(problems) == before else None

    return check
