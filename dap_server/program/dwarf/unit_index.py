"""Where each unit of `.debug_info` starts, found by hopping from one unit length to the next.

pyelftools finds the unit holding a DIE by parsing every unit header before it (about 0.1 ms
each: a fifth of a second deep in a big binary); hopping reads four bytes per unit.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

_DWARF64 = 0xFFFFFFFF


class UnitIndex:
    """Unit start offsets, walked once and only as far as the lookups have reached."""

    def __init__(self, front: Callable[[int], bytes | bytearray], size: int) -> None:
        self._front = front  # the first n bytes of the section (it may inflate more to answer)
        self._size = size
        self._starts: list[int] = []
        self._walked = 0  # end of the last unit found

    def start_of(self, offset: int) -> int | None:
        """The start of the unit that holds `offset`; None past the last whole unit."""
        bounds = self.bounds_of(offset)
        return None if bounds is None else bounds[0]

    def bounds_of(self, offset: int) -> tuple[int, int] | None:
        """(start, end) of the unit that holds `offset`; None past the last whole unit."""
        while self._walked <= offset and self._hop():
            pass
        i = bisect_right(self._starts, offset) - 1
        if i < 0 or offset >= self._walked:
            return None
        return self._starts[i], self._starts[i + 1] if i + 1 < len(self._starts) else self._walked

    def _hop(self) -> bool:
        start = self._walked
        data = self._front(start + 12)
        if start + 4 > len(data):
            return False
        length = int.from_bytes(data[start : start + 4], "little")
        header = 4
        if length == _DWARF64 and start + 12 <= len(data):
            length, header = int.from_bytes(data[start + 4 : start + 12], "little"), 12
        end = start + header + length
        if length == 0 or end > self._size:
            return False  # damaged: lookups past here fail rather than guess
        self._starts.append(start)
        self._walked = end
        return True
