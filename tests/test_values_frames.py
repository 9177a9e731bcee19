"""Arguments, locals and registers of real frames, for every Go release in both build modes.

The fixture (tests/fixtures/programs/values/holders.go) parks one goroutine per holder function
with known arguments; an optimized build may honestly report `<optimized away>`, never a wrong value.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MakeCore
from support.build import ARCHES, Mode
from support.cores import Trigger
from support.toolchains import Release
from test_values_support import OPTIMIZED_AWAY, ValuesCore, arch_options, open_values_core, values_core

from dap_server.goruntime import variables
from dap_server.goruntime.values.base import Value
from dap_server.session import Session, SessionOptions

__all__ = ["values_core"]

SOURCE = Path(__file__).parent / "fixtures" / "programs" / "values"


def _line_of(file: str, pattern: str) -> int:
    lines = (SOURCE / file).read_text().splitlines()
    return next(i for i, line in enumerate(lines, 1) if re.search(pattern, line))


def test_scalar_arguments_and_results_come_in_declaration_order(values_core: ValuesCore) -> None:
    args = values_core.arguments("holdScalars")
    assert list(args) == ["b", "i", "i8", "u16", "u64", "up", "f32", "f64", "c128", "s", "color", "sum"]
    expected = {
        "b": "true",
        "i": "-7",
        "i8": "-8",
        "u16": "65000",
        "u64": "1099511627776",
        "up": "0x1234",
        "f32": "2.5",
        "f64": "-0.125",
        "c128": "(3+4i)",
        "s": '"scalar"',
        "color": "2",
        "sum": "-29",
    }
    for name, summary in expected.items():
        values_core.expect(args[name], summary)
    assert args["color"].type_name == "main.Color"
    assert args["s"].evaluate_name == "s"


def test_locals_are_separate_from_arguments(values_core: ValuesCore) -> None:
    local = values_core.locals("holdScalars")
    assert set(local) <= {"text", "local"}
    values_core.expect(local["text"], '"scalar!"')
    if "local" in local:
        values_core.expect(local["local"], "-21")
    if not values_core.optimized:
        assert set(local) == {"text", "local"}


def test_composite_arguments(values_core: ValuesCore) -> None:
    args = values_core.arguments("holdComposite")
    values_core.expect(args["p"], "main.Point {X: 1, Y: 2}")
    values_core.expect(args["pp"], "*main.Point {X: 3, Y: 4}")
    values_core.expect(args["arr"], "[3]int [5, 6, 7]")
    values_core.expect(args["sl"], '[]string len: 3, cap: 3, ["s1", "s2", "s3"]')
    values_core.expect(args["m"], 'map[string]int len: 1, ["k": 1]')
    values_core.expect(args["ch"], "chan int 4/4")
    values_core.expect(
        args["d"],
        'main.Derived {Base: {ID: 7, Name: "seven"}, Point: *{X: 8, Y: 9}, Tags: len: 1, cap: 1, ["x"], Score: 0.5}',
    )
    values_core.expect(args["bs"], '[]uint8 len: 2, cap: 2, "hi"')
    values_core.expect(values_core.locals("holdComposite")["count"], "4")


def _children(value: Value) -> dict[str, Value]:
    return {child.name: child for child in value.children()}


def test_struct_pointer_and_embedded_children_have_go_expressions(values_core: ValuesCore) -> None:
    args = values_core.arguments("holdComposite")
    d = args["d"]
    if d.summary == OPTIMIZED_AWAY:
        pytest.skip("d is optimized away in this build")
    fields = _children(d)
    assert list(fields) == ["Base", "Point", "Tags", "Score"]
    assert fields["Base"].evaluate_name == "d.Base"
    assert _children(fields["Base"])["ID"].summary == "7"
    point = _children(fields["Point"])
    assert point["X"].summary == "8" and point["X"].evaluate_name == "d.Point.X"
    tags = fields["Tags"]
    assert tags.child_count_indexed == 1
    assert tags.indexed_children(0, 1)[0].evaluate_name == "d.Tags[0]"


def test_linked_list_expands_one_level_at_a_time(values_core: ValuesCore) -> None:
    node = values_core.arguments("holdComposite")["list"]
    if node.summary == OPTIMIZED_AWAY:
        pytest.skip("list is optimized away in this build")
    values = []
    while node.summary != "*main.Node nil":
        fields = _children(node)
        values.append(fields["Value"].summary)
        node = fields["Next"]
        assert len(values) < 10
    assert values == ["1", "2", "3"]
    assert node.evaluate_name == "list.Next.Next.Next"


def test_interfaces_errors_time_and_funcs(values_core: ValuesCore) -> None:
    args = values_core.arguments("holdInterfaces")
    values_core.expect(args["e"], 'error(*errors.errorString) "boom"')
    values_core.expect(args["w"], 'error(*fmt.wrapError) "context: boom"')
    values_core.expect(args["sh"], "main.Shape(*main.Circle) {R: 2}")
    values_core.expect(args["a"], "interface {}(main.Point) {X: 5, Y: 6}")
    values_core.expect(args["nilAny"], "interface {} nil")
    values_core.expect(args["tm"], "time.Time 2024-01-02T03:04:05.000000006Z")
    values_core.expect(args["dur"], "time.Duration 1m30s")
    values_core.expect(args["fn"], f"main.handler (globals.go:{_line_of('globals.go', r'^func handler')})")
    values_core.expect(args["cl"], f"main.initGlobals.func1 (globals.go:{_line_of('globals.go', r'gClosure = func')})")
    if args["w"].summary != OPTIMIZED_AWAY:
        inner = _children(args["w"])
        assert inner["msg"].evaluate_name == "w.(*fmt.wrapError).msg"
        assert inner["err"].summary == 'error(*errors.errorString) "boom"'


def test_closure_captures_are_children_from_go_1_23(values_core: ValuesCore) -> None:
    closure = values_core.arguments("holdInterfaces")["cl"]
    if closure.summary == OPTIMIZED_AWAY:
        pytest.skip("cl is optimized away in this build")
    captured = {c.name: c.summary for c in closure.children()}
    if values_core.release.at_least(1, 23):
        assert captured == {"base": "1000"}
    else:
        assert captured == {}  # no DW_AT_go_closure_offset before 1.23


def test_shadowed_argument_is_marked(values_core: ValuesCore) -> None:
    args = values_core.arguments("holdShadow")
    local = values_core.locals("holdShadow")
    values_core.expect(local["y"], "42")
    if "x" in local:  # the inner string x exists (always at -N -l)
        assert list(args) == ["(x)"]
        assert args["(x)"].evaluate_name is None
        values_core.expect(args["(x)"], "41")
        values_core.expect(local["x"], '"inner"')
    else:
        assert values_core.optimized
        values_core.expect(args["x"], "41")
    if not values_core.optimized:
        assert "x" in local


def test_escaped_variables_are_shown_dereferenced(values_core: ValuesCore) -> None:
    local = values_core.locals("holdEscaped")
    assert not any(name.startswith("&") for name in local)
    values_core.expect(local["counter"], "5")
    values_core.expect(local["name"], '"escaped"')
    values_core.expect(local["keep"], "*int 5")
    values_core.expect(local["keepName"], '*string "escaped"')
    assert local["counter"].address is not None or local["counter"].summary == OPTIMIZED_AWAY


@pytest.mark.parametrize(
    ("index", "value", "element_type"),
    [(0, "99", "int"), (1, '"gen"', "string"), (2, "main.Point {X: 1, Y: 1}", "main.Point")],
)
def test_generic_type_parameters_resolve_through_the_dictionary(
    values_core: ValuesCore, index: int, value: str, element_type: str
) -> None:
    args = values_core.arguments("holdGeneric", index=index)
    assert ".dict" not in args
    v = args["v"]
    if v.summary == OPTIMIZED_AWAY:
        return
    shape = v.type_name.startswith("go.shape.")
    if not values_core.optimized:
        assert v.type_name == element_type, "the -N -l build keeps .dict, so T is known"
    if not shape:
        assert v.summary == value
        assert args["xs"].type_name == f"[]{element_type}"


def test_method_receiver_and_named_results(values_core: ValuesCore) -> None:
    args = values_core.arguments("Counter.hold", "main.(*Counter).hold")
    values_core.expect(args["c"], '*main.Counter {hits: 5, name: "ctr"}')
    values_core.expect(args["delta"], "4")
    named = values_core.arguments("holdNamed")
    assert list(named) == ["in", "result", "err"]
    values_core.expect(named["in"], "21")
    values_core.expect(named["result"], "42")
    values_core.expect(named["err"], "error nil")


def test_closure_body_reads_captured_variables(values_core: ValuesCore) -> None:
    g = values_core.goroutines_of("holdClosure.func1")[0]
    frame = next(f for f in values_core.session.frames(g) if "holdClosure.func" in f.function)
    local = {v.name: v for v in variables.locals(values_core.process, frame)}
    values_core.expect(local["captured"], "12")
    if "label" in local:
        values_core.expect(local["label"], '"closure"')


def test_inlined_frame_has_its_own_arguments(values_core: ValuesCore) -> None:
    inner = values_core.arguments("holdInlined", "main.inlined")
    values_core.expect(inner["depth"], "10")
    if "tag" in inner:
        values_core.expect(inner["tag"], '"inl"')
    outer = values_core.arguments("holdInlined")
    assert set(outer) == {"n"}
    values_core.expect(outer["n"], "9")


def test_blocked_senders_arguments(values_core: ValuesCore) -> None:
    sent = {values_core.arguments("waitSend", index=i)["s"].summary for i in range(2)}
    assert sent <= {'"first"', '"second"', OPTIMIZED_AWAY}
    if not values_core.optimized:
        assert sent == {'"first"', '"second"'}


def test_outer_frames_have_only_pc_sp_and_cfa_registers(values_core: ValuesCore) -> None:
    frame = values_core.frame("holdScalars")
    regs = {v.name: v.summary for v in variables.registers(values_core.process, frame)}
    pc, sp = ("pc", "sp") if values_core.arm64 else ("rip", "rsp")
    assert list(regs) == [pc, sp, "cfa"]
    assert int(regs[pc], 16) == frame.pc and int(regs["cfa"], 16) == frame.cfa


def test_innermost_thread_frame_has_every_register(values_core: ValuesCore) -> None:
    process = values_core.process
    thread = process.debuggee.threads[0]
    frame = process.unwinder.thread_frames(thread, process.thread_machines.get(thread.lwp))[0]
    regs = {v.name: v.summary for v in variables.registers(process, frame)}
    if values_core.arm64:  # qemu-user's cores carry no NT_FPREGSET: no vector registers
        assert {"pc", "sp", "x29", "x30", "x0", "x28", "pstate"} <= set(regs)
        assert int(regs["pc"], 16) == thread.registers.pc
        assert int(regs["x30"], 16) == thread.registers.lr
    else:
        assert {"rip", "rsp", "rax", "rbx", "r14", "xmm0"} <= set(regs)
        assert int(regs["rip"], 16) == thread.registers.pc


@pytest.mark.build_modes("noopt", "opt")
@pytest.mark.parametrize("arch", ARCHES)
def test_spinning_frame_reads_registers_when_the_signal_lands_on_it(
    make_core: MakeCore, go_release: Release, build_mode: Mode, arch: str
) -> None:
    vc = open_values_core(make_core, go_release, build_mode, ("spin",), arch_options(arch))
    g = vc.session.goroutine(1)
    assert g is not None
    frame = next(f for f in vc.session.frames(g) if f.function == "main.spinner")
    args = {v.name: v for v in variables.arguments(vc.process, frame)}
    local = {v.name: v for v in variables.locals(vc.process, frame)}
    vc.expect(args["step"], "7")
    if arch == "arm64" and vc.optimized and go_release.at_least(1, 25):
        # go1.25.5, 1.26.8 and 1.27.3 for GOARCH=arm64 (1.21-1.24 are right): the location lists of
        # main.spinner put step, total and i all in DW_OP_reg0 (objdump --dwarf=loc says the same),
        # while the code keeps i in R1 and total in R2. godap follows the DWARF: x0, which holds step.
        assert all(v.summary in ("7", OPTIMIZED_AWAY) for v in local.values()), local
        return
    if not vc.optimized:
        assert set(local) == {"total", "i"}
    if {"total", "i"} <= set(local) and OPTIMIZED_AWAY not in (local["total"].summary, local["i"].summary):
        i, total = int(local["i"].summary), int(local["total"].summary)
        assert total in (7 * i * (i - 1) // 2, 7 * i * (i + 1) // 2)


@pytest.mark.parametrize("arch", ARCHES)
def test_faulting_frame_never_shows_clobbered_registers(
    make_core: MakeCore, go_release: Release, build_mode: Mode, arch: str
) -> None:
    core = make_core("values", ["crash"], go_release, build_mode, trigger=Trigger.SELF, options=arch_options(arch))
    session = Session.open(SessionOptions(program=str(core.exe), core=str(core.core)))
    try:
        g = session.stopped_goroutine()
        assert g is not None
        frame = next(f for f in session.frames(g) if f.function == "main.crashWith")
        args = {v.name: v.summary for v in variables.arguments(session.process, frame)}
        assert args["n"] in ("42", OPTIMIZED_AWAY)
        assert args["s"] in ('"in a register"', OPTIMIZED_AWAY)
        assert args["p"] in ("*main.Point nil", OPTIMIZED_AWAY)
    finally:
        session.close()
