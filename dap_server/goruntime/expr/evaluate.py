"""The evaluator: a parsed Go expression, in a frame's scope, to a Value.

Results are Values like any variable's (lazy, expandable, pageable) named by the expression, so
their children carry Go expressions too. Every failure is an ExpressionError with the column of
the part that failed; unreadable memory on the way is one too, with the reason.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from ...program.dwarf.c_types import is_c_char
from ...program.dwarf.types import Field, GoType, Kind
from ..values.base import Value
from ..values.chans import ChanValue
from ..values.context import DECODE_ERRORS, OPTIMIZED_AWAY, Loc, reason_of
from ..values.interfaces import InterfaceValue
from ..values.maps import MapValue
from ..values.pointers import AddressValue, PointerValue
from ..values.scalars import STRING_LENGTH_NOT_KEPT, StringValue
from ..values.sequences import LENGTH_NOT_KEPT, Sequence, SliceValue
from ..values.stringers import string_method
from ..values.structs import StructValue
from . import ast
from .errors import ExpressionError
from .evaluate_ops import binary, check_constant, convert, represent, unary
from .evaluate_scope import ExpressionScope
from .evaluate_types import TypeResolver, array_of, basic_type, pointer_to, slice_of
from .evaluate_values import (
    CompositeValue,
    ComputedSlice,
    ConstValue,
    FunctionValue,
    constant,
    equal,
    operand,
    typed,
)
from .parser import parse
from .unparse import unparse

# Why a call cannot be evaluated, in every error that refuses one.
NO_CALLS = "godap runs no code in the target: a core dump cannot run, and a stopped process is left as it stopped"
_LITERAL_KINDS = {"integer": "int", "float": "float", "imaginary": "complex", "rune": "rune", "string": "string"}
_PREDECLARED = {"true": (True, "bool"), "false": (False, "bool"), "nil": (None, "nil")}
_BUILTINS = frozenset({"len", "cap", "real", "imag", "complex", "min", "max"})
_MAP_PAGE = 1024
_MAX_EMBEDDING = 8
_INTEGERS = frozenset({Kind.INT, Kind.UINT})


def evaluate(scope: ExpressionScope, text: str) -> Value:
    """The value of the Go expression `text` in `scope`, named by the expression."""
    node = parse(text)
    return Evaluator(scope).result(node, text.strip())


class Evaluator:
    def __init__(self, scope: ExpressionScope) -> None:
        self.scope = scope
        self.ctx = scope.ctx
        self.types = TypeResolver(self.ctx, scope.package, scope.package_path)

    def result(self, node: ast.Node, name: str) -> Value:
        try:
            value = self.value(node)
        except RecursionError:
            raise ExpressionError("expression nested too deeply", node.column) from None
        return _renamed(value, name, unparse(node))

    def value(self, node: ast.Node) -> Value:
        try:
            return self._dispatch(node)
        except DECODE_ERRORS as exc:
            raise ExpressionError(reason_of(exc), node.column) from None

    def _dispatch(self, node: ast.Node) -> Value:
        if isinstance(node, ast.Paren):
            return self.value(node.inner)
        if isinstance(node, ast.Ident):
            return self._identifier(node)
        if isinstance(node, ast.Literal):
            data = node.value.encode() if isinstance(node.value, str) else node.value
            check_constant(data, node.column)  # type: ignore[arg-type]
            return constant(self.ctx, data, _LITERAL_KINDS[node.kind])  # type: ignore[arg-type]
        if isinstance(node, ast.Selector):
            return self._selector(node)
        if isinstance(node, ast.Index):
            return self._index(node)
        if isinstance(node, ast.Slice):
            return self._slice(node)
        if isinstance(node, ast.TypeAssert):
            return self._assert(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Unary):
            return self._unary(node)
        if isinstance(node, ast.Binary):
            return self._binary(node)
        if isinstance(node, ast.CompositeLit):
            return self._composite(node)
        if isinstance(node, ast.PackagePath):
            raise ExpressionError(f"use of package {node.path} without selector", node.column)
        raise ExpressionError(f"type {unparse(node)} is not an expression", node.column)

    # --- names ---------------------------------------------------------------------------

    def _identifier(self, node: ast.Ident) -> Value:
        found = self.scope.local(node.name)
        if found is not None:
            return found
        if node.name in _PREDECLARED:
            data, kind = _PREDECLARED[node.name]
            return constant(self.ctx, data, kind)
        for package in dict.fromkeys((self.scope.package, "main")):
            # A bare name is the frame package's variable; failing that, main's (the console
            # often sits in a runtime frame of the crashed goroutine).
            found = self.scope.global_variable(package, node.name) or self._constant(package, node.name)
            if found is not None:
                return found
        for package in dict.fromkeys((self.scope.package, "main")):
            found = self._function(package, node.name)
            if found is not None:
                return found
        raise ExpressionError(f"could not find symbol value for {node.name}", node.column)

    def _constant(self, package: str, name: str) -> Value | None:
        """A package's constant, with the type it was declared with."""
        found = self.scope.constant(package, name)
        if found is None:
            return None
        gotype, number = found
        if gotype.kind == Kind.UINT:
            number &= (1 << (8 * gotype.size)) - 1
        return typed(self.ctx, number, gotype)

    def _package_member(self, node: ast.Selector) -> Value | None:
        """`pkg.Name` / `"path".Name` when the target is a package, else None."""
        target = node.target
        if isinstance(target, ast.PackagePath):
            path = self.scope.quoted_path(target.path)
        elif isinstance(target, ast.Ident) and self.scope.local(target.name) is None:
            if self.scope.global_variable(self.scope.package, target.name) is not None:
                return None
            if not self.scope.is_package(target.name):
                return None
            path = self.scope.package_path(target.name, target.column)
        else:
            return None
        found = (
            self.scope.global_variable(path, node.name)
            or self._constant(path, node.name)
            or self._function(path, node.name)
        )
        if found is None:
            raise ExpressionError(f"could not find symbol value for {unparse(node)}", node.column)
        return found

    # --- selection -----------------------------------------------------------------------

    def _selector(self, node: ast.Selector) -> Value:
        member = self._package_member(node)
        if member is not None:
            return member
        return self._select(self.value(node.target), node.name, node.column)

    def _select(self, value: Value, name: str, column: int) -> Value:
        """`value.name`: a field or a method, promoted through embedded structs and pointers as Go
        promotes them. As in Delve, an interface selects in the value it holds and a channel
        names the runtime's fields of its `hchan` (`ch.qcount`, `ch.buf`)."""
        if isinstance(value, ChanValue):
            return _chan_field(value, name, column)
        held = value.dynamic if isinstance(value, InterfaceValue) else None
        current = _through_pointer(held if held is not None else value, column, Kind.STRUCT)
        pointer = isinstance(held if held is not None else value, PointerValue)
        start = current

        def method(gotype: GoType, through_pointer: bool, path: list[Field]) -> Value | None:
            if gotype.kind != Kind.INTERFACE:
                return self._method(gotype, name, through_pointer)
            # A method of the value an embedded interface holds: only a non-nil one has any.
            inner = _walk(start, path, column)
            dynamic = inner.dynamic if isinstance(inner, InterfaceValue) else None
            return None if dynamic is None else self._method(dynamic.gotype, name, isinstance(dynamic, PointerValue))

        found = _member_path(current.gotype, name, method, pointer)
        if found is None or (isinstance(found, list) and not isinstance(current, StructValue)):
            raise ExpressionError(f"{value.type_name} has no field {name}", column)
        return found if not isinstance(found, list) else _walk(current, found, column)

    def _method(self, gotype: GoType, name: str, pointer: bool) -> Value | None:
        """The method `name` of the named type `gotype`: of its pointer type first when the
        value is reached through a pointer, else of the type itself first."""
        type_name = gotype.name.removeprefix("*")
        package, dot, bare = type_name.rpartition(".")
        if not dot or "[" in type_name or "/" in bare:
            return None
        names = [f"{package}.(*{bare}).{name}", f"{package}.{bare}.{name}"]
        for full in names if pointer else names[::-1]:
            # Where the optimizer inlined the method everywhere, the method value's wrapper
            # (`-fm`, a closure without the receiver parameter) still says it exists.
            found = self.scope.function(full, method=True) or self.scope.function(full + "-fm")
            if found is not None:
                return FunctionValue(self.ctx, full, *found)
        return None

    def _function(self, package: str, name: str) -> Value | None:
        """A package's function named as a value."""
        full = f"{package}.{name}"
        found = self.scope.function(full)
        return None if found is None else FunctionValue(self.ctx, full, *found)

    def _index(self, node: ast.Index) -> Value:
        pointer = self.value(node.target)
        if _is_c_pointer(pointer):
            return self._c_element(_readable(pointer, node.target), self.value(node.index), node)
        target = _readable(_through_pointer(pointer, node.column, Kind.ARRAY), node.target)
        key = self.value(node.index)
        if isinstance(target, MapValue):
            return _lookup(target, self._as(key, target.gotype.key, node.index.column), node.index.column)
        if isinstance(target, Sequence):
            if isinstance(target, SliceValue) and target.known_header()[1] is None:
                raise ExpressionError(f"{LENGTH_NOT_KEPT}: slice it within its capacity (s[:n]) first", node.column)
            count = target.child_count_indexed
            i = _integer(key, node.index.column)
            if not 0 <= i < count:
                raise ExpressionError(f"invalid index {i} (len {count})", node.index.column)
            return target.indexed_children(i, 1)[0]
        if isinstance(target, StringValue) and target.known_header()[1] is None:
            raise ExpressionError(f"{STRING_LENGTH_NOT_KEPT}: slice it first (s[:n])", node.column)
        if target.gotype.kind == Kind.STRING:
            data = operand(target).data
            assert isinstance(data, bytes)
            i = _integer(key, node.index.column)
            if not 0 <= i < len(data):
                raise ExpressionError(f"invalid index {i} (len {len(data)})", node.index.column)
            return typed(self.ctx, data[i], basic_type(self.ctx, "uint8"))
        raise ExpressionError(f"cannot index {target.type_name}", node.column)

    def _c_element(self, pointer: Value, key: Value, node: ast.Index) -> Value:
        """`p[i]` of a C pointer: the i-th element from where it points, as C reads it (no bound)."""
        i = _integer(key, node.index.column)
        if i < 0:
            raise ExpressionError(f"invalid index {i} (index must be non-negative)", node.index.column)
        return self.ctx.value("", *_c_elements(pointer, i, node.column))

    def _c_slice(self, pointer: Value, low: int, node: ast.Slice) -> Value:
        """`p[low:high]` of a C pointer: a slice of its elements; `s[low:]` of a `char *`, the
        string from there on (C knows no length but the NUL's)."""
        elem, start = _c_elements(pointer, low, node.column)
        if node.high is None:
            if not is_c_char(elem):
                raise ExpressionError("a C pointer has no length: give the end, as in p[low:high]", node.column)
            return self.ctx.value("", pointer.gotype, Loc(data=struct.pack("<Q", start.address or 0)))
        high = _integer(self.value(node.high), node.high.column)
        top = high if node.max is None else _integer(self.value(node.max), node.max.column)
        if not 0 <= low <= high <= top:
            raise ExpressionError(f"invalid slice indices {low}:{high}:{top}", node.column)
        header = struct.pack("<Qqq", start.address or 0, high - low, top - low)
        return self.ctx.value("", slice_of(self.ctx, elem), Loc(data=header))

    def _slice(self, node: ast.Slice) -> Value:
        pointer = self.value(node.target)
        low = 0 if node.low is None else _integer(self.value(node.low), node.low.column)
        if _is_c_pointer(pointer):
            return self._c_slice(_readable(pointer, node.target), low, node)
        target = _readable(_through_pointer(pointer, node.column, Kind.ARRAY), node.target)
        kind = target.gotype.kind
        if kind == Kind.STRING:
            if node.max is not None:
                raise ExpressionError("3-index slice of string", node.column)
            return self._slice_string(target, low, node)
        if isinstance(target, SliceValue):
            data, kept, cap_kept = target.known_header()
            if kept is None:
                if node.high is None or cap_kept is None:
                    raise ExpressionError(f"{LENGTH_NOT_KEPT}: give the end, as in s[:n] (cap {cap_kept})", node.column)
                length = capacity = cap_kept
            else:
                length, capacity = kept, kept if cap_kept is None else cap_kept
            gotype = target.gotype
        elif isinstance(target, Sequence) and kind == Kind.ARRAY and target.address is not None:
            data, length, capacity = target.address, target.gotype.length, target.gotype.length
            gotype = slice_of(self.ctx, target.element_type())
        else:
            raise ExpressionError(f"cannot slice {target.type_name}", node.column)
        high = length if node.high is None else _integer(self.value(node.high), node.high.column)
        top = capacity if node.max is None else _integer(self.value(node.max), node.max.column)
        if not 0 <= low <= high <= top <= capacity:
            raise ExpressionError(f"invalid slice indices {low}:{high}:{top} (cap {capacity})", node.column)
        size = target.gotype.elem.size if target.gotype.elem is not None else 0
        header = struct.pack("<Qqq", data + low * size if data else 0, high - low, top - low)
        return self.ctx.value("", gotype, Loc(data=header))

    def _slice_string(self, target: Value, low: int, node: ast.Slice) -> Value:
        if isinstance(target, StringValue):
            data, kept = target.known_header()
            if kept is not None:
                length = kept
            elif node.high is None:
                raise ExpressionError(f"{STRING_LENGTH_NOT_KEPT}: give the end, as in s[:n]", node.column)
            else:  # without its length, s[i:j] reads through the pointer as far as asked
                length = _integer(self.value(node.high), node.high.column)
        else:
            raw = operand(target).data
            assert isinstance(raw, bytes)
            data, length = 0, len(raw)
        high = length if node.high is None else _integer(self.value(node.high), node.high.column)
        if not 0 <= low <= high <= length:
            raise ExpressionError(f"invalid slice indices {low}:{high} (len {length})", node.column)
        if not isinstance(target, StringValue):
            whole = operand(target).data
            assert isinstance(whole, bytes)
            return ConstValue(self.ctx, whole[low:high], target.gotype)
        return self.ctx.value("", target.gotype, Loc(data=struct.pack("<Qq", data + low, high - low)))

    def _assert(self, node: ast.TypeAssert) -> Value:
        target = self.value(node.target)
        if isinstance(node.type, ast.Ident) and node.type.name == "data" and isinstance(target, InterfaceValue):
            # Delve's `x.(data)`: the value the interface holds, whatever its type.
            if target.dynamic is None:
                raise ExpressionError(f"{unparse(node.target)} is nil: it holds no data", node.column)
            return target.dynamic
        wanted = self.types.text(node.type)
        if not isinstance(target, InterfaceValue):
            raise ExpressionError(f"{unparse(node.target)} (type {target.type_name}) is not an interface", node.column)
        dynamic = target.dynamic
        if dynamic is None:
            raise ExpressionError(f"interface conversion: interface is nil, not {wanted}", node.column)
        if dynamic.type_name != wanted:
            raise ExpressionError(
                f"interface conversion: {target.type_name} is {dynamic.type_name}, not {wanted}", node.column
            )
        return dynamic

    # --- calls: builtins and conversions -------------------------------------------------

    def _call(self, node: ast.Call) -> Value:
        function = node.function
        if isinstance(function, ast.Ident) and function.name in _BUILTINS and self.scope.local(function.name) is None:
            return self._builtin(function.name, node)
        if isinstance(function, ast.Selector):
            receiver = self._method_receiver(function)
            if receiver is not None:
                return self._method_call(receiver, function, node)
        gotype = self._conversion_type(function)
        if len(node.arguments) != 1:
            raise ExpressionError(f"conversion to {gotype.name} takes exactly one argument", node.column)
        argument = node.arguments[0]
        return convert(self.ctx, self.value(argument), gotype, argument.column)

    def _conversion_type(self, function: ast.Node) -> GoType:
        """The type a call's callee names; calling a function is impossible on a core."""
        inner = function
        while isinstance(inner, ast.Paren):
            inner = inner.inner
        if self.types.is_type_syntax(inner) or (isinstance(inner, ast.Unary) and inner.op == "*"):
            return self.types.resolve(inner)
        if isinstance(inner, ast.Ident | ast.Selector):
            try:
                self.value(inner)
            except ExpressionError as missing:
                try:
                    return self.types.resolve(inner)
                except ExpressionError:
                    if not self.scope.is_function(self._qualified(inner)):
                        raise missing from None
            raise ExpressionError(f"cannot call {unparse(inner)}: {NO_CALLS}", function.column)
        raise ExpressionError(f"cannot call {unparse(inner)}", function.column)

    def _method_receiver(self, function: ast.Selector) -> Value | None:
        """The value whose method `function` names (None: a package member, a field, or a
        target that is no value; the general path reports those)."""
        if self._package_member_or_none(function):
            return None
        try:
            receiver = self.value(function.target)
        except ExpressionError:
            return None
        inner = _through_pointer(receiver, function.column, Kind.STRUCT)
        field = _member_path(inner.gotype, function.name, lambda *_: None, False)  # fields only
        return None if field is not None else receiver

    def _package_member_or_none(self, function: ast.Selector) -> bool:
        """Whether `function` is `pkg.Name` (as _package_member decides)."""
        target = function.target
        if isinstance(target, ast.PackagePath):
            return True
        if not isinstance(target, ast.Ident) or self.scope.local(target.name) is not None:
            return False
        scope = self.scope
        return scope.global_variable(scope.package, target.name) is None and scope.is_package(target.name)

    def _method_call(self, receiver: Value, function: ast.Selector, node: ast.Call) -> Value:
        """`x.String()` of a type whose String godap computes itself; any other method is refused
        with what can be shown instead (the receiver)."""
        if function.name == "String" and not node.arguments:
            text = string_method(receiver)
            if text is not None:
                return typed(self.ctx, text.encode(), basic_type(self.ctx, "string"))
        raise ExpressionError(
            f"cannot call method {function.name} of {receiver.type_name}: {NO_CALLS}; "
            f"its receiver {unparse(function.target)} is {receiver.summary}",
            function.column,
        )

    def _qualified(self, node: ast.Ident | ast.Selector) -> str:
        """`f`, `pkg.f` or `"path".f` as the full name of a function."""
        if isinstance(node, ast.Ident):
            return node.name
        try:
            return self.types.text(node)
        except ExpressionError:
            return unparse(node)

    def _builtin(self, name: str, node: ast.Call) -> Value:
        args = [self.value(a) for a in node.arguments]
        if name in ("min", "max"):
            return self._extreme(name, args, node)
        want = 2 if name == "complex" else 1
        if len(args) != want:
            raise ExpressionError(f"{name} takes {want} argument{'s' if want > 1 else ''}", node.column)
        if name in ("len", "cap"):
            return self._length(name, _readable(args[0], node.arguments[0]), node.arguments[0].column)
        parts = [operand(a) for a in args]
        if name == "complex":
            re_, im = (p.data for p in parts)
            if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in (re_, im)):
                raise ExpressionError("complex takes two floating-point numbers", node.column)
            return constant(self.ctx, complex(re_, im), "complex")  # type: ignore[arg-type]
        number = parts[0].data
        if not isinstance(number, complex | int | float) or isinstance(number, bool):
            raise ExpressionError(f"{name} takes a complex number", node.column)
        number = complex(number)
        part = number.real if name == "real" else number.imag
        if parts[0].untyped is not None:
            return constant(self.ctx, part, "float")
        return typed(self.ctx, part, basic_type(self.ctx, "float32" if parts[0].gotype.size == 8 else "float64"))

    def _extreme(self, name: str, args: list[Value], node: ast.Call) -> Value:
        """Go 1.21's `min` and `max` of ordered operands; typed if any operand is typed."""
        if not args:
            raise ExpressionError(f"not enough arguments for {name}()", node.column)
        best = args[0]
        for arg, argument in zip(args[1:], node.arguments[1:], strict=True):
            if operand(binary(self.ctx, "<" if name == "min" else ">", arg, best, argument.column)).data:
                best = arg
        typed_arg = next((a for a in args if not (isinstance(a, ConstValue) and a.untyped is not None)), None)
        return best if typed_arg is None else self._as(best, typed_arg.gotype, node.column)

    def _length(self, name: str, value: Value, column: int) -> Value:
        value = _through_pointer(value, column, Kind.ARRAY)
        kind = value.gotype.kind
        if isinstance(value, ConstValue) and isinstance(value.data, bytes) and name == "len":
            count = len(value.data)
            return constant(self.ctx, count, "int") if value.untyped else self._int(count)
        if kind == Kind.STRING and name == "len" and isinstance(value, StringValue):
            return self._int(value.header()[1])
        if isinstance(value, SliceValue):
            _, length, capacity = value.known_header()
            wanted = length if name == "len" else capacity
            if wanted is None:
                kept = LENGTH_NOT_KEPT if name == "len" else "the capacity of this slice was not kept (optimized away)"
                raise ExpressionError(kept, column)
            return self._int(wanted)
        if kind == Kind.ARRAY:
            return self._int(value.gotype.length)
        if isinstance(value, ComputedSlice):
            return self._int(value.count)
        if kind == Kind.MAP and name == "len" and isinstance(value, MapValue):
            return self._int(value.count())
        if isinstance(value, ChanValue):
            if not value.header():
                return self._int(0)
            queued, size, _ = value.state()
            return self._int(queued if name == "len" else size)
        raise ExpressionError(f"invalid argument for {name}: {value.type_name}", column)

    def _int(self, count: int) -> Value:
        return typed(self.ctx, count, basic_type(self.ctx, "int"))

    # --- operators -----------------------------------------------------------------------

    def _unary(self, node: ast.Unary) -> Value:
        if node.op == "*":
            return _dereference(self.value(node.operand), node.column)
        if node.op == "&":
            target = self.value(node.operand)
            if target.address is None or isinstance(target, ConstValue | CompositeValue):
                raise ExpressionError(f"cannot take the address of {unparse(node.operand)}", node.column)
            pointer = pointer_to(self.ctx, target.gotype)
            return AddressValue(self.ctx, "", pointer, Loc(data=struct.pack("<Q", target.address)))
        return unary(self.ctx, node.op, self.value(node.operand), node.column)

    def _binary(self, node: ast.Binary) -> Value:
        left = self.value(node.left)
        if node.op in ("&&", "||"):
            decided = operand(left).data
            if not isinstance(decided, bool):
                raise ExpressionError(f"operator {node.op} not defined on {left.type_name}", node.column)
            if decided == (node.op == "||"):
                return constant(self.ctx, decided, "bool")
        return binary(self.ctx, node.op, left, self.value(node.right), node.column)

    # --- literals ------------------------------------------------------------------------

    def _composite(self, node: ast.CompositeLit) -> Value:
        gotype = self.types.resolve(node.type)
        if gotype.kind == Kind.STRUCT:
            fields = gotype.fields
            elements: dict[str, Value] = {}
            for i, (key, item) in enumerate(node.elements):
                field = gotype.field(key) if key else (fields[i] if i < len(fields) else None)
                if field is None:
                    raise ExpressionError(f"{gotype.name} has no field {key or i}", item.column)
                elements[field.name] = self._as(self.value(item), field.type, item.column)
            return CompositeValue(self.ctx, gotype, elements)
        if gotype.kind == Kind.ARRAY and gotype.elem is not None:
            if len(node.elements) > gotype.length or any(key for key, _ in node.elements):
                raise ExpressionError(f"too many or keyed elements for {gotype.name}", node.column)
            elem = gotype.elem
            items = {
                f"[{i}]": self._as(self.value(item), elem, item.column) for i, (_, item) in enumerate(node.elements)
            }
            return CompositeValue(self.ctx, gotype, items)
        raise ExpressionError(f"composite literals of {gotype.name} are not supported", node.column)

    def _as(self, value: Value, gotype: GoType | None, column: int) -> Value:
        """`value` used where a `gotype` is expected: constants take the type, others must have it."""
        if gotype is None:
            raise ExpressionError("the expected type is unknown", column)
        if isinstance(value, ConstValue) and value.untyped is not None:
            return typed(self.ctx, represent(operand(value), gotype, column), gotype)
        if value.type_name != gotype.name:
            raise ExpressionError(f"cannot use {value.type_name} value as {gotype.name}", column)
        return value


