"""The Debug Adapter Protocol layer: framing, typed messages, dispatch, events.
It knows nothing of Go.

An adapter is any object with methods `<command>_request(self, args, ctx)`:

    class Adapter:
        def __init__(self, client: Client) -> None: ...   # the factory gets the Client

        def scopes_request(self, args: ScopesArguments, ctx: RequestContext) -> ScopesResponseBody:
            ...                      # args arrive checked; DapError -> error response

        def threads_request(self, args: dict[str, Any], ctx: RequestContext) -> dict[str, Any]:
            ...                      # dict[str, Any] / Mapping: the raw arguments

        def close(self) -> None: ...  # optional, called when the session ends

A handler returns a message object (`message_class`), a dict, or None; raises `DapError` for an error
response; checks `ctx.cancelled` / `ctx.check_cancelled()`; sends events with
`ctx.send_event(name, body)` (or `client.send_event` from any thread); defers work
past the response with `ctx.after_response(fn)`; reports progress with
`with ctx.progress(title) as p: p.update(...)`. `cancel` is handled by the loop.

Serve with `serve_stdio(factory)`, `serve_streams(rfile, wfile, factory)` or
`serve_tcp(host, port, factory, on_listening=...)`. The log is `godap.dap`.
"""

from .client import Client
from .codec import FramingError, TruncatedFrame
from .connection import AdapterFactory, EndReason
from .context import Progress, RequestContext
from .errors import Cancelled, DapError, InvalidArguments
from .serve import DEFAULT_HOST, serve_stdio, serve_streams, serve_tcp

__all__ = [
    "DEFAULT_HOST",
    "AdapterFactory",
    "Cancelled",
    "Client",
    "DapError",
    "EndReason",
    "FramingError",
    "InvalidArguments",
    "Progress",
    "RequestContext",
    "TruncatedFrame",
    "serve_stdio",
    "serve_streams",
    "serve_tcp",
]
