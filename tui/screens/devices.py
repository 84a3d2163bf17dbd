"""The device list: a million devices, fetched page by page as the user scrolls, with marks.

Also the base of every cursor-paged list view (`PagedListScreen`: filter, sort, top/bottom,
reload, status line) and the messages other screens send when they create or delete a device:

    from tui.screens.devices import DeviceDeleted
    self.fleet.broadcast(lambda: DeviceDeleted(key))

or, for the current view only, `for s in self.app.screen_stack: s.post_message(DeviceDeleted(key))`.

`FleetApp.broadcast` posts to every screen of every view (the device list may sit in another view's
stack than the screen that deleted the device); posting to `self.app.screen_stack` works for
the current view only.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from tui.api.bulk import Action, Target, TargetState, plan
from tui.api.errors import ApiError
from tui.api.forms import FormSpec
from tui.api.models import Created, DeviceSummary, TagsChange
from tui.api.paging import Page, walk
from tui.api.platform import (
    DeviceCommands,
    DeviceCreation,
    DeviceDirectory,
    DeviceEditing,
    DeviceTags,
    Gateway,
    Provisioning,
)
from tui.config import DEFAULT_TIMEZONE
from tui.screens.base import FleetScreen
from tui.widgets.header import FleetHeader
from tui.widgets.paged_rows import FilterJob, RowFilter
from tui.widgets.safe import one_line, plain, visible
from tui.widgets.state import LoadState
from tui.widgets.virtual_table import Column, Fetch, PromptBar, Row, VirtualTable

if TYPE_CHECKING:
    from tui.screens.bulk import RunEnded
    from tui.screens.bulk_plan import MenuEntry

# What only bulk actions, forms and files need (the bulk menu, plans, forms, CSV, the actions)
# is imported when first used: the first screen shows a page of devices sooner without it.

__all__ = [
    "DEVICE_COLUMNS",
    "DeviceCreated",
    "DeviceDeleted",
    "DevicesScreen",
    "PagedListScreen",
    "device_row",
    "format_time",
]


#: the form of the tags a bulk run puts on each device
TAGS_FORM = FormSpec("tags", "tags", TagsChange, key="t", submit="Plan")


class DeviceDeleted(Message):
    """A device was deleted (e.g. from its detail screen): lists drop its row and its mark."""

    bubble = False

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


class DeviceCreated(Message):
    """A device was created: the device list shows it with the cursor on it."""

    bubble = False

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key


# ---------------------------------------------------------------- formatting


def format_time(when: datetime | None, zone: ZoneInfo) -> str:
    """An absolute time in the profile's time zone (stable in snapshots, sortable as text)."""
    if when is None:
        return "—"
    local = when.astimezone(zone)  # (as strftime's "%Y-%m-%d %H:%M", in a third less time)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def _intern(value: str | None) -> str:
    # Connectivity, model, connection and health repeat across a fleet: one copy each.
    return sys.intern(value) if value else "—"


def device_row(device: DeviceSummary, zone: ZoneInfo) -> Row:
    """The compact row of one device: key, name, DevEUI, connectivity, activation, model,
    connection, health, last activity."""
    eui = device.eui or device.key
    return (
        device.key,
        device.name,
        eui,
        _intern(device.connectivity),
        _intern(device.activation),
        _intern(device.model),
        _intern(device.connection),
        _intern(device.health),
        format_time(device.last_activity, zone),
    )


def _health_style(value: str) -> str | None:
    return {
        "ACTIVE": "green",
        "ONLINE": "green",
        "INACTIVE": "yellow",
        "OFFLINE": "yellow",
        "ERROR": "bold red",
        "ABNORMAL": "bold red",
        "FROZEN": "dim",
    }.get(value)


DEVICE_COLUMNS = [
    Column("Name", 1, 18, 28, priority=0),
    Column("DevEUI", 2, 16, 16, priority=1),
    Column("Radio", 3, 8, 8, priority=4),
    Column("Activation", 4, 10, 10, priority=6),
    Column("Model", 5, 14, 22, priority=5),
    Column("Connection", 6, 14, 26, priority=7),
    Column("Health", 7, 8, 8, priority=3, style=_health_style),
    Column("Last activity", 8, 16, 16, priority=2),
]


#: the DeviceSummary field each device column shows (a platform may title it in its own words)
_DEVICE_FIELDS = {
    1: "name",
    2: "eui",
    3: "connectivity",
    4: "activation",
    5: "model",
    6: "connection",
    7: "health",
    8: "last_activity",
}


def device_columns(labels: dict[str, str | None]) -> list[Column]:
    """The device columns, titled with the platform's own words where it has them; a field the
    platform's list never fills (labelled None) has no column."""
    columns = []
    for column in DEVICE_COLUMNS:
        field = _DEVICE_FIELDS[column.index]
        title = labels.get(field, column.title)
        if title is not None:
            columns.append(replace(column, title=title))
    return columns


