"""The executable's DWARF, opened lazily through pyelftools and searched by name.

The Go linker writes `DW_AT_name` as an inline string right after a DIE's abbreviation code, so
a DIE named N is found by searching `N\\0` in `.debug_info` and parsing only the candidates. No
request path walks a whole unit (the runtime unit alone costs 0.3–0.8 s through pyelftools).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

from ..elf_image import ElfImage
from ..errors import ProgramError
from .lists import ListReader, UnitBase

if TYPE_CHECKING:
    from .functions import FunctionIndex
    from .types import TypeTable

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

DIE = Any  # elftools.dwarf.die.DIE; pyelftools ships no stubs for it


class DwarfError(ProgramError):
    """DWARF is missing or too damaged to answer; the message names what failed."""


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    offset: int
    type_offset: int | None
    embedded: bool


@dataclass(frozen=True, slots=True)
class StructType:
    name: str
    size: int
    members: dict[str, Member]


def open_pyelftools(image: ElfImage, sections: set[str]) -> Any:
    """A pyelftools DWARFInfo over the named sections only (decompressed by ElfImage)."""
    from elftools.dwarf.dwarfinfo import DebugSectionDescriptor, DwarfConfig
    from elftools.dwarf.dwarfinfo import DWARFInfo as PyDWARFInfo

    def descriptor(name: str) -> Any:
        section = image.section(name)
        if name not in sections or section is None:
            return None
        size = image.section_size(name)
        return DebugSectionDescriptor(cast(IO[bytes], _LazyStream(image, name)), name, None, size, section.addr)

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


class _LazyStream(io.RawIOBase):
    """A section's contents as a stream, inflated on first read: opening DWARF costs nothing for
    the sections a session never touches (location and range lists of unseen functions)."""

    def __init__(self, image: ElfImage, name: str) -> None:
        super().__init__()
        self._image = image
        self._name = name
        self._stream: io.BytesIO | None = None

    def _open(self) -> io.BytesIO:
        if self._stream is None:
            self._stream = io.BytesIO(self._image.section_data(self._name) or b"")
        return self._stream

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._open().read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._open().seek(offset, whence)

    def tell(self) -> int:
        return self._open().tell()

    def getvalue(self) -> bytes:
        return self._open().getvalue()


class DwarfInfo:
    """DWARF sections of one executable, decompressed on first use."""

    def __init__(self, image: ElfImage) -> None:
        self._image = image
        self._dwarf: Any = None
        self._raw: bytes = b""
        self._dies: dict[int, DIE] = {}
        self._structs: dict[str, StructType | None] = {}
        self._failed: str | None = None
        self._units: dict[int, UnitBase] = {}
        self._lists: ListReader | None = None
        self._types: TypeTable | None = None
        self._functions: FunctionIndex | None = None
        self._codes: dict[frozenset[str], frozenset[int]] = {}

    @property
    def present(self) -> bool:
        return self._image.section(".debug_info") is not None

    def _open(self) -> Any:
        if self._dwarf is not None:
            return self._dwarf
        if self._failed:
            raise DwarfError(self._failed)
        if not self.present:
            self._failed = "the executable has no DWARF debug information (built with -ldflags=-w or stripped)"
            raise DwarfError(self._failed)
        try:
            self._raw = self._image.section_data(".debug_info") or b""
            self._dwarf = open_pyelftools(self._image, {f".debug_{short}" for short in _DWARF_SECTIONS})
        except ProgramError as exc:
            self._failed = f"cannot read DWARF: {exc}"
            raise DwarfError(self._failed) from exc
        except Exception as exc:  # pyelftools raises many kinds on damaged input
            self._failed = f"cannot read DWARF: {exc}"
            raise DwarfError(self._failed) from exc
        return self._dwarf

    @property
    def pyelftools(self) -> Any:
        """The underlying pyelftools DWARFInfo (for location lists and expressions)."""
        return self._open()

    def die_at(self, offset: int) -> DIE:
        """The DIE at a `.debug_info` offset, parsed once."""
        die = self._dies.get(offset)
        if die is None:
            dwarf = self._open()
            if not 0 <= offset < len(self._raw):
                raise DwarfError(f"DWARF reference {offset:#x} lies outside .debug_info")
            try:
                die = dwarf.get_DIE_from_refaddr(offset)
            except Exception as exc:
                raise DwarfError(f"DWARF entry at {offset:#x} cannot be parsed: {exc}") from exc
            self._dies[offset] = die
        return die

    def find(self, name: str, tags: Iterable[str], start: int = 0, end: int | None = None) -> list[DIE]:
        """DIEs whose name is exactly `name` and whose tag is in `tags`, searched in
        `.debug_info[start:end]` (the whole section by default)."""
        self._open()
        wanted = frozenset(tags)
        codes = self._naming_codes(wanted)
        end = len(self._raw) if end is None else end
        found = self._search(name.encode(), wanted, start, end, codes)
        if not found and codes:
            # The codes come from the first abbreviation table; units linked from C objects (cgo)
            # may use others, so a miss is confirmed without the filter.
            found = self._search(name.encode(), wanted, start, end, frozenset())
        return found

    def _search(self, name: bytes, wanted: frozenset[str], start: int, end: int, codes: frozenset[int]) -> list[DIE]:
        found: list[DIE] = []
        needle = re.compile(re.escape(name) + b"\\x00")
        for count, match in enumerate(needle.finditer(self._raw, start, end)):
            if count >= _MAX_HITS * 8 or len(found) >= _MAX_HITS:
                break
            die = self._named_die(match.start(), name, wanted, codes)
            if die is not None:
                found.append(die)
        return found

    def _named_die(self, hit: int, name: bytes, wanted: frozenset[str], codes: frozenset[int]) -> DIE | None:
        """The DIE whose inline name starts at `hit`, if it is called `name` and has a wanted tag."""
        code = self._raw[hit - 1] if hit else 0
        if code == 0 or code >= 0x80 or (codes and code not in codes):
            return None
        try:
            die = self.die_at(hit - 1)
        except DwarfError:
            return None
        attr = die.attributes.get("DW_AT_name")
        return die if die.tag in wanted and attr is not None and attr.value == name else None

    def prefetch_structs(self, names: Iterable[str]) -> None:
        """Find several struct types in one pass over .debug_info (the runtime's, at launch);
        `struct(name)` then answers from what was found, or searches alone for a miss."""
        self._open()
        pending = [n for n in names if n not in self._structs]
        if not pending:
            return
        wanted = frozenset(("DW_TAG_structure_type", "DW_TAG_typedef"))
        codes = self._naming_codes(wanted)
        pattern = re.compile(b"(" + b"|".join(re.escape(n.encode()) for n in pending) + b")\\x00")
        for match in pattern.finditer(self._raw):
            name = match.group(1).decode()
            if name in self._structs:
                continue
            die = self._named_die(match.start(), match.group(1), wanted, codes)
            if die is not None:
                self._structs[name] = self._layout_of(die)

    def _naming_codes(self, tags: frozenset[str]) -> frozenset[int]:
        """One-byte abbreviation codes of DIEs with one of `tags` whose first attribute is an inline
        name: a hit preceded by any other byte is inside another string. Empty when unknown."""
        codes = self._codes.get(tags)
        if codes is None:
            found = set()
            try:
                table = self._dwarf.get_abbrev_table(0)
                for code in range(1, 0x80):
                    try:
                        abbrev = table.get_abbrev(code)
                    except KeyError:
                        continue
                    specs = abbrev["attr_spec"]
                    if abbrev["tag"] in tags and specs and specs[0].name == "DW_AT_name":
                        found.add(code)
            except Exception:  # pyelftools raises many kinds on damaged input; then do not filter
                found = set()
            codes = self._codes[tags] = frozenset(found)
        return codes

    def find_one(self, name: str, tags: Iterable[str]) -> DIE | None:
        found = self.find(name, tags)
        return found[0] if found else None

    @property
    def raw_info(self) -> bytes:
        """The decompressed `.debug_info` bytes."""
        self._open()
        return self._raw

    def type_offset(self, die: DIE) -> int | None:
        """The `.debug_info` offset that `die`'s DW_AT_type refers to."""
        return ref_offset(die, "DW_AT_type")

    def resolve_type(self, die: DIE) -> DIE | None:
        """The DIE named by `die`'s DW_AT_type (a cross-unit reference in Go binaries)."""
        offset = ref_offset(die, "DW_AT_type")
        return None if offset is None else self.die_at(offset)

    @property
    def types(self) -> TypeTable:
        """Go types built from type DIEs on first use."""
        if self._types is None:
            from .types import TypeTable

            self._types = TypeTable(self)
        return self._types

    @property
    def functions(self) -> FunctionIndex:
        """Functions' variable scopes, parsed per function on first use."""
        if self._functions is None:
            from .functions import FunctionIndex

            self._functions = FunctionIndex(self)
        return self._functions

    @property
    def lists(self) -> ListReader:
        """Location and range lists (DWARF 4 and 5), decoded one list at a time."""
        if self._lists is None:
            self._open()
            names = (".debug_loc", ".debug_loclists", ".debug_ranges", ".debug_rnglists", ".debug_addr")
            try:
                sections = {name: self._image.section_data(name) for name in names}
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
        if name in self._structs:
            return self._structs[name]
        die = self.find_one(name, ("DW_TAG_structure_type", "DW_TAG_typedef"))
        layout = self._layout_of(die) if die is not None else None
        self._structs[name] = layout
        return layout

    def _layout_of(self, die: DIE) -> StructType | None:
        """The struct a struct or typedef DIE describes (typedefs followed)."""
        while die is not None and die.tag == "DW_TAG_typedef":
            die = self.resolve_type(die)
        return self.struct_of_die(die) if die is not None and die.tag == "DW_TAG_structure_type" else None

    def struct_of_die(self, die: DIE) -> StructType:
        members: dict[str, Member] = {}
        for child in die.iter_children():
            if child.tag != "DW_TAG_member":
                continue
            name = _name(child)
            loc = child.attributes.get("DW_AT_data_member_location")
            members[name] = Member(
                name,
                loc.value if loc is not None and isinstance(loc.value, int) else 0,
                ref_offset(child, "DW_AT_type"),
                bool(child.attributes.get(0x2903) and child.attributes[0x2903].value),
            )
        size_attr = die.attributes.get("DW_AT_byte_size")
        return StructType(_name(die), int(size_attr.value) if size_attr is not None else 0, members)

    def member_type_struct(self, member: Member) -> StructType | None:
        """The struct type of a member (through typedefs), for nested field paths."""
        if member.type_offset is None:
            return None
        die = self.die_at(member.type_offset)
        while die is not None and die.tag == "DW_TAG_typedef":
            die = self.resolve_type(die)
        if die is None or die.tag != "DW_TAG_structure_type":
            return None
        return self.struct_of_die(die)

    def constant(self, name: str) -> int | None:
        """The value of a typed package constant (`DW_TAG_constant`), e.g. `runtime._Grunning`."""
        die = self.find_one(name, ("DW_TAG_constant",))
        if die is None:
            return None
        attr = die.attributes.get("DW_AT_const_value")
        return attr.value if attr is not None and isinstance(attr.value, int) else None

    def producer(self) -> str | None:
        """The first compile unit's DW_AT_producer (e.g. "Go cmd/compile go1.26.6; regabi")."""
        dwarf = self._open()
        for cu in dwarf.iter_CUs():
            attr = cu.get_top_DIE().attributes.get("DW_AT_producer")
            return attr.value.decode("utf-8", "replace") if attr is not None else None
        return None


def ref_offset(die: DIE, attribute: str | int) -> int | None:
    """The `.debug_info` offset a reference attribute points to (unit-relative forms made absolute)."""
    attr = die.attributes.get(attribute)
    if attr is None or not isinstance(attr.value, int):
        return None
    return int(attr.value) if attr.form == "DW_FORM_ref_addr" else int(attr.value) + die.cu.cu_offset


def _name(die: DIE) -> str:
    attr = die.attributes.get("DW_AT_name")
    if attr is None:
        return ""
    value = attr.value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
