"""Attribute codes the Go toolchain adds to DWARF (cmd/internal/dwarf/dwarf.go), and tag names."""

from __future__ import annotations

DW_AT_GO_KIND = 0x2900
DW_AT_GO_KEY = 0x2901
DW_AT_GO_ELEM = 0x2902
DW_AT_GO_EMBEDDED_FIELD = 0x2903
DW_AT_GO_RUNTIME_TYPE = 0x2904
DW_AT_GO_PACKAGE_NAME = 0x2905
DW_AT_GO_DICT_INDEX = 0x2906
DW_AT_GO_CLOSURE_OFFSET = 0x2907

TYPE_TAGS = frozenset(
    {
        "DW_TAG_base_type",
        "DW_TAG_structure_type",
        "DW_TAG_typedef",
        "DW_TAG_pointer_type",
        "DW_TAG_array_type",
        "DW_TAG_subroutine_type",
        "DW_TAG_unspecified_type",
    }
)