# ---------------------------------------------------------------- the shared list screen


class PagedListScreen(FleetScreen[None]):
    """A view of one cursor-paged list: the table, a `/` prompt, a status line, the states.

    Keys: `/` filters the loaded rows (a regular expression, `!` inverts), `esc` cancels a
    fetch or clears the filter, `g`/`G` top/bottom (`G` fetches every page, with progress),
    `s` sorts the loaded rows by the next column, `S` reverses the sort, `r` reloads.
    A subclass sets NOUN and COLUMNS and implements `make_fetch()`.
    """

    #: what a row is, plural and singular ("devices", "device")
    NOUN: ClassVar[str] = "rows"
    NOUN_ONE: ClassVar[str] = "row"
    COLUMNS: ClassVar[list[Column]] = []

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="list.filter"),
        Binding("escape", "escape", "Clear / cancel", show=False, id="list.escape"),
        Binding("g", "top", "Top", show=False, id="list.top"),
        Binding("G", "bottom", "Bottom", id="list.bottom"),
        Binding("s", "sort", "Sort by next column", show=False, id="list.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="list.reverse_sort"),
        Binding("r", "reload", "Reload", id="list.reload"),
        Binding("space", "mark", "Mark", id="list.mark"),
        Binding("ctrl+space,ctrl+@", "mark_range", "Mark range", show=False, id="list.mark_range"),
        Binding("A", "mark_all", "Mark all shown", show=False, id="list.mark_all"),
        Binding("V", "invert_marks", "Invert marks", show=False, id="list.invert_marks"),
        Binding("U", "clear_marks", "Unmark all", show=False, id="list.clear_marks"),
        Binding("b", "bulk", "Bulk", id="list.bulk"),
    ]

    #: whether the list has marks (and so bulk actions on them)
    MARKS: ClassVar[bool] = True
    #: the bulk actions (their id before ":") whose runs change this list's rows: when one of
    #: this profile's ends, deleted rows go and other changes reload the list
    RUN_ACTIONS: ClassVar[frozenset[str]] = frozenset()

    DEFAULT_CSS = """
    PagedListScreen .list-status {
        height: 1; padding: 0 1; background: $panel; color: $text-muted;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._session_seen = -1
        self._server_query: str | None = None
        self._walk_note = ""
        #: the filter being applied, while its worker runs
        self._filter_job: FilterJob | None = None
        #: what to do with a file path typed at the prompt, by the prompt's purpose
        self._path_asked: dict[str, Callable[[str], None]] = {}

    # ------------------------------------------------------------------ parts

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield from self.compose_top()
        yield LoadState(
            VirtualTable(self.COLUMNS, busy=self.busy, id="list-table"), id="list-state"
        )
        yield PromptBar(id="list-prompt")
        yield Static("", id="list-status", classes="list-status")
        yield Footer()

    def compose_top(self) -> ComposeResult:
        """What a list shows above its rows (nothing by default)."""
        yield from ()

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#list-table", VirtualTable)

    @property
    def state(self) -> LoadState:
        return self.query_one("#list-state", LoadState)

    @property
    def prompt(self) -> PromptBar:
        return self.query_one("#list-prompt", PromptBar)

    def on_mount(self) -> None:
        super().on_mount()
        self.state.loading(f"Loading {self.NOUN}…")
        self.update_status()

    @property
    def zone(self) -> ZoneInfo:
        profile = self.fleet.profile
        return ZoneInfo(profile.timezone if profile is not None else DEFAULT_TIMEZONE)

    # ------------------------------------------------------------------ loading

    def make_fetch(self) -> Fetch | str:
        """The fetch of the list's pages, or why this platform cannot list them."""
        raise NotImplementedError

    def on_session(self) -> None:
        if self._session_seen != self.fleet.session:
            # Another profile: its keys mean other devices, so marks go.
            self._session_seen = self.fleet.session
            self.table.rows.clear_marks()
        self.reload()

    def reload(self) -> None:
        """Fetch the list again from its first page (marks, filter and sort stay)."""
        app = self.fleet
        table = self.table
        table.cancel_fetches()
        if app.open_error:
            self.state.error(app.open_error, "r tries again · : profiles switches profile")
            self.update_status()
            return
        if app.platform is None:
            self.state.loading(f"Opening {app.profile_name}…")
            return
        fetch = self.make_fetch()
        if isinstance(fetch, str):
            self.state.error(fetch, ": profiles switches profile")
            self.update_status()
            return
        self.state.loading(f"Loading {self.NOUN}…")
        table.load(fetch, source=app.platform.name)
        self.update_status()

    def loaded_first(self) -> None:
        """The first page is in: show the table, or the empty state."""
        rows = self.table.rows
        if rows.complete and rows.known == 0:
            self.state.empty(*self.empty_text())
        else:
            self.state.ready()
            self.table.focus()

    def empty_text(self) -> tuple[str, str]:
        return (f"No {self.NOUN}", "r reloads")

    @on(VirtualTable.Loaded)
    def _loaded(self, event: VirtualTable.Loaded) -> None:
        event.stop()
        if event.first or self.state.state != "ready":
            self.loaded_first()
        self.update_status()

    @on(VirtualTable.LoadFailed)
    def _failed(self, event: VirtualTable.LoadFailed) -> None:
        event.stop()
        message = self.report(event.error, f"Loading {self.NOUN}")
        if event.first:
            self.state.error(message, "r tries again")
        self.update_status()

    @on(VirtualTable.WalkEnded)
    def _walk_ended(self, event: VirtualTable.WalkEnded) -> None:
        event.stop()
        rows = self.table.rows
        if rows.mark_arrivals:
            rows.mark_arrivals = False
            self.table.refresh()
            stopped = " (the fetch was stopped: the rest is not marked)" if event.cancelled else ""
            self.notify(f"{len(rows.marked):,} {self.NOUN} marked{stopped}", title="Marks")
        self._walk_note = "fetch stopped" if event.cancelled else ""
        self.update_status()

    # ------------------------------------------------------------------ marks

    @property
    def marked(self) -> set[str]:
        """Keys of the marked rows (kept across paging, eviction, filtering and reloads)."""
        return self.table.rows.marked

    def _marks_changed(self) -> None:
        self.table.refresh()
        self.update_status()

    def action_mark(self) -> None:
        if self.table.rows.toggle_mark(self.table.cursor) is not None:
            self._marks_changed()

    def action_mark_range(self) -> None:
        self.table.rows.mark_range(self.table.cursor)
        self._marks_changed()

    def action_mark_all(self) -> None:
        """Mark every row the filter shows, fetching the rest of the list first (with
        progress; `esc` stops it, and what was fetched so far stays marked)."""
        table = self.table
        rows = table.rows
        rows.mark_view()
        if rows.started and not rows.complete and rows.sort_index is None:
            rows.mark_arrivals = True
            self._walk_note = ""
            table.fetch_to_end()
        else:
            self.notify(f"{len(rows.marked):,} {self.NOUN} marked", title="Marks")
        self._marks_changed()

    def action_invert_marks(self) -> None:
        self.table.rows.invert_marks()
        self._marks_changed()

    def action_clear_marks(self) -> None:
        self.table.rows.clear_marks()
        self._marks_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _MARK_ACTIONS and not self.MARKS:
            return False
        return super().check_action(action, parameters)

    # ------------------------------------------------------------------ bulk actions

    def target_of(self, row: Row) -> Target:
        """What a bulk action acts on for one row (its key, its name, what the plan checks)."""
        return Target(row[0], row[1] if len(row) > 1 else row[0])

    def bulk_entries(self) -> list[MenuEntry]:
        """What `b` offers for the marks (or the cursor row); a subclass lists its actions."""
        return []

    def chosen_targets(self) -> tuple[list[Target], int]:
        """The marked rows (or the cursor row when nothing is marked) as targets, and how many
        of the marks the current filter hides."""
        rows = self.table.rows
        if not rows.marked:
            row = self.table.cursor_row
            return ([self.target_of(row)] if row is not None else []), 0
        targets = []
        for key in sorted(rows.marked):
            row = rows.marked_row(key)
            targets.append(self.target_of(row) if row is not None else Target(key, key))
        return targets, rows.hidden_marks()

    def action_bulk(self) -> None:
        from tui.screens.bulk_plan import ActionMenu

        entries = self.bulk_entries()
        targets, _ = self.chosen_targets()
        if not entries:
            self.notify("Nothing to do in bulk here", severity="warning")
            return
        marks = len(self.table.rows.marked)
        what = f"{marks:,} marked {self.NOUN}" if marks else "the row under the cursor"
        if not targets and not marks:
            what = "no row"

        def chosen(entry: MenuEntry | None) -> None:
            if entry is not None:
                entry.choose()

        self.app.push_screen(ActionMenu("Bulk", f"On {what}:", entries), chosen)

    def plan_run(self, action: Action, targets: list[Target] | None = None) -> None:
        """Show the plan of `action` on `targets` (default: the marks or the cursor row) and
        start the run once the user confirms it."""
        from tui.screens.bulk_plan import PlanScreen

        hidden = 0
        from_marks = targets is None and bool(self.marked)
        if targets is None:
            targets, hidden = self.chosen_targets()
        made = plan(action, targets, hidden_by_filter=hidden)
        where = f"{self.fleet.profile_name} ({getattr(self.platform, 'title', '')})"

        def confirmed(when: str | None) -> None:
            if when:
                self.fleet.start_run(made, run=when == "run")
                if from_marks:  # the run has them now (the journal keeps them)
                    self.table.rows.clear_marks()
                    self._marks_changed()

        self.app.push_screen(PlanScreen(made, where, self.NOUN), confirmed)

    def ask_values(self, spec: FormSpec, title: str, then: Callable[[Any], None]) -> None:
        """The form of `spec`, to fill with values common to every target; nothing is sent."""
        from tui.widgets.form import ModelForm

        async def keep(values: Any) -> Any:
            return values

        form = ModelForm(spec, keep, title=title, mutates=False)

        def done(values: Any) -> None:
            if values is not None:
                then(values)

        self.app.push_screen(form, done)

    def ask_path(self, purpose: str, hint: str, then: Callable[[str], None]) -> None:
        self._path_asked[purpose] = then
        self.prompt.open(purpose, "file", "", hint, _path_error, placeholder="e.g. ./devices.csv")

    def plan_from_file(
        self, path: str, model: type[BaseModel], make: Callable[[], Action], *, key: bool
    ) -> None:
        self._read_rows(path, model, make, key)

    @work(group="bulk-rows")
    async def _read_rows(
        self, path: str, model: type[BaseModel], make: Callable[[], Action], key: bool
    ) -> None:
        from tui.api.table_files import read_rows

        rows = await asyncio.to_thread(read_rows, Path(path).expanduser(), model, key=key)
        if rows.errors:
            errors = "\n".join(str(e) for e in rows.errors)
            count = len(rows.errors)
            self.notify(
                f"{count} problem{'s' if count != 1 else ''}, nothing was planned:\n{errors}",
                title=f"{path}",
                severity="error",
                timeout=15,
            )
            return
        self.plan_run(make(), list(rows.targets))

    def export_rows(self, only: set[str] | None) -> AsyncIterator[dict[str, Any]] | None:
        """Every row of the list as a dictionary (only the keys in `only` when given), for an
        export; None when this list has nothing to export."""
        return None

    def ask_export(self, fmt: Literal["csv", "jsonl"], marked_only: bool) -> None:
        profile = self.fleet.profile_name
        default = f"{self.NOUN}-{profile}.{fmt}"
        self._path_asked["export"] = lambda path: self._export(path or default, fmt, marked_only)
        self.prompt.open(
            "export",
            "file",
            default,
            f"write {'the marked rows' if marked_only else 'the whole list'} as {fmt.upper()} · enter writes · esc cancels",
            _path_error,
        )

    @work(group="export", exclusive=True)
    async def _export(self, path: str, fmt: Literal["csv", "jsonl"], marked_only: bool) -> None:
        from tui.api.table_files import write_rows

        only = set(self.table.rows.marked) if marked_only else None
        source = self.export_rows(only)
        if source is None:
            return
        self._walk_note = "exporting…"
        self.update_status()

        def progress(count: int) -> None:
            self._walk_note = f"exporting: {count:,} written · esc cancels"
            self.update_status()

        target = Path(path).expanduser()
        try:
            async with self.busy():
                count = await write_rows(target, source, fmt, progress=progress)
        except ApiError as exc:
            self.report(exc, "Export")
            return
        except OSError as exc:
            self.notify(f"{target}: {exc.strerror or exc}", title="Export", severity="error")
            return
        finally:
            self._walk_note = ""
            self.update_status()
        self.notify(f"{count:,} {self.NOUN} written to {target}", title="Export")

    def on_run_ended(self, message: RunEnded) -> None:
        message.stop()
        info = message.info
        if info.profile != self.fleet.profile_name or not info.count(TargetState.DONE):
            return
        if info.action_id.partition(":")[0] not in self.RUN_ACTIONS:
            return
        if info.action_id == "delete":
            rows = self.table.rows
            for key in message.done:
                rows.remove(key)
            self.table.changed()
            if rows.started and rows.complete and rows.known == 0:
                self.state.empty(*self.empty_text())
            self.update_status()
        else:
            self.reload()

    # ------------------------------------------------------------------ status

    def status_parts(self) -> list[tuple[str, str]]:
        """(text, style) pieces of the status line; subclasses add theirs."""
        table = self.table
        rows = table.rows
        parts: list[tuple[str, str]] = []
        if not rows.started:
            return parts
        total = rows.total
        if table.fetching_to_end:
            of = f" / {total:,}" if total is not None else ""
            parts.append((f"fetching {rows.known:,}{of} · esc cancels", "bold"))
        else:
            if total is not None:
                noun = self.NOUN_ONE if total == 1 else self.NOUN
                parts.append((f"{total:,} {noun}", "bold"))
            parts.append((f"{rows.known:,} loaded", ""))
            if rows.evicted_once:
                parts.append((f"{rows.loaded_rows:,} in memory", "dim"))
        if rows.marked:
            hidden = rows.hidden_marks()
            shown = f"{len(rows.marked):,} marked"
            if hidden:
                shown += f" ({hidden:,} hidden by the filter)"
            parts.append((shown, "bold yellow"))
        job = self._filter_job
        if job is not None:
            parts.append(
                (
                    f"filtering /{job.row_filter.text}: {job.done:,} / {job.total:,} · esc cancels",
                    "bold",
                )
            )
        elif rows.row_filter is not None:
            parts.append((f"/{rows.row_filter.text} → {rows.view_rows:,}", "cyan"))
        if rows.sort_index is not None:
            title = next((c.title for c in self.COLUMNS if c.index == rows.sort_index), "?")
            arrow = "▼" if rows.sort_reverse else "▲"
            parts.append((f"sorted by {title} {arrow} (loaded rows)", "cyan"))
        if self._walk_note and not table.fetching_to_end:
            parts.append((self._walk_note, "dim"))
        return parts

    def update_status(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        for n, (part, style) in enumerate(self.status_parts()):
            if n:
                text.append(" · ", style="dim")
            text.append(one_line(part, 120), style=style)  # a filter or a key the user typed
        # One line of fixed height: no layout pass (it would repaint the whole screen per page).
        self.query_one("#list-status", Static).update(text, layout=False)

    # ------------------------------------------------------------------ actions

    def action_reload(self) -> None:
        if self.fleet.open_error:
            self.fleet.switch_profile(self.fleet.profile_name)
            return
        self._walk_note = ""
        self.reload()

    def action_top(self) -> None:
        self.table.move_to(0)

    def action_bottom(self) -> None:
        self._walk_note = ""
        self.table.fetch_to_end()
        self.update_status()

    def action_filter(self) -> None:
        rows = self.table.rows
        current = rows.row_filter.text if rows.row_filter is not None else ""
        hint = "regex over the loaded rows · ! inverts"
        lookup = self.server_lookup()
        if lookup:
            hint += f" · ={lookup} asks the server"
        self.prompt.open(
            "filter",
            "/",
            current,
            f"{hint} · enter applies · esc cancels",
            self._filter_error,
            placeholder="e.g. Lyon|Paris   !INACTIVE",
        )

    def server_lookup(self) -> str | None:
        """What the platform can look up on the server, exactly (`/=…`); None: nothing."""
        return None

    def _filter_error(self, text: str) -> str | None:
        if text.startswith("=") and self.server_lookup():
            return None if text[1:].strip() else f"type the exact {self.server_lookup()}"
        return _regex_error(text)

    def action_escape(self) -> None:
        if self.prompt.is_open:
            self.prompt.close()
            self.table.focus()
        elif self._filter_job is not None:
            self.workers.cancel_group(self, "filter")
        elif self.table.cancel_first():
            self.state.error(f"Loading {self.NOUN} cancelled", "r tries again")
            self.update_status()
        elif self.table.cancel_walk():
            pass
        elif self.table.rows.row_filter is not None:
            self.apply_filter("")
        elif not self.escape_more():
            self.fleet.action_back()

    def escape_more(self) -> bool:
        """A subclass's own thing to clear on esc; True if there was one."""
        return False

    @on(PromptBar.Submitted)
    def _prompt_submitted(self, event: PromptBar.Submitted) -> None:
        event.stop()
        self.prompt.close()
        self.table.focus()
        self.prompt_submitted(event.purpose, event.value.strip())

    def prompt_submitted(self, purpose: str, value: str) -> None:
        if purpose == "filter":
            self.apply_filter(value)
        elif purpose in self._path_asked:
            self._path_asked.pop(purpose)(value)

    def apply_filter(self, text: str) -> None:
        """Filter the loaded rows by a regular expression ("" clears it).

        The rows are matched a slice at a time in a worker (the keys keep working; `esc`
        cancels and keeps the previous filter), with paging paused meanwhile. A pattern that
        backtracks catastrophically is stopped by the matcher's time limit and refused.
        """
        rows = self.table.rows
        self.workers.cancel_group(self, "filter")
        if text.startswith("=") and self.server_lookup():
            self.lookup_on_server(text[1:].strip())
            return
        if not text:
            rows.clear_filter()
            self._filter_applied()
            return
        try:
            job = rows.filter_job(text)
        except ValueError as exc:  # checked at the prompt already; never a crash
            self.notify(str(exc), severity="error")
            return
        self._run_filter(job)

    @work(exclusive=True, group="filter")
    async def _run_filter(self, job: FilterJob) -> None:
        rows = self.table.rows
        self._filter_job = job
        self.table.paused = True
        try:
            while True:
                while not job.step():
                    self.update_status()
                    await asyncio.sleep(0)  # keys and repaints in between slices
                if job.row_filter.too_slow:
                    self.notify(
                        f"/{job.row_filter.text} takes too long to match (it backtracks "
                        "without end): simplify the expression",
                        title="Filter",
                        severity="error",
                    )
                    return
                if rows.finish_filter(job):
                    break
                job = rows.filter_job(job.row_filter.text)  # a page arrived meanwhile
                self._filter_job = job
        finally:
            self._filter_job = None
            self.table.paused = False
            self.table.changed()  # paging resumes where the user looks
            self.update_status()
        self._filter_applied()

    def _filter_applied(self) -> None:
        rows = self.table.rows
        self.table.move_to(0)
        self.table.changed()
        self.update_status()
        self.filter_changed(rows.row_filter)

    def filter_changed(self, row_filter: RowFilter | None) -> None:
        """Hook: the filter over the loaded rows changed."""

    def lookup_on_server(self, value: str) -> None:
        """Hook: `/=value` asks the server (see DevicesScreen)."""

    def action_sort(self) -> None:
        rows = self.table.rows
        visible = [c.index for c in self.table.visible_columns()]
        if not visible:
            return
        if rows.sort_index is None:
            nxt: int | None = visible[0]
        elif rows.sort_index in visible and visible.index(rows.sort_index) + 1 < len(visible):
            nxt = visible[visible.index(rows.sort_index) + 1]
        else:
            nxt = None
        self._resort(nxt, rows.sort_reverse if nxt is not None else False)

    def action_reverse_sort(self) -> None:
        rows = self.table.rows
        index = rows.sort_index
        if index is None:
            visible = [c.index for c in self.table.visible_columns()]
            index = visible[0] if visible else None
        self._resort(index, not rows.sort_reverse)

    def _resort(self, index: int | None, reverse: bool) -> None:
        table = self.table
        key = table.cursor_row[0] if table.cursor_row is not None else None
        table.rows.set_sort(index, reverse)
        position = table.rows.find(key) if key is not None else None
        table.changed()
        table.move_to(position or 0, user=False)
        self.update_status()


def _regex_error(text: str) -> str | None:
    try:
        RowFilter(text)
    except ValueError as exc:
        return str(exc)
    return None


# ---------------------------------------------------------------- the device list


class DevicesScreen(PagedListScreen):
    """Every device of the open platform, in the vendor's order, page by page.

    `space` marks the cursor row, `ctrl+space` marks the range from the last mark, `U` clears
    the marks (`marked` holds their keys); `enter` opens the device, `n` creates one.
    """

    VIEW = "devices"
    NOUN = "devices"
    RUN_ACTIONS = frozenset({"delete", "edit", "create", "provision", "deprovision", "tag"})
    NOUN_ONE = "device"
    COLUMNS = DEVICE_COLUMNS
    DANGEROUS = frozenset({"new_device"})

    # The message classes, reachable from the screen too (DevicesScreen.DeviceDeleted).
    DeviceDeleted = DeviceDeleted
    DeviceCreated = DeviceCreated

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_device", "Open", id="devices.open"),
        Binding("n", "new_device", "New", id="devices.new"),
    ]

    DEFAULT_CSS = """
    DevicesScreen #gateway-panel {
        height: auto; max-height: 3; padding: 0 1; background: $boost; display: none;
    }
    DevicesScreen #gateway-panel.-shown { display: block; }
    """

    def compose_top(self) -> ComposeResult:
        # A gateway's identity (EnOS), above its sub-devices: hidden for other platforms.
        yield Static("", id="gateway-panel")

    def reload(self) -> None:
        super().reload()
        # The gateway's identity and sub-device count are read again with its list.
        panel = self.query_one("#gateway-panel", Static)
        platform = self.platform
        panel.set_class(isinstance(platform, Gateway), "-shown")
        if isinstance(platform, Gateway):
            if not panel.render():
                panel.update(Text("Gateway …", style="dim"))
            self._load_gateway(platform)

    @work(exclusive=True, group="gateway")
    async def _load_gateway(self, platform: Gateway) -> None:
        panel = self.query_one("#gateway-panel", Static)
        try:
            async with self.busy():
                detail = await platform.gateway_detail()
        except Exception as exc:  # the vendor's words, or an internal error with its log
            panel.update(plain(f"Gateway: {self.report(exc, 'Reading the gateway')}", "red"))
            return
        text = Text(no_wrap=False)
        text.append("Gateway ", style="bold")
        fields = [f for section in detail.sections for f in section.fields if not f.secret]
        for n, field in enumerate(fields):
            text.append(" · " if n else "", style="dim")
            text.append(f"{visible(field.label)} ", style="dim")
            text.append(visible(field.value))
        panel.update(text)

    def make_fetch(self) -> Fetch | str:
        platform = self.platform
        if not isinstance(platform, DeviceDirectory):
            title = getattr(platform, "title", "This platform")
            return f"{title} has no device list in fleet"
        self.table.set_columns(device_columns(platform.DEVICE_LABELS))
        zone = self.zone
        query = self._server_query

        async def fetch(cursor: str | None) -> tuple[list[Row], str | None, int | None]:
            page = await platform.list_devices(cursor, query=query)
            return [device_row(d, zone) for d in page.items], page.cursor, page.total

        return fetch

    # ------------------------------------------------------------------ bulk

    def target_of(self, row: Row) -> Target:
        connectivity = row[3] if len(row) > 3 and row[3] != "—" else ""
        return Target(row[0], row[1], facts={"connectivity": connectivity})

    def bulk_entries(self) -> list[MenuEntry]:
        from tui.api.actions import DeleteDevices, DeprovisionDevices, ProvisionDevices

        platform = self.platform
        entries = _Entries()
        marks = bool(self.table.rows.marked)
        if not self.fleet.is_readonly:
            if isinstance(platform, DeviceDirectory) and platform.DELETES:
                entries.add("x", "Delete", lambda: self.plan_run(DeleteDevices(platform)))
            if isinstance(platform, DeviceCommands):
                for spec in platform.command_forms():
                    entries.add("s", f"Send a {spec.title}", partial(self._send, platform, spec))
            if isinstance(platform, DeviceEditing):
                for spec in platform.device_edit_forms():
                    entries.add("e", f"Set the {spec.title}", partial(self._edit, platform, spec))
                    entries.add(
                        "E",
                        f"Set the {spec.title} of each device from a CSV file",
                        partial(self._edit_from_file, platform, spec),
                    )
            if isinstance(platform, Provisioning):
                entries.add("p", "Provision", lambda: self.plan_run(ProvisionDevices(platform)))
                entries.add("P", "Deprovision", lambda: self.plan_run(DeprovisionDevices(platform)))
            if isinstance(platform, DeviceTags):
                entries.add("t", "Tag (the same tags on each)", partial(self._tag, platform))
                entries.add(
                    "T", "Tag each device from a CSV file", partial(self._tag_from_file, platform)
                )
            if isinstance(platform, DeviceCreation):
                for spec in platform.device_forms():
                    entries.add(
                        "c",
                        f"Create {spec.title}s from a CSV file",
                        partial(self._create_from_file, platform, spec),
                    )
        if marks:
            entries.add(
                "o", "Export the marked devices (CSV)", lambda: self.ask_export("csv", True)
            )
            entries.add(
                "j",
                "Export the marked devices (JSON Lines)",
                lambda: self.ask_export("jsonl", True),
            )
        entries.add("O", "Export the whole list (CSV)", lambda: self.ask_export("csv", False))
        entries.add(
            "J", "Export the whole list (JSON Lines)", lambda: self.ask_export("jsonl", False)
        )
        return entries.entries

    def _send(self, platform: DeviceCommands, spec: FormSpec) -> None:
        from tui.api.actions import SendCommand

        self.ask_values(
            spec,
            f"Send a {spec.title} to each device",
            lambda values: self.plan_run(
                SendCommand(platform, spec, values.model_dump(mode="json"))
            ),
        )

    def _edit(self, platform: DeviceEditing, spec: FormSpec) -> None:
        from tui.api.actions import EditDevices

        self.ask_values(
            spec,
            f"Set the {spec.title} of each device",
            lambda values: self.plan_run(
                EditDevices(platform, spec, values.model_dump(mode="json"))
            ),
        )

    def _tag(self, platform: DeviceTags) -> None:
        from tui.api.actions import TagDevices

        self.ask_values(
            TAGS_FORM,
            "Tag each device",
            lambda values: self.plan_run(TagDevices(platform, values.model_dump(mode="json"))),
        )

    def _tag_from_file(self, platform: DeviceTags) -> None:
        from tui.api.actions import TagDevices

        self.ask_path(
            "tag",
            "a CSV file with the columns key, tags (tags separated by ;) · enter plans the run "
            "· esc cancels",
            lambda path: self.plan_from_file(
                path, TagsChange, lambda: TagDevices(platform, {}), key=True
            ),
        )

    def _edit_from_file(self, platform: DeviceEditing, spec: FormSpec) -> None:
        from tui.api.actions import EditDevices
        from tui.api.table_files import columns

        names = ", ".join(c.name for c in columns(spec.model, key=True))
        self.ask_path(
            f"edit-{spec.id}",
            f"a CSV file with the columns {names} · enter plans the run · esc cancels",
            lambda path: self.plan_from_file(
                path, spec.model, lambda: EditDevices(platform, spec, {}), key=True
            ),
        )

    def _create_from_file(self, platform: DeviceCreation, spec: FormSpec) -> None:
        from tui.api.actions import CreateDevices
        from tui.api.table_files import columns

        names = ", ".join(c.name if c.required else f"[{c.name}]" for c in columns(spec.model))
        self.ask_path(
            f"create-{spec.id}",
            f"a CSV file with the columns {names} · enter plans the run · esc cancels",
            lambda path: self.plan_from_file(
                path, spec.model, lambda: CreateDevices(platform, spec, {}), key=False
            ),
        )

    def export_rows(self, only: set[str] | None) -> AsyncIterator[dict[str, Any]] | None:
        platform = self.platform
        if not isinstance(platform, DeviceDirectory):
            return None
        query = self._server_query

        async def fetch(cursor: str | None) -> Page[DeviceSummary]:
            return await platform.list_devices(cursor, query=query)

        async def rows() -> AsyncIterator[dict[str, Any]]:
            left = None if only is None else set(only)
            async for page in walk(fetch, platform=platform.name):  # type: ignore[attr-defined]
                for device in page.items:
                    if left is None or device.key in left:
                        yield device.model_dump(mode="json")
                        if left is not None:
                            left.discard(device.key)
                if left is not None and not left:
                    return  # every marked device is written: no need to read further

        return rows()

    def empty_text(self) -> tuple[str, str]:
        if self._server_query:
            return (f"No device matches {self._server_query!r}", "esc clears the filter")
        hint = "r reloads" if self.fleet.is_readonly else "n adds a device · r reloads"
        return ("No devices", hint)

    def server_lookup(self) -> str | None:
        # A regular expression stays on the loaded rows: the server looks up an exact value
        # only (IoTDA's device_name), and only when asked with `/=`.
        platform = self.platform
        return platform.SERVER_LOOKUP if isinstance(platform, DeviceDirectory) else None

    def lookup_on_server(self, value: str) -> None:
        self.table.rows.clear_filter()
        self._server_query = value or None
        self.reload()

    def escape_more(self) -> bool:
        if self._server_query:
            self.lookup_on_server("")
            return True
        return False

    def status_parts(self) -> list[tuple[str, str]]:
        parts = super().status_parts()
        if self._server_query:
            parts.append((f"server: {self.server_lookup()} = {self._server_query!r}", "cyan"))
        return parts

    # ------------------------------------------------------------------ actions

    def action_open_device(self) -> None:
        row = self.table.cursor_row
        if row is not None:
            self.fleet.open_device(row[0])

    @on(VirtualTable.Selected)
    def _selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        self.fleet.open_device(event.row[0])

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        allowed = super().check_action(action, parameters)
        if allowed and action == "new_device" and not isinstance(self.platform, DeviceCreation):
            return None  # shown, greyed out: this platform creates no devices in fleet
        return allowed

    def action_new_device(self) -> None:
        from tui.screens.form_menu import open_form

        platform = self.platform
        if not isinstance(platform, DeviceCreation):
            self.notify("This platform creates no devices in fleet", severity="warning")
            return

        open_form(
            self.app, "New", platform.device_forms(), platform.create_device, self._new_device_done
        )

    def _new_device_done(self, made: str | Created | None) -> None:
        from tui.screens.secret_once import SecretOnceScreen

        if isinstance(made, Created):  # with a secret shown this once (EnOS's deviceSecret)
            self.app.push_screen(SecretOnceScreen(f"Device {made.key} created", made.secrets))
            made = made.key
        if made:
            self.notify(f"Device {made} created", title="New device")
            self.show_device(made)
            if isinstance(self.platform, Gateway):  # its sub-device count changed
                self._load_gateway(self.platform)

    # ------------------------------------------------------------------ changes elsewhere

    def on_device_created(self, message: DeviceCreated) -> None:
        message.stop()
        self.show_device(message.key)

    def on_device_deleted(self, message: DeviceDeleted) -> None:
        message.stop()
        table = self.table
        table.rows.remove(message.key)
        table.changed()
        if table.rows.started and table.rows.complete and table.rows.known == 0:
            self.state.empty(*self.empty_text())
        self.update_status()

    @work(group="devices-new")
    async def show_device(self, key: str) -> None:
        """Put a new device in the loaded rows, in key order, with the cursor on it."""
        table = self.table
        rows = table.rows
        position = rows.find(key)
        if position is None:
            platform = self.platform
            if not isinstance(platform, DeviceDirectory):
                return
            try:
                async with self.busy():
                    detail = await platform.get_device(key)
            except Exception as exc:  # the vendor's words, or an internal error with its log
                self.report(exc, f"Reading device {key}")
                return
            position = rows.insert(device_row(detail.summary, self.zone))
            if position is None and rows.row_filter is not None:
                # The filter hides it: clear the filter so that the user sees it.
                rows.clear_filter()
                position = rows.find(key)
        if self.state.state != "ready":
            self.state.ready()
        table.changed()
        if position is not None:
            table.move_to(position, user=False)
            table.focus()
        self.update_status()


#: the actions of marks (hidden where a list has none)
_MARK_ACTIONS = frozenset({"mark", "mark_range", "mark_all", "invert_marks", "clear_marks", "bulk"})


def _path_error(text: str) -> str | None:
    return None if text.strip() else "type a file path"


class _Entries:
    """Menu entries with their accelerators, each key used once (a later one gets a digit)."""

    def __init__(self) -> None:
        self.entries: list[MenuEntry] = []
        self._used: set[str] = set()

    def add(self, key: str, label: str, choose: Callable[[], None]) -> None:
        from tui.screens.bulk_plan import MenuEntry

        if key in self._used:  # taken by an entry above: the first free digit instead
            key = next((d for d in "123456789" if d not in self._used), "")
        self._used.add(key)
        self.entries.append(MenuEntry(key, label, choose))
