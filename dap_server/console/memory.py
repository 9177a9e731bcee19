"""Raw memory and machine code: `examinemem` (`x`) and `disassemble`.

Disassembly is goruntime.disassembly's (capstone, Intel syntax); source lines come from pclntab,
which records the innermost inlined position of every pc, as Delve shows them.
"""

from __future__ import annotations

import os

from ..goruntime.expr.evaluate import evaluate
from ..goruntime.expr.evaluate_values import operand
from ..goruntime.values.pointers import PointerValue
from ..program.dwarf.types import Kind
from ..program.pclntab import Func, Pclntab
from .base import ConsoleError, ConsoleResult, Where, integer, parse_flags

MAX_EXAMINE = 1 << 16  # bytes one `x` shows
ITEMS_PER_ROW = 8
MAX_DISASSEMBLY = 1 << 16  # bytes of code one `disassemble` decodes
_FORMATS = ("hex", "dec", "oct", "bin", "raw")
_ADDRESS_KINDS = frozenset({Kind.UNSAFE_POINTER, Kind.INT, Kind.UINT})


def examine(where: Where, args: list[str]) -> ConsoleResult:
    """x [-fmt hex|dec|oct|bin|raw] [-count N] [-size 1|2|4|8] ADDRESS | -x EXPR."""
    flags = parse_flags(args, frozenset(), frozenset({"-fmt", "-count", "-len", "-size", "-x"}))
    fmt = flags.options.get("-fmt", "hex")
    if fmt not in _FORMATS:
        raise ConsoleError(f"-fmt must be one of {', '.join(_FORMATS)}")
    size = integer(flags.options.get("-size", "1"), "-size")
    if size not in (1, 2, 4, 8):
        raise ConsoleError("-size must be 1, 2, 4 or 8")
    count = integer(flags.options.get("-count", flags.options.get("-len", "1")), "-count")
    if count <= 0 or count * size > MAX_EXAMINE:
        raise ConsoleError(f"-count must be between 1 and {MAX_EXAMINE // size}")
    address = _address(where, flags.options.get("-x") or " ".join(flags.words))
    data, reason = where.session.read_memory(address, count * size)
    if reason is not None:
        raise ConsoleError(f"cannot read {count * size} bytes at {address:#x}: {reason}")
    if fmt == "raw":
        return ConsoleResult(data.decode("latin-1"))
    items = [int.from_bytes(data[i : i + size], "little") for i in range(0, len(data), size)]
    lines = []
    for row in range(0, len(items), ITEMS_PER_ROW):
        cells = "   ".join(_cell(item, size, fmt) for item in items[row : row + ITEMS_PER_ROW])
        lines.append(f"{address + row * size:#x}:   {cells}")
    return ConsoleResult("\n".join(lines))


def _address(where: Where, text: str) -> int:
    """A number, or an expression: a pointer's target, an integer, or a variable's address."""
    if not text:
        raise ConsoleError("x needs an address or -x EXPRESSION")
    try:
        return int(text, 0)
    except ValueError:
        pass
    value = evaluate(where.scope, text)
    if isinstance(value, PointerValue) or value.gotype.kind in _ADDRESS_KINDS:
        data = operand(value).data
        if isinstance(data, int) and not isinstance(data, bool):
            return data & ((1 << 64) - 1)
    if value.address is not None:
        return value.address
    raise ConsoleError(f"{text} is neither an address nor addressable")


def _cell(item: int, size: int, fmt: str) -> str:
    if fmt == "dec":
        return f"{item:0{len(str((1 << 8 * size) - 1))}d}"
    if fmt == "oct":
        return f"0{item:0{(8 * size + 2) // 3}o}"
    if fmt == "bin":
        return f"{item:0{8 * size}b}"
    return f"0x{item:0{2 * size}x}"


def disassemble(where: Where, args: list[str]) -> ConsoleResult:
    """disassemble [-a START END] [-l FUNCTION]: the current frame's function by default."""
    flags = parse_flags(args, frozenset(), frozenset({"-l"}))
    session = where.session
    pcln = session.pclntab
    current = None
    if flags.words[:1] == ["-a"]:
        if len(flags.words) != 3:
            raise ConsoleError("disassemble -a needs a start and an end address")
        start, end = (integer(word, "an address") for word in flags.words[1:])
        title = f"{start:#x}-{end:#x}"
    else:
        func = _function(where, flags.options.get("-l"))
        start, end = func.entry, func.end
        frame = where.frame
        current = frame.pc if frame is not None and "-l" not in flags.options else None
        title = f"TEXT {func.name}(SB) {session.local_path(pcln.file_line(func, func.entry)[0])}"
    if not 0 < end - start <= MAX_DISASSEMBLY:
        raise ConsoleError(f"the range must hold between 1 and {MAX_DISASSEMBLY} bytes")
    lines = [title]
    for insn in session.disassembler().span(start, end):
        place = f"{os.path.basename(insn.file)}:{insn.line}" if insn.file else "?"
        marker = "=>" if insn.address == current else "  "
        text = _symbolic(pcln, insn.text) if insn.valid else "?? (unreadable)"
        lines.append(f"{marker}\t{place}\t{insn.address:#x}\t{insn.raw.hex():<20}\t{text}")
    return ConsoleResult("\n".join(lines))


def _function(where: Where, name: str | None) -> Func:
    pcln = where.session.pclntab
    if name is None:
        frame = where.require_frame()
        if frame.func is None:
            raise ConsoleError(f"frame {where.index} is not in Go code")
        return frame.func
    found = next((f for f in pcln.functions() if f.name == name), None)
    if found is None:
        raise ConsoleError(f"no function {name} (see `funcs`)")
    return found


def _symbolic(pcln: Pclntab, text: str) -> str:
    """`call 0x4012a0` as `call runtime.newobject`, as Delve prints calls and jumps to functions."""
    mnemonic, _, target = text.partition(" ")
    if not (mnemonic == "call" or mnemonic.startswith("j")) or not target.startswith("0x"):
        return text
    try:
        func = pcln.func_for_pc(int(target, 16))
    except ValueError:
        return text
    return f"{mnemonic} {func.name}" if func is not None and func.entry == int(target, 16) else text
