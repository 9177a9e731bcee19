"""The executable's DWARF, opened lazily through pyelftools and searched by name; the one place
that builds the sub-readers (types, functions), as pyelftools' DWARFInfo does, handing them itself
as their `dies.DieSource`.

The Go linker writes `DW_AT_name` as an inline string right after a DIE's abbreviation code, so
a DIE named N is found by searching `N\\0` in `.debug_info` and parsing only the candidates. No
request path walks a whole unit (the runtime unit alone costs 0.3–0.8 s through pyelftools).
"""

from __future__ import annotations

import contextlib
import io
import itertools
import re
import threading
from collections.abc import Iterable, Iterator
from typing import IO, Any, cast

from ..elf_image import ElfImage
from ..errors import ProgramError
from ..section_contents import SectionContents
from .c_types import CType
from .dies import DIE, Abbreviation, DwarfError, ref_offset
from .foreign import ForeignUnits
from .functions import FunctionIndex
from .lists import ListError, ListReader, UnitBase
from .raw_die import RawDIE, RawUnit, is_go_unit
from .raw_reader import (
    AT_CONST_VALUE,
    AT_NAME,
    TAG_CODES,
    TAG_CONSTANT,
    TAG_STRUCT,
    TAG_TYPEDEF,
    Die,
    Member,
    RawReader,
    StructType,
)
from .types import TypeTable
from .unit_index import UnitIndex

_DWARF_SECTIONS = (
    "info",
    "abbrev",
    "loc",
    "ranges",
    "addr",
    "loclists",
    "rnglists",
    "str",
    "line_str",
    "str_offsets",
)
_MAX_HITS = 64
_LIST_SECTIONS = (".debug_loc", ".debug_loclists", ".debug_ranges", ".debug_rnglists", ".debug_addr")
_SCAN_STEP = 1 << 20  # bytes of .debug_info searched (and inflated) at a time


def open_pyelftools(image: ElfImage, sections: set[str]) -> Any:
    """A pyelftools DWARFInfo over the named sections only (decompressed by ElfImage)."""
    # pyelftools loads on the first read of DWARF or CFI, not when the program opens.
    from elftools.dwarf.dwarfinfo import DebugSectionDescriptor, DwarfConfig
    from elftools.dwarf.dwarfinfo import DWARFInfo as PyDWARFInfo

    def descriptor(name: str) -> Any:
        section = image.section(name)
        if name not in sections or section is None:
            return None
        size = image.section_size(name)
        return DebugSectionDescriptor(cast(IO[bytes], SectionStream(image, name)), name, None, size, section.addr)

    return PyDWARFInfo(
        config=DwarfConfig(little_endian=True, machine_arch="x64", default_address_size=8),
        debug_info_sec=descriptor(".debug_info"),
        debug_aranges_sec=None,
        debug_abbrev_sec=descriptor(".debug_abbrev"),
        debug_frame_sec=None,
        eh_frame_sec=descriptor(".eh_frame"),
        debug_str_sec=descriptor(".debug_str"),
        debug_loc_sec=descriptor(".debug_loc"),
        debug_ranges_sec=descriptor(".debug_ranges"),
        debug_line_sec=None,
        debug_pubtypes_sec=None,
        debug_pubnames_sec=None,
        debug_addr_sec=descriptor(".debug_addr"),
        debug_str_offsets_sec=descriptor(".debug_str_offsets"),
        debug_line_str_sec=descriptor(".debug_line_str"),
        debug_loclists_sec=descriptor(".debug_loclists"),
        debug_rnglists_sec=descriptor(".debug_rnglists"),
        debug_sup_sec=None,
        gnu_debugaltlink_sec=None,
        debug_types_sec=None,
    )


