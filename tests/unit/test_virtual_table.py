"""The virtual table fed by a fake page source: prefetch, refetch after eviction, G and esc."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult

from tui.widgets.paged_rows import Row
from tui.widgets.virtual_table import Column, VirtualTable

COLUMNS = [Column("Name", 1, 12, None, priority=0), Column("City", 2, 8, 8, priority=1)]


class FakeSource:
    """`n` rows in pages of 100; a cursor is the index of the page's first row."""

    def __init__(self, n: int, delay: float = 0.0) -> None:
        self.n = n
        self.delay = delay
        self.cursors: list[str | None] = []

    async def fetch(self, cursor: str | None) -> tuple[list[Row], str | None, int | None]:
        self.cursors.append(cursor)
        if self.delay:
            await asyncio.sleep(self.delay)
        start = int(cursor or 0)
        end = min(self.n, start + 100)
        rows = [(f"K{i:07d}", f"device-{i}", ("Lyon", "Paris")[i % 2]) for i in range(start, end)]
        return rows, (str(end) if end < self.n else None), (self.n if cursor is None else None)


class TableApp(App[None]):
    def __init__(self, source: FakeSource, max_rows: int = 100_000) -> None:
        super().__init__()
        self.source = source
        self.max_rows = max_rows

    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, max_rows=self.max_rows)

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.focus()
        table.load(self.source.fetch)


async def settle(pilot, predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await pilot.pause(0.01)


async def test_first_page_then_prefetch_before_the_end() -> None:
    source = FakeSource(1000)
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(VirtualTable)
        await settle(pilot, lambda: table.rows.started)
        assert source.cursors == [None] and table.rows.total == 1000
        assert len(table.rows) == 101  # a page and the tail placeholder
        await pilot.press("pagedown")
        assert source.cursors == [None]  # far from the end: nothing yet
        await pilot.press("pagedown", "pagedown")  # within a margin of the end
        await settle(pilot, lambda: table.rows.known == 200)
        assert source.cursors == [None, "100"]
        assert table.cursor < 100  # fetched before the cursor got there


async def test_dropped_pages_come_back_from_their_cursor() -> None:
    source = FakeSource(1000)
    app = TableApp(source, max_rows=300)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(VirtualTable)
        await settle(pilot, lambda: table.rows.started)
        while not table.rows.complete:
            known = table.rows.known
            await pilot.press("end")
            await settle(pilot, lambda k=known: table.rows.known > k or table.rows.complete)
        assert table.rows.loaded_rows <= 300
        assert table.rows.row(0) is None  # dropped
        await pilot.press("home")
        await settle(pilot, lambda: table.rows.row(0) is not None)
        assert table.rows.row(0)[0] == "K0000000"
        assert source.cursors.count(None) == 2  # the first page again, from its own cursor
        assert table.rows.loaded_rows <= 300


async def test_G_walks_to_the_end_and_esc_like_cancel_stops_it() -> None:
    source = FakeSource(100_000, delay=0.005)
    app = TableApp(source, max_rows=2_000)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(VirtualTable)
        await settle(pilot, lambda: table.rows.started)
        table.fetch_to_end()
        await settle(pilot, lambda: table.rows.known >= 1_000)
        assert table.fetching_to_end
        assert table.cancel_walk()
        await settle(pilot, lambda: not table.fetching_to_end)
        stopped = table.rows.known
        await pilot.pause(0.1)
        assert table.rows.known <= stopped + 100 and not table.rows.complete
        assert table.cursor >= stopped - 101  # the cursor went to the end of what came
        assert table.rows.loaded_rows <= 2_000


async def test_G_on_a_small_list_reaches_the_last_row() -> None:
    source = FakeSource(450)
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(VirtualTable)
        await settle(pilot, lambda: table.rows.started)
        table.fetch_to_end()
        await settle(pilot, lambda: table.rows.complete and not table.fetching_to_end)
        assert table.cursor == 449 and table.cursor_row[0] == "K0000449"


async def test_lines_show_the_header_rows_marks_and_placeholders() -> None:
    source = FakeSource(1000)
    app = TableApp(source)
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(VirtualTable)
        await settle(pilot, lambda: table.rows.started)
        header = table.render_line(0).text
        assert header.startswith("  Name") and "City" in header
        table.rows.toggle_mark(1)
        first, second = table.render_line(1).text, table.render_line(2).text
        assert first.startswith("  device-0") and "Lyon" in first
        assert second.startswith("● device-1")
        assert all(len(table.render_line(y).text) == 60 for y in range(3))
        table.move_to(100, user=False)  # the tail placeholder
        line = table.render_line(table.cursor - int(table.scroll_y) + 1).text
        assert "loading more" in line or "more on the server" in line
