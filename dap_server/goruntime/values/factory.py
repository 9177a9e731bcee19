"""Which Value class decodes which Go type, and the per-process context that builds them."""

from __future__ import annotations

from collections.abc import Callable

from ...debuggee.api import Memory
from ...program.dwarf.c_types import is_c_char
from ...program.dwarf.types import GoType, Kind
from ...program.program import Program
from .base import Value, ValueContext
from .c_strings import CStringValue
from .chans import ChanValue
from .context import Loc
from .interfaces import InterfaceValue
from .maps import MapValue
from .pointers import FuncValue, PointerValue
from .scalars import DurationValue, ScalarValue, StringValue, UnsafePointerValue
from .sequences import ArrayValue, SliceValue
from .structs import special_struct

_BY_KIND: dict[Kind, type[Value]] = {
    Kind.BOOL: ScalarValue,
    Kind.INT: ScalarValue,
    Kind.UINT: ScalarValue,
    Kind.FLOAT: ScalarValue,
    Kind.COMPLEX: ScalarValue,
    Kind.STRING: StringValue,
    Kind.ARRAY: ArrayValue,
    Kind.SLICE: SliceValue,
    Kind.POINTER: PointerValue,
    Kind.UNSAFE_POINTER: UnsafePointerValue,
    Kind.MAP: MapValue,
    Kind.CHAN: ChanValue,
    Kind.INTERFACE: InterfaceValue,
    Kind.FUNC: FuncValue,
}
_BY_NAME: dict[str, type[Value]] = {"time.Duration": DurationValue}


def make_value(ctx: ValueContext, name: str, gotype: GoType, loc: Loc, evaluate_name: str | None = None) -> Value:
    cls = _BY_NAME.get(gotype.name)
    if gotype.foreign and gotype.kind == Kind.POINTER and is_c_char(gotype.elem):
        cls = CStringValue
    elif cls is None:
        cls = special_struct(gotype) if gotype.kind == Kind.STRUCT else _BY_KIND.get(gotype.kind, Value)
    return cls(ctx, name, gotype, loc, evaluate_name)


def new_context(memory: Memory, program: Program, goroutine_id: Callable[[int], int | None]) -> ValueContext:
    return ValueContext(memory, program, goroutine_id, make_value)
