"""A bounded window over a cursor-paged list: page bookkeeping, eviction, filter, sort and marks.

No Textual here: `VirtualTable` draws a `PagedRows` and runs the fetches it asks for. Rows are
compact tuples of display strings whose first item is the row's key, never vendor JSON, so
100,000 of them cost tens of megabytes. Every page keeps the cursor that fetched it; a page far
from where the user looks is dropped (its cursor, start and size stay) and fetched again from
that cursor when the user scrolls back to it. Marks are a set of keys, so they outlive paging,
eviction, filtering and reloads.

The filter and the sort apply to the rows in memory (as k9s does); while a sort is on, paging
pauses, since a row fetched later would land anywhere in the sorted order.
"""

from __future__ import annotations

import time
from array import array
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from tui.api.paging import PageProgress

__all__ = ["DEFAULT_MAX_ROWS", "FilterJob", "PageRequest", "PagedRows", "Row", "RowFilter"]

#: one list row: its key, then display strings (and any hidden values a screen needs)
Row = tuple[str, ...]

#: rows kept in memory before far-away pages are dropped
DEFAULT_MAX_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class PageRequest:
    """A page to fetch: its number in the list, the cursor that fetches it, and the list's
    generation (a reload makes the answers to older requests stale)."""

    index: int
    cursor: str | None
    generation: int


#: the longest one row may take to match; a pattern that needs more backtracks catastrophically
ROW_TIMEOUT = 0.02


