"""Test infrastructure: Go toolchains, fixture builds, real cores, Delve, a DAP test client."""
