"""The Platform base class and the capability interfaces that screens ask for.

A screen asks `isinstance(platform, TrafficHistory)`, never which vendor it is talking to. An
adapter subclasses `Platform` and every capability it implements; each capability is a small
abstract class of async methods that raise `ApiError` on failure.

The capabilities are shaped by all five platforms, not by the first one: what differs between
vendors is declared by the adapter, as data, and the screens are generated from it.

- `DeviceDirectory.DEVICE_KEY` names a device's key and checks it (a DevEUI of 16 hex digits on
  ThingPark, a device id on IoTDA, a thing key on Telit); `DEVICE_LABELS` titles the shared
  list's columns in the vendor's words; `SERVER_LOOKUP` says what the device list's filter
  looks up on the server; `LOOKUPS` names every identifier `find_devices(text, by=…)` asks the
  server for (a key, a name, a node id, an IMEI, an ICCID: LOOKUP_TITLES), which the overview's
  search asks all at once.
- `Identity.whoami()` is who the platform says the account is (the profile test shows it).
- `DeviceCreation.device_forms()` and `Connections.connection_forms()` are the platform's
  create forms, each a pydantic model (`FormSpec`, tui/api/forms.py) from which the console
  generates the form and with which it validates a CSV row in a bulk run; `create_device()` /
  `create_connection()` take the form's id and the validated model.
- `DeviceEditing.device_edit_forms()` are the changes a bulk run can apply to many devices.
- `DeviceCommands.device_commands(device)` is what can be sent to one device (ThingPark's
  LoRaWAN downlink; an IoTDA command with JSON parameters; MyThings' downlink and its
  configuration templates), again as forms; `send_command()` sends one.
- `TrafficHistory.TRAFFIC_RANGES` are the periods and bucket sizes the platform counts by
  (MyThings adds weekly and monthly counts).
- `Alarms.ACKNOWLEDGES` says whether the platform knows acknowledgement at all (MyThings'
  triggered business rules are events, nobody acknowledges them).
- `ConnectionEditing.connection_edit_form(key)` is the form that changes one connection, filled
  with its current settings (MyThings' stream definition: active, headers, basic-auth login).
- `Gateway.gateway_detail()`: the account is one gateway whose sub-devices are the device list
  (EnOS); `DeviceDirectory.DELETES` is False where the API cannot delete a device, and
  `DeviceCreation.CREATE_BATCH` says how many devices one request creates (`create_devices`).
- `ThingDefinitions`, `ApplicationTokens`, `ConnectionThings` (Telit): templates of things,
  the applications whose tokens let gateways connect (a new token shown once), things made from
  connections and the setting that makes one for each new connection.
- Smaller capabilities that not every platform has: `Provisioning` (on/off the network),
  `DeviceTags`, `ConfigurationTemplates`, `BaseStations`, `DeviceLogs` (log kinds, each paged),
  `PlatformStatus` (one line the header shows).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

from tui.api.errors import ApiError
from tui.api.forms import FormSpec, KeySpec
from tui.api.models import (
    Alarm,
    Application,
    BaseStation,
    BaseStationLocation,
    Connection,
    Created,
    DeviceDetail,
    DeviceSummary,
    LogEntry,
    PlatformHealth,
    TemplateRef,
    ThingDefinition,
    TrafficBucket,
    TrafficRange,
)
from tui.api.paging import Page

if TYPE_CHECKING:  # (products: only IoTDA's adapter and screens import them)
    from tui.api.http import ApiClient, CallRecord
    from tui.api.products import Product, ProductSummary


class Platform(ABC):
    """One connected platform account. Create it with its profile; `aclose()` when done."""

    #: the vendor's id, for messages and error attribution ("thingpark", "iotda", …)
    name: ClassVar[str]
    #: the human name shown in the header
    title: ClassVar[str]

    @abstractmethod
    async def aclose(self) -> None:
        """Release connections."""

    def scrub(self, text: str) -> str:
        """`text` with this account's secrets and tokens masked, in every spelling (the app
        runs its log through it); adapters with secrets override it."""
        return text

    async def __aenter__(self) -> Platform:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def on_throttle(self, listener: Callable[[float | None], None]) -> None:
        """Call `listener(retry_after)` on every 429 the platform answers, with the seconds its
        Retry-After asks for (None when it gives none): the bulk runs' rate limiter backs off.
        Adapters over HTTP forward it to their client; the default hears nothing."""
        return

    def set_recorder(self, recorder: Callable[[CallRecord], None] | None) -> None:
        """Hand `recorder` a CallRecord of every mutating call from now on (the audit log);
        None stops. Adapters over HTTP forward it to their client; the default records nothing."""
        return


class HttpPlatform(Platform):
    """A platform reached over HTTP through the one client factory (`tui.api.http`): the
    client it made (`_api`) closes, scrubs, reports throttling and records calls for it."""

    _api: ApiClient

    async def aclose(self) -> None:
        await self._api.aclose()

    def scrub(self, text: str) -> str:
        return self._api.scrubber(text)

    def on_throttle(self, listener: Callable[[float | None], None]) -> None:
        self._api.on_throttle(listener)

    def set_recorder(self, recorder: Callable[[CallRecord], None] | None) -> None:
        self._api.recorder = recorder


class DeviceDirectory(ABC):
    """Lists devices page by page, shows one, deletes one."""

    #: how the platform names a device's key, and what a valid one looks like
    DEVICE_KEY: ClassVar[KeySpec] = KeySpec("device id")
    #: what `list_devices(query=…)` looks up on the server, exactly (e.g. "name"); None when
    #: the platform has no server-side look-up (the list is then filtered on the screen only)
    SERVER_LOOKUP: ClassVar[str | None] = None
    #: the platform's own words for DeviceSummary fields, where they differ from LoRaWAN's
    #: (e.g. {"eui": "Node id"}); the device list titles its columns with them, and has no
    #: column for a field labelled None (one the platform's list never fills)
    DEVICE_LABELS: ClassVar[dict[str, str | None]] = {}
    #: False where the platform's API cannot delete a device (EnOS's gateway protocol only
    #: detaches one): `delete_device` then raises an ApiError saying so, and neither the
    #: detail's delete nor the bulk "Delete" is offered
    DELETES: ClassVar[bool] = True

    #: the identifiers `find_devices(text, by=…)` asks the server for, each looked up exactly
    #: (see LOOKUP_TITLES); every platform can at least fetch a device by its key
    LOOKUPS: ClassVar[tuple[str, ...]] = ("key",)

    @abstractmethod
    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        """One page of devices in the vendor's order; `cursor` comes from the previous page."""

    @abstractmethod
    async def get_device(self, key: str) -> DeviceDetail: ...

    async def find_devices(self, text: str, *, by: str) -> list[DeviceSummary]:
        """The devices whose identifier `by` (one of LOOKUPS) is `text`, as the server looks
        it up: none when `text` cannot be such an identifier or the server knows none. Raises
        ApiError when the server fails. By default: "key" fetches the device (a 400 or 404 is
        nothing found) and SERVER_LOOKUP is `list_devices(query=…)`'s first page; adapters
        with more look-ups override it for those."""
        asked = self.lookup_text(text, by)
        if asked is None:
            return []
        if by == "key":
            try:
                detail = await self.get_device(self.DEVICE_KEY.normal(asked))
            except ApiError as exc:
                if exc.status in (400, 404):
                    return []
                raise
            return [detail.summary]
        if by == self.SERVER_LOOKUP:
            return list((await self.list_devices(query=asked)).items)
        raise NotImplementedError(f"{type(self).__name__} has no look-up by {by}")

    def lookup_text(self, text: str, by: str) -> str | None:
        """`text` stripped, when it can be this platform's identifier `by`; None when it cannot
        (a look-up the platform lacks, not of the identifier's form, not a valid key): such a
        look-up is not sent."""
        text = text.strip()
        if by not in self.LOOKUPS or not lookup_fits(by, text):
            return None
        if by == "key" and self.DEVICE_KEY.check(text) is not None:
            return None
        return text

    @abstractmethod
    async def delete_device(self, key: str) -> None: ...