class RowFilter:
    """A case-insensitive regular expression over a row's text; a leading `!` inverts it.

    Raises ValueError with a readable message when the expression does not compile. Matching
    is bounded: the `regex` module gives up on a row after ROW_TIMEOUT seconds, and from then
    on the filter matches nothing at once and says so in `too_slow` (a pattern such as
    `([-\\w]+)+X` would otherwise freeze every key for minutes).
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.invert = text.startswith("!")
        pattern = text[1:] if self.invert else text
        if not pattern:
            raise ValueError("empty filter: type a regular expression (a leading ! inverts it)")
        try:
            self._regex = regex.compile(pattern, regex.IGNORECASE | regex.V0)
        except (regex.error, OverflowError, RecursionError, ValueError) as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
        self.pattern = pattern
        #: set when a row took too long: the filter is unusable and should be cleared
        self.too_slow = False

    def __call__(self, row: Row) -> bool:
        if self.too_slow:
            return False
        try:
            found = self._regex.search("\x1f".join(row), timeout=ROW_TIMEOUT) is not None
        except TimeoutError:
            self.too_slow = True
            return False
        return found != self.invert

    @property
    def literal(self) -> str | None:
        """The pattern as plain text when it has no regular-expression syntax, else None."""
        return None if self.invert or regex.escape(self.pattern) != self.pattern else self.pattern


class FilterJob:
    """A new filter applied to the rows in memory a slice at a time, so that the event loop
    keeps answering keys (and `esc` can cancel) while a hundred thousand rows are matched.

    `step()` matches rows for about `budget` seconds and says whether it is done; then
    `PagedRows.finish_filter(job)` puts the result in place, unless the pages changed
    meanwhile (`stale`), in which case the caller starts again.
    """

    def __init__(self, rows: PagedRows, row_filter: RowFilter) -> None:
        self.row_filter = row_filter
        self.version = rows.version
        self._todo = list(rows._loaded_positions())
        self.total = len(self._todo)
        self.done = 0
        self.matches: list[int] = []

    def step(self, budget: float = 0.01) -> bool:
        keep = self.row_filter
        todo = self._todo
        deadline = time.monotonic() + budget
        while self.done < self.total:
            end = min(self.total, self.done + 256)
            self.matches.extend(g for g, row in todo[self.done : end] if keep(row))
            self.done = end
            if keep.too_slow or time.monotonic() >= deadline:
                break
        return self.done >= self.total or keep.too_slow


class PagedRows:
    """The pages of one list seen so far, the rows of those in memory, and the view over them.

    View positions (what the table shows, filtered and sorted) are not global positions (the
    row's place in the vendor's order). While more pages remain, the view ends with one "tail"
    placeholder that stands for them.
    """

    def __init__(self, *, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self.max_rows = max(1, max_rows)
        #: keys of marked rows; kept across reloads, filters and eviction
        self.marked: set[str] = set()
        #: each mark's row as it was when marked (its name and facts, for a bulk plan, after
        #: its page has left memory)
        self._marked_rows: dict[str, Row] = {}
        #: while set, every row that arrives and passes the filter is marked too ("mark every
        #: row matching the filter", as the rest of the list is fetched)
        self.mark_arrivals = False
        self.last_mark: str | None = None
        self.row_filter: RowFilter | None = None
        #: the row item the view is sorted by (None: the vendor's order), and its direction
        self.sort_index: int | None = None
        self.sort_reverse = False
        self.generation = 0
        #: counts every change of the rows in memory (a FilterJob started before one is stale)
        self.version = 0
        #: stops a server that pages without progress (its `platform` names it in the error)
        self.progress = PageProgress("fleet")
        self._reset_pages()

    # ------------------------------------------------------------------ state

    def _reset_pages(self) -> None:
        self.total: int | None = None
        #: the first page has arrived
        self.started = False
        #: no page remains on the server
        self.complete = False
        self.next_cursor: str | None = None
        self._cursors: list[str | None] = []
        self._starts: list[int] = []
        self._counts: list[int] = []
        self._rows: list[list[Row] | None] = []
        self._loaded: set[int] = set()
        self.loaded_rows = 0
        self.pending: set[int] = set()
        self.failed: set[int] = set()
        self.tail_failed = False
        #: matches the last appended page added to a filtered view (0 stops the prefetch chain)
        self._last_tail_matches = 1
        #: the global position the user looks at: eviction keeps the pages around it
        self.anchor = 0
        #: keys inserted locally (a created device) that a later page may bring again
        self._inserted: set[str] = set()
        #: None: the identity view over every known row; else global positions, in view order
        self._view: array[int] | None = None
        self.evicted_once = False

    def reset(self) -> PageRequest:
        """Forget every page (marks, filter and sort stay) and return the first page's request."""
        self.generation += 1
        self.version += 1
        self.progress.reset()
        self._reset_pages()
        if self.row_filter is not None or self.sort_index is not None:
            self._view = array("q")
        return self.request(0)

    def request(self, index: int) -> PageRequest:
        cursor = self.next_cursor if index == len(self._cursors) else self._cursors[index]
        self.pending.add(index)
        return PageRequest(index, cursor, self.generation)

    @property
    def known(self) -> int:
        """Rows seen so far, in memory or not."""
        return self._starts[-1] + self._counts[-1] if self._starts else 0

    @property
    def page_count(self) -> int:
        return len(self._cursors)

    @property
    def filtered(self) -> bool:
        return self._view is not None

    @property
    def tail_pending(self) -> bool:
        return len(self._cursors) in self.pending

    @property
    def has_tail(self) -> bool:
        """Whether the view ends with a placeholder for pages still on the server."""
        return self.started and not self.complete and self.sort_index is None

    # ------------------------------------------------------------------ pages

    def check_progress(self, request: PageRequest, count: int, next_cursor: str | None) -> None:
        """Raise ApiError when the next page of the chain shows the server makes no progress
        (a cursor it gave before, empty pages without end); a page fetched again is no step."""
        if request.generation == self.generation and request.index == len(self._cursors):
            self.progress.check(request.cursor, count, next_cursor)

    def add_page(
        self,
        request: PageRequest,
        rows: Sequence[Row],
        next_cursor: str | None,
        total: int | None = None,
    ) -> bool:
        """Store a fetched page; False when the answer is stale (the list was reloaded since)."""
        if request.generation != self.generation:
            return False
        self.version += 1
        self.pending.discard(request.index)
        self.failed.discard(request.index)
        if total is not None and total >= 0:
            self.total = total
        index = request.index
        if index == len(self._cursors):
            self._append(request.cursor, rows, next_cursor)
        elif index < len(self._cursors):
            self._refill(index, list(rows))
        else:
            return False
        self._evict()
        return True

    def _append(self, cursor: str | None, rows: Sequence[Row], next_cursor: str | None) -> None:
        if self._inserted:
            # A locally inserted row arrives again with its page: keep one copy.
            again = {row[0] for row in rows} & self._inserted
            if again:
                self._inserted -= again
                self._drop_keys(again)
        page_rows = list(rows)
        if self.mark_arrivals:
            keep = self.row_filter
            for row in page_rows:
                if keep is None or keep(row):
                    self._mark(row)
        start = self.known
        index = len(self._cursors)
        self._cursors.append(cursor)
        self._starts.append(start)
        self._counts.append(len(page_rows))
        self._rows.append(page_rows)
        self._loaded.add(index)
        self.loaded_rows += len(page_rows)
        self.started = True
        self.tail_failed = False
        self.next_cursor = next_cursor
        self.complete = next_cursor is None
        if self._view is not None:
            if self.sort_index is not None:
                self._rebuild_view()
            else:
                keep = self.row_filter
                matches = [
                    start + j for j, row in enumerate(page_rows) if keep is None or keep(row)
                ]
                self._view.extend(matches)
                self._last_tail_matches = len(matches)

    def _refill(self, index: int, rows: list[Row]) -> None:
        """A dropped page came back; the server may have added or removed rows since."""
        old = self._counts[index]
        start = self._starts[index]
        if self._rows[index] is not None:
            self.loaded_rows -= old
        self._rows[index] = rows
        self._loaded.add(index)
        self.loaded_rows += len(rows)
        if len(rows) != old:
            self._shift_after(index, len(rows) - old)
            self._counts[index] = len(rows)
        if self._view is not None:
            if self.sort_index is not None:
                self._rebuild_view()
                return
            view = self._view
            lo = bisect_left(view, start)
            hi = bisect_left(view, start + old)
            keep = self.row_filter
            matches = [start + j for j, row in enumerate(rows) if keep is None or keep(row)]
            delta = len(rows) - old
            if delta:
                for k in range(hi, len(view)):
                    view[k] += delta
            view[lo:hi] = array("q", matches)

    def _shift_after(self, index: int, delta: int) -> None:
        starts = self._starts
        for p in range(index + 1, len(starts)):
            starts[p] += delta

    def fail(self, request: PageRequest) -> None:
        """A fetch failed: stop asking for that page until `retry_failed()`."""
        if request.generation != self.generation:
            return
        self.pending.discard(request.index)
        if request.index >= len(self._cursors):
            self.tail_failed = True
        else:
            self.failed.add(request.index)

    def cancel(self, request: PageRequest) -> None:
        if request.generation == self.generation:
            self.pending.discard(request.index)

    def retry_failed(self) -> None:
        self.failed.clear()
        self.tail_failed = False

    def page_of(self, position: int) -> int:
        """The page holding a global position (the last page for positions past the end)."""
        return max(0, bisect_right(self._starts, position) - 1)

    def _evict(self) -> None:
        """Drop the pages farthest from the anchor until the rows in memory fit the budget.

        A sorted view holds loaded rows only, so nothing is dropped while a sort is on.
        """
        if self.loaded_rows <= self.max_rows or self.sort_index is not None:
            return
        anchor_page = self.page_of(self.anchor)
        while self.loaded_rows > self.max_rows and len(self._loaded) > 1:
            far = max(self._loaded, key=lambda p: abs(p - anchor_page))
            if far == anchor_page:
                break
            rows = self._rows[far]
            self._rows[far] = None
            self._loaded.discard(far)
            self.loaded_rows -= len(rows) if rows is not None else 0
            self.evicted_once = True

    def missing_pages(self, first: int, last: int) -> list[int]:
        """Dropped pages that hold view positions first..last, not already being fetched."""
        if not self._cursors:
            return []
        size = self.view_size
        first, last = max(0, first), min(last, size - 1)
        if first > last:
            return []
        pages: set[int] = set()
        if self._view is None:
            known = self.known
            if first >= known:
                return []
            lo = self.page_of(first)
            hi = self.page_of(min(last, known - 1))
            pages.update(range(lo, hi + 1))
        else:
            view = self._view
            for i in range(first, min(last + 1, len(view))):
                pages.add(self.page_of(view[i]))
        return sorted(
            p
            for p in pages
            if self._rows[p] is None and p not in self.pending and p not in self.failed
        )

    def wants_tail(self, last_visible: int, margin: int, *, user: bool = False) -> bool:
        """Whether to fetch the next page now: the user looks within `margin` rows of the end.

        In a filtered view a page that added no match stops the chain (a rare match must not
        walk the whole fleet by itself); a user's own move past the end asks again.
        """
        if not self.started or self.complete or self.sort_index is not None:
            return False
        if self.tail_pending or (self.tail_failed and not user):
            return False
        if self._view is not None and not user and self._last_tail_matches == 0:
            return False
        return self.view_rows - 1 - last_visible <= margin

    # ------------------------------------------------------------------ the view

    @property
    def view_rows(self) -> int:
        """Rows in the view, the tail placeholder not counted."""
        return self.known if self._view is None else len(self._view)

    @property
    def view_size(self) -> int:
        """Lines the table has: the view's rows and the tail placeholder."""
        return self.view_rows + (1 if self.has_tail else 0)

    def __len__(self) -> int:
        return self.view_size

    def is_tail(self, position: int) -> bool:
        return self.has_tail and position == self.view_rows

    def global_position(self, position: int) -> int | None:
        """The vendor-order position of a view position (None for the tail or past the end)."""
        if position < 0 or position >= self.view_rows:
            return None
        return position if self._view is None else self._view[position]

    def row(self, position: int) -> Row | None:
        """The row at a view position, or None when its page is not in memory (or the tail)."""
        g = self.global_position(position)
        if g is None:
            return None
        return self._row_at(g)

    def _row_at(self, g: int) -> Row | None:
        p = self.page_of(g)
        rows = self._rows[p]
        if rows is None:
            return None
        offset = g - self._starts[p]
        return rows[offset] if 0 <= offset < len(rows) else None

    def is_page_failed(self, position: int) -> bool:
        g = self.global_position(position)
        return g is not None and self.page_of(g) in self.failed

    def _loaded_positions(self) -> Iterable[tuple[int, Row]]:
        for p in sorted(self._loaded):
            rows = self._rows[p]
            if rows is None:
                continue
            start = self._starts[p]
            for j, row in enumerate(rows):
                yield start + j, row

    def _rebuild_view(self) -> None:
        keep = self.row_filter
        if keep is None and self.sort_index is None:
            self._view = None
            return
        positions = [g for g, row in self._loaded_positions() if keep is None or keep(row)]
        if self.sort_index is not None:
            column = self.sort_index
            rows = {g: self._row_at(g) for g in positions}
            positions.sort(key=lambda g: _sort_key(rows[g], column), reverse=self.sort_reverse)
        self._view = array("q", positions)
        self._last_tail_matches = 1

    def set_filter(self, text: str) -> None:
        """Filter the rows in memory (and the pages that come later); ValueError if invalid.

        All at once: a screen applies a filter over many rows with `filter_job()` instead.
        """
        self.row_filter = RowFilter(text)
        self._rebuild_view()

    def filter_job(self, text: str) -> FilterJob:
        """A job that matches `text` over the rows in memory (ValueError if it is invalid)."""
        return FilterJob(self, RowFilter(text))

    def finish_filter(self, job: FilterJob) -> bool:
        """Put a finished job's filter in place; False when the pages changed meanwhile."""
        if job.version != self.version or job.done < job.total:
            return False
        self.row_filter = job.row_filter
        if self.sort_index is None:
            self._view = array("q", job.matches)
            self._last_tail_matches = 1
        else:
            self._rebuild_view()
        return True

    def clear_filter(self) -> None:
        self.row_filter = None
        self._rebuild_view()

    def set_sort(self, index: int | None, reverse: bool = False) -> None:
        """Sort the rows in memory by one row item; None returns to the vendor's order."""
        self.sort_index = index
        self.sort_reverse = reverse
        self._rebuild_view()

    def find(self, key: str) -> int | None:
        """The view position of the row with this key, if it is in memory and in the view."""
        g = self._find_global(key)
        if g is None:
            return None
        if self._view is None:
            return g
        if self.sort_index is None:
            i = bisect_left(self._view, g)
            return i if i < len(self._view) and self._view[i] == g else None
        for i, value in enumerate(self._view):
            if value == g:
                return i
        return None

    def _find_global(self, key: str) -> int | None:
        for g, row in self._loaded_positions():
            if row[0] == key:
                return g
        return None

    # ------------------------------------------------------------------ marks

    def is_marked(self, row: Row) -> bool:
        return row[0] in self.marked

    def marked_row(self, key: str) -> Row | None:
        """The row of a mark as it was when marked (None when it was marked by key alone)."""
        return self._marked_rows.get(key)

    def _mark(self, row: Row) -> bool:
        """Mark a row; False when it was marked already."""
        key = row[0]
        self._marked_rows[key] = row
        if key in self.marked:
            return False
        self.marked.add(key)
        return True

    def _unmark(self, key: str) -> None:
        self.marked.discard(key)
        self._marked_rows.pop(key, None)
        if self.last_mark == key:
            self.last_mark = None

    def toggle_mark(self, position: int) -> bool | None:
        """Mark or unmark the row at a view position; None when there is no row there."""
        row = self.row(position)
        if row is None:
            return None
        key = row[0]
        if key in self.marked:
            self._unmark(key)
            return False
        self._mark(row)
        self.last_mark = key
        return True

    def mark_range(self, position: int) -> int:
        """Mark every row from the last marked one to `position` (in view order); return how
        many rows were newly marked. Without a visible last mark, marks the row alone.

        Rows whose page is not in memory have no known key and stay unmarked.
        """
        anchor = self.find(self.last_mark) if self.last_mark is not None else None
        if anchor is None:
            anchor = position
        lo, hi = sorted((anchor, position))
        added = 0
        for i in range(lo, hi + 1):
            row = self.row(i)
            if row is not None and self._mark(row):
                added += 1
        row = self.row(position)
        if row is not None:
            self.last_mark = row[0]
        return added

    def _view_rows_in_memory(self) -> Iterable[Row]:
        for position in range(self.view_rows):
            row = self.row(position)
            if row is not None:
                yield row

    def mark_view(self) -> int:
        """Mark every row of the view that is in memory (the filter's matches); how many new."""
        return sum(1 for row in list(self._view_rows_in_memory()) if self._mark(row))

    def invert_marks(self) -> None:
        """Marked rows of the view (in memory) are unmarked, the others marked."""
        for row in list(self._view_rows_in_memory()):
            if row[0] in self.marked:
                self._unmark(row[0])
            else:
                self._mark(row)

    def hidden_marks(self) -> int:
        """How many marks the current filter hides (marks whose row it would not show)."""
        keep = self.row_filter
        if keep is None:
            return 0
        return sum(
            1
            for key in self.marked
            if (row := self._marked_rows.get(key)) is not None and not keep(row)
        )

    def clear_marks(self) -> None:
        self.marked.clear()
        self._marked_rows.clear()
        self.last_mark = None

    # ------------------------------------------------------------------ local changes

    def remove(self, key: str) -> bool:
        """Drop a deleted row (and its mark); False if it is not in memory."""
        self.version += 1
        self._unmark(key)
        g = self._find_global(key)
        if self.total is not None:
            self.total = max(0, self.total - 1)
        if g is None:
            return False
        p = self.page_of(g)
        rows = self._rows[p]
        assert rows is not None
        del rows[g - self._starts[p]]
        self._counts[p] -= 1
        self.loaded_rows -= 1
        self._shift_after(p, -1)
        if self._view is not None:
            if self.sort_index is not None:
                self._rebuild_view()
            else:
                view = self._view
                i = bisect_left(view, g)
                if i < len(view) and view[i] == g:
                    del view[i]
                for k in range(i, len(view)):
                    view[k] -= 1
        return True

    def _drop_keys(self, keys: set[str]) -> None:
        for key in keys:
            row = self._marked_rows.get(key) if key in self.marked else None
            total = self.total
            self.remove(key)
            self.total = total
            if row is not None:
                self._mark(row)

    def replace(self, row: Row) -> bool:
        """Swap in a changed row with the same key (e.g. an acknowledged alarm)."""
        g = self._find_global(row[0])
        if g is None:
            return False
        p = self.page_of(g)
        rows = self._rows[p]
        assert rows is not None
        rows[g - self._starts[p]] = row
        return True

    def insert(self, row: Row) -> int | None:
        """Insert a new row in key order among the rows in memory; return its view position.

        The vendor lists in key order (ThingPark: DevEUI ascending). A key past every row in
        memory goes last, so that the user sees it; the page that brings it again later does
        not show it twice.
        """
        self.version += 1
        key = row[0]
        if self._find_global(key) is not None:
            return self.find(key)
        if not self._cursors:
            self._cursors.append(None)
            self._starts.append(0)
            self._counts.append(0)
            self._rows.append([])
            self._loaded.add(0)
            self.started = True
            self.complete = True
        target: int | None = None
        offset = 0
        for p in sorted(self._loaded):
            rows = self._rows[p]
            if rows and key < rows[-1][0]:
                target = p
                offset = bisect_left(rows, key, key=lambda r: r[0])
                break
        if target is None:
            target = max(self._loaded)
            rows = self._rows[target]
            offset = len(rows) if rows is not None else 0
        rows = self._rows[target]
        assert rows is not None
        rows.insert(offset, row)
        self._counts[target] += 1
        self.loaded_rows += 1
        self._shift_after(target, 1)
        if self.total is not None:
            self.total += 1
        if not self.complete:
            self._inserted.add(key)
        g = self._starts[target] + offset
        if self._view is not None:
            if self.sort_index is not None:
                self._rebuild_view()
            else:
                view = self._view
                i = bisect_left(view, g)
                for k in range(i, len(view)):
                    view[k] += 1
                if self.row_filter is None or self.row_filter(row):
                    insort(view, g)
        return self.find(key)


def _sort_key(row: Row | None, index: int) -> tuple[int, float, str]:
    """Numbers sort as numbers, blanks last; everything else case-insensitively."""
    value = row[index] if row is not None and index < len(row) else ""
    if not value or value == "—":
        return (2, 0.0, "")
    try:
        return (0, float(value.replace(",", "")), "")
    except ValueError:
        return (1, 0.0, value.casefold())
