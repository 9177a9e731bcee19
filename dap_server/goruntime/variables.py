"""The variable scopes of a frame: arguments, locals, package globals and registers, as Values.

Rules (differences from Delve on purpose): arguments and locals are separate lists; results
(`~r0`, named results) are listed with the arguments; an escaped variable (`&x` in DWARF) is shown
as `x`, already dereferenced; split SSA slots (`x.len`), `.dict` and other compiler temporaries are
hidden; an outer variable shadowed by an inner one is shown as `(x)`; a variable the location
list does not cover at the frame's pc is shown as `<optimized away>`, never dropped silently.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..debuggee.api import Memory, UnreadableMemory
from ..program.code_refs import call_targets
from ..program.dwarf.dies import DwarfError
from ..program.dwarf.functions import Block, Function, VariableDecl
from ..program.dwarf.globals import package_variables, symbol_path
from ..program.dwarf.lists import ListError
from ..program.dwarf.locations import OPTIMIZED_AWAY, FrameState, LocationError, Piece, evaluate_location
from ..program.dwarf.types import GoType
from . import generics
from .frames import Frame, is_runtime_function
from .process import GoProcess
from .values.base import TextValue, Value, ValueContext
from .values.context import DECODE_ERRORS, Loc, Unreadable
from .values.factory import new_context

_FRAME_CACHE_LIMIT = 4096
_NOT_IN_SCOPE = "optimized away (not live at this pc)"
_GOWRAP = ".gowrap"  # the functions `go f(x)` makes (Go 1.22+; main.main.gowrap1)
_CFA_FRAME_BASE = b"\x9c"  # DW_OP_call_frame_cfa


@dataclass(frozen=True, slots=True)
class _FrameScope:
    arguments: list[Value]
    locals: list[Value]
    instance: generics.Instance | None = None


@dataclass
class _ProcessState:
    """What this module keeps per stop of a process: its value context and the scopes already read."""

    ctx: ValueContext
    frames: dict[tuple[int, int, str], _FrameScope] = field(default_factory=dict)
    globals: dict[str, list[Value]] = field(default_factory=dict)


def _state(process: GoProcess) -> _ProcessState:
    def goroutine_id(g_addr: int) -> int | None:
        g = process.reader.read(g_addr)
        return None if g.unreadable is not None else g.goid

    return process.attached.get(
        _ProcessState, lambda: _ProcessState(new_context(process.memory, process.program, goroutine_id))
    )


def context_for(process: GoProcess) -> ValueContext:
    """The value context of a process (made once): for building Values outside these scopes."""
    return _state(process).ctx


def arguments(process: GoProcess, frame: Frame) -> list[Value]:
    """Parameters and results of the frame's function (of the inlined call, for inlined frames)."""
    return _scope(process, frame).arguments


def locals(process: GoProcess, frame: Frame) -> list[Value]:
    """Local variables in scope at the frame's pc."""
    return _scope(process, frame).locals


def instance(process: GoProcess, frame: Frame) -> generics.Instance | None:
    """The instantiation a frame of a generic function runs (None for other frames)."""
    return _scope(process, frame).instance if generics.SHAPE in frame.function else None


def _scope(process: GoProcess, frame: Frame) -> _FrameScope:
    frames = _state(process).frames
    key = (frame.pc, frame.sp, frame.function)
    found = frames.get(key)
    if found is None:
        if len(frames) > _FRAME_CACHE_LIMIT:
            frames.clear()
        found = _FrameReader(process, frame).read()
        frames[key] = found
    return found


