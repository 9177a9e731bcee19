"""What keeps an object alive, as a value to expand in the debug console or the Variables view:
each node lists what points to it, each of those what points to them, down to the roots."""

from __future__ import annotations

from ..values.base import TextValue, Value, ValueContext
from .analysis import HeapAnalysis, HeapNode

MAX_REFERRERS = 1000  # children of one node (the rest are counted in its text)


def describe(node: HeapNode) -> str:
    """ "0xc000123400 main.T (48 B, retains 1.2 MiB)", or a root's name and what it retains."""
    retained = f"retains {node.retained:,} B"
    if node.address is None:
        return f"{node.name} ({retained})"
    return f"{node.address:#x} {node.name} ({node.size:,} B, {retained})"


class RetainersValue(TextValue):
    """A heap object or root; its children are the objects and roots that point to it."""

    def __init__(self, ctx: ValueContext, name: str, found: HeapAnalysis, node: HeapNode) -> None:
        references = found.referrers(node)
        more = len(references) - MAX_REFERRERS
        text = describe(node) + (f", {len(references):,} referrers" if more > 0 else "")
        super().__init__(ctx, name, text, node.name)
        self._found = found
        self._references = references[:MAX_REFERRERS]

    def named_count(self) -> int:
        return len(self._references)

    def decode_named(self) -> list[Value]:
        children: list[Value] = []
        for ref in self._references:
            where = f"+{ref.offset:#x}" if ref.referrer.address is not None else f"word {ref.offset:#x}"
            children.append(RetainersValue(self.ctx, f"from {where}", self._found, ref.referrer))
        return children
