"""One paging abstraction over five vendors' schemes: a `Page[T]` with an opaque cursor.

Each adapter turns its vendor's scheme (ThingPark `pageAfter`, IoTDA `marker`, Telit `offset`,
MyThings page numbers) into a cursor string that only that adapter understands. Callers hand the
cursor back unchanged to get the next page; `None` means there is no next page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

from pydantic import BaseModel

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


async def walk(fetch: PageFetcher[T], *, max_pages: int | None = None) -> AsyncIterator[Page[T]]:
    """Yield pages from the first until the cursor runs out (or `max_pages` were fetched).

    A cursor that repeats is a server fault that would loop forever; it ends the walk with an error.
    """
    cursor: str | None = None
    seen: set[str] = set()
    fetched = 0
    while True:
        page = await fetch(cursor)
        fetched += 1
        yield page
        if page.cursor is None or (max_pages is not None and fetched >= max_pages):
            return
        if page.cursor in seen:
            raise RuntimeError(f"the server repeated cursor {page.cursor!r}; stopping the walk")
        seen.add(page.cursor)
        cursor = page.cursor


async def walk_items(fetch: PageFetcher[T]) -> AsyncIterator[T]:
    """Yield every item of every page, in the server's order."""
    async for page in walk(fetch):
        for item in page.items:
            yield item
