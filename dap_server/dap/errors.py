"""Exceptions a request handler raises to shape its response."""

from __future__ import annotations


class DapError(Exception):
    """A failure to report to the client as an error response.

    The message becomes both `Response.message` and `body.error.format`. VS Code
    substitutes `{name}` placeholders in `format` only when `variables` defines
    them, so braces in Go type names are shown as they are.
    """

    def __init__(
        self,
        message: str,
        *,
        error_id: int = 1,
        show_user: bool = False,
        url: str | None = None,
        url_label: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id
        self.show_user = show_user
        self.url = url
        self.url_label = url_label


class InvalidArguments(DapError):
    """The request's `arguments` do not fit the handler's argument class."""


class Cancelled(Exception):
    """Raised inside a handler (by `RequestContext.check_cancelled`) to stop a cancelled request."""


class OverBudget(Cancelled):
    """Raised at a checkpoint of a request that ran past its time budget."""

    def __init__(self, budget: float) -> None:
        super().__init__(f"took longer than {budget:g} s")
        self.budget = budget
