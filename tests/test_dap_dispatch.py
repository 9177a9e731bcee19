"""How handlers are found and how a badly declared one is refused at startup."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pytest

from dap_server.dap import RequestContext
from dap_server.dap.dispatch import handlers_of
from dap_server.dap.requests import ScopesArguments

if TYPE_CHECKING:
    from dap_server.dap.requests import VariablesArguments


class Base:
    def scopes_request(self, args: ScopesArguments, ctx: RequestContext) -> None:
        pass


class Adapter(Base):
    last_request = None  # not a handler: not callable

    def threads_request(self, args: dict[str, Any], ctx: RequestContext) -> None:
        pass

    def modules_request(self, args: Mapping[str, Any], ctx: RequestContext) -> None:
        pass

    def helper(self) -> None:
        pass


def test_handlers_are_methods_named_after_their_command_including_inherited_ones() -> None:
    handlers = handlers_of(Adapter())
    assert sorted(handlers) == ["modules", "scopes", "threads"]
    assert handlers["scopes"].arguments_type is ScopesArguments
    assert handlers["threads"].arguments_type is None
    assert handlers["modules"].arguments_type is None


class Unannotated:
    def threads_request(self, args, ctx):  # type: ignore[no-untyped-def]
        pass


class WrongAnnotation:
    def threads_request(self, args: int, ctx: RequestContext) -> None:
        pass


class Unresolvable:
    def variables_request(self, args: VariablesArguments, ctx: RequestContext) -> None:
        pass


class WrongArity:
    def threads_request(self, args: dict[str, Any]) -> None:
        pass


@pytest.mark.parametrize(
    ("cls", "reason"),
    [
        (Unannotated, "Unannotated.threads_request: annotate its arguments with a message class"),
        (WrongAnnotation, "WrongAnnotation.threads_request: annotate its arguments"),
        (Unresolvable, "Unresolvable.variables_request: cannot resolve the annotation"),
        (WrongArity, "WrongArity.threads_request must take (self, args, ctx)"),
    ],
)
def test_badly_declared_handlers_fail_at_startup(cls: type, reason: str) -> None:
    with pytest.raises(TypeError, match=re.escape(reason)):
        handlers_of(cls())
