"""Where bytes and registers come from: ELF core files (and later live processes). Knows nothing of Go."""