class _FrameReader:
    """Turns one frame's DWARF variables into Values."""

    def __init__(self, process: GoProcess, frame: Frame) -> None:
        self.process = process
        self.frame = frame
        self.ctx = context_for(process)
        self.bias = process.program.bias
        registers = frame.registers
        self.state = FrameState(
            cfa=frame.cfa or None,
            register=registers.by_dwarf_number if registers is not None else None,
            read_u64=_word_reader(process.memory),
            bias=self.bias,
        )

    def read(self) -> _FrameScope:
        func = self.frame.func
        if func is None:
            return self._c_scope() if self.frame.foreign else _FrameScope([], [])
        try:
            function = self.process.program.dwarf.functions.function(func.name, func.entry - self.bias)
        except DwarfError:
            function = None
        if function is None:
            return _FrameScope([], [])
        scope_pc = self.frame.pc if self.frame.trap or self.frame.pc == func.entry else self.frame.pc - 1
        scope_pc -= self.bias
        body = self._logical_body(function, scope_pc)
        if body is None:
            return _FrameScope([], [])
        decls = function.variables_at(scope_pc, body)
        dictionary = self._dictionary(function.body.variables)
        found = generics.instance(self.process.binary, func.name, dictionary - self.bias if dictionary else None)
        if dictionary is None and found is not None:
            dictionary = found.dictionary + self.bias
        temporaries = [d for d in decls if d.name.startswith(".autotmp")]
        start = self._start_arguments(func.name, temporaries) if _GOWRAP in func.name else []
        return self._split(decls, dictionary, found, start)

    def _split(
        self, decls: list[VariableDecl], dictionary: int | None, found: generics.Instance | None, start: list[Value]
    ) -> _FrameScope:
        """The scope of the declarations in scope: arguments (then what `go` started the
        goroutine with), results, locals."""
        visible = [d for d in decls if _visible(d.name)]
        values = [self._value(d, dictionary, found) for d in visible]
        visible, values = _drop_duplicates(visible, values)
        _mark_shadowed(visible, values)
        args = [v for d, v in zip(visible, values, strict=True) if d.parameter and not d.result]
        results = [v for d, v in zip(visible, values, strict=True) if d.parameter and d.result]
        local = [v for d, v in zip(visible, values, strict=True) if not d.parameter]
        return _FrameScope(args + start + results, local, found)

    def _c_scope(self) -> _FrameScope:
        """The variables of a C frame (cgo), from its compile unit's DWARF."""
        function = c_function(self.process, self.frame)
        if function is None:
            return _FrameScope([], [])
        base = self._frame_base(function.frame_base)
        if base is not None:
            self.state = replace(self.state, frame_base=base)
        scope_pc = self.frame.pc - self.bias - (0 if self.frame.trap else 1)
        return self._split(function.variables_at(scope_pc, function.body), None, None, [])

    def _frame_base(self, expr: bytes | None) -> int | None:
        """DW_AT_frame_base where it is not the CFA (gcc's is; clang's is a register)."""
        if not expr or expr == _CFA_FRAME_BASE:
            return None
        try:
            pieces = evaluate_location(expr, self.state)
        except LocationError:
            return None
        piece = pieces[0]
        if piece.address is not None:  # DW_OP_bregN: the register plus an offset
            return piece.address
        return int.from_bytes(piece.data[:8], "little") if piece.data else None  # DW_OP_regN

    def _logical_body(self, function: Function, scope_pc: int) -> Block | None:
        """The body of this frame's logical function: the physical one, or one of its inlined calls."""
        calls = function.inlined_bodies(scope_pc)
        if not self.frame.inlined:
            return function.body
        pcln = self.process.program.pclntab
        logical = pcln.locations(scope_pc + self.bias)
        inlined_names = [loc.function for loc in logical if loc.inlined]  # innermost first
        for index, loc in enumerate(logical):
            if loc.inlined and loc.function == self.frame.function and loc.line == self.frame.line:
                depth = len(inlined_names) - index  # 1 = the outermost inlined call
                if 0 < depth <= len(calls) and len(calls) == len(inlined_names):
                    return calls[depth - 1].body
        matches = [call for call in calls if call.function == self.frame.function]
        return matches[-1].body if matches else None

    def _dictionary(self, decls: tuple[VariableDecl, ...]) -> int | None:
        """The address of a generic function's dictionary (its hidden `.dict` argument)."""
        for decl in decls:
            if decl.name == ".dict":
                loc = self._location(decl)
                try:
                    if loc.address is not None:
                        return self.ctx.word(loc.address)
                    if loc.data is not None and len(loc.data) >= 8:
                        return int(struct.unpack_from("<Q", loc.data)[0])
                except Unreadable:
                    return None
        return None

    def _location(self, decl: VariableDecl) -> Loc:
        if decl.location is None:
            return Loc(missing=OPTIMIZED_AWAY)
        expr: bytes | None
        if isinstance(decl.location, int):
            try:
                expr = self.process.program.dwarf.lists.find_location(
                    decl.location, decl.unit, self.frame.pc - self.bias
                )
            except ListError as exc:
                return Loc(missing=f"bad location list: {exc}")
            if expr is None:
                return Loc(missing=_NOT_IN_SCOPE)
        else:
            expr = decl.location
        try:
            pieces = evaluate_location(expr, self.state)
        except LocationError as exc:
            reason = str(exc)
            return Loc(missing=reason if reason.startswith(OPTIMIZED_AWAY) else f"bad location: {reason}")
        return _compose(pieces, self.ctx)

    def _start_arguments(self, wrapper: str, temporaries: list[VariableDecl]) -> list[Value]:
        """What `go f(x, y)` started the goroutine with: the wrapper the compiler made for the call
        keeps the arguments that are not constants in temporaries, in order; each is named as the
        parameter of f it is passed as (the next one of its type), or argN where none matches."""
        program = self.process.program
        callees = (program.pclntab.func_for_pc(target) for target in call_targets(program, wrapper))
        callee = next((f for f in callees if f is not None and not is_runtime_function(f.name)), None)
        try:
            function = program.dwarf.functions.function(callee.name, callee.entry - self.bias) if callee else None
        except DwarfError:
            function = None
        params = [d for d in function.body.variables if d.parameter and not d.result] if function else []
        types = self.ctx.types
        out: list[Value] = []
        next_param = 0
        for i, temporary in enumerate(t for t in temporaries if t.type_offset is not None and t.location is not None):
            type_name = types.at(temporary.type_offset or 0).name
            match = next(
                (j for j in range(next_param, len(params)) if self._passes(params[j], temporary)),
                None,
            )
            name = params[match].name if match is not None else f"arg{i}"
            next_param = match + 1 if match is not None else next_param
            if name.startswith(".") or not type_name:  # the dictionary of a generic callee
                continue
            value = self._value(temporary, None, None)
            value.name, value.evaluate_name = name, None
            out.append(value)
        return out

    def _passes(self, param: VariableDecl, temporary: VariableDecl) -> bool:
        """Whether `temporary` can be the argument of `param`: the same type, or any type for a
        parameter of a type parameter's shape (`v T`, `s *Stack[T]`)."""
        if param.type_offset is None or param.type_offset == temporary.type_offset:
            return param.type_offset is not None
        gotype = self.ctx.types.at(param.type_offset)
        return gotype.dict_index is not None or generics.SHAPE in gotype.name

    def _type(self, decl: VariableDecl, dictionary: int | None, found: generics.Instance | None) -> GoType | None:
        if decl.type_offset is None:
            return None
        gotype = self.ctx.types.at(decl.type_offset)
        if gotype.dict_index is not None and dictionary:
            try:
                descriptor = self.ctx.word(dictionary + 8 * gotype.dict_index)
                resolved = self.ctx.rtypes.go_type(descriptor) if descriptor else None
            except DECODE_ERRORS:
                resolved = None
            gotype = resolved or gotype
        if found is not None and generics.SHAPE in gotype.name:
            # A type built of shapes (map[go.shape.float32]go.shape.int, *Stack[go.shape.string]):
            # the program's own type of the type arguments, where DWARF has it.
            return self.ctx.types.named(found.substitute(gotype.name)) or gotype
        return gotype

    def _value(self, decl: VariableDecl, dictionary: int | None, found: generics.Instance | None) -> Value:
        gotype = self._type(decl, dictionary, found)
        if gotype is None:
            return TextValue(self.ctx, decl.name, "unreadable: no type in DWARF")
        loc = self._location(decl)
        if decl.name.startswith("&"):
            return self._escaped(decl.name[1:], gotype, loc)
        return self.ctx.value(decl.name, gotype, loc, decl.name)

    def _escaped(self, name: str, pointer: GoType, loc: Loc) -> Value:
        """`&x`: the compiler moved x to the heap and keeps its address; show x itself."""
        target = pointer.elem
        if target is None:
            return self.ctx.value(name, pointer, loc, None)
        if loc.missing is not None:
            return self.ctx.value(name, target, loc, name)
        try:
            address = self.ctx.word(loc.address) if loc.address is not None else _word(loc.data)
        except Unreadable as exc:
            return self.ctx.value(name, target, Loc(missing=exc.reason), name)
        if address == 0:
            return self.ctx.value(name, target, Loc(missing=f"optimized away (&{name} is nil)"), name)
        return self.ctx.value(name, target, Loc(address=address), name)


