"""Arrays and slices: indexed children read one page at a time, previews within a budget."""

from __future__ import annotations

import struct

from ...program.dwarf.types import GoType, Kind
from .base import Value
from .context import STRING_PREVIEW, Loc, Unreadable
from .format import quote
from .scalars import read_text

_PREVIEW_ITEMS = 64
LENGTH_NOT_KEPT = "the length of this slice was not kept (optimized away)"


class Sequence(Value):
    """Elements of one type laid out contiguously."""

    def element_type(self) -> GoType:
        elem = self.gotype.elem
        if elem is None:
            raise Unreadable(f"the element type of {self.type_name} is unknown")
        return elem

    def elements(self) -> tuple[Loc, int]:
        """Where element 0 is, and how many elements there are."""
        raise NotImplementedError

    def indexed_count(self) -> int:
        return self.elements()[1]

    def decode_indexed(self, start: int, stop: int) -> list[Value]:
        elem = self.element_type()
        base, _ = self.elements()
        return [
            self.ctx.value(f"[{i}]", elem, base.at(i * elem.size), self.child_expr(f"[{i}]"))
            for i in range(start, stop)
        ]

    def is_bytes(self) -> bool:
        elem = self.gotype.elem
        return elem is not None and elem.kind == Kind.UINT and elem.size == 1

    def preview(self, budget: int, depth: int) -> str:
        base, count = self.elements()
        if count == 0:
            return "[]"
        if depth >= 2:
            return "[...]"
        if self.is_bytes() and base.address is not None:
            shown = min(count, STRING_PREVIEW)
            text = quote(self.ctx.read(base.address, shown), shown)
            return text + (f"...+{count - shown} more" if shown < count else "")
        parts: list[str] = []
        used = 2
        limit = min(count, _PREVIEW_ITEMS)
        for item in self.decode_indexed(0, limit):
            text = item.render(max(budget - used, 8), depth + 1)
            if used + len(text) + 2 > budget and parts:
                break
            parts.append(text)
            used += len(text) + 2
        rest = count - len(parts)
        return "[" + ", ".join(parts) + (f", ...+{rest} more" if rest else "") + "]"


class ArrayValue(Sequence):
    def elements(self) -> tuple[Loc, int]:
        return self.loc, self.gotype.length

    def check(self) -> None:
        elem = self.element_type()
        if self.gotype.length and elem.size:
            self.read(0, min(elem.size, 64))

    def render_value(self, budget: int, depth: int) -> str:
        text = self.preview(budget, depth)
        return f"{self.type_name} {text}" if depth == 0 else text


class SliceValue(Sequence):
    def header(self) -> tuple[int, int, int | None]:
        """(data pointer, len, cap); cap is None when the compiler dropped it (a dead piece)."""
        data, length, capacity = self.known_header()
        if length is None:
            raise Unreadable(LENGTH_NOT_KEPT)
        return data, length, capacity

    def known_header(self) -> tuple[int, int | None, int | None]:
        """(data pointer, len, cap) with None for a length or capacity the compiler dropped (a
        dead piece: the value lives in registers and only some of them were kept)."""
        (data,) = struct.unpack("<Q", self.read(0, 8))
        length, capacity = self.word_if_kept(8), self.word_if_kept(16)
        if length is None:
            if capacity is not None and capacity < 0:
                raise Unreadable(f"corrupt slice: cap {capacity}")
            return data, None, capacity
        if length < 0 or (capacity is not None and not 0 <= length <= capacity):
            raise Unreadable(f"corrupt slice: len {length}, cap {capacity}")
        size = self.element_type().size
        if length and size and not self.ctx.readable(data + length * size - 1):
            reason = self.ctx.why_unreadable(data + length * size - 1)
            if "truncated" in reason:  # the elements are real; the core lost them
                raise Unreadable(f"its {length} elements at {data:#x} are {reason}")
            raise Unreadable(f"corrupt slice: len {length} × {size} bytes at {data:#x} runs past readable memory")
        return data, length, capacity

    def check(self) -> None:
        self.known_header()

    def elements(self) -> tuple[Loc, int]:
        data, length, _ = self.header()
        return Loc(address=data), length

    def referenced_address(self) -> int | None:
        return self.known_header()[0] or None

    def render_value(self, budget: int, depth: int) -> str:
        data, length, capacity = self.known_header()
        if length is None:
            body = f"elements at {data:#x} (the length was not kept)"
        else:
            body = "nil" if data == 0 and length == 0 else self.preview(budget, depth)
        prefix = f"{self.type_name} " if depth == 0 else ""
        shown = "?" if length is None else length
        return f"{prefix}len: {shown}, cap: {'?' if capacity is None else capacity}, {body}"

    def whole_text(self) -> str | None:
        if not self.is_bytes():
            return None
        data, length, _ = self.header()
        return read_text(self, data, length)
