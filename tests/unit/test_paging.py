"""Unit tests of the one paging abstraction."""

from __future__ import annotations

import pytest

from tui.api.paging import Page, walk, walk_items


def paged(items: list[int], size: int):
    """A fetcher over `items` whose cursor is the next offset, as text."""
    calls: list[str | None] = []

    async def fetch(cursor: str | None) -> Page[int]:
        calls.append(cursor)
        start = int(cursor or 0)
        end = start + size
        return Page(
            items=items[start:end],
            cursor=str(end) if end < len(items) else None,
            total=len(items) if cursor is None else None,
        )

    return fetch, calls


async def test_walk_visits_every_page_once_in_order() -> None:
    fetch, calls = paged(list(range(25)), 10)
    pages = [p async for p in walk(fetch)]
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert calls == [None, "10", "20"]
    assert pages[0].total == 25 and pages[1].total is None
    assert not pages[-1].has_more


async def test_walk_items_flattens() -> None:
    fetch, _ = paged(list(range(7)), 3)
    assert [i async for i in walk_items(fetch)] == list(range(7))


async def test_walk_stops_at_max_pages() -> None:
    fetch, calls = paged(list(range(100)), 10)
    assert len([p async for p in walk(fetch, max_pages=2)]) == 2
    assert calls == [None, "10"]


async def test_a_repeated_cursor_ends_the_walk_with_an_error() -> None:
    async def stuck(cursor: str | None) -> Page[int]:
        return Page(items=[1], cursor="same")

    with pytest.raises(RuntimeError, match="repeated cursor"):
        _ = [p async for p in walk(stuck)]
