"""One paging abstraction over five vendors' schemes: a `Page[T]` with an opaque cursor.

Each adapter turns its vendor's scheme (ThingPark `pageAfter`, IoTDA `marker`, Telit `offset`,
MyThings page numbers) into a cursor string that only that adapter understands. Callers hand the
cursor back unchanged to get the next page; `None` means there is no next page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

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
    while True:
        page = await fetch(cursor)
        fetched += 1
        yield page
        if page.cursor is None or (max_pages is not None and fetched >= max_pages):
            return
        progress.check(cursor, len(page.items), page.cursor)
        cursor = page.cursor


async def walk_items(fetch: PageFetcher[T]) -> AsyncIterator[T]:
    """Yield every item of every page, in the server's order."""
    async for page in walk(fetch):
        for item in page.items:
            yield item
