"""Locating `runtime.firstmoduledata` without a symbol table.

Its first word points at the pc-line table (`pcHeader`). From Go 1.26 it has a section of its own
(`.go.module`); before, it lives in `.noptrdata`, where it is found by that first word.
"""

from __future__ import annotations

import struct

from .elf_image import ElfImage

_PCLNTAB_SECTIONS = (".gopclntab", ".data.rel.ro.gopclntab")


def find_moduledata(image: ElfImage) -> int | None:
    """The link-time address of runtime.firstmoduledata, or None."""
    section = image.section(".go.module")
    if section is not None:
        return section.addr
    pclntab = next((image.section(name) for name in _PCLNTAB_SECTIONS if image.section(name)), None)
    data = image.section(".noptrdata")
    blob = image.section_data(".noptrdata") if data is not None else None
    if pclntab is None or data is None or not blob:
        return None
    needle = struct.pack("<Q", pclntab.addr)
    start = 0
    while (hit := blob.find(needle, start)) >= 0:
        if hit % 8 == 0:
            return data.addr + hit
        start = hit + 1
    return None
