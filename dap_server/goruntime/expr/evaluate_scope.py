"""What names mean where an expression is evaluated: the frame's arguments and locals, then the
package variables of the frame's package; `pkg.Name` through the program's package paths."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ...program.dwarf.dies import DwarfError, ref_offset
from ...program.dwarf.globals import symbol_path
from ...program.dwarf.types import GoType
from ...program.symbols import STT_FUNC
from .. import variables
from ..frames import Frame
from ..process import GoProcess
from ..values.base import Value, ValueContext
from .errors import ExpressionError
from .package_names import package_names


@dataclass
class ExpressionScope:
    """Where names are looked up: a frame (None: package variables only) and its package."""

    process: GoProcess
    frame: Frame | None = None

    @property
    def ctx(self) -> ValueContext:
        return variables.context_for(self.process)

    @property
    def package(self) -> str:
        """The package whose variables bare names may mean ("main" without a frame)."""
        if self.frame is None or not self.frame.function or self.frame.is_synthetic:
            return "main"
        return self.frame.package

    @cached_property
    def frame_values(self) -> list[Value]:
        """Arguments, then locals, of the frame (a C frame's from its C unit's DWARF)."""
        frame = self.frame
        if frame is None or frame.is_synthetic:
            return []
        return variables.arguments(self.process, frame) + variables.locals(self.process, frame)

    def local(self, name: str) -> Value | None:
        return next((v for v in self.frame_values if v.name == name), None)

    def global_variable(self, package: str, name: str) -> Value | None:
        """The package variable `package.name` (package as a full import path)."""
        return next((v for v in variables.package_globals(self.process, package) if v.name == name), None)

    def package_path(self, name: str, column: int) -> str:
        """The import path a package name stands for, as in Go source: the frame's own package,
        `main`, or the one package whose clause (else path, without a version suffix) is `name`;
        a full path is accepted as is."""
        if name in (self.package, "main") or "/" in name:
            return name
        known = package_names(self.process.binary)
        if known.name_of(self.package) == name:
            return self.package
        if name in known.paths:
            return name
        matches = known.paths_named(name)
        if len(matches) == 1:
            return matches[0]
        if matches:
            user = [p for p in matches if not p.startswith(("vendor/", "internal/")) and "/internal/" not in p]
            if len(user) == 1:
                return user[0]
            raise ExpressionError(f"package name {name} is ambiguous: {', '.join(matches[:6])}", column)
        raise ExpressionError(f"could not find symbol value for {name}", column)

    def quoted_path(self, path: str) -> str:
        """The package a quoted path names: the path itself, or the one package path ending in
        /path (`"dir0/pkg".A`, as Delve accepts)."""
        known = package_names(self.process.binary)
        matches = known.paths_ending(path)
        return matches[0] if path not in known.paths and len(matches) == 1 else path

    def constant(self, package: str, name: str) -> tuple[GoType, int] | None:
        """The type and value of the constant `package.name`, which DWARF keeps for the
        integer constants a package declares."""
        try:
            die = self.process.program.dwarf.find_one(f"{symbol_path(package)}.{name}", ("DW_TAG_constant",))
        except DwarfError:
            return None
        value = die.attributes.get("DW_AT_const_value") if die is not None else None
        offset = ref_offset(die, "DW_AT_type") if die is not None else None
        if value is None or offset is None or not isinstance(value.value, int):
            return None
        return self.ctx.types.at(offset), value.value

    def function(self, name: str, method: bool = False) -> tuple[int, str] | None:
        """The run-time entry and the signature (`func(int) string`, a method's without its
        receiver) of the function `name` (its full name), from its DWARF parameters."""
        symbol = self.process.program.symbols.find(name)
        if symbol is None or symbol.kind != STT_FUNC:
            return None
        program = self.process.program
        try:
            found = program.dwarf.functions.function(name, symbol.value)
        except DwarfError:
            found = None
        params = [d for d in found.body.variables if d.parameter and d.depth == 0] if found is not None else []
        types = self.ctx.types
        inputs = [types.at(d.type_offset).name for d in params if not d.result and d.type_offset is not None]
        outputs = [types.at(d.type_offset).name for d in params if d.result and d.type_offset is not None]
        inputs = inputs[1:] if method else inputs
        results = outputs[0] if len(outputs) == 1 else f"({', '.join(outputs)})" if outputs else ""
        return symbol.value + program.bias, f"func({', '.join(inputs)}) {results}".rstrip()

    def is_function(self, name: str) -> bool:
        """Whether `name` (bare, or package-qualified by its full path) names a function."""
        full = name if "." in name else f"{self.package}.{name}"
        symbol = self.process.program.symbols.find(full)
        return symbol is not None and symbol.kind == STT_FUNC

    def known_packages(self) -> list[str]:
        """The names the program's packages go by in source (`caddy`, `http`)."""
        return package_names(self.process.binary).names()

    def is_package(self, name: str) -> bool:
        known = package_names(self.process.binary)
        if name in (self.package, "main") or known.name_of(self.package) == name:
            return True
        return name in known.paths or bool(known.paths_named(name)) or bool(known.paths_ending(name))
