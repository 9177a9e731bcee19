"""Security (issue 7): the server runs nothing it is given, writes only where it is told to, opens
only the files the launch request names (and the sources the executable records, for display),
and listens on loopback unless told otherwise, saying so when it is.

The code is checked twice: statically (no eval/exec, no process spawning, no unpickling anywhere in
dap_server/) and dynamically, with a Python audit hook watching a whole hostile session.
"""

from __future__ import annotations

import ast
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from support.fuzz.campaign import Fixture
from support.fuzz.driver import AdapterDriver
from support.fuzz.explore import DEEP, explore, launch
from support.fuzz.fixtures import go_fixture
from support.session import LISTENING, REPO_ROOT, start_listening

PACKAGE = REPO_ROOT / "dap_server"
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
FORBIDDEN_MODULES = {"subprocess", "pickle", "marshal", "shelve", "pty", "ctypes", "multiprocessing", "code"}
FORBIDDEN_ATTRIBUTES = {
    ("os", name)
    for name in (
        "system popen execv execve execl execle execlp execvp execvpe spawnv spawnve spawnl spawnle "
        "posix_spawn posix_spawnp fork forkpty startfile"
    ).split()
} | {("importlib", "import_module")}
# ptrace(2) and process_vm_readv(2) have no binding in Python's standard library: these two modules
# reach libc through ctypes, and they may call only these functions of it.
CTYPES_MODULES = {
    "dap_server/debuggee/ptrace.py": {"ptrace"},
    "dap_server/debuggee/vm_read.py": {"process_vm_readv"},
}
# The heap analysis's graph code is C (goruntime/heap/graphcore.c, shipped in the package): this
# module may run the C compiler on that file alone, with a fixed command line, and load the library
# it made. Nothing a core or a client sends reaches that command.
COMPILING_MODULES = {"dap_server/goruntime/heap/graphnative.py"}
RUN_EVENTS = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "exec", "compile")


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_server_code_never_evaluates_or_spawns() -> None:
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO_ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
                problems.append(f"{where}: calls {node.func.id}()")
            attribute = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            if attribute and (node.value.id, node.attr) in FORBIDDEN_ATTRIBUTES:  # type: ignore[attr-defined]
                problems.append(f"{where}: uses {node.value.id}.{node.attr}")  # type: ignore[attr-defined]
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    module, top = str(path.relative_to(REPO_ROOT)), name.split(".")[0]
                    allowed = (top == "ctypes" and module in CTYPES_MODULES) or (
                        top in ("ctypes", "subprocess") and module in COMPILING_MODULES
                    )
                    if name.split(".")[0] in FORBIDDEN_MODULES and not allowed:
                        problems.append(f"{where}: imports {name}")
            libc_call = (
                isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "_LIBC"
            )
            if libc_call and node.attr not in CTYPES_MODULES.get(str(path.relative_to(REPO_ROOT)), set()):  # type: ignore[union-attr]
                problems.append(f"{where}: calls libc's {node.attr}")  # type: ignore[union-attr]
            if isinstance(node, ast.keyword) and node.arg == "shell":
                problems.append(f"{where}: passes shell=")
    assert not problems, "\n".join(problems)


class _Audit:
    """What the process did while `watching`: files opened (path, writing?) and code it ran."""

    def __init__(self) -> None:
        self.watching = False
        self.opened: list[tuple[str, bool]] = []
        self.ran: list[str] = []

    def hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.watching:
            return
        if event == "open":
            path, mode, flags = args
            if isinstance(path, str | bytes):
                writing = bool(mode and any(c in str(mode) for c in "wax+")) or bool(
                    flags and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)
                )
                self.opened.append((os.fsdecode(path), writing))
        elif event.startswith(RUN_EVENTS):
            self.ran.append(f"{event} {args!r:.200}")


_AUDIT = _Audit()
sys.addaudithook(_AUDIT.hook)  # audit hooks cannot be removed; this one does nothing unless watching


@contextmanager
def _watching() -> Iterator[_Audit]:
    _AUDIT.opened.clear()
    _AUDIT.ran.clear()
    _AUDIT.watching = True
    try:
        yield _AUDIT
    finally:
        _AUDIT.watching = False


def _session(fixture: Fixture, log_file: Path | None) -> AdapterDriver:
    driver = AdapterDriver()
    options = {"logFile": str(log_file)} if log_file else {}
    walk = launch(driver, fixture.exe, fixture.core, **options)
    assert walk.launched, walk.launch_message
    for expression in ("__import__('os').system('touch /tmp/godap-pwned')", "$(touch /tmp/godap-pwned)", "`id`"):
        driver.request("evaluate", {"expression": expression, "context": "repl"})
    explore(driver, walk, DEEP)
    driver.close()
    return driver


@pytest.mark.parametrize("fixture_name", ["zoo", "values"])
def test_a_session_opens_only_what_it_is_given_and_runs_nothing(fixture_name: str, tmp_path: Path) -> None:
    fixture = go_fixture(fixture_name)
    _session(fixture, None)  # warm up: lazy imports read library files, which is not the server's doing
    log_file = tmp_path / "godap.log"
    with _watching() as audit:
        driver = _session(fixture, log_file)
    assert not driver.defects, driver.defects[:5]
    assert not audit.ran, audit.ran
    assert log_file.stat().st_size > 0
    still = [h for h in logging.getLogger("godap").handlers if getattr(h, "baseFilename", None) == str(log_file)]
    assert not still, "the session's log file stays attached to the next sessions"
    assert not Path("/tmp/godap-pwned").exists()
    temp = Path(tempfile.gettempdir()).resolve()
    written = {Path(p).resolve() for p, writing in audit.opened if writing}
    assert written <= {log_file.resolve(), temp}, f"wrote outside the log file: {written}"
    named = {Path(fixture.exe).resolve(), Path(fixture.core).resolve(), log_file.resolve(), temp}
    libraries = [Path(p).resolve() for p in sys.path if p]
    unexpected = [
        p
        for p, _ in audit.opened
        if Path(p).resolve() not in named
        and not p.endswith((".go", ".s", ".c", ".h"))  # the recorded sources the executable names
        and not any(Path(p).resolve().is_relative_to(lib) for lib in libraries)
    ]
    assert not unexpected, f"opened files nobody named: {sorted(set(unexpected))[:10]}"


@pytest.mark.parametrize(
    ("address", "host", "warned"),
    [("0", "127.0.0.1", False), ("localhost:0", "127.0.0.1", False), ("0.0.0.0:0", "0.0.0.0", True)],
)
def test_listen_binds_loopback_unless_told_and_warns_when_told(address: str, host: str, warned: bool) -> None:
    process, said = start_listening(address)
    try:
        match = LISTENING.search(said)
        assert match is not None, said
        assert match.group(1) == host
        assert ("not a loopback address" in said) is warned, said
    finally:
        process.terminate()
        process.wait(10)
