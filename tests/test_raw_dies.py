"""DIEs of Go units come from godap's own reader (program/dwarf/raw_die.py), shaped as pyelftools
shapes them: every DIE of a unit reads the same through both, C units stay with pyelftools, and
listing a package's globals loads no pyelftools at all.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from conftest import BuildProgram
from support.toolchains import Release

from dap_server.program.dwarf.raw_die import RawDIE
from dap_server.program.program import Program


def _shape(die: Any) -> tuple[Any, ...]:
    """What godap reads of a DIE: tag, size, attributes (name: form, value), children, unit."""
    cu = die.cu
    return (
        die.offset,
        die.tag,
        die.size,
        die.has_children,
        {name: (attr.form, attr.value) for name, attr in die.attributes.items()},
        [child.offset for child in die.iter_children()],
        (cu.cu_offset, cu.cu_die_offset, cu.size, cu.header["version"]),
    )


def _unit_dies(program: Program, offset: int) -> list[Any]:
    """pyelftools' DIEs of the unit holding `offset`, in order."""
    cu = program.dwarf.pyelftools.get_DIE_from_refaddr(offset).cu
    return [die for die in cu.iter_DIEs() if not die.is_null()]


def test_every_die_of_go_units_reads_as_pyelftools_reads_it(go_release: Release, build_program: BuildProgram) -> None:
    """The units of main, of the runtime and of the types, DIE by DIE (the first 20,000 of each)."""
    program = Program(str(build_program("zoo", go_release, "opt").exe))
    try:
        anchors = [program.dwarf.find_one(name, ("DW_TAG_variable",)) for name in ("main.GBool", "runtime.allgs")]
        anchors.append(program.dwarf.find_one("int", ("DW_TAG_base_type",)))
        checked = 0
        for anchor in anchors:
            assert anchor is not None
            for theirs in _unit_dies(program, anchor.offset)[:20000]:
                ours = program.dwarf.die_at(theirs.offset)
                assert isinstance(ours, RawDIE), theirs.offset
                assert _shape(ours) == _shape(theirs)
                checked += 1
        assert checked > 10000
    finally:
        program.close()


def test_c_units_stay_with_pyelftools(build_program: BuildProgram) -> None:
    program = Program(str(build_program("cgozoo").exe))
    try:
        foreign = [
            cu.cu_die_offset
            for cu in program.dwarf.pyelftools.iter_CUs()
            if getattr(cu.get_top_DIE().attributes.get("DW_AT_language"), "value", 0x16) != 0x16
        ]
        assert foreign, "cgozoo links C units"
        top = program.dwarf.die_at(foreign[0])
        assert not isinstance(top, RawDIE)
        assert program.dwarf.is_foreign(top)
    finally:
        program.close()


def test_package_globals_load_no_pyelftools(build_program: BuildProgram) -> None:
    """The first Globals request reads a few hundred DIEs: none of them through pyelftools."""
    exe = str(build_program("values").exe)
    script = (
        "import sys\n"
        "from dap_server.program.program import Program\n"
        "from dap_server.program.dwarf.globals import package_variables\n"
        f"program = Program({exe!r})\n"
        "dies = package_variables(program.dwarf, 'main')\n"
        "types = [program.dwarf.types.at(program.dwarf.type_offset(d)) for d in dies]\n"
        "fields = [f.type.name for t in types for f in t.fields]\n"
        "assert len(dies) > 20 and fields, (len(dies), fields)\n"
        "print(sorted(m for m in sys.modules if m.startswith('elftools')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
