"""A real, widely used Go server built from the module proxy, and a load to put it under.

`build_module` runs `go install PACKAGE@VERSION` (GOFLAGS=-mod=mod) into the fixture cache, once
per release; `NatsLoad` connects clients to a nats-server over its text protocol (subscribers that
stay idle, publishers that keep it busy) so that its core has thousands of goroutines in several
states, as a production server has.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, proc
from .build import BuildError
from .toolchains import Release, go_binary, go_env

INSTALL_TIMEOUT = 900.0
SERVE_TIMEOUT = 30.0

NATS_SERVER = "github.com/nats-io/nats-server/v2"
NATS_VERSION = "v2.10.24"
# Any free port, written to <executable>_<pid>.ports in the working directory (the core's cache key
# holds the arguments, so they must not change from run to run).
NATS_ARGS = ("-a", "127.0.0.1", "-p", "-1", "--ports_file_dir", ".")


def build_module(package: str, version: str, release: Release) -> Path:
    """The executable of `package@version` as `release` builds it (cached; a miss needs the proxy)."""
    name = package.rstrip("/").rsplit("/", 1)[-1]
    if name.startswith("v") and name[1:].isdigit():  # github.com/x/server/v2 installs as "server"
        name = package.rstrip("/").rsplit("/", 2)[-2]
    key = cache.digest([package, version, release.version])
    final = cache.entry_dir("modules", f"{name}-{version}-{release.version}-{key[:16]}")
    exe = final / name
    if exe.is_file():
        return exe
    with cache.locked("modules", key):
        if not exe.is_file():
            with cache.staging_dir(final) as staging:
                env = {**go_env(release), "GOBIN": str(staging)}
                command = [go_binary(), "install", f"{package}@{version}"]
                try:
                    result = proc.run(command, cwd=staging, env=env, timeout=INSTALL_TIMEOUT)
                except proc.Timeout as exc:
                    raise BuildError(str(exc)) from exc
                if result.returncode != 0:
                    raise BuildError(f"{' '.join(command)} failed:\n{result.stderr}")
    return exe


def _nats_port(process: subprocess.Popen[bytes], workdir: Path) -> int:
    """The port nats-server chose, once it listens (from its ports file)."""
    executable = Path(str(process.args[0]) if isinstance(process.args, list) else str(process.args))
    ports_file = workdir / f"{executable.name}_{process.pid}.ports"
    deadline = time.monotonic() + SERVE_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nats-server exited ({process.returncode}) before serving")
        try:
            url = json.loads(ports_file.read_text())["nats"][0]
            return int(url.rsplit(":", 1)[1])
        except (OSError, ValueError, KeyError, IndexError):
            time.sleep(0.05)
    raise RuntimeError(f"nats-server wrote no {ports_file.name} within {SERVE_TIMEOUT:.0f}s")


def _read_until(conn: socket.socket, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise RuntimeError(f"the server closed a connection before sending {marker!r}")
        data += chunk
    return data


@dataclass
class NatsLoad:
    """`subscribers` idle clients with a subscription each and `publishers` clients that publish
    without pause to a subject nobody reads."""

    subscribers: int = 1000
    publishers: int = 4
    key: str = field(init=False)
    port: int = field(default=0, init=False)
    _sockets: list[socket.socket] = field(default_factory=list, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)

    def __post_init__(self) -> None:
        self.key = f"nats load: {self.subscribers} subscribers, {self.publishers} publishers"

    def _client(self, commands: bytes) -> socket.socket:
        conn = socket.create_connection(("127.0.0.1", self.port), timeout=SERVE_TIMEOUT)
        self._sockets.append(conn)
        _read_until(conn, b"\r\n")  # INFO
        conn.sendall(b'CONNECT {"verbose":false,"pedantic":false}\r\n' + commands + b"PING\r\n")
        _read_until(conn, b"PONG\r\n")
        return conn

    def _publish(self, conn: socket.socket) -> None:
        message = b"PUB load.unread 5\r\nhello\r\n" * 64
        while not self._stop.is_set():
            try:
                conn.sendall(message)
            except OSError:
                return

    def start(self, process: subprocess.Popen[bytes], workdir: Path) -> Callable[[], None]:
        self.port = _nats_port(process, workdir)
        for i in range(self.subscribers):
            self._client(f"SUB load.{i % 16} {i}\r\n".encode())
        threads = [
            threading.Thread(target=self._publish, args=(self._client(b""),), daemon=True)
            for _ in range(self.publishers)
        ]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # the publishers' messages are flowing
        return self.stop

    def stop(self) -> None:
        self._stop.set()
        for conn in self._sockets:
            conn.close()
