"""One paging abstraction over five vendors' schemes: a `Page[T]` with an opaque cursor.

Each adapter turns its vendor's scheme (ThingPark `pageAfter`, IoTDA `marker`, Telit `offset`,
MyThings page numbers) into a cursor string that only that adapter understands. Callers hand the
cursor back unchanged to get the next page; `None` means there is no next page.

A walk over every page (`walk`, the table's `G`, exports) keeps one request ahead: an adapter
calls `cursor_read(next_cursor)` as soon as it has read the next page's cursor, before it
converts the rows, and `ReadAhead` sends that request at once, so the server works on the next
page while the console converts this one. Outside a walk `cursor_read` does nothing.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from tui.api.errors import ApiError

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: its items, the cursor of the next page, and the total if known."""

    items: list[T]
    cursor: str | None = None
    total: int | None = None

    @property
    def has_more(self) -> bool:
        return self.cursor is not None


PageFetcher = Callable[[str | None], Awaitable[Page[T]]]


def _short(cursor: str, limit: int = 40) -> str:
    return repr(cursor if len(cursor) <= limit else cursor[: limit - 1] + "…")


class PageProgress:
    """Watches a forward chain of pages; raises ApiError when the server makes no progress.

    Call `check(cursor, items, next_cursor)` after each page of the chain, in order: `cursor`
    fetched the page, `items` is its row count, `next_cursor` the page's cursor for the next
    one. A next cursor already seen in this chain would loop for ever, and so would a server
    that answers empty pages with a new cursor each time: `max_empty` of them in a row stop
    the chain. An empty page that ends the chain (no next cursor) is no fault. `reset()`
    starts a new chain (a reload, another filter); fetching again a page of the chain from its
    saved cursor is no step of the chain and is not checked.
    """

    def __init__(self, platform: str, *, max_empty: int = 3) -> None:
        self.platform = platform
        self.max_empty = max_empty
        self.reset()

    def reset(self) -> None:
        self._seen: set[str] = set()
        self._pages = 0
        self._empty = 0

    def check(self, cursor: str | None, items: int, next_cursor: str | None) -> None:
        self._pages += 1
        if cursor is not None:
            self._seen.add(cursor)
        if next_cursor is None:
            return
        if next_cursor in self._seen:
            raise ApiError(
                self.platform,
                f"the server repeated cursor {_short(next_cursor)} after {self._pages} pages",
            )
        self._empty = self._empty + 1 if items == 0 else 0
        if self._empty >= self.max_empty:
            raise ApiError(
                self.platform,
                f"the server answered {self._empty} empty pages in a row, each with a new "
                f"cursor, after {self._pages} pages",
            )


P = TypeVar("P")
_UNSET: Any = object()

#: how long a page waits for the request ahead to be on the wire before it is converted anyway
#: (a request held back by a 429's Retry-After must not hold up the page in hand)
SEND_WAIT_SECONDS = 0.05


@dataclass(eq=False)
class _Flight(Generic[P]):
    """One page request of a `ReadAhead`: its cursor, its task, the next cursor it announced,
    and whether its request is on the wire yet."""

    reader: ReadAhead[P]
    cursor: str | None
    task: asyncio.Task[P] | None = None
    announced: Any = field(default=_UNSET)
    sent: asyncio.Event = field(default_factory=asyncio.Event)

    def on_wire(self, _task: object = None) -> None:
        self.sent.set()


#: the `ReadAhead` request a fetch runs in (None outside a walk)
_FLIGHT: contextvars.ContextVar[_Flight[Any] | None] = contextvars.ContextVar(
    "fleet_paging_flight", default=None
)


async def cursor_read(next_cursor: str | None) -> None:
    """An adapter has read the cursor of the page after the one it is reading (None: none).

    Inside a walk, the request for that page goes out now, and this returns once it is on the
    wire (or after SEND_WAIT_SECONDS), so the server works on it while the adapter converts
    the page in hand. Call it before converting the rows, with exactly the cursor the page
    will carry. Outside a walk it returns at once."""
    flight = _FLIGHT.get()
    if flight is None:
        return
    ahead = flight.reader._announced(flight, next_cursor)
    if ahead is None or ahead.sent.is_set():
        return
    timer = asyncio.get_running_loop().call_later(SEND_WAIT_SECONDS, ahead.on_wire)
    try:
        await ahead.sent.wait()
    finally:
        timer.cancel()


def watching_sends() -> bool:
    """Whether the request about to be sent is one a walk sent ahead (the HTTP client then
    reports when it is on the wire with `request_sent`)."""
    return _FLIGHT.get() is not None


