"""The module graph of dap_server: no import cycles, and imports point down the layers of
docs/design.md.

Every `import X` and `from X import y` of every module counts, wherever it stands: at the top,
inside a function (a deferred import still runs, and still ties the two modules together) or
under `if TYPE_CHECKING:` (a cycle of annotations is a cycle of concepts). A package's own
`__init__` is not an edge of its submodules: Python runs it first, but it is not what they name.
Which debuggee/ modules the layers above may name is checked in test_session_seam.py.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "dap_server"
GO = frozenset({"binfmt", "debuggee", "program", "goruntime", "session"})

# What each layer (a folder of dap_server, or a module at its top) may import besides itself,
# after docs/design.md: "each layer knows only the ones below it"; "imports point down only".
MAY_IMPORT: dict[str, frozenset[str]] = {
    # "ELF structures, compression and LEB128 readers that both debuggee/ and program/ need"
    "binfmt": frozenset(),
    # "debuggee/ and program/ never import each other"; debuggee/ "knows nothing of Go"
    "debuggee": frozenset({"binfmt"}),
    "program": frozenset({"binfmt"}),
    # "Sees the debuggee only through debuggee/api.py"; never the adapter, the console or DAP
    "goruntime": frozenset({"binfmt", "checkpoints", "debuggee", "program"}),
    # session.py: "a Debuggee, its Program and the Go runtime view on them; no DAP types"
    "session": frozenset({"binfmt", "checkpoints", "debuggee", "goruntime", "program", "sources"}),
    # console/: "Delve's console commands on Session calls; no DAP types"
    "console": frozenset({"checkpoints", "goruntime", "program", "session", "sources"}),
    # dap/: "protocol only … Knows nothing of Go nor of godap's own launch options"
    "dap": frozenset({"checkpoints", "logs"}),
    # adapter/: "the one bridge"; "only adapter/ speaks both DAP and Go"
    "adapter": frozenset({"checkpoints", "console", "dap", "goruntime", "logs", "program", "session", "sources"}),
    # `godap report` "drives the same adapter in-process"
    "report": frozenset({"adapter", "dap"}),
    "cli": frozenset({"", "adapter", "capture", "dap", "logs", "processes", "report"}),
    # `godap capture PID -o FILE`: a live process's core, written by the debuggee layer (no Go in it)
    "capture": frozenset({"debuggee"}),
    # `godap processes`: the Go processes to attach to, from their executables' build info
    "processes": frozenset({"program"}),
    "__main__": frozenset({"cli"}),
    # Helpers of any layer, importing none: request budget checkpoints, loggers, source file lookup.
    "checkpoints": frozenset(),
    "logs": frozenset(),
    "sources": frozenset(),
    "": frozenset(),  # dap_server/__init__.py
}


@dataclass(frozen=True, slots=True)
class Edge:
    importer: str
    imported: str
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path.relative_to(PACKAGE.parent)}:{self.line}: {self.importer} -> {self.imported}"


def modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of dap_server."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(node: ast.Import | ast.ImportFrom, package: str, known: dict[str, Path]) -> Iterator[str]:
    """The dap_server modules an import statement names (a submodule rather than its package)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in known)
        return
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        if submodule in known:
            yield submodule
        elif source in known:
            yield source


def edges() -> list[Edge]:
    known = modules()
    found: list[Edge] = []
    for name, path in known.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found += [Edge(name, target, path, node.lineno) for target in _imported(node, package, known)]
    unique = {edge for edge in found if edge.imported != edge.importer}
    return sorted(unique, key=lambda edge: (edge.importer, edge.line, edge.imported))


def cycles(graph: list[Edge]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    successors: dict[str, list[str]] = {}
    for edge in graph:
        successors.setdefault(edge.importer, []).append(edge.imported)
        successors.setdefault(edge.imported, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in successors[node]:
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(successors):
        if node not in index:
            visit(node)
    return sorted(found)


def layer(module: str) -> str:
    """The folder of dap_server a module lies in, or its own name at the top ("" for the package)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_the_graph_sees_every_kind_of_import() -> None:
    """Top-level, deferred, relative, absolute and annotation-only imports all become edges."""
    graph = {(edge.importer, edge.imported) for edge in edges()}
    assert ("dap_server.cli", "dap_server.report") in graph  # inside main()
    assert ("dap_server.adapter.go_adapter", "dap_server.adapter.evaluate") in graph  # `from . import evaluate`
    assert ("dap_server.cli", "dap_server") in graph  # `from . import __version__`: the package's own name
    assert ("dap_server.goruntime.crash", "dap_server.goruntime.values.rtypes") in graph  # under TYPE_CHECKING
    assert ("dap_server.dap.serve", "dap_server.dap.connection") in graph


def test_no_module_of_dap_server_imports_itself_back() -> None:
    graph = edges()
    found = cycles(graph)
    report = []
    for component in found:
        report.append("cycle among " + ", ".join(component) + ":")
        report += [f"  {edge}" for edge in graph if edge.importer in component and edge.imported in component]
    assert not found, "\n".join(report)


def test_imports_point_down_the_layers_of_the_design() -> None:
    offenders = []
    for edge in edges():
        source, target = layer(edge.importer), layer(edge.imported)
        if source not in MAY_IMPORT:
            offenders.append(f"{edge.path.relative_to(PACKAGE)}: a new layer {source!r}; give it a place in MAY_IMPORT")
        elif source != target and target not in MAY_IMPORT[source]:
            offenders.append(f"{edge} ({source} may import only {', '.join(sorted(MAY_IMPORT[source])) or 'nothing'})")
    assert not offenders, "imports against docs/design.md:\n" + "\n".join(sorted(set(offenders)))


def test_only_the_adapter_speaks_both_dap_and_go() -> None:
    """The table itself keeps the rule: no other layer may import dap/ and a Go layer both."""
    bilingual = {name for name, allowed in MAY_IMPORT.items() if "dap" in allowed and allowed & GO}
    assert bilingual == {"adapter"}
    assert not MAY_IMPORT["dap"] & (GO | {"adapter", "console", "report", "cli"})


# Two classes that share a name and both stay: DAP's Thread message is the specification's name,
# debuggee.api's Thread is an OS thread of the debuggee (Delve's proc.Thread).
SHARED_CLASS_NAMES = frozenset({"Thread"})


def test_no_two_concepts_share_a_class_name() -> None:
    """A name read in a traceback or an import names one concept (expression scope vs DWARF block,
    location error vs expression error, token kind vs type kind)."""
    places: dict[str, list[str]] = {}
    for name, path in modules().items():
        for node in ast.parse(path.read_text(), str(path)).body:
            if isinstance(node, ast.ClassDef):
                places.setdefault(node.name, []).append(name)
    shared = {cls: where for cls, where in places.items() if len(where) > 1 and cls not in SHARED_CLASS_NAMES}
    assert not shared, f"class names defined in more than one module: {shared}"