class SectionStream(io.RawIOBase):
    """A section's contents as a stream, inflated only as far as it is read: opening DWARF costs
    nothing for the sections a session never touches (location and range lists of unseen
    functions), and finding the runtime's types reads only the front of `.debug_info`."""

    def __init__(self, image: ElfImage, name: str) -> None:
        super().__init__()
        self._image = image
        self._name = name
        self._contents: SectionContents | None = None
        self._whole: io.BytesIO | None = None  # once all is inflated: reads at C speed
        self._pos = 0

    def _open(self) -> SectionContents:
        if self._contents is None:
            self._contents = self._image.section_contents(self._name) or SectionContents(self._name, b"", False)
        if self._whole is None and self._contents.complete:
            self._whole = io.BytesIO(self._contents.whole())
            self._whole.seek(self._pos)
        return self._contents

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        contents = self._open()
        if self._whole is not None:
            return self._whole.read(size)
        end = contents.size if size is None or size < 0 else self._pos + size
        data = bytes(contents.front(end)[self._pos : end])
        self._pos += len(data)
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        contents = self._open()  # may switch to the whole section, inflated meanwhile
        if self._whole is not None:
            return self._whole.seek(offset, whence)
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: contents.size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def tell(self) -> int:
        return self._whole.tell() if self._whole is not None else self._pos


