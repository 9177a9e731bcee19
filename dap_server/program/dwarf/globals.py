"""A package's global variables, found without walking any unit.

The Go linker names package variables by their full path ("net/http.DefaultClient") and writes
them with their own abbreviation (a DW_TAG_variable with DW_AT_external), the name first. So the
variables of package P are the hits of `<that abbreviation code>P.` in the raw `.debug_info`,
each parsed alone and checked.
"""

from __future__ import annotations

import re

from .dies import DIE, DieSource, DwarfError, one_byte_abbreviations

MAX_GLOBALS = 1 << 14


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
        try:
            die = dwarf.die_at(match.start())
        except DwarfError:
            continue
        name = die.attributes.get("DW_AT_name")
        if (
            die.tag == "DW_TAG_variable"
            and name is not None
            and isinstance(name.value, bytes)
            and name.value.startswith(prefix)
            and b"/" not in name.value[len(prefix) :]
        ):
            found.append(die)
    return found


def _global_variable_codes(dwarf: DieSource) -> list[int]:
    """Abbreviation codes (< 128, so one byte) of external variables with their name first."""
    anchor = dwarf.find_one("runtime.allgs", ("DW_TAG_variable",)) or dwarf.find_one(
        "runtime.buildVersion", ("DW_TAG_variable",)
    )
    if anchor is None:
        return []
    codes = []
    for code, abbrev in one_byte_abbreviations(anchor.cu.get_abbrev_table()):
        specs = abbrev["attr_spec"]
        if (
            abbrev["tag"] == "DW_TAG_variable"
            and specs
            and specs[0].name == "DW_AT_name"
            and any(spec.name == "DW_AT_external" for spec in specs)
        ):
            codes.append(code)
    return codes
