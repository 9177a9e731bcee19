"""Launch arguments → session options."""

from __future__ import annotations

import os
import shlex

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