class DwarfInfo:
    """DWARF sections of one executable, inflated as far as they are read."""

    def __init__(self, image: ElfImage) -> None:
        self._image = image
        self._dwarf: Any = None
        self._info = SectionContents(".debug_info", b"", False)
        self._unit_index = UnitIndex(self._info_front, 0)
        self._dies: dict[int, DIE] = {}
        self._structs: dict[str, StructType | None] = {}
        self._failed: str | None = None
        self._units: dict[int, UnitBase] = {}
        self._lists: ListReader | None = None
        self._raw: RawReader | None = None
        self._raw_units: dict[int, RawUnit | None] = {}  # by unit start; None: not a Go unit
        self._info_open = False
        self._raw_code_sets: dict[tuple[int, ...], frozenset[int]] = {}
        self._codes: dict[frozenset[str], frozenset[int]] = {}
        self.types = TypeTable(self, CType)  # Go (and C) types built from type DIEs on first use
        self.functions = FunctionIndex(self)  # functions' variable scopes, parsed per function on first use
        self.foreign = ForeignUnits(self, lambda: self._open().iter_CUs())  # C units, by pc

    @property
    def present(self) -> bool:
        return self._image.section(".debug_info") is not None

    def _open_info(self) -> None:
        """Make `.debug_info` readable (inflated as far as it is read), without pyelftools."""
        if self._failed:
            raise DwarfError(self._failed)
        if self._info_open:
            return
        if not self.present:
            self._failed = "the executable has no DWARF debug information (built with -ldflags=-w or stripped)"
            raise DwarfError(self._failed)
        try:
            self._info = self._image.section_contents(".debug_info") or self._info
        except ProgramError as exc:
            self._failed = f"cannot read DWARF: {exc}"
            raise DwarfError(self._failed) from exc
        self._unit_index = UnitIndex(self._info_front, self._info.size)
        self._info_open = True

    def _open(self) -> Any:
        if self._dwarf is not None:
            return self._dwarf
        self._open_info()
        try:
            self._dwarf = open_pyelftools(self._image, {f".debug_{short}" for short in _DWARF_SECTIONS})
        except ProgramError as exc:
            self._failed = f"cannot read DWARF: {exc}"
            raise DwarfError(self._failed) from exc
        except Exception as exc:  # pyelftools raises many kinds on damaged input
            self._failed = f"cannot read DWARF: {exc}"
            raise DwarfError(self._failed) from exc
        return self._dwarf

    def _raw_reader(self) -> RawReader:
        if self._raw is None:
            self._open_info()
            try:
                abbrev = self._image.section_data(".debug_abbrev") or b""
            except ProgramError as exc:
                self._failed = f"cannot read DWARF: {exc}"
                raise DwarfError(self._failed) from exc
            self._raw = RawReader(self._info_front, self._unit_index, abbrev)
        return self._raw

    @property
    def pyelftools(self) -> Any:
        """The underlying pyelftools DWARFInfo (for location lists and expressions)."""
        return self._open()

    def die_at(self, offset: int) -> DIE:
        """The DIE at a `.debug_info` offset, parsed once: by the raw reader in a Go unit, else
        (C units, or an entry that reader cannot decode) by pyelftools."""
        die = self._dies.get(offset)
        if die is None:
            self._open_info()
            if not 0 <= offset < self._info.size:
                raise DwarfError(f"DWARF reference {offset:#x} lies outside .debug_info")
            unit = self._unit_index.start_of(offset)
            if unit is None:
                raise DwarfError(f"DWARF reference {offset:#x} lies in no unit of .debug_info")
            die = self._go_die(offset)
            if die is None:
                dwarf = self._open()
                try:
                    die = dwarf.get_DIE_from_refaddr(offset, dwarf.get_CU_at(unit))
                except Exception as exc:
                    raise DwarfError(f"DWARF entry at {offset:#x} cannot be parsed: {exc}") from exc
            self._dies[offset] = die
        return die

    def _go_die(self, offset: int) -> RawDIE | None:
        """The DIE at `offset` as the raw reader decodes it, if its unit is a Go unit."""
        try:
            reader = self._raw_reader()
            unit = self._go_unit(reader, offset)
            return None if unit is None else RawDIE(reader, self.die_at, unit, offset, self._address)
        except (DwarfError, ListError):  # UnsupportedForm among them: pyelftools decides
            return None

    def _go_unit(self, reader: RawReader, offset: int) -> RawUnit | None:
        start, end, version = reader.unit_of(offset)
        if start not in self._raw_units:
            unit = None
            with contextlib.suppress(DwarfError):
                top = reader.full_at(start + (12 if version >= 5 else 11))
                if is_go_unit(top):
                    unit = RawUnit(reader, self.die_at, start, end, version, top)
            self._raw_units[start] = unit
        return self._raw_units[start]

    def _address(self, unit: RawUnit, index: int) -> int:
        return self.lists.address(UnitBase(int(unit.header["version"]), 0, unit.addr_base), index)

    def find(self, name: str, tags: Iterable[str], start: int = 0, end: int | None = None) -> list[DIE]:
        """DIEs whose name is exactly `name` and whose tag is in `tags`, searched in
        `.debug_info[start:end]` (the whole section by default)."""
        return list(self._find(name, frozenset(tags), start, end, _MAX_HITS))

    def find_one(self, name: str, tags: Iterable[str]) -> DIE | None:
        """The first DIE named `name` with one of `tags`: the section is inflated only up to it."""
        found = self._find(name, frozenset(tags), 0, None, 1)
        return found[0] if found else None

    def _find(self, name: str, wanted: frozenset[str], start: int, end: int | None, limit: int) -> list[DIE]:
        self._open_info()
        codes = self._naming_codes(wanted)
        end = self._info.size if end is None else end
        found = list(itertools.islice(self._named_dies(name.encode(), wanted, start, end, codes), limit))
        if not found and codes:
            # The codes come from the first abbreviation table; units linked from C objects (cgo)
            # may use others, so a miss is confirmed without the filter.
            found = list(itertools.islice(self._named_dies(name.encode(), wanted, start, end, frozenset()), limit))
        return found

    def _named_dies(
        self, name: bytes, wanted: frozenset[str], start: int, end: int, codes: frozenset[int]
    ) -> Iterator[DIE]:
        for count, (hit, _) in enumerate(self._name_matches((name,), start, end)):
            if count >= _MAX_HITS * 8:
                return
            die = self._named_die(hit, name, wanted, codes)
            if die is not None:
                yield die

    def _windows(self, start: int, end: int) -> Iterator[tuple[bytes | bytearray, int, int]]:
        """(window, done, scanned): `.debug_info[start:end]` inflated a step at a time, only as far
        as the caller reads; matches ending after `done` and at or before `scanned` are new."""
        scanned = start
        while scanned < end:
            done, scanned = scanned, min(end, scanned + _SCAN_STEP)
            yield self._info_front(scanned), done, scanned

    def _matches(self, pattern: re.Pattern[bytes], start: int, end: int, longest: int) -> Iterator[tuple[int, bytes]]:
        """(offset, first group) of each match of `pattern`, at most `longest` bytes long, in
        `.debug_info[start:end]`, in order."""
        for window, done, scanned in self._windows(start, end):
            # The list is complete before the caller runs: reading more of the section may grow `window`.
            hits = [
                (m.start(), m.group(1))
                for m in pattern.finditer(window, max(start, done - longest), scanned)
                if m.end() > done or done == start
            ]
            yield from hits

    def _name_matches(self, names: Iterable[bytes], start: int, end: int) -> Iterator[tuple[int, bytes]]:
        """(offset, name) of each NUL-terminated occurrence of one of `names` in `.debug_info[start:end]`,
        in order: `_matches` for literal names, by `bytes.find` (an alternation of names in a regular
        expression is two to three times slower, and launch reads the whole section this way)."""
        needles = [(name, name + b"\x00") for name in names]
        longest = max((len(needle) for _, needle in needles), default=0)
        for window, done, scanned in self._windows(start, end):
            hits = []
            for name, needle in needles:
                at = window.find(needle, max(start, done - longest), scanned)
                while at >= 0:
                    if at + len(needle) > done or done == start:
                        hits.append((at, name))
                    at = window.find(needle, at + 1, scanned)
            hits.sort()
            yield from hits

    def _named_die(self, hit: int, name: bytes, wanted: frozenset[str], codes: frozenset[int]) -> DIE | None:
        """The DIE whose inline name starts at `hit`, if it is called `name` and has a wanted tag.
        A candidate is checked with the raw reader first: most hits of a short name are not it,
        and pyelftools parses only the one that is."""
        code = self._info_front(hit)[hit - 1] if hit else 0
        if code == 0 or code >= 0x80 or (codes and code not in codes):
            return None
        if self.raw_name_at(hit - 1, wanted) not in (name, None):
            return None
        try:
            die = self.die_at(hit - 1)
        except DwarfError:
            return None
        attr = die.attributes.get("DW_AT_name")
        return die if die.tag in wanted and attr is not None and attr.value == name else None

    def raw_name_at(self, offset: int, tags: frozenset[str]) -> bytes | None:
        """The inline DW_AT_name of the DIE at `offset` as the raw reader decodes it (b"" when it is
        not one of `tags` or has no inline name); None when that reader cannot tell (a tag it has
        no number for, a form it cannot size), and pyelftools must."""
        numbers = _tag_numbers(tags)
        if numbers is None:
            return None
        try:
            die = self._raw_reader().die_at(offset)
        except DwarfError:
            return None
        name = die.attributes.get(AT_NAME)
        return name if die.tag in numbers and isinstance(name, bytes) else b""

    def first_abbreviations(self) -> dict[int, Abbreviation]:
        """The abbreviation table at offset 0 of `.debug_abbrev`, which every Go unit uses."""
        return self._raw_reader().first_table()

    def prefetch_structs(self, names: Iterable[str], also: Iterable[str] = ()) -> None:
        """Find several struct types in one pass over .debug_info (the runtime's, at launch), and those of
        `also` met on the way (the pass does not go further for them); `struct(name)` then answers from
        what was found, or searches alone for a miss."""
        reader = self._raw_reader()
        pending = [n for n in names if n not in self._structs]
        extra = [n for n in also if n not in self._structs and n not in pending]
        if pending:
            codes = self._raw_codes(reader, (TAG_STRUCT, TAG_TYPEDEF))
            self._scan_structs(reader, pending, extra, codes)
            if codes and any(n not in self._structs for n in pending):
                # As in `_find`: units linked from C objects may use other abbreviation tables.
                self._scan_structs(reader, [n for n in pending if n not in self._structs], [], frozenset())

    def _scan_structs(self, reader: RawReader, pending: list[str], extra: list[str], codes: frozenset[int]) -> None:
        hits = self._name_matches([n.encode() for n in pending + extra], 0, self._info.size)
        for offset, name, die in self._raw_named(reader, hits, (TAG_STRUCT, TAG_TYPEDEF), codes):
            if name in self._structs:
                continue
            with contextlib.suppress(DwarfError):  # a damaged candidate is not the one
                layout = reader.struct_of(die, offset)
                if layout is not None:
                    self._structs[name] = layout
                    if all(n in self._structs for n in pending):
                        return  # the rest of the section stays compressed

    def _raw_named(
        self, reader: RawReader, hits: Iterable[tuple[int, bytes]], tags: tuple[int, ...], codes: frozenset[int]
    ) -> Iterator[tuple[int, str, Die]]:
        """(offset, name, DIE) of the DIEs with one of `tags` whose inline name is at one of `hits`."""
        for hit, name in hits:
            code = self._info_front(hit)[hit - 1] if hit else 0
            if code == 0 or code >= 0x80 or (codes and code not in codes):
                continue
            try:
                die = reader.named_at(hit - 1, name, tags)
            except DwarfError:
                continue  # a damaged candidate is not the one
            if die is not None:
                yield hit - 1, name.decode(), die

    def _raw_codes(self, reader: RawReader, tags: tuple[int, ...]) -> frozenset[int]:
        """`_naming_codes` from the raw reader's own abbreviations."""
        codes = self._raw_code_sets.get(tags)
        if codes is None:
            try:
                table = reader.first_table()
            except DwarfError:
                table = {}  # then do not filter
            codes = self._raw_code_sets[tags] = frozenset(
                code
                for code, entry in table.items()
                if code < 0x80 and entry.tag in tags and entry.specs and entry.specs[0][0] == AT_NAME
            )
        return codes

    def _naming_codes(self, tags: frozenset[str]) -> frozenset[int]:
        """One-byte abbreviation codes of DIEs with one of `tags` whose first attribute is an inline
        name: a hit preceded by any other byte is inside another string. Empty when unknown."""
        codes = self._codes.get(tags)
        if codes is None:
            numbers = _tag_numbers(tags)
            codes = frozenset()  # a tag without a number: do not filter
            if numbers is not None:
                with contextlib.suppress(DwarfError):
                    codes = self._raw_codes(self._raw_reader(), numbers)
            self._codes[tags] = codes
        return codes

    def inflate_in_background(self) -> None:
        """Start inflating the sections a variables request reads on a daemon thread, so that the
        first one finds them ready: zlib runs without the GIL, beside the work of opening the core."""
        contents = []
        for name in (".debug_info", *_LIST_SECTIONS):
            with contextlib.suppress(ProgramError):  # damage is reported by the reader that meets it
                found = self._image.section_contents(name)
                if found is not None and not found.complete:
                    contents.append(found)
        if contents:
            threading.Thread(target=_inflate_all, args=(contents,), name="godap-inflate", daemon=True).start()

    @property
    def raw_info(self) -> bytes:
        """The decompressed `.debug_info` bytes."""
        self._open_info()
        return self._whole_info()

    def _info_front(self, end: int) -> bytes | bytearray:
        """At least the first `end` bytes of `.debug_info`, valid until the next read of it."""
        try:
            return self._info.front(end)
        except ProgramError as exc:
            raise DwarfError(f"cannot read DWARF: {exc}") from exc

    def _whole_info(self) -> bytes:
        return bytes(self._info_front(self._info.size))

    def is_foreign(self, die: DIE) -> bool:
        """Whether `die` is in a unit of another language than Go (the C files of cgo)."""
        return self.foreign.is_foreign(die)

    def type_offset(self, die: DIE) -> int | None:
        """The `.debug_info` offset that `die`'s DW_AT_type refers to."""
        return ref_offset(die, "DW_AT_type")

    def resolve_type(self, die: DIE) -> DIE | None:
        """The DIE named by `die`'s DW_AT_type (a cross-unit reference in Go binaries)."""
        offset = ref_offset(die, "DW_AT_type")
        return None if offset is None else self.die_at(offset)

    @property
    def lists(self) -> ListReader:
        """Location and range lists (DWARF 4 and 5), decoded one list at a time."""
        if self._lists is None:
            self._open_info()
            try:
                sections = {name: self._image.section_data(name) for name in _LIST_SECTIONS}
            except ProgramError as exc:  # a corrupt compressed section: damaged DWARF, not a bug
                raise DwarfError(f"cannot read DWARF location lists: {exc}") from exc
            self._lists = ListReader(sections)
        return self._lists

    def unit_base(self, die: DIE) -> UnitBase:
        """Version, base address and addr_base of the compile unit holding `die`."""
        cu = die.cu
        found = self._units.get(cu.cu_offset)
        if found is None:
            top = cu.get_top_DIE().attributes
            low = top.get("DW_AT_low_pc")
            addr_base = top.get("DW_AT_addr_base")
            found = UnitBase(
                int(cu.header["version"]),
                int(low.value) if low is not None else 0,
                int(addr_base.value) if addr_base is not None else 0,
            )
            self._units[cu.cu_offset] = found
        return found

    def struct(self, name: str) -> StructType | None:
        """The layout of the struct type called `name` (typedefs followed), or None."""
        if name not in self._structs:
            self.prefetch_structs((name,))
            self._structs.setdefault(name, None)
        return self._structs[name]

    def member_type_struct(self, member: Member) -> StructType | None:
        """The struct type of a member (through typedefs), for nested field paths."""
        if member.type_offset is None:
            return None
        return self._raw_reader().struct_at(member.type_offset)

    def package_constants(self, package: str, limit: int = 4096) -> list[tuple[str, int | None, int]]:
        """(name, type offset, value) of the integer constants of `package` (an import path)
        that DWARF describes, at most `limit` of them."""
        self._open_info()
        wanted = frozenset({"DW_TAG_constant"})
        codes = self._naming_codes(wanted)
        prefix = package.encode() + b"."
        needle = re.compile(b"(" + re.escape(prefix) + b"[^\\x00/]{1,256})\\x00")
        found: list[tuple[str, int | None, int]] = []
        for hit, name in self._matches(needle, 0, self._info.size, len(prefix) + 257):
            die = self._named_die(hit, name, wanted, codes)
            value = die.attributes.get("DW_AT_const_value") if die is not None else None
            if die is not None and value is not None and isinstance(value.value, int):
                found.append((name.decode("utf-8", "replace"), self.type_offset(die), value.value))
                if len(found) >= limit:
                    break
        return found

    def constant(self, name: str) -> int | None:
        """The value of a typed package constant (`DW_TAG_constant`), e.g. `runtime._Grunning`."""
        reader = self._raw_reader()
        codes = self._raw_codes(reader, (TAG_CONSTANT,))
        for filtered in (codes, frozenset()) if codes else (frozenset(),):
            hits = self._name_matches((name.encode(),), 0, self._info.size)
            for _, _, die in self._raw_named(reader, hits, (TAG_CONSTANT,), filtered):
                value = die.attributes.get(AT_CONST_VALUE)
                return value if isinstance(value, int) else None
        return None


def _tag_numbers(tags: frozenset[str]) -> tuple[int, ...] | None:
    """The codes of tags named as pyelftools names them; None if one has no entry in TAG_CODES."""
    numbers = tuple(TAG_CODES[tag] for tag in tags if tag in TAG_CODES)
    return numbers if len(numbers) == len(tags) else None


def _inflate_all(contents: list[SectionContents]) -> None:
    for section in contents:
        section.inflate_aside()
