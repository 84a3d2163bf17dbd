"""Device alarms, newest first where the vendor allows, page by page; `a` acknowledges one."""

from __future__ import annotations

from typing import ClassVar
from zoneinfo import ZoneInfo

from textual import work
from textual.binding import Binding, BindingType

from tui.api.actions import AcknowledgeAlarms
from tui.api.bulk import Target
from tui.api.forms import KeySpec
from tui.api.models import Alarm
from tui.api.platform import Alarms, DeviceDirectory
from tui.screens.bulk_plan import MenuEntry
from tui.screens.devices import PagedListScreen, format_time
from tui.widgets.virtual_table import Column, Fetch, Row, VirtualTable

__all__ = ["ALARM_COLUMNS", "AlarmsScreen", "alarm_row"]

_SEVERITY_STYLES = {
    "CRITICAL": "bold red",
    "MAJOR": "dark_orange",
    "MINOR": "yellow",
    "WARNING": "dim",
    "INDETERMINATE": "dim",
    "CLEARED": "green",
}

#: positions in an alarm row
KEY, SEVERITY, STATE, DEVICE, TYPE, OCCURRED, MESSAGE, DEVICE_KEY, ACKED, RAISED = range(10)


def alarm_row(alarm: Alarm, zone: ZoneInfo) -> Row:
    """The compact row of one alarm: key, severity, state (✓ when acknowledged), device, type,
    occurred at, message, then the device key and "1"/"" for acknowledged (not shown)."""
    state = alarm.state or "—"
    if alarm.acknowledged:
        state += " ✓"
    device = alarm.device_name or alarm.device_key or "—"
    return (
        alarm.key,
        str(alarm.severity),
        state,
        device,
        alarm.type or "—",
        format_time(alarm.occurred_at, zone),
        alarm.message or "—",
        alarm.device_key or "",
        "1" if alarm.acknowledged else "",
        format_time(alarm.raised_at, zone),
    )


def acknowledged_row(row: Row) -> Row:
    if row[ACKED]:
        return row
    state = row[STATE] if row[STATE].endswith("✓") else row[STATE] + " ✓"
    return (*row[:STATE], state, *row[STATE + 1 : ACKED], "1", *row[ACKED + 1 :])


def _severity_style(value: str) -> str | None:
    return _SEVERITY_STYLES.get(value.upper())


def _state_style(value: str) -> str | None:
    if value.startswith("ACTIVE"):
        return None if value.endswith("✓") else "bold"
    return "dim"


ALARM_COLUMNS = [
    Column("Severity", SEVERITY, 9, 9, priority=0, style=_severity_style),
    Column("State", STATE, 9, 9, priority=2, style=_state_style),
    Column("Device", DEVICE, 16, 26, priority=1),
    Column("Type", TYPE, 15, 22, priority=4),
    # Listed newest raised first, so "Raised" shows the order; "Last" is the latest occurrence.
    Column("Raised", RAISED, 16, 16, priority=3),
    Column("Last", OCCURRED, 16, 16, priority=6),
    Column("Message", MESSAGE, 16, None, priority=5),
]


