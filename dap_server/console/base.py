"""What every console command shares: where it runs (goroutine and frame), what it answers, and
how it is described in `help`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from ..goruntime.expr.evaluate_scope import ExpressionScope
from ..goruntime.frames import Frame
from ..goruntime.goroutines import Goroutine
from ..goruntime.values.base import Value
from ..session import Session
from .pretty import pretty

THREADS = "threads"  # the client must fetch the thread list again
STACKS = "stacks"  # the client must fetch stacks and scopes again


class ConsoleError(Exception):
    """A command that cannot run as typed; the message is for the user."""


@dataclass
class ConsoleResult:
    """What a command answers: text, or a value to show expandable, and what the client must
    fetch again because the command changed it."""

    text: str
    value: Value | None = None
    refresh: frozenset[str] = frozenset()


@dataclass
class Where:
    """The goroutine and frame a command runs in."""

    session: Session
    goroutine: Goroutine | None
    index: int = 0

    @cached_property
    def frames(self) -> list[Frame]:
        return self.session.frames(self.goroutine) if self.goroutine is not None else []

    @property
    def frame(self) -> Frame | None:
        return self.frames[self.index] if 0 <= self.index < len(self.frames) else None

    def require_frame(self) -> Frame:
        frame = self.frame
        if frame is None:
            if self.goroutine is None:
                raise ConsoleError("no goroutine is selected: use `goroutine N` first")
            raise ConsoleError(self._no_frame(self.goroutine))
        return frame

    def _no_frame(self, g: Goroutine) -> str:
        """Which frames exist; for a goroutine in a system call, why Delve's numbers are larger
        (Delve counts from the thread's current frames, godap as Go from where the call was
        entered), with the frames by number so that the one meant can be found by name."""
        text = f"goroutine {g.goid} has no frame {self.index}"
        real = [f for f in self.frames if not f.is_synthetic]
        if not real:
            return text + ": it has no frames"
        text += f": it has frames 0–{len(self.frames) - 1}"
        thread = [f for f in self.session.syscall_thread_frames(g) if not f.is_synthetic]
        if len(thread) > len(real):
            text += (
                f", counted as Go prints them from where it entered its system call; Delve counts from the"
                f" thread's current frames ({len(thread)} here, from {thread[0].function}), so its numbers are larger"
            )
        listed = ", ".join(
            f"{i} {f.function}" for i, f in enumerate(self.frames[:_LISTED_FRAMES]) if not f.is_synthetic
        )
        more = len(self.frames) - _LISTED_FRAMES
        return f"{text}: {listed}" + (f", … {more} more" if more > 0 else "")

    @property
    def scope(self) -> ExpressionScope:
        return self.session.expression_scope(self.frame)


Handler = Callable[[Where, list[str]], ConsoleResult]
_LISTED_FRAMES = 12  # frames named in the error about a frame that does not exist


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    summary: str
    run: Handler
    aliases: tuple[str, ...] = ()


@dataclass
class Flags:
    """A command line split into -flags (with or without a value) and the other words."""

    words: list[str]
    switches: set[str] = field(default_factory=set)
    options: dict[str, str] = field(default_factory=dict)


def parse_flags(args: list[str], switches: frozenset[str], options: frozenset[str]) -> Flags:
    flags = Flags([])
    i = 0
    while i < len(args):
        word = args[i]
        if word in switches:
            flags.switches.add(word)
        elif word in options:
            if i + 1 >= len(args):
                raise ConsoleError(f"{word} needs a value")
            flags.options[word] = args[i + 1]
            i += 1
        else:
            flags.words.append(word)
        i += 1
    return flags


def pattern(words: list[str]) -> re.Pattern[str] | None:
    """The optional regular expression argument of listing commands."""
    if not words:
        return None
    try:
        return re.compile(" ".join(words))
    except re.error as exc:
        raise ConsoleError(f"invalid regular expression {' '.join(words)!r}: {exc}") from None


def integer(word: str, what: str) -> int:
    try:
        return int(word, 0)
    except ValueError:
        raise ConsoleError(f"{what} must be a number, not {word!r}") from None


def assignments(values: list[Value], verbose: bool, regexp: re.Pattern[str] | None, full_names: bool = False) -> str:
    """`name = value` lines (Delve's args/locals/vars), multi-line values with -v; package
    variables are named by their expression (the full name)."""
    lines = []
    for value in values:
        name = value.evaluate_name if full_names and value.evaluate_name else value.name
        if regexp is not None and not regexp.search(name):
            continue
        lines.append(f"{name} = {pretty(value) if verbose else value.summary}")
    return "\n".join(lines) if lines else "(no variables)"
