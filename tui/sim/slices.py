"""Scans of a whole fleet inside request handlers, run in slices that give the event loop back.

A handler that walks the fleet (a name filter, a filtered count) would otherwise hold the event
loop for as long as the walk takes: at ten million devices, minutes in which no other client is
answered. So every such walk is written as a *scan*: a generator that does at most `SLICE` items
of work between two bare `yield`s and returns its result. `drive()` runs a scan on the event loop,
letting every other request advance at each `yield`, and abandons it as soon as the scan's own
client has gone away (nobody would read the answer, and a walk of ten million devices is not
worth finishing for nobody). `first()` (a page of a filtered list) and `count()` are the shapes
scans take. The scans read plain in-memory state, so no thread is needed and no
lock: between two slices other requests may change the fleet, which is why the ThingPark scans
read a snapshot of it (see `Fleet.snapshot`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator, Iterable
from typing import TypeVar

from starlette.requests import Request

R = TypeVar("R")
T = TypeVar("T")
U = TypeVar("U")

#: Items a scan examines between two yields: about a millisecond or two of work.
SLICE = 1000

#: A scan: yields (None) between slices, returns its result.
Scan = Generator[None, None, R]


def first(
    items: Iterable[T], pick: Callable[[T], U | None], size: int
) -> Scan[tuple[list[U], bool]]:
    """The first `size` results of `pick` that are not None, over `items` in order, and whether
    another one follows: a page of a filtered list."""
    found: list[U] = []
    for n, item in enumerate(items, 1):
        kept = pick(item)
        if kept is not None:
            if len(found) == size:
                return found, True
            found.append(kept)
        if not n % SLICE:
            yield
    return found, False


def count(items: Iterable[T], keep: Callable[[T], bool]) -> Scan[int]:
    """How many of `items` pass `keep`."""
    n = 0
    for k, item in enumerate(items, 1):
        n += keep(item)
        if not k % SLICE:
            yield
    return n


class ClientGone(Exception):
    """The client of a request disconnected while the request's scan was running."""


async def drive(scan: Scan[R], request: Request | None = None) -> R:
    """Run a scan to its end on the event loop, one slice at a time."""
    while True:
        try:
            next(scan)
        except StopIteration as done:
            return done.value
        await asyncio.sleep(0)
        if request is not None and await request.is_disconnected():
            scan.close()
            raise ClientGone
