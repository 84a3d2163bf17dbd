"""The Proximus MyThings adapter (EnCo API Solutions): things, downlinks, logs, streams, status.

Every endpoint of the vendor page, under `{host}/mythings/1.1.0`, with a bearer token from
`POST {host}/token` (OAuth2 client credentials, 1 h tokens, one active token per application)
or a permanent token from the profile. Things are the devices of the shared list; triggered
business rules are its alarms; stream definitions its connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import ssl
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, BeforeValidator, TypeAdapter

from tui.api.errors import ApiError, require_key
from tui.api.forms import Choice, FormSpec, KeySpec
from tui.api.http import (
    Answer,
    ApiClient,
    ClientCredentialsAuth,
    ErrorBody,
    RetryPolicy,
    make_client,
)
from tui.api.models import (
    Alarm,
    BaseStation,
    BaseStationLocation,
    Connection,
    ConnectivityPlan,
    DetailField,
    DetailSection,
    DeviceDetail,
    DeviceModel,
    DeviceSummary,
    LogEntry,
    PlatformHealth,
    TemplateRef,
    TrafficBucket,
    TrafficRange,
)
from tui.api.paging import Page
from tui.api.platform import (
    Alarms,
    BaseStations,
    ConfigurationTemplates,
    ConnectionEditing,
    Connections,
    ConnectionSwitching,
    DeviceCommands,
    DeviceCreation,
    DeviceDirectory,
    DeviceEditing,
    DeviceLogs,
    DeviceTags,
    HttpPlatform,
    Identity,
    PlatformStatus,
    Provisioning,
    TrafficHistory,
)
from tui.api.platforms.mythings_forms import (
    AbpKeysChange,
    ConfigurationTemplateCommand,
    DescriptionChange,
    LocationChange,
    MyThingsDownlink,
    OtaaKeysChange,
    PublicChange,
    StreamDefinitionCreate,
    StreamDefinitionEdit,
    StreamDefinitionUpdate,
    TagsReplace,
    ThingAbpCreate,
    ThingEthernetCreate,
    ThingNameChange,
    ThingOtaaCreate,
)
from tui.api.wire import Count, Key, WireModel, object_body

__all__ = [
    "API",
    "COUNT_INTERVALS",
    "REVOKE_PATH",
    "TOKEN_PATH",
    "MyThings",
    "alarm_from_triggered",
    "base_station_from_body",
    "connection_from_stream",
    "device_detail_from_thing",
    "device_summary_from_thing",
    "parse_error",
]

NAME = "mythings"
API = "/mythings/1.1.0"
TOKEN_PATH = "/token"
REVOKE_PATH = "/revoke"
#: GET …/logs/*/count intervals, and the traffic step (ISO-8601) each one is
#: the most containers whose latest value a thing's "latest" log asks for
LATEST_CONTAINERS = 100
COUNT_INTERVALS = {"HOURLY": "PT1H", "DAILY": "P1D", "WEEKLY": "P7D", "MONTHLY": "P1M"}
#: How many reserved device addresses the ABP form offers to pick from
ADDRESS_CHOICES = 20


# ---------------------------------------------------------------- errors


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def parse_error(body: Any) -> ErrorBody:
    """Read a MyThings error, from whichever layer of api.enco.io answered:

    - the API gateway (WSO2): `{"fault": {"code": 900901, "message", "description"}}`;
    - the token endpoint: `{"error": "invalid_client", "error_description"}`;
    - the back end: `{"code", "message", "errors": [{"field", "message"}]}` (DownlinkResponse,
      validation), or Spring's `{"status", "error", "message"}`.

    Field errors the message does not already say are appended as the vendor words them
    (`keys.applicationKey: ApplicationKey must be 32 characters`)."""
    if not isinstance(body, dict):
        return ErrorBody(None, None)
    fault = body.get("fault")
    if isinstance(fault, dict):
        said = [t for t in (_text(fault.get("message")), _text(fault.get("description"))) if t]
        return ErrorBody(_text(fault.get("code")), ": ".join(said) or None)
    code = _text(body.get("code"))
    message = _text(body.get("message"))
    error = _text(body.get("error"))
    if error is not None:
        if "error_description" in body:  # OAuth2: the error is the code
            code = code or error
            message = message or _text(body.get("error_description")) or error
        else:  # Spring: the error is the reason phrase
            message = message or error
    details: list[str] = []
    errors = body.get("errors")
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict):
                said = _text(item.get("message")) or _text(item.get("defaultMessage"))
                where = _text(item.get("field"))
                if said and said not in (message or ""):
                    details.append(f"{where}: {said}" if where else said)
            elif isinstance(item, str) and item and item not in (message or ""):
                details.append(item)
    if details:
        message = "; ".join([message, *details] if message else details)
    return ErrorBody(code, message, _text(body.get("requestId")))


# ---------------------------------------------------------------- the vendor's wire shapes


def _as_text(value: Any) -> Any:
    # The page types coordinates and flags as strings; servers send numbers and booleans too.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


def _as_flag(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "false", "0"}:
        return value.strip().lower() in {"true", "1"}
    if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
        return bool(value)
    return value


#: A string the page types as one, read from a number too
Text = Annotated[str, BeforeValidator(_as_text)]
#: A flag the page types as a string ("true"/"false") or 0/1, read as a bool
Flag = Annotated[bool, BeforeValidator(_as_flag)]


class _Location(WireModel):
    latitude: Text | None = None
    longitude: Text | None = None
    locationFN1: str | None = None
    locationFN2: str | None = None
    name: str | None = None
    timestamp: Text | None = None


class _AppSKey(WireModel):
    applicationSessionKey: str | None = None
    port: Text | None = None


class _KeysAbp(WireModel):
    applicationSessionkeys: list[_AppSKey] | None = None
    networkSessionKey: str | None = None


class _KeysOtaa(WireModel):
    applicationEUI: str | None = None
    applicationKey: str | None = None


class _Technology(WireModel):
    activationType: str | None = None
    deviceAddress: str | None = None
    keysLoRaABP: _KeysAbp | None = None
    keysLoRaOTAA: _KeysOtaa | None = None
    networkReady: Flag | None = None
    provisioned: Flag | None = None


class _Thing(WireModel):
    """A ThingResource: `thingIdentifier` is the only field the page requires."""

    thingIdentifier: Key
    thingName: str | None = None
    thingId: Key | None = None
    companyId: int | None = None
    companyName: str | None = None
    connectivityPlan: str | None = None
    connectivityType: str | None = None
    description: str | None = None
    insertionDate: Text | None = None
    iotProduct: str | None = None
    isPublic: Flag | None = None
    lastModifiedDate: Text | None = None
    lastlocation: _Location | None = None
    motionIndicator: str | None = None
    tags: list[str] | None = None
    technologyDetails: _Technology | None = None
    thingKeysLoRaABP: _KeysAbp | None = None
    thingKeysLoRaOTAA: _KeysOtaa | None = None
    thingType: str | None = None
    vendor: str | None = None


_THINGS = TypeAdapter(list[_Thing])

#: Where a listing of a collection may be wrapped, when it is not a bare array
_WRAPPERS = ("content", "results", "things", "items", "data")


def _listing(body: Any) -> list[Any]:
    """A collection answer: a bare array, or one wrapped in an object (PageResource's
    `content`…); ValueError for anything else."""
    if isinstance(body, dict):
        body = next((body[n] for n in _WRAPPERS if isinstance(body.get(n), list)), body)
    if not isinstance(body, list):
        raise ValueError("the body: expected a list")
    return body


def _when(value: Any) -> datetime | None:
    """A vendor time: ISO-8601 text (with or without zone: UTC then) or epoch milliseconds."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()):
        try:
            return datetime.fromtimestamp(float(value) / 1000.0, tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _provisioning(thing: _Thing) -> str | None:
    tech = thing.technologyDetails
    if tech is None or tech.provisioned is None:
        return None
    if not tech.provisioned:
        return "not provisioned"
    return "network ready" if tech.networkReady else "provisioned"


def _summary(thing: _Thing) -> DeviceSummary:
    key = thing.thingIdentifier
    tech = thing.technologyDetails
    model = thing.thingType
    if model and thing.vendor:
        model = f"{model} · {thing.vendor}"
    # A ThingResource says when the thing was last changed, not when it was last heard from:
    # no last activity is made up from it.
    return DeviceSummary(
        key=key,
        name=thing.thingName or key,
        eui=key or None,
        connectivity=thing.connectivityType or None,
        activation=(tech.activationType if tech else None) or None,
        model=model or None,
        connection=thing.connectivityPlan or None,
        health=_provisioning(thing),
    )


def device_summary_from_thing(body: dict[str, Any]) -> DeviceSummary:
    """One ThingResource as a list row keyed by its thing identifier."""
    return _summary(_Thing.model_validate(body))


_IDENTITY = (
    "thingIdentifier", "thingName", "thingId", "description", "thingType", "vendor", "iotProduct",
    "connectivityType", "connectivityPlan", "companyId", "companyName", "isPublic",
    "motionIndicator", "serialNumber",
)  # fmt: skip
_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Identity", _IDENTITY),
    ("Location", ("lastlocation", "latitude", "longitude", "locationFN1", "locationFN2")),
    ("Provisioning", ("technologyDetails",)),
    ("Tags", ("tags",)),
    ("Keys", ("thingKeysLoRaABP", "thingKeysLoRaOTAA", "keysLoRaABP", "keysLoRaOTAA", "keys")),
    ("Timestamps", ("insertionDate", "lastModifiedDate")),
)
#: Keys and anything under them are masked until revealed.
_SECRET = re.compile(r"(?i)(key|secret|password)(?!.*(eui|port))")
_TIME = re.compile(r"(?i)(date|timestamp)$")