#: every identifier a platform may look a device up by (DeviceDirectory.LOOKUPS), with its title
LOOKUP_TITLES: dict[str, str] = {
    "key": "device key",
    "name": "name",
    "node_id": "node id",
    "imei": "IMEI",
    "iccid": "ICCID",
}
#: what an identifier looks like, where it has a form: a look-up of text of another form is
#: not asked at all (an IMEI is 14 to 16 digits, an ICCID 18 to 22 with an optional final F)
_LOOKUP_FORMS: dict[str, re.Pattern[str]] = {
    "imei": re.compile(r"\d{14,16}"),
    "iccid": re.compile(r"\d{18,22}F?", re.IGNORECASE),
}


def lookup_fits(by: str, text: str) -> bool:
    """Whether `text` can be an identifier `by` (a key is checked by the platform's DEVICE_KEY)."""
    if not text:
        return False
    form = _LOOKUP_FORMS.get(by)
    return form is None or form.fullmatch(text) is not None


class Identity(ABC):
    """Who the platform says this account is: the profile test shows it."""

    @abstractmethod
    async def whoami(self) -> str:
        """One line naming the account as the platform knows it (a client, a project, a user,
        a gateway); never a secret. Raises ApiError when the platform refuses."""


class DeviceRows(ABC):
    """A device directory that also lists its pages as plain rows: DeviceSummary's fields in its
    order, as dicts (what `model_dump()` of each summary gives), without a model per row. The
    scripting CLI's JSON and CSV take them where a platform has them (a model per row was a fifth
    of a million-device walk's CPU); the table reads the models' columns."""

    @abstractmethod
    async def list_device_rows(self, cursor: str | None = None) -> Page[dict[str, Any]]: ...


