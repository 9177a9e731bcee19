"""The names Go source uses for the program's packages: each package's own clause name (DWARF
records it on the package's compile unit), else the last element of its import path that is not
a major-version suffix (`github.com/caddyserver/caddy/v2` is `caddy`, `gopkg.in/yaml.v3` is
`yaml`)."""

from __future__ import annotations

import re
from collections import defaultdict

from ...program.program import Program
from ..binary import GoBinary

DW_AT_GO_PACKAGE_NAME = 0x2905  # Go's own attribute on a compile unit: the package clause's name
_VERSION_SUFFIX = re.compile(r"v\d+")
_GOPKG_VERSION = re.compile(r"\.v\d+$")


class PackageNames:
    """The program's import paths, and which paths each package name stands for."""

    def __init__(self, clauses: dict[str, str]) -> None:
        self.paths: tuple[str, ...] = tuple(sorted(clauses))
        self._name_of = {path: clauses[path] or name_from_path(path) for path in self.paths}
        by_name: dict[str, list[str]] = defaultdict(list)
        for path, name in self._name_of.items():
            by_name[name].append(path)
        self._by_name = dict(by_name)

    def paths_named(self, name: str) -> list[str]:
        return self._by_name.get(name, [])

    def names(self) -> list[str]:
        return sorted(self._by_name)

    def name_of(self, path: str) -> str:
        """The name source code uses for the package at `path`."""
        return self._name_of.get(path) or name_from_path(path)


def name_from_path(path: str) -> str:
    """`github.com/x/caddy/v2` → `caddy`; `gopkg.in/yaml.v3` → `yaml`; `net/http` → `http`."""
    elements = path.split("/")
    while len(elements) > 1 and _VERSION_SUFFIX.fullmatch(elements[-1]):
        elements.pop()
    return _GOPKG_VERSION.sub("", elements[-1])


def package_names(binary: GoBinary) -> PackageNames:
    """The program's package names, read once per binary."""
    return binary.attached.get(PackageNames, lambda: PackageNames(_read_clauses(binary.program)))


def _read_clauses(program: Program) -> dict[str, str]:
    """Import path → package clause name ("" where DWARF does not say) of every compile unit."""
    clauses: dict[str, str] = {}
    try:
        for unit in program.dwarf.pyelftools.iter_CUs():
            attributes = unit.get_top_DIE().attributes
            path, clause = attributes.get("DW_AT_name"), attributes.get(DW_AT_GO_PACKAGE_NAME)
            if path is not None and isinstance(path.value, bytes):
                name = clause.value if clause is not None and isinstance(clause.value, bytes) else b""
                clauses[path.value.decode("utf-8", "replace")] = name.decode("utf-8", "replace")
    except Exception:  # no DWARF, or pyelftools failing on a damaged unit: keep what was read
        pass
    return clauses
