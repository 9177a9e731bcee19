"""What godap knows of one Go executable, true at every stop of the process that runs it."""

from __future__ import annotations

from ..debuggee.api import Memory, Thread
from ..program.program import Program
from .attachments import Attachments
from .layouts import RuntimeLayouts
from .stripped import recover_runtime_symbols
from .unwind import UnwindFacts


class GoBinary:
    """Per-binary facts: runtime struct layouts, the unwinder's per-pc facts, runtime symbols
    recovered for a stripped binary, and what other modules attach (package paths). Built once
    per session; the per-stop state (`GoProcess`) is built on it anew after the process runs."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.layouts = RuntimeLayouts(program)
        self.unwind_facts = UnwindFacts(program)
        self.attached = Attachments()
        self._recovery_notes: list[str] | None = None

    def recover_symbols(self, memory: Memory, threads: list[Thread]) -> list[str]:
        """Find the runtime variables of a stripped binary (once: they do not move); notes on what was done."""
        if self._recovery_notes is None:
            self._recovery_notes = recover_runtime_symbols(memory, self.program, self.layouts, threads)
        return self._recovery_notes
