"""Register sets of a stopped thread, named as the kernel's `user_regs_struct` names them."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

AMD64_GREGS = (
    "r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax "
    "rip cs eflags rsp ss fs_base gs_base ds es fs gs"
).split()
_AMD64_GREGS_STRUCT = struct.Struct(f"<{len(AMD64_GREGS)}Q")

# The ucontext_t mcontext gregs order of linux/amd64 (sys/ucontext.h), as a signal frame saves them.
AMD64_MCONTEXT_GREGS = (
    "r8 r9 r10 r11 r12 r13 r14 r15 rdi rsi rbp rbx rdx rax rcx rsp rip eflags csgsfs err trapno oldmask cr2"
).split()
MCONTEXT_STRUCT = struct.Struct(f"<{len(AMD64_MCONTEXT_GREGS)}Q")

# DWARF register numbers of amd64 (System V psABI), as Go's compiler emits them.
AMD64_DWARF_NAMES = "rax rdx rcx rbx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip".split() + [
    f"xmm{i}" for i in range(16)
]


@dataclass(slots=True)
class Registers:
    """General-purpose registers by name, plus the 16-byte vector registers when known."""

    values: dict[str, int]
    vectors: dict[str, bytes] = field(default_factory=dict)

    @property
    def pc(self) -> int:
        return self.values.get("rip", 0)

    @property
    def sp(self) -> int:
        return self.values.get("rsp", 0)

    @property
    def bp(self) -> int:
        return self.values.get("rbp", 0)

    def by_dwarf_number(self, number: int) -> int | bytes | None:
        """The value of DWARF register `number`: an int for general registers, bytes for xmm."""
        if number < 0 or number >= len(AMD64_DWARF_NAMES):
            return None
        name = AMD64_DWARF_NAMES[number]
        if name.startswith("xmm"):
            return self.vectors.get(name)
        return self.values.get(name)


def amd64_from_prstatus(raw: bytes) -> Registers:
    return Registers(dict(zip(AMD64_GREGS, _AMD64_GREGS_STRUCT.unpack_from(raw), strict=True)))


def amd64_to_prstatus(registers: Registers) -> bytes:
    """The `user_regs_struct` bytes of `registers` (a register not known is written as 0)."""
    return _AMD64_GREGS_STRUCT.pack(*(registers.values.get(name, 0) for name in AMD64_GREGS))


def amd64_from_mcontext(raw: bytes) -> Registers:
    return Registers(dict(zip(AMD64_MCONTEXT_GREGS, MCONTEXT_STRUCT.unpack_from(raw), strict=True)))


def amd64_vectors_from_fxsave(raw: bytes) -> dict[str, bytes]:
    """xmm0–xmm15 from a 512-byte FXSAVE area (NT_FPREGSET)."""
    if len(raw) < 160 + 16 * 16:
        return {}
    return {f"xmm{i}": raw[160 + 16 * i : 176 + 16 * i] for i in range(16)}
