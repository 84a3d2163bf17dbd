"""Unit tests of the one paging abstraction."""

from __future__ import annotations

import pytest

from tui.api.errors import ApiError
from tui.api.paging import Page, PageProgress, walk, walk_items


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


async def test_a_repeated_cursor_ends_the_walk_with_an_api_error() -> None:
    async def stuck(cursor: str | None) -> Page[int]:
        return Page(items=[1], cursor="same")

    with pytest.raises(ApiError) as err:
        _ = [p async for p in walk(stuck, platform="thingpark")]
    assert err.value.platform == "thingpark"
    assert err.value.message == "the server repeated cursor 'same' after 2 pages"


async def test_a_cursor_that_comes_back_later_ends_the_walk() -> None:
    chain = {None: "a", "a": "b", "b": "c", "c": "a"}

    async def circle(cursor: str | None) -> Page[int]:
        return Page(items=[1], cursor=chain[cursor])

    with pytest.raises(ApiError, match="repeated cursor 'a' after 4 pages"):
        _ = [p async for p in walk(circle)]


async def test_endless_empty_pages_with_new_cursors_end_the_walk() -> None:
    calls: list[str | None] = []

    async def hollow(cursor: str | None) -> Page[int]:
        calls.append(cursor)
        return Page(items=[], cursor=f"c{len(calls)}")

    with pytest.raises(ApiError) as err:
        _ = [p async for p in walk(hollow)]
    assert len(calls) == 3
    assert "3 empty pages in a row" in err.value.message


async def test_walk_names_the_platform_of_a_bound_fetcher() -> None:
    class Vendor:
        name = "iotda"

        async def fetch(self, cursor: str | None) -> Page[int]:
            return Page(items=[1], cursor="same")

    with pytest.raises(ApiError) as err:
        _ = [p async for p in walk(Vendor().fetch)]
    assert err.value.platform == "iotda"


# ------------------------------------------------------------------ PageProgress


def test_progress_accepts_a_chain_that_moves_on_and_ends() -> None:
    progress = PageProgress("thingpark")
    progress.check(None, 100, "a")
    progress.check("a", 100, "b")
    progress.check("b", 0, "c")  # an empty page now and then is fine
    progress.check("c", 7, None)


def test_progress_refuses_a_repeated_next_cursor() -> None:
    progress = PageProgress("thingpark")
    progress.check(None, 100, "a")
    with pytest.raises(ApiError) as err:
        progress.check("a", 100, "a")
    assert err.value.platform == "thingpark" and err.value.status is None
    assert err.value.message == "the server repeated cursor 'a' after 2 pages"


def test_progress_refuses_a_next_cursor_that_fetched_an_earlier_page() -> None:
    progress = PageProgress("iotda")
    progress.check(None, 10, "a")
    progress.check("a", 10, "b")
    with pytest.raises(ApiError, match="repeated cursor 'a' after 3 pages"):
        progress.check("b", 10, "a")


def test_progress_refuses_max_empty_pages_in_a_row() -> None:
    progress = PageProgress("thingpark", max_empty=2)
    progress.check(None, 0, "a")
    with pytest.raises(ApiError) as err:
        progress.check("a", 0, "b")
    assert err.value.message == (
        "the server answered 2 empty pages in a row, each with a new cursor, after 2 pages"
    )


def test_progress_counts_only_consecutive_empty_pages() -> None:
    progress = PageProgress("thingpark")
    for index in range(10):
        cursor = None if index == 0 else f"c{index}"
        progress.check(cursor, 0 if index % 3 else 5, f"c{index + 1}")


def test_an_empty_last_page_is_the_end_not_a_fault() -> None:
    progress = PageProgress("thingpark", max_empty=1)
    progress.check(None, 0, None)


def test_reset_starts_a_new_chain() -> None:
    progress = PageProgress("thingpark")
    progress.check(None, 100, "a")
    progress.check("a", 0, "b")
    progress.check("b", 0, "c")
    progress.reset()
    progress.check(None, 0, "a")  # "a" again, and only one empty page of this chain
    progress.check("a", 0, "b")


def test_a_long_cursor_is_shortened_in_the_message() -> None:
    progress = PageProgress("thingpark")
    cursor = "x" * 500
    progress.check(None, 1, cursor)
    with pytest.raises(ApiError) as err:
        progress.check(cursor, 1, cursor)
    assert len(err.value.message) < 120
