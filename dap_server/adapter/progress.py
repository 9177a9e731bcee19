"""A Session progress callback that drives one DAP progress bar (and lets the client cancel)."""

from __future__ import annotations

from ..dap.context import Progress as ProgressBar
from ..dap.context import RequestContext
from ..session import Progress


def reporter(ctx: RequestContext, bar: ProgressBar) -> Progress:
    """`report(step, done, total)` for Session calls, shown on `bar`."""

    def report(title: str, done: int, total: int) -> None:
        ctx.check_cancelled()
        bar.update(
            message=f"{title}: {done:,}" + (f" of {total:,}" if total else ""),
            percentage=100.0 * done / total if total else None,
        )

    return report
