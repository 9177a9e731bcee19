"""Interfaces: the dynamic type from the eface's type word or the iface's itab, the value from the
data word (the value itself for pointer-shaped "direct" types), and error messages read from the
error types whose Error() method is a field lookup.
"""

from __future__ import annotations

import struct
from functools import cached_property

from .base import Delegating, Value, clip
from .context import DECODE_ERRORS, STRING_PREVIEW, Loc
from .format import quote
from .pointers import PointerValue
from .scalars import ScalarValue
from .structs import StructValue

_ITAB_TYPE = 8  # itab.Type / itab._type: the same offset in every release
_MAX_ERROR_DEPTH = 8
_MAX_JOINED = 16
# Error types whose Error() returns one string field.
_MESSAGE_FIELDS = {"*errors.errorString": "s", "*fmt.wrapError": "msg", "*fmt.wrapErrors": "msg"}


class InterfaceValue(Delegating):
    def words(self) -> tuple[int, int]:
        return self.word(0), self.word(8)

    def type_descriptor(self) -> int:
        first, _ = self.words()
        if first == 0 or self.gotype.empty_interface:
            return first
        return self.ctx.word(first + _ITAB_TYPE)

    @cached_property
    def dynamic(self) -> Value | None:
        """The value the interface holds, typed with its dynamic type; None for a nil interface."""
        descriptor = self.type_descriptor()
        if descriptor == 0:
            return None
        rtypes = self.ctx.rtypes
        gotype = rtypes.go_type(descriptor)
        _, data = self.words()
        loc = Loc(data=data.to_bytes(8, "little")) if rtypes.is_direct(descriptor) else Loc(address=data)
        return self.ctx.value(self.name, gotype, loc, self.child_expr(f".({gotype.name})"))

    def check(self) -> None:
        _ = self.dynamic

    def referenced_address(self) -> int | None:
        dynamic = self.dynamic
        return None if dynamic is None else dynamic.memory_reference

    def render_value(self, budget: int, depth: int) -> str:
        dynamic = self.dynamic
        if dynamic is None:
            return f"{self.type_name} nil" if depth == 0 else "nil"
        head = f"{self.type_name}({dynamic.type_name})"
        message = error_text(dynamic, 0)
        if message is not None:
            body = quote(message.encode(), STRING_PREVIEW)
        else:
            body = _bare(dynamic).render(max(budget - len(head) - 1, 16), max(depth, 1))
        return clip(f"{head} {body}", budget)

    def delegate(self) -> Value | None:
        return self.dynamic


def _bare(value: Value) -> Value:
    """A pointer's target when the interface already names the pointer type (shorter summaries)."""
    if isinstance(value, PointerValue):
        pointee = value.pointee()
        if pointee is not None and pointee.unreadable is None:
            return pointee
    return value


def error_text(value: Value, depth: int) -> str | None:
    """What Error() returns for the standard library's simple error types; None when unknown."""
    if depth > _MAX_ERROR_DEPTH:
        return None
    if value.type_name == "syscall.Errno" and isinstance(value, ScalarValue):
        return _errno_text(value)
    if not isinstance(value, PointerValue):
        return None
    name = value.type_name
    try:
        pointee = value.pointee()
        if not isinstance(pointee, StructValue):
            return None
        if name in _MESSAGE_FIELDS:
            return pointee.field_named(_MESSAGE_FIELDS[name]).whole_text()
        if name == "*errors.joinError":
            errs = pointee.field_named("errs")
            texts = []
            for item in errs.indexed_children(0, _MAX_JOINED):
                inner = item.dynamic if isinstance(item, InterfaceValue) else None
                text = error_text(inner, depth + 1) if inner is not None else None
                texts.append(text if text is not None else item.render(STRING_PREVIEW, 1))
            return "\n".join(texts)
        if name == "*io/fs.PathError":  # os.PathError is an alias
            op = pointee.field_named("Op").whole_text() or ""
            path = pointee.field_named("Path").whole_text() or ""
            err = pointee.field_named("Err")
            inner = err.dynamic if isinstance(err, InterfaceValue) else None
            cause = error_text(inner, depth + 1) if inner is not None else None
            return f"{op} {path}: {cause if cause is not None else err.render(STRING_PREVIEW, 1)}"
    except DECODE_ERRORS:
        return None
    return None


def _errno_text(value: ScalarValue) -> str | None:
    """syscall.Errno.Error(): the message from the program's own `syscall.errors` table."""
    ctx = value.ctx
    table = ctx.program.symbols.find("syscall.errors")
    try:
        errno = value.number()
        if table is None or not isinstance(errno, int) or not 0 < errno < table.size // 16:
            return None if table is None else f"errno {errno}"
        data, length = struct.unpack("<Qq", ctx.read(table.value + ctx.program.bias + 16 * errno, 16))
        return ctx.read(data, length).decode("utf-8", "replace") if 0 < length <= STRING_PREVIEW else None
    except DECODE_ERRORS:
        return None
