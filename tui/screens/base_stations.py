"""The base stations view (`:basestations`): the gateways of the platform's network, their state
and where they stand; `l` sets a station's location (the platform's own form and rules).

Shown for a platform with the `BaseStations` capability (MyThings); another says it has none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType

from tui.api.forms import FormSpec
from tui.api.models import BaseStation, BaseStationLocation
from tui.api.platform import BaseStations
from tui.screens.catalogue import CatalogueScreen
from tui.widgets.form import ModelForm
from tui.widgets.safe import plain

__all__ = ["BaseStationsScreen"]

#: the form that sets a station's location
LOCATION_FORM = FormSpec("location", "location", BaseStationLocation, key="l", submit="Set")

#: a station's state, coloured as a health is
_STATE_STYLES = {"CONNECTED": "green", "CONNECTIONLOST": "red", "NEVERCONNECTED": "yellow"}


class BaseStationsScreen(CatalogueScreen[BaseStation]):
    """Every base station, with its state and location (see the module docstring)."""

    VIEW = "basestations"
    NOUN = "base stations"
    COLUMNS = ("Name", "Id", "State", "Latitude", "Longitude", "Location", "Firmware")
    CAPABILITY = BaseStations
    DANGEROUS = frozenset({"set_location"})
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("l", "set_location", "Set location", id="basestations.location"),
    ]

    @property
    def stations(self) -> list[BaseStation]:
        return self.items

    async def fetch(self, platform: BaseStations) -> list[BaseStation]:
        return await platform.list_base_stations()

    def key_of(self, item: BaseStation) -> str:
        return item.key

    def cells(self, item: BaseStation) -> Sequence[Text]:
        state = item.state or "—"
        return (
            plain(item.name, limit=40),
            plain(item.key, limit=30),
            Text(state, style=_STATE_STYLES.get(state.upper(), "")),
            plain(item.latitude or "—"),
            plain(item.longitude or "—"),
            plain(item.location_name or "—", limit=40),
            plain(item.firmware or "—", limit=20),
        )

    def summary(self, items: list[BaseStation]) -> str:
        counts: dict[str, int] = {}
        for station in items:
            counts[station.state or "unknown"] = counts.get(station.state or "unknown", 0) + 1
        parts = [f"{len(items):,} base stations"]
        parts += [f"{n:,} {state.lower()}" for state, n in sorted(counts.items())]
        return " · ".join(parts)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not super().check_action(action, parameters):
            return False
        if action == "set_location":
            return isinstance(self.platform, BaseStations) and (bool(self.items) or None)
        return True

    def action_set_location(self) -> None:
        platform = self.platform
        station = self.cursor_item()
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
