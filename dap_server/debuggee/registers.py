"""Register sets of a stopped thread, named as the kernel's register structs name them (the
architecture's layouts are binfmt/arch.py's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..binfmt.arch import AMD64, Arch


@dataclass(slots=True)
class Registers:
    """General-purpose registers by name, plus the 16-byte vector registers when known."""

    values: dict[str, int]
    vectors: dict[str, bytes] = field(default_factory=dict)
    arch: Arch = AMD64

    @property
    def pc(self) -> int:
        return self.values.get(self.arch.pc, 0)

    @property
    def sp(self) -> int:
        return self.values.get(self.arch.sp, 0)

    @property
    def bp(self) -> int:
        return self.values.get(self.arch.fp, 0)

    @property
    def lr(self) -> int:
        """The link register (0 on machines without one)."""
        return self.values.get(self.arch.lr, 0) if self.arch.lr else 0

    def by_dwarf_number(self, number: int) -> int | bytes | None:
        """The value of DWARF register `number`: an int for general registers, bytes for vectors."""
        name = self.arch.dwarf.get(number)
        if name is None:
            return None
        if name.startswith(self.arch.vector_prefix):
            return self.vectors.get(name)
        return self.values.get(name)


def from_prstatus(raw: bytes, arch: Arch = AMD64) -> Registers:
    """The general registers of an NT_PRSTATUS `pr_reg` (or ptrace's GETREGS) of `arch`."""
    return Registers(dict(zip(arch.gregs, arch.gregs_struct.unpack_from(raw), strict=True)), arch=arch)


def amd64_to_prstatus(registers: Registers) -> bytes:
    """The `user_regs_struct` bytes of `registers` (a register not known is written as 0)."""
    return AMD64.gregs_struct.pack(*(registers.values.get(name, 0) for name in AMD64.gregs))


def from_mcontext(raw: bytes, arch: Arch) -> Registers:
    """The registers a signal frame saved (the mcontext's general registers of `arch`)."""
    return Registers(dict(zip(arch.mcontext_gregs, arch.mcontext_struct.unpack_from(raw), strict=True)), arch=arch)


def vectors_from_fpregset(raw: bytes, arch: Arch = AMD64) -> dict[str, bytes]:
    """The vector registers of an NT_FPREGSET (ptrace's GETFPREGS): xmm0–xmm15 from amd64's
    512-byte FXSAVE area, v0–v31 from arm64's `user_fpsimd_state`."""
    start, count = arch.fpregset_vectors
    if len(raw) < start + 16 * count:
        return {}
    return {f"{arch.vector_prefix}{i}": raw[start + 16 * i : start + 16 * i + 16] for i in range(count)}