class DeviceCreation(ABC):
    """Creates devices with the platform's own forms (LoRaWAN device, cellular, group…)."""

    @abstractmethod
    def device_forms(self) -> list[FormSpec]:
        """The create forms this platform offers, in menu order."""

    #: how many devices one request can create (EnOS registers up to 1000 sub-devices at
    #: once): above 1, a bulk create sends them together through `create_devices`
    CREATE_BATCH: ClassVar[int] = 1

    @abstractmethod
    async def create_device(self, form: str, values: BaseModel) -> str | Created:
        """Create a device from a validated form (`form` is its id); answers its key, or a
        `Created` when the platform hands back a secret shown only once."""

    async def create_devices(
        self, form: str, values: Sequence[BaseModel]
    ) -> list[str | Created | ApiError]:
        """CREATE_BATCH > 1: create these in one request (at most CREATE_BATCH); per device, in
        order, its key (or `Created`) or the platform's refusal of that one. Raises ApiError
        when the request as a whole fails."""
        raise NotImplementedError(f"{type(self).__name__} creates one device per request")

    def created_key(self, form: str, values: BaseModel) -> str | None:
        """The key a device created from these values will have, when it is known before the
        call (a DevEUI; IoTDA's `{product_id}_{node_id}`): a bulk run looks it up before it
        sends a create again. None when the platform assigns it."""
        return None


class DeviceEditing(ABC):
    """Changes fields of existing devices (a name, tags, connections), one form per change."""

    @abstractmethod
    def device_edit_forms(self) -> list[FormSpec]:
        """The changes this platform offers, each a form whose fields are what it sets."""

    @abstractmethod
    async def edit_device(self, key: str, form: str, values: BaseModel) -> None:
        """Apply one change to one device (an idempotent PUT: sending it twice is harmless)."""


class DeviceCommands(ABC):
    """Sends what a device can receive: a downlink, a command with parameters…"""

    @abstractmethod
    def command_forms(self) -> list[FormSpec]:
        """Every command this platform can send, whatever the device."""

    def device_commands(self, device: DeviceSummary) -> list[FormSpec]:
        """The commands that apply to this device (a list row is enough to tell); none when
        nothing can be sent to it. Every one by default."""
        return self.command_forms()

    @abstractmethod
    async def send_command(self, key: str, form: str, values: BaseModel) -> str:
        """Send one (`form` is its id); answers a one-line account of what was sent."""


