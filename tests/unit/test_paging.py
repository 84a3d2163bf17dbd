"""Unit tests of the one paging abstraction."""

from __future__ import annotations

import asyncio

import pytest

from tui.api.errors import ApiError
from tui.api.paging import (
    SEND_WAIT_SECONDS,
    Page,
    PageProgress,
    ReadAhead,
    cursor_read,
    request_sent,
    walk,
    walk_items,
)


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


# ---------------------------------------------------------------- one request ahead


def announcing(items: list[int], size: int, gate: dict[str, asyncio.Event] | None = None):
    """A fetcher that announces its next cursor before "converting" (as adapters do), and logs
    when each request starts and ends; `gate[cursor]` holds that page's answer back."""
    log: list[str] = []

    async def fetch(cursor: str | None) -> Page[int]:
        name = cursor or "0"
        log.append(f"send {name}")
        if gate is not None and name in gate:
            await gate[name].wait()
        await asyncio.sleep(0)  # the server's time
        start = int(cursor or 0)
        end = start + size
        after = str(end) if end < len(items) else None
        request_sent()  # (the HTTP client says so once the request is written)
        await cursor_read(after)
        log.append(f"convert {name}")
        return Page(items=items[start:end], cursor=after)

    return fetch, log


async def test_a_walk_sends_the_next_request_before_converting_the_page_in_hand() -> None:
    fetch, log = announcing(list(range(30)), 10)
    pages = [p.items async for p in walk(fetch)]
    assert pages == [list(range(0, 10)), list(range(10, 20)), list(range(20, 30))]
    assert log.index("send 10") < log.index("convert 0")
    assert log.index("send 20") < log.index("convert 10")
    assert log.count("send 10") == 1 and log.count("send 20") == 1  # taken over, not re-asked


async def test_outside_a_walk_announcing_does_nothing() -> None:
    fetch, log = announcing(list(range(30)), 10)
    page = await fetch(None)
    assert page.cursor == "10" and log == ["send 0", "convert 0"]


async def test_a_walk_that_stops_cancels_what_it_sent_ahead() -> None:
    gate = {"20": asyncio.Event()}  # page 3 never answers
    fetch, log = announcing(list(range(100)), 10, gate)
    async for page in walk(fetch, max_pages=2):
        assert page.items
    await asyncio.sleep(0.01)
    # At most `depth` requests beyond the two pages asked for, and none still waiting.
    assert log.count("send 20") <= 1 and "send 30" not in log
    assert not [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


async def test_a_get_with_another_cursor_drops_the_page_ahead() -> None:
    fetch, log = announcing(list(range(50)), 10)
    ahead = ReadAhead(fetch)
    first = await ahead.get(None)
    assert first.cursor == "10"
    other = await ahead.get("30")  # not the announced one: asked for anew
    assert other.items == list(range(30, 40))
    ahead.close()
    await asyncio.sleep(0)
    assert log.count("send 30") == 1


async def test_a_failure_ahead_reaches_the_reader_that_asks_for_that_page() -> None:
    async def fetch(cursor: str | None) -> Page[int]:
        if cursor == "2":
            raise ApiError("thingpark", "no page 2")
        await cursor_read(str(int(cursor or 0) + 1))
        return Page(items=[int(cursor or 0)], cursor=str(int(cursor or 0) + 1))

    with pytest.raises(ApiError, match="no page 2"):
        async for _ in walk(fetch):
            pass


async def test_a_request_held_back_does_not_hold_up_the_page_in_hand() -> None:
    gate = {"10": asyncio.Event()}  # page 2's request never gets written (a Retry-After)

    async def fetch(cursor: str | None) -> Page[int]:
        if cursor == "10":
            await gate["10"].wait()
        after = None if cursor else "10"
        await cursor_read(after)
        return Page(items=[1], cursor=after)

    ahead = ReadAhead(fetch)
    page = await asyncio.wait_for(ahead.get(None), SEND_WAIT_SECONDS + 1)
    assert page.cursor == "10"
    ahead.close()
