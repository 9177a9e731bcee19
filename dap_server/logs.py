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

    def _enabled(self, level: int) -> logging.Logger | None:
        if "logging" not in sys.modules and level < _settings["level"]:
            return None
        _root()
        real = sys.modules["logging"].getLogger(self.name)
        return real if real.isEnabledFor(level) else None

    def debug(self, message: str, *args: object) -> None:
        if (real := self._enabled(DEBUG)) is not None:
            real.debug(message, *args, stacklevel=2)

    def info(self, message: str, *args: object) -> None:
        if (real := self._enabled(INFO)) is not None:
            real.info(message, *args, stacklevel=2)

    def warning(self, message: str, *args: object) -> None:
        if (real := self._enabled(WARNING)) is not None:
            real.warning(message, *args, stacklevel=2)

    def error(self, message: str, *args: object) -> None:
        if (real := self._enabled(ERROR)) is not None:
            real.error(message, *args, stacklevel=2)

    def exception(self, message: str, *args: object) -> None:
        """An error with the traceback of the exception being handled."""
        if (real := self._enabled(ERROR)) is not None:
            real.exception(message, *args, stacklevel=2)


def get(name: str) -> Logger:
    return Logger(name)
