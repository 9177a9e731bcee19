"""Lazy Go values read from a core: see base.Value for the model, factory for the kinds."""

from .base import Value
from .context import Loc, ValueContext
from .factory import make_value, new_context

__all__ = ["Loc", "Value", "ValueContext", "make_value", "new_context"]
