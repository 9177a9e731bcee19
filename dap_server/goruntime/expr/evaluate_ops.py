"""Go's operators and conversions on values: untyped constants take the type of the other operand,
typed integers wrap at their size, integer division truncates toward zero, shifts follow the
spec, and comparisons give untyped booleans."""

from __future__ import annotations

import math
import struct

from ...program.dwarf.types import GoType, Kind
from ..values.base import Value, ValueContext
from ..values.context import Loc
from ..values.interfaces import InterfaceValue
from ..values.pointers import FuncValue
from ..values.sequences import Sequence, SliceValue
from ..values.structs import StructValue
from .errors import ExpressionError
from .evaluate_types import canonical
from .evaluate_values import (
    UNTYPED_ORDER,
    CompositeValue,
    ComputedSlice,
    ConstValue,
    Data,
    Operand,
    constant,
    equal,
    operand,
    raw_bytes,
    typed,
    wrap,
)

MAX_CONSTANT_BITS = 4096  # untyped integer constants beyond this are refused, as Go refuses them
_INTEGER = frozenset({Kind.INT, Kind.UINT})
_NUMERIC = frozenset({Kind.INT, Kind.UINT, Kind.FLOAT, Kind.COMPLEX})
_ORDERED = frozenset({Kind.INT, Kind.UINT, Kind.FLOAT, Kind.STRING})
_NILABLE = frozenset({Kind.POINTER, Kind.UNSAFE_POINTER, Kind.CHAN, Kind.MAP, Kind.FUNC, Kind.SLICE, Kind.INTERFACE})
_COMPARISONS = frozenset({"==", "!=", "<", "<=", ">", ">="})
_INTEGER_ONLY = frozenset({"%", "&", "|", "^", "&^"})


def _describe(op: Operand) -> str:
    if op.untyped is not None:
        return f"{_show(op.data)} (untyped {op.untyped} constant)"
    return op.gotype.name


def _show(data: Data) -> str:
    if isinstance(data, bytes):
        return repr(data.decode("utf-8", "replace"))
    return "nil" if data is None else str(data)


def _is_integer(op: Operand) -> bool:
    return op.untyped in ("int", "rune") or (op.untyped is None and op.kind in _INTEGER)


# --- constants meeting types -------------------------------------------------------------


def represent(op: Operand, target: GoType, column: int) -> Data:
    """An untyped constant as a value of `target`, or ExpressionError when it does not fit."""
    data, kind = op.data, target.kind
    if op.untyped == "nil":
        if kind in _NILABLE:
            return 0
    elif kind in _INTEGER and isinstance(data, int | float | complex) and not isinstance(data, bool):
        if isinstance(data, complex):
            if data.imag:
                raise ExpressionError(f"constant {_show(data)} truncated to {target.name}", column)
            data = data.real
        if isinstance(data, float):
            if not data.is_integer():
                raise ExpressionError(f"constant {_show(data)} truncated to integer", column)
            data = int(data)
        if wrap(data, target) != data:
            raise ExpressionError(f"constant {data} overflows {target.name}", column)
        return data
    elif kind == Kind.FLOAT and isinstance(data, int | float) and not isinstance(data, bool):
        return float(data)
    elif kind == Kind.FLOAT and isinstance(data, complex) and not data.imag:
        return data.real
    elif kind == Kind.COMPLEX and isinstance(data, int | float | complex) and not isinstance(data, bool):
        return complex(data)
    elif (kind == Kind.STRING and op.untyped == "string") or (kind == Kind.BOOL and op.untyped == "bool"):
        return data
    raise ExpressionError(f"cannot use {_describe(op)} as {target.name} value", column)


def _unify(a: Operand, b: Operand, op: str, column: int) -> tuple[Data, Data, GoType | None, str | None]:
    """Both operands' data in one type: (x, y, the typed type or None, the untyped kind or None)."""
    if a.untyped is not None and b.untyped is not None:
        ka, kb = a.untyped, b.untyped
        if ka in UNTYPED_ORDER and kb in UNTYPED_ORDER:
            kind = max(ka, kb, key=UNTYPED_ORDER.index)
            promote = {"float": float, "complex": complex}.get(kind)
            x, y = a.data, b.data
            if promote is not None:
                assert isinstance(x, int | float | complex) and isinstance(y, int | float | complex)
                x, y = promote(x), promote(y)
            return x, y, None, kind
        if ka != kb or ka == "nil":
            raise ExpressionError(f"invalid operation: {_describe(a)} {op} {_describe(b)}", column)
        return a.data, b.data, None, ka
    if a.untyped is not None:
        return represent(a, b.gotype, column), b.data, b.gotype, None
    if b.untyped is not None:
        return a.data, represent(b, a.gotype, column), a.gotype, None
    if canonical(a.gotype.name) != canonical(b.gotype.name):
        raise ExpressionError(f'mismatched types "{a.gotype.name}" and "{b.gotype.name}"', column)
    return a.data, b.data, a.gotype, None


