"""Which global addresses a function's machine code refers to (RIP-relative operands on x86-64,
ADRP-relative ones on arm64).

For binaries without a symbol table this recovers runtime variables from the code that uses
them: runtime.allgadd reads and writes the three words of the `allgs` slice, so the address
whose +8 and +16 are also referenced is `allgs`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .program import Program

MAX_FUNCTION = 1 << 16
_IMMEDIATE = 2  # capstone's operand type IMM, the same number for x86 and arm64


def _instructions(program: Program, function: str) -> list[Any]:
    """`function`'s machine code decoded (capstone instructions with operand details)."""
    func = program.pclntab.function_named(function)
    if func is None or func.end - func.entry > MAX_FUNCTION:
        return []
    code = program.image.read_link(func.entry - program.bias, func.end - func.entry)
    if code is None:
        return []
    import capstone  # loaded only when a function's code is searched

    arch, mode = program.image.arch.capstone
    engine = capstone.Cs(getattr(capstone, arch), getattr(capstone, mode))
    engine.detail = True
    return list(engine.disasm(code, func.entry))


def data_refs(program: Program, function: str) -> list[int]:
    """Run-time addresses of the globals `function`'s code refers to, in code order: x86-64's
    `[rip + disp]` operands; arm64's ADRP page plus the offset of the ADD, load or store that
    follows it (a load or store pair refers to two words)."""
    instructions = _instructions(program, function)
    if program.image.arch.return_address_pushed:
        return _rip_relative(instructions)
    return _page_relative(instructions)


def call_targets(program: Program, function: str) -> list[int]:
    """Run-time addresses that `function`'s direct calls go to (x86-64's `call rel32`, arm64's
    `bl`), in code order."""
    return [
        insn.operands[0].imm
        for insn in _instructions(program, function)
        if insn.mnemonic in ("call", "bl") and insn.operands and insn.operands[0].type == _IMMEDIATE
    ]


def _rip_relative(instructions: Iterable[Any]) -> list[int]:
    from capstone import x86

    targets = []
    for insn in instructions:
        for operand in insn.operands:
            if operand.type == x86.X86_OP_MEM and operand.mem.base == x86.X86_REG_RIP:
                targets.append(insn.address + insn.size + operand.mem.disp)
    return targets


def _page_relative(instructions: Iterable[Any]) -> list[int]:
    from capstone import arm64

    targets: list[int] = []
    known: dict[int, int] = {}  # register -> the address it holds (from ADRP, then ADD)
    for insn in instructions:
        ops = insn.operands
        if insn.mnemonic == "adrp":
            known[ops[0].reg] = ops[1].imm
            continue
        computed = None
        if (
            insn.mnemonic == "add"
            and len(ops) == 3
            and ops[1].type == arm64.ARM64_OP_REG
            and ops[1].reg in known
            and ops[2].type == arm64.ARM64_OP_IMM
        ):
            computed = known[ops[1].reg] + ops[2].imm
            targets.append(computed)
        for operand in ops:
            if operand.type == arm64.ARM64_OP_MEM and operand.mem.base in known:
                address = known[operand.mem.base] + operand.mem.disp
                targets.append(address)
                if insn.mnemonic in ("ldp", "stp"):
                    targets.append(address + 8)
        _, written = insn.regs_access()
        for reg in written:
            known.pop(reg, None)
        if computed is not None:
            known[ops[0].reg] = computed
    return targets


def slice_header(targets: list[int]) -> int | None:
    """The address A such that A, A+8 and A+16 are all referenced (a slice's ptr, len and cap)."""
    referenced = set(targets)
    for address in sorted(referenced):
        if address + 8 in referenced and address + 16 in referenced:
            return address
    return None
