"""The typed messages against the DAP schema, and the converter's strictness.

Every message class of `dap_server.dap` is matched with its schema definition: field
names must exist there, a field has no default exactly when the schema requires it,
and random instances must serialise to schema-valid JSON (and arguments must read
back equal).
"""

from __future__ import annotations

import functools
import inspect
import subprocess
import sys
import types
import typing
from typing import Any, Literal

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.dap_validation import SchemaValidator, format_checker

from dap_server.adapter import arguments
from dap_server.dap import bodies, events, messages, requests
from dap_server.dap.converter import StructureError, structure, to_json_body
from dap_server.dap.message_class import NOTHING, MessageField, evolve, fields, is_message_class

DEFINITIONS = SchemaValidator().definitions
# Required by the spec but accepted when absent (see the class).
LENIENT_REQUIRED = {("InitializeRequestArguments", "adapterID")}
# godap's launch and attach arguments, and the spec definitions they extend.
GO_ARGUMENTS = {
    arguments.LaunchArguments: "LaunchRequestArguments",
    arguments.AttachArguments: "AttachRequestArguments",
}


def message_classes(module: types.ModuleType) -> list[type]:
    return [
        cls
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if is_message_class(cls) and cls.__module__ == module.__name__
    ]


def wire_names(cls: type) -> dict[str, MessageField]:
    return {field.wire: field for field in fields(cls)}


def merged(definition: dict[str, Any]) -> dict[str, Any]:
    """Properties and required names of a definition, through `allOf` and `$ref`."""
    if "$ref" in definition:
        return merged(DEFINITIONS[definition["$ref"].split("/")[-1]])
    properties: dict[str, Any] = dict(definition.get("properties", {}))
    required = set(definition.get("required", []))
    for part in definition.get("allOf", []):
        inner = merged(part)
        properties.update(inner["properties"])
        required |= inner["required"]
    return {"properties": properties, "required": required}


@functools.cache
def _validator(name: str) -> jsonschema.Draft4Validator:
    schema = {"$ref": f"#/definitions/{name}", "definitions": DEFINITIONS}
    return jsonschema.Draft4Validator(schema, format_checker=format_checker())


def definition_errors(name: str, value: object) -> list[str]:
    return [f"{error.message} @ {error.json_path}" for error in _validator(name).iter_errors(value)]


def body_schema(message_definition: str) -> dict[str, Any]:
    return merged(merged(DEFINITIONS[message_definition])["properties"]["body"])


def schema_for(cls: type) -> tuple[str, dict[str, Any]]:
    """The definition a message class stands for, by naming convention."""
    name = GO_ARGUMENTS.get(cls, cls.__name__)
    if name.endswith("ResponseBody"):
        if name == "BreakpointsResponseBody":
            return "SetBreakpointsResponse.body", body_schema("SetBreakpointsResponse")
        definition = name.removesuffix("Body")
        return f"{definition}.body", body_schema(definition)
    if name.endswith("EventBody"):
        definition = name.removesuffix("Body")
        return f"{definition}.body", body_schema(definition)
    return name, merged(DEFINITIONS[name])


ARGUMENT_CLASSES = message_classes(requests)
OUTGOING_CLASSES = message_classes(messages) + message_classes(bodies) + message_classes(events)


@pytest.mark.parametrize("cls", ARGUMENT_CLASSES + OUTGOING_CLASSES + list(GO_ARGUMENTS), ids=lambda c: c.__name__)
def test_fields_are_schema_properties_and_defaults_match_required(cls: type) -> None:
    where, schema = schema_for(cls)
    fields = wire_names(cls)
    if cls in GO_ARGUMENTS:  # godap's own keys are its to define; the spec's must match the spec
        fields = {name: f for name, f in fields.items() if name in schema["properties"]}
        assert "__restart" in fields
    unknown = set(fields) - set(schema["properties"])
    assert not unknown, f"{cls.__name__} has fields {unknown} that {where} does not define"
    for name, field in fields.items():
        has_default = not field.required
        required = name in schema["required"] and (cls.__name__, name) not in LENIENT_REQUIRED
        assert has_default != required, f"{cls.__name__}.{name}: required={required} but default={field.default}"
        if cls in OUTGOING_CLASSES and has_default:
            assert field.default is None, f"{cls.__name__}.{name}: optional outgoing fields default to None"


# -- random instances ----------------------------------------------------------------

