"""The server's loggers, which load the `logging` module only when a record is written.

`logging` (with traceback, string and weakref) is ~3.5 ms of every start-up, and a session at the
default level writes nothing: `get(name)` answers `debug`/`info`/... by the level `configure` set
until something is to be written, then hands over to the real logger of that name. Once `logging`
is loaded (by this module or anyone else, a test's log capture say), its loggers decide.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import logging

DEBUG, INFO, WARNING, ERROR = 10, 20, 30, 40
FORMAT = "%(asctime)s %(name)s %(levelname)s %(message)s"
ROOT = "godap"

# "pending": `configure` was called and its handler is not added yet (an in-process server, as in
# tests, is never configured: its records go where the host's logging sends them).
_settings: dict[str, Any] = {"level": WARNING, "file": None, "pending": False}


def configure(log_file: str | None, verbose: bool) -> None:
    """Where the `godap` loggers write (a file, else stderr) and from which level; applied now when
    asked for a file or debug output, else when the first record is written."""
    _settings.update(level=DEBUG if verbose else WARNING, file=log_file, pending=True)
    if log_file or verbose:
        _root()


def handler_for(path: str | None) -> logging.Handler:
    """A handler writing to `path` (stderr when None) in the server's format; OSError if it cannot."""
    import logging

    handler: logging.Handler = logging.FileHandler(path) if path else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    return handler


def _root() -> None:
    import logging

    if _settings["pending"]:
        _settings["pending"] = False
        root = logging.getLogger(ROOT)
        root.addHandler(handler_for(_settings["file"]))
        root.setLevel(_settings["level"])


class Logger:
    """`logging.Logger`'s writing methods, for one name under `godap`."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def _write(self, level: int, method: str, message: str, args: tuple[object, ...]) -> None:
        if "logging" not in sys.modules and level < _settings["level"]:
            return
        _root()
        real = sys.modules["logging"].getLogger(self.name)
        if real.isEnabledFor(level):
            getattr(real, method)(message, *args, stacklevel=3)  # the caller of debug(), info(), ...

    def debug(self, message: str, *args: object) -> None:
        self._write(DEBUG, "debug", message, args)

    def info(self, message: str, *args: object) -> None:
        self._write(INFO, "info", message, args)

    def warning(self, message: str, *args: object) -> None:
        self._write(WARNING, "warning", message, args)

    def error(self, message: str, *args: object) -> None:
        self._write(ERROR, "error", message, args)

    def exception(self, message: str, *args: object) -> None:
        """An error with the traceback of the exception being handled."""
        self._write(ERROR, "exception", message, args)


def get(name: str) -> Logger:
    return Logger(name)