# --- binary operators --------------------------------------------------------------------


def binary(ctx: ValueContext, op: str, left: Value, right: Value, column: int) -> Value:
    """`left op right` for every binary operator but && and || (which the evaluator short-cuts)."""
    if op in ("<<", ">>"):
        return _shift(ctx, op, operand(left), operand(right), column)
    if op in ("==", "!=") and _structural(left, right):
        if canonical(left.type_name) != canonical(right.type_name) and not _literal_pair(left, right):
            raise ExpressionError(f'mismatched types "{left.type_name}" and "{right.type_name}"', column)
        same = equal(left, right)
        return constant(ctx, same == (op == "=="), "bool")
    a, b = operand(left), operand(right)
    x, y, gotype, untyped = _unify(a, b, op, column)
    kind = gotype.kind if gotype is not None else None
    if op in _COMPARISONS:
        return constant(ctx, _compare(op, x, y, kind, untyped, a, b, column), "bool")
    if op in ("&&", "||"):
        if not isinstance(x, bool) or not isinstance(y, bool):
            raise ExpressionError(f"operator {op} not defined on {_describe(a)}", column)
        return constant(ctx, (x and y) if op == "&&" else (x or y), "bool")
    integer = untyped in ("int", "rune") or (kind in _INTEGER)
    if op in _INTEGER_ONLY and not integer:
        raise ExpressionError(f"operator {op} not defined on {_describe(a)}", column)
    result = _arithmetic(op, x, y, integer, untyped is not None, column, a)
    if gotype is None:
        assert untyped is not None
        check_constant(result, column)
        return constant(ctx, result, untyped)
    if kind in _INTEGER:
        assert isinstance(result, int)
        result = wrap(result, gotype)
    return typed(ctx, result, gotype)


def _structural(left: Value, right: Value) -> bool:
    """Operands compared field by field, element by element, or by dynamic type and value."""
    both = (left, right)
    if any(isinstance(v, StructValue | CompositeValue) for v in both):
        return True
    if any(isinstance(v, Sequence) and v.gotype.kind == Kind.ARRAY for v in both):
        return True
    return all(isinstance(v, InterfaceValue) for v in both)


def _literal_pair(left: Value, right: Value) -> bool:
    return isinstance(left, CompositeValue) or isinstance(right, CompositeValue)


def _compare(
    op: str, x: Data, y: Data, kind: Kind | None, untyped: str | None, a: Operand, b: Operand, column: int
) -> bool:
    if op in ("==", "!="):
        if kind in (Kind.SLICE, Kind.MAP, Kind.FUNC) and a.untyped != "nil" and b.untyped != "nil":
            raise ExpressionError(f"{a.gotype.name} values can only be compared to nil", column)
        return (x == y) == (op == "==")
    ordered = untyped in ("int", "rune", "float", "string") or kind in _ORDERED
    if not ordered or isinstance(x, complex) or isinstance(y, complex):
        raise ExpressionError(f"operator {op} not defined on {_describe(a)}", column)
    assert isinstance(x, int | float | bytes) and isinstance(y, int | float | bytes)
    if op == "<":
        return x < y  # type: ignore[operator]
    if op == "<=":
        return x <= y  # type: ignore[operator]
    if op == ">":
        return x > y  # type: ignore[operator]
    return x >= y  # type: ignore[operator]


def _arithmetic(op: str, x: Data, y: Data, integer: bool, constant_: bool, column: int, a: Operand) -> Data:
    if isinstance(x, bytes) and isinstance(y, bytes):
        if op != "+":
            raise ExpressionError(f"operator {op} not defined on {_describe(a)}", column)
        return x + y
    if isinstance(x, bool) or isinstance(y, bool) or x is None or y is None:
        raise ExpressionError(f"operator {op} not defined on {_describe(a)}", column)
    assert isinstance(x, int | float | complex) and isinstance(y, int | float | complex)
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op in ("/", "%") and y == 0 and (integer or constant_):
        raise ExpressionError("integer divide by zero" if integer else "division by zero", column)
    if integer:
        assert isinstance(x, int) and isinstance(y, int)
        return _integer_op(op, x, y)
    if op == "/":
        return _divide(x, y)
    raise ExpressionError(f"operator {op} not defined on {_describe(a)}", column)


