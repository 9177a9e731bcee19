"""DWARF location expressions as the Go compiler emits them, evaluated against one frame.

The result is a list of pieces: each says where `size` bytes of the value are (a memory address,
known bytes from a register or a literal, or nothing, with the reason). Register pieces are only
read when the frame has real registers (the innermost frame, or one resumed from a signal context):
Go has no callee-saved registers, so elsewhere a register location means the value is gone.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass

from ...binfmt.leb128 import LebError, read_sleb, read_uleb

_OP_ADDR = 0x03
_OP_DEREF = 0x06
_OP_CONST1U, _OP_CONST1S, _OP_CONST2U, _OP_CONST2S = 0x08, 0x09, 0x0A, 0x0B
_OP_CONST4U, _OP_CONST4S, _OP_CONST8U, _OP_CONST8S = 0x0C, 0x0D, 0x0E, 0x0F
_OP_CONSTU, _OP_CONSTS = 0x10, 0x11
_OP_DUP, _OP_DROP = 0x12, 0x13
_OP_MINUS, _OP_PLUS, _OP_PLUS_UCONST = 0x1C, 0x22, 0x23
_OP_LIT0, _OP_LIT31 = 0x30, 0x4F
_OP_REG0, _OP_REG31 = 0x50, 0x6F
_OP_BREG0, _OP_BREG31 = 0x70, 0x8F
_OP_REGX, _OP_FBREG, _OP_BREGX, _OP_PIECE = 0x90, 0x91, 0x92, 0x93
_OP_CALL_FRAME_CFA = 0x9C
_OP_IMPLICIT_VALUE = 0x9E
_OP_STACK_VALUE = 0x9F
_OP_ADDRX = 0xA1
_MASK64 = (1 << 64) - 1
_CONSTS = {
    _OP_CONST1U: "<B",
    _OP_CONST1S: "<b",
    _OP_CONST2U: "<H",
    _OP_CONST2S: "<h",
    _OP_CONST4U: "<I",
    _OP_CONST4S: "<i",
    _OP_CONST8U: "<Q",
    _OP_CONST8S: "<q",
}
MAX_STEPS = 256

OPTIMIZED_AWAY = "optimized away"
UNSAVED_REGISTER = "optimized away (held in a register this frame does not preserve)"


class LocationError(Exception):
    """The expression uses an operation outside what Go emits, or is malformed."""


@dataclass(frozen=True, slots=True)
class Piece:
    """`size` bytes of a value (None: the whole value) at `address`, or given as `data`, or `missing`."""

    size: int | None
    address: int | None = None
    data: bytes | None = None
    missing: str | None = None


@dataclass(frozen=True, slots=True)
class FrameState:
    """What an expression may refer to: the frame's CFA and, when trustworthy, its registers."""

    cfa: int | None
    register: Callable[[int], int | bytes | None] | None
    read_u64: Callable[[int], int]
    bias: int = 0
    address_index: Callable[[int], int] | None = None
    frame_base: int | None = None  # DW_OP_fbreg's base when it is not the CFA (C functions may say)


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    try:
        return read_uleb(data, pos)
    except LebError as exc:
        raise LocationError("truncated LEB128 operand") from exc


def _sleb(data: bytes, pos: int) -> tuple[int, int]:
    try:
        return read_sleb(data, pos)
    except LebError as exc:
        raise LocationError("truncated LEB128 operand") from exc


def evaluate_location(expr: bytes, state: FrameState) -> list[Piece]:
    """The pieces an expression describes. An empty expression means "optimized away"."""
    if not expr:
        return [Piece(None, missing=OPTIMIZED_AWAY)]
    pieces: list[Piece] = []
    stack: list[int] = []
    pending: Piece | None = None  # a register or literal location waiting for its DW_OP_piece
    is_value = False
    pos = 0
    for _ in range(MAX_STEPS):
        if pos >= len(expr):
            break
        op = expr[pos]
        pos += 1
        if op == _OP_PIECE:
            size, pos = _uleb(expr, pos)
            if pending is not None:
                pieces.append(Piece(size, pending.address, _fit(pending.data, size), pending.missing))
            elif is_value and stack:
                pieces.append(Piece(size, data=(stack[-1] & _MASK64).to_bytes(8, "little")[:size]))
            elif stack:
                pieces.append(Piece(size, address=stack[-1]))
            else:
                pieces.append(Piece(size, missing=OPTIMIZED_AWAY))
            pending, is_value, stack = None, False, []
            continue
        if _OP_REG0 <= op <= _OP_REG31 or op == _OP_REGX:
            if op == _OP_REGX:
                number, pos = _uleb(expr, pos)
            else:
                number = op - _OP_REG0
            pending = _register_piece(number, state)
            continue
        if op == _OP_IMPLICIT_VALUE:
            length, pos = _uleb(expr, pos)
            pending = Piece(None, data=bytes(expr[pos : pos + length]))
            pos += length
            continue
        pos = _step(op, expr, pos, stack, state)
        if op == _OP_STACK_VALUE:
            is_value = True
    else:
        raise LocationError("location expression too long")
    if pending is not None:
        pieces.append(pending)
    elif is_value and stack:
        pieces.append(Piece(None, data=(stack[-1] & _MASK64).to_bytes(8, "little")))
    elif stack:
        pieces.append(Piece(None, address=stack[-1]))
    if not pieces:
        pieces.append(Piece(None, missing=OPTIMIZED_AWAY))
    return pieces