def _renamed(value: Value, name: str, expression: str) -> Value:
    """A fresh Value for a result (cached scope values are never renamed in place)."""
    if isinstance(value, ConstValue | CompositeValue | ComputedSlice | FunctionValue | AddressValue):
        value.name, value.evaluate_name = name, expression
        return value
    return value.ctx.value(name, value.gotype, value.loc, expression)


def _readable(value: Value, node: ast.Node) -> Value:
    """`value` when it can be read; its elements and length are not known otherwise (a slice
    whose length the optimizer dropped has none to check an index against)."""
    reason = value.unreadable
    if reason is not None:
        text = f"{unparse(node)} is {reason}" if reason.startswith(OPTIMIZED_AWAY) else reason
        raise ExpressionError(text, node.column)
    return value


def _integer(value: Value, column: int) -> int:
    data = operand(value).data
    constant_ = isinstance(value, ConstValue) and value.untyped is not None
    if constant_ and isinstance(data, float) and data.is_integer():
        data = int(data)
    if isinstance(data, bool) or not isinstance(data, int) or not (constant_ or value.gotype.kind in _INTEGERS):
        raise ExpressionError(f"index must be an integer, not {value.type_name}", column)
    return data


def _is_c_pointer(value: Value) -> bool:
    return isinstance(value, PointerValue) and value.gotype.foreign and value.gotype.elem is not None


