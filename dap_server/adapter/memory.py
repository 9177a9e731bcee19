"""readMemory, disassemble, loadedSources and modules: the core's memory and the executable as
DAP bodies."""

from __future__ import annotations

import base64
import os
from typing import TYPE_CHECKING

from ..dap.bodies import DisassembleResponseBody, LoadedSourcesResponseBody, ModulesResponseBody, ReadMemoryResponseBody
from ..dap.errors import DapError
from ..dap.messages import DisassembledInstruction, Module
from ..dap.requests import DisassembleArguments, ReadMemoryArguments
from ..debuggee.errors import UnreadableMemory
from ..session import Session
from .stack import frame_source

if TYPE_CHECKING:
    from ..goruntime.disassembly import Disassembler

MAX_INSTRUCTIONS = 100_000  # as far as a disassemble request may reach (goruntime.disassembly's own bound)

MAX_READ = 16 << 20
_CHUNK = 4096


def parse_reference(reference: str) -> int:
    try:
        value = int(reference, 0)
    except ValueError as exc:
        raise DapError(f"memory reference {reference!r} is not an address") from exc
    if not 0 <= value < 1 << 64:
        raise DapError(f"memory reference {reference!r} is out of range")
    return value


def read_memory(session: Session, args: ReadMemoryArguments) -> ReadMemoryResponseBody:
    """The readable prefix of the range; an error when its first byte is not in the core."""
    start = parse_reference(args.memoryReference) + args.offset
    count = max(0, min(args.count, MAX_READ))
    if start < 0 or start >= 1 << 64:
        raise DapError(f"address {start:#x} is out of range")
    memory = session.process.memory
    data = bytearray()
    reason = None
    cursor = start
    while cursor < start + count:
        take = min(_CHUNK - cursor % _CHUNK, start + count - cursor)
        try:
            data += memory.read(cursor, take)
        except UnreadableMemory as exc:
            reason = exc.reason
            break
        cursor += take
    if not data and count:
        raise DapError(f"cannot read memory at {start:#x}: {reason}")
    return ReadMemoryResponseBody(
        address=f"{start:#x}",
        data=base64.b64encode(bytes(data)).decode("ascii"),
        unreadableBytes=count - len(data) or None,
    )


def disassemble(session: Session, disassembler: Disassembler, args: DisassembleArguments) -> DisassembleResponseBody:
    if abs(args.instructionOffset) > MAX_INSTRUCTIONS:
        raise DapError(
            f"instructionOffset {args.instructionOffset} is too far: godap disassembles at most "
            f"{MAX_INSTRUCTIONS:,} instructions away from an address"
        )
    address = parse_reference(args.memoryReference) + args.offset
    instructions = disassembler.around(address, args.instructionOffset, args.instructionCount)
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
    program = session.program
    info = program.buildinfo
    text = program.pclntab
    entries = [
        Module(
            id=0,
            name=(info.main_path if info and info.main_path else os.path.basename(program.path)),
            path=program.path,
            version=program.go_version or None,
            isUserCode=True,
            symbolStatus="symbols and DWARF"
            if program.dwarf.present
            else ("symbols, no DWARF" if program.symbols else "stripped (pclntab only)"),
            addressRange=f"{text.text_start:#x}-{text.text_end:#x}",
        )
    ]
    for i, dep in enumerate(info.deps if info else [], start=1):
        entries.append(
            Module(
                id=i,
                name=dep.path,
                version=dep.version + (f" => {dep.replaced_by}" if dep.replaced_by else ""),
                isUserCode=False,
                symbolStatus="linked into the executable",
            )
        )
    for j, (path, low, high) in enumerate(_libraries(session), start=len(entries)):
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


def _libraries(session: Session) -> list[tuple[str, int, int]]:
    """Shared objects the process had mapped (from NT_FILE), with their address ranges."""
    ranges: dict[str, tuple[int, int]] = {}
    exe = os.path.realpath(session.program.path)
    for mapping in session.core.file_mappings:
        path = mapping.path
        if not path or ".so" not in os.path.basename(path) or os.path.realpath(path) == exe:
            continue
        low, high = ranges.get(path, (mapping.start, mapping.end))
        ranges[path] = (min(low, mapping.start), max(high, mapping.end))
    return [(path, low, high) for path, (low, high) in sorted(ranges.items(), key=lambda item: item[1][0])]