class AlarmsScreen(PagedListScreen):
    """Alarms of every device, or of one (`AlarmsScreen(device_key=eui)`, or `f` on a row).

    `enter` opens the alarm's device, `a` acknowledges the alarm under the cursor, `f` shows
    only the alarms of the cursor row's device (again: all devices), `d` asks for a DevEUI.
    """

    VIEW = "alarms"
    NOUN = "alarms"
    RUN_ACTIONS = frozenset({"ack"})
    NOUN_ONE = "alarm"
    COLUMNS = ALARM_COLUMNS
    DANGEROUS = frozenset({"acknowledge"})

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_device", "Open device", id="alarms.open"),
        Binding("a", "acknowledge", "Ack", id="alarms.ack"),
        Binding("f", "device_filter", "This device", id="alarms.device"),
        Binding("d", "ask_device", "Device…", show=False, id="alarms.ask_device"),
    ]

    def __init__(self, device_key: str | None = None) -> None:
        super().__init__()
        self._initial_device = device_key.strip() if device_key else None
        self.device_key: str | None = self._initial_device

    @property
    def key_spec(self) -> KeySpec:
        """How the open platform names and checks a device's key (a DevEUI, a device id…)."""
        platform = self.platform
        return platform.DEVICE_KEY if isinstance(platform, DeviceDirectory) else KeySpec("device")

    def target_of(self, row: Row) -> Target:
        label = f"{row[DEVICE]} · {row[TYPE]}"
        return Target(row[KEY], label, facts={"acknowledged": row[ACKED]})

    def bulk_entries(self) -> list[MenuEntry]:
        platform = self.platform
        if self.fleet.is_readonly or not isinstance(platform, Alarms) or not platform.ACKNOWLEDGES:
            return []
        return [MenuEntry("a", "Acknowledge", lambda: self.plan_run(AcknowledgeAlarms(platform)))]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Where alarms are events nobody acknowledges (MyThings' triggered rules), no `a`.
        platform = self.platform
        if action == "acknowledge" and isinstance(platform, Alarms) and not platform.ACKNOWLEDGES:
            return False
        return super().check_action(action, parameters)

    def make_fetch(self) -> Fetch | str:
        platform = self.platform
        if not isinstance(platform, Alarms):
            title = getattr(platform, "title", "This platform")
            return f"{title} has no alarm list in fleet"
        zone = self.zone
        device_key = self.device_key

        async def fetch(cursor: str | None) -> tuple[list[Row], str | None, int | None]:
            page = await platform.list_alarms(cursor, device_key=device_key)
            return [alarm_row(a, zone) for a in page.items], page.cursor, page.total

        return fetch

    def empty_text(self) -> tuple[str, str]:
        if self.device_key:
            return (f"No alarms for device {self.device_key}", "f shows every device · r reloads")
        return ("No alarms", "r reloads")

    def status_parts(self) -> list[tuple[str, str]]:
        parts = super().status_parts()
        if self.device_key:
            parts.insert(0, (f"device {self.device_key}", "bold cyan"))
        return parts

    # ------------------------------------------------------------------ device filter

    def set_device(self, device_key: str | None) -> None:
        """Show the alarms of one device (None: of every device) and reload."""
        self.device_key = self.key_spec.normal(device_key) if device_key else None
        self.reload()

    def action_device_filter(self) -> None:
        if self.device_key:
            self.set_device(None)
            return
        row = self.table.cursor_row
        if row is not None and row[DEVICE_KEY]:
            self.set_device(row[DEVICE_KEY])

    def action_ask_device(self) -> None:
        spec = self.key_spec
        what = f"{spec.hint} · " if spec.hint else ""
        self.prompt.open(
            "device",
            spec.label,
            self.device_key or "",
            f"alarms of one device: {what}empty shows every device · esc cancels",
            spec.check,
            placeholder=spec.placeholder,
        )

    def prompt_submitted(self, purpose: str, value: str) -> None:
        if purpose == "device":
            self.set_device(value or None)
        else:
            super().prompt_submitted(purpose, value)

    def escape_more(self) -> bool:
        # A device filter set here is cleared by esc; one the detail screen asked for is kept
        # (esc then goes back to that detail).
        if self.device_key and self.device_key != self._initial_device:
            self.set_device(self._initial_device)
            return True
        return False

    # ------------------------------------------------------------------ actions

    def action_open_device(self) -> None:
        row = self.table.cursor_row
        if row is not None and row[DEVICE_KEY]:
            self.fleet.open_device(row[DEVICE_KEY])

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        event.stop()
        if event.row[DEVICE_KEY]:
            self.fleet.open_device(event.row[DEVICE_KEY])
        else:
            self.notify("This alarm names no device", severity="warning")

    def action_acknowledge(self) -> None:
        row = self.table.cursor_row
        if row is None:
            return
        if row[ACKED]:
            self.notify(f"Alarm {row[KEY]} is already acknowledged")
            return
        self._acknowledge(row)

    @work(group="alarms-ack")
    async def _acknowledge(self, row: Row) -> None:
        platform = self.platform
        if not isinstance(platform, Alarms):
            return
        try:
            async with self.busy():
                await platform.acknowledge_alarm(row[KEY])
        except Exception as exc:  # the vendor's words, or an internal error with its log
            self.report(exc, f"Acknowledging alarm {row[KEY]}")
            return
        self.table.rows.replace(acknowledged_row(row))
        self.table.refresh()
        self.notify(f"Alarm {row[KEY]} acknowledged", title="Alarms")