def _integer_op(op: str, x: int, y: int) -> int:
    if op in ("/", "%"):
        quotient = abs(x) // abs(y)
        if (x < 0) != (y < 0):
            quotient = -quotient
        return quotient if op == "/" else x - quotient * y
    if op == "&":
        return x & y
    if op == "|":
        return x | y
    if op == "^":
        return x ^ y
    return x & ~y  # &^


def _divide(x: int | float | complex, y: int | float | complex) -> float | complex:
    """IEEE division of typed floats: x/0 is ±Inf or NaN, as Go computes it at run time."""
    if y != 0:
        return x / y
    if isinstance(x, complex) or isinstance(y, complex):
        return complex(math.nan, math.nan)
    if x == 0 or math.isnan(x):
        return math.nan
    return math.copysign(math.inf, x) * math.copysign(1.0, y)


def check_constant(data: Data, column: int) -> None:
    if isinstance(data, int) and not isinstance(data, bool) and data.bit_length() > MAX_CONSTANT_BITS:
        raise ExpressionError(f"constant overflow (more than {MAX_CONSTANT_BITS} bits)", column)


def _shift(ctx: ValueContext, op: str, a: Operand, b: Operand, column: int) -> Value:
    count = b.data
    if isinstance(count, float) and b.untyped is not None and count.is_integer():
        count = int(count)
    if not (_is_integer(b) or isinstance(count, int)) or not isinstance(count, int) or isinstance(count, bool):
        raise ExpressionError(f"shift count {_describe(b)} must be an integer", column)
    if count < 0:
        raise ExpressionError(f"invalid shift count {count} (negative)", column)
    x = a.data
    if isinstance(x, float) and a.untyped is not None and x.is_integer():
        x = int(x)
    if not isinstance(x, int) or isinstance(x, bool) or not (a.untyped is not None or a.kind in _INTEGER):
        raise ExpressionError(f"shift of {_describe(a)}: not an integer", column)
    if a.untyped is not None:
        if count > MAX_CONSTANT_BITS:
            raise ExpressionError(f"shift count {count} too large", column)
        result = x << count if op == "<<" else x >> count
        check_constant(result, column)
        return constant(ctx, result, "int")
    width = 8 * a.gotype.size
    result = (x << min(count, width)) if op == "<<" else (x >> min(count, width))
    return typed(ctx, wrap(result, a.gotype), a.gotype)


# --- unary operators ---------------------------------------------------------------------


def unary(ctx: ValueContext, op: str, value: Value, column: int) -> Value:
    """`+x`, `-x`, `^x` and `!x` (the evaluator handles `*p` and `&x`)."""
    a = operand(value)
    x = a.data
    if op == "!":
        if not isinstance(x, bool):
            raise ExpressionError(f"operator ! not defined on {_describe(a)}", column)
        return constant(ctx, not x, "bool") if a.untyped else typed(ctx, not x, a.gotype)
    if isinstance(x, bool) or not isinstance(x, int | float | complex):
        raise ExpressionError(f"operator {op} not defined on {_describe(a)}", column)
    if op == "^":
        if not isinstance(x, int) or not _is_integer(a):
            raise ExpressionError(f"operator ^ not defined on {_describe(a)}", column)
        result: int | float | complex = ~x
    else:
        result = -x if op == "-" else x
    if a.untyped is not None:
        return constant(ctx, result, a.untyped)
    if a.kind in _INTEGER:
        assert isinstance(result, int)
        result = wrap(result, a.gotype)
    return typed(ctx, result, a.gotype)


# --- conversions -------------------------------------------------------------------------


def convert(ctx: ValueContext, value: Value, target: GoType, column: int) -> Value:
    """`T(x)`: numeric conversions (wrapping, truncating), strings from runes and bytes, []byte
    of a string, pointers from integers and pointers (memory reinterpreted), and re-typing
    between types of the same shape."""
    kind = target.kind
    if isinstance(value, ConstValue) and value.untyped == "nil":
        if kind in _NILABLE:
            return typed(ctx, 0, target) if kind not in (Kind.SLICE, Kind.INTERFACE) else _zero(ctx, target)
        raise ExpressionError(f"cannot convert nil to type {target.name}", column)
    source = value.gotype.kind
    if kind in _NUMERIC and (source in _NUMERIC or isinstance(value, ConstValue)):
        return typed(ctx, _number_to(operand(value), target, column), target)
    if kind == Kind.STRING:
        return _to_string(ctx, value, target, column)
    if kind in (Kind.POINTER, Kind.UNSAFE_POINTER) or (kind == Kind.UINT and target.size == 8):
        address = _address_of(value)
        if address is not None:
            return typed(ctx, address, target)
    if kind == Kind.SLICE and source == Kind.STRING and target.elem is not None and target.elem.kind in _INTEGER:
        if target.elem.size == 1:
            return _bytes_of(ctx, value, target)
        if target.elem.size == 4:
            return _runes_of(ctx, value, target)
    if source == kind and value.gotype.size == target.size and value.loc.missing is None:
        return ctx.value("", target, value.loc)
    raise ExpressionError(f"cannot convert {value.type_name} to type {target.name}", column)