def _leaf(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if _TIME.search(name) and (when := _when(value)) is not None:
        return when.strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _fields(label: str, name: str, value: Any, secret: bool) -> Iterator[DetailField]:
    """Nested objects become dotted labels, lists of objects get an index; a key (and what is
    under it) is secret, its EUI and port are not."""
    secret = secret or bool(_SECRET.search(name))
    if isinstance(value, dict):
        if not value:
            yield DetailField(label=label, value="—")
        for key, inner in value.items():
            yield from _fields(
                f"{label}.{key}", str(key), inner, secret and "key" in str(key).lower()
            )
    elif isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            shown = ", ".join(_leaf(name, v) for v in value) or "—"
            yield DetailField(label=label, value=shown, secret=secret)
        else:
            for index, inner in enumerate(value):
                yield from _fields(f"{label}[{index}]", name, inner, secret)
    else:
        yield DetailField(label=label, value=_leaf(name, value), secret=secret)


def device_detail_from_thing(body: dict[str, Any], key: str | None = None) -> DeviceDetail:
    """A ThingResource in sections (identity, location, provisioning, tags, keys as secret
    fields, timestamps, then anything else); `key` is the identifier it was asked by."""
    summary = _summary(_Thing.model_validate({"thingIdentifier": key or "", **body}))
    sections: list[DetailSection] = []
    placed: set[str] = set()
    for title, names in _SECTIONS:
        found = [f for n in names if n in body for f in _fields(n, n, body[n], False)]
        placed.update(names)
        if found:
            sections.append(DetailSection(title=title, fields=found))
    other = [f for n, v in body.items() if n not in placed for f in _fields(n, n, v, False)]
    if other:
        sections.append(DetailSection(title="Other", fields=other))
    return DeviceDetail(
        key=summary.key, name=summary.name, summary=summary, sections=sections, raw=body
    )


class StatusMessage(WireModel):
    """StatusMessageDTO: what provision, deprovision and a container's deletion answer."""

    message: str | None = None
    status: Text | None = None

    @property
    def account(self) -> str:
        return " · ".join(t for t in (self.status, self.message) if t) or "done"


def _status_message(body: Any) -> str:
    return StatusMessage.model_validate(body if body is not None else {}).account


class Container(WireModel):
    container: str | None = None
    containerId: int | None = None
    name: str | None = None
    type: str | None = None


class ThingContainers(WireModel):
    """ThingContainerResource: a thing's type and its containers."""

    connectivityType: str | None = None
    containers: list[Container] | None = None
    thingType: str | None = None
    thingTypeVersion: Text | None = None
    vendor: str | None = None
    vendorReference: str | None = None


class ContainerValue(WireModel):
    """ThingContainerValueResource: one value of a container."""

    container: str | None = None
    thingType: str | None = None
    timestamp: int | None = None
    value: Text | None = None


class DeviceAddresses(WireModel):
    """DeviceAddressResponse."""

    amount: int | None = None
    companyId: int | None = None
    devAddresses: list[str] = []


class ThingType(WireModel):
    """ThingTypeDTO; the page shows no id, a server that sends one (`id`, `thingTypeId`) is read."""

    connectivityType: str | None = None
    name: str | None = None
    vendor: str | None = None
    vendorReference: str | None = None
    version: int | None = None
    id: Key | None = None
    thingTypeId: Key | None = None

    @property
    def key(self) -> str | None:
        return self.thingTypeId or self.id


class ContainerDefinition(WireModel):
    """ContainerDefinitionDTO."""

    connectivityType: str | None = None
    container: str | None = None
    name: str | None = None
    thingTypeName: str | None = None
    vendor: str | None = None


class _Plan(WireModel):
    assignedthings: int | None = None
    connectivitytype: str | None = None
    id: Key | None = None
    name: str | None = None


class _PlanResult(WireModel):
    companyName: str | None = None
    connectivityPlans: list[_Plan] | None = None
    subscriberId: Key | None = None


class _Vendor(WireModel):
    name: str | None = None


class _Template(WireModel):
    name: str | None = None
    uid: Key | None = None


class _DownlinkResponse(WireModel):
    code: Key | None = None
    errors: list[Any] | None = None
    message: str | None = None


class _BaseStation(WireModel):
    basestationId: Key | None = None
    basestationName: str | None = None
    companyId: int | None = None
    companyName: str | None = None
    firmware: str | None = None
    lastRestart: Text | None = None
    location: _Location | None = None
    state: str | None = None


def _base_station(body: dict[str, Any]) -> BaseStation:
    station = _BaseStation.model_validate(body)
    key = station.basestationId or ""
    where = station.location or _Location()
    return BaseStation(
        key=key,
        name=station.basestationName or key,
        state=station.state,
        firmware=station.firmware,
        last_restart=_when(station.lastRestart),
        latitude=where.latitude,
        longitude=where.longitude,
        location_name=where.name or where.locationFN1,
        company=station.companyName,
        raw=body,
    )


def base_station_from_body(body: Any) -> BaseStation:
    """A BaseStationResponse."""
    return _base_station(object_body(body))


class _Stream(WireModel):
    """A stream definition (`streamrequest`, plus the id and name a listing needs)."""

    id: Key | None = None
    streamDefinitionId: Key | None = None
    name: str | None = None
    type: str | None = None
    url: str | None = None
    active: Flag | None = None
    contentType: str | None = None
    companyId: Key | None = None

    @property
    def key(self) -> str:
        return self.streamDefinitionId or self.id or ""


class _Header(WireModel):
    key: str | None = None
    value: str | None = None


class _StreamSettings(_Stream):
    """What a stream definition's edit form starts from."""

    headers: list[_Header] | None = None
    userName: str | None = None


def _stream(stream: _Stream) -> Connection:
    state = None if stream.active is None else ("active" if stream.active else "inactive")
    return Connection(
        key=stream.key,
        name=stream.name or stream.url or stream.key,
        kind="stream",
        type=stream.type or None,
        state=state,
    )


def connection_from_stream(body: dict[str, Any]) -> Connection:
    """A stream definition as a connection keyed by its id."""
    return _stream(_Stream.model_validate(body))


class _Rule(WireModel):
    name: str | None = None
    action: str | None = None
    operator: str | None = None
    threshold: float | None = None


class _RuleThing(WireModel):
    name: str | None = None
    thingIdentifier: Key | None = None
    thingType: str | None = None


class _TriggeredBy(WireModel):
    thingGroupName: str | None = None
    triggeredContainer: Container | None = None
    triggeredThingDTO: _RuleThing | None = None
    value: Text | None = None


class _Triggered(WireModel):
    businessRuleDTO: _Rule | None = None
    businessRuleId: Key | None = None
    company: str | None = None
    timestamp: int | None = None
    triggeredByDTO: _TriggeredBy | None = None


def _alarm(rule: _Triggered) -> Alarm:
    by = rule.triggeredByDTO or _TriggeredBy()
    thing = by.triggeredThingDTO or _RuleThing()
    container = by.triggeredContainer
    where = (container.name or container.container) if container else None
    said = f"{where} = {by.value}" if where and by.value is not None else by.value
    name = rule.businessRuleDTO.name if rule.businessRuleDTO else None
    raised = _when(rule.timestamp)
    # A triggered rule has no id of its own: the rule and the moment name it.
    key = f"{rule.businessRuleId or '?'}@{rule.timestamp if rule.timestamp is not None else '?'}"
    return Alarm(
        key=key,
        device_key=thing.thingIdentifier or None,
        device_name=thing.name or by.thingGroupName or None,
        type=name or (f"rule {rule.businessRuleId}" if rule.businessRuleId else None),
        state="TRIGGERED",
        raised_at=raised,
        occurred_at=raised,
        message=said or None,
    )


def alarm_from_triggered(body: dict[str, Any]) -> Alarm:
    """A triggeredBusinessRule as an alarm: the rule, the thing, the container and the value."""
    return _alarm(_Triggered.model_validate(body))


T = TypeVar("T")


class _PageResource(WireModel, Generic[T]):
    """A page-number page (`PageResource`): Spring's `number`, `last`, `totalPages`."""

    content: list[T]
    number: Count = None
    last: bool | None = None
    totalPages: Count = None
    totalElements: Count = None

    def next_page(self, asked: int) -> int | None:
        """The number of the page after this one, None at the end. The page is the one
        asked for unless it says otherwise."""
        number = self.number if self.number is not None else asked
        if self.last is True:
            return None
        if self.last is False:
            return number + 1
        if self.totalPages is not None:
            return number + 1 if number + 1 < self.totalPages else None
        return None  # nothing says there is more


class _Count(WireModel):
    count: Count = None
    startTime: Text
    endTime: Text | None = None


class _LocationHistory(WireModel):
    date: int | None = None
    created_on: Text | None = None
    data: list[dict[str, Any]] | None = None
    sensor: dict[str, Any] | None = None


class _SensorHistory(WireModel):
    date: int | None = None
    container: Container | None = None
    data: list[dict[str, Any]] | None = None


class _NetworkData(WireModel):
    time: int | None = None
    timeStr: str | None = None
    createdOn: Text | None = None
    type: str | None = None
    mType: Text | None = None
    fport: Text | None = None
    payload_hex: str | None = None
    fcntUp: Text | None = None
    fcntDn: Text | None = None
    lrrRSSI: Text | None = None
    lrrSNR: Text | None = None
    spFact: Text | None = None
    devLrrCnt: Text | None = None


def _decimal(text: str | None, digits: int = 1) -> str | None:
    """ "-95.000000" → "-95.0"; what is not a number is kept as the server wrote it."""
    if text is None or not str(text).strip():
        return None
    try:
        return f"{float(text):.{digits}f}"
    except ValueError:
        return str(text)


def _data_value(data: list[dict[str, Any]] | None) -> tuple[str, datetime | None]:
    """The value and time of the first `Data` of a history entry."""
    first = next((d for d in data or () if isinstance(d, dict)), None)
    if first is None:
        return "", None
    at = _when(first.get("ts") if first.get("ts") is not None else first.get("time"))
    if first.get("latitude") is not None or first.get("longitude") is not None:
        return f"{first.get('latitude')}, {first.get('longitude')}", at
    value = first.get("value")
    return ("" if value is None else str(value)), at


def _decoded_entry(raw: dict[str, Any]) -> LogEntry:
    entry = _SensorHistory.model_validate(raw)
    value, at = _data_value(entry.data)
    where = entry.container
    return LogEntry(
        at=at or _when(entry.date),
        source=(where.name or where.container) if where else None,
        value=value,
        raw=raw,
    )


def _network_entry(raw: dict[str, Any]) -> LogEntry:
    frame = _NetworkData.model_validate(raw)
    at = _when(frame.time) or _when(frame.createdOn) or _when(frame.timeStr)
    rssi, snr = _decimal(frame.lrrRSSI), _decimal(frame.lrrSNR)
    radio = [
        f"RSSI {rssi} dBm" if rssi else "",
        f"SNR {snr} dB" if snr else "",
        f"SF{frame.spFact}" if frame.spFact else "",
        f"{frame.devLrrCnt} gw" if frame.devLrrCnt else "",
        f"fcnt {frame.fcntUp}" if frame.fcntUp else "",
    ]
    frame_text = " ".join(
        p for p in (f"fPort {frame.fport}" if frame.fport else "", frame.payload_hex or "") if p
    )
    parts = [" · ".join(p for p in radio if p), frame_text]
    return LogEntry(
        at=at,
        source=frame.type or (f"mType {frame.mType}" if frame.mType else None),
        value="  ".join(p for p in parts if p),
        raw=raw,
    )


def _location_entry(raw: dict[str, Any]) -> LogEntry:
    entry = _LocationHistory.model_validate(raw)
    value, at = _data_value(entry.data)
    return LogEntry(
        at=at or _when(entry.date) or _when(entry.created_on),
        source="location",
        value=value,
        raw=raw,
    )


#: log kind → (title, path under the thing, row reader)
_LOGS: dict[str, tuple[str, str, Callable[[dict[str, Any]], LogEntry]]] = {
    "decoded": ("Decoded values", "logs/decoded", _decoded_entry),
    "network": ("Network frames", "logs/network", _network_entry),
    "locations": ("Locations", "locations", _location_entry),
}


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


_DURATION = re.compile(r"P(?:(\d+)W)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?")


def _duration(text: str) -> timedelta:
    """An ISO-8601 duration of weeks, months (30 days), days, hours and minutes."""
    match = _DURATION.fullmatch(text.strip().upper())
    if not match or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"not a duration fleet reads: {text!r}")
    weeks, months, days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=30 * months + days, hours=hours, minutes=minutes)


