"""Where frames' source files are found: as recorded, through substitutePath, or in a local Go
installation when the binary was built with -trimpath; and what the `source` request will read."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import MakeCore
from support.build import BuildOptions
from support.session import open_core


def _frames_of(session: object, thread_id: int) -> list[dict[str, object]]:
    return session.stack(thread_id)  # type: ignore[attr-defined, no-any-return]


def test_trimpath_binary_finds_goroot_sources_and_maps_module_paths(make_core: MakeCore, tmp_path: Path) -> None:
    core = make_core("zoo", ("nilderef",), options=BuildOptions(trimpath=True))
    with open_core(core.exe, core.core) as session:
        frames = _frames_of(session, session.stopped["threadId"])
        runtime_frame = next(f for f in frames if str(f["name"]).startswith("runtime.gopanic"))
        path = Path(runtime_frame["source"]["path"])  # type: ignore[index]
        assert path.is_absolute() and path.exists() and path.name == "panic.go"
        content = session.client.request("source", {"source": {"path": str(path)}, "sourceReference": 0})["body"]
        assert "func gopanic(" in content["content"]
        user = next(f for f in frames if f["name"] == "main.derefPlain")
        assert "path" not in user["source"]  # type: ignore[operator]
        assert user["source"]["name"] == "zoo/crash.go"  # type: ignore[index]
        denied = session.client.request("source", {"source": {"path": "/etc/passwd"}, "sourceReference": 0})
        assert denied["success"] is False and "not a source file of this program" in denied["message"]

    copy = tmp_path / "zoo"
    shutil.copytree(Path(__file__).parent / "fixtures" / "programs" / "zoo", copy, symlinks=True)
    with open_core(core.exe, core.core, substitutePath=[{"from": str(copy), "to": "zoo"}]) as session:
        frames = _frames_of(session, session.stopped["threadId"])
        user = next(f for f in frames if f["name"] == "main.derefPlain")
        assert user["source"]["path"] == str(copy / "crash.go")  # type: ignore[index]
        text = session.client.request("source", {"source": {"path": str(copy / "crash.go")}, "sourceReference": 0})
        assert "func derefPlain" in text["body"]["content"]
