"""A package's global variables, found without walking any unit.

The Go linker names package variables by their full path ("net/http.DefaultClient") and writes
them with their own abbreviation (a DW_TAG_variable with DW_AT_external), the name first. So the
variables of package P are the hits of `<that abbreviation code>P.` in the raw `.debug_info`,
each checked by the raw reader (most hits of a short path such as "main." are not variables) and
only then parsed.
"""

from __future__ import annotations

import re

from .dies import DIE, DieSource, DwarfError
from .raw_reader import AT_EXTERNAL, AT_NAME, TAG_VARIABLE

MAX_GLOBALS = 1 << 14
_VARIABLE = frozenset({"DW_TAG_variable"})


def symbol_path(package: str) -> str:
    """The import path as the linker writes it in symbol (and DWARF) names: dots of the last
    element, and `%`, `"`, spaces, control and non-ASCII bytes anywhere, as %xx
    (`dir.io` -> `dir%2eio`), so that the first dot after the last slash ends the path."""
    head, slash, last = package.rpartition("/")

    def escaped(text: str, dots: bool) -> str:
        return "".join(
            f"%{b:02x}" if b <= 0x20 or b >= 0x7F or chr(b) in '%"' or (dots and b == 0x2E) else chr(b)
            for b in text.encode()
        )

    return escaped(head, False) + slash + escaped(last, True)


def package_variables(dwarf: DieSource, package: str) -> list[DIE]:
    """Top-level variable DIEs of `package` (an import path such as "main" or "net/http"), in
    `.debug_info` order."""
    codes = _global_variable_codes(dwarf)
    if not codes or not package:
        return []
    prefix = symbol_path(package).encode() + b"."
    pattern = re.compile(b"[" + b"".join(re.escape(bytes([c])) for c in codes) + b"]" + re.escape(prefix))
    raw = dwarf.raw_info
    found: list[DIE] = []
    for match in pattern.finditer(raw):
        if len(found) >= MAX_GLOBALS:
            break
        name = dwarf.raw_name_at(match.start(), _VARIABLE)
        if name is not None and not _in_package(name, prefix):
            continue
        try:
            die = dwarf.die_at(match.start())
        except DwarfError:
            continue
        attr = die.attributes.get("DW_AT_name")
        if die.tag == "DW_TAG_variable" and attr is not None and _in_package(attr.value, prefix):
            found.append(die)
    return found


def _in_package(name: object, prefix: bytes) -> bool:
    return isinstance(name, bytes) and name.startswith(prefix) and b"/" not in name[len(prefix) :]


def _global_variable_codes(dwarf: DieSource) -> list[int]:
    """Abbreviation codes (< 128, so one byte) of external variables with their name first."""
    try:
        table = dwarf.first_abbreviations()
    except DwarfError:
        return []
    return [
        code
        for code, entry in sorted(table.items())
        if code < 0x80
        and entry.tag == TAG_VARIABLE
        and entry.specs
        and entry.specs[0][0] == AT_NAME
        and any(spec[0] == AT_EXTERNAL for spec in entry.specs)
    ]
