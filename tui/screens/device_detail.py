"""One device: every field the vendor returns, its traffic history, and downlink / delete / alarms.

Pushed by `app.open_device(key)` over the devices or alarms view; `esc` goes back. Fields and
traffic are separate tabs so that each has the whole screen at 80x24; each pane shows its own
loading and error state, so a failed traffic call never hides the fields. Keys (AppKey, session
keys, Ki…) are masked until `x` reveals them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from functools import partial
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color, ColorParseError
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import ContentSwitcher, DataTable, Footer, Static, TabbedContent, TabPane

from tui.api.models import DetailSection, DeviceDetail, TrafficBucket, TrafficRange
from tui.api.platform import (
    Alarms,
    DeviceCommands,
    DeviceDirectory,
    DeviceEditing,
    DeviceLogs,
    TrafficHistory,
)
from tui.screens.base import FleetScreen
from tui.screens.confirm import ConfirmScreen
from tui.screens.devices import DeviceDeleted
from tui.screens.form_menu import open_form
from tui.secrets import mask
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain, visible
from tui.widgets.state import LoadState
from tui.widgets.traffic_chart import TrafficChart, bucket_label, zone

__all__ = ["TRAFFIC_VIEWS", "DeviceDetailScreen", "local_time", "render_sections"]

#: what the traffic tab shows, in the order `v` cycles through them
TRAFFIC_VIEWS: tuple[str, ...] = ("frames", "radio", "table")


def render_sections(
    sections: Sequence[DetailSection],
    *,
    reveal: bool = False,
    label_style: str = "dim",
    title_style: str = "bold",
    tz: tzinfo | None = None,
) -> RenderableType:
    """Every section as a titled label/value grid; secret values masked unless `reveal`.

    Long values (hrefs, key lists) fold onto further lines rather than being cut, so that
    nothing the vendor said is hidden at 80 columns. With `tz`, the UTC times the adapter
    writes are shown in that zone (the profile's), like every other time on screen.
    """
    return _Sections(tuple(sections), reveal, label_style, title_style, tz)


_UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$")


def local_time(value: str, tz: tzinfo | None) -> str:
    """`2026-11-18 20:22:08 UTC` in `tz` (`2026-11-18 21:22:08 CET`); other values unchanged."""
    if tz is None or not _UTC_TIME.match(value):
        return value
    when = datetime.strptime(value, "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=UTC)
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


_LABEL_BREAK = re.compile(r"(?<=[.\]_/-])|(?=\[)")


def wrap_label(label: str, width: int) -> str:
    """A dotted field label broken into lines of at most `width` cells at its own joints
    (after `.`, `_`, `-`, `/` and before `[`), so that `networkSubscription.nwGeolocalization`
    never wraps mid-word; a part longer than a line is still folded."""
    if cell_len(label) <= width:
        return label
    lines: list[str] = []
    line = ""
    for part in _LABEL_BREAK.split(label):
        if line and cell_len(line + part) > width:
            lines.append(line)
            line = ""
        line += part
        while cell_len(line) > width:
            lines.append(line[:width])
            line = line[width:]
    if line:
        lines.append(line)
    return "\n".join(lines)


class _Sections:
    """The rendering of `render_sections`: it sizes the label column to the width it is given."""

    def __init__(
        self,
        sections: tuple[DetailSection, ...],
        reveal: bool,
        label_style: str,
        title_style: str,
        tz: tzinfo | None,
    ) -> None:
        self.sections = sections
        self.tz = tz
        self.reveal = reveal
        self.label_style = label_style
        self.title_style = title_style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        longest = max((len(f.label) for s in self.sections for f in s.fields), default=8)
        # One label width for every section, so that values line up down the whole page; at
        # most a third of the width, so that values keep room (longer labels fold).
        width = max(8, min(longest, options.max_width // 3))
        for index, section in enumerate(self.sections):
            if index:
                yield Text("")
            title = plain(f"{section.title} ", self.title_style)
            title.append(f"({len(section.fields)})", style=self.label_style)
            yield title
            grid = Table.grid(padding=(0, 2), expand=True)
            grid.add_column(style=self.label_style, width=width, overflow="fold")
            grid.add_column(ratio=1, overflow="fold")
            for field in section.fields:
                value = local_time(field.value, self.tz)
                if field.secret and not self.reveal:
                    value = mask(value) or "—"
                grid.add_row(Text(wrap_label(visible(field.label), width)), plain(value))
            yield grid


class DeviceDetailScreen(FleetScreen[None]):
    """The detail of one device, by its platform key (a DevEUI for ThingPark)."""

    VIEW = "device"
    DANGEROUS: ClassVar[frozenset[str]] = frozenset({"send", "delete", "edit"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="device.reload"),
        Binding("x", "reveal", "Keys", id="device.reveal"),
        Binding("f", "tab('fields')", "Fields tab", show=False, id="device.fields"),
        Binding("t", "tab('traffic')", "Traffic tab", show=False, id="device.traffic"),
        Binding("v", "traffic_view", "View", id="device.traffic_view"),
        Binding("1", "traffic_range('1')", "1 day", show=False, id="device.range_1d"),
        Binding("7", "traffic_range('7')", "7 days", show=False, id="device.range_7d"),
        Binding("3", "traffic_range('3')", "30 days", show=False, id="device.range_30d"),
        Binding("9", "traffic_range('9')", "90 days", show=False, id="device.range_90d"),
        Binding("w", "traffic_range('w')", "Weeks", show=False, id="device.range_weeks"),
        Binding("y", "traffic_range('y')", "Months", show=False, id="device.range_months"),
        Binding("l", "log", "Log", id="device.log"),
        Binding("m", "more_log", "More", show=False, id="device.log_more"),
        Binding("d", "send", "Send", id="device.send"),
        Binding("e", "edit", "Edit", id="device.edit"),
        Binding("ctrl+d", "delete", "Delete", id="device.delete"),
        Binding("D", "delete", "Delete", show=False, id="device.delete_shift"),
        Binding("a", "alarms", "Alarms", id="device.alarms"),
    ]

    DEFAULT_CSS = """
    DeviceDetailScreen #detail-title {
        height: 1; padding: 0 1; background: $boost; text-wrap: nowrap; text-overflow: ellipsis;
    }
    DeviceDetailScreen TabbedContent { height: 1fr; }
    DeviceDetailScreen TabbedContent > ContentSwitcher { height: 1fr; }
    DeviceDetailScreen TabPane { height: 1fr; padding: 0; }
    DeviceDetailScreen #fields-scroll { height: 1fr; padding: 0 1; }
    DeviceDetailScreen #fields-body { height: auto; }
    DeviceDetailScreen #traffic-controls { height: 2; padding: 0 1; text-wrap: nowrap; }
    DeviceDetailScreen #traffic-controls { height: 2; padding: 0 1; text-wrap: nowrap; }
    DeviceDetailScreen #log-controls { height: 1; padding: 0 1; text-wrap: nowrap; }
    DeviceDetailScreen #log-table { height: 1fr; }
    DeviceDetailScreen #traffic-table { height: 1fr; }
    """

    #: whether secret fields show in clear
    revealed: reactive[bool] = reactive(False)
    #: the history shown: the key of one of the platform's TRAFFIC_RANGES
    traffic_range: reactive[str] = reactive("7")
    #: one of TRAFFIC_VIEWS
    traffic_view: reactive[str] = reactive("frames")

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.detail: DeviceDetail | None = None
        self.buckets: list[TrafficBucket] = []
        #: the range whose buckets are shown (None: traffic not loaded yet in this session)
        self._traffic_loaded: str | None = None
        #: the range of the newest traffic request (loaded or on its way)
        self._traffic_requested: str | None = None
        #: counts traffic requests: only the newest one's answer is shown
        self._traffic_generation = 0
        #: the log kind shown in the Log tab, the kind its rows are of, and the next page's cursor
        self._log_kind: str | None = None
        self._log_shown: str | None = None
        self._log_cursor: str | None = None
        self._log_rows = 0

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield Static(id="detail-title")
        with TabbedContent(id="detail-tabs", initial="fields"):
            with TabPane("Fields", id="fields"):
                yield LoadState(
                    VerticalScroll(Static(id="fields-body"), id="fields-scroll"),
                    id="fields-state",
                )
            with TabPane("Traffic", id="traffic"):
                yield LoadState(
                    Static(id="traffic-controls"),
                    ContentSwitcher(
                        TrafficChart(id="traffic-chart"),
                        DataTable(id="traffic-table", cursor_type="row", zebra_stripes=True),
                        id="traffic-switcher",
                        initial="traffic-chart",
                    ),
                    id="traffic-state",
                )
            with TabPane("Log", id="log"):
                yield LoadState(
                    Static(id="log-controls"),
                    DataTable(id="log-table", cursor_type="row", zebra_stripes=True),
                    id="log-state",
                )
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self._title()
        self.query_one("#fields-state", LoadState).loading(f"Loading device {self.key}…")
        self.query_one("#traffic-state", LoadState).loading("Loading traffic…")
        table = self.query_one("#traffic-table", DataTable)
        table.add_columns("Start", "Up", "Lost", "Down", "Failed", "RSSI dBm", "SNR dB")
        self.query_one("#log-table", DataTable).add_columns("Time", "Source", "Value")
        self._controls()
        self.query_one("#fields-scroll").focus()

    # ------------------------------------------------------------------ loading

    def on_session(self) -> None:
        self._traffic_loaded = self._traffic_requested = None
        self._log_shown = None
        platform = self.platform
        tabs = self.query_one("#detail-tabs", TabbedContent)
        if isinstance(platform, DeviceLogs) and platform.LOG_KINDS:
            tabs.show_tab("log")
            if self._log_kind not in platform.LOG_KINDS:
                self._log_kind = next(iter(platform.LOG_KINDS))
        else:
            tabs.hide_tab("log")
        self.load_device()
        if self._active_tab() == "traffic":
            self.load_traffic()

    def load_device(self) -> None:
        state = self.query_one("#fields-state", LoadState)
        if self.platform is None:
            state.error(self.fleet.open_error or "No profile is open.", "press : then profiles")
            return
        state.loading(f"Loading device {self.key}…")
        self._load_device()

    @work(exclusive=True, group="device-detail")
    async def _load_device(self) -> None:
        state = self.query_one("#fields-state", LoadState)
        platform = self.platform
        if not isinstance(platform, DeviceDirectory):
            state.empty("This platform has no device directory.")
            return
        try:
            async with self.busy():
                detail = await platform.get_device(self.key)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            state.error(self.report(exc, f"Loading device {self.key}"))
            self._title()
            return
        self.show_detail(detail)

    def show_detail(self, detail: DeviceDetail) -> None:
        """Show a loaded device (the worker's result; tests may hand one in directly)."""
        self.detail = detail
        self._fields()
        self._title()
        self.query_one("#fields-state", LoadState).ready()
        self.refresh_bindings()

    def load_traffic(self) -> None:
        state = self.query_one("#traffic-state", LoadState)
        if self.platform is None:
            state.error(self.fleet.open_error or "No profile is open.", "press : then profiles")
            return
        if not isinstance(self.platform, TrafficHistory):
            state.empty(
                "This platform keeps no traffic history.", "the Fields tab shows the device"
            )
            return
        chosen = self._range(self.traffic_range)
        if chosen is None:
            return
        state.loading(f"Loading {chosen.label} of traffic…")
        self._traffic_generation += 1
        self._traffic_requested = chosen.key
        self._load_traffic(chosen, self._traffic_generation)

    @work(exclusive=True, group="device-traffic")
    async def _load_traffic(self, chosen: TrafficRange, generation: int) -> None:
        state = self.query_one("#traffic-state", LoadState)
        platform = self.platform
        assert isinstance(platform, TrafficHistory)
        try:
            async with self.busy():
                buckets = await platform.traffic(
                    self.key, duration=chosen.duration, step=chosen.step, timezone=self._tz_name()
                )
        except Exception as exc:  # the vendor's words, or an internal error with its log
            if generation == self._traffic_generation:
                state.error(self.report(exc, f"Loading traffic of {self.key}"))
            return
        if generation != self._traffic_generation:
            return  # a newer range was asked for meanwhile: the newest request wins, always
        self.buckets = buckets
        self._traffic_loaded = chosen.key
        self._show_traffic(chosen)
        if buckets:
            state.ready()
        else:
            keys = " ".join(r.key for r in self._ranges() if r.key != chosen.key)
            state.empty(f"No traffic in the last {chosen.label}.", f"{keys} choose another period")

    def _show_traffic(self, chosen: TrafficRange) -> None:
        tz = zone(self._tz_name())
        self.query_one("#traffic-chart", TrafficChart).show(self.buckets, tz, chosen)
        table = self.query_one("#traffic-table", DataTable)
        table.clear()
        for bucket in self.buckets:
            table.add_row(
                bucket_label(bucket.start, tz, chosen.unit, long=True),
                Text(str(bucket.up), justify="right"),
                Text(str(bucket.up_lost), justify="right"),
                Text(str(bucket.down), justify="right"),
                Text(str(bucket.down_failed), justify="right"),
                _mean(bucket.rssi_mean),
                _mean(bucket.snr_mean),
            )
        self._controls()

    # ------------------------------------------------------------------ drawing

    def _ranges(self) -> tuple[TrafficRange, ...]:
        """The histories this platform offers (the usual four until a profile is open)."""
        platform = self.platform
        source = platform if isinstance(platform, TrafficHistory) else TrafficHistory
        return source.TRAFFIC_RANGES

    def _range(self, key: str | None) -> TrafficRange | None:
        return next((r for r in self._ranges() if r.key == key), None)

    def _tz_name(self) -> str:
        profile = self.fleet.profile
        return getattr(profile, "timezone", None) or "UTC"

    def _title(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        detail = self.detail
        if detail is None:
            text.append(visible(self.key), style="bold")
        else:
            summary = detail.summary
            text.append(visible(detail.name), style="bold")
            parts = [
                summary.eui or detail.key,
                " ".join(p for p in (summary.connectivity, summary.activation) if p),
                summary.health or "",
            ]
            if summary.last_activity is not None:
                local = summary.last_activity.astimezone(zone(self._tz_name()))
                parts.append("last seen " + local.strftime("%Y-%m-%d %H:%M %Z"))
            parts.append(summary.model or "")
            for part in parts:
                if part:
                    text.append(" │ ", style="dim")
                    text.append(visible(part))
        if any(f.secret for s in (detail.sections if detail else ()) for f in s.fields):
            text.append("  keys shown" if self.revealed else "  keys hidden (x)", style="italic")
        self.query_one("#detail-title", Static).update(text)

    def _fields(self) -> None:
        if self.detail is None:
            return
        # Rich styles cannot read Textual's `$text-muted` ("auto 60%"): resolve it from the theme.
        variables = self.app.theme_variables
        try:
            background = Color.parse(variables.get("surface", "#1E1E1E"))
            muted = background.blend(Color.parse(variables.get("foreground", "#E0E0E0")), 0.6).hex
            title = f"bold {Color.parse(variables.get('text-accent', '#FFC473')).hex}"
        except ColorParseError:
            muted, title = "dim", "bold"
        body = render_sections(
            self.detail.sections,
            reveal=self.revealed,
            label_style=muted,
            title_style=title,
            tz=zone(self._tz_name()),
        )
        self.query_one("#fields-body", Static).update(body)

    def _controls(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        # Each period's key underlined, as a menu accelerator: its label's first character when
        # it is the key (1 day, 7 days…), else written before the label (w 13 weeks).
        for choice in self._ranges():
            style = "bold reverse" if choice.key == self.traffic_range else ""
            keyed = f"{style} underline".strip()
            text.append(" ", style=style)
            if choice.label.startswith(choice.key):
                text.append(choice.key, style=keyed)
                text.append(f"{choice.label[len(choice.key) :]} ", style=style)
            else:
                text.append(choice.key, style=keyed)
                text.append(f" {choice.label} ", style=style)
            text.append(" ")
        text.append("│ v ", style="dim")
        for view in TRAFFIC_VIEWS:
            text.append(f" {view} ", style="bold reverse" if view == self.traffic_view else "")
        text.append("\n")
        chosen = self._range(self._traffic_loaded)
        if chosen is not None and self.traffic_view != "table":
            chart = self.query_one("#traffic-chart", TrafficChart)
            text.append(" ")
            text.append_text(chart.legend())
        elif chosen is not None:
            every = "daily" if chosen.unit == "day" else f"{chosen.unit}ly"
            text.append(f" {len(self.buckets)} {every} buckets, {self._tz_name()} time", "dim")
        self.query_one("#traffic-controls", Static).update(text)

    def watch_revealed(self, _: bool) -> None:
        if self.is_mounted:
            self._fields()
            self._title()

    def watch_traffic_view(self, view: str) -> None:
        if not self.is_mounted:
            return
        chart = self.query_one("#traffic-chart", TrafficChart)
        if view in ("frames", "radio"):
            chart.mode = view  # type: ignore[assignment]
            chart.refresh()
            self.query_one("#traffic-switcher", ContentSwitcher).current = "traffic-chart"
        else:
            self.query_one("#traffic-switcher", ContentSwitcher).current = "traffic-table"
            if self._active_tab() == "traffic":
                self.query_one("#traffic-table", DataTable).focus()
        self._controls()

    # ------------------------------------------------------------------ tabs

    def _active_tab(self) -> str:
        return self.query_one("#detail-tabs", TabbedContent).active

    @on(TabbedContent.TabActivated, "#detail-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "traffic":
            if self._traffic_requested != self.traffic_range:
                self.load_traffic()
            if self.traffic_view == "table":
                self.query_one("#traffic-table", DataTable).focus()
        elif event.pane.id == "fields":
            self.query_one("#fields-scroll").focus()
        elif event.pane.id == "log":
            if self._log_shown != self._log_kind:
                self.load_log()
            self.query_one("#log-table", DataTable).focus()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False
        platform = self.platform
        if action == "send":
            if not isinstance(platform, DeviceCommands):
                return False
            # What a device can receive depends on the device (a cellular one takes no LoRaWAN
            # downlink): dimmed until it is known and the platform offers it something.
            return (
                bool(self.detail is not None and platform.device_commands(self.detail.summary))
                or None
            )
        if action == "delete":
            if not isinstance(platform, DeviceDirectory) or not platform.DELETES:
                return False
            return self.detail is not None or None
        if action == "edit":
            return isinstance(platform, DeviceEditing) and (self.detail is not None or None)
        if action == "alarms":
            return isinstance(platform, Alarms)
        if action == "traffic_range":
            offered = platform is None or isinstance(platform, TrafficHistory)
            return offered and self._range(str(parameters[0])) is not None
        if action == "traffic_view":
            return platform is None or isinstance(platform, TrafficHistory)
        if action == "log":
            return isinstance(platform, DeviceLogs) and bool(platform.LOG_KINDS)
        if action == "more_log":
            return self._active_tab() == "log" and (self._log_cursor is not None or None)
        if action == "reveal":
            return self.detail is not None or None
        return True

    def action_reload(self) -> None:
        self.load_device()
        if self._active_tab() == "traffic":
            self.load_traffic()
        else:
            self._traffic_requested = None  # reloaded when the tab is next shown

    def action_reveal(self) -> None:
        self.revealed = not self.revealed

    # ------------------------------------------------------------------ the log

    def action_log(self) -> None:
        """`l`: the Log tab; on it, the next kind of log the platform keeps."""
        platform = self.platform
        if not isinstance(platform, DeviceLogs) or not platform.LOG_KINDS:
            return
        if self._active_tab() != "log":
            self.action_tab("log")
            return
        kinds = list(platform.LOG_KINDS)
        at = kinds.index(self._log_kind) if self._log_kind in kinds else -1
        self._log_kind = kinds[(at + 1) % len(kinds)]
        self.load_log()

    def action_more_log(self) -> None:
        if self._log_cursor is not None and self._log_kind is not None:
            self._load_log(self._log_kind, self._log_cursor)

    def load_log(self) -> None:
        """The first page of the chosen kind of log, in place of what the tab showed."""
        if self._log_kind is None:
            return
        self._log_shown = self._log_kind
        self._log_cursor = None
        self._log_rows = 0
        self.query_one("#log-table", DataTable).clear()
        self.query_one("#log-state", LoadState).loading("Loading the log…")
        self._log_controls(loading=True)
        self._load_log(self._log_kind, None)

    @work(exclusive=True, group="device-log")
    async def _load_log(self, kind: str, cursor: str | None) -> None:
        platform = self.platform
        if not isinstance(platform, DeviceLogs):
            return
        state = self.query_one("#log-state", LoadState)
        try:
            async with self.busy():
                page = await platform.device_log(self.key, kind, cursor)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            message = self.report(exc, f"Reading the log of {self.key}")
            if cursor is None:
                state.error(message, "l tries again")
            self._log_controls()
            return
        if kind != self._log_kind:
            return  # another kind was chosen meanwhile
        table = self.query_one("#log-table", DataTable)
        tz = zone(self._tz_name())
        for entry in page.items:
            table.add_row(
                entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if entry.at else "—",
                plain(entry.source or "—", limit=40),
                plain(entry.value, limit=200),
            )
        self._log_rows += len(page.items)
        self._log_cursor = page.cursor
        if self._log_rows:
            state.ready()
        else:
            state.empty(f"No {self._log_title().lower()} for {self.key}", "l shows another log")
        self._log_controls()
        self.refresh_bindings()

    def _log_title(self) -> str:
        platform = self.platform
        kinds = platform.LOG_KINDS if isinstance(platform, DeviceLogs) else {}
        return kinds.get(self._log_kind or "", self._log_kind or "log")

    def _log_controls(self, *, loading: bool = False) -> None:
        platform = self.platform
        kinds = platform.LOG_KINDS if isinstance(platform, DeviceLogs) else {}
        text = Text()
        for kind, title in kinds.items():
            style = "bold reverse" if kind == self._log_kind else "dim"
            text.append(f" {title} ", style=style)
            text.append(" ")
        text.append("· l next log", style="dim")
        if loading:
            text.append(" · loading…", style="dim")
        elif self._log_cursor is not None:
            text.append(f" · {self._log_rows:,} shown · m more", style="dim")
        else:
            text.append(f" · {self._log_rows:,} shown, all of it", style="dim")
        self.query_one("#log-controls", Static).update(text)

    def action_tab(self, tab: str) -> None:
        self.query_one("#detail-tabs", TabbedContent).active = tab

    def action_traffic_range(self, key: str) -> None:
        self.traffic_range = key
        self._controls()
        if self._active_tab() != "traffic":
            self.action_tab("traffic")  # TabActivated loads the chosen range
        elif self._traffic_requested != key:
            self.load_traffic()

    def action_traffic_view(self) -> None:
        index = TRAFFIC_VIEWS.index(self.traffic_view)
        self.traffic_view = TRAFFIC_VIEWS[(index + 1) % len(TRAFFIC_VIEWS)]
        if self._active_tab() != "traffic":
            self.action_tab("traffic")

    def action_alarms(self) -> None:
        from tui.screens.alarms import AlarmsScreen

        self.app.push_screen(AlarmsScreen(device_key=self.key))

    def action_send(self) -> None:
        platform = self.platform
        detail = self.detail
        if not isinstance(platform, DeviceCommands) or detail is None:
            return
        where = f"{detail.name} ({detail.key})" if detail.name != detail.key else detail.key

        def sent(account: str | None) -> None:
            if account:
                self.notify(f"{account} for {where}.", title="Sent")

        open_form(
            self.app,
            f"Send to {where}",
            platform.device_commands(detail.summary),
            partial(platform.send_command, detail.key),
            sent,
            # The title names the device, so the operator sees where it goes before sending.
            form_title=lambda spec: f"Send {spec.title} to {where}",
        )

    def action_edit(self) -> None:
        """`e`: one of the platform's changes to this device (a name, tags, keys…)."""
        platform = self.platform
        detail = self.detail
        if not isinstance(platform, DeviceEditing) or detail is None:
            return
        where = f"{detail.name} ({detail.key})" if detail.name != detail.key else detail.key

        async def change(form: str, values: Any) -> bool:
            await platform.edit_device(detail.key, form, values)
            return True

        def changed(done: bool | None) -> None:
            if done:
                self.notify(f"{where} changed", title="Edit")
                self.load_device()

        open_form(
            self.app,
            f"Edit {where}",
            platform.device_edit_forms(),
            change,
            changed,
            form_title=lambda spec: f"Set the {spec.title} of {where}",
        )

    def action_delete(self) -> None:
        detail = self.detail
        if detail is None:
            return
        eui = detail.summary.eui or detail.key
        message = f"Delete device '{detail.name}' ({eui})? This cannot be undone."

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(detail)

        self.app.push_screen(ConfirmScreen("Delete device", message, yes="Delete"), answered)

    @work(exclusive=True, group="device-delete")
    async def _delete(self, detail: DeviceDetail) -> None:
        platform = self.platform
        assert isinstance(platform, DeviceDirectory)
        eui = detail.summary.eui or detail.key
        try:
            async with self.busy():
                await platform.delete_device(detail.key)
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, f"Deleting {detail.name}")
            return
        self.notify(f"Deleted device '{detail.name}' ({eui}).", title="Device deleted")
        # Every view below may list the device: each drops it on this message.
        self.fleet.broadcast(lambda: DeviceDeleted(detail.key))
        if self.app.screen is self:
            self.dismiss()


def _mean(value: float | None) -> Text:
    return Text("—" if value is None else f"{value:.1f}", justify="right")
