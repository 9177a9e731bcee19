"""Lazy Go values read from a core: see base.Value for the model, factory for the kinds.

Import the modules themselves (`values.base`, `values.context`, `values.factory`): this package
does not load them, so that code needing one small part (the kinds enum) stays cheap to import.
"""
