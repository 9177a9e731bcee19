"""Parse the traceback a Go program prints when it dies (GOTRACEBACK=crash), Go 1.21-1.27.

The output is a list of *sections* separated by ``-----`` lines. The first
section is the crash itself; with a signal death every other M then adds a
section of its own (``SIGQUIT: quit`` / ``PC=... m=3 sigcode=0`` / its g0
stack / a register dump). A section is:

* a preamble: the message lines (``panic: ...``, ``[signal ...]``,
  ``fatal error: ...``, ``SIGABRT: abort``, ``PC=...``), kept verbatim;
* goroutine blocks (``goroutine 7 gp=0x... m=nil [chan receive, 3 minutes]:``
  and then frames, ``created by ...``) -- ``gp=/m=/mp=`` are printed from
  Go 1.23 on with GOTRACEBACK=crash, older releases print ``goroutine 7 [..]:``;
* ``runtime stack:`` blocks (a g0 stack);
* a register dump (``rax    0x0`` lines).

Lines the parser does not understand are kept in ``Section.unparsed`` so a
test can notice new formats instead of silently losing them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

# Names Go prints differently from the symbol (traceback.go printFuncName).
PRINTED_NAMES = {"panic": "runtime.gopanic"}

_GOROUTINE = re.compile(
    r"^goroutine (?P<id>\d+)"
    r"(?: gp=(?P<gp>0x[0-9a-f]+))?"
    r"(?: m=(?P<m>\d+|nil))?"
    r"(?: mp=(?P<mp>0x[0-9a-f]+))?"
    r" \[(?P<status>.*)\]:$"
)
_LOCATION = re.compile(
    r"^\t(?P<file>.+?):(?P<line>\d+)"
    r"(?: \+0x(?P<offset>[0-9a-f]+))?"
    r"(?: fp=(?P<fp>0x[0-9a-f]+) sp=(?P<sp>0x[0-9a-f]+) pc=(?P<pc>0x[0-9a-f]+))?$"
)
_CALL = re.compile(r"^(?P<function>[^\s(][^\t]*)\((?P<args>[^()]*)\)$")
_CREATED_BY = re.compile(r"^created by (?P<function>\S+)(?: in goroutine (?P<goroutine>\d+))?$")
_ELIDED = re.compile(r"^\.\.\.(?:(?P<count>\d+)|additional) frames elided\.\.\.$")
_REGISTER = re.compile(
    r"^(?P<name>r[a-z0-9]+|rip|rflags|cs|fs|gs|[xw]\d+|pc|sp|lr|fault|pstate)\s+(?P<value>0x[0-9a-f]+)$"
)
_MINUTES = re.compile(r"^(?P<minutes>\d+) minutes?$")
_PANIC = re.compile(r"^(?P<nested>\t)?panic: (?P<message>.*?)(?P<suffix> \[recovered(?:, repanicked)?\])?$")
_SIGNAL_INFO = re.compile(
    r"^\[signal (?P<name>SIG\w+): (?P<description>.*?)"
    r" code=(?P<code>\S+) addr=(?P<addr>\S+) pc=(?P<pc>\S+)\]$"
)
_SIGNAL_LINE = re.compile(r"^(?P<name>SIG[A-Z0-9]+): (?P<description>.+)$")
_SIGNAL_PC = re.compile(
    r"^PC=(?P<pc>0x[0-9a-f]+) m=(?P<m>\d+) sigcode=(?P<sigcode>\d+)(?: addr=(?P<addr>0x[0-9a-f]+))?$"
)
_FATAL = re.compile(r"^fatal error: (?P<message>.*)$")
STACK_UNAVAILABLE = "goroutine running on other thread; stack unavailable"
SEPARATOR = "-----"
RUNTIME_STACK = "runtime stack:"


def _hex(text: str | None) -> int | None:
    return int(text, 16) if text else None


@dataclass
class Frame:
    function: str  # as printed: "panic", "main.recurse", "main.blockGeneric[...]"
    args: str  # the text between the parentheses, "..." for an inlined frame
    file: str = ""
    line: int = 0
    offset: int | None = None  # the "+0x.." pc offset from the function entry
    pc: int | None = None
    sp: int | None = None
    fp: int | None = None

    @property
    def normalized_function(self) -> str:
        """The symbol name ("panic" is how runtime.gopanic prints)."""
        return PRINTED_NAMES.get(self.function, self.function)

    @property
    def inlined(self) -> bool:
        """Inlined frames print "(...)" and have no pc offset."""
        return self.args == "..." and self.offset is None


@dataclass
class CreatedBy:
    function: str
    goroutine: int | None  # the creator's id ("in goroutine N", Go 1.21+)
    file: str = ""
    line: int = 0
    offset: int | None = None


@dataclass
class Goroutine:
    id: int
    status: str  # as printed between the brackets: "chan receive, 3 minutes, locked to thread"
    gp: int | None = None
    m: int | None = None  # id of the M it runs on; None for "m=nil" or not printed
    mp: int | None = None
    frames: list[Frame] = field(default_factory=list)
    created_by: CreatedBy | None = None
    stack_unavailable: bool = False  # "goroutine running on other thread; stack unavailable"
    elided_frames: int | None = None  # "...N frames elided..." (-1: "additional frames elided")

    def _status_parts(self) -> list[str]:
        return self.status.split(", ")

    @property
    def wait_reason(self) -> str:
        """The status without minutes and flags: "chan receive", "running", "sleep"."""
        return self._status_parts()[0]

    @property
    def minutes(self) -> int | None:
        for part in self._status_parts()[1:]:
            match = _MINUTES.match(part)
            if match:
                return int(match["minutes"])
        return None

    @property
    def locked_to_thread(self) -> bool:
        return "locked to thread" in self._status_parts()[1:]

    @property
    def functions(self) -> list[str]:
        return [frame.normalized_function for frame in self.frames]


@dataclass
class RuntimeStack:
    """A ``runtime stack:`` block: the system (g0) stack of the crashing M."""

    frames: list[Frame] = field(default_factory=list)


@dataclass
class Panic:
    message: str
    recovered: bool = False
    repanicked: bool = False


@dataclass
class SignalInfo:
    """From ``[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49e500]``
    or from ``SIGABRT: abort`` + ``PC=0x... m=0 sigcode=0``."""

    name: str
    description: str
    code: int | None = None
    addr: int | None = None
    pc: int | None = None
    m: int | None = None


@dataclass
class Section:
    preamble: str = ""
    goroutines: list[Goroutine] = field(default_factory=list)
    runtime_stacks: list[RuntimeStack] = field(default_factory=list)
    registers: dict[str, int] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)

    @property
    def signal(self) -> SignalInfo | None:
        info: SignalInfo | None = None
        for line in self.preamble.splitlines():
            if match := _SIGNAL_INFO.match(line):
                return SignalInfo(
                    match["name"],
                    match["description"],
                    int(match["code"], 0),
                    int(match["addr"], 0),
                    int(match["pc"], 0),
                )
            if match := _SIGNAL_LINE.match(line):
                info = SignalInfo(match["name"], match["description"])
            elif (match := _SIGNAL_PC.match(line)) and info is not None:
                info.pc, info.m, info.code = int(match["pc"], 16), int(match["m"]), int(match["sigcode"])
                info.addr = _hex(match["addr"])
        return info


@dataclass
class Traceback:
    sections: list[Section]

    @property
    def header(self) -> str:
        """The crash message block before the first goroutine, verbatim."""
        return self.sections[0].preamble

    @property
    def goroutines(self) -> list[Goroutine]:
        """Goroutines of the crash section, in printed order (the crashing one first)."""
        return self.sections[0].goroutines

    @property
    def runtime_stacks(self) -> list[RuntimeStack]:
        return [stack for section in self.sections for stack in section.runtime_stacks]

    @property
    def threads(self) -> list[Section]:
        """The per-M sections after ``-----`` lines (signal deaths only)."""
        return self.sections[1:]

    @property
    def unparsed(self) -> list[str]:
        return [line for section in self.sections for line in section.unparsed]

    @property
    def user_goroutines(self) -> list[Goroutine]:
        """Goroutines with a real id (goroutine 0 is an M's g0)."""
        return [g for g in self.goroutines if g.id != 0]

    @functools.cached_property
    def _by_id(self) -> dict[int, Goroutine]:
        return {g.id: g for g in reversed(self.goroutines)}

    def goroutine(self, goid: int) -> Goroutine:
        """The goroutine ``goid`` of the crash section (the first one printed for id 0)."""
        try:
            return self._by_id[goid]
        except KeyError:
            raise KeyError(f"goroutine {goid} not in the traceback") from None

    @property
    def panics(self) -> list[Panic]:
        panics: list[Panic] = []
        for line in self.header.splitlines():
            match = _PANIC.match(line)
            if match:
                suffix = match["suffix"] or ""
                panics.append(Panic(match["message"], "recovered" in suffix, "repanicked" in suffix))
        return panics

    @property
    def fatal_error(self) -> str | None:
        for line in self.header.splitlines():
            match = _FATAL.match(line)
            if match:
                return match["message"]
        return None

    @property
    def signal(self) -> SignalInfo | None:
        return self.sections[0].signal


def _split_call(line: str) -> tuple[str, str] | None:
    """``pkg.(*T).f[...](0x1, {...})`` -> (``pkg.(*T).f[...]``, ``0x1, {...}``).

    Go never prints parentheses inside the argument list, so the arguments
    are what follows the last "(".
    """
    match = _CALL.match(line)
    return (match["function"], match["args"]) if match else None


class _Parser:
    def __init__(self) -> None:
        self.sections = [Section()]
        self.preamble: list[str] | None = []  # None once the section's body has started
        self.frames: list[Frame] | None = None  # where frame lines go
        self.goroutine: Goroutine | None = None
        self.pending: Frame | CreatedBy | None = None  # waits for its location line

    @property
    def section(self) -> Section:
        return self.sections[-1]

    def start_body(self) -> None:
        if self.preamble is not None:
            self.section.preamble = "\n".join(self.preamble).rstrip("\n")
            self.preamble = None

    def feed(self, line: str) -> None:
        if self.pending is not None and (location := _LOCATION.match(line)):
            self.pending.file, self.pending.line = location["file"], int(location["line"])
            self.pending.offset = _hex(location["offset"])
            if isinstance(self.pending, Frame):
                self.pending.pc, self.pending.sp = _hex(location["pc"]), _hex(location["sp"])
                self.pending.fp = _hex(location["fp"])
            self.pending = None
            return
        self.pending = None
        if line == SEPARATOR:
            self.start_body()
            self.sections.append(Section())
            self.preamble, self.frames, self.goroutine = [], None, None
        elif line.startswith("goroutine ") and (match := _GOROUTINE.match(line)):
            self.start_body()
            self.goroutine = Goroutine(
                id=int(match["id"]),
                status=match["status"],
                gp=_hex(match["gp"]),
                m=int(match["m"]) if match["m"] not in (None, "nil") else None,
                mp=_hex(match["mp"]),
            )
            self.section.goroutines.append(self.goroutine)
            self.frames = self.goroutine.frames
        elif line == RUNTIME_STACK:
            self.start_body()
            stack = RuntimeStack()
            self.section.runtime_stacks.append(stack)
            self.frames, self.goroutine = stack.frames, None
        elif self.preamble is not None:
            self.preamble.append(line)
        else:
            self.feed_body(line)

    def feed_body(self, line: str) -> None:
        if line == "":
            self.frames = None
        elif match := _REGISTER.match(line):
            self.section.registers[match["name"]] = int(match["value"], 16)
        elif self.goroutine is not None and line.endswith(STACK_UNAVAILABLE):
            self.goroutine.stack_unavailable = True
        elif self.goroutine is not None and line.startswith("...") and (match := _ELIDED.match(line)):
            self.goroutine.elided_frames = int(match["count"]) if match["count"] else -1
        elif self.goroutine is not None and line.startswith("created by ") and (match := _CREATED_BY.match(line)):
            creator = match["goroutine"]
            self.goroutine.created_by = CreatedBy(match["function"], int(creator) if creator else None)
            self.pending = self.goroutine.created_by
        elif self.frames is not None and (call := _split_call(line)):
            frame = Frame(function=call[0], args=call[1])
            self.frames.append(frame)
            self.pending = frame
        else:
            self.section.unparsed.append(line)


def parse(text: str) -> Traceback:
    """Parse Go's crash output (the program's stderr)."""
    parser = _Parser()
    for line in text.splitlines():
        parser.feed(line)
    parser.start_body()
    return Traceback(parser.sections)
