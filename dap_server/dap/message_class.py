"""`@message`: a DAP message class, made an attrs class when it is first used.

The protocol has over a hundred argument, body and type classes, and making each an attrs class
generates and compiles its methods: most of the server's start-up, for a session that uses a
dozen of them. `@message` is `@attrs.frozen(kw_only=True)` deferred: the class is built in place
(attrs' dict classes are patched, not replaced, so every reference stays valid) the first time it
is instantiated, structured or unstructured, or when `build` asks for it.
"""

from __future__ import annotations

import threading
from typing import Any, TypeVar, dataclass_transform

import attrs

T = TypeVar("T")

_PENDING: set[type] = set()
_LOCK = threading.RLock()  # events may be sent from another thread than requests


def _build_then_init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    build(cls)
    cls.__init__(self, *args, **kwargs)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(attrs.field,))
def message(cls: type[T]) -> type[T]:
    """Declare `cls` a DAP message class (an attrs frozen, keyword-only class once built)."""
    with _LOCK:
        _PENDING.add(cls)
        cls.__init__ = _build_then_init  # type: ignore[method-assign]  # replaced by attrs' own when built
    return cls


def is_message_class(cls: object) -> bool:
    """An attrs class, or a message class not built yet (without building it)."""
    return isinstance(cls, type) and (cls in _PENDING or attrs.has(cls))


def build(cls: object) -> bool:
    """Build `cls` (and its message bases) now; True if it is an attrs class."""
    if not isinstance(cls, type):
        return False
    with _LOCK:
        for base in reversed(cls.__mro__):
            if base in _PENDING:
                _PENDING.discard(base)
                del base.__init__  # type: ignore[misc]  # attrs must not take it for a hand-written one
                attrs.frozen(kw_only=True, slots=False)(base)
    return attrs.has(cls)
