"""Values that expressions make: constants (which live nowhere in the target), composite literals,
computed scalars; and the plain Python data behind any scalar-like Value, for operators."""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from ...program.dwarf.types import GoType, Kind
from ..values.base import Value, ValueContext, clip
from ..values.context import MAX_FULL_STRING, MAX_VALUE_READ, STRING_PREVIEW, Loc
from ..values.format import format_complex, format_float, quote
from ..values.interfaces import InterfaceValue
from ..values.scalars import ScalarValue, StringValue
from ..values.sequences import Sequence
from ..values.structs import StructValue
from .errors import ExpressionError
from .evaluate_types import MadeType

Number = int | float | complex
Data = Number | bool | bytes | None  # None: nil

# Untyped constant kinds, in Go's order of "the later kind wins" for mixed constant operands.
UNTYPED_ORDER = ("int", "rune", "float", "complex")
_UNTYPED_KIND = {
    "int": Kind.INT,
    "rune": Kind.INT,
    "float": Kind.FLOAT,
    "complex": Kind.COMPLEX,
    "string": Kind.STRING,
    "bool": Kind.BOOL,
    "nil": Kind.UNKNOWN,
}
_POINTER_LIKE = frozenset({Kind.POINTER, Kind.UNSAFE_POINTER, Kind.CHAN, Kind.MAP, Kind.FUNC})
_WORD_FIRST = _POINTER_LIKE | {Kind.SLICE}  # compared to nil by their first word
_MAX_COMPARED = 1 << 20  # elements compared by == on arrays


def untyped_type(kind: str) -> GoType:
    return MadeType("untyped " + kind if kind != "nil" else "nil", _UNTYPED_KIND[kind], 0)


class ConstValue(Value):
    """A constant, or a string an operator made: a Python value and a type (untyped when
    `untyped` names the constant's kind: int, rune, float, complex, string, bool or nil)."""

    def __init__(self, ctx: ValueContext, data: Data, gotype: GoType, untyped: str | None = None) -> None:
        super().__init__(ctx, "", gotype, Loc(data=b""))
        self.data = data
        self.untyped = untyped

    def check(self) -> None:
        return None

    def render_value(self, budget: int, depth: int) -> str:
        return clip(format_data(self.data, self.gotype), max(budget, 16))

    def whole_text(self) -> str | None:
        return self.data.decode("utf-8", "replace") if isinstance(self.data, bytes) else None


def constant(ctx: ValueContext, data: Data, kind: str) -> ConstValue:
    return ConstValue(ctx, data, untyped_type(kind), kind)


def format_data(data: Data, gotype: GoType) -> str:
    """A Python value in Go syntax, as the engine shows a value of `gotype`."""
    if data is None:
        return "nil"
    if isinstance(data, bool):
        return "true" if data else "false"
    if isinstance(data, bytes):
        return quote(data, STRING_PREVIEW)
    if isinstance(data, complex):
        return format_complex(data.real, data.imag, 32 if gotype.size == 8 else 64)
    if isinstance(data, float):
        return format_float(data, 32 if gotype.size == 4 else 64)
    return str(data)


class CompositeValue(Value):
    """A composite literal (`main.Point{X: 1}`, `[2]int{1, 2}`): its elements by field name or
    index, missing ones zero. It lives nowhere; it is compared with values that do."""

    def __init__(self, ctx: ValueContext, gotype: GoType, elements: dict[str, Value]) -> None:
        super().__init__(ctx, "", gotype, Loc(data=b""))
        self.elements = elements

    def check(self) -> None:
        return None

    def named_count(self) -> int:
        return len(self.elements)

    def decode_named(self) -> list[Value]:
        return list(self.elements.values())

    def render_value(self, budget: int, depth: int) -> str:
        parts = [f"{name}: {value.render(budget, depth + 1)}" for name, value in self.elements.items()]
        return clip(f"{self.type_name} {{{', '.join(parts)}}}", budget)


class ComputedSlice(Sequence):
    """A slice a conversion made (`[]rune(s)`, `[]byte` of a constant): its elements are bytes
    held here, since they live nowhere in the core."""

    def __init__(self, ctx: ValueContext, gotype: GoType, raw: bytes) -> None:
        super().__init__(ctx, "", gotype, Loc(data=raw))
        size = self.element_type().size
        self.count = len(raw) // size if size else 0

    def check(self) -> None:
        return None

    def elements(self) -> tuple[Loc, int]:
        return self.loc, self.count

    def render_value(self, budget: int, depth: int) -> str:
        prefix = f"{self.type_name} " if depth == 0 else ""
        return clip(f"{prefix}len: {self.count}, cap: {self.count}, {self.preview(budget, depth)}", budget)

    def whole_text(self) -> str | None:
        return self.loc.data.decode("utf-8", "replace") if self.is_bytes() and self.loc.data is not None else None


