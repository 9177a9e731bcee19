"""Lazy DWARF access: DIEs found by name in the raw `.debug_info` bytes, parsed one at a time."""
