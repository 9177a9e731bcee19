"""The executable, static facts: ELF sections and symbols, build ids, pclntab, build info, lazy DWARF."""
