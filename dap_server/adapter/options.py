"""Launch arguments → session options."""

from __future__ import annotations

import logging
import os
import shlex
from collections.abc import Callable

from ..dap.errors import DapError
from ..dap.requests import LaunchRequestArguments
from ..session import SessionOptions
from ..sources import PathRule


def session_options(args: LaunchRequestArguments) -> SessionOptions:
    if args.mode not in (None, "", "core"):
        raise DapError(f'godap opens core dumps: launch "mode" must be "core" (got {args.mode!r})', show_user=True)
    base = args.cwd or os.getcwd()
    program = _absolute(args.program, base)
    core = _absolute(args.coreFilePath, base)
    filters = args.goroutineFilters
    if isinstance(filters, str):
        filters = shlex.split(filters)
    return SessionOptions(
        program=program,
        core=core,
        substitute_path=[PathRule(local=rule.from_, recorded=rule.to) for rule in args.substitutePath],
        hide_system_goroutines=args.hideSystemGoroutines,
        goroutine_filters=list(filters or []),
        group_goroutines=args.groupGoroutines,
        show_global_variables=args.showGlobalVariables,
        show_registers=args.showRegisters,
        stack_trace_depth=max(1, args.stackTraceDepth),
    )


def _absolute(path: str | None, base: str) -> str:
    if not path:
        return ""
    path = os.path.expanduser(path)
    return path if os.path.isabs(path) else os.path.join(base, path)


def add_log_file(path: str) -> Callable[[], None]:
    """Send the server's debug log to the file the launch configuration names, until the returned
    function is called (when the session ends: the next session on a TCP server may name none)."""
    logger = logging.getLogger("godap")
    target = os.path.abspath(os.path.expanduser(path))
    if any(getattr(h, "baseFilename", None) == target for h in logger.handlers):
        return lambda: None
    try:
        handler = logging.FileHandler(target)
    except OSError as exc:
        raise DapError(f"cannot write the log file {target}: {exc.strerror or exc}", show_user=True) from exc
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def remove() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()

    return remove
