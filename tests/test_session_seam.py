"""The debuggee seam: Session owns per-binary and per-stop state apart, `clear_caches` drops only
the per-stop part, and the layers above Session reach nothing behind it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_values_support import ValuesCore, values_core

from dap_server.goruntime.expr.package_names import package_names
from dap_server.session import Session, SessionOptions

PACKAGE = Path(__file__).resolve().parent.parent / "dap_server"
ABOVE_SESSION = ("adapter", "console", "report.py", "cli.py")
# What only Session may touch: the debuggee, the executable and the runtime view behind it.
__all__ = ["values_core"]

BEHIND_SESSION = frozenset({"process", "core", "program", "debuggee", "_process", "_debuggee", "_program", "_binary"})


@pytest.mark.build_modes("noopt")
def test_clear_caches_rereads_the_stop_and_keeps_the_binary(values_core: ValuesCore) -> None:
    session = Session.open(SessionOptions(program=str(values_core.core.exe), core=str(values_core.core.core)))
    try:
        before = session.process
        stopped = session.stopped_goroutine()
        assert stopped is not None
        frames = [(f.function, f.file, f.line) for f in session.frames(stopped)]
        summary = session.summary(stopped)
        main_globals = {v.name: v.summary for v in session.package_globals("main")}
        paths = package_names(before.binary)
        crash = session.crash()

        session.clear_caches()

        after = session.process
        assert after is not before, "the per-stop view was not rebuilt"
        assert after.binary is before.binary, "per-binary facts were dropped with the stop"
        assert after.layouts is before.layouts and after.binary.unwind_facts is before.binary.unwind_facts
        assert package_names(after.binary) is paths, "the binary's attached package list was read again"
        assert [g.goid for g in session.goroutines] == [g.goid for g in before.goroutines]
        again = session.stopped_goroutine()
        assert again is not None and again is not stopped and again.goid == stopped.goid
        assert [(f.function, f.file, f.line) for f in session.frames(again)] == frames
        assert session.summary(again) is not summary and session.summary(again) == summary
        assert {v.name: v.summary for v in session.package_globals("main")} == main_globals
        assert session.crash() is not crash and session.crash().description == crash.description
    finally:
        session.close()


def _files_above_session() -> list[Path]:
    files: list[Path] = []
    for name in ABOVE_SESSION:
        path = PACKAGE / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def test_layers_above_session_reach_nothing_behind_it() -> None:
    """`session.process`, `session.core`, `where.session.program`… in the adapter, the console or
    the report would tie them to a core file again: they must go through Session's methods."""
    found = []
    for path in _files_above_session():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Attribute) or node.attr not in BEHIND_SESSION:
                continue
            owner = node.value
            named = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
            if named == "session":
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: session.{node.attr}")
    assert not found, "reaches behind Session:\n" + "\n".join(found)


def test_only_session_opens_a_debuggee_and_goruntime_sees_only_its_api() -> None:
    """Session opens cores, processes and snapshots (and watches a resumed process for its exit);
    `godap capture` (no Go in it) writes a process's core; everything else sees the debuggee through
    debuggee/api.py only."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in ("debuggee",):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.module is None:
                continue
            module = node.module.split(".")
            if "debuggee" not in module:
                continue
            inner = module[module.index("debuggee") + 1 :]
            allowed = (
                inner == ["api"]
                or (relative == Path("session.py") and inner in (["core"], ["live"], ["snapshot"], ["exit_watch"]))
                or relative == Path("capture.py")
            )
            if not allowed:
                offenders.append(f"{relative}:{node.lineno}: from {'.' * node.level}{node.module}")
    assert not offenders, "imports debuggee internals:\n" + "\n".join(offenders)
