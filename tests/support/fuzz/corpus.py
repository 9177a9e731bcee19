"""The regression corpus: every input that ever broke the server, replayed by the normal test run.

`tests/fuzz-corpus/protocol/*.json` hold protocol scripts (frames as latin-1 text, with
`$PROGRAM` / `$CORE` standing for the fixture's paths); `tests/fuzz-corpus/cores/*.json` hold
mutated-core cases (see mutate.Case). A fuzz failure is saved here by the fuzz tests themselves;
commit the file with the fix.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .mutate import Case
from .protocol import Item, Script

CORPUS = Path(__file__).resolve().parents[2] / "fuzz-corpus"
PROTOCOL_DIR = CORPUS / "protocol"
CORES_DIR = CORPUS / "cores"
_PLACEHOLDERS = ("$PROGRAM", "$CORE")


def _encode(data: bytes, paths: tuple[str, str]) -> str:
    text = data.decode("latin-1")
    for path, placeholder in zip(paths, _PLACEHOLDERS, strict=True):
        text = text.replace(json.dumps(path)[1:-1], placeholder)
    return text


def _decode(text: str, paths: tuple[str, str]) -> bytes:
    for path, placeholder in zip(paths, _PLACEHOLDERS, strict=True):
        text = text.replace(placeholder, json.dumps(path)[1:-1])
    return text.encode("latin-1")


def script_to_json(script: Script, paths: tuple[str, str], note: str) -> str:
    raw = {
        "note": note,
        "items": [{"header": _encode(i.header, paths), "body": _encode(i.body, paths)} for i in script.items],
        "ending": _encode(script.ending, paths),
        "disconnect": script.disconnect,
    }
    return json.dumps(raw, indent=1, ensure_ascii=True) + "\n"


def script_from_json(text: str, paths: tuple[str, str]) -> Script:
    raw = json.loads(text)
    items = [Item(_decode(i["body"], paths), _decode(i["header"], paths)) for i in raw["items"]]
    return Script(items, _decode(raw["ending"], paths), bool(raw["disconnect"]))


def save_script(script: Script, paths: tuple[str, str], note: str) -> Path:
    text = script_to_json(script, paths, note)
    return _save(PROTOCOL_DIR, text)


def save_case(case: Case) -> Path:
    return _save(CORES_DIR, case.to_json())


def _save(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    path.write_text(text)
    return path


def protocol_entries() -> list[Path]:
    return sorted(PROTOCOL_DIR.glob("*.json"))


def core_entries() -> list[Path]:
    return sorted(CORES_DIR.glob("*.json"))
