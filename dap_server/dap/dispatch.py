"""Finding an adapter's request handlers and calling them.

A handler is a method named `<command>_request(self, args, ctx)`. The annotation of
`args` says how the arguments arrive: a message class (structured and checked), or
`dict[str, Any]` / `Mapping[str, Any]` for the raw JSON object. The table is built
once per adapter class, so a missing or unusable annotation fails at startup, not
on the first request.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from .context import RequestContext
from .converter import StructureError, structure
from .errors import InvalidArguments
from .message_class import is_message_class

SUFFIX = "_request"
_RAW_ANNOTATIONS: tuple[object, ...] = (dict, Mapping, dict[str, Any], Mapping[str, Any])


class Handler(NamedTuple):
    command: str
    method: Callable[[Any, RequestContext], object]
    arguments_type: type | None  # None: the raw arguments dict

    def __call__(self, arguments: dict[str, Any], context: RequestContext) -> object:
        """Run the handler and return its body. Raises InvalidArguments for arguments
        that do not fit, and whatever the handler raises."""
        args: object = arguments
        if self.arguments_type is not None:
            try:
                args = structure(arguments, self.arguments_type)
            except StructureError as exc:
                raise InvalidArguments(f"invalid arguments for {self.command}: {exc}") from exc
        return self.method(args, context)


def handlers_of(adapter: object) -> dict[str, Handler]:
    return {
        command: Handler(command, getattr(adapter, name), arguments_type)
        for command, (name, arguments_type) in _handler_specs(type(adapter)).items()
    }


_specs_by_class: dict[type, dict[str, tuple[str, type | None]]] = {}


def _handler_specs(cls: type) -> dict[str, tuple[str, type | None]]:
    if cls in _specs_by_class:
        return _specs_by_class[cls]
    specs = {}
    for name in dir(cls):
        command = name.removesuffix(SUFFIX)
        function = getattr(cls, name)
        if command == name or not command or not callable(function):
            continue
        specs[command] = (name, _arguments_type(cls, name, function))
    _specs_by_class[cls] = specs
    return specs


def _arguments_type(cls: type, name: str, function: Callable[..., object]) -> type | None:
    where = f"{cls.__qualname__}.{name}"
    parameters = list(inspect.signature(function).parameters.values())
    if len(parameters) != 3:
        raise TypeError(f"{where} must take (self, args, ctx)")
    try:
        annotation = typing.get_type_hints(function).get(parameters[1].name)
    except NameError as exc:
        raise TypeError(f"{where}: cannot resolve the annotation of its arguments ({exc})") from exc
    if isinstance(annotation, type) and is_message_class(annotation):
        return annotation
    if annotation in _RAW_ANNOTATIONS:
        return None
    raise TypeError(f"{where}: annotate its arguments with a message class or dict[str, Any], not {annotation!r}")