def _fit(data: bytes | None, size: int) -> bytes | None:
    if data is None:
        return None
    return data[:size] if len(data) >= size else data + bytes(size - len(data))


def _register_piece(number: int, state: FrameState) -> Piece:
    value = state.register(number) if state.register is not None else None
    if value is None:
        return Piece(None, missing=UNSAVED_REGISTER)
    data = value if isinstance(value, bytes) else (value & _MASK64).to_bytes(8, "little")
    return Piece(None, data=data)


def _step(op: int, expr: bytes, pos: int, stack: list[int], state: FrameState) -> int:
    """Execute one stack operation; returns the new position."""
    if op == _OP_ADDR:
        stack.append(struct.unpack_from("<Q", expr, pos)[0] + state.bias)
        return pos + 8
    if op == _OP_ADDRX:
        index, pos = _uleb(expr, pos)
        if state.address_index is None:
            raise LocationError("DW_OP_addrx without .debug_addr")
        stack.append(state.address_index(index) + state.bias)
        return pos
    if op == _OP_CALL_FRAME_CFA:
        stack.append(_cfa(state))
        return pos
    if op == _OP_FBREG:
        offset, pos = _sleb(expr, pos)
        stack.append((_cfa(state) if state.frame_base is None else state.frame_base) + offset)
        return pos
    if _OP_BREG0 <= op <= _OP_BREG31 or op == _OP_BREGX:
        if op == _OP_BREGX:
            number, pos = _uleb(expr, pos)
        else:
            number = op - _OP_BREG0
        offset, pos = _sleb(expr, pos)
        value = state.register(number) if state.register is not None else None
        if not isinstance(value, int):
            raise LocationError(UNSAVED_REGISTER)
        stack.append(value + offset)
        return pos
    if _OP_LIT0 <= op <= _OP_LIT31:
        stack.append(op - _OP_LIT0)
        return pos
    if op in _CONSTS:
        fmt = _CONSTS[op]
        stack.append(struct.unpack_from(fmt, expr, pos)[0])
        return pos + struct.calcsize(fmt)
    if op == _OP_CONSTU:
        value, pos = _uleb(expr, pos)
        stack.append(value)
        return pos
    if op == _OP_CONSTS:
        value, pos = _sleb(expr, pos)
        stack.append(value)
        return pos
    if op == _OP_PLUS_UCONST:
        value, pos = _uleb(expr, pos)
        _need(stack, 1)
        stack[-1] += value
        return pos
    if op in (_OP_PLUS, _OP_MINUS):
        _need(stack, 2)
        b, a = stack.pop(), stack.pop()
        stack.append(a + b if op == _OP_PLUS else a - b)
        return pos
    if op == _OP_DUP:
        _need(stack, 1)
        stack.append(stack[-1])
        return pos
    if op == _OP_DROP:
        _need(stack, 1)
        stack.pop()
        return pos
    if op == _OP_DEREF:
        _need(stack, 1)
        stack.append(state.read_u64(stack.pop()))
        return pos
    if op == _OP_STACK_VALUE:
        return pos
    raise LocationError(f"unsupported DWARF operation {op:#x}")


def _need(stack: list[int], count: int) -> None:
    if len(stack) < count:
        raise LocationError("DWARF expression stack underflow")


def _cfa(state: FrameState) -> int:
    if state.cfa is None:
        raise LocationError("the frame's canonical frame address is unknown")
    return state.cfa
