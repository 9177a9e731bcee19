"""The one bridge: DAP requests become Session calls, Session answers become DAP bodies."""

from .go_adapter import GoAdapter

__all__ = ["GoAdapter"]
