"""Pointers (dereferenced one level, like Delve) and func values (closures with their captures)."""

from __future__ import annotations

import os
from functools import cached_property

from ...program.dwarf.dies import DwarfError
from ...program.dwarf.types import Kind
from .base import Delegating, Value, clip
from .context import Loc, Unreadable

# Pointees whose children are shown directly under the pointer: `p.Field` and `p[i]` are valid Go.
_TRANSPARENT = frozenset({Kind.STRUCT, Kind.ARRAY})


class PointerValue(Delegating):
    def target(self) -> int:
        return self.word()

    def pointee(self) -> Value | None:
        """The value pointed to, or None for nil."""
        return self._pointee

    @cached_property
    def _pointee(self) -> Value | None:
        address = self.target()
        elem = self.gotype.elem
        if address == 0:
            return None
        if elem is None:
            raise Unreadable(f"the target type of {self.type_name} is unknown")
        return self.ctx.value(f"*{self.name}", elem, Loc(address=address), self.pointee_expression(elem.kind))

    def pointee_expression(self, kind: Kind) -> str | None:
        """How Go names the pointee: `p` itself stands for a struct or array (`p.F`, `p[i]`)."""
        if kind in _TRANSPARENT:
            return self.evaluate_name
        return f"(*{self.evaluate_name})" if self.evaluate_name else None

    def referenced_address(self) -> int | None:
        return self.target() or None

    def render_value(self, budget: int, depth: int) -> str:
        pointee = self.pointee()
        if pointee is None:
            return f"{self.type_name} nil" if depth == 0 else "nil"
        if pointee.unreadable is not None or depth >= 2:
            text = f"({self.type_name})({self.target():#x})"
            return text if pointee.unreadable is None else f"{text} {pointee.render(budget, depth + 1)}"
        # A pointer to a pointer goes one level deeper, so that `type P *P; p = &p` ends.
        level = depth + 1 if pointee.gotype.kind == Kind.POINTER else max(depth, 1)
        inner = pointee.render(budget - len(self.type_name) - 1, level)
        return clip(f"{self.type_name} {inner}" if depth == 0 else f"*{inner}", budget)

    def delegate(self) -> Value | None:
        """The pointee when its children stand in for the pointer's (a readable struct or array)."""
        pointee = self.pointee()
        if pointee is None or pointee.unreadable is not None or pointee.gotype.kind not in _TRANSPARENT:
            return None
        return pointee

    def named_count(self) -> int:
        if self.delegate() is None:
            return 0 if self.pointee() is None else 1
        return super().named_count()

    def decode_named(self) -> list[Value]:
        if self.delegate() is None:
            pointee = self.pointee()
            return [] if pointee is None else [pointee]
        return super().decode_named()


class AddressValue(PointerValue):
    """The result of `&x`: the address itself, as Delve prints it (`(*string)(0xc000123456)`),
    with the value it points to as its one child."""

    def render_value(self, budget: int, depth: int) -> str:
        return f"({self.type_name})({self.target():#x})"

    def pointee_expression(self, kind: Kind) -> str | None:
        return f"(*{self.evaluate_name})" if self.evaluate_name else None

    def delegate(self) -> Value | None:
        return None


class FuncValue(Value):
    """A func value: a pointer to a funcval {fn, captured variables...}."""

    def closure(self) -> int:
        return self.word()

    def entry(self) -> int:
        closure = self.closure()
        return self.ctx.word(closure) if closure else 0

    def referenced_address(self) -> int | None:
        return self.closure() or None

    def render_value(self, budget: int, depth: int) -> str:
        if self.closure() == 0:
            return f"{self.type_name} nil" if depth == 0 else "nil"
        pc = self.entry()
        found = self.ctx.function_at(pc)
        if found is None:
            return f"func at {pc:#x} (not Go code)"
        name, file, line = found
        return clip(f"{name} ({os.path.basename(file)}:{line})", budget)

    @cached_property
    def captures(self) -> list[Value]:
        """The variables a closure captured (described by DWARF from Go 1.23; empty before)."""
        closure = self.closure()
        program = self.ctx.program
        func = program.pclntab.func_for_pc(self.entry()) if closure else None
        if func is None:
            return []
        try:
            function = program.dwarf.functions.function(func.name, func.entry - program.bias)
        except DwarfError:
            return []
        out: list[Value] = []
        for decl in function.captured_variables() if function is not None else []:
            if decl.type_offset is None or decl.closure_offset is None:
                continue
            gotype = self.ctx.types.at(decl.type_offset)
            slot = closure + decl.closure_offset
            if decl.name.startswith("&") and gotype.elem is not None:
                # Captured by reference: the closure holds a pointer to the variable.
                out.append(self.ctx.value(decl.name[1:], gotype.elem, Loc(address=self.ctx.word(slot))))
            else:
                out.append(self.ctx.value(decl.name, gotype, Loc(address=slot)))
        return out

    def named_count(self) -> int:
        return len(self.captures)

    def decode_named(self) -> list[Value]:
        return self.captures