class FunctionValue(Value):
    """A function or method named in an expression (`afunc`, `s.Error`): what it names, with
    its source position; it lives nowhere in the core."""

    def __init__(self, ctx: ValueContext, name: str, entry: int, signature: str) -> None:
        super().__init__(ctx, "", MadeType(signature, Kind.FUNC, 8), Loc(data=entry.to_bytes(8, "little")))
        self.function, self.entry = name, entry

    def check(self) -> None:
        return None

    def render_value(self, budget: int, depth: int) -> str:
        found = self.ctx.function_at(self.entry)
        where = f" ({os.path.basename(found[1])}:{found[2]})" if found is not None else ""
        return clip(self.function + where, budget)


def wrap(value: int, gotype: GoType) -> int:
    """`value` reduced to the integer type's size, two's complement for signed types."""
    bits = 8 * gotype.size
    value &= (1 << bits) - 1
    if gotype.signed and value >> (bits - 1):
        value -= 1 << bits
    return value


def pack(data: Data, gotype: GoType) -> bytes:
    """The target's bytes of a scalar of `gotype`."""
    kind, size = gotype.kind, gotype.size
    if kind == Kind.BOOL:
        return b"\x01" if data else b"\x00"
    if kind in (Kind.INT, Kind.UINT) or kind in _POINTER_LIKE:
        assert isinstance(data, int | None)
        return (wrap(int(data or 0), gotype) & ((1 << 8 * size) - 1)).to_bytes(size, "little")
    if kind == Kind.FLOAT:
        assert isinstance(data, int | float)
        return struct.pack("<f" if size == 4 else "<d", float(data))
    if kind == Kind.COMPLEX:
        assert isinstance(data, int | float | complex)
        number = complex(data)
        fmt = "<ff" if size == 8 else "<dd"
        return struct.pack(fmt, number.real, number.imag)
    raise ExpressionError(f"cannot hold a {gotype.name} value here")


def typed(ctx: ValueContext, data: Data, gotype: GoType) -> Value:
    """A computed value of a typed scalar, string or pointer type."""
    if gotype.kind == Kind.STRING:
        return ConstValue(ctx, data, gotype)
    if isinstance(data, float) and gotype.kind == Kind.FLOAT and gotype.size == 4:
        data = struct.unpack("<f", struct.pack("<f", data))[0]
    return ctx.value("", gotype, Loc(data=pack(data, gotype)))


def string_bytes(value: StringValue) -> bytes:
    """The bytes of a string in the target (at most MAX_FULL_STRING of them)."""
    data, length = value.header()
    return raw_bytes(value.ctx, data, length)


def raw_bytes(ctx: ValueContext, data: int, length: int) -> bytes:
    length = min(length, MAX_FULL_STRING)
    return b"".join(
        ctx.read(data + start, min(MAX_VALUE_READ, length - start)) for start in range(0, length, MAX_VALUE_READ)
    )


@dataclass(frozen=True, slots=True)
class Operand:
    """What an operator sees of a value: its data, its type and, for constants, their kind."""

    data: Data
    gotype: GoType
    untyped: str | None = None

    @property
    def kind(self) -> Kind:
        return self.gotype.kind


def operand(value: Value) -> Operand:
    """The Python data of a scalar, string, pointer-like or interface value (for operators)."""
    if isinstance(value, ConstValue):
        return Operand(value.data, value.gotype, value.untyped)
    kind = value.gotype.kind
    if isinstance(value, ScalarValue):
        return Operand(value.number(), value.gotype)
    if isinstance(value, StringValue):
        return Operand(string_bytes(value), value.gotype)
    if kind in _WORD_FIRST:
        return Operand(value.word(), value.gotype)
    if isinstance(value, InterfaceValue):
        return Operand(value.words()[0], value.gotype)
    raise ExpressionError(f"operator not defined on {value.type_name} values")


def equal(a: Value, b: Value) -> bool:
    """Go's == on two values of identical types (struct and array literals included)."""
    if isinstance(a, CompositeValue) or isinstance(b, CompositeValue):
        return _composite_equal(a, b)
    if isinstance(a, StructValue) and isinstance(b, StructValue):
        return all(equal(a.field_value(f), b.field_value(f)) for f in a.gotype.fields if f.name != "_")
    if isinstance(a, Sequence) and isinstance(b, Sequence) and a.gotype.kind == Kind.ARRAY:
        count = min(a.child_count_indexed, _MAX_COMPARED)
        return all(
            equal(x, y) for x, y in zip(a.indexed_children(0, count), b.indexed_children(0, count), strict=False)
        )
    if isinstance(a, InterfaceValue) and isinstance(b, InterfaceValue):
        da, db = a.dynamic, b.dynamic
        if da is None or db is None:
            return da is db
        return da.type_name == db.type_name and equal(da, db)
    return operand(a).data == operand(b).data


def _composite_equal(a: Value, b: Value) -> bool:
    literal, other = (a, b) if isinstance(a, CompositeValue) else (b, a)
    assert isinstance(literal, CompositeValue)
    if isinstance(other, CompositeValue):
        return literal.elements.keys() == other.elements.keys() and all(
            equal(v, other.elements[k]) for k, v in literal.elements.items()
        )
    if isinstance(other, StructValue):
        return all(equal(v, other.field_named(k)) for k, v in literal.elements.items())
    if isinstance(other, Sequence):
        items = other.indexed_children(0, len(literal.elements))
        return all(equal(v, items[int(k.strip("[]"))]) for k, v in literal.elements.items())
    return False