class TrafficHistory(ABC):
    """Aggregated uplink/downlink counters of a device over time."""

    #: the histories the console offers, in menu order, each picked by its key; the first
    #: with key "7" is shown first. Hourly buckets for a day, daily ones beyond.
    TRAFFIC_RANGES: ClassVar[tuple[TrafficRange, ...]] = (
        TrafficRange(key="1", label="1 day", duration="P1D", step="PT1H"),
        TrafficRange(key="7", label="7 days", duration="P7D", step="P1D"),
        TrafficRange(key="3", label="30 days", duration="P30D", step="P1D"),
        TrafficRange(key="9", label="90 days", duration="P90D", step="P1D"),
    )

    @abstractmethod
    async def traffic(
        self, key: str, *, duration: str, step: str, timezone: str
    ) -> list[TrafficBucket]:
        """Buckets oldest first; `duration` and `step` are ISO-8601 durations (P7D, PT1H)."""


class Alarms(ABC):
    #: False where alarms are events nobody acknowledges: `acknowledge_alarm` then raises an
    #: ApiError that says so, and the bulk "ack" action is not offered
    ACKNOWLEDGES: ClassVar[bool] = True

    @abstractmethod
    async def list_alarms(
        self, cursor: str | None = None, *, device_key: str | None = None
    ) -> Page[Alarm]: ...

    @abstractmethod
    async def acknowledge_alarm(self, key: str) -> None: ...


#: every column a connection can fill, in order: its field and its default title; the SIM
#: fields (no default title) show only where the platform names them (CONNECTION_LABELS)
CONNECTION_FIELDS: tuple[tuple[str, str | None], ...] = (
    ("name", "Name"),
    ("kind", "Kind"),
    ("iccid", None),
    ("imsi", None),
    ("type", "Type"),
    ("rate_plan", None),
    ("state", "State"),
    ("health", "Health"),
    ("device_count", "Devices"),
    ("device_key", None),
    ("key", "ID"),
)


class Connections(ABC):
    """Where device data goes (application servers, IoT Flow connections, stream definitions…)."""

    #: the platform's words for its kinds of connection: Connection.kind → (one, several)
    CONNECTION_KINDS: ClassVar[dict[str, tuple[str, str]]] = {}
    #: the platform's words for Connection fields, where they differ (e.g. {"type": "Carrier"});
    #: None drops a column. The SIM fields (iccid, imsi, rate_plan, device_key) show only
    #: where a platform names them.
    CONNECTION_LABELS: ClassVar[dict[str, str | None]] = {}

    @abstractmethod
    async def list_connections(self) -> list[Connection]: ...

    @abstractmethod
    def connection_forms(self) -> list[FormSpec]:
        """The create forms of connections this platform offers, in menu order."""

    @abstractmethod
    async def create_connection(self, form: str, values: BaseModel) -> Connection:
        """Create a connection from a validated form (`form` is its id)."""


class Products(ABC):
    """IoTDA-style product models: list, show, create, update (whole body), delete."""

    @abstractmethod
    async def list_products(
        self, cursor: str | None = None, *, name: str | None = None
    ) -> Page[ProductSummary]:
        """One page of products; `name` filters on the server by product name."""

    @abstractmethod
    async def get_product(self, product_id: str) -> Product: ...

    @abstractmethod
    async def create_product(self, product: Product) -> Product:
        """Create it; the answer is the server's copy (with its product_id and create_time)."""

    @abstractmethod
    async def update_product(self, product: Product) -> Product:
        """Replace the product's definition (PUT of the whole body); the server's copy comes back."""

    @abstractmethod
    async def delete_product(self, product_id: str) -> None: ...


class ConnectionSwitching(ABC):
    """Connections that can be turned on or off, and deleted, after they are made."""

    @abstractmethod
    async def set_connection_active(self, key: str, active: bool) -> None:
        """Turn the connection on (data flows) or off (kept, nothing sent); idempotent."""

    @abstractmethod
    async def delete_connection(self, key: str) -> None: ...


class ThingDefinitions(ABC):
    """Templates that things are made from (Telit's thing definitions): list, one in full,
    create from the platform's forms, delete."""

    @abstractmethod
    async def thing_definitions(self) -> list[ThingDefinition]: ...

    @abstractmethod
    async def thing_definition(self, key: str) -> ThingDefinition: ...

    @abstractmethod
    def definition_forms(self) -> list[FormSpec]: ...

    @abstractmethod
    async def create_definition(self, form: str, values: BaseModel) -> str:
        """Create one from a validated form; answers its key."""

    @abstractmethod
    async def delete_thing_definition(self, key: str) -> None: ...


