"""The CPU architectures godap reads, each described once: register sets as the Linux kernel
writes them (NT_PRSTATUS, a signal frame's ucontext), DWARF register numbers, which registers
are pc, sp, frame pointer and link register, how a call leaves its return address, and the
disassembler to use. Everything architecture-specific elsewhere asks this module.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from .elf import EM_AARCH64, EM_X86_64, MACHINE_NAMES

_AMD64_GREGS = (
    "r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax "
    "rip cs eflags rsp ss fs_base gs_base ds es fs gs"
).split()
# The ucontext_t mcontext gregs order of linux/amd64 (sys/ucontext.h), as a signal frame saves them.
_AMD64_MCONTEXT_GREGS = (
    "r8 r9 r10 r11 r12 r13 r14 r15 rdi rsi rbp rbx rdx rax rcx rsp rip eflags csgsfs err trapno oldmask cr2"
).split()
# DWARF register numbers of amd64 (System V psABI), as Go's compiler emits them.
_AMD64_DWARF = "rax rdx rcx rbx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip".split() + [
    f"xmm{i}" for i in range(16)
]

# arm64 `user_pt_regs` (NT_PRSTATUS) and a sigcontext's regs/sp/pc/pstate share one order.
_ARM64_GREGS = [f"x{i}" for i in range(31)] + ["sp", "pc", "pstate"]
# DWARF for the Arm 64-bit architecture: x0–x30 are 0–30, sp 31, v0–v31 64–95.
_ARM64_DWARF = {i: f"x{i}" for i in range(31)} | {31: "sp"} | {64 + i: f"v{i}" for i in range(32)}


class Arch(NamedTuple):
    """One architecture's conventions (Linux, 64-bit, little-endian)."""

    name: str  # as GOARCH spells it
    machine: int  # ELF e_machine
    gregs: tuple[str, ...]  # the general registers of NT_PRSTATUS (and ptrace), in order
    pc: str
    sp: str
    fp: str
    lr: str | None  # the link register, on machines whose calls leave the return address there
    dwarf: dict[int, str]  # DWARF register number -> name; vector registers hold bytes
    dwarf_sp: int  # the DWARF numbers of sp and the frame pointer, and the return address column
    dwarf_fp: int
    dwarf_ra: int
    vector_prefix: str
    fpregset_vectors: tuple[int, int]  # NT_FPREGSET: where the 16-byte vector registers start, how many
    mcontext_gregs: tuple[str, ...]  # the registers of a signal frame's mcontext, in order
    # Where the kernel's signal frame puts the saved registers and the siginfo, relative to the
    # stack pointer the handler was entered with (Go's sigtramp: its CFA).
    sigframe_regs: int
    sigframe_siginfo: int
    return_address_pushed: bool  # a call pushes the return address (x86) rather than setting lr
    display_order: tuple[str, ...]  # the general registers as a registers view lists them
    capstone: tuple[str, str]  # capstone's CS_ARCH_* and CS_MODE_* names

    @property
    def description(self) -> str:
        return MACHINE_NAMES.get(self.machine, self.name)

    @property
    def gregs_struct(self) -> struct.Struct:
        return struct.Struct(f"<{len(self.gregs)}Q")

    @property
    def mcontext_struct(self) -> struct.Struct:
        return struct.Struct(f"<{len(self.mcontext_gregs)}Q")


AMD64 = Arch(
    name="amd64",
    machine=EM_X86_64,
    gregs=tuple(_AMD64_GREGS),
    pc="rip",
    sp="rsp",
    fp="rbp",
    lr=None,
    dwarf=dict(enumerate(_AMD64_DWARF)),
    dwarf_sp=7,
    dwarf_fp=6,
    dwarf_ra=16,
    vector_prefix="xmm",
    fpregset_vectors=(160, 16),  # the 512-byte FXSAVE area
    mcontext_gregs=tuple(_AMD64_MCONTEXT_GREGS),
    # rt_sigframe: the return address (pretcode), then the ucontext (mcontext at 40), then siginfo.
    sigframe_regs=40,
    sigframe_siginfo=304,
    return_address_pushed=True,
    display_order=tuple(
        "rip rsp rbp rax rbx rcx rdx rsi rdi r8 r9 r10 r11 r12 r13 r14 r15 eflags fs_base gs_base".split()
    ),
    capstone=("CS_ARCH_X86", "CS_MODE_64"),
)

ARM64 = Arch(
    name="arm64",
    machine=EM_AARCH64,
    gregs=tuple(_ARM64_GREGS),
    pc="pc",
    sp="sp",
    fp="x29",
    lr="x30",
    dwarf=_ARM64_DWARF,
    dwarf_sp=31,
    dwarf_fp=29,
    dwarf_ra=30,
    vector_prefix="v",
    fpregset_vectors=(0, 32),  # user_fpsimd_state
    mcontext_gregs=tuple(_ARM64_GREGS),
    # rt_sigframe: siginfo (128 bytes), then the ucontext; its sigcontext is at 176 and starts
    # with fault_address, then regs[31], sp, pc, pstate.
    sigframe_regs=128 + 176 + 8,
    sigframe_siginfo=0,
    return_address_pushed=False,
    display_order=("pc", "sp", "x29", "x30", *(f"x{i}" for i in range(29)), "pstate"),
    capstone=("CS_ARCH_ARM64", "CS_MODE_ARM"),
)

ARCHES = {arch.machine: arch for arch in (AMD64, ARM64)}


def arch_for_machine(machine: int) -> Arch | None:
    """The architecture of an ELF e_machine, None if godap does not read it."""
    return ARCHES.get(machine)


def supported_description() -> str:
    """For messages: "x86-64 or arm64"."""
    return " or ".join(MACHINE_NAMES[m] for m in ARCHES)