def c_function(process: GoProcess, frame: Frame) -> Function | None:
    """The DWARF function of a C frame (None without DWARF for its code)."""
    dwarf = process.program.dwarf
    link_pc = frame.pc - process.program.bias - (0 if frame.trap else 1)
    try:
        die = dwarf.foreign.subprogram_at(link_pc)
        return None if die is None else dwarf.functions.of_subprogram(die, frame.function)
    except DwarfError:
        return None


def _word_reader(memory: Memory) -> Callable[[int], int]:
    """DW_OP_deref's memory access: unreadable memory makes the expression fail, with the reason."""

    def read(addr: int) -> int:
        try:
            return memory.u64(addr)
        except UnreadableMemory as exc:
            raise LocationError(exc.reason) from None

    return read


def _word(data: bytes | None) -> int:
    if data is None or len(data) < 8:
        raise Unreadable("the variable's address is only partly known")
    return int(struct.unpack_from("<Q", data)[0])


def _compose(pieces: list[Piece], ctx: ValueContext) -> Loc:
    """One location from DWARF pieces: an address when the value is in one place, else its bytes
    (with holes where a piece is missing)."""
    if len(pieces) == 1 and pieces[0].size is None:
        piece = pieces[0]
        if piece.missing is not None:
            return Loc(missing=piece.missing)
        if piece.address is not None:
            return Loc(address=piece.address)
        return Loc(data=piece.data)
    if all(p.missing is not None for p in pieces):
        return Loc(missing=next(p.missing for p in pieces if p.missing is not None))
    data = bytearray()
    holes: list[tuple[int, int]] = []
    for piece in pieces:
        size = piece.size or 0
        if piece.data is not None:
            data += piece.data[:size].ljust(size, b"\0")
            continue
        try:
            if piece.address is None:
                raise Unreadable(piece.missing or OPTIMIZED_AWAY)
            data += ctx.read(piece.address, size)
        except Unreadable:
            holes.append((len(data), len(data) + size))
            data += bytes(size)
    return Loc(data=bytes(data), holes=tuple(holes))


