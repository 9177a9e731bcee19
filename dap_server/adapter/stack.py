"""Go frames as DAP stack frames: names, sources, hints that keep the runtime out of the way."""

from __future__ import annotations

import os

from ..dap.messages import Source, StackFrame
from ..goruntime.describe import CreatedBy
from ..goruntime.frames import Frame, is_runtime_function
from ..session import Session


def is_deemphasized(frame: Frame) -> bool:
    """Runtime internals (and anything on a signal or scheduler stack) stay visible but quiet."""
    return is_runtime_function(frame.function) or frame.stack != "goroutine"


def frame_source(session: Session, recorded: str, quiet: bool) -> Source | None:
    if not recorded or recorded.startswith("<") or not os.path.isabs(recorded):
        return None
    local = session.local_path(recorded)
    return Source(
        name=os.path.basename(local),
        path=local,
        presentationHint="deemphasize" if quiet else None,
    )


def stack_frame(session: Session, frame_id: int, frame: Frame) -> StackFrame:
    if frame.is_synthetic:
        return StackFrame(id=frame_id, name=frame.note or "", line=0, column=0, presentationHint="label")
    quiet = is_deemphasized(frame)
    name = frame.function + (" (inlined)" if frame.inlined else "")
    source = frame_source(session, frame.file, quiet) if not frame.foreign else None
    return StackFrame(
        id=frame_id,
        name=name,
        source=source,
        line=frame.line if source is not None else 0,
        column=1 if source is not None else 0,
        instructionPointerReference=f"{frame.pc:#x}",
        presentationHint="subtle" if quiet else None,
    )


def created_by_frame(session: Session, frame_id: int, created: CreatedBy) -> StackFrame:
    text = f"created by {created.function}"
    if created.parent_goid:
        text += f" in goroutine {created.parent_goid}"
    source = frame_source(session, created.file, False)
    return StackFrame(
        id=frame_id,
        name=text,
        source=source,
        line=created.line if source is not None else 0,
        column=1 if source is not None else 0,
        presentationHint="label",
    )