JSON_SCALARS = st.none() | st.booleans() | st.integers(-(2**31), 2**31 - 1) | st.text(max_size=5)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def strategy(annotation: Any) -> st.SearchStrategy[Any]:
    """Instances of a field annotation, with integers in 1..int32 max (the spec's ids are
    int32, and request ids start at 1)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is Any:
        return JSON_VALUES
    if annotation is int:
        return st.integers(1, 2**31 - 1)
    if annotation is float:
        return st.floats(0, 100)
    if annotation is str:
        return st.text(max_size=8)
    if annotation is bool:
        return st.booleans()
    if origin is Literal:
        return st.sampled_from(args)
    if origin in (typing.Union, types.UnionType):
        return st.one_of([strategy(arg) for arg in args])
    if origin is list:
        return st.lists(strategy(args[0]), max_size=2)
    if origin is dict:
        return st.dictionaries(strategy(args[0]), strategy(args[1]), max_size=2)
    if annotation is type(None):
        return st.none()
    if is_message_class(annotation):
        return instances(annotation)
    raise AssertionError(f"no strategy for {annotation!r}")


@functools.cache  # one strategy per class, so recursive types (Source.sources) refer back to it
def instances(cls: type) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: deferred(hints[f.name]) for f in fields(cls)})


def deferred(annotation: Any) -> st.SearchStrategy[Any]:
    return st.deferred(lambda: strategy(annotation))


def wrapped(cls: type, value: Any) -> tuple[str, dict[str, Any]]:
    """`value` inside the message that carries it, and that message's definition."""
    name = GO_ARGUMENTS.get(cls, cls.__name__)
    if name.endswith("ResponseBody"):
        command = "setBreakpoints" if name == "BreakpointsResponseBody" else name.removesuffix("ResponseBody")
        command = command[0].lower() + command[1:]
        message = {
            "seq": 1,
            "type": "response",
            "request_seq": 1,
            "success": True,
            "command": command,
            "body": value,
        }
        return command[0].upper() + command[1:] + "Response", message
    if name.endswith("EventBody"):
        event = name.removesuffix("EventBody")
        return event + "Event", {
            "seq": 1,
            "type": "event",
            "event": event[0].lower() + event[1:],
            "body": value,
        }
    return name, value


