"""The base stations view (`:basestations`): the gateways of the platform's network, their state
and where they stand; `l` sets a station's location (the platform's own form and rules).

Shown for a platform with the `BaseStations` capability (MyThings); another says it has none.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Static

from tui.api.forms import FormSpec
from tui.api.models import BaseStation, BaseStationLocation
from tui.api.platform import BaseStations
from tui.screens.base import FleetScreen
from tui.widgets.form import ModelForm
from tui.widgets.header import FleetHeader
from tui.widgets.safe import plain
from tui.widgets.state import LoadState

__all__ = ["BaseStationsScreen"]

#: the form that sets a station's location
LOCATION_FORM = FormSpec("location", "location", BaseStationLocation, key="l", submit="Set")

#: a station's state, coloured as a health is
_STATE_STYLES = {"CONNECTED": "green", "CONNECTIONLOST": "red", "NEVERCONNECTED": "yellow"}


class BaseStationsScreen(FleetScreen[None]):
    """Every base station, with its state and location (see the module docstring)."""

    VIEW = "basestations"
    DANGEROUS = frozenset({"set_location"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="basestations.reload"),
        Binding("l", "set_location", "Set location", id="basestations.location"),
    ]

    DEFAULT_CSS = """
    BaseStationsScreen #stations-table { height: 1fr; }
    BaseStationsScreen #stations-info {
        height: 1; padding: 0 1; color: $text-muted; background: $panel;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.stations: list[BaseStation] = []

    def compose(self) -> ComposeResult:
        yield FleetHeader(self.VIEW)
        yield LoadState(
            DataTable(id="stations-table", cursor_type="row", zebra_stripes=True),
            Static("", id="stations-info"),
            id="stations-state",
        )
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#stations-table", DataTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.table.add_columns(
            "Name", "Id", "State", "Latitude", "Longitude", "Location", "Firmware"
        )
        self.query_one(LoadState).loading("Loading base stations…")

    def on_session(self) -> None:
        state = self.query_one(LoadState)
        if self.fleet.open_error:
            state.error(self.fleet.open_error, "open another profile with :profiles")
            return
        platform = self.platform
        if platform is None:
            return
        if not isinstance(platform, BaseStations):
            self.table.clear()
            self.stations = []
            state.empty(f"{platform.title} has no base stations to list", ": jumps to a view")
            return
        state.loading("Loading base stations…")
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False
        if action == "set_location":
            return isinstance(self.platform, BaseStations) and (bool(self.stations) or None)
        return True

    def action_reload(self) -> None:
        self.on_session()

    @work(exclusive=True, group="stations-load")
    async def load(self, select: str | None = None) -> None:
        platform = self.platform
        if not isinstance(platform, BaseStations):
            return
        state = self.query_one(LoadState)
        try:
            async with self.busy():
                stations = await platform.list_base_stations()
        except Exception as exc:  # the vendor's words, or an internal error with its log
            state.error(f"Could not load base stations: {self.report(exc, 'Base stations')}")
            return
        if platform is not self.platform:
            return
        self._show(stations, select)

    def _show(self, stations: list[BaseStation], select: str | None = None) -> None:
        self.stations = stations
        table = self.table
        table.clear()
        for station in stations:
            state = station.state or "—"
            table.add_row(
                plain(station.name, limit=40),
                plain(station.key, limit=30),
                Text(state, style=_STATE_STYLES.get(state.upper(), "")),
                plain(station.latitude or "—"),
                plain(station.longitude or "—"),
                plain(station.location_name or "—", limit=40),
                plain(station.firmware or "—", limit=20),
                key=station.key,
            )
        counts: dict[str, int] = {}
        for station in stations:
            counts[station.state or "unknown"] = counts.get(station.state or "unknown", 0) + 1
        parts = [f"{len(stations):,} base stations"]
        parts += [f"{n:,} {state.lower()}" for state, n in sorted(counts.items())]
        self.query_one("#stations-info", Static).update(plain(" · ".join(parts)))
        state_view = self.query_one(LoadState)
        if stations:
            state_view.ready()
            table.focus()
            keys = [s.key for s in stations]
            if select in keys:
                table.move_cursor(row=keys.index(select), animate=False)
        else:
            state_view.empty("No base stations", "r reloads")
        self.refresh_bindings()

    def _cursor_station(self) -> BaseStation | None:
        row = self.table.cursor_row
        return self.stations[row] if 0 <= row < len(self.stations) else None

    def action_set_location(self) -> None:
        platform = self.platform
        station = self._cursor_station()
        if not isinstance(platform, BaseStations) or station is None:
            return

        async def send(values: BaseStationLocation) -> BaseStation:
            return await platform.set_base_station_location(station.key, values)

        form = ModelForm(LOCATION_FORM, send, title=f"Location of {station.name}")

        def done(changed: BaseStation | None) -> None:
            if changed is not None:
                self.notify(f"{station.name}: location set", title="Base stations")
                self.load(select=station.key)

        self.app.push_screen(form, done)
