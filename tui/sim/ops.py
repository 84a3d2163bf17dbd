"""The simulator's own test surface: how many effective changes each platform made, per target and operation.

This is not a vendor API. It lets tests and benchmarks check, on the simulator's side, what a run
really did to each target:

- `GET /_sim/ops` answers 200 `{"thingpark": {"<key>": {"<op>": n, ...}, ...}, "iotda": {...},
  "mythings": {...}}`:
  every platform is present (an empty object when nothing was counted), a key appears once one of
  its operations has been counted, and an operation once it has happened;
- `POST /_sim/ops/reset` zeroes every counter and answers 204 with no body.

Both need no authentication and live under `/_sim/`, outside every vendor prefix, so the fault
knobs (latency, failures, rate limit) never apply to them (see `tui/sim/faults.py`).

A counter counts effective changes only: a request answered with an error, or one that changes
nothing (a PUT with the values already stored, a second acknowledgement of an alarm), counts
nothing. Each platform's routes say what they count and under which key; the operations are
`create`, `update`, `delete`, `downlink` and `ack`, and MyThings' `tag`, `provision` and
`deprovision`. Counting is one Counter increment on the event loop, the only thread that touches
the counters, so it needs no lock. A run over millions of
targets leaves millions of keys: the answer is written a slice of keys at a time
(`tui.sim.slices.SLICE`), giving the event loop back between slices, from a snapshot of the keys
taken when the read began (a count made while it is being written may or may not show in it).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tui.sim.slices import SLICE

#: Where the simulator's own surface lives: no vendor path starts with it.
PREFIX = "/_sim/"

Op = Literal["create", "update", "delete", "downlink", "ack", "tag", "provision", "deprovision"]


class OpCounter:
    """One platform's counts: target key -> operation -> effective changes."""

    def __init__(self) -> None:
        self._by_key: defaultdict[str, Counter[str]] = defaultdict(Counter)

    def count(self, key: str, op: Op) -> None:
        """One effective change `op` to the target `key`."""
        self._by_key[key][op] += 1

    def rows(self) -> list[tuple[str, Counter[str]]]:
        """(key, its operations' counts) of every key counted so far: a snapshot of the keys."""
        return list(self._by_key.items())

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
        return StreamingResponse(self._json(), media_type="application/json")

    async def _json(self) -> AsyncIterator[str]:
        """The answer's JSON, one slice of keys at a time."""
        for n, (name, ops) in enumerate(self.platforms.items()):
            yield ("{" if n == 0 else "},") + json.dumps(name) + ":{"
            rows = ops.rows()
            for start in range(0, len(rows), SLICE):
                part = rows[start : start + SLICE]
                yield ("," if start else "") + ",".join(
                    f"{json.dumps(key)}:{json.dumps(counts)}" for key, counts in part
                )
                await asyncio.sleep(0)
        yield "}}"

    async def reset(self, request: Request) -> Response:
        for ops in self.platforms.values():
            ops.clear()
        return Response(status_code=204)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PREFIX + "ops", self.read, methods=["GET"]),
            Route(PREFIX + "ops/reset", self.reset, methods=["POST"]),
        ]