@pytest.mark.parametrize("cls", OUTGOING_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_outgoing_instances_serialise_to_schema_valid_json(cls: type, data: st.DataObject) -> None:
    value = to_json_body(data.draw(instances(cls)))
    definition, message = wrapped(cls, value)
    assert not definition_errors(definition, message)


@pytest.mark.parametrize("cls", ARGUMENT_CLASSES, ids=lambda c: c.__name__)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_arguments_serialise_to_schema_valid_json_and_read_back_equal(cls: type, data: st.DataObject) -> None:
    original = data.draw(instances(cls))
    for owner, name in LENIENT_REQUIRED:
        if owner == cls.__name__:
            original = evolve(original, **{name: data.draw(st.text())})
    value = to_json_body(original)
    if cls is not requests.RestartArguments:  # its schema (oneOf launch/attach) matches no object
        assert not definition_errors(cls.__name__, value)
    assert structure(value, cls) == original


# -- the converter ---------------------------------------------------------------------


def test_optional_fields_vanish_and_required_ones_stay() -> None:
    scope = messages.Scope(name="Locals", variablesReference=0, expensive=False)
    assert to_json_body(scope) == {"name": "Locals", "variablesReference": 0, "expensive": False}
    info = bodies.DataBreakpointInfoResponseBody(dataId=None, description="not possible")
    assert to_json_body(info) == {"dataId": None, "description": "not possible"}


def test_bodies_may_be_dicts_or_nothing() -> None:
    assert to_json_body({"a": 1}) == {"a": 1}
    assert to_json_body(None) is None
    with pytest.raises(TypeError, match="not list"):
        to_json_body([1])


@pytest.mark.parametrize(
    ("value", "cls", "reason"),
    [
        ({"threadId": "1"}, requests.StackTraceArguments, "expected int @ $.threadId"),
        ({"threadId": True}, requests.StackTraceArguments, "expected int @ $.threadId"),
        ({"threadId": 1.0}, requests.StackTraceArguments, "expected int @ $.threadId"),
        ({"threadId": 1, "format": []}, requests.StackTraceArguments, "expected object @ $.format"),
        ({"expression": 1}, requests.EvaluateArguments, "expected string @ $.expression"),
        (
            {"variablesReference": 1, "filter": "all"},
            requests.VariablesArguments,
            "expected one of 'indexed', 'named'",
        ),
        ({"threadIds": "12"}, requests.TerminateThreadsArguments, "expected array @ $.threadIds"),
        ({"threadIds": [1, "2"]}, requests.TerminateThreadsArguments, "expected int @ $.threadIds[1]"),
        ({"restart": "false"}, requests.DisconnectArguments, "expected bool @ $.restart"),
        ({"arguments": 5}, requests.RestartArguments, "expected object @ $.arguments"),
        (
            {"substitutePath": [{"to": "/b"}]},
            arguments.LaunchArguments,
            "required field missing @ $.substitutePath[0].from",
        ),
        (
            {"goroutineFilters": 3},
            arguments.LaunchArguments,
            "expected string or array of strings @ $.goroutineFilters",
        ),
        (
            {"goroutineFilters": ["a", 1]},
            arguments.LaunchArguments,
            "expected string or array of strings",
        ),
        ({"processId": 12.5}, arguments.AttachArguments, "expected int or string @ $.processId"),
        (None, requests.ScopesArguments, "expected object @ $"),
    ],
)
def test_structuring_is_strict_and_names_the_path(value: Any, cls: type, reason: str) -> None:
    with pytest.raises(StructureError) as caught:
        structure(value, cls)
    assert reason in str(caught.value)


def test_all_problems_are_reported_together() -> None:
    with pytest.raises(StructureError) as caught:
        structure({"variablesReference": "x", "start": "y"}, requests.VariablesArguments)
    assert str(caught.value) == "expected int @ $.variablesReference; expected int @ $.start"


def test_unknown_keys_are_ignored_and_absent_ones_take_spec_defaults() -> None:
    args = structure({"threadId": 3, "futureOption": True}, requests.StackTraceArguments)
    assert args == requests.StackTraceArguments(threadId=3, startFrame=0, levels=0)
    init = structure({}, requests.InitializeRequestArguments)
    assert (init.linesStartAt1, init.columnsStartAt1, init.pathFormat) == (True, True, "path")


def test_process_ids_come_as_numbers_or_strings() -> None:
    attach = arguments.AttachArguments
    assert structure({"processId": 4321}, attach).processId == 4321
    assert structure({"processId": "4321"}, attach).processId == "4321"  # ${command:pickProcess}
    assert structure({}, attach).processId is None


def test_renamed_fields_use_their_json_names_both_ways() -> None:
    launch = structure({"__restart": [1], "substitutePath": [{"from": "/a", "to": "/b"}]}, arguments.LaunchArguments)
    assert launch.restart_data == [1]
    assert launch.substitutePath == [arguments.SubstitutePath(from_="/a", to="/b")]
    assert to_json_body(launch) == {"__restart": [1], "substitutePath": [{"from": "/a", "to": "/b"}]}


def test_serving_reads_no_message_class_before_it_is_used() -> None:
    """Importing the server reads the fields of none of the ~100 message classes (start-up time):
    each is read when a session first uses it."""
    script = (
        "import dap_server.cli, dap_server.adapter, dap_server.dap\n"
        "from dap_server.dap import message_class\n"
        "print(len(message_class._MARKED), len(message_class._SPECS))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60)
    marked, read = map(int, done.stdout.split())
    declared = sum(len(message_classes(module)) for module in (bodies, events, messages, requests, arguments))
    assert (marked, read) == (declared, 0), done.stderr


def test_message_objects_are_frozen_keyword_only_values() -> None:
    frame = messages.StackFrame(id=1, name="main.main", line=3, column=0)
    assert frame == messages.StackFrame(id=1, name="main.main", line=3, column=0)
    assert frame != messages.StackFrame(id=2, name="main.main", line=3, column=0)
    assert hash(frame) == hash(messages.StackFrame(id=1, name="main.main", line=3, column=0))
    assert repr(frame).startswith("StackFrame(id=1, name='main.main', ")
    assert frame.source is None  # an optional field left out takes its default
    with pytest.raises(AttributeError, match="frozen"):
        frame.line = 4  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing required keyword arguments: column, line"):
        messages.StackFrame(id=1, name="main.main")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword arguments: colour"):
        messages.StackFrame(id=1, name="x", line=1, column=0, colour=2)  # type: ignore[call-arg]
    first, second = requests.TerminateThreadsArguments(), requests.TerminateThreadsArguments()
    assert first.threadIds == [] and first.threadIds is not second.threadIds  # a factory runs per object
    assert [f.required for f in fields(messages.Scope)][:3] == [True, False, True]
    assert fields(arguments.SubstitutePath)[0] == MessageField("from_", "from", NOTHING, None)
