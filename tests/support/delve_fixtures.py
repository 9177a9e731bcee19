"""Delve's own test fixtures (`_fixtures/` of its module), built and run to a core at their first
`runtime.Breakpoint()`.

Delve's module needs a newer Go than our oldest release (its go.mod says `go 1.25.0`), so each
fixture is staged in the cache, never in the repository: the fixture and `_fixtures/internal/`
(which the fixtures import as `github.com/go-delve/delve/_fixtures/internal/...`) copied from the
module cache, under a go.mod of the same module path that says `go 1.21`.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from . import cache, delve, proc
from .build import Binary, BuildOptions, Mode, build_source
from .cores import Core, CoreNotProduced, dig_holes, make_core
from .prune import CORE_RECORD
from .session import OpenCore, open_core
from .toolchains import Release, go_binary, go_env, local_release

DELVE_MODULE = "github.com/go-delve/delve"
DELVE_VERSION = "v1.27.2"
_GO_MOD = f"module {DELVE_MODULE}\n\ngo 1.21\n"


class DelveSourceUnavailable(RuntimeError):
    """Delve's module cannot be downloaded into (or found in) the Go module cache."""


def delve_source() -> Path:
    """Delve's module directory in the module cache (downloaded once through the module proxy)."""
    command = [go_binary(), "mod", "download", "-json", f"{DELVE_MODULE}@{DELVE_VERSION}"]
    result = proc.run(command, cwd=cache.cache_root(), env=go_env(local_release()), timeout=600.0)
    try:
        directory = Path(json.loads(result.stdout)["Dir"])
    except (ValueError, KeyError) as exc:
        raise DelveSourceUnavailable(f"{' '.join(command)}: {result.stderr.strip() or result.stdout}") from exc
    if not (directory / "_fixtures").is_dir():
        raise DelveSourceUnavailable(f"{directory} has no _fixtures/")
    return directory


def _staged(source: Path, fixture: str) -> tuple[Path, str]:
    """The staging module of ``fixture`` (a file `name.go` or a directory `name/`) and its package."""
    fixtures = source / "_fixtures"
    name = fixture.removesuffix("/")
    origin = fixtures / (name if fixture.endswith("/") else f"{name}.go")
    parts: list[str | bytes] = [DELVE_VERSION, fixture]
    for path in sorted([*(fixtures / "internal").rglob("*"), *([*origin.rglob("*")] if origin.is_dir() else [origin])]):
        if path.is_file():
            parts += [str(path.relative_to(fixtures)), path.read_bytes()]
    entry = cache.entry_dir("delve-src", f"{name}-{cache.digest(parts)[:16]}")
    package = f"./_fixtures/{name}" if origin.is_dir() else f"./_fixtures/{name}.go"
    if (entry / "go.mod").is_file():
        return entry, package
    with cache.locked("delve-src", entry.name):
        if not (entry / "go.mod").is_file():
            with cache.staging_dir(entry) as staging:
                shutil.copytree(fixtures / "internal", staging / "_fixtures" / "internal")
                copy = staging / "_fixtures" / origin.name
                if origin.is_dir():
                    shutil.copytree(origin, copy)
                else:
                    shutil.copyfile(origin, copy)
                for path in staging.rglob("*"):
                    path.chmod(0o755 if path.is_dir() else 0o644)
                (staging / "go.mod").write_text(_GO_MOD)
    return entry, package


def build_fixture(source: Path, fixture: str, release: Release, mode: Mode) -> Binary:
    """Delve's ``fixture`` built by ``release``; ``noopt`` is Delve's own `-gcflags=all=-N -l`."""
    staged, package = _staged(source, fixture)
    options = BuildOptions(cgo=fixture.endswith("cgo/"))
    return build_source(staged, fixture.strip("/"), release, mode, options, package=package)


def fixture_core(source: Path, fixture: str, release: Release, mode: Mode) -> Core:
    """A core of ``fixture`` at its first `runtime.Breakpoint()`: Go throws on the SIGTRAP and,
    with GOTRACEBACK=crash, dumps core there."""
    return make_core(build_fixture(source, fixture, release, mode))


def stop_cores(
    source: Path, fixture: str, release: Release, mode: Mode, function: str, stops: int
) -> tuple[Path, list[Path]]:
    """The executable of ``fixture`` and its cores at the first ``stops`` stops of a breakpoint on ``function``, written
    by Delve's `dump` under `dlv exec` (Delve's tests stop at function breakpoints, and continue
    to later stops: a core has one stop), cached like the kernel's."""
    binary = build_fixture(source, fixture, release, mode)
    key = cache.digest([binary.key, "dlv-dump", function, str(stops)])
    entry = cache.entry_dir("cores", f"{binary.exe.name}-dlv-{key[:16]}")
    names = [f"stop{n}.core" for n in range(1, stops + 1)]
    if not (entry / CORE_RECORD).is_file():
        with cache.locked("core", key):
            if not (entry / CORE_RECORD).is_file():
                with cache.staging_dir(entry) as staging:
                    commands = [f"break {function}"]
                    for name in names:
                        commands += ["continue", f"dump {staging / name}"]
                    failed = [r for r in delve.exec_delve(binary.exe, commands) if r.error]
                    if failed or not all((staging / name).is_file() for name in names):
                        raise CoreNotProduced(f"Delve made no cores of {fixture}: {failed or names}")
                    for name in names:
                        dig_holes(staging / name)
                    cache.write_json(staging / CORE_RECORD, {"exe": str(binary.exe), "breakpoint": function})
    return binary.exe, [entry / name for name in names]


@dataclass(frozen=True)
class Answer:
    """godap's answer to one `evaluate`: the value's text and type, or the error message."""

    ok: bool
    text: str
    type: str


def evaluate_all(core: Core, expressions: Sequence[str], context: str = "clipboard") -> list[Answer]:
    """Each expression evaluated through DAP `evaluate` (by default in the clipboard context: the
    whole value in one line) in the frame that called `runtime.Breakpoint()`, in one session."""
    with open_core(core.exe, core.core) as session:
        frames = session.stack(session.stopped["threadId"])
        frame = next(f for f in frames if f.get("presentationHint") != "label" and not f["name"].startswith("runtime."))
        return [evaluate_in(session, frame["id"], expression, context) for expression in expressions]


def evaluate_in(session: OpenCore, frame_id: int, expression: str, context: str = "clipboard") -> Answer:
    """One expression evaluated through DAP `evaluate` in the frame ``frame_id``."""
    arguments = {"expression": expression, "frameId": frame_id, "context": context}
    response = session.client.request("evaluate", arguments)
    if response["success"]:
        body = response["body"]
        return Answer(True, body["result"], body.get("type", ""))
    return Answer(False, response.get("message", ""), "")
