"""Bit sets: a defined integer type whose named constants are all powers of two (nats-server's
`clientFlag`, `os.FileMode`-like types) shows its value as the names of its bits,
`connectReceived|firstPongSent|writeLoopStarted (261)`."""

from __future__ import annotations

from ...program.dwarf.dies import DwarfError
from ...program.dwarf.types import GoType
from .context import ProcessReader

Flags = tuple[tuple[int, str], ...]


def flag_names(ctx: ProcessReader, gotype: GoType) -> Flags:
    """(bit, name) of the type's constants, lowest bit first (a zero constant first of all); ()
    unless it has two or more powers of two and no other values (cached per type for the process)."""
    found = ctx.flag_sets.get(gotype.name)
    if found is None:
        found = ctx.flag_sets[gotype.name] = _read_flags(ctx, gotype)
    return found


def _read_flags(ctx: ProcessReader, gotype: GoType) -> Flags:
    package, dot, _ = gotype.name.rpartition(".")
    if not dot or "[" in gotype.name or not ctx.program.dwarf.present:
        return ()
    try:
        constants = [
            (value, name.rsplit(".", 1)[1])
            for name, offset, value in ctx.program.dwarf.package_constants(package)
            if offset is not None and ctx.types.at(offset).name == gotype.name
        ]
    except DwarfError:
        return ()
    bits = [value for value, _ in constants if value > 0]
    if len(bits) < 2 or any(value < 0 or value & (value - 1) for value, _ in constants):
        return ()
    return tuple(sorted(constants))


def render_flags(value: int, flags: Flags) -> str | None:
    """`a|b|0x40 (69)` for a value of a bit-set type (`none (0)` where a constant names 0), None
    for other values."""
    if value < 0 or not flags:
        return None
    if value == 0:
        zero = next((name for bit, name in flags if bit == 0), None)
        return f"{zero} (0)" if zero is not None else None
    names = [name for bit, name in flags if value & bit]
    rest = value & ~sum(bit for bit, _ in flags)
    if rest:
        names.append(hex(rest))
    return f"{'|'.join(names)} ({value})"
