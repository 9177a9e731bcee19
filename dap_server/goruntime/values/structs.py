"""Structs, and the structs worth reading for the user: time.Time and sync.Mutex."""

from __future__ import annotations

from collections.abc import Callable

from ...program.dwarf.types import Field, GoType, Kind
from .base import Value, clip
from .context import Loc, Unreadable
from .format import format_time, format_time_string


class StructValue(Value):
    def named_count(self) -> int:
        return len(self.gotype.fields)

    def decode_named(self) -> list[Value]:
        return [self.field_value(f) for f in self.gotype.fields]

    def field_value(self, f: Field) -> Value:
        expr = self.child_expr("." + f.name) if f.name != "_" else None
        return self.child(f.name, f.type, f.offset, expr)

    def field_named(self, name: str) -> Value:
        f = self.gotype.field(name)
        if f is None:
            raise Unreadable(f"{self.type_name} has no field {name}")
        return self.field_value(f)

    def render_value(self, budget: int, depth: int) -> str:
        prefix = f"{self.type_name} " if depth == 0 else ""
        return prefix + self.fields_preview(budget - len(prefix), depth)

    def fields_preview(self, budget: int, depth: int) -> str:
        fields = self.gotype.fields
        if not fields:
            return "{}"
        if depth >= 2:
            return "{...}"
        parts: list[str] = []
        used = 2
        for f in fields:
            text = f"{f.name}: {self.field_value(f).render(max(budget - used, 8), depth + 1)}"
            if used + len(text) > budget:
                parts.append("...")
                break
            parts.append(text)
            used += len(text) + 2
        return "{" + ", ".join(parts) + "}"


_HAS_MONOTONIC = 1 << 63
_WALL_TO_INTERNAL = 59453308800  # seconds from year 1 to 1885, the base of time.Time's wall seconds
_UNIX_TO_INTERNAL = 62135596800
_NSEC_MASK = (1 << 30) - 1
_MAX_ZONE_TRANSITIONS = 1 << 16


class TimeValue(StructValue):
    """time.Time{wall, ext, loc}, shown in RFC 3339 like the value Time.String would print."""

    def render_value(self, budget: int, depth: int) -> str:
        text = self._text(format_time)
        return clip(f"{self.type_name} {text}" if depth == 0 else text, budget)

    def go_string(self) -> str:
        """What the time's String method returns: `2024-01-02 03:04:05.000000006 +0000 UTC`."""
        return self._text(format_time_string)

    def _text(self, layout: Callable[..., str]) -> str:
        wall = self.field_named("wall").uint(0, 8)
        ext = int.from_bytes(self.field_named("ext").read(0, 8), "little", signed=True)
        nsec = wall & _NSEC_MASK
        if wall & _HAS_MONOTONIC:
            seconds = _WALL_TO_INTERNAL + (((wall << 1) & ((1 << 64) - 1)) >> 31)
            monotonic: int | None = ext
        else:
            seconds, monotonic = ext, None
        zone = self._zone(seconds - _UNIX_TO_INTERNAL)
        # Without the Location's zones (not loaded yet), show the instant in UTC and the name.
        text = f"{layout(seconds, nsec)} {zone}" if isinstance(zone, str) else layout(seconds, nsec, *zone)
        if monotonic is not None:
            sign = "-" if monotonic < 0 else "+"
            whole, frac = divmod(abs(monotonic), 1_000_000_000)
            text += f" m={sign}{whole}.{frac:09d}"
        return text

    def _zone(self, unix: int) -> tuple[int, str] | str:
        """(offset from UTC in seconds, zone name) of the time's Location at `unix`, or only the
        Location's name when its zones were never loaded (time.Local before its first use)."""
        loc = self.field_named("loc")
        target = loc.word()
        if target == 0:
            return 0, "UTC"
        location = loc.gotype.elem
        if location is None:
            raise Unreadable("the type of time.Location is unknown")
        loc_value = self.ctx.value("loc", location, Loc(address=target))
        assert isinstance(loc_value, StructValue)
        name = loc_value.field_named("name").full_string() or ""
        if not name and target == self.ctx.program.symbol_address("time.localLoc"):
            name = "Local"
        zone = self._cached_zone(loc_value, unix) or self._transition_zone(loc_value, unix)
        if zone is None:
            return name
        offset = int.from_bytes(zone.field_named("offset").read(0, 8), "little", signed=True)
        return offset, zone.field_named("name").full_string() or name

    def _cached_zone(self, loc: StructValue, unix: int) -> StructValue | None:
        start = int.from_bytes(loc.field_named("cacheStart").read(0, 8), "little", signed=True)
        end = int.from_bytes(loc.field_named("cacheEnd").read(0, 8), "little", signed=True)
        cached = loc.field_named("cacheZone")
        if not start <= unix < end or cached.word() == 0 or cached.gotype.elem is None:
            return None
        zone = self.ctx.value("zone", cached.gotype.elem, Loc(address=cached.word()))
        return zone if isinstance(zone, StructValue) else None

    def _transition_zone(self, loc: StructValue, unix: int) -> StructValue | None:
        zones = loc.field_named("zone")
        count = zones.child_count_indexed
        if count == 0:
            return None
        index = 0
        transitions = loc.field_named("tx")
        tx_count = min(transitions.child_count_indexed, _MAX_ZONE_TRANSITIONS)
        for tx in transitions.indexed_children(0, tx_count):
            assert isinstance(tx, StructValue)
            when = int.from_bytes(tx.field_named("when").read(0, 8), "little", signed=True)
            if when > unix:
                break
            index = tx.field_named("index").uint(0, 1)
        found = zones.indexed_children(min(index, count - 1), 1)
        return found[0] if found and isinstance(found[0], StructValue) else None


_MUTEX_LOCKED, _MUTEX_WOKEN, _MUTEX_STARVING, _WAITER_SHIFT = 1, 2, 4, 3


class MutexValue(StructValue):
    """sync.Mutex: its state word decoded (locked, waiters, starving)."""

    def _state(self) -> int:
        value: Value = self
        for _ in range(4):
            assert isinstance(value, StructValue)
            if value.gotype.field("state") is not None:
                return value.field_named("state").uint(0, 4)
            nested = (f for f in value.gotype.fields if f.type.kind == Kind.STRUCT and f.type.fields)
            inner = next(nested, None)
            if inner is None:
                break
            value = value.field_value(inner)
        raise Unreadable(f"{self.type_name} has no state field")

    def render_value(self, budget: int, depth: int) -> str:
        state = self._state()
        words = ["locked" if state & _MUTEX_LOCKED else "unlocked"]
        waiters = state >> _WAITER_SHIFT
        if waiters:
            words.append(f"{waiters} waiter{'s' if waiters != 1 else ''}")
        if state & _MUTEX_STARVING:
            words.append("starving")
        if state & _MUTEX_WOKEN:
            words.append("woken")
        text = ", ".join(words)
        return f"{self.type_name} {text}" if depth == 0 else text


def special_struct(gotype: GoType) -> type[StructValue]:
    """The struct class for a type: time.Time and sync.Mutex get their own."""
    return _SPECIAL.get(gotype.name, StructValue)


_SPECIAL: dict[str, type[StructValue]] = {"time.Time": TimeValue, "sync.Mutex": MutexValue}
