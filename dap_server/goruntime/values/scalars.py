"""Leaf values: booleans, numbers, strings, unsafe pointers and time.Duration."""

from __future__ import annotations

import struct

from ...program.dwarf.types import Kind
from .base import Value, clip
from .context import MAX_FULL_STRING, MAX_VALUE_READ, STRING_PREVIEW, Unreadable
from .flags import flag_names, render_flags
from .format import format_complex, format_duration, format_float, quote

STRING_LENGTH_NOT_KEPT = "the length of this string was not kept (optimized away)"


class ScalarValue(Value):
    """bool, integers, uintptr, floats and complex numbers."""

    def number(self) -> int | float | complex | bool:
        size = self.gotype.size
        kind = self.gotype.kind
        raw = self.read(0, size)
        if kind == Kind.BOOL:
            return raw != bytes(size)
        if kind == Kind.FLOAT:
            return float(struct.unpack("<f" if size == 4 else "<d", raw)[0])
        if kind == Kind.COMPLEX:
            half = size // 2
            fmt = "<f" if half == 4 else "<d"
            return complex(struct.unpack(fmt, raw[:half])[0], struct.unpack(fmt, raw[half:])[0])
        return int.from_bytes(raw, "little", signed=self.gotype.signed)

    def render_value(self, budget: int, depth: int) -> str:
        value = self.number()
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, complex):
            return format_complex(value.real, value.imag, 32 if self.gotype.size == 8 else 64)
        if isinstance(value, float):
            return format_float(value, 32 if self.gotype.size == 4 else 64)
        if self.type_name == "uintptr":
            return hex(value)
        return render_flags(value, flag_names(self.ctx, self.gotype)) or str(value)


class DurationValue(ScalarValue):
    """time.Duration, shown as Go's Duration.String prints it."""

    def render_value(self, budget: int, depth: int) -> str:
        value = self.number()
        assert isinstance(value, int)
        text = format_duration(value)
        return f"{self.type_name} {text}" if depth == 0 else text


class StringValue(Value):
    """A Go string: {str *byte, len int}. In an optimized build the length may be gone while the
    pointer is kept (a dead register): what is known is shown, and the bytes stay readable
    through the pointer (the `str` child, the memory reference, `s[i:j]`)."""

    def header(self) -> tuple[int, int]:
        data, length = self.known_header()
        if length is None:
            raise Unreadable(STRING_LENGTH_NOT_KEPT)
        return data, length

    def known_header(self) -> tuple[int, int | None]:
        """(data pointer, len) with None for a length the compiler did not keep."""
        (data,) = struct.unpack("<Q", self.read(0, 8))
        length = self.word_if_kept(8)
        if length is None:
            return data, None
        if length < 0:
            raise Unreadable(f"corrupt string: negative length {length}")
        if length and not self.ctx.readable(data + length - 1):
            raise Unreadable(f"corrupt string: its {length} bytes at {data:#x} run past readable memory")
        return data, length

    def check(self) -> None:
        self.known_header()

    def referenced_address(self) -> int | None:
        return self.known_header()[0] or None

    def render_value(self, budget: int, depth: int) -> str:
        data, length = self.known_header()
        if length is None:
            prefix = f"{self.type_name} " if depth == 0 else ""
            return f"{prefix}len: ?, bytes at {data:#x} (the length was not kept)"
        shown = min(length, STRING_PREVIEW, max(budget, 16))
        return quote(self.ctx.read(data, shown) if shown else b"", shown) + (
            f"...+{length - shown} more" if shown < length else ""
        )

    def whole_text(self) -> str | None:
        data, length = self.header()
        return read_text(self, data, length)

    def _pointer(self) -> Value | None:
        """The `str` pointer, a child only when the length is gone: the way to the bytes."""
        field = self.gotype.field("str")
        if field is None or self.known_header()[1] is not None:
            return None
        return self.child("str", field.type, field.offset)

    def named_count(self) -> int:
        return 0 if self._pointer() is None else 1

    def decode_named(self) -> list[Value]:
        pointer = self._pointer()
        return [] if pointer is None else [pointer]


def read_text(value: Value, data: int, length: int) -> str:
    """`length` bytes at `data` decoded as UTF-8 (invalid bytes replaced), in bounded chunks."""
    length = min(length, MAX_FULL_STRING)
    chunks = []
    for start in range(0, length, MAX_VALUE_READ):
        chunks.append(value.ctx.read(data + start, min(MAX_VALUE_READ, length - start)))
    return b"".join(chunks).decode("utf-8", "replace")


class UnsafePointerValue(Value):
    def render_value(self, budget: int, depth: int) -> str:
        target = self.word()
        return clip(f"unsafe.Pointer({target:#x})" if target else "unsafe.Pointer(nil)", budget)

    def referenced_address(self) -> int | None:
        return self.word() or None