def request_sent() -> None:
    """The HTTP client has written the request of the current walk step (see `cursor_read`)."""
    flight = _FLIGHT.get()
    if flight is not None:
        flight.on_wire()


def _retrieve(task: asyncio.Task[Any]) -> None:
    # A request sent ahead and never asked for: its failure is nobody's (and not logged as lost).
    if not task.cancelled():
        task.exception()


class ReadAhead(Generic[P]):
    """A chain of page fetches that runs ahead of its reader.

    `await ahead.get(cursor)` returns what `fetch(cursor)` returns. While a page is being read,
    its adapter announces the next cursor (`cursor_read`) and that request goes out at once;
    a later `get` with that cursor takes it over instead of asking again, and a `get` with any
    other cursor drops what was ahead. One request is in flight at a time and at most `depth`
    pages are ahead of the reader, so a walk that stops wastes at most `depth` requests;
    `close()` cancels them. A fetcher whose adapter does not announce is fetched one page after
    another.
    """

    def __init__(self, fetch: Callable[[str | None], Awaitable[P]], *, depth: int = 2) -> None:
        self._fetch = fetch
        self._depth = depth
        #: pages asked for or sent ahead and not yet taken by the reader, oldest first
        self._flights: deque[_Flight[P]] = deque()
        self._closed = False

    async def get(self, cursor: str | None) -> P:
        flights = self._flights
        if flights and flights[0].cursor == cursor:
            flight = flights[0]
        else:
            self._drop_all()
            flight = self._launch(cursor)
        assert flight.task is not None
        try:
            return await flight.task
        except asyncio.CancelledError:
            self._drop_all()
            raise
        finally:
            if flights and flights[0] is flight:
                flights.popleft()
            # The page after the last one in flight, if it is known and there is room.
            if flights:
                self._send_after(flights[-1])

    def close(self) -> None:
        """Stop: the requests ahead are cancelled."""
        self._closed = True
        self._drop_all()

    def _launch(self, cursor: str | None) -> _Flight[P]:
        flight: _Flight[P] = _Flight(self, cursor)
        context = contextvars.copy_context()
        context.run(_FLIGHT.set, flight)

        async def fetch() -> P:
            return await self._fetch(cursor)

        flight.task = asyncio.get_running_loop().create_task(fetch(), context=context)
        # A request that fails (or is cancelled) before it is written is on the wire no more.
        flight.task.add_done_callback(flight.on_wire)
        self._flights.append(flight)
        return flight

    def _announced(self, flight: _Flight[P], after: str | None) -> _Flight[P] | None:
        """`flight` read its next cursor: the request sent for it, if one was."""
        if flight.announced is not _UNSET:
            return None  # once per page
        flight.announced = after
        return self._send_after(flight)

    def _send_after(self, flight: _Flight[P]) -> _Flight[P] | None:
        flights = self._flights
        if (
            not self._closed
            and flight.announced not in (_UNSET, None, flight.cursor)  # (a stuck cursor: no)
            and flights
            and flights[-1] is flight
            and len(flights) <= self._depth
        ):
            return self._launch(flight.announced)
        return None

    def _drop_all(self) -> None:
        while self._flights:
            task = self._flights.popleft().task
            if task is not None and not task.done():
                task.cancel()
            if task is not None:
                task.add_done_callback(_retrieve)


async def walk(
    fetch: PageFetcher[T], *, max_pages: int | None = None, platform: str | None = None
) -> AsyncIterator[Page[T]]:
    """Yield pages from the first until the cursor runs out (or `max_pages` were fetched).

    A server that makes no progress (a repeated cursor, endless empty pages) would loop for
    ever: `PageProgress` ends the walk with an `ApiError` of `platform` (by default the name of
    the platform whose bound method `fetch` is, else "fleet").
    """
    if platform is None:
        platform = str(getattr(getattr(fetch, "__self__", None), "name", None) or "fleet")
    progress = PageProgress(platform)
    cursor: str | None = None
    fetched = 0
    ahead = ReadAhead(fetch)
    try:
        while True:
            page = await ahead.get(cursor)
            fetched += 1
            if max_pages is not None and fetched >= max_pages:
                ahead.close()  # the page after it is not wanted
            yield page
            if page.cursor is None or (max_pages is not None and fetched >= max_pages):
                return
            progress.check(cursor, len(page.items), page.cursor)
            cursor = page.cursor
    finally:
        ahead.close()


async def walk_items(fetch: PageFetcher[T]) -> AsyncIterator[T]:
    """Yield every item of every page, in the server's order."""
    async for page in walk(fetch):
        for item in page.items:
            yield item
