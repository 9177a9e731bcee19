"""The lazy Value model: a name, a Go type, a location, and everything else decoded on demand.

A Value never raises to its caller. Reading problems become the value's `unreadable` reason and
an `unreadable: …` (or `<optimized away>`) summary; children are decoded only when asked for,
one page at a time. Subclasses (one per kind of Go value) override `render`, the child counts and
the child lists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Protocol

from ...debuggee.api import Memory
from ...program.dwarf.types import GoType
from ...program.program import Program
from .context import (
    DECODE_ERRORS,
    OPTIMIZED_AWAY,
    PAGE_LIMIT,
    PARTLY_OPTIMIZED_AWAY,
    SUMMARY_BUDGET,
    Loc,
    ProcessReader,
    Unreadable,
    reason_of,
)
from .rtypes import RuntimeTypes


class ValueMaker(Protocol):
    def __call__(
        self, ctx: ValueContext, name: str, gotype: GoType, loc: Loc, evaluate_name: str | None = None
    ) -> Value: ...


class ValueContext(ProcessReader):
    """Shared state and helpers for the values of one process: what ProcessReader reads, the
    process's runtime type descriptors, and the one function that makes a Value of a Go type
    (factory.make_value, handed in by factory.new_context)."""

    def __init__(
        self, memory: Memory, program: Program, goroutine_id: Callable[[int], int | None], make: ValueMaker
    ) -> None:
        super().__init__(memory, program)
        self.goroutine_id = goroutine_id
        self.make = make
        self.rtypes = RuntimeTypes(self)

    def value(self, name: str, gotype: GoType, loc: Loc, evaluate_name: str | None = None) -> Value:
        return self.make(self, name, gotype, loc, evaluate_name)


class Value:
    """One Go value (a variable, a field, an element...). Plain Python; no DAP types."""

    def __init__(
        self, ctx: ValueContext, name: str, gotype: GoType, loc: Loc, evaluate_name: str | None = None
    ) -> None:
        self.ctx = ctx
        self.name = name
        self.gotype = gotype
        self.loc = loc
        self.evaluate_name = evaluate_name

    # --- identity ---------------------------------------------------------------------

    @property
    def type_name(self) -> str:
        """The static Go type, as Go spells it."""
        return self.gotype.name

    @property
    def kind(self) -> str:
        return self.gotype.kind.value

    @property
    def address(self) -> int | None:
        """Where the value lives in the target, when it is addressable."""
        return self.loc.address

    @property
    def memory_reference(self) -> int | None:
        """The address worth opening in a memory view: the value's data for pointers, strings and
        slices, the value itself otherwise."""
        try:
            return self.referenced_address()
        except DECODE_ERRORS:
            return None

    def referenced_address(self) -> int | None:
        return self.address

    # --- reading ----------------------------------------------------------------------

    def read(self, offset: int, size: int) -> bytes:
        """`size` bytes at `offset` into the value."""
        loc = self.loc
        if loc.missing is not None:
            raise Unreadable(loc.missing)
        if loc.data is not None:
            if not loc.known(offset, size):
                raise Unreadable(PARTLY_OPTIMIZED_AWAY)
            return loc.data[offset : offset + size]
        assert loc.address is not None
        return self.ctx.read(loc.address + offset, size)

    def uint(self, offset: int, size: int) -> int:
        return int.from_bytes(self.read(offset, size), "little")

    def word(self, offset: int = 0) -> int:
        return self.uint(offset, 8)

    def word_if_kept(self, offset: int) -> int | None:
        """The signed word at `offset`, None when it is a piece the compiler did not keep (the
        value lives in registers and only some of them were saved)."""
        try:
            return int.from_bytes(self.read(offset, 8), "little", signed=True)
        except Unreadable:
            if self.loc.data is None:
                raise
            return None

    def child(self, name: str, gotype: GoType, offset: int, evaluate_name: str | None = None) -> Value:
        return self.ctx.value(name, gotype, self.loc.at(offset), evaluate_name)

    def child_expr(self, suffix: str) -> str | None:
        """`evaluate_name` + a Go selector or index (None when this value has no expression)."""
        return None if self.evaluate_name is None else self.evaluate_name + suffix

    @cached_property
    def unreadable(self) -> str | None:
        """Why the value cannot be shown, or None when it can."""
        if self.loc.missing is not None:
            return self.loc.missing
        try:
            self.check()
        except DECODE_ERRORS as exc:
            return reason_of(exc)
        return None

    def check(self) -> None:
        """Raise Unreadable when the value's own header cannot be decoded (overridden per kind)."""
        self.read(0, min(self.gotype.size, 64))

    # --- presentation -----------------------------------------------------------------

    @cached_property
    def summary(self) -> str:
        """One line in Go syntax, like Delve's but with previews of nested values."""
        return self.render(SUMMARY_BUDGET, 0)

    def render(self, budget: int, depth: int) -> str:
        """The summary at nesting `depth` (0 = the value itself), within about `budget` characters."""
        reason = self.unreadable
        if reason is not None:
            return _unreadable_text(reason)
        try:
            return self.render_value(budget, depth)
        except DECODE_ERRORS as exc:
            return _unreadable_text(reason_of(exc))

    def render_value(self, budget: int, depth: int) -> str:
        return self.type_name

    def full_string(self) -> str | None:
        """The whole text of a string or []byte (no length cap); None for other kinds."""
        try:
            return self.whole_text()
        except DECODE_ERRORS as exc:
            return _unreadable_text(reason_of(exc))

    def whole_text(self) -> str | None:
        return None

    # --- children ---------------------------------------------------------------------

    @property
    def child_count_named(self) -> int:
        if self.unreadable is not None:
            return 0
        try:
            return self.named_count()
        except DECODE_ERRORS:
            return 0

    @property
    def child_count_indexed(self) -> int:
        if self.unreadable is not None:
            return 0
        try:
            return self.indexed_count()
        except DECODE_ERRORS:
            return 0

    @property
    def has_children(self) -> bool:
        return self.child_count_named > 0 or self.child_count_indexed > 0

    def named_count(self) -> int:
        return 0

    def indexed_count(self) -> int:
        return 0

    def named_children(self) -> list[Value]:
        if self.unreadable is not None:
            return []
        try:
            return self.decode_named()
        except DECODE_ERRORS as exc:
            return [TextValue(self.ctx, "error", _unreadable_text(reason_of(exc)))]

    def indexed_children(self, start: int = 0, count: int | None = None) -> list[Value]:
        """Indexed children [start, start+count), at most PAGE_LIMIT when `count` is None."""
        if self.unreadable is not None:
            return []
        total = self.child_count_indexed
        start = max(0, start)
        stop = min(total, start + (PAGE_LIMIT if count is None or count <= 0 else count))
        if start >= stop:
            return []
        try:
            return self.decode_indexed(start, stop)
        except DECODE_ERRORS as exc:
            return [TextValue(self.ctx, f"[{start}]", _unreadable_text(reason_of(exc)))]

    def children(self, start: int = 0, count: int | None = None) -> list[Value]:
        """Named children, then the page [start, start+count) of indexed children."""
        return self.named_children() + self.indexed_children(start, count)

    def decode_named(self) -> list[Value]:
        return []

    def decode_indexed(self, start: int, stop: int) -> list[Value]:
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}: {self.type_name} = {self.summary}>"


