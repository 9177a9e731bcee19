"""Integer handles the client holds for us: frame ids and variable references.

DAP ids must fit in int32; a handle table gives every object a small, stable id for the
session, bounded so a client that never lets go cannot grow it without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
INT32_MAX = 2**31 - 1
_PLAIN_LIMIT = INT32_MAX - 1_000_000  # larger goroutine ids get thread ids counted down from INT32_MAX


class HandleTable(Generic[K]):
    """key ↔ id, ids from 1 upwards; the oldest entries are forgotten past `capacity`."""

    def __init__(self, capacity: int = 1_000_000) -> None:
        self._by_key: OrderedDict[K, int] = OrderedDict()
        self._by_id: dict[int, K] = {}
        self._next = 1
        self._capacity = capacity

    def id_for(self, key: K) -> int:
        handle = self._by_key.get(key)
        if handle is not None:
            self._by_key.move_to_end(key)
            return handle
        handle = self._next
        self._next = self._next + 1 if self._next < INT32_MAX else 1
        self._by_key[key] = handle
        self._by_id[handle] = key
        if len(self._by_key) > self._capacity:
            _old_key, old_id = self._by_key.popitem(last=False)
            self._by_id.pop(old_id, None)
        return handle

    def get(self, handle: int) -> K | None:
        return self._by_id.get(handle)

    def clear(self) -> None:
        self._by_key.clear()
        self._by_id.clear()


class ThreadIds:
    """Goroutine id ↔ DAP thread id: the goid itself whenever it fits in int32."""

    def __init__(self) -> None:
        self._big: dict[int, int] = {}
        self._big_back: dict[int, int] = {}

    @staticmethod
    def plain_goid(goid: int) -> bool:
        """Whether a goroutine id is its own thread id."""
        return 0 < goid < _PLAIN_LIMIT

    def thread_id(self, goid: int) -> int:
        if 0 < goid < _PLAIN_LIMIT:
            return goid
        tid = self._big.get(goid)
        if tid is None:
            tid = INT32_MAX - len(self._big)
            self._big[goid] = tid
            self._big_back[tid] = goid
        return tid

    def for_goroutine(self, goid: int, addr: int, readable: bool) -> int:
        """The thread id of a goroutine; an unreadable record (no trustworthy id) is named by address."""
        return self.thread_id(goid) if readable else self.thread_id(-addr)

    def goid(self, thread_id: int) -> int:
        """The goroutine id behind a thread id (minus the record's address for an unreadable one)."""
        return self._big_back.get(thread_id, thread_id)
