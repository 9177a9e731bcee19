"""Scopes and variables: Go values as DAP variables, with references the client can expand.

A reference names either a scope of a frame (decoded when first expanded) or a Value (whose
children are decoded, one page at a time, when the client expands it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..dap.messages import Scope, Variable, VariablePresentationHint
from ..goruntime.frames import Frame, package_of
from ..session import Session
from .handles import HandleTable

if TYPE_CHECKING:
    from ..goruntime.values.base import Value

ARGUMENTS, LOCALS, GLOBALS, REGISTERS = "Arguments", "Locals", "Globals", "Registers"
BLOCKED_ON = "Blocked on"
_HINTS = {ARGUMENTS: "arguments", LOCALS: "locals", REGISTERS: "registers"}
DEFAULT_PAGE = 1024


class ScopeRef(NamedTuple):
    goid: int
    frame_index: int
    scope: str


class VariableRefs:
    """variablesReference → ScopeRef or Value, bounded like every handle table."""

    def __init__(self) -> None:
        self._table: HandleTable[object] = HandleTable()

    def ref(self, node: ScopeRef | Value) -> int:
        return self._table.id_for(node)

    def get(self, ref: int) -> ScopeRef | Value | None:
        return self._table.get(ref)  # type: ignore[return-value]  # only ScopeRefs and Values go in

    def clear(self) -> None:
        """Forget every reference (the process ran: they name values of a stop that is gone)."""
        self._table.clear()


def frame_scopes(session: Session, refs: VariableRefs, goid: int, index: int, frame: Frame) -> list[Scope]:
    if frame.is_synthetic:
        return []
    names = [] if frame.foreign and not session.has_c_variables(frame) else [ARGUMENTS, LOCALS]
    if session.options.show_global_variables and not frame.foreign and frame.function:
        names.append(GLOBALS)
    if session.options.show_registers:
        names.append(REGISTERS)
    g = session.goroutine(goid)
    if index == 0 and g is not None and session.wait_of(g) is not None:
        names.insert(0, BLOCKED_ON)  # on the top frame: what the whole goroutine waits on
    scopes = []
    for name in names:
        label = f"Globals ({package_of(frame.function)})" if name == GLOBALS else name
        scopes.append(
            Scope(
                name=label,
                presentationHint=_HINTS.get(name),
                variablesReference=refs.ref(ScopeRef(goid, index, name)),
                expensive=name == GLOBALS,
            )
        )
    return scopes


def scope_values(session: Session, goid: int, frame: Frame, scope: str) -> list[Value]:
    if scope == BLOCKED_ON:
        g = session.goroutine(goid)
        return session.blocked_on_values(g) if g is not None else []
    if scope == ARGUMENTS:
        return session.arguments(frame)
    if scope == LOCALS:
        return session.locals(frame)
    if scope == GLOBALS:
        return session.package_globals(package_of(frame.function))
    return session.registers(frame)


def page(values: list[Value], start: int, count: int) -> list[Value]:
    start = max(0, start)
    return values[start : start + count] if count > 0 else values[start:]


def children(value: Value, filter_: str | None, start: int, count: int) -> list[Value]:
    if filter_ == "named":
        return value.named_children()
    if filter_ == "indexed":
        return value.indexed_children(max(0, start), count if count > 0 else DEFAULT_PAGE)
    return value.children(max(0, start), count if count > 0 else None)


def to_variable(refs: VariableRefs, value: Value) -> Variable:
    expandable = value.has_children
    named = value.child_count_named if expandable else 0
    indexed = value.child_count_indexed if expandable else 0
    memory = value.memory_reference
    return Variable(
        name=value.name,
        value=value.summary,
        type=value.type_name,
        evaluateName=value.evaluate_name,
        variablesReference=refs.ref(value) if expandable else 0,
        namedVariables=named or None,
        indexedVariables=indexed or None,
        memoryReference=f"{memory:#x}" if memory else None,
        presentationHint=_hint(value),
    )


def _hint(value: Value) -> VariablePresentationHint | None:
    if value.unreadable is not None:
        return VariablePresentationHint(attributes=["readOnly", "failedEvaluation"])
    return VariablePresentationHint(attributes=["readOnly"])
