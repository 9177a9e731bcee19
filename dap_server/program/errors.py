"""Errors raised while reading an executable."""

from __future__ import annotations


class ProgramError(Exception):
    """The executable cannot be used; the message is meant for the user."""
