"""Creating devices: a chooser, and the LoRaWAN, cellular and multicast group forms.

The devices view pushes `NewDeviceMenu()`; it dismisses with the new device's key (its EUI), or
None when the user changed their mind. Every form loads its pickers (device models, plans,
network contexts, connections) from the platform in workers when it opens.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.api.errors import ApiError
from tui.api.models import (
    CellularDeviceCreate,
    Connection,
    LoRaWanDeviceCreate,
    MulticastGroupCreate,
)
from tui.api.platform import Connections, DeviceProvisioning, MulticastGroups
from tui.widgets.form import FieldSpec, FormScreen


class _NotHere(ApiError):
    """The open platform lacks the capability a form needs (shown like any refusal)."""

    def __init__(self, what: str) -> None:
        super().__init__("fleet", f"this platform cannot {what}")


# ---------------------------------------------------------------- shared look-ups


def connection_label(connection: Connection) -> str:
    """How a connection reads in a picker: its name, then its type."""
    return f"{connection.name} ({connection.type})" if connection.type else connection.name


async def app_server_options(form: FormScreen[Any]) -> list[tuple[str, str]]:
    """The connections a device can reference: a device's appServers are OSS app-server IDs."""
    platform = form.platform
    if not isinstance(platform, Connections):
        raise _NotHere("list connections")
    connections = await platform.list_connections()
    return [(connection_label(c), c.key) for c in connections if c.kind == "app-server"]


def _provisioning(form: FormScreen[Any]) -> DeviceProvisioning:
    platform = form.platform
    if not isinstance(platform, DeviceProvisioning):
        raise _NotHere("create devices")
    return platform


async def model_options(form: FormScreen[Any], connectivity: str) -> list[tuple[str, str]]:
    models = await _provisioning(form).device_models(connectivity)
    return [(f"{m.name} · {m.vendor}" if m.vendor else m.name, m.key) for m in models]


