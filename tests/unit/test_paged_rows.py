"""The paging window: cursor bookkeeping, eviction and refetch, prefetch, marks, filter, sort."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tui.widgets.paged_rows import PagedRows, PageRequest, Row, RowFilter
from tui.widgets.virtual_table import Column, fit, layout_columns


class FakeSource:
    """`n` rows in pages of `size`; the cursor of page i+1 is "after:<last key of page i>"."""

    def __init__(self, n: int, size: int = 10) -> None:
        self.keys = [f"K{i:06d}" for i in range(n)]
        self.size = size
        self.calls: list[str | None] = []

    def row(self, key: str) -> Row:
        i = int(key[1:7])
        city = ("Lyon", "Paris", "Nice")[i % 3]
        return (key, f"dev-{city}-{i}", city, str(i % 7))

    def fetch(self, cursor: str | None) -> tuple[list[Row], str | None, int | None]:
        self.calls.append(cursor)
        start = 0 if cursor is None else self.keys.index(cursor.removeprefix("after:")) + 1
        keys = self.keys[start : start + self.size]
        more = start + self.size < len(self.keys)
        return (
            [self.row(k) for k in keys],
            f"after:{keys[-1]}" if more and keys else None,
            len(self.keys) if cursor is None else None,
        )


def serve(rows: PagedRows, source: FakeSource, request: PageRequest) -> bool:
    page, cursor, total = source.fetch(request.cursor)
    return rows.add_page(request, page, cursor, total)


def load_pages(rows: PagedRows, source: FakeSource, pages: int) -> None:
    serve(rows, source, rows.reset())
    for _ in range(pages - 1):
        serve(rows, source, rows.request(rows.page_count))


def test_pages_keep_their_cursor_and_the_total() -> None:
    source = FakeSource(35)
    rows = PagedRows()
    load_pages(rows, source, 2)
    assert rows.total == 35 and rows.known == 20 and rows.loaded_rows == 20
    assert rows._cursors == [None, "after:K000009"]
    assert rows.next_cursor == "after:K000019"
    assert not rows.complete and rows.has_tail
    assert len(rows) == 21  # twenty rows and the tail placeholder
    assert rows.row(20) is None and rows.is_tail(20)
    serve(rows, source, rows.request(rows.page_count))
    serve(rows, source, rows.request(rows.page_count))
    assert rows.complete and rows.known == 35 and len(rows) == 35
    assert rows.row(34)[0] == "K000034"


def test_a_stale_answer_after_a_reload_is_ignored() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    old = rows.reset()
    new = rows.reset()
    assert not serve(rows, source, old)
    assert rows.known == 0
    assert serve(rows, source, new)
    assert rows.known == 10


def test_far_pages_are_dropped_and_fetched_again_from_their_cursor() -> None:
    source = FakeSource(100)
    rows = PagedRows(max_rows=30)
    serve(rows, source, rows.reset())
    for _ in range(9):
        rows.anchor = rows.known - 1  # the user follows the end
        serve(rows, source, rows.request(rows.page_count))
    assert rows.known == 100 and rows.complete
    assert rows.loaded_rows <= 30
    assert rows.row(0) is None and rows.row(99)[0] == "K000099"
    # Scrolling back to the top asks for the first pages again, with the cursors they had.
    missing = rows.missing_pages(0, 15)
    assert missing == [0, 1]
    rows.anchor = 0
    for page in missing:
        request = rows.request(page)
        assert request.cursor == (None if page == 0 else "after:K000009")
        serve(rows, source, request)
    assert rows.row(0)[0] == "K000000" and rows.row(15)[0] == "K000015"
    assert rows.loaded_rows <= 30
    assert rows.row(99) is None  # the end went instead
    assert rows.missing_pages(0, 15) == []


def test_a_page_being_fetched_or_failed_is_not_asked_for_twice() -> None:
    source = FakeSource(50)
    rows = PagedRows(max_rows=10)
    serve(rows, source, rows.reset())
    rows.anchor = 49  # the user is at the end: the first page goes
    serve(rows, source, rows.request(rows.page_count))
    assert rows.missing_pages(0, 5) == [0]
    request = rows.request(0)
    assert rows.missing_pages(0, 5) == []
    rows.fail(request)
    assert rows.missing_pages(0, 5) == []
    rows.retry_failed()
    assert rows.missing_pages(0, 5) == [0]


def test_prefetch_triggers_before_the_end_of_what_is_loaded() -> None:
    source = FakeSource(100)
    rows = PagedRows()
    serve(rows, source, rows.reset())
    assert not rows.wants_tail(last_visible=3, margin=5)
    assert rows.wants_tail(last_visible=4, margin=5)
    request = rows.request(rows.page_count)
    assert not rows.wants_tail(last_visible=9, margin=5)  # already on its way
    rows.fail(request)
    assert not rows.wants_tail(last_visible=9, margin=5)  # failed: not by itself…
    assert rows.wants_tail(last_visible=9, margin=5, user=True)  # …but when the user asks


def test_filtered_view_does_not_walk_the_fleet_by_itself() -> None:
    source = FakeSource(100)
    rows = PagedRows()
    serve(rows, source, rows.reset())
    rows.set_filter("nothing-matches")
    assert rows.view_rows == 0 and len(rows) == 1  # only the tail
    assert rows.wants_tail(0, 5)
    serve(rows, source, rows.request(rows.page_count))
    assert not rows.wants_tail(0, 5)  # that page added no match: stop
    assert rows.wants_tail(0, 5, user=True)


def test_filter_is_a_case_insensitive_regex_and_bang_inverts() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    load_pages(rows, source, 3)
    rows.set_filter("lyon|NICE")
    keys = [rows.row(i)[0] for i in range(rows.view_rows)]
    assert len(keys) == 20 and all(int(k[1:]) % 3 != 1 for k in keys)
    rows.set_filter("!lyon|nice")
    keys = [rows.row(i)[0] for i in range(rows.view_rows)]
    assert len(keys) == 10 and all(int(k[1:]) % 3 == 1 for k in keys)
    rows.clear_filter()
    assert rows.view_rows == 30 and not rows.filtered


def test_filter_applies_to_pages_that_come_later() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    serve(rows, source, rows.reset())
    rows.set_filter("paris")
    assert rows.view_rows == 3
    serve(rows, source, rows.request(rows.page_count))
    assert rows.view_rows == 7
    assert all("Paris" in rows.row(i)[1] for i in range(rows.view_rows))


@pytest.mark.parametrize("text", ["(", "[a-", "!", "", "a{2,1}"])
def test_an_invalid_regex_is_a_readable_error(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        RowFilter(text)
    assert "regular expression" in str(caught.value)
    rows = PagedRows()
    rows.set_filter("ok")
    with pytest.raises(ValueError):
        rows.set_filter(text)
    assert rows.row_filter is not None and rows.row_filter.text == "ok"


def test_sort_by_a_column_of_the_loaded_rows_pauses_paging() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    load_pages(rows, source, 2)
    rows.set_sort(3)  # i % 7, numeric
    values = [int(rows.row(i)[3]) for i in range(rows.view_rows)]
    assert values == sorted(values) and len(values) == 20
    assert not rows.has_tail and not rows.wants_tail(19, 50, user=True)
    rows.set_sort(2, reverse=True)
    cities = [rows.row(i)[2] for i in range(rows.view_rows)]
    assert cities == sorted(cities, reverse=True)
    rows.set_sort(None)
    assert rows.row(0)[0] == "K000000" and rows.has_tail


def test_marks_are_kept_by_key_across_eviction_filter_and_reload() -> None:
    source = FakeSource(100)
    rows = PagedRows(max_rows=20)
    serve(rows, source, rows.reset())
    assert rows.toggle_mark(2) is True
    assert rows.toggle_mark(3) is True
    assert rows.toggle_mark(3) is False
    assert rows.marked == {"K000002"}
    for _ in range(5):
        rows.anchor = rows.known - 1
        serve(rows, source, rows.request(rows.page_count))
    assert rows.row(2) is None  # evicted…
    assert rows.marked == {"K000002"}  # …still marked
    rows.anchor = 0
    serve(rows, source, rows.request(0))
    assert rows.is_marked(rows.row(2))
    rows.set_filter("K00000[0-4]")
    assert [rows.is_marked(rows.row(i)) for i in range(rows.view_rows)] == [
        False,
        False,
        True,
        False,
        False,
    ]
    serve(rows, source, rows.reset())
    assert rows.marked == {"K000002"}


def test_mark_range_from_the_last_mark_to_the_cursor() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    load_pages(rows, source, 2)
    rows.toggle_mark(12)
    assert rows.mark_range(5) == 7  # 5..11 are new, 12 was marked
    assert rows.marked == {f"K{i:06d}" for i in range(5, 13)}
    assert rows.last_mark == "K000005"
    rows.clear_marks()
    assert rows.mark_range(4) == 1  # without a mark: the cursor row alone


def test_mark_range_in_a_filtered_view_marks_only_what_is_shown() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    load_pages(rows, source, 3)
    rows.set_filter("lyon")
    rows.toggle_mark(0)
    rows.mark_range(3)
    assert rows.marked == {"K000000", "K000003", "K000006", "K000009"}


def test_remove_drops_the_row_its_mark_and_one_from_the_total() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    load_pages(rows, source, 3)
    rows.toggle_mark(11)
    rows.set_filter("K0000(0|1)")
    assert rows.remove("K000011")
    assert rows.total == 29 and rows.known == 29 and "K000011" not in rows.marked
    assert [rows.row(i)[0] for i in range(rows.view_rows)] == [
        f"K{i:06d}" for i in range(20) if i != 11
    ]
    rows.clear_filter()
    assert rows.row(11)[0] == "K000012" and rows.row(28)[0] == "K000029"


def test_insert_puts_a_new_row_in_key_order_and_a_later_page_does_not_repeat_it() -> None:
    source = FakeSource(30)
    rows = PagedRows()
    load_pages(rows, source, 2)
    position = rows.insert(("K000005a", "new", "Lyon", "0"))
    assert position == 6 and rows.row(6)[0] == "K000005a" and rows.total == 31
    # Past the loaded rows: shown last now, not twice when its page arrives.
    source.keys.insert(25, "K000024z")
    position = rows.insert(("K000024z", "later", "Nice", "0"))
    assert position == rows.view_rows - 1
    serve(rows, source, rows.request(rows.page_count))
    keys = [rows.row(i)[0] for i in range(rows.view_rows)]
    assert keys.count("K000024z") == 1 and keys.index("K000024z") == keys.index("K000024") + 1


def test_insert_into_an_empty_list() -> None:
    rows = PagedRows()
    serve(rows, FakeSource(0), rows.reset())
    assert rows.complete and len(rows) == 0
    assert rows.insert(("K1", "first")) == 0
    assert rows.row(0)[0] == "K1" and len(rows) == 1


def test_replace_swaps_a_changed_row() -> None:
    source = FakeSource(10)
    rows = PagedRows()
    serve(rows, source, rows.reset())
    assert rows.replace(("K000004", "renamed", "Lyon", "1"))
    assert rows.row(4)[1] == "renamed"
    assert not rows.replace(("nope", "x"))


def test_a_refetched_page_that_changed_size_shifts_what_follows() -> None:
    source = FakeSource(40)
    rows = PagedRows(max_rows=20)
    serve(rows, source, rows.reset())
    for _ in range(3):
        rows.anchor = rows.known - 1
        serve(rows, source, rows.request(rows.page_count))
    rows.set_filter("K")
    # A device of the first page went away on the server meanwhile.
    del source.keys[3]
    rows.anchor = 0
    serve(rows, source, rows.request(0))
    assert rows.known == 40  # the first page came back with ten rows (K10 moved up)
    serve(rows, source, rows.request(1))
    assert rows.row(3)[0] == "K000004"


def test_columns_drop_the_least_important_first_and_share_spare_room() -> None:
    columns = [
        Column("Name", 1, 10, None, priority=0),
        Column("EUI", 2, 16, 16, priority=1),
        Column("Model", 3, 12, 20, priority=3),
        Column("Health", 4, 8, 8, priority=2),
    ]
    narrow = layout_columns(columns, 40)
    assert [c.title for c, _ in narrow] == ["Name", "EUI", "Health"]
    assert sum(w for _, w in narrow) + 2 == 40
    wide = layout_columns(columns, 80)
    assert [c.title for c, _ in wide] == ["Name", "EUI", "Model", "Health"]
    assert dict((c.title, w) for c, w in wide)["Model"] == 20
    assert sum(w for _, w in wide) + 3 == 80


def test_fit_pads_and_cuts_with_an_ellipsis() -> None:
    assert fit("abc", 5) == "abc  "
    assert fit("abc", 5, "right") == "  abc"
    assert fit("abcdef", 4) == "abc…"
    assert cell_len(fit("日本語", 4)) == 4 and fit("日本語", 4).endswith("…")


def test_a_pattern_that_backtracks_without_end_is_stopped_on_its_first_row() -> None:
    keep = RowFilter("(a|aa)+$")
    assert not keep(("K1", "a" * 40 + "!"))
    assert keep.too_slow  # the matcher gave up after ROW_TIMEOUT
    assert not keep(("K2", "aaaa"))  # and from then on matches nothing, at once


def test_a_filter_job_works_in_slices_and_is_stale_after_a_change() -> None:
    source = FakeSource(2_000, size=500)
    rows = PagedRows()
    load_pages(rows, source, 3)
    job = rows.filter_job("Lyon")
    steps = 0
    while not job.step(budget=0.0):  # one batch per step
        steps += 1
    assert steps > 1 and job.done == job.total == 1_500
    assert rows.finish_filter(job)
    assert rows.view_rows == 500 and all("Lyon" in rows.row(i)[1] for i in range(500))
    stale = rows.filter_job("Nice")
    serve(rows, source, rows.request(rows.page_count))  # a page arrives meanwhile
    while not stale.step():
        pass
    assert not rows.finish_filter(stale) and rows.row_filter is not None
    assert rows.row_filter.text == "Lyon"  # the old filter stays until a fresh job finishes


def test_a_page_chain_without_progress_is_an_error() -> None:
    from tui.api.errors import ApiError

    rows = PagedRows()
    rows.progress.platform = "thingpark"
    first = rows.reset()
    rows.check_progress(first, 0, "same")
    rows.add_page(first, [], "same")
    again = rows.request(rows.page_count)
    with pytest.raises(ApiError, match="repeated cursor"):
        rows.check_progress(again, 0, "same")
    refetch = rows.request(0)  # a page fetched again from its saved cursor is no step
    rows.check_progress(refetch, 0, "same")


def test_a_negative_total_from_a_server_is_no_total() -> None:
    rows = PagedRows()
    rows.add_page(rows.reset(), [("K1", "a")], "next", -7)
    assert rows.total is None
