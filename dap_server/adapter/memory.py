"""readMemory, disassemble, loadedSources and modules: the debuggee's memory and the executable as
DAP bodies."""

from __future__ import annotations

import base64
import os

from ..dap.bodies import DisassembleResponseBody, LoadedSourcesResponseBody, ModulesResponseBody, ReadMemoryResponseBody
from ..dap.errors import DapError
from ..dap.messages import DisassembledInstruction, Module
from ..dap.requests import DisassembleArguments, ReadMemoryArguments
from ..goruntime.disassembly import MAX_INSTRUCTIONS  # as far as a disassemble request may reach
from ..session import Session
from .stack import frame_source

MAX_READ = 16 << 20


def parse_reference(reference: str) -> int:
    try:
        value = int(reference, 0)
    except ValueError as exc:
        raise DapError(f"memory reference {reference!r} is not an address") from exc
    if not 0 <= value < 1 << 64:
        raise DapError(f"memory reference {reference!r} is out of range")
    return value


def read_memory(session: Session, args: ReadMemoryArguments) -> ReadMemoryResponseBody:
    """The readable prefix of the range; an error when its first byte cannot be read."""
    start = parse_reference(args.memoryReference) + args.offset
    count = max(0, min(args.count, MAX_READ))
    if start < 0 or start >= 1 << 64:
        raise DapError(f"address {start:#x} is out of range")
    data, reason = session.read_memory(start, count)
    if not data and count:
        raise DapError(f"cannot read memory at {start:#x}: {reason}")
    return ReadMemoryResponseBody(
        address=f"{start:#x}",
        data=base64.b64encode(bytes(data)).decode("ascii"),
        unreadableBytes=count - len(data) or None,
    )


def disassemble(session: Session, args: DisassembleArguments) -> DisassembleResponseBody:
    if abs(args.instructionOffset) > MAX_INSTRUCTIONS:
        raise DapError(
            f"instructionOffset {args.instructionOffset} is too far: godap disassembles at most "
            f"{MAX_INSTRUCTIONS:,} instructions away from an address"
        )
    address = parse_reference(args.memoryReference) + args.offset
    instructions = session.disassembler().around(address, args.instructionOffset, args.instructionCount)
    result = []
    previous: tuple[str | None, int] = (None, 0)
    for insn in instructions:
        if not insn.valid:
            result.append(
                DisassembledInstruction(address=f"{insn.address:#x}", instruction="??", presentationHint="invalid")
            )
            continue
        where = (insn.file, insn.line)
        new_line = where != previous and insn.file is not None
        previous = where
        result.append(
            DisassembledInstruction(
                address=f"{insn.address:#x}",
                instructionBytes=insn.raw.hex(" "),
                instruction=insn.text,
                symbol=insn.symbol if args.resolveSymbols or insn.offset == 0 else None,
                location=frame_source(session, insn.file, False) if new_line and insn.file else None,
                line=insn.line if new_line else None,
            )
        )
    return DisassembleResponseBody(instructions=result)


def loaded_sources(session: Session) -> LoadedSourcesResponseBody:
    sources = []
    for recorded in sorted(session.recorded_sources()):
        source = frame_source(session, recorded, False)
        if source is not None:
            sources.append(source)
    return LoadedSourcesResponseBody(sources=sources)


def modules(session: Session, start: int, count: int) -> ModulesResponseBody:
    exe = session.executable_info()
    low, high = exe.text_range
    entries = [
        Module(
            id=0,
            name=exe.name,
            path=exe.path,
            version=exe.go_version or None,
            isUserCode=True,
            symbolStatus=exe.symbols,
            addressRange=f"{low:#x}-{high:#x}",
        )
    ]
    for i, (path, version) in enumerate(exe.dependencies, start=1):
        entries.append(
            Module(id=i, name=path, version=version, isUserCode=False, symbolStatus="linked into the executable")
        )
    for j, (path, low, high) in enumerate(session.shared_libraries(), start=len(entries)):
        entries.append(
            Module(
                id=j,
                name=os.path.basename(path),
                path=path,
                isUserCode=False,
                symbolStatus="not loaded (shared library)",
                addressRange=f"{low:#x}-{high:#x}",
            )
        )
    total = len(entries)
    start = max(0, start)
    chosen = entries[start : start + count] if count > 0 else entries[start:]
    return ModulesResponseBody(modules=chosen, totalModules=total)
