"""Machine code of the dumped process as x86-64 or arm64 instructions, with Go functions and lines.

Bytes come from the core's memory (text is read from the executable where the kernel left it
out); decoding is capstone's (Intel syntax on x86-64), for the executable's architecture;
function names and file:line come from pclntab.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..checkpoints import checkpoint
from ..debuggee.api import UnreadableMemory
from .process import GoProcess

MAX_INSTRUCTION = 15  # bytes: the longest x86-64 instruction (arm64's are all 4)
MAX_INSTRUCTIONS = 100_000
_PAGE = 4096
_ADDRESS_END = 1 << 64


class Instruction(NamedTuple):
    """One decoded instruction; `text` is empty and `size` 1 where memory cannot be read."""

    address: int
    size: int
    raw: bytes
    text: str
    function: str | None = None
    offset: int = 0
    file: str | None = None
    line: int = 0

    @property
    def valid(self) -> bool:
        return bool(self.text)

    @property
    def symbol(self) -> str | None:
        return f"{self.function}+{self.offset:#x}" if self.function else None


class Disassembler:
    def __init__(self, process: GoProcess) -> None:
        self._process = process
        self._engine: Any = None

    def _cs(self) -> Any:
        if self._engine is None:
            import capstone  # loaded on the first disassembly

            arch, mode = self._process.program.image.arch.capstone
            self._engine = capstone.Cs(getattr(capstone, arch), getattr(capstone, mode))
        return self._engine

    def around(self, address: int, instruction_offset: int, count: int) -> list[Instruction]:
        """Exactly `count` instructions, starting `instruction_offset` instructions from the one at
        `address` (negative: before it); placeholders fill what cannot be decoded."""
        count = max(0, min(count, MAX_INSTRUCTIONS))
        if instruction_offset < 0:
            wanted = -instruction_offset
            earlier = self._before(address, wanted)
            missing = wanted - len(earlier)
            start = earlier[0].address if earlier else address
            head = [Instruction(max(0, start - missing + i), 1, b"", "") for i in range(min(missing, count))]
            result = head + self.decode(start, count - len(head))
        else:
            result = self.decode(address, instruction_offset + count)[instruction_offset:]
        while len(result) < count:
            last = result[-1].address + result[-1].size if result else address
            result.append(Instruction(min(last, _ADDRESS_END - 1), 1, b"", ""))
        return result[:count]

    def function(self, pc: int) -> list[Instruction]:
        """Every instruction of the Go function containing `pc`."""
        func = self._process.program.pclntab.func_for_pc(pc)
        if func is None:
            return self.decode(pc, 32)
        return self.span(func.entry, func.end)

    def span(self, start: int, end: int) -> list[Instruction]:
        out: list[Instruction] = []
        cursor = start
        while cursor < end and len(out) < MAX_INSTRUCTIONS:
            batch = self.decode(cursor, 256, end)
            if not batch:
                break
            out.extend(batch)
            cursor = batch[-1].address + batch[-1].size
        return out

    def decode(self, start: int, count: int, end: int | None = None) -> list[Instruction]:
        """Up to `count` instructions from `start` (placeholders where memory is unreadable)."""
        out: list[Instruction] = []
        cursor = start
        limit = end if end is not None else start + count * MAX_INSTRUCTION
        limit = min(limit, _ADDRESS_END)
        while len(out) < count and cursor < limit:
            checkpoint()
            code = self._bytes(cursor, min(limit - cursor, (count - len(out)) * MAX_INSTRUCTION))
            if not code:
                # Unreadable up to the next page: one placeholder per byte, without reading again.
                stop = min(limit, (cursor | (_PAGE - 1)) + 1, cursor + count - len(out))
                out.extend(Instruction(address, 1, b"", "") for address in range(cursor, stop))
                cursor = stop
                continue
            decoded = 0
            for insn in self._cs().disasm(code, cursor):
                out.append(self._describe(insn.address, bytes(insn.bytes), f"{insn.mnemonic} {insn.op_str}".strip()))
                decoded += insn.size
                if len(out) >= count:
                    break
            if decoded == 0:
                out.append(Instruction(cursor, 1, code[:1], f".byte {code[0]:#04x}"))
                decoded = 1
            cursor += decoded
        return out

    def _bytes(self, address: int, size: int) -> bytes:
        """The readable bytes from `address`: all `size`, else those up to the end of its page."""
        memory = self._process.memory
        for length in (max(1, size), min(max(1, size), _PAGE - address % _PAGE)):
            try:
                return memory.read(address, length)
            except UnreadableMemory:
                continue
        return b""

    def _before(self, address: int, count: int) -> list[Instruction]:
        """The `count` instructions that end at `address`, found by decoding from a known boundary."""
        func = self._process.program.pclntab.func_for_pc(address)
        start = func.entry if func is not None else max(0, address - count * MAX_INSTRUCTION)
        if address - start > MAX_INSTRUCTIONS * MAX_INSTRUCTION:
            start = address - count * MAX_INSTRUCTION
        preceding = [insn for insn in self.span(start, address) if insn.address < address]
        return preceding[-count:]

    def _describe(self, address: int, raw: bytes, text: str) -> Instruction:
        pcln = self._process.program.pclntab
        func = pcln.func_for_pc(address)
        if func is None:
            return Instruction(address, len(raw), raw, text)
        file, line = pcln.file_line(func, address)
        return Instruction(address, len(raw), raw, text, func.name, address - func.entry, file, line)
