"""The fleet overview: one row per profile with what its platform tells of itself, refreshed in
the background, and a search for a device across every profile at once.

Each profile opens in a daemon thread of its own (a `ProfileOpening`, with the app's resolver
and embedded simulator) and is kept open for the next refresh; a worker per
profile refreshes it every `REFRESH_SECONDS`, or after a capped exponential backoff when it
failed, so a slow or failing platform holds only its own row. A search asks every profile at
once, each in a worker of its own; results stream into the table as each platform answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Input, Static

from tui.api.errors import ApiError
from tui.api.overview import Figures, figures, find_devices, health_text
from tui.api.platform import Platform
from tui.config import DEFAULT_TIMEZONE, ProfileBase
from tui.log import register_scrubber
from tui.screens.base import FleetScreen
from tui.secrets import SecretError
from tui.session import ProfileOpening, UnsupportedPlatform
from tui.widgets.header import SPINNER, FleetHeader
from tui.widgets.safe import one_line, plain

#: seconds between two refreshes of a profile that answered
REFRESH_SECONDS = 60.0
#: the first wait after a failure, doubled after each failure in a row up to `BACKOFF_MAX`
BACKOFF_FIRST = 5.0
BACKOFF_MAX = 300.0
#: how long an error may be in its cell (the line below the table has it in full)
ERROR_CELL = 40
#: below this many columns the table is narrow, so that a row fits 80 columns: one-word
#: platforms, "error" for an error and the commonest connection state with the others' count
#: (the line below the table says the row's error and connections in full)
NARROW_WIDTH = 100

COLUMNS = (
    ("profile", "Profile"),
    ("platform", "Platform"),
    ("devices", "Devices"),
    ("alarms", "Unacked"),
    ("refreshed", "Refreshed"),
    ("state", "State"),
    ("connections", "Connections"),
)
RESULT_COLUMNS = (
    ("profile", "Profile"),
    ("key", "Key"),
    ("name", "Name"),
    ("platform", "Platform"),
)


def backoff(failures: int) -> float:
    """Seconds before the next try after `failures` failures in a row (5, 10, 20 … 300)."""
    return min(BACKOFF_FIRST * 2 ** max(failures - 1, 0), BACKOFF_MAX)


@dataclass
class ProfileRow:
    """One profile on the overview: its opened platform (kept for refreshes) and what it said."""

    profile: ProfileBase
    platform: Platform | None = None
    figures: Figures | None = None
    error: str | None = None
    refreshed_at: float | None = None
    busy: bool = False
    failures: int = 0
    #: set by `r`: the refresh loop stops waiting
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    #: one opening at a time, shared by the refresh loop and searches
    opening: asyncio.Lock = field(default_factory=asyncio.Lock)


class OverviewScreen(FleetScreen[None]):
    """Every profile side by side; `enter` opens one, `/` finds a device in all of them."""

    VIEW = "overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open", "Open", id="overview.open"),
        Binding("r", "refresh", "Refresh", id="overview.refresh"),
        Binding("slash,s", "search", "Search", id="overview.search"),
        Binding("escape", "close_search", "Close search", show=False, id="overview.close"),
    ]

    DEFAULT_CSS = """
    OverviewScreen #overview-table { height: auto; max-height: 60%; }
    OverviewScreen #overview-status { height: auto; padding: 0 1; color: $text-muted; }
    OverviewScreen #search-input { display: none; }
    OverviewScreen #search-status { height: auto; padding: 0 1; display: none; }
    OverviewScreen #search-results { height: 1fr; display: none; }
    OverviewScreen.-searched #search-status { display: block; }
    OverviewScreen.-searched #search-results { display: block; }
    OverviewScreen.-prompt #search-input { display: block; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, ProfileRow] = {}
        self._frame = 0
        self._spinner: Timer | None = None
        #: the search asked last; an older search's late answers are dropped
        self._search = 0
        self._query = ""
        #: profile → its search state: None while it looks, else how many it found or its error
        self._answers: dict[str, int | str | None] = {}
        #: the table's layout: narrow below `NARROW_WIDTH` columns
        self._narrow = False

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield DataTable(id="overview-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="overview-status")
        yield Input(placeholder="DevEUI, name, IMEI, ICCID, node id, device id…", id="search-input")
        yield Static(id="search-status")
        yield DataTable(id="search-results", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self._narrow = self.app.size.width < NARROW_WIDTH
        results = self.query_one("#search-results", DataTable)
        for key, title in RESULT_COLUMNS:
            results.add_column(title, key=key)
        for name in sorted(self.fleet.config.profiles):
            self.rows[name] = ProfileRow(self.fleet.config.profiles[name])
        self._fill_table()
        for name, row in self.rows.items():
            self.run_worker(self._follow(row), group="overview", name=f"overview-{name}")
        self._spinner = self.set_interval(0.1, self._spin, pause=True)
        self._show_status()

    def _fill_table(self) -> None:
        """The profiles' rows, built afresh (column widths only ever grow on their own)."""
        table = self.query_one("#overview-table", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, title in COLUMNS:
            table.add_column(title, key=key)
        for name, row in self.rows.items():
            table.add_row(*self._cells(row), key=name)
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1), animate=False)

    def on_resize(self) -> None:
        narrow = self.app.size.width < NARROW_WIDTH
        if narrow != self._narrow:
            self._narrow = narrow
            self._fill_table()

    async def on_unmount(self) -> None:
        """The platforms opened here close with the screen (the app's exit closes it)."""
        for row in self.rows.values():
            if row.platform is not None:
                platform, row.platform = row.platform, None
                with contextlib.suppress(Exception):
                    await platform.aclose()

    # ------------------------------------------------------------------ refreshing

    async def _follow(self, row: ProfileRow) -> None:
        """Refresh one profile now and then for as long as the screen lives."""
        while True:
            await self._refresh(row)
            wait = backoff(row.failures) if row.error else REFRESH_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(row.wake.wait(), wait)
            row.wake.clear()

    async def _refresh(self, row: ProfileRow) -> None:
        self._set_busy(row, True)
        try:
            platform = await self._platform(row)
            row.figures = await figures(platform)
        except (ApiError, SecretError, UnsupportedPlatform, ValueError) as exc:
            row.failures += 1
            row.error = exc.summary if isinstance(exc, ApiError) else str(exc)
        except Exception as exc:  # a fault of fleet's own: logged, and the row says so
            row.failures += 1
            row.error = self.fleet.internal_error(exc)
        else:
            row.failures = 0
            row.error = None
            row.refreshed_at = self.fleet.clock()
        finally:
            self._set_busy(row, False)

    async def _platform(self, row: ProfileRow) -> Platform:
        """The row's platform, opened on first use in a daemon thread (a keyring may hang up to
        its time-box, a secret_command up to its timeout: quitting never waits for them)."""
        async with row.opening:
            if row.platform is None:
                opening = ProfileOpening(row.profile, self.fleet.resolver, self.fleet.simulator)
                _, row.platform = await opening.start().opened()
                register_scrubber(row.platform.scrub)  # nothing of its secrets in the log
            return row.platform

    def _set_busy(self, row: ProfileRow, busy: bool) -> None:
        row.busy = busy
        self._update_spinner()
        self._update_row(row)

    def _update_spinner(self) -> None:
        """The spinners turn while a row refreshes or a platform looks (with animations off, as
        in tests, they stand still)."""
        spinning = any(r.busy for r in self.rows.values()) or None in self._answers.values()
        if self._spinner is not None:
            if spinning and self.app.animation_level != "none":
                self._spinner.resume()
            else:
                self._spinner.pause()

    def _spin(self) -> None:
        self._frame = (self._frame + 1) % len(SPINNER)
        for row in self.rows.values():
            if row.busy:
                self._update_row(row)
        if None in self._answers.values():
            self._show_search_status()

    def _update_row(self, row: ProfileRow) -> None:
        table = self.query_one("#overview-table", DataTable)
        for (column, _), value in zip(COLUMNS, self._cells(row), strict=True):
            table.update_cell(row.profile.name, column, value, update_width=True)
        self._show_status()

    def _cells(self, row: ProfileRow) -> list[Text]:
        profile, known = row.profile, row.figures
        when = "—"
        if row.refreshed_at is not None:
            zone = ZoneInfo(getattr(profile, "timezone", None) or DEFAULT_TIMEZONE)
            when = datetime.fromtimestamp(row.refreshed_at, zone).strftime("%H:%M:%S")
        if row.busy:
            state = Text(SPINNER[self._frame] + ("" if self._narrow else " refreshing"), "dim")
        elif row.error:
            state = (
                Text("error", "red") if self._narrow else plain(row.error, "red", limit=ERROR_CELL)
            )
        else:
            state = Text("ok", style="green")
        return [
            plain(profile.name, "bold"),
            plain(self._platform_label(profile)),
            Text(_figure(known.devices if known else None, known), justify="right"),
            Text(_figure(known.unacknowledged if known else None, known), justify="right"),
            Text(when),
            state,
            plain(health_text(known.connections, short=self._narrow) if known else ""),
        ]

    def _platform_label(self, profile: ProfileBase) -> str:
        if self._narrow and profile.PLATFORM_SHORT:
            return profile.PLATFORM_SHORT
        return profile.PLATFORM_LABEL or profile.platform

    def _cursor_row(self) -> ProfileRow | None:
        table = self.query_one("#overview-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.rows.get(key or "")

    def _show_status(self) -> None:
        row = self._cursor_row()
        if row is None:
            text = "No profiles."
        elif row.error:
            text = f"{row.profile.name}: {row.error}"
        else:
            text = (
                f"{row.profile.name}: enter opens its devices · / finds a device in every profile"
            )
            if row.figures is not None and row.figures.connections:
                text = f"{row.profile.name}: connections {health_text(row.figures.connections)} · "
                text += "enter opens its devices"
        self.query_one("#overview-status", Static).update(plain(text, limit=400))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "overview-table":
            self._show_status()

    # ------------------------------------------------------------------ actions

    def action_refresh(self) -> None:
        for row in self.rows.values():
            row.wake.set()

    def action_open(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable) and focused.id == "search-results":
            self._open_result(focused)
            return
        row = self._cursor_row()
        if row is not None:
            self.fleet.open_profile(row.profile.name)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.data_table.id == "search-results":
            self._open_result(event.data_table)
        else:
            self.action_open()

    def _open_result(self, results: DataTable[Any]) -> None:
        if results.row_count == 0:
            return
        key = results.coordinate_to_cell_key(results.cursor_coordinate).row_key.value
        profile, _, device = (key or "").partition("\0")
        if device:  # (a row of a platform still looking, or failing, opens nothing)
            self.fleet.open_profile(profile, device)

    # ------------------------------------------------------------------ search

    def action_search(self) -> None:
        self.add_class("-prompt")
        search = self.query_one("#search-input", Input)
        search.value = self._query
        search.focus()

    def action_close_search(self) -> None:
        if self.has_class("-prompt"):
            self.remove_class("-prompt")
        else:
            self._search += 1
            self._answers.clear()
            self.remove_class("-searched")
            self.query_one("#search-results", DataTable).clear()
        self.query_one("#overview-table", DataTable).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        self.remove_class("-prompt")
        if not text:
            self.action_close_search()
            return
        self.search(text)

    def search(self, text: str) -> None:
        """Ask every profile at once; each answers into the table on its own."""
        self._search += 1
        self._query = text
        self.workers.cancel_group(self, "search")
        results = self.query_one("#search-results", DataTable)
        results.clear()
        self._answers = dict.fromkeys(self.rows)
        for name, row in self.rows.items():
            results.add_row(*self._looking_cells(row), key=f"{name}\0")
            self.run_worker(
                self._search_one(self._search, row, text), group="search", name=f"search-{name}"
            )
        self.add_class("-searched")
        results.focus()
        self._set_busy_search()

    async def _search_one(self, search: int, row: ProfileRow, text: str) -> None:
        answer: int | str
        try:
            platform = await self._platform(row)
            found = await find_devices(platform, text)
        except (ApiError, SecretError, UnsupportedPlatform, ValueError) as exc:
            answer = exc.summary if isinstance(exc, ApiError) else str(exc)
            found = []
        except Exception as exc:
            answer = self.fleet.internal_error(exc)
            found = []
        else:
            answer = len(found)
        if search != self._search:
            return  # another search was asked meanwhile
        name = row.profile.name
        self._answers[name] = answer
        results = self.query_one("#search-results", DataTable)
        if isinstance(answer, str):
            results.update_cell(
                f"{name}\0", "name", plain(answer, "red", limit=ERROR_CELL), update_width=True
            )
            results.update_cell(f"{name}\0", "key", Text("error", style="red"))
        else:
            results.remove_row(f"{name}\0")
        for device in found:
            key = f"{name}\0{device.key}"
            if key not in results.rows:
                results.add_row(
                    plain(name),
                    plain(device.key),
                    plain(device.name),
                    plain(self._platform_label(row.profile)),
                    key=key,
                )
        self._set_busy_search()

    def _looking_cells(self, row: ProfileRow) -> list[Text]:
        return [
            plain(row.profile.name),
            Text("looking…", style="dim"),
            Text(""),
            plain(self._platform_label(row.profile)),
        ]

    def _set_busy_search(self) -> None:
        self._update_spinner()
        self._show_search_status()

    def _show_search_status(self) -> None:
        waiting = [n for n, a in self._answers.items() if a is None]
        failed = [n for n, a in self._answers.items() if isinstance(a, str)]
        found = sum(a for a in self._answers.values() if isinstance(a, int))
        text = Text(f"{one_line(self._query, 60)!r}: ")
        text.append(f"{found:,} found", style="bold")
        answered = len(self._answers) - len(waiting)
        text.append(f" · {answered} of {len(self._answers)} answered")
        if waiting:
            text.append(f" · {SPINNER[self._frame]} {len(waiting)} still looking", style="dim")
        if failed:
            text.append(f" · {len(failed)} failed", style="red")
        text.append(" · esc closes", style="dim")
        self.query_one("#search-status", Static).update(text)


def _figure(count: object, known: Figures | None) -> str:
    """A figure; blank until the platform first answered, "—" when it cannot tell."""
    if known is None:
        return ""
    return "—" if count is None else str(count)