def _c_elements(pointer: Value, index: int, column: int) -> tuple[GoType, Loc]:
    """The element type of a C pointer and where its `index`-th element is."""
    assert isinstance(pointer, PointerValue) and pointer.gotype.elem is not None
    elem = pointer.gotype.elem
    if elem.size <= 0:
        raise ExpressionError(f"cannot index {pointer.type_name}: its elements have no size", column)
    address = pointer.target()
    if address == 0:
        raise ExpressionError("nil pointer dereference", column)
    return elem, Loc(address=address + index * elem.size)


def _dereference(value: Value, column: int) -> Value:
    if not isinstance(value, PointerValue):
        raise ExpressionError(f"invalid indirect of {value.type_name}", column)
    pointee = value.pointee()
    if pointee is None:
        raise ExpressionError("nil pointer dereference", column)
    return pointee


def _through_pointer(value: Value, column: int, kind: Kind) -> Value:
    """A pointer to `kind` stands for what it points to (Go's automatic dereference)."""
    if isinstance(value, PointerValue) and value.gotype.elem is not None and value.gotype.elem.kind == kind:
        return _dereference(value, column)
    return value


def _chan_field(chan: ChanValue, name: str, column: int) -> Value:
    """A field of the channel's `runtime.hchan`; `buf` is typed as a pointer to the ring buffer
    (`*[dataqsiz]T`), as Delve types it."""
    field = chan.hchan.field(name)
    if field is None:
        raise ExpressionError(f"{chan.type_name} has no field {name}", column)
    header = chan.header()
    if header == 0:
        raise ExpressionError(f"{chan.type_name} is nil: it has no {name}", column)
    ctx = chan.ctx
    if name == "buf" and chan.gotype.elem is not None:
        _, size, _ = chan.state()
        ring = pointer_to(ctx, array_of(ctx, chan.gotype.elem, size))
        return ctx.value("", ring, Loc(address=header + field.offset))
    return ctx.value("", field.type, Loc(address=header + field.offset))


