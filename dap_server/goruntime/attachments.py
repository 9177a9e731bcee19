"""State other modules keep on an object they do not own, typed by its class, dropped with it.

A module that caches per process (the values engine's scopes) or per executable (the package
list) attaches its state to the owner instead of keeping a module-level table keyed by `id()`:
the state then lives exactly as long as the stop or the binary it describes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

T = TypeVar("T")


class Attachments:
    """`get(Kind, make)`: the one `Kind` instance attached here, made by `make()` on first use."""

    def __init__(self) -> None:
        self._by_kind: dict[type, object] = {}

    def get(self, kind: type[T], make: Callable[[], T]) -> T:
        found = self._by_kind.get(kind)
        if found is None:
            found = self._by_kind[kind] = make()
        return cast(T, found)
