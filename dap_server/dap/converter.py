"""The one cattrs converter between DAP JSON and the attrs classes of this package.

Structuring is strict: JSON types are checked exactly (no "5" -> 5, no "false" -> True,
no string taken as a list), and errors carry a JSONPath (`expected int @ $.threadId`).
Unknown keys are ignored, as clients add their own (`type`, `__sessionId`, ...).
Unstructuring omits fields equal to their default, so optional fields, which all
default to None, vanish; required fields have no default and are always written.
A field whose JSON name is not a Python identifier declares it with `wire_name`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, TypeVar, get_args, get_origin

import attrs
import cattrs
from cattrs.cols import is_mapping, is_sequence, list_structure_factory, mapping_structure_factory
from cattrs.errors import AttributeValidationNote, BaseValidationError, ClassValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from .message_class import build

T = TypeVar("T")

_WIRE_NAME = "godap.wire_name"
_JSON_NAMES: dict[type, str] = {int: "int", float: "number", str: "string", bool: "bool"}


def wire_name(name: str) -> dict[str, str]:
    """Field metadata giving the JSON key of a field: `attrs.field(metadata=wire_name("from"))`."""
    return {_WIRE_NAME: name}


class WrongType(TypeError):
    """A JSON value of the wrong type; the message is what was expected."""


class WrongValue(ValueError):
    """A JSON value outside a closed enumeration; the message is what was expected."""


def _strict(expected: type) -> Callable[[Any, type], Any]:
    accepted = (int, float) if expected is float else (expected,)

    def structure(value: Any, _: type) -> Any:
        # bool is a subclass of int, so compare exact types.
        if type(value) not in accepted:
            raise WrongType(f"expected {_JSON_NAMES[expected]}")
        return value

    return structure


def _structure_literal(value: Any, cls: type) -> Any:
    choices = get_args(cls)
    if not any(type(value) is type(choice) and value == choice for choice in choices):
        raise WrongValue("expected one of " + ", ".join(repr(c) for c in choices))
    return value


def _is_literal(cls: Any) -> bool:
    return get_origin(cls) is Literal


def _wire_names(cls: type) -> dict[str, str]:
    return {f.name: f.metadata[_WIRE_NAME] for f in attrs.fields(cls) if _WIRE_NAME in f.metadata}


def _overrides(cls: type) -> dict[str, Any]:
    return {name: override(rename=wire) for name, wire in _wire_names(cls).items()}


def _checked(
    json_type: type, expected: str, factory: Callable[[Any, cattrs.Converter], Callable[[Any, Any], Any]]
) -> Callable[[Any, cattrs.Converter], Callable[[Any, type], Any]]:
    """Wrap a cattrs hook factory so the hook first checks the JSON container type
    (cattrs would happily iterate a string as a list, or fail obscurely on a number)."""

    def checked_factory(cls: Any, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
        inner = factory(cls, converter)

        def structure(value: Any, _: type) -> Any:
            if not isinstance(value, json_type):
                raise WrongType(f"expected {expected}")
            return inner(value, cls)

        return structure

    return checked_factory


def _attrs_structure_fn(cls: type, converter: cattrs.Converter) -> Callable[[Any, Any], Any]:
    return make_dict_structure_fn(cls, converter, **_overrides(cls))


def _attrs_unstructure_factory(cls: type, converter: cattrs.Converter) -> Callable[[Any], dict[str, Any]]:
    return make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **_overrides(cls))


def _structure_str_or_list(value: Any, _: type) -> str | list[str] | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, list) and all(type(v) is str for v in value):
        return value
    raise WrongType("expected string or array of strings")


def _structure_int_or_str(value: Any, _: type) -> int | str | None:
    if value is None or type(value) in (int, str):
        return value
    raise WrongType("expected int or string")


def _use_wire_names(exc: BaseException) -> None:
    """Make error paths name renamed fields by their JSON key (cattrs uses the attribute name)."""
    if not isinstance(exc, BaseValidationError):
        return
    renames = _wire_names(exc.cl) if isinstance(exc, ClassValidationError) else {}
    for sub in exc.exceptions:
        notes = getattr(sub, "__notes__", [])
        sub.__notes__ = [
            AttributeValidationNote(str(n), renames[n.name], n.type)
            if isinstance(n, AttributeValidationNote) and n.name in renames
            else n
            for n in notes
        ]
        _use_wire_names(sub)


def _format_error(exc: BaseException, cls: type | None) -> str:
    if isinstance(exc, WrongType | WrongValue):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    return f"invalid value ({exc})"


def _make_converter() -> cattrs.Converter:
    converter = cattrs.Converter(detailed_validation=True)
    for primitive in _JSON_NAMES:
        converter.register_structure_hook(primitive, _strict(primitive))
    converter.register_structure_hook_func(_is_literal, _structure_literal)
    converter.register_structure_hook_func(lambda t: t == (str | list[str] | None), _structure_str_or_list)
    converter.register_structure_hook_func(lambda t: t == (int | str | None), _structure_int_or_str)
    converter.register_structure_hook_factory(is_sequence, _checked(list, "array", list_structure_factory))
    converter.register_structure_hook_factory(is_mapping, _checked(dict, "object", mapping_structure_factory))
    converter.register_structure_hook_factory(build, _checked(dict, "object", _attrs_structure_fn))
    converter.register_unstructure_hook_factory(build, _attrs_unstructure_factory)
    return converter


converter = _make_converter()


class StructureError(Exception):
    """Arguments that do not fit their class; the message lists each problem with its path."""


def structure(value: Any, cls: type[T]) -> T:
    """Build `cls` from JSON `value`, raising StructureError with readable reasons."""
    try:
        return converter.structure(value, cls)
    except Exception as exc:
        _use_wire_names(exc)
        reasons = cattrs.transform_error(exc, path="$", format_exception=_format_error)
        raise StructureError("; ".join(reasons)) from exc


def to_json_body(body: object) -> Any:
    """The JSON form of a response or event body: an attrs object, a mapping, or None."""
    if body is None:
        return None
    if build(type(body)):
        return converter.unstructure(body)
    if isinstance(body, Mapping):
        return dict(body)
    raise TypeError(f"a body must be an attrs object, a mapping or None, not {type(body).__name__}")
