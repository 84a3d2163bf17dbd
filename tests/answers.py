"""Hypothesis strategies of answers an adapter may get, and a module-wide loopback rig to serve them.

`answers(valid)` draws any JSON, the valid answer itself, the valid answer broken in one place (a
key removed, a value nulled or given another JSON type), no body at all, or bytes that are no
JSON. `Rig` serves them over real HTTP from one `HostileServer` per test module, to one adapter
living on one `LoopThread`, so that hundreds of examples cost milliseconds each.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.hostile import HostileServer, LoopThread, Received, Reply
from tui.api.errors import ApiError

T = TypeVar("T")
A = TypeVar("A")

#: Modest and deadline-free: every example is a real HTTP round trip on a loaded 2-core machine.
ANSWERS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


@dataclass(frozen=True)
class Raw:
    """A body that is sent as these bytes, not as JSON."""

    data: bytes


#: No body at all (an empty 200).
NOTHING = Raw(b"")


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], change: Callable[[Any, Any], None]) -> Any:
    copy = json.loads(json.dumps(value))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    change(parent, path[-1])
    return copy


def _same_type(a: Any, b: Any) -> bool:
    return type(a) is type(b) or (isinstance(a, int | float) and isinstance(b, int | float))


@st.composite
def broken(draw: st.DrawFn, valid: Any) -> Any:
    """`valid` with one place broken: a key removed, a value nulled, or one of another type."""
    path = draw(st.sampled_from(list(_paths(valid))))
    if not path:
        return draw(JSON.filter(lambda other: not _same_type(other, valid)))
    parent = valid
    for step in path[:-1]:
        parent = parent[step]
    old = parent[path[-1]]
    how = draw(st.sampled_from(["remove", "null", "retype"]))
    if how == "remove":
        return _replaced(valid, path, lambda p, k: p.pop(k))
    new = None if how == "null" else draw(JSON.filter(lambda other: not _same_type(other, old)))
    return _replaced(valid, path, lambda p, k: p.__setitem__(k, new))


def answers(valid: Any) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.just(valid),
        broken(valid),
        JSON,
        st.sampled_from([NOTHING, Raw(b"<html>login</html>"), Raw(b"\xff\xfe{}")]),
    )


def reply(body: Any, status: int = 200) -> Reply:
    """The reply that serves `body` (a ready `Reply` as it is)."""
    if isinstance(body, Reply):
        return body
    if isinstance(body, Raw):
        return Reply(status, body.data, {"Content-Type": "application/json"})
    return Reply.json(body, status)


Route = tuple[str, str]  # (method, path)


class Rig(Generic[A]):
    """One hostile server and one adapter for a whole test module.

    `answer(call, {(method, path): body}, default)` serves `body` on its route (and `default`'s
    answers on the others), runs `call(adapter)`, and returns its result or the ApiError it
    raised; any other exception fails the test.
    """

    def __init__(self, make: Callable[[str], A], always: Callable[[Received], Reply | None]):
        self._always = always
        self.routes: dict[Route, Reply] = {}
        self.server = HostileServer(self._serve).start()
        self.loop = LoopThread()
        self.adapter = make(self.server.base_url)

    def _serve(self, request: Received) -> Reply:
        fixed = self._always(request)
        if fixed is not None:
            return fixed
        return self.routes.get(
            (request.method, request.path),
            Reply.json({"code": 404, "message": f"no route {request.method} {request.path}"}, 404),
        )

    def answer(
        self,
        call: Callable[[A], Awaitable[T]],
        bodies: dict[Route, Any],
        status: int = 200,
    ) -> T | ApiError:
        self.routes = {route: reply(body, status) for route, body in bodies.items()}
        self.server.received.clear()

        async def run() -> T | ApiError:
            try:
                return await call(self.adapter)
            except ApiError as err:
                return err

        return self.loop.run(run())

    def close(self) -> None:
        aclose = getattr(self.adapter, "aclose", None)
        if aclose is not None:
            self.loop.run(aclose())
        self.loop.close()
        self.server.stop()


def unreadable(err: ApiError, method: str, path: str) -> bool:
    """Whether `err` is the adapter saying the answer to `method path` could not be read, or
    (for a list it walks page by page) that the same answer again made no progress."""
    said = err.message
    if said.startswith("the server repeated cursor") or "empty pages in a row" in said:
        return err.status is None
    answered = err.status is not None and 200 <= err.status < 300
    return answered and said.startswith(
        (
            f"unexpected answer from {method} {path}",
            f"expected JSON from {method} {path}",
            f"the answer of {method} {path} is not",
        )
    )


def refused(result: Any, method: str, path: str, body: Any, valid: Any) -> bool:
    """True when `result` is the ApiError of an answer the adapter could not read; fails the test
    for any other ApiError, and when the answer refused was the valid one."""
    if not isinstance(result, ApiError):
        return False
    assert unreadable(result, method, path), result
    assert body != valid, f"a valid answer was refused: {result}"
    return True


def text_of(value: Any) -> str:
    """How adapters read an optional identifier: absent or blank is ""; a number is its text."""
    return "" if value is None or value == "" else str(value)