class Delegating(Value):
    """A value whose children are another value's (an interface's dynamic value, a struct behind
    a pointer): `delegate()` names that value, or None."""

    def delegate(self) -> Value | None:
        raise NotImplementedError

    def _readable_delegate(self) -> Value | None:
        target = self.delegate()
        return None if target is None or target.unreadable is not None else target

    def named_count(self) -> int:
        target = self._readable_delegate()
        return 0 if target is None else target.child_count_named

    def indexed_count(self) -> int:
        target = self._readable_delegate()
        return 0 if target is None else target.child_count_indexed

    def decode_named(self) -> list[Value]:
        target = self._readable_delegate()
        return [] if target is None else target.named_children()

    def decode_indexed(self, start: int, stop: int) -> list[Value]:
        target = self._readable_delegate()
        return [] if target is None else target.indexed_children(start, stop - start)


class TextValue(Value):
    """A synthetic leaf made of text (goroutine lists, error notes); it lives nowhere in memory."""

    def __init__(self, ctx: ValueContext, name: str, text: str, type_name: str = "") -> None:
        super().__init__(ctx, name, GoType(), Loc(data=b""))
        self._text = text
        self._type_name = type_name

    @property
    def type_name(self) -> str:
        return self._type_name

    @property
    def kind(self) -> str:
        return "text"

    def check(self) -> None:
        return None

    def render_value(self, budget: int, depth: int) -> str:
        return self._text


def _unreadable_text(reason: str) -> str:
    return "<optimized away>" if reason.startswith(OPTIMIZED_AWAY) else f"unreadable: {reason}"


def clip(text: str, budget: int) -> str:
    """`text` cut to about `budget` characters with an ellipsis."""
    return text if len(text) <= budget else text[: max(budget - 3, 1)] + "..."


class GroupValue(TextValue):
    """A synthetic node: a line of text over a fixed list of children."""

    def __init__(self, ctx: ValueContext, name: str, text: str, members: list[Value]) -> None:
        super().__init__(ctx, name, text)
        self._members = members

    def named_count(self) -> int:
        return len(self._members)

    def decode_named(self) -> list[Value]:
        return list(self._members)
