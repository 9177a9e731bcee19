"""Heap analysis of a stopped Go process: objects, their types, who points to whom, and what each keeps alive."""