def _walk(value: Value, path: list[Field], column: int) -> Value:
    """The field at the end of `path` (embedded fields, through pointers) of a struct value."""
    current = value
    for i, field in enumerate(path):
        assert isinstance(current, StructValue)
        current = current.field_value(field)
        if i + 1 < len(path):
            current = _through_pointer(current, column, Kind.STRUCT)
    return current


def _member_path(
    gotype: GoType, name: str, method: Callable[[GoType, bool, list[Field]], Value | None], pointer: bool
) -> list[Field] | Value | None:
    """What `x.name` selects in a value of `gotype` (reached through a pointer or not),
    shallowest first, breadth first (Go's promotion rule): the fields leading to a field, or the
    method `method(type, through a pointer, embedded fields to it)` finds; None if neither."""
    level: list[tuple[GoType, list[Field], bool]] = [(gotype, [], pointer)]
    for _ in range(_MAX_EMBEDDING):
        found = [[*path, f] for t, path, _ in level for f in t.fields if f.name == name]
        if found:
            return found[0]
        for t, path, through_pointer in level:
            function = method(t, through_pointer, path)
            if function is not None:
                return function
        deeper: list[tuple[GoType, list[Field], bool]] = []
        for t, path, _ in level:
            for f in t.fields:
                if f.embedded:
                    embedded_pointer = f.type.kind == Kind.POINTER and f.type.elem is not None
                    inner = f.type.elem if embedded_pointer and f.type.elem is not None else f.type
                    if inner.kind in (Kind.STRUCT, Kind.INTERFACE):
                        deeper.append((inner, [*path, f], embedded_pointer))
        if not deeper:
            return None
        level = deeper
    return None


def _lookup(target: MapValue, key: Value, column: int) -> Value:
    """`m[key]` for keys of any comparable type; a missing key is an error (there is no zero value
    to show that the map holds)."""
    key_type, value_type = target.gotype.key, target.gotype.elem
    if key_type is None or value_type is None:
        raise ExpressionError(f"the key or value type of {target.type_name} is unknown", column)
    ctx = target.ctx
    count = target.child_count_indexed
    for start in range(0, count, _MAP_PAGE):
        for key_addr, value_addr in target.entries(start, min(count, start + _MAP_PAGE)):
            if equal(ctx.value("key", key_type, Loc(address=key_addr)), key):
                return ctx.value("", value_type, Loc(address=value_addr))
    raise ExpressionError(f"key {key.summary} not found in {target.type_name}", column)