def _luhn_ok(digits: str) -> bool:
    """The check digit of an IMEI (the vendor refuses a wrong one)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# ---------------------------------------------------------------- the chooser


class NewDeviceMenu(ModalScreen[str | None]):
    """What to create: `l` LoRaWAN OTAA device, `c` cellular device, `m` multicast group.

    Pushes the chosen form and dismisses with its result (the new EUI), or None on esc.
    """

    CHOICES: ClassVar[list[tuple[str, str, str]]] = [
        ("lorawan", "l", "LoRaWAN OTAA device"),
        ("cellular", "c", "Cellular device"),
        ("multicast", "m", "Multicast group"),
    ]

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="new-device.cancel"),
        Binding("l", "choose('lorawan')", "LoRaWAN device", id="new-device.lorawan"),
        Binding("c", "choose('cellular')", "Cellular device", id="new-device.cellular"),
        Binding("m", "choose('multicast')", "Multicast group", id="new-device.multicast"),
    ]

    DEFAULT_CSS = """
    NewDeviceMenu { align: center middle; }
    NewDeviceMenu > Vertical {
        width: 44; max-width: 100%; height: auto; border: thick $primary; background: $surface;
        border-title-style: bold; border-title-color: $text; border-subtitle-color: $text-muted;
    }
    NewDeviceMenu > Vertical > OptionList, NewDeviceMenu > Vertical > OptionList:focus {
        height: auto; border: none; padding: 1 0; background: $surface;
    }
    NewDeviceMenu #new-device-note { color: $text-muted; padding: 0 1; height: auto; }
    """

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "New"
            box.border_subtitle = "enter choose · esc cancel"
            yield OptionList(
                *(
                    Option(f" {key}  {label}", id=choice, disabled=not self._available(choice))
                    for choice, key, label in self.CHOICES
                ),
                id="new-device-choices",
            )
            yield Static("", id="new-device-note")

    def _available(self, choice: str) -> bool:
        platform = getattr(self.app, "platform", None)
        if choice == "multicast":
            return isinstance(platform, MulticastGroups)
        return isinstance(platform, DeviceProvisioning)

    def on_mount(self) -> None:
        note = self.query_one("#new-device-note", Static)
        if getattr(self.app, "is_readonly", False):
            note.update("Read-only profile: nothing can be created.")
        elif not any(self._available(c) for c, _, _ in self.CHOICES):
            note.update("This platform cannot create devices.")
        else:
            note.display = False
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_choose(self, choice: str) -> None:
        if getattr(self.app, "is_readonly", False):
            self.app.notify("This profile is read-only.", severity="warning")
            return
        if not self._available(choice):
            self.app.notify("This platform cannot create that.", severity="warning")
            return
        form: FormScreen[str | None] = {
            "lorawan": LoRaWanDeviceForm,
            "cellular": CellularDeviceForm,
            "multicast": MulticastGroupForm,
        }[choice]()
        self.app.push_screen(form, self._form_done)

    def _form_done(self, result: str | None) -> None:
        # not `self.dismiss` as the callback: its awaitable would be awaited from this screen
        self.dismiss(result)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.action_choose(event.option.id)


# ---------------------------------------------------------------- LoRaWAN


class LoRaWanDeviceForm(FormScreen[str | None]):
    """A LoRaWAN OTAA device; dismisses with its DevEUI."""

    TITLE = "New LoRaWAN OTAA device"
    MODEL = LoRaWanDeviceCreate
    SUBMIT_LABEL = "Create"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Lyon meter 0042"),
            FieldSpec("eui", "DevEUI", placeholder="16 hex digits"),
            FieldSpec("app_key", "AppKey", kind="secret", placeholder="32 hex digits"),
            FieldSpec(
                "app_eui",
                "AppEUI",
                placeholder="16 hex digits",
                help="JoinEUI; derived from the DevEUI when blank",
                optional=True,
            ),
            FieldSpec("model_key", "Device model", kind="choice"),
            FieldSpec("connection_keys", "Connections", kind="choices"),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.load_options("model_key", lambda: model_options(self, "LORAWAN"), what="device models")
        self.load_options("connection_keys", lambda: app_server_options(self), what="connections")

    def error_field(self, exc: ApiError) -> str | None:
        return "eui" if exc.status == 409 else None

    async def submit(self, model: LoRaWanDeviceCreate) -> str | None:
        detail = await _provisioning(self).create_lorawan_device(model)
        return detail.key or model.eui


# ---------------------------------------------------------------- cellular


class CellularDeviceForm(FormScreen[str | None]):
    """A cellular device; the platform assigns its EUI, which the form dismisses with."""

    TITLE = "New cellular device"
    MODEL = CellularDeviceCreate
    SUBMIT_LABEL = "Create"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Water meter 17"),
            FieldSpec("model_key", "Device model", kind="choice"),
            FieldSpec("plan_key", "Connectivity plan", kind="choice"),
            FieldSpec("network_context_key", "Network context", kind="choice"),
            FieldSpec("connection_keys", "Connections", kind="choices"),
            FieldSpec(
                "sim_id", "SIM (ICCID/eID)", placeholder="ICCID of 19-20 digits or a 32-digit eID"
            ),
            FieldSpec(
                "imei",
                "Enforced IMEI",
                placeholder="15 digits",
                help="only this IMEI may use the SIM",
                optional=True,
            ),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.load_options(
            "model_key", lambda: model_options(self, "CELLULAR"), what="device models"
        )
        self.load_options("plan_key", self._plans, what="connectivity plans")
        self.load_options("network_context_key", self._contexts, what="network contexts")
        self.load_options("connection_keys", lambda: app_server_options(self), what="connections")

    async def _plans(self) -> list[tuple[str, str]]:
        plans = await _provisioning(self).connectivity_plans("CELLULAR")
        return [(f"{p.name} · {p.supplier}" if p.supplier else p.name, p.key) for p in plans]

    async def _contexts(self) -> list[tuple[str, str]]:
        contexts = await _provisioning(self).network_contexts()
        return [(f"{c.name} ({c.mode})" if c.mode else c.name, c.key) for c in contexts]

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        imei = values.get("imei")
        if isinstance(imei, str) and len(imei) == 15 and imei.isdigit() and not _luhn_ok(imei):
            return {"imei": "IMEI check digit is wrong"}
        return {}

    async def submit(self, model: CellularDeviceCreate) -> str | None:
        detail = await _provisioning(self).create_cellular_device(model)
        return detail.key


# ---------------------------------------------------------------- multicast


class MulticastGroupForm(FormScreen[str | None]):
    """A LoRaWAN multicast group (class B or C); dismisses with its EUI."""

    TITLE = "New multicast group"
    MODEL = MulticastGroupCreate
    SUBMIT_LABEL = "Create"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Street lights, district 3"),
            FieldSpec("eui", "DevEUI", placeholder="16 hex digits"),
            FieldSpec("dev_addr", "DevAddr", placeholder="8 hex digits"),
            FieldSpec("nwk_skey", "NwkSKey", kind="secret", placeholder="32 hex digits"),
            FieldSpec("app_skey", "AppSKey", kind="secret", placeholder="32 hex digits"),
            FieldSpec(
                "device_class",
                "Class",
                kind="choice",
                value="C",
                options=(("Class C (continuous)", "C"), ("Class B (beacon)", "B")),
            ),
            FieldSpec("downlink_data_rate", "Downlink DR", kind="int", placeholder="0-15"),
            FieldSpec(
                "downlink_frequency_mhz", "Frequency (MHz)", kind="float", placeholder="869.525"
            ),
            FieldSpec(
                "base_station_tags",
                "Base station tags",
                placeholder="tag1, tag2",
                help="comma separated",
                optional=True,
            ),
            FieldSpec("connection_keys", "Connections", kind="choices"),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.load_options("connection_keys", lambda: app_server_options(self), what="connections")

    def to_model_input(self, values: dict[str, Any]) -> dict[str, Any]:
        tags = values.get("base_station_tags")
        if isinstance(tags, str):
            values = {
                **values,
                "base_station_tags": [t.strip() for t in tags.split(",") if t.strip()],
            }
        return values

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        freq = values.get("downlink_frequency_mhz")
        # The vendor takes MHz; a value in Hz or kHz is a typing slip worth catching here.
        if isinstance(freq, int | float) and freq > 0 and not 100 <= freq <= 1100:
            return {"downlink_frequency_mhz": "frequency is in MHz, e.g. 869.525"}
        return {}

    def error_field(self, exc: ApiError) -> str | None:
        return "eui" if exc.status == 409 else None

    async def submit(self, model: MulticastGroupCreate) -> str | None:
        platform = self.platform
        if not isinstance(platform, MulticastGroups):
            raise _NotHere("create multicast groups")
        return await platform.create_multicast_group(model)