def _visible(name: str) -> bool:
    """Hide compiler temporaries (.dict, .closureptr…), split SSA slots (x.len) and blanks."""
    bare = name.lstrip("&")
    return bool(bare) and bare != "_" and not bare.startswith(".") and "." not in bare


def _drop_duplicates(decls: list[VariableDecl], values: list[Value]) -> tuple[list[VariableDecl], list[Value]]:
    """Keep one of several declarations of a name at the same depth (Go emits two `~r0` slots
    for a result that a deferred call may set): the readable one, else the last."""
    chosen: dict[tuple[str, int], int] = {}
    for i, decl in enumerate(decls):
        key = (decl.name, decl.depth)
        best = chosen.get(key)
        if best is None or values[best].unreadable is not None:
            chosen[key] = i
    keep = sorted(chosen.values())
    return [decls[i] for i in keep], [values[i] for i in keep]


def _mark_shadowed(decls: list[VariableDecl], values: list[Value]) -> None:
    """Rename every variable hidden by a later, deeper declaration of the same name to `(x)`."""
    deepest: dict[str, int] = {}
    for i, decl in enumerate(decls):
        name = values[i].name
        best = deepest.get(name)
        if best is None or decl.depth >= decls[best].depth:
            deepest[name] = i
    for i, value in enumerate(values):
        if deepest.get(value.name, i) != i:
            value.name = f"({value.name})"
            value.evaluate_name = None


# --- globals ------------------------------------------------------------------------


def package_globals(process: GoProcess, package_path: str) -> list[Value]:
    """The package's variables (named without the package prefix; evaluate names keep it)."""
    state = _state(process)
    found = state.globals.get(package_path)
    if found is not None:
        return found
    ctx = state.ctx
    program = process.program
    out: list[Value] = []
    try:
        dies = package_variables(program.dwarf, package_path)
    except DwarfError:
        dies = []
    static = FrameState(cfa=None, register=None, read_u64=_word_reader(process.memory), bias=program.bias)
    for die in dies:
        full = die.attributes["DW_AT_name"].value.decode("utf-8", "replace")
        short = full[len(symbol_path(package_path)) + 1 :]
        type_offset = program.dwarf.type_offset(die)
        location = die.attributes.get("DW_AT_location")
        if type_offset is None or not _visible(short):
            continue
        gotype = ctx.types.at(type_offset)
        if location is None or not isinstance(location.value, list | bytes):
            loc = Loc(missing=OPTIMIZED_AWAY)
        else:
            try:
                loc = _compose(evaluate_location(bytes(location.value), static), ctx)
            except LocationError as exc:
                loc = Loc(missing=f"bad location: {exc}")
        out.append(ctx.value(short, gotype, loc, full))
    out.sort(key=lambda v: v.name)
    state.globals[package_path] = out
    return out


# --- registers ----------------------------------------------------------------------


def registers(process: GoProcess, frame: Frame) -> list[Value]:
    """The frame's registers as hex words. Only frames with a saved register set (the innermost,
    and frames resumed from a signal) have them all; others honestly have pc, sp and the CFA."""
    ctx = context_for(process)

    def word(name: str, value: int) -> Value:
        return TextValue(ctx, name, f"{value & (1 << 64) - 1:#018x}", "uint64")

    regs = frame.registers
    if regs is None:
        arch = process.program.image.arch
        out = [word(arch.pc, frame.pc), word(arch.sp, frame.sp)]
        if frame.cfa:
            out.append(word("cfa", frame.cfa))
        return out
    values = regs.values
    ordered = [name for name in regs.arch.display_order if name in values]
    prefix = len(regs.arch.vector_prefix)
    return [word(name, values[name]) for name in ordered] + [
        TextValue(ctx, name, "0x" + data[::-1].hex(), "[16]byte")
        for name, data in sorted(regs.vectors.items(), key=lambda item: int(item[0][prefix:]))
    ]