def _interval(step: str) -> str:
    """The count interval of a traffic step: the largest of HOURLY…MONTHLY not above it."""
    size = _duration(step)
    chosen = "HOURLY"
    for interval, iso in COUNT_INTERVALS.items():
        if _duration(iso) <= size:
            chosen = interval
    return chosen


def _thing_path(key: str) -> str:
    return f"{API}/things/{quote(require_key(NAME, key, 'the thing'), safe='')}"


def _segment(value: str, what: str) -> str:
    return quote(require_key(NAME, value, what), safe="")


# ---------------------------------------------------------------- auth


class _Tokens(ClientCredentialsAuth):
    """The client-credentials token, which `MyThings.revoke()` hands back and forgets."""

    @property
    def current(self) -> str | None:
        return self._token.value if self._token is not None else None

    def forget(self) -> None:
        self._token = None


class _PermanentToken(httpx.Auth):
    """A permanent token of the EnCo dashboard: the same bearer on every request, no token call."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("a permanent token is needed")
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


# ---------------------------------------------------------------- the adapter

R = TypeVar("R")


class MyThings(
    HttpPlatform,
    DeviceDirectory,
    DeviceCreation,
    DeviceEditing,
    DeviceCommands,
    Connections,
    ConnectionSwitching,
    ConnectionEditing,
    Alarms,
    TrafficHistory,
    Provisioning,
    DeviceTags,
    ConfigurationTemplates,
    BaseStations,
    DeviceLogs,
    PlatformStatus,
    Identity,
):
    """One MyThings company, reached with an application's client credentials or a permanent
    token."""

    name: ClassVar[str] = NAME
    title: ClassVar[str] = "Proximus MyThings"
    # A LoRa thing's identifier is its DevEUI (16 hex digits); an Ethernet thing's is its own.
    # Not upper-cased: identifiers are used as the platform lists them.
    DEVICE_KEY: ClassVar[KeySpec] = KeySpec(
        "thing identifier",
        r"[A-Za-z0-9_.:-]{1,64}",
        hint="a LoRa DevEUI (16 hex digits) or an Ethernet thing's identifier",
        placeholder="1234ABCDABCD3333",
    )
    #: `query` goes to the vendor's `thingName` filter
    SERVER_LOOKUP: ClassVar[str | None] = "name"
    # The overview's search: a thing by its identifier (GET /things/{thingIdentifier}, a LoRa
    # thing's DevEUI) and by name (`thingName`); the vendor's list has no other filter.
    LOOKUPS: ClassVar[tuple[str, ...]] = ("key", "name")
    DEVICE_LABELS: ClassVar[dict[str, str | None]] = {
        "eui": "Thing identifier",
        "connectivity": "Connectivity type",
        "activation": "Activation",
        "model": "Thing type",
        "connection": "Connectivity plan",
        "health": "Provisioning",
        "last_activity": None,
    }
    CONNECTION_KINDS: ClassVar[dict[str, tuple[str, str]]] = {
        "stream": ("stream definition", "stream definitions"),
    }
    ACKNOWLEDGES: ClassVar[bool] = False
    # The network log is counted HOURLY, DAILY, WEEKLY or MONTHLY: a range for each.
    TRAFFIC_RANGES: ClassVar[tuple[TrafficRange, ...]] = (
        TrafficRange(key="1", label="1 day", duration="P1D", step="PT1H"),
        TrafficRange(key="7", label="7 days", duration="P7D", step="P1D"),
        TrafficRange(key="3", label="30 days", duration="P30D", step="P1D"),
        TrafficRange(key="w", label="13 weeks", duration="P13W", step="P1W"),
        TrafficRange(key="y", label="12 months", duration="P12M", step="P1M"),
    )
    # The latest value of each container first (one call per container of the thing's type),
    # then the histories the vendor pages.
    LOG_KINDS: ClassVar[dict[str, str]] = {
        "latest": "Latest per container",
        **{kind: spec[0] for kind, spec in _LOGS.items()},
    }

    def __init__(
        self,
        base_url: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        token: str | None = None,
        company_id: int | None = None,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Either `client_id` + `client_secret` (tokens asked for as needed) or a permanent
        `token`. `company_id` is the company things and streams are created in."""
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.company_id = company_id
        self._client_secret = client_secret
        self.auth: httpx.Auth
        if token:
            self.auth = _PermanentToken(token)
        elif client_id and client_secret:
            token_url = self.base_url + TOKEN_PATH

            def token_request() -> httpx.Request:
                # As the vendor's curl example sends it: everything in the query string.
                return httpx.Request(
                    "POST",
                    token_url,
                    params={
                        "grant_type": "client_credentials",
                        "scope": "openid",
                        "client_id": client_id,
                        "client_secret": client_secret,
                        "Accept": "application/json",
                    },
                    headers={
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Accept": "application/json",
                    },
                )

            self.auth = _Tokens(NAME, token_request, parse_error=parse_error)
        else:
            raise ValueError("MyThings needs a client id and secret, or a permanent token")
        self._api: ApiClient = make_client(
            NAME,
            self.base_url,
            parse_error=parse_error,
            auth=self.auth,
            verify=verify,
            retry=retry,
            secrets=(client_secret, token),
            username=client_id,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"MyThings(base_url={self.base_url!r}, client_id={self.client_id!r})"

    # ------------------------------------------------------------ plumbing

    async def _answer(self, method: str, path: str, **kwargs: Any) -> Answer:
        return await self._api.answer(method, path, **kwargs)

    async def _read(self, method: str, path: str, parse: Callable[[Any], R], **kwargs: Any) -> R:
        return (await self._answer(method, path, **kwargs)).read(parse)

    def _company(self, what: str) -> int:
        if self.company_id is None:
            raise ApiError(NAME, f"the profile has no company_id: MyThings needs it to {what}")
        return self.company_id

    async def _page_resource(
        self,
        path: str,
        row: Callable[[dict[str, Any]], R],
        cursor: str | None,
        params: dict[str, Any],
    ) -> Page[R]:
        """One page of a page-number list (`PageResource`); the cursor is the next page's
        number, as text. A bare array is one whole page."""
        asked = _page_number(cursor)
        if cursor is not None:
            params = {**params, "page": asked}
        answer = await self._answer("GET", path, params=params)

        def read(body: Any) -> Page[R]:
            if isinstance(body, list):
                return Page[R](items=[row(object_body(b)) for b in body])
            page = _PageResource[dict[str, Any]].model_validate(body)
            after = page.next_page(asked)
            return Page[R](
                items=[row(b) for b in page.content],
                cursor=None if after is None else str(after),
                total=page.totalElements if cursor is None else None,
            )

        return answer.read(read)

    # ------------------------------------------------------------ auth

    async def revoke(self) -> bool:
        """Revoke the current access token (`POST /revoke`); the next call asks for a new one.
        False when there was none to revoke. A permanent token is deleted from the EnCo
        dashboard, not here: an ApiError says so."""
        if not isinstance(self.auth, _Tokens):
            raise ApiError(
                NAME, "a permanent token is revoked from the EnCo dashboard, not by fleet"
            )
        token = self.auth.current
        if token is None:
            return False
        form = {
            "token": token,
            "client_id": self.client_id or "",
            "client_secret": self._client_secret or "",
        }
        try:
            # The revocation form authenticates itself: no bearer token goes with it.
            await self._api.answer("POST", REVOKE_PATH, data=form, auth=None)
        except ApiError as exc:
            # A success whose body is no JSON (an empty "OK") revoked the token all the same.
            if exc.status is None or not 200 <= exc.status < 300:
                raise
        self.auth.forget()
        return True

    # ------------------------------------------------------------ things

    async def list_things(
        self,
        cursor: str | None = None,
        *,
        thing_name: str | None = None,
        tags: list[str] | None = None,
        last_activity: datetime | None = None,
        modified_since: datetime | None = None,
        is_public: bool | None = None,
        results: int | None = None,
    ) -> Page[DeviceSummary]:
        """GET /things with the vendor's search criteria, each optional."""
        params: dict[str, Any] = {}
        if thing_name:
            params["thingName"] = thing_name
        if tags:
            params["tags"] = list(tags)
        if last_activity is not None:
            params["lastActivity"] = _iso(last_activity)
        if modified_since is not None:
            params["modifiedSince"] = _iso(modified_since)
        if is_public is not None:
            params["isPublic"] = "true" if is_public else "false"
        if results is not None:
            params["results"] = results
        return await self._page_resource(
            f"{API}/things", lambda b: _summary(_Thing.model_validate(b)), cursor, params
        )

    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        """Every thing in one answer (the vendor does not page things). `query` is an exact
        thing name: the vendor's `thingName` filter may match more (the page does not say how
        it matches), so its answer is narrowed to the name itself."""
        name = (query or "").strip() or None
        page = await self.list_things(cursor, thing_name=name)
        if name is None:
            return page
        exact = [thing for thing in page.items if thing.name == name]
        total = page.total if len(exact) == len(page.items) else None
        return page.model_copy(update={"items": exact, "total": total})

    async def whoami(self) -> str:
        """The application whose client credentials the token endpoint accepted (or the
        permanent token), proved by one authenticated call (the status); the company things
        are created in when the profile names one. MyThings' token answer names no one else."""
        await self.status()
        if self.client_id and isinstance(self.auth, _Tokens):
            who = f"application {self.client_id}"
        else:
            who = "a permanent token of the EnCo dashboard"
        if self.company_id is not None:
            who += f", company {self.company_id}"
        return who

    async def get_device(self, key: str) -> DeviceDetail:
        path = _thing_path(key)
        return await self._read(
            "GET", path, lambda body: device_detail_from_thing(object_body(body), key.strip())
        )

    async def delete_device(self, key: str) -> None:
        await self._api.request("DELETE", _thing_path(key))

    async def create_thing(
        self, spec: ThingAbpCreate | ThingOtaaCreate | ThingEthernetCreate
    ) -> DeviceDetail:
        """POST /things (ThingCreateRequest) in the profile's company."""
        body = spec.body(self._company("create things"))
        answer = await self._answer("POST", f"{API}/things", json=body, secrets=spec.secrets)
        return answer.read(
            lambda b: device_detail_from_thing(
                b if isinstance(b, dict) else {}, spec.thing_identifier
            )
        )

    async def update_thing(
        self, key: str, body: dict[str, Any], secrets: tuple[str, ...] = ()
    ) -> DeviceDetail:
        """PUT /things/{thingIdentifier} with a ThingUpdateRequest (only the fields to change)."""
        path = _thing_path(key)
        answer = await self._answer("PUT", path, json=body, secrets=secrets)
        return answer.read(
            lambda b: device_detail_from_thing(b if isinstance(b, dict) else {}, key.strip())
        )

    async def provision_device(self, key: str) -> str:
        return await self._read("POST", f"{_thing_path(key)}/provision", _status_message)

    async def deprovision_device(self, key: str) -> str:
        return await self._read("DELETE", f"{_thing_path(key)}/deprovision", _status_message)

    async def set_tags(self, key: str, tags: list[str]) -> list[str]:
        answer = await self._answer("PUT", f"{_thing_path(key)}/tags", json=list(tags))

        def read(body: Any) -> list[str]:
            if body is None:
                return list(tags)
            return _Thing.model_validate({"thingIdentifier": key, **object_body(body)}).tags or []

        return answer.read(read)

    async def thing_type(self, key: str) -> ThingContainers:
        """GET /things/{thingIdentifier}/type: the thing's type and containers."""
        return await self._read("GET", f"{_thing_path(key)}/type", ThingContainers.model_validate)

    async def delete_container(self, key: str, container: str) -> str:
        path = f"{_thing_path(key)}/{_segment(container, 'the container')}"
        return await self._read("DELETE", path, _status_message)

    async def container_values(
        self,
        key: str,
        container: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        results: int | None = None,
    ) -> list[ContainerValue]:
        path = f"{_thing_path(key)}/type/{_segment(container, 'the container')}/values"
        params: dict[str, Any] = {}
        if start is not None:
            params["startTime"] = _iso(start)
        if end is not None:
            params["endTime"] = _iso(end)
        if results is not None:
            params["results"] = results
        return await self._read(
            "GET",
            path,
            lambda b: [ContainerValue.model_validate(v) for v in _listing(b)],
            params=params,
        )

    async def latest_values(self, key: str) -> list[LogEntry]:
        """The newest value of each container of the thing's type, in the type's order (a
        container that never reported shows with no time and no value)."""
        containers = (await self.thing_type(key)).containers or []
        # A type has a handful of containers; past LATEST_CONTAINERS an answer is not believed.
        # The path names a container by its name (`containerName`), as the vendor page says.
        named = [c for c in containers if c.name or c.container][:LATEST_CONTAINERS]
        names = [c.name or c.container or "" for c in named]
        gate = asyncio.Semaphore(8)

        async def newest_of(name: str) -> list[ContainerValue]:
            async with gate:
                return await self.container_values(key, name, results=1)

        newest = await asyncio.gather(*(newest_of(n) for n in names))
        entries = []
        for name, values in zip(names, newest, strict=True):
            value = values[0] if values else None
            entries.append(
                LogEntry(
                    at=_when(value.timestamp) if value else None,
                    source=name,
                    value="" if value is None or value.value is None else str(value.value),
                    raw=value.model_dump(mode="json") if value else {},
                )
            )
        return entries

    # ------------------------------------------------------------ logs and counts

    async def device_log(
        self, key: str, kind: str, cursor: str | None = None, *, timeframe: int | None = None
    ) -> Page[LogEntry]:
        """One page of a thing's decoded values, network frames or locations; "latest" is the
        newest value of each of its containers, one page."""
        if kind == "latest":
            return Page[LogEntry](items=await self.latest_values(key))
        if kind not in _LOGS:
            raise ValueError(f"no log kind {kind!r}: one of {', '.join(_LOGS)}")
        _, where, row = _LOGS[kind]
        params = {"timeframe": timeframe} if timeframe is not None else {}
        return await self._page_resource(f"{_thing_path(key)}/{where}", row, cursor, params)

    async def log_counts(
        self,
        key: str,
        kind: str,
        interval: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[TrafficBucket]:
        """GET …/logs/{decoded|network}/count: how many lines per interval, oldest first (in
        `up`); only the network count takes a start and an end."""
        if kind not in ("decoded", "network"):
            raise ValueError("counts exist for the decoded and the network logs")
        interval = interval.upper()
        if interval not in COUNT_INTERVALS:
            raise ValueError(f"interval is one of {', '.join(COUNT_INTERVALS)}")
        params: dict[str, Any] = {"interval": interval}
        if kind == "network":
            if start is not None:
                params["startTime"] = _iso(start)
            if end is not None:
                params["endTime"] = _iso(end)
        path = f"{_thing_path(key)}/logs/{kind}/count"
        buckets = await self._read("GET", path, _count_buckets, params=params)
        return sorted(buckets, key=lambda b: b.start)

    async def traffic(
        self, key: str, *, duration: str, step: str, timezone: str
    ) -> list[TrafficBucket]:
        """Network frames per HOURLY/DAILY/WEEKLY/MONTHLY interval (the step's) over the last
        `duration`; the counts are the platform's, in its own time zone."""
        try:
            span, interval = _duration(duration), _interval(step)
        except ValueError as exc:
            raise ApiError(NAME, str(exc)) from None
        end = datetime.now(UTC)
        return await self.log_counts(key, "network", interval, start=end - span, end=end)

    # ------------------------------------------------------------ device addresses

    async def _addresses(self, path: str, amount: int) -> list[str]:
        params = {"companyId": self._company("list device addresses"), "amount": amount}
        answer = await self._answer("GET", f"{API}{path}", params=params)
        return answer.read(lambda b: DeviceAddresses.model_validate(b).devAddresses)

    async def device_addresses(self, amount: int = ADDRESS_CHOICES) -> list[str]:
        """The next addresses reserved for the company (for ABP things)."""
        return await self._addresses("/deviceaddress", amount)

    async def reserve_device_addresses(self, amount: int) -> list[str]:
        return await self._addresses("/deviceaddress/reserve", amount)

    async def assign_device_addresses(self, addresses: list[str]) -> list[str]:
        body = {"companyId": self._company("assign device addresses"), "devAddresses": addresses}
        answer = await self._answer("PUT", f"{API}/deviceaddress/assign", json=body)
        return answer.read(
            lambda b: DeviceAddresses.model_validate(b).devAddresses if b is not None else []
        )

    # ------------------------------------------------------------ catalogues

    async def connectivity_plans(self, connectivity: str | None = None) -> list[ConnectivityPlan]:
        """The company's connectivity plans (of `connectivity`, LORA or ETHERNET, when given),
        each with the company that holds it and how many things it has."""

        def read(body: Any) -> list[ConnectivityPlan]:
            plans = []
            for result in (_PlanResult.model_validate(r) for r in _listing(body)):
                for plan in result.connectivityPlans or ():
                    kind = (plan.connectivitytype or "").upper()
                    if connectivity and kind and kind != connectivity.upper():
                        continue
                    key = plan.id or plan.name or ""
                    plans.append(
                        ConnectivityPlan(
                            key=key,
                            name=plan.name or key,
                            supplier=result.companyName,
                            used=plan.assignedthings,
                        )
                    )
            return plans

        return await self._read("GET", f"{API}/connectivityplans", read)

    async def thing_types(self) -> list[ThingType]:
        return await self._read(
            "GET", f"{API}/thingtypes", lambda b: [ThingType.model_validate(t) for t in _listing(b)]
        )

    async def device_models(self) -> list[DeviceModel]:
        """The thing types as device models (keyed by their id, where the server gives one)."""
        return [
            DeviceModel(
                key=t.key or t.name or "",
                name=f"{t.name} v{t.version}" if t.version is not None else t.name or "",
                vendor=t.vendor,
                connectivity=t.connectivityType,
            )
            for t in await self.thing_types()
        ]

    async def vendors(self) -> list[str]:
        return await self._read(
            "GET",
            f"{API}/vendors",
            lambda b: [v.name for v in map(_Vendor.model_validate, _listing(b)) if v.name],
        )

    async def container_definitions(
        self, thing_type_name: str | None = None
    ) -> list[ContainerDefinition]:
        params = {"thingTypeName": thing_type_name} if thing_type_name else {}
        return await self._read(
            "GET",
            f"{API}/containerdefinitions",
            lambda b: [ContainerDefinition.model_validate(c) for c in _listing(b)],
            params=params,
        )

    # ------------------------------------------------------------ base stations

    async def list_base_stations(self) -> list[BaseStation]:
        return await self._read(
            "GET",
            f"{API}/basestations",
            lambda b: [_base_station(object_body(s)) for s in _listing(b)],
        )

    async def get_base_station(self, key: str) -> BaseStation:
        path = f"{API}/basestations/{_segment(key, 'the base station')}"
        return await self._read("GET", path, base_station_from_body)

    async def set_base_station_location(
        self, key: str, location: BaseStationLocation
    ) -> BaseStation:
        path = f"{API}/basestations/{_segment(key, 'the base station')}"
        body: dict[str, Any] = {"companyId": self._company("locate base stations")}
        body.update({"latitude": location.latitude, "longitude": location.longitude})
        if location.location_name:
            body["locationName"] = location.location_name
        return await self._read("PUT", path, base_station_from_body, json=body)

    # ------------------------------------------------------------ downlinks

    async def send_downlink(self, key: str, downlink: MyThingsDownlink) -> str:
        """POST /downlink; a 200 whose DownlinkResponse lists errors is an ApiError."""
        eui = require_key(NAME, key, "the thing")
        answer = await self._answer("POST", f"{API}/downlink", json=downlink.body(eui))
        return answer.read(lambda b: _downlink_account(answer, b))

    async def configuration_templates(self) -> list[TemplateRef]:
        def read(body: Any) -> list[TemplateRef]:
            found = body if isinstance(body, dict) and "uid" in body else _listing(body)
            items = [found] if isinstance(found, dict) else found
            templates = [_Template.model_validate(t) for t in items]
            return [TemplateRef(key=t.uid or "", name=t.name or t.uid or "") for t in templates]

        return await self._read("GET", f"{API}/configurationtemplates", read)

    async def send_configuration_template(self, template: str, keys: list[str]) -> str:
        path = f"{API}/downlink/template/{_segment(template, 'the template')}"
        identifiers = [require_key(NAME, k, "the thing") for k in keys]
        answer = await self._answer("POST", path, json={"thingIdentifiers": identifiers})
        return answer.read(lambda b: _downlink_account(answer, b))

    # ------------------------------------------------------------ stream definitions

    async def list_connections(self) -> list[Connection]:
        return await self._read(
            "GET",
            f"{API}/streamdefinitions",
            lambda b: [_stream(_Stream.model_validate(s)) for s in _listing(b)],
        )

    async def get_stream_definition(self, key: str) -> dict[str, Any]:
        path = f"{API}/streamdefinitions/{_segment(key, 'the stream definition')}"
        return await self._read("GET", path, object_body)

    async def create_stream_definition(self, spec: StreamDefinitionCreate) -> Connection:
        body = spec.body(self._company("create stream definitions"))
        answer = await self._answer(
            "POST", f"{API}/streamdefinitions", json=body, secrets=(spec.password,)
        )

        def read(found: Any) -> Connection:
            given = dict(found) if isinstance(found, dict) else {}
            given.setdefault("name", spec.name)
            given.setdefault("type", spec.type)
            given.setdefault("active", spec.active)
            return connection_from_stream(given)

        return answer.read(read)

    async def update_stream_definition(
        self, key: str, change: StreamDefinitionUpdate
    ) -> Connection | None:
        """PUT /streamdefinitions/{id}; the stream as the answer has it (None when it is empty)."""
        path = f"{API}/streamdefinitions/{_segment(key, 'the stream definition')}"
        answer = await self._answer("PUT", path, json=change.body(), secrets=(change.password,))
        return answer.read(
            lambda b: connection_from_stream({"id": key, **b}) if isinstance(b, dict) else None
        )

    async def activate_stream_definition(self, key: str) -> Connection | None:
        return await self.update_stream_definition(key, StreamDefinitionUpdate(active=True))

    async def deactivate_stream_definition(self, key: str) -> Connection | None:
        return await self.update_stream_definition(key, StreamDefinitionUpdate(active=False))

    async def delete_stream_definition(self, key: str) -> None:
        path = f"{API}/streamdefinitions/{_segment(key, 'the stream definition')}"
        await self._api.request("DELETE", path)

    async def set_connection_active(self, key: str, active: bool) -> None:
        await self.update_stream_definition(key, StreamDefinitionUpdate(active=active))

    async def delete_connection(self, key: str) -> None:
        await self.delete_stream_definition(key)

    # ------------------------------------------------------------ business rules

    async def business_rules(self) -> list[dict[str, Any]]:
        """GET /businessrules: the ResponseEntity's body, as a list of rules."""

        def read(body: Any) -> list[dict[str, Any]]:
            inner = (
                object_body(body).get("body") if isinstance(body, dict) and "body" in body else body
            )
            if inner is None:
                return []
            return [object_body(r) for r in _listing(inner)]

        return await self._read("GET", f"{API}/businessrules", read)

    async def triggered_rules(
        self,
        rule_id: str | None = None,
        *,
        action: str | None = None,
        container: str | None = None,
    ) -> list[Alarm]:
        """Triggered business rules, newest first: all, or those of one rule (then filtered by
        `action` and `containerName` as the vendor offers)."""
        if rule_id is None:
            path, params = f"{API}/businessrulestriggered", {}
        else:
            path = f"{API}/businessrulestriggered/{_segment(rule_id, 'the business rule')}"
            params = {k: v for k, v in (("action", action), ("containerName", container)) if v}
        alarms = await self._read(
            "GET",
            path,
            lambda b: [_alarm(_Triggered.model_validate(r)) for r in _listing(b)],
            params=params,
        )
        far_past = datetime.min.replace(tzinfo=UTC)
        return sorted(alarms, key=lambda a: a.raised_at or far_past, reverse=True)

    async def list_alarms(
        self, cursor: str | None = None, *, device_key: str | None = None
    ) -> Page[Alarm]:
        """Triggered business rules, newest first, in one page (the vendor does not page them);
        `device_key` keeps one thing's (the vendor has no such filter: it is done here)."""
        _page_number(cursor)
        alarms = await self.triggered_rules()
        if device_key and device_key.strip():
            wanted = device_key.strip().upper()
            alarms = [a for a in alarms if (a.device_key or "").upper() == wanted]
        return Page[Alarm](items=alarms, total=len(alarms))

    async def acknowledge_alarm(self, key: str) -> None:
        raise ApiError(
            NAME,
            "MyThings has no acknowledgement: a triggered business rule is an event, it stays "
            "as it is",
        )

    # ------------------------------------------------------------ status

    async def status(self) -> PlatformHealth:
        """GET /status: UP or DOWN, as text, a JSON string, or an object with a `status`."""
        response = await self._api.request("GET", f"{API}/status")
        text = response.text.strip()
        said: Any = text
        if text[:1] in ('"', "{"):
            with contextlib.suppress(ValueError, RecursionError):
                said = json.loads(text)
        if isinstance(said, dict):
            said = said.get("status", said.get("body", ""))
        # One short printable line for the header, whatever the server sent.
        shown = "".join(c for c in " ".join(str(said).split()) if c.isprintable())[:80]
        word = shown.upper()
        return PlatformHealth(
            up=True if word == "UP" else False if word == "DOWN" else None, text=shown or "—"
        )

    # ------------------------------------------------------------ the capabilities' forms

    async def _type_choices(self) -> list[Choice]:
        types = await self.thing_types()
        return [
            Choice(f"{t.name} · {t.vendor}" if t.vendor else t.name or t.key or "", t.key)
            for t in types
            if t.key
        ]

    async def _plan_choices(self) -> list[Choice]:
        return [Choice(p.name, p.key) for p in await self.connectivity_plans("LORA") if p.key]

    async def _address_choices(self) -> list[Choice]:
        return [Choice(a, a) for a in await self.device_addresses()]

    async def _template_choices(self) -> list[Choice]:
        return [Choice(t.name, t.key) for t in await self.configuration_templates() if t.key]

    def device_forms(self) -> list[FormSpec]:
        lora = {"thing_type_id": self._type_choices, "connectivity_plan": self._plan_choices}
        return [
            FormSpec(
                "lora-otaa",
                "LoRa OTAA thing",
                ThingOtaaCreate,
                key="o",
                choices=lora,
                conflict_field="thing_identifier",
            ),
            FormSpec(
                "lora-abp",
                "LoRa ABP thing",
                ThingAbpCreate,
                key="a",
                choices={**lora, "device_address": self._address_choices},
                conflict_field="thing_identifier",
            ),
            FormSpec(
                "ethernet",
                "Ethernet thing",
                ThingEthernetCreate,
                key="e",
                choices={"thing_type_id": self._type_choices},
                conflict_field="thing_identifier",
                note="the vendor marks Ethernet things as available soon",
            ),
        ]

    async def create_device(self, form: str, values: BaseModel) -> str:
        if isinstance(values, ThingOtaaCreate | ThingAbpCreate | ThingEthernetCreate) and (
            form == _CREATE_FORMS.get(type(values))
        ):
            return (await self.create_thing(values)).key or values.thing_identifier
        raise ValueError(f"no device form {form!r} takes {type(values).__name__}")

    def created_key(self, form: str, values: BaseModel) -> str | None:
        # A thing is named by the identifier it is created with.
        return getattr(values, "thing_identifier", None)

    def device_edit_forms(self) -> list[FormSpec]:
        return [
            FormSpec("name", "name", ThingNameChange, key="n", submit="Rename"),
            FormSpec("description", "description", DescriptionChange, key="D", submit="Set"),
            FormSpec("location", "location", LocationChange, key="l", submit="Set"),
            FormSpec("public", "public flag", PublicChange, key="p", submit="Set"),
            FormSpec("tags", "tags (replace)", TagsReplace, key="t", submit="Set"),
            FormSpec("otaa-keys", "OTAA keys", OtaaKeysChange, key="k", submit="Set"),
            FormSpec("abp-keys", "ABP keys", AbpKeysChange, key="K", submit="Set"),
        ]

    async def edit_device(self, key: str, form: str, values: BaseModel) -> None:
        if _EDIT_FORMS.get(type(values)) != form:
            raise ValueError(f"no edit form {form!r} takes {type(values).__name__}")
        await self.update_thing(key, values.body(), getattr(values, "secrets", ()))  # type: ignore[attr-defined]

    def command_forms(self) -> list[FormSpec]:
        return [
            FormSpec("downlink", "downlink", MyThingsDownlink, key="d", submit="Send"),
            FormSpec(
                "template",
                "configuration template",
                ConfigurationTemplateCommand,
                key="t",
                submit="Send",
                choices={"template": self._template_choices},
            ),
        ]

    def device_commands(self, device: DeviceSummary) -> list[FormSpec]:
        # Downlinks are LoRa frames: an Ethernet thing takes none.
        connectivity = (device.connectivity or "").upper()
        return self.command_forms() if not connectivity.startswith("ETHERNET") else []

    async def send_command(self, key: str, form: str, values: BaseModel) -> str:
        if form == "downlink" and isinstance(values, MyThingsDownlink):
            said = await self.send_downlink(key, values)
            size = len(values.payload) // 2
            flags = [f for f, on in (("ack", values.ack), ("encrypted", values.encrypted)) if on]
            account = f"Sent {size} byte{'s' if size != 1 else ''} on fPort {values.fport}"
            return account + "".join(f", {f}" for f in flags) + (f" ({said})" if said else "")
        if form == "template" and isinstance(values, ConfigurationTemplateCommand):
            said = await self.send_configuration_template(values.template, [key])
            return f"Sent configuration template {values.template}" + (f" ({said})" if said else "")
        raise ValueError(f"no command {form!r} takes {type(values).__name__}")

    def connection_forms(self) -> list[FormSpec]:
        return [FormSpec("stream", "stream definition", StreamDefinitionCreate, key="s")]

    async def create_connection(self, form: str, values: BaseModel) -> Connection:
        if form == "stream" and isinstance(values, StreamDefinitionCreate):
            return await self.create_stream_definition(values)
        raise ValueError(f"no connection form {form!r} takes {type(values).__name__}")

    async def connection_edit_form(self, key: str) -> FormSpec:
        """The stream definition's edit form, filled from GET /streamdefinitions/{id} (the
        password is never answered: blank keeps it)."""
        current = _StreamSettings.model_validate(await self.get_stream_definition(key))
        # A header holds no control character: any the answer has (a newline too) is dropped.
        lines = (f"{h.key}: {h.value or ''}" for h in current.headers or () if h.key)
        headers = "\n".join("".join(c for c in line if " " <= c != "\x7f") for line in lines)
        values = {"active": bool(current.active), "headers": headers or None}
        if current.userName:
            values["username"] = current.userName
        title = f"stream definition {current.name or key}"
        return FormSpec("stream-edit", title, StreamDefinitionEdit, submit="Save", values=values)

    async def edit_connection(self, key: str, form: str, values: BaseModel) -> None:
        if form == "stream-edit" and isinstance(values, StreamDefinitionEdit):
            await self.update_stream_definition(key, values.update())
            return
        raise ValueError(f"no connection edit form {form!r} takes {type(values).__name__}")


_CREATE_FORMS: dict[type[BaseModel], str] = {
    ThingOtaaCreate: "lora-otaa",
    ThingAbpCreate: "lora-abp",
    ThingEthernetCreate: "ethernet",
}
_EDIT_FORMS: dict[type[BaseModel], str] = {
    ThingNameChange: "name",
    DescriptionChange: "description",
    LocationChange: "location",
    PublicChange: "public",
    TagsReplace: "tags",
    OtaaKeysChange: "otaa-keys",
    AbpKeysChange: "abp-keys",
}


def _page_number(cursor: str | None) -> int:
    """The page a cursor names (0 for the first); an ApiError for a cursor of another list."""
    if cursor is None:
        return 0
    if not cursor.isdigit() or len(cursor) > 9:
        raise ApiError(NAME, f"not a page cursor of this list: {cursor[:20]!r}")
    return int(cursor)


def _count_buckets(body: Any) -> list[TrafficBucket]:
    buckets = []
    for raw in _listing(body):
        count = _Count.model_validate(raw)
        start = _when(count.startTime)
        if start is None:
            raise ValueError("startTime: not a time")
        buckets.append(TrafficBucket(start=start, up=count.count or 0))
    return buckets


def _downlink_account(answer: Answer, body: Any) -> str:
    """A DownlinkResponse: its message; an ApiError when it lists errors despite the 200."""
    if body is None:
        return ""
    said = _DownlinkResponse.model_validate(object_body(body))
    if said.errors:
        code, message, _ = parse_error(body)
        raise ApiError(NAME, message or "the downlink was refused", status=answer.status, code=code)
    return said.message or ""