def _zero(ctx: ValueContext, target: GoType) -> Value:
    return ctx.value("", target, Loc(data=bytes(target.size)))


def _number_to(op: Operand, target: GoType, column: int) -> Data:
    x = op.data
    if isinstance(x, bool) or not isinstance(x, int | float | complex):
        raise ExpressionError(f"cannot convert {_describe(op)} to type {target.name}", column)
    kind = target.kind
    if kind == Kind.COMPLEX:
        return complex(x)
    if isinstance(x, complex):
        if op.untyped is None or x.imag:
            raise ExpressionError(f"cannot convert {_describe(op)} to type {target.name}", column)
        x = x.real
    if kind == Kind.FLOAT:
        return float(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ExpressionError(f"cannot convert {_show(x)} to type {target.name}", column)
        if op.untyped is not None and not x.is_integer():
            raise ExpressionError(f"constant {_show(x)} truncated to integer", column)
        x = int(x)
    return wrap(x, target)


def _to_string(ctx: ValueContext, value: Value, target: GoType, column: int) -> Value:
    source = value.gotype.kind
    if source == Kind.STRING:
        return ConstValue(ctx, operand(value).data, target)
    if source in _INTEGER or (isinstance(value, ConstValue) and value.untyped in ("int", "rune")):
        code = operand(value).data
        assert isinstance(code, int)
        char = chr(code) if 0 <= code <= 0x10FFFF and not 0xD800 <= code < 0xE000 else "\ufffd"
        return ConstValue(ctx, char.encode(), target)
    elem = value.gotype.elem
    if isinstance(value, Sequence) and elem is not None and elem.kind in _INTEGER:
        raw = _element_bytes(value, elem)
        length = len(raw) // elem.size if elem.size else 0
        if elem.size == 1:
            return ConstValue(ctx, raw, target)
        if elem.size == 4:
            runes = struct.unpack(f"<{length}i", raw)
            text = "".join(chr(r) if 0 <= r <= 0x10FFFF and not 0xD800 <= r < 0xE000 else "\ufffd" for r in runes)
            return ConstValue(ctx, text.encode(), target)
    raise ExpressionError(f"cannot convert {value.type_name} to type {target.name}", column)


def _element_bytes(value: Sequence, elem: GoType) -> bytes:
    """The bytes of a slice's or an array's elements."""
    if isinstance(value, SliceValue):
        data, length, _ = value.header()
        return raw_bytes(value.ctx, data, length * elem.size)
    _, count = value.elements()
    return value.read(0, count * elem.size)


def _runes_of(ctx: ValueContext, value: Value, target: GoType) -> Value:
    """[]rune(s): the string's code points, U+FFFD for each invalid byte (as Go decodes)."""
    text = operand(value).data
    assert isinstance(text, bytes)
    runes = [ord(char) for char in text.decode("utf-8", "replace")]
    return ComputedSlice(ctx, target, struct.pack(f"<{len(runes)}i", *runes))


def _address_of(value: Value) -> int | None:
    """The address an integer or pointer-like value stands for (for pointer conversions)."""
    if isinstance(value, FuncValue):
        return None
    a = operand(value) if value.gotype.kind != Kind.STRUCT else None
    if a is None or isinstance(a.data, bool) or not isinstance(a.data, int):
        return None
    if a.kind in (Kind.POINTER, Kind.UNSAFE_POINTER) or _is_integer(a):
        return a.data & ((1 << 64) - 1)
    return None


def _bytes_of(ctx: ValueContext, value: Value, target: GoType) -> Value:
    """[]byte(s): a slice over the string's own bytes in the target, or over the bytes of a
    computed string."""
    if isinstance(value, ConstValue):
        text = operand(value).data
        assert isinstance(text, bytes)
        return ComputedSlice(ctx, target, text)
    data, length = struct.unpack("<Qq", value.read(0, 16))
    return ctx.value("", target, Loc(data=struct.pack("<Qqq", data, length, length)))
