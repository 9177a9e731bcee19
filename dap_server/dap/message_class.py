"""`@message`: a DAP message class: frozen, keyword-only, its fields read from its annotations.

A message class needs little: a keyword-only `__init__` with defaults and factories, equality, a
repr, and a list of fields that the converter walks. attrs and cattrs gave that by generating and
compiling code per class; importing the two and building the dozen classes a session uses was
about half of the server's start-up (issue 14), so the few methods here are shared by every class
and nothing is compiled. A class's fields are read the first time it is used (instantiated,
structured, unstructured or asked for `fields`); until then `@message` has only marked it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar, dataclass_transform

T = TypeVar("T")


class _Nothing:
    def __repr__(self) -> str:
        return "NOTHING"


NOTHING: Any = _Nothing()  # the default of a required field


class FrozenInstanceError(AttributeError):
    """A message object's fields cannot be assigned after it is made."""


class _FieldSpec(NamedTuple):
    default: Any
    factory: Callable[[], Any] | None
    wire: str | None


def field(*, default: Any = NOTHING, factory: Callable[[], Any] | None = None, wire: str | None = None) -> Any:
    """A field with a factory for its default, or whose JSON key (`wire`) is not its name
    (`__restart`, `from`)."""
    return _FieldSpec(default, factory, wire)


class MessageField(NamedTuple):
    name: str  # the attribute
    wire: str  # the JSON key
    default: Any  # NOTHING for a required field (or one with a factory)
    factory: Callable[[], Any] | None

    @property
    def required(self) -> bool:
        return self.default is NOTHING and self.factory is None

    def default_value(self) -> Any:
        return self.factory() if self.factory is not None else self.default


class Spec(NamedTuple):
    fields: tuple[MessageField, ...]
    names: frozenset[str]
    required: frozenset[str]
    factories: tuple[tuple[str, Callable[[], Any]], ...]


_MARKED: set[type] = set()
_SPECS: dict[type, Spec] = {}
_OWN: dict[type, tuple[MessageField, ...]] = {}
_LOCK = threading.Lock()  # events may be sent from another thread than requests


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(field,))
def message(cls: type[T]) -> type[T]:
    """Declare `cls` a DAP message class."""
    _MARKED.add(cls)
    for name, method in _METHODS.items():
        setattr(cls, name, method)
    return cls


def is_message_class(cls: object) -> bool:
    return isinstance(cls, type) and cls in _MARKED


def spec(cls: type) -> Spec:
    """The fields of message class `cls` (its bases' first), read on first use."""
    found = _SPECS.get(cls)
    return found if found is not None else _read_spec(cls)


def fields(cls: type) -> tuple[MessageField, ...]:
    return spec(cls).fields


def evolve(value: T, **changes: Any) -> T:
    """A copy of message object `value` with some fields changed."""
    current = {f.name: getattr(value, f.name) for f in fields(type(value))}
    return type(value)(**{**current, **changes})


def _read_spec(cls: type) -> Spec:
    with _LOCK:
        found = _SPECS.get(cls)
        if found is not None:
            return found
        declared = {f.name: f for base in reversed(cls.__mro__) if base in _MARKED for f in _own_fields(base)}
        result = Spec(
            tuple(declared.values()),
            frozenset(declared),
            frozenset(name for name, f in declared.items() if f.required),
            tuple((name, f.factory) for name, f in declared.items() if f.factory is not None),
        )
        _SPECS[cls] = result
        return result


def _own_fields(cls: type) -> tuple[MessageField, ...]:
    """The fields `cls` itself declares (read once: reading takes `field(...)` specs off the class)."""
    found = _OWN.get(cls)
    if found is None:
        # Not inspect.get_annotations: importing inspect costs more start-up than the whole server's classes.
        declared = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
        found = _OWN[cls] = tuple(_field(cls, name) for name in declared)
    return found


def _field(owner: type, name: str) -> MessageField:
    """A field from its class attribute: none (required), a default, or a `field(...)`; the class
    keeps plain defaults as class attributes (an instance stores only what it was given)."""
    value = owner.__dict__.get(name, NOTHING)
    if not isinstance(value, _FieldSpec):
        return MessageField(name, name, value, None)
    default, factory, wire = value
    if default is NOTHING:
        delattr(owner, name)
    else:
        setattr(owner, name, default)
    return MessageField(name, wire or name, default, factory)


def _init(self: object, **values: Any) -> None:
    cls = type(self)
    found = spec(cls)
    if not found.names.issuperset(values):
        unknown = ", ".join(sorted(set(values) - found.names))
        raise TypeError(f"{cls.__name__}() got unexpected keyword arguments: {unknown}")
    if not found.required.issubset(values):
        missing = ", ".join(sorted(found.required - set(values)))
        raise TypeError(f"{cls.__name__}() missing required keyword arguments: {missing}")
    state = self.__dict__
    state.update(values)
    for name, factory in found.factories:
        if name not in values:
            state[name] = factory()


def _frozen(self: object, *_: object) -> None:
    raise FrozenInstanceError(f"{type(self).__name__} is frozen")


def _values(self: object) -> tuple[Any, ...]:
    return tuple(getattr(self, f.name) for f in fields(type(self)))


def _eq(self: object, other: object) -> bool:
    if type(other) is not type(self):
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: object) -> int:
    return hash((type(self), _values(self)))


def _repr(self: object) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(type(self)))
    return f"{type(self).__name__}({shown})"


_METHODS: dict[str, Callable[..., Any]] = {
    "__init__": _init,
    "__setattr__": _frozen,
    "__delattr__": _frozen,
    "__eq__": _eq,
    "__hash__": _hash,
    "__repr__": _repr,
}
