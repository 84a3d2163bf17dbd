"""A table that draws only its visible rows and feeds itself page by page from a cursor.

Toolong's way to a million lines: a `ScrollView` with a virtual size and `render_line`, so that a
million rows cost what forty do. The rows live in a `PagedRows` window (see paged_rows.py); the
table asks it which pages the user is about to see and fetches them in workers, the next page
before the cursor reaches the end of what is loaded, so a key never waits for the network.

Columns have a priority: at narrow widths the least important are dropped first, so the table
fits 80 columns. Line 0 is the header; rows are drawn below it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, Literal

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Label, Static
from textual.worker import Worker

from tui.api.paging import ReadAhead
from tui.widgets.paged_rows import DEFAULT_MAX_ROWS, PagedRows, PageRequest, Row
from tui.widgets.safe import plain, visible

__all__ = ["Column", "Fetch", "PromptBar", "RowPage", "VirtualTable", "fit", "layout_columns"]

#: what a fetch returns: the page's rows, the next page's cursor (None: last page), the total
RowPage = tuple[Sequence[Row], str | None, int | None]
Fetch = Callable[[str | None], Awaitable[RowPage]]
Busy = Callable[[], AbstractAsyncContextManager[None]]

#: at most this many dropped pages are fetched again at once
MAX_REFETCHES = 2
#: how often a walk to the end moves the view and tells the screen (each repaints the table)
WALK_REPAINT_SECONDS = 0.1
MARK_GLYPH = "●"
_NOT_BOLD = Style(bold=False)


@dataclass(frozen=True)
class Column:
    """One column: its title, which row item it shows, and how it takes room.

    `width` is the least it needs; `max_width` caps how much spare room it takes (None: any).
    Columns with a lower `priority` number are kept longest when the table is narrow. `style`
    gives a value its own rich style (e.g. a severity colour).
    """

    title: str
    index: int
    width: int
    max_width: int | None = None
    priority: int = 0
    justify: Literal["left", "right"] = "left"
    style: Callable[[str], str | None] | None = None


def layout_columns(columns: Sequence[Column], width: int, gap: int = 1) -> list[tuple[Column, int]]:
    """The columns that fit `width` (most important first), in their own order, with widths."""
    chosen: list[Column] = []
    used = 0
    for column in sorted(columns, key=lambda c: c.priority):
        need = column.width + (gap if chosen else 0)
        if used + need <= width:
            chosen.append(column)
            used += need
    widths = {id(c): c.width for c in chosen}
    spare = width - used
    # Spare room goes by priority to the capped columns, then to the uncapped ones.
    for column in sorted(chosen, key=lambda c: c.priority):
        if spare <= 0:
            break
        if column.max_width is not None:
            extra = min(spare, max(0, column.max_width - column.width))
            widths[id(column)] += extra
            spare -= extra
    flexible = [c for c in chosen if c.max_width is None]
    for n, column in enumerate(flexible):
        extra = spare // (len(flexible) - n)
        widths[id(column)] += extra
        spare -= extra
    return [(c, widths[id(c)]) for c in columns if id(c) in widths]


def fit(text: str, width: int, justify: str = "left") -> str:
    """`text` padded or cut (with an ellipsis) to exactly `width` cells; a row's values come
    from a server, so control characters are made visible first (see tui/widgets/safe.py)."""
    if not text.isprintable():
        text = visible(text)
    if text.isascii():
        if len(text) > width:
            return text[: max(0, width - 1)] + "…" if width else ""
        return text.rjust(width) if justify == "right" else text.ljust(width)
    if cell_len(text) > width:
        return set_cell_size(text, max(0, width - 1)) + "…" if width else ""
    pad = " " * (width - cell_len(text))
    return pad + text if justify == "right" else text + pad


class VirtualTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of a `PagedRows`, with a cursor, marks, a header and a dim placeholder for rows
    whose page is not in memory. `load(fetch)` (re)starts it from the first page."""

    #: where the help (`?`) lists the table's keys
    HELP_GROUP: ClassVar[str] = "list"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First row", show=False, id="table.first"),
        Binding("end", "last", "Last loaded row", show=False, id="table.last"),
        Binding("enter", "select", "Open", id="table.select"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--odd",
        "virtual-table--mark",
        "virtual-table--placeholder",
        "virtual-table--scrollbar",
        "virtual-table--thumb",
    }

    DEFAULT_CSS = """
    VirtualTable {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: hidden;
        background: $surface;
        scrollbar-size-vertical: 1;
    }
    VirtualTable > .virtual-table--header { background: $panel; color: $text; text-style: bold; }
    VirtualTable > .virtual-table--odd { background: $surface-lighten-1 30%; }
    VirtualTable > .virtual-table--cursor { background: $block-cursor-blurred-background; color: $text; }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    VirtualTable > .virtual-table--mark { color: $warning; text-style: bold; }
    VirtualTable > .virtual-table--placeholder { color: $text-disabled; text-style: italic; }
    VirtualTable > .virtual-table--scrollbar { color: $panel-lighten-1; background: $surface; }
    VirtualTable > .virtual-table--thumb { color: $accent; background: $surface; }
    """

    class Loaded(Message):
        """A page arrived (`first`: the list's first page)."""

        def __init__(self, table: VirtualTable, first: bool) -> None:
            super().__init__()
            self.table = table
            self.first = first

    class LoadFailed(Message):
        """A fetch failed (`first`: nothing could be shown at all)."""

        def __init__(self, table: VirtualTable, error: Exception, first: bool) -> None:
            super().__init__()
            self.table = table
            self.error = error
            self.first = first

    class Selected(Message):
        """`enter` (or a double click) on a row."""

        def __init__(self, table: VirtualTable, row: Row) -> None:
            super().__init__()
            self.table = table
            self.row = row

    class WalkEnded(Message):
        """`fetch_to_end()` finished (or was cancelled)."""

        def __init__(self, table: VirtualTable, cancelled: bool) -> None:
            super().__init__()
            self.table = table
            self.cancelled = cancelled

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        max_rows: int = DEFAULT_MAX_ROWS,
        busy: Busy | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.rows = PagedRows(max_rows=max_rows)
        self._busy: Busy = busy or nullcontext  # type: ignore[assignment]
        self._fetch: Fetch | None = None
        self._cursor = 0
        self._layout: tuple[int, list[tuple[Column, int]]] | None = None
        self._styles: dict[str, Style] = {}
        self._line_style_key: tuple[object, ...] | None = None
        self._line_style_cache: dict[str, Style] = {}
        self._refetching = 0
        self._walker: Worker[None] | None = None
        #: set while `fetch_to_end()` walks to the last page
        self.fetching_to_end = False
        #: no page is fetched while set (a screen applies a filter over the rows in memory)
        self.paused = False

    # ------------------------------------------------------------------ public

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def cursor_row(self) -> Row | None:
        return self.rows.row(self._cursor)

    def load(self, fetch: Fetch, *, source: str = "fleet") -> None:
        """Forget every page and fetch the first one (marks, filter and sort stay); `source`
        names the platform in the error that stops a server paging without progress."""
        self._fetch = fetch
        self.rows.progress.platform = source
        self.cancel_fetches()
        request = self.rows.reset()
        self._cursor = 0
        self.scroll_to(y=0, animate=False, immediate=True, force=True)
        self._changed()
        self.run_worker(partial(self._load_page, request), group="pages")

    def cancel_fetches(self) -> None:
        self.workers.cancel_group(self, "pages")
        self.workers.cancel_group(self, "walk")
        self._refetching = 0
        self.fetching_to_end = False

    def move_to(self, position: int, *, user: bool = True) -> None:
        """Put the cursor on a view position (clamped) and scroll it into view."""
        last = max(0, len(self.rows) - 1)
        self._cursor = max(0, min(position, last))
        self._scroll_to_cursor()
        self.refresh()
        self._check_loads(user=user)

    def fetch_to_end(self) -> None:
        """Fetch every remaining page (the cursor follows the end); `cancel_walk()` stops it."""
        if self._fetch is None or self.fetching_to_end:
            return
        if self.rows.complete or not self.rows.started or self.rows.sort_index is not None:
            self.move_to(self.rows.view_rows - 1)
            return
        self.fetching_to_end = True
        self._walker = self.run_worker(self._walk, group="walk")

    def cancel_first(self) -> bool:
        """Stop waiting for the first page (a server that never answers); True if it was due."""
        if self.rows.started or not self.rows.pending:
            return False
        self.cancel_fetches()
        self.rows.reset()  # the cancelled request's answer, should it come, is stale
        self.rows.pending.clear()
        return True

    def cancel_walk(self) -> bool:
        """Stop `fetch_to_end()` (the cursor goes to the last row fetched); True if it ran."""
        if not self.fetching_to_end:
            return False
        # The walk's own `finally` moves the cursor and posts WalkEnded.
        self.workers.cancel_group(self, "walk")
        return True

    def retry_failed(self) -> None:
        self.rows.retry_failed()
        self._check_loads(user=True)
        self.refresh()

    def changed(self) -> None:
        """The rows, filter, sort or marks changed: resize, clamp the cursor, redraw."""
        self._changed()
        self._check_loads(user=True)

    # ------------------------------------------------------------------ fetching

    async def _load_page(self, request: PageRequest) -> None:
        assert self._fetch is not None
        first = not self.rows.started
        # A refetch was counted when it was scheduled (see _check_loads).
        refetch = request.index < self.rows.page_count
        try:
            async with self._busy():
                rows, cursor, total = await self._fetch(request.cursor)
            self.rows.check_progress(request, len(rows), cursor)
        except asyncio.CancelledError:
            self.rows.cancel(request)
            raise
        except Exception as exc:  # the screen reports it; the table keeps what it has
            if request.generation == self.rows.generation:
                self.rows.fail(request)
                self.refresh()
                self.post_message(self.LoadFailed(self, exc, first=first))
            return
        finally:
            if refetch:
                self._refetching = max(0, self._refetching - 1)
        before = (len(self.rows), self._thumb())
        held = self.cursor_row
        if self.rows.add_page(request, rows, cursor, total):
            if refetch or first:
                self._changed()
            else:
                self._grown(*before)
            self._hold_cursor(held)
            self.post_message(self.Loaded(self, first=first))
            self._check_loads()

    def _hold_cursor(self, held: Row | None) -> None:
        """Keep the cursor on its row when a page moved rows under it (a refetched page of
        another size, a locally inserted device that its page brought again)."""
        if held is None:
            return
        now = self.cursor_row
        if now is not None and now[0] == held[0]:
            return
        position = self.rows.find(held[0])
        if position is not None:
            self._cursor = position
            self._scroll_to_cursor()
            self.refresh()

    async def _walk(self) -> None:
        assert self._fetch is not None
        rows = self.rows
        cancelled = True
        loop = asyncio.get_running_loop()
        shown = 0.0
        # One request ahead: the server works on the next page while this one is converted.
        ahead = ReadAhead(self._fetch)
        try:
            # One spinner for the whole walk; the view follows the end and the screen's status
            # is told ten times a second, not once per page (each repaints the whole table).
            async with self._busy():
                while rows.tail_pending:  # a prefetch is on its way; the walk goes on after it
                    await asyncio.sleep(0.01)
                while not rows.complete:
                    while self.paused:  # a filter is being applied to the rows in memory
                        await asyncio.sleep(0.02)
                    request = rows.request(rows.page_count)
                    try:
                        page, cursor, total = await ahead.get(request.cursor)
                        rows.check_progress(request, len(page), cursor)
                    except asyncio.CancelledError:
                        rows.cancel(request)
                        raise
                    except Exception as exc:
                        rows.fail(request)
                        self.post_message(self.LoadFailed(self, exc, first=False))
                        return
                    # Keep the pages at the end: that is where the cursor goes.
                    rows.anchor = rows.known + len(page)
                    if not rows.add_page(request, page, cursor, total):
                        return
                    now = loop.time()
                    if now - shown >= WALK_REPAINT_SECONDS or rows.complete:
                        shown = now
                        self._follow_end()
                        self.post_message(self.Loaded(self, first=False))
                    else:
                        # No repaint in between: the end is in view, so each page would
                        # repaint the whole table, sixty times a second.
                        self._changed(repaint=False)
                    # Let keys (esc) and the screen in between pages.
                    await asyncio.sleep(0)
            cancelled = False
        finally:
            ahead.close()
            if self.fetching_to_end:
                self.fetching_to_end = False
                self._follow_end()
                self.post_message(self.WalkEnded(self, cancelled=cancelled))

    def _follow_end(self) -> None:
        self._cursor = max(0, self.rows.view_rows - 1)
        self._changed()
        self._scroll_to_cursor()

    def _visible(self) -> tuple[int, int]:
        height = self._page_height()
        top = int(self.scroll_y)
        return top, top + height - 1

    def _check_loads(self, *, user: bool = False) -> None:
        """Fetch what the user is about to see: dropped pages around the view and the next page."""
        if self._fetch is None or not self.rows.started or self.paused:
            return
        rows = self.rows
        first, last = self._visible()
        height = last - first + 1
        anchor = rows.global_position(min(self._cursor, max(0, rows.view_rows - 1)))
        if anchor is not None and not self.fetching_to_end:
            rows.anchor = anchor
        if not self.fetching_to_end:
            for page in rows.missing_pages(first - height, last + height):
                if self._refetching >= MAX_REFETCHES:
                    break
                self._refetching += 1
                self.run_worker(partial(self._load_page, rows.request(page)), group="pages")
            margin = max(height, 50)
            if rows.wants_tail(max(last, self._cursor), margin, user=user):
                self.run_worker(
                    partial(self._load_page, rows.request(rows.page_count)), group="pages"
                )

    # ------------------------------------------------------------------ geometry

    def _page_height(self) -> int:
        return max(1, self.size.height - 1)

    def _changed(self, *, repaint: bool = True) -> None:
        size = len(self.rows)
        self._cursor = max(0, min(self._cursor, size - 1))
        virtual = Size(self.size.width, size + 1)
        if virtual != self.virtual_size:
            if virtual.width == self.virtual_size.width:
                # Only the row count changed: no layout pass (one per page would repaint the
                # whole screen); the table draws its own scrollbar.
                self.set_reactive(VirtualTable.virtual_size, virtual)
                self.scroll_y = self.validate_scroll_y(self.scroll_y)
            else:
                self.virtual_size = virtual
        if repaint:
            self.refresh()

    def _grown(self, old_size: int, old_thumb: tuple[int, int]) -> None:
        """Rows were added at the end: repaint only what shows it (the scrollbar's thumb, or
        everything when the old end was in view)."""
        self._changed(repaint=False)
        _, last = self._visible()
        if last >= old_size - 1:
            self.refresh()
            return
        thumb = self._thumb()
        if thumb != old_thumb:
            width = self.size.width
            old = set(range(old_thumb[0], old_thumb[1] + 1))
            for line in old.symmetric_difference(range(thumb[0], thumb[1] + 1)):
                self.refresh(Region(0, line + 1, width, 1))

    def _scroll_to_cursor(self) -> None:
        height = self._page_height()
        top = int(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True, force=True)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, immediate=True, force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self._check_loads()

    def on_resize(self, event: events.Resize) -> None:
        self._layout = None
        self._changed()
        self._check_loads()

    # ------------------------------------------------------------------ keys and mouse

    def action_cursor_up(self) -> None:
        self.move_to(self._cursor - 1)

    def action_cursor_down(self) -> None:
        at_end = self._cursor >= len(self.rows) - 1
        self.move_to(self._cursor + 1, user=at_end or self.rows.is_tail(self._cursor + 1))

    def action_page_up(self) -> None:
        self.move_to(self._cursor - self._page_height())

    def action_page_down(self) -> None:
        self.move_to(self._cursor + self._page_height())

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.rows.view_rows - 1)

    def action_select(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Selected(self, row))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        height = self._page_height()
        if offset.x >= self.size.width - 1:
            # The scrollbar column: jump to that share of the list.
            share = (offset.y - 1) / max(1, height - 1)
            self.move_to(round(share * max(0, len(self.rows) - 1)))
            return
        self.move_to(int(self.scroll_y) + offset.y - 1)
        if event.chain >= 2:
            self.action_select()

    def _wheel(self, rows: int) -> None:
        # overflow-y is hidden (the table draws its own scrollbar), so the wheel scrolls here.
        self.scroll_to(y=self.scroll_y + rows, animate=False, force=True, immediate=True)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._wheel(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._wheel(-3)

    # ------------------------------------------------------------------ drawing

    def _line_styles(self) -> dict[str, Style]:
        """The styles of every kind of line, worked out once per theme, CSS and focus change
        (asking Textual for them per line costs more than drawing the line)."""
        key = (self.has_focus, self.app.theme, self.styles._cache_key)
        if self._line_style_key != key:
            base = self.rich_style
            odd = base + self.get_component_rich_style("virtual-table--odd", partial=True)
            cursor = self.get_component_rich_style("virtual-table--cursor", partial=True)
            mark = self.get_component_rich_style("virtual-table--mark", partial=True)
            placeholder = self.get_component_rich_style("virtual-table--placeholder", partial=True)
            header = self.get_component_rich_style("virtual-table--header", partial=True)
            track = self.get_component_rich_style("virtual-table--scrollbar", partial=True)
            thumb = self.get_component_rich_style("virtual-table--thumb", partial=True)
            self._line_style_cache = {
                "track": base + track,
                "thumb": base + thumb,
                "even": base,
                "odd": odd,
                "even-cursor": base + cursor,
                "odd-cursor": odd + cursor,
                "mark": mark,
                "placeholder": placeholder,
                "header": base + header,
            }
            self._line_style_key = key
        return self._line_style_cache

    def _value_style(self, base: Style, spec: str) -> Style:
        style = self._styles.get(spec)
        if style is None:
            style = self._styles[spec] = Style.parse(spec)
        return base + style

    def set_columns(self, columns: Sequence[Column]) -> None:
        """Show other columns (e.g. titles in another platform's words) over the same rows."""
        self.columns = list(columns)
        self._layout = None
        self.refresh()

    def _columns_for(self, width: int) -> list[tuple[Column, int]]:
        """The columns that fit a line of `width` cells (after the mark and before the scrollbar)."""
        if self._layout is None or self._layout[0] != width:
            self._layout = (width, layout_columns(self.columns, max(0, width - 2)))
        return self._layout[1]

    def visible_columns(self) -> list[Column]:
        """The columns shown at the table's current width."""
        width = self.size.width - 1
        return [column for column, _ in self._columns_for(width)]

    def _thumb(self) -> tuple[int, int]:
        """Lines (below the header) where the scrollbar's thumb starts and ends."""
        height = self._page_height()
        total = max(1, len(self.rows))
        if total <= height:
            return (0, -1)
        size = max(1, round(height * height / total))
        top = round(int(self.scroll_y) / max(1, total - height) * (height - size))
        return (top, top + size - 1)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        styles = self._line_styles()
        if y == 0:
            return self._header(width, styles["header"])
        lo, hi = self._thumb()
        bar = Segment("┃", styles["thumb"]) if lo <= y - 1 <= hi else Segment("│", styles["track"])
        line = self._row_line(y, width - 1, styles)
        return Strip([*line, bar], width)

    def _row_line(self, y: int, width: int, styles: dict[str, Style]) -> list[Segment]:
        position = int(self.scroll_y) + y - 1
        if position >= len(self.rows):
            return [Segment(" " * width, styles["even"])]
        cursor = position == self._cursor
        style = styles[("odd" if position % 2 else "even") + ("-cursor" if cursor else "")]
        row = self.rows.row(position)
        if row is None:
            text = "  " + self._placeholder(position)
            return [Segment(fit(text, width), style + styles["placeholder"])]
        marked = self.rows.is_marked(row)
        if marked:
            style = style + styles["mark"]
        # Plain ASCII cells of one style are joined into one segment: Textual's per-segment work
        # on each line (filters, cropping) costs more than building the text. Other cells keep
        # their own segment, so that a glyph of another width in an SVG font cannot shift the
        # cells after it in a screenshot.
        # The glyph keeps a style of its own (not bold), so that no export merges it with the
        # row's text: in an SVG its width would shift the cells after it.
        segments = [Segment(MARK_GLYPH + " " if marked else "  ", style + _NOT_BOLD)]
        parts: list[str] = []
        used = 2
        for column, cells in self._columns_for(width):
            if used > 2:
                parts.append(" ")
                used += 1
            value = row[column.index] if column.index < len(row) else ""
            text = fit(value, cells, column.justify)
            used += cells
            spec = column.style(value) if column.style is not None else None
            if spec and not cursor and not marked:
                cell_style = self._value_style(style, spec)
            elif not text.isascii():
                cell_style = style
            else:
                parts.append(text)
                continue
            segments.append(Segment("".join(parts), style))
            segments.append(Segment(text, cell_style))
            parts = []
        if used < width:
            parts.append(" " * (width - used))
        if parts:
            segments.append(Segment("".join(parts), style))
        return segments

    def _placeholder(self, position: int) -> str:
        rows = self.rows
        if rows.is_tail(position):
            if rows.tail_pending or self.fetching_to_end:
                return "⋯ loading more…"
            if rows.tail_failed:
                return "✗ the next page failed · ↓ tries again"
            return "⋯ more on the server · ↓ loads more · G loads all"
        if rows.is_page_failed(position):
            return "✗ not loaded · r reloads"
        return "· · · loading"

    def _header(self, width: int, style: Style) -> Strip:
        full = width
        width -= 1  # the scrollbar's column
        segments = [Segment("  ", style + _NOT_BOLD)]  # apart, as in the rows (see _row_line)
        first = True
        for column, cells in self._columns_for(width):
            if not first:
                segments.append(Segment(" ", style))
            first = False
            title = column.title
            if self.rows.sort_index == column.index:
                title += " ▼" if self.rows.sort_reverse else " ▲"
            segments.append(Segment(fit(title, cells, column.justify), style))
        return Strip(segments).adjust_cell_length(full, style)


class PromptBar(Vertical):
    """A one-line prompt under a table (k9s `/`): checks what is typed as the user types.

    Hidden until `open()`; posts `Submitted` on enter when the text is valid (an invalid one
    keeps the prompt open with the reason under it). The screen closes it on esc.
    """

    DEFAULT_CSS = """
    PromptBar { height: auto; display: none; background: $panel; }
    PromptBar.-open { display: block; }
    PromptBar > Horizontal { height: 1; }
    PromptBar #prompt-label { width: auto; padding: 0 1; color: $accent; text-style: bold; }
    PromptBar Input { border: none; height: 1; padding: 0; width: 1fr; background: $boost; }
    PromptBar Input:focus { border: none; }
    PromptBar #prompt-hint { height: 1; padding: 0 1; color: $text-muted; }
    PromptBar.-invalid #prompt-hint { color: $error; text-style: bold; }
    """

    class Submitted(Message):
        def __init__(self, bar: PromptBar, purpose: str, value: str) -> None:
            super().__init__()
            self.bar = bar
            self.purpose = purpose
            self.value = value

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.purpose = ""
        self._hint = ""
        self._validate: Callable[[str], str | None] = lambda _: None

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("/", id="prompt-label")
            yield Input(id="prompt-input", select_on_focus=False)
        yield Static("", id="prompt-hint")

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def open(
        self,
        purpose: str,
        label: str,
        value: str,
        hint: str,
        validate: Callable[[str], str | None],
        placeholder: str = "",
    ) -> None:
        """Show the prompt with `value` typed in; `validate` returns an error message or None."""
        self.purpose = purpose
        self._hint = hint
        self._validate = validate
        self.query_one("#prompt-label", Label).update(label)
        field = self.query_one(Input)
        field.placeholder = placeholder
        field.value = value
        field.cursor_position = len(value)
        self.add_class("-open")
        self._check(value)
        field.focus()

    def close(self) -> None:
        self.remove_class("-open")

    def _check(self, value: str) -> str | None:
        error = self._validate(value) if value else None
        self.set_class(error is not None, "-invalid")
        self.query_one("#prompt-hint", Static).update(plain(error or self._hint, limit=200))
        return error

    @on(Input.Changed, "#prompt-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check(event.value)

    @on(Input.Submitted, "#prompt-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._check(event.value) is None:
            self.post_message(self.Submitted(self, self.purpose, event.value))
