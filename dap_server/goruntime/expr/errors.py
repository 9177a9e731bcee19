"""Errors in an expression, with the column where they were found (1-based)."""

from __future__ import annotations


class ExpressionError(Exception):
    """A message for the user; `column` points into the expression when known."""

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        return self.message if self.column is None else f"{self.message} (column {self.column})"
