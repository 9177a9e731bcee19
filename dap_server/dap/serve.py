"""Entry points: serve one session on streams or stdio, or sessions one after another on TCP."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from .. import logs
from .codec import DEFAULT_MAX_BODY_SIZE, ByteSink, ByteSource, FrameReader, MessageWriter
from .connection import DEFAULT_REQUEST_BUDGET, AdapterFactory, Connection, EndReason

if TYPE_CHECKING:
    import socket

log = logs.get("godap.dap")

DEFAULT_HOST = "127.0.0.1"  # the server has no authentication: loopback unless asked otherwise
READER_JOIN_TIMEOUT = 5.0


def serve_streams(
    rfile: ByteSource,
    wfile: ByteSink,
    adapter_factory: AdapterFactory,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    request_budget: float | None = DEFAULT_REQUEST_BUDGET,
) -> EndReason:
    """Serve one session on blocking binary streams; return when it ends.

    Do not pass `sys.stdin.buffer`: a daemon thread blocked reading it aborts the
    interpreter at exit. `serve_stdio` reads a duplicate of fd 0 instead.
    """
    reader = FrameReader(rfile, max_body_size=max_body_size)
    return Connection(reader, MessageWriter(wfile), adapter_factory, request_budget=request_budget).run()


def serve_stdio(
    adapter_factory: AdapterFactory,
    *,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    request_budget: float | None = DEFAULT_REQUEST_BUDGET,
) -> EndReason:
    """Serve one session on stdin/stdout.

    The protocol gets private duplicates of fds 0 and 1; while the session runs, fd 1
    and `sys.stdout` point at stderr, so a stray print (from Python or C) cannot
    corrupt the protocol stream. The read side stays open for the reader thread,
    which may be blocked on it until the process exits.
    """
    sys.stdout.flush()
    rfile = os.fdopen(os.dup(0), "rb")
    saved_fd = os.dup(1)
    saved_stdout = sys.stdout
    wfile = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        return serve_streams(rfile, wfile, adapter_factory, max_body_size=max_body_size, request_budget=request_budget)
    finally:
        sys.stdout = saved_stdout
        os.dup2(saved_fd, 1)
        os.close(saved_fd)
        with contextlib.suppress(OSError):  # a client that went away leaves bytes unflushed
            wfile.close()


def serve_tcp(
    host: str,
    port: int,
    adapter_factory: AdapterFactory,
    *,
    on_listening: Callable[[str, int], None] | None = None,
    max_sessions: int | None = None,
    max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    request_budget: float | None = DEFAULT_REQUEST_BUDGET,
) -> None:
    """Listen on host:port (port 0 picks one) and serve sessions one after another,
    each with a fresh adapter, forever or until `max_sessions` have ended.

    `on_listening(host, port)` is called with the bound address once the socket
    accepts connections. The server has no authentication, hence the warning
    when the address is not a loopback one.
    """
    import ipaddress  # the socket modules load only to serve on TCP (stdio is the common case)
    import socket

    family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    with socket.create_server(address, family=family) as server:
        bound_host, bound_port = server.getsockname()[:2]
        if not ipaddress.ip_address(bound_host).is_loopback:
            log.warning(
                "listening on %s:%d, which other machines can reach; anyone who connects "
                "can read the debugged process's memory",
                bound_host,
                bound_port,
            )
        log.info("listening on %s:%d", bound_host, bound_port)
        if on_listening is not None:
            on_listening(bound_host, bound_port)
        served = 0
        while max_sessions is None or served < max_sessions:
            sock, peer = server.accept()
            served += 1
            log.info("session %d from %s", served, peer)
            try:
                _serve_socket(sock, adapter_factory, max_body_size, request_budget)
            except Exception:
                log.exception("session %d failed", served)


def _serve_socket(
    sock: socket.socket, adapter_factory: AdapterFactory, max_body_size: int, request_budget: float | None
) -> None:
    import socket

    with sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rfile = sock.makefile("rb")
        wfile = sock.makefile("wb")
        reader = FrameReader(rfile, max_body_size=max_body_size)
        connection = Connection(reader, MessageWriter(wfile), adapter_factory, request_budget=request_budget)
        try:
            connection.run()
        finally:
            # Shutting the socket down ends a read the reader thread may be blocked in;
            # its file may only be closed once the thread is out of it.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            if connection.join_reader(READER_JOIN_TIMEOUT):
                rfile.close()
            with contextlib.suppress(OSError):
                wfile.close()
