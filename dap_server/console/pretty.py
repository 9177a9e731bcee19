"""Values over several lines, like Delve's `print`/`args -v`: one field or element per line,
nested values indented by tabs, a bounded number of levels and of items per level."""

from __future__ import annotations

from ..goruntime.values.base import Value
from ..goruntime.values.interfaces import InterfaceValue
from ..goruntime.values.maps import MapValue
from ..goruntime.values.pointers import PointerValue
from ..goruntime.values.sequences import SliceValue
from ..program.dwarf.types import Kind

MAX_LEVELS = 3
MAX_ITEMS = 64


def pretty(value: Value, levels: int = MAX_LEVELS, indent: int = 0) -> str:
    """`value` on several lines when it has children and `levels` allows, else its summary."""
    if levels <= 0 or value.unreadable is not None or not value.has_children or _scalar_pointer(value):
        return value.summary
    named = value.named_children()
    total = value.child_count_indexed
    items = value.indexed_children(0, min(total, MAX_ITEMS))
    opening, closing = ("[", "]") if items and not named else ("{", "}")
    pad = "\t" * (indent + 1)
    lines = [f"{_header(value)} {opening}"]
    for child in named + items:
        label = "" if child.name.startswith("[") and child.name[1:-1].isdigit() else f"{child.name}: "
        lines.append(f"{pad}{label}{pretty(child, levels - 1, indent + 1)},")
    if total > len(items):
        lines.append(f"{pad}...+{total - len(items)} more")
    lines.append("\t" * indent + closing)
    return "\n".join(lines)


def _scalar_pointer(value: Value) -> bool:
    """A pointer to a scalar reads best on one line (`*false`), as Delve writes it."""
    elem = value.gotype.elem
    return isinstance(value, PointerValue) and elem is not None and elem.kind not in (Kind.STRUCT, Kind.ARRAY)


def _header(value: Value) -> str:
    """The type and size words Delve puts before the braces."""
    if isinstance(value, SliceValue):
        _, length, capacity = value.header()
        return f"{value.type_name} len: {length}, cap: {'?' if capacity is None else capacity},"
    if isinstance(value, MapValue):
        return f"{value.type_name} len: {value.count()},"
    if isinstance(value, InterfaceValue) and value.dynamic is not None:
        return f"{value.type_name}({value.dynamic.type_name})"
    return value.type_name
