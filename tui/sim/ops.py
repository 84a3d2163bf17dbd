"""The simulator's own test surface: how many effective changes each platform made, per target and operation.

This is not a vendor API. It lets tests and benchmarks check, on the simulator's side, what a run
really did to each target:

- `GET /_sim/ops` answers 200 `{"thingpark": {"<key>": {"<op>": n, ...}, ...}, "iotda": {...}}`:
  every platform is present (an empty object when nothing was counted), a key appears once one of
  its operations has been counted, and an operation once it has happened;
- `POST /_sim/ops/reset` zeroes every counter and answers 204 with no body.

Both need no authentication and live under `/_sim/`, outside every vendor prefix, so the fault
knobs (latency, failures, rate limit) never apply to them (see `tui/sim/faults.py`).

A counter counts effective changes only: a request answered with an error, or one that changes
nothing (a PUT with the values already stored, a second acknowledgement of an alarm), counts
nothing. Each platform's routes say what they count and under which key; the operations are
`create`, `update`, `delete`, `downlink` and `ack`. Counting is one Counter increment on the event
loop, the only thread that touches the counters, so it needs no lock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

#: Where the simulator's own surface lives: no vendor path starts with it.
PREFIX = "/_sim/"

Op = Literal["create", "update", "delete", "downlink", "ack"]


class OpCounter:
    """One platform's counts: target key -> operation -> effective changes."""

    def __init__(self) -> None:
        self._by_key: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def count(self, key: str, op: Op) -> None:
        """One effective change `op` to the target `key`."""
        self._by_key[key][op] += 1

    def as_dict(self) -> dict[str, dict[str, int]]:
        """The counts as plain JSON-ready dicts."""
        return {key: dict(ops) for key, ops in self._by_key.items()}

    def clear(self) -> None:
        """Zero every counter."""
        self._by_key.clear()


class SimOps:
    """The counters of every platform of one simulator, and the routes that read and reset them."""

    def __init__(self, platforms: tuple[str, ...]) -> None:
        self.platforms = {name: OpCounter() for name in platforms}

    def counter(self, platform: str) -> OpCounter:
        """The counter a platform's routes count into."""
        return self.platforms[platform]

    async def read(self, request: Request) -> Response:
        return JSONResponse({name: ops.as_dict() for name, ops in self.platforms.items()})

    async def reset(self, request: Request) -> Response:
        for ops in self.platforms.values():
            ops.clear()
        return Response(status_code=204)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PREFIX + "ops", self.read, methods=["GET"]),
            Route(PREFIX + "ops/reset", self.reset, methods=["POST"]),
        ]
