"""Which global addresses a function's machine code refers to (RIP-relative operands).

For binaries without a symbol table this recovers runtime variables from the code that uses
them: runtime.allgadd reads and writes the three words of the `allgs` slice, so the address
whose +8 and +16 are also referenced is `allgs`.
"""

from __future__ import annotations

from typing import Any

from .program import Program

MAX_FUNCTION = 1 << 16


def _instructions(program: Program, function: str) -> list[Any]:
    """`function`'s machine code decoded (capstone instructions with operand details)."""
    func = program.pclntab.function_named(function)
    if func is None or func.end - func.entry > MAX_FUNCTION:
        return []
    code = program.image.read_link(func.entry - program.bias, func.end - func.entry)
    if code is None:
        return []
    import capstone  # loaded only when a function's code is searched

    engine = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    engine.detail = True
    return list(engine.disasm(code, func.entry))


def rip_targets(program: Program, function: str) -> list[int]:
    """Run-time addresses of memory operands `[rip + disp]` in `function`, in code order."""
    from capstone import x86

    targets = []
    for insn in _instructions(program, function):
        for operand in insn.operands:
            if operand.type == x86.X86_OP_MEM and operand.mem.base == x86.X86_REG_RIP:
                targets.append(insn.address + insn.size + operand.mem.disp)
    return targets


def call_targets(program: Program, function: str) -> list[int]:
    """Run-time addresses that `function`'s direct calls (`call rel32`) go to, in code order."""
    from capstone import x86

    return [
        insn.operands[0].imm
        for insn in _instructions(program, function)
        if insn.id == x86.X86_INS_CALL and insn.operands and insn.operands[0].type == x86.X86_OP_IMM
    ]


def slice_header(targets: list[int]) -> int | None:
    """The address A such that A, A+8 and A+16 are all referenced (a slice's ptr, len and cap)."""
    referenced = set(targets)
    for address in sorted(referenced):
        if address + 8 in referenced and address + 16 in referenced:
            return address
    return None
