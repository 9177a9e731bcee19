"""Hostile-input fuzzing: an in-process driver of the real adapter, structure-aware mutation of
real cores and executables, a per-case watchdog, and the regression corpus."""
