"""C strings: a `char *` of C code (cgo) reads as the NUL-terminated text it points to, as Delve
shows it; its pointee, the first `char`, stays its child."""

from __future__ import annotations

from .base import clip
from .context import MAX_VALUE_READ, STRING_PREVIEW, Unreadable
from .format import quote
from .pointers import PointerValue

_PAGE = 4096


class CStringValue(PointerValue):
    def text(self, limit: int) -> tuple[bytes, bool]:
        """Up to `limit` bytes before the NUL, and whether the NUL was found."""
        address = self.target()
        out = bytearray()
        while len(out) < limit:
            chunk = min(limit - len(out), _PAGE - (address + len(out)) % _PAGE)  # never across a page
            try:
                data = self.ctx.read(address + len(out), chunk)
            except Unreadable:
                if not out:
                    raise
                return bytes(out), False  # ran into unreadable memory: show what was there
            end = data.find(b"\0")
            if end >= 0:
                return bytes(out + data[:end]), True
            out += data
        return bytes(out), False

    def render_value(self, budget: int, depth: int) -> str:
        if self.target() == 0:
            return f"{self.type_name} nil" if depth == 0 else "nil"
        data, ended = self.text(max(min(budget, STRING_PREVIEW), 16))
        return clip(quote(data) + ("" if ended else "..."), max(budget, len(data) + 5))

    def whole_text(self) -> str | None:
        if self.target() == 0:
            return None
        return self.text(MAX_VALUE_READ)[0].decode("utf-8", "replace")  # a C string has no length: 1 MB at most
