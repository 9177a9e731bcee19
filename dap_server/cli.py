"""The `godap` command: serve DAP on stdio (default) or TCP, or run a subcommand (report, capture, processes)."""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import NamedTuple

from . import __version__, logs

log = logs.get("godap")


def _subcommand(name: str) -> Callable[[list[str]], int] | None:
    """The `main` of `godap NAME …`, loaded only when asked for (serving DAP loads none of them)."""
    if name == "report":
        from .report import main as run
    elif name == "capture":
        from .capture import main as run
    elif name == "processes":
        from .processes import main as run
    else:
        return None
    return run


class Options(NamedTuple):
    listen: tuple[str, int] | None
    request_timeout: float | None
    log_file: str | None
    verbose: bool


def _address(text: str) -> tuple[str, int]:
    import argparse

    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    try:
        number = int(port)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"bad port in {text!r}") from exc
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port {number} is out of range")
    return host, number


def _seconds(text: str) -> float | None:
    import argparse

    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from exc
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds")
    return value or None


def _is_loopback(host: str) -> bool:
    import ipaddress  # only --listen needs it

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _parse(argv: list[str]) -> Options:
    import argparse

    from .dap.connection import DEFAULT_REQUEST_BUDGET

    parser = argparse.ArgumentParser(
        prog="godap",
        description="Debug Adapter Protocol server for Go core dumps and running Go processes. "
        "Serves DAP on stdio unless --listen is given; `godap report EXE CORE` (or `godap report PID`) "
        "prints a crash report; `godap capture PID -o FILE` writes a core of a running process; "
        "`godap processes` lists the Go processes to attach to.",
    )
    parser.add_argument(
        "--listen",
        type=_address,
        metavar="[HOST:]PORT",
        help="serve DAP on TCP (loopback unless a host is named), one session after another",
    )
    parser.add_argument(
        "--request-timeout",
        type=_seconds,
        default=DEFAULT_REQUEST_BUDGET,
        metavar="SECONDS",
        help="stop a request (other than launch) that runs longer than this "
        f"(default {DEFAULT_REQUEST_BUDGET:g}; 0: never)",
    )
    parser.add_argument("--log-file", metavar="FILE", help="write the server log to FILE instead of stderr")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument("--version", action="version", version=f"godap {__version__}")
    args = parser.parse_args(argv)
    return Options(args.listen, args.request_timeout, args.log_file, args.verbose)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = _subcommand(argv[0]) if argv else None
    if command is not None:
        return command(argv[1:])
    # The server loads only to serve: an attach picker runs `godap processes` and waits for it.
    # Its ~100 modules make garbage collections that free nothing: collect none while they load,
    # then freeze what they made so that later collections do not walk it again.
    gc.disable()
    try:
        from .adapter import GoAdapter
        from .dap import serve_stdio, serve_tcp
        from .dap.connection import DEFAULT_REQUEST_BUDGET
    finally:
        gc.enable()
    gc.freeze()

    # An editor starts the server with no arguments: argparse (~5 ms of start-up) loads only for some.
    args = _parse(argv) if argv else Options(None, DEFAULT_REQUEST_BUDGET, None, False)
    logs.configure(args.log_file, args.verbose)
    if args.listen is None:
        try:
            serve_stdio(GoAdapter, request_budget=args.request_timeout)
        except KeyboardInterrupt:  # editors send SIGINT when they stop the adapter
            return 0
        return 0
    host, port = args.listen
    if not _is_loopback(host):
        print(
            f"godap: warning: listening on {host}, which is not a loopback address; anyone who can reach "
            "it can read the cores this server opens",
            file=sys.stderr,
        )

    def listening(bound_host: str, bound_port: int) -> None:
        print(f"godap: listening on {bound_host}:{bound_port}", file=sys.stderr, flush=True)

    try:
        serve_tcp(host, port, GoAdapter, on_listening=listening, request_budget=args.request_timeout)
    except OSError as exc:
        print(f"godap: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
    return 0