class ApplicationTokens(ABC):
    """Applications whose tokens let gateways connect (Telit): list and create; a new token is
    shown once (`Created.secrets`)."""

    @abstractmethod
    async def applications(self) -> list[Application]: ...

    @abstractmethod
    def application_forms(self) -> list[FormSpec]: ...

    @abstractmethod
    async def create_application(self, form: str, values: BaseModel) -> Created: ...


class ConnectionThings(ABC):
    """Connections that things can be made from (Telit's SIM connections): one by one from a
    form, or automatically for each new connection when the platform's setting says so."""

    @abstractmethod
    def thing_from_connection_form(self) -> FormSpec: ...

    @abstractmethod
    async def create_thing_from_connection(self, connection_key: str, values: BaseModel) -> str:
        """A thing with the connection's identifiers, linked to it; answers its key."""

    @abstractmethod
    async def auto_create_things(self) -> bool:
        """Whether a new connection creates a thing by itself."""

    @abstractmethod
    async def set_auto_create_things(self, on: bool) -> bool: ...

    async def sync_connections(self) -> list[str]:
        """Ask the carriers for new connections now; their keys. Platforms that sync on their own
        schedule refuse it (an ApiError)."""
        raise NotImplementedError


class Gateway(ABC):
    """The account is one gateway device, and the device list is its sub-devices (EnOS): the
    list shows the gateway's identity above them."""

    @abstractmethod
    async def gateway_detail(self) -> DeviceDetail:
        """Who the gateway is and how it is connected, as labelled fields."""


class ConnectionEditing(ABC):
    """Connections whose settings can be changed after they are made."""

    @abstractmethod
    async def connection_edit_form(self, key: str) -> FormSpec:
        """The form that changes this connection, filled with what it holds now (one look-up)."""

    @abstractmethod
    async def edit_connection(self, key: str, form: str, values: BaseModel) -> None:
        """Apply the validated form (`form` is its id) to the connection."""


class Provisioning(ABC):
    """Puts a device on the network, or takes it off, without deleting it."""

    @abstractmethod
    async def provision_device(self, key: str) -> str:
        """Add it to the network; answers the platform's one-line account."""

    @abstractmethod
    async def deprovision_device(self, key: str) -> str:
        """Remove it from the network only (it stays in the directory)."""


class DeviceTags(ABC):
    """Free-text tags on devices."""

    @abstractmethod
    async def set_tags(self, key: str, tags: list[str]) -> list[str]:
        """Put `tags` on the device (an idempotent PUT); answers its tags afterwards."""


class ConfigurationTemplates(ABC):
    """Named configurations (downlink templates) sent to many devices at once."""

    @abstractmethod
    async def configuration_templates(self) -> list[TemplateRef]: ...

    @abstractmethod
    async def send_configuration_template(self, template: str, keys: list[str]) -> str:
        """Send template `template` to the devices `keys`; answers a one-line account."""


class BaseStations(ABC):
    """The gateways of the network, and where they stand."""

    @abstractmethod
    async def list_base_stations(self) -> list[BaseStation]: ...

    @abstractmethod
    async def get_base_station(self, key: str) -> BaseStation: ...

    @abstractmethod
    async def set_base_station_location(
        self, key: str, location: BaseStationLocation
    ) -> BaseStation: ...


class DeviceLogs(ABC):
    """A device's history, in the kinds of log the platform keeps, each paged."""

    #: log kind → its title, in menu order (e.g. {"decoded": "Decoded values"})
    LOG_KINDS: ClassVar[dict[str, str]] = {}

    @abstractmethod
    async def device_log(self, key: str, kind: str, cursor: str | None = None) -> Page[LogEntry]:
        """One page of the log `kind` of a device, newest first where the vendor says so."""


class PlatformStatus(ABC):
    """The platform's own health, for the header."""

    @abstractmethod
    async def status(self) -> PlatformHealth: ...
