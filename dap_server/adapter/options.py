"""Launch and attach arguments → session options."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable

from .. import logs
from ..dap.errors import DapError
from ..session import SessionOptions
from ..sources import PathRule
from .arguments import AttachArguments, GoArguments, LaunchArguments


def launch_options(args: LaunchArguments) -> SessionOptions:
    if args.mode not in (None, "", "core"):
        raise DapError(f'godap opens core dumps: launch "mode" must be "core" (got {args.mode!r})', show_user=True)
    return _session_options(args, core=args.coreFilePath)


def attach_options(args: AttachArguments) -> tuple[SessionOptions, int]:
    """The options and the process id; `program` may stay empty (the process's own executable)."""
    if args.mode not in (None, "", "local"):
        raise DapError(
            f'godap attaches to processes on this machine: attach "mode" must be "local" (got {args.mode!r})',
            show_user=True,
        )
    pid = args.processId
    if isinstance(pid, str):
        pid = int(pid.strip()) if pid.strip().isdigit() else None
    if pid is None or not 0 < pid < 1 << 31:
        raise DapError(
            f'attach needs "processId": the id of a running Go process (got {args.processId!r})', show_user=True
        )
    return _session_options(args, core=None), pid


def _session_options(args: GoArguments, core: str | None) -> SessionOptions:
    base = args.cwd or os.getcwd()
    program = _absolute(args.program, base)
    core = _absolute(core, base)
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
    import logging  # loaded now that a file will be written

    logger = logging.getLogger(logs.ROOT)
    target = os.path.abspath(os.path.expanduser(path))
    if any(getattr(h, "baseFilename", None) == target for h in logger.handlers):
        return lambda: None
    try:
        handler = logs.handler_for(target)
    except OSError as exc:
        raise DapError(f"cannot write the log file {target}: {exc.strerror or exc}", show_user=True) from exc
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def remove() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()

    return remove
