"""The Actility ThingPark adapter: OSS "wireless" REST API and DX Core, behind the capability interfaces."""

from __future__ import annotations

import base64
import binascii
import json
import re
import ssl
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    with_config,
)
from typing_extensions import TypedDict

from tui.api.errors import require_key
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
    AlarmSeverity,
    BasicHttpsConnectionCreate,
    CellularDeviceCreate,
    Connection,
    ConnectionsChange,
    ConnectivityPlan,
    DetailField,
    DetailSection,
    DeviceDetail,
    DeviceModel,
    DeviceSummary,
    DeviceUpdate,
    Downlink,
    IotFlowMqttConnectionCreate,
    LoRaWanDeviceCreate,
    MulticastGroupCreate,
    NameChange,
    NetworkContext,
    TrafficBucket,
)
from tui.api.paging import Page, cursor_read, walk
from tui.api.platform import (
    Alarms,
    Connections,
    DeviceCommands,
    DeviceCreation,
    DeviceDirectory,
    DeviceEditing,
    DeviceRows,
    HttpPlatform,
    Identity,
    TrafficHistory,
)
from tui.api.wire import Count, Key, WireModel, object_body, optional_object_body

__all__ = [
    "DX",
    "OSS",
    "TOKEN_PATH",
    "ThingPark",
    "alarm_from_brief",
    "basic_https_connection_body",
    "cellular_device_body",
    "connection_from_app_server",
    "connection_from_dx",
    "connectivity_plan_from_brief",
    "device_detail_from_resource",
    "device_model_from_brief",
    "device_summary_from_brief",
    "device_update_body",
    "downlink_params",
    "iot_flow_connection_body",
    "lorawan_device_body",
    "multicast_group_body",
    "network_context_from_brief",
    "page_from_briefs",
    "parse_error",
    "traffic_bucket_from_brief",
]

NAME = "thingpark"
OSS = "/thingpark/wireless/rest"
DX = "/thingpark/dx/core/latest/api"
TOKEN_PATH = "/users-auth/protocol/openid-connect/token"

_DEVICES = f"{OSS}/subscriptions/mine/devices"

# The vendor's multicast example sends its base-station tags in this namespace (its value table
# says SUBSCRIPTION, its request body says OPERATOR; the body is what goes on the wire).
MULTICAST_TAG_NAMESPACE = "OPERATOR"

#: Alarm order for cursor paging: newest first. OSS lists take `sort=<field>,<asc|desc>`; the
#: vendor's example pages `alarmUid,asc`, and `pageAfter` follows the sort in either direction.
ALARM_SORT = "alarmUid,desc"
#: Catalogues (device models, connectivity plans, network contexts, application servers) page
#: the same way; the vendor page shows only their `more`, and their briefs are keyed by `ID`.
CATALOGUE_SORT = "ID,asc"


# ---------------------------------------------------------------- errors


def parse_error(body: Any) -> ErrorBody:
    """Read a ThingPark error (`code`, `message`, `errorId`) or a Keycloak one (`error`, `error_description`)."""
    if not isinstance(body, dict):
        return ErrorBody(None, None)
    if "code" in body or "message" in body:
        code = body.get("code")
        message = body.get("message")
        error_id = body.get("errorId")
        return ErrorBody(
            None if code is None else str(code),
            None if message is None else str(message),
            None if error_id is None else str(error_id),
        )
    if "error" in body:
        description = body.get("error_description")
        return ErrorBody(str(body["error"]), None if description is None else str(description))
    return ErrorBody(None, None)


# ---------------------------------------------------------------- parsing helpers


def _ms(value: Any) -> datetime | None:
    """A ThingPark timestamp (milliseconds since the epoch) as an aware UTC datetime."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        return datetime.fromtimestamp(float(value) / 1000.0, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


# ---------------------------------------------------------------- the vendor's wire shapes


def _named(value: Any) -> Any:
    # A reference is `{"ID", "name"/"commercialName"}`; a bare name is read as one too.
    return {"name": value} if isinstance(value, str) else value


class _Reference(WireModel):
    """A `{"ID", "name"/"commercialName"}` reference to another resource."""

    ID: Key | None = None
    name: str | None = None
    commercialName: str | None = None

    @property
    def label(self) -> str | None:
        return self.commercialName or self.name or self.ID or None


_Ref = Annotated[_Reference, BeforeValidator(_named)]


class _Uplink(WireModel):
    timestamp: float | None = None


@with_config(ConfigDict(strict=True, allow_inf_nan=False))
class _ReferenceEntry(TypedDict, total=False):
    """A reference as a device brief carries it (read without a model per row: see below)."""

    ID: Key | None
    name: str | None
    commercialName: str | None


def _label(ref: _ReferenceEntry | None) -> str | None:
    if not ref:
        return None
    return ref.get("commercialName") or ref.get("name") or ref.get("ID") or None


@with_config(ConfigDict(strict=True, allow_inf_nan=False))
class _UplinkEntry(TypedDict, total=False):
    timestamp: float | None


@with_config(ConfigDict(strict=True, allow_inf_nan=False))
class _DeviceBrief(TypedDict, total=False):
    """What a device list row (or the device resource) says that the console reads: typed as
    strictly as a WireModel, but a typed dict, not a model, because a walk reads a million of
    them (a page of 100 validates in 0.15 ms instead of 0.9 ms); other fields are not kept."""

    EUI: str | None
    name: str | None
    connectivity: str | None
    activation: str | None
    model: Annotated[_ReferenceEntry, BeforeValidator(_named)] | None
    appServers: list[Annotated[_ReferenceEntry, BeforeValidator(_named)]] | None
    healthState: str | None
    # `lastUpTimestamp` is the OSS resource's field; some deployments summarise the last uplink
    # as a `lastUplink` object with its own `timestamp` instead.
    lastUpTimestamp: float | None
    lastUplink: _UplinkEntry | None


_DEVICE_BRIEF = TypeAdapter(_DeviceBrief)


class _Cursors(WireModel):
    last: str | None = None


B = TypeVar("B")  # a brief's wire model


class _PageHead(WireModel):
    """A cursor-paged OSS list without its briefs: `more`, `cursors.last`, and `count` on the
    first page. Read first, so that a walk asks for the next page before the briefs are read.

    The cursor is `cursors.last` only when `more` is true: the last page also carries a cursor,
    which would otherwise start an empty extra request.
    """

    model_config = ConfigDict(extra="ignore")

    more: bool
    count: Count = None
    cursors: _Cursors | None = None

    @property
    def next_cursor(self) -> str | None:
        if not self.more:
            return None
        if self.cursors is None or not self.cursors.last:
            raise ValueError("more is true but cursors.last is missing")
        return self.cursors.last


class _Page(_PageHead, Generic[B]):
    """A cursor-paged OSS list: its head and `briefs`."""

    model_config = ConfigDict(extra="allow")

    briefs: list[B]


def page_from_briefs(body: Any) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """The briefs, next cursor and total of a cursor-paged OSS list answer."""
    page = _Page[dict[str, Any]].model_validate(body)
    return list(page.briefs), page.next_cursor, page.count


def _row(brief: _DeviceBrief) -> dict[str, Any]:
    """A device brief as DeviceSummary's fields, in its order, without a model: the CLI writes
    a million of these as JSON (`ThingPark.list_device_rows`); the console's row is built from
    it (`_summary`), so that the two never differ."""
    eui = brief.get("EUI") or ""
    stamp = brief.get("lastUpTimestamp")
    when = None if stamp is None else _ms(stamp)
    if when is None and (uplink := brief.get("lastUplink")):
        stamp = uplink.get("timestamp")
        when = None if stamp is None else _ms(stamp)
    servers = brief.get("appServers")
    connections = [label for ref in servers if (label := _label(ref))] if servers else ()
    return {
        "key": eui,
        "name": brief.get("name") or eui,
        "eui": eui or None,
        "connectivity": brief.get("connectivity") or None,
        "activation": brief.get("activation") or None,
        "model": _label(brief.get("model")),
        "connection": ", ".join(connections) or None,
        "health": brief.get("healthState") or None,
        "last_activity": when,
    }


def _summary(brief: _DeviceBrief) -> DeviceSummary:
    return DeviceSummary(**_row(brief))


def device_summary_from_brief(brief: dict[str, Any]) -> DeviceSummary:
    """One device brief of `GET /subscriptions/mine/devices` as a list row keyed by its EUI."""
    return _summary(_DEVICE_BRIEF.validate_python(brief))


# Field names of the OSS device resource, grouped the way the detail screen shows them. A name
# not listed lands in "Other" so that nothing the vendor sends is hidden.
_IDENTITY = (
    "name", "EUI", "ID", "ref", "href", "connectivity", "activation", "appEUI", "model", "vendor",
    "class", "communicationType", "state", "customerAdminData", "domains", "markerID", "motionIndicator", "suspension",
    "adminLat", "adminLon", "locationType", "tags",
)  # fmt: skip
_RADIO = (
    "nwAddress", "appKey", "appKeys", "nwKey", "nwkKey", "nwkSEncKey", "sNwkSIntKey",
    "fNwkSIntKey", "appSKey", "nwkSKey", "appKeyEncryptionMode", "hsmAppKeyVersion",
    "hsmNwkKeyVersion", "exchangeKeyVersion", "payloadEncryption", "joinServer", "currentClass",
    "classBState", "pingSlotPeriod", "downlinkDataRate", "downlinkFrequency", "ismBand",
    "rfRegion", "LRRs", "lastRSSI", "lastSNR", "lastESP", "lastSF", "avgRSSI", "avgSNR", "avgESP",
    "lastInstantPER", "lastMeanPER", "lastNbTrans", "lastTxPower", "lastBatLevel",
    "lastBatChangeBy", "lastGeoLat", "lastGeoLon", "LastGeoRadius", "sim", "enforcedIMEI",
    "imei", "IMEI", "imsi", "ki", "lastCellID", "lastCellMCCMNC", "lastCellTrackingAreaNumber",
    "lastRAT", "lastServingNetworkMCCMNC", "ipAddress", "ownerToken", "verificationCode",
)  # fmt: skip
_NETWORK = (
    "networkSubscription", "networkContext", "healthState", "bss", "debug", "alarm004", "alarm1",
    "alarm2", "alarm3", "alarm4", "alarm5", "alarm6",
)  # fmt: skip
_CONNECTIONS = ("appServers", "routingProfile", "tpxIotFlow")
_TIMESTAMPS = (
    "creationDate", "firstUpTimestamp", "lastUpTimestamp", "lastDwTimestamp", "lastBatChanged",
    "lastBatLevelTimestamp", "LastGeoTimestamp", "lastMicroflowTimestamp", "lastUplink",
    "occContext", "now",
)  # fmt: skip
_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Identity", _IDENTITY),
    ("Radio & SIM", _RADIO),
    ("Network", _NETWORK),
    ("Connections", _CONNECTIONS),
    ("Timestamps", _TIMESTAMPS),
)

# Keys (root and session keys, the SIM's Ki, ownership secrets) are masked until revealed.
_SECRET_NAMES = frozenset(
    name.lower()
    for name in (
        "appKey", "appKeys", "nwKey", "nwkKey", "nwkSEncKey", "sNwkSIntKey", "fNwkSIntKey",
        "appSKey", "nwkSKey", "ki", "ownerToken", "verificationCode", "password", "downlinkAsKey",
    )
)  # fmt: skip

_TIME_NAME = re.compile(r"(timestamp|date|lastupdate|^now$|^lastbatchanged$)", re.IGNORECASE)


def _format_leaf(name: str, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and _TIME_NAME.search(name):
        when = _ms(value)
        if when is not None and value > 10**11:  # a millisecond epoch, not a counter
            return when.strftime("%Y-%m-%d %H:%M:%S UTC")
    return str(value)


def _flatten(label: str, name: str, value: Any, secret: bool) -> Iterator[DetailField]:
    """Nested objects become dotted labels (`model.ID`), lists of objects get an index."""
    secret = secret or name.lower() in _SECRET_NAMES
    if isinstance(value, dict):
        if not value:
            yield DetailField(label=label, value="—", secret=secret)
        for key, inner in value.items():
            yield from _flatten(f"{label}.{key}", str(key), inner, secret)
    elif isinstance(value, list):
        if not value:
            yield DetailField(label=label, value="—", secret=secret)
        elif all(not isinstance(v, dict | list) for v in value):
            yield DetailField(
                label=label, value=", ".join(_format_leaf(name, v) for v in value), secret=secret
            )
        else:
            for index, inner in enumerate(value):
                yield from _flatten(f"{label}[{index}]", name, inner, secret)
    else:
        yield DetailField(label=label, value=_format_leaf(name, value), secret=secret)


def device_detail_from_resource(resource: dict[str, Any], key: str | None = None) -> DeviceDetail:
    """A device resource (`GET …/devices/e{EUI}`) grouped into sections; every field is shown once.

    `key` is the EUI the resource was asked for, should the resource not say it."""
    summary = device_summary_from_brief(resource)
    if not summary.key and key:
        summary = summary.model_copy(update={"key": key, "eui": key, "name": summary.name or key})
    sections: list[DetailSection] = []
    placed: set[str] = set()
    for title, names in _SECTIONS:
        fields: list[DetailField] = []
        for name in names:
            if name in resource:
                placed.add(name)
                fields.extend(_flatten(name, name, resource[name], False))
        if fields:
            sections.append(DetailSection(title=title, fields=fields))
    other: list[DetailField] = []
    for name, value in resource.items():
        if name not in placed:
            other.extend(_flatten(name, name, value, False))
    if other:
        sections.append(DetailSection(title="Other", fields=other))
    return DeviceDetail(
        key=summary.key, name=summary.name, summary=summary, sections=sections, raw=resource
    )


_Counter = Annotated[int, Field(ge=0)]


class _Traffic(WireModel):
    count: _Counter = 0
    countLost: _Counter = 0
    countFailed: _Counter = 0


class _Bucket(WireModel):
    """One bucket of `…/frames/aggregated`: the vendor's counters and radio means."""

    timestamp: float
    up: _Traffic = _Traffic()
    dw: _Traffic = _Traffic()
    rssiMean: float | None = None
    snrMean: float | None = None
    espMean: float | None = None

    @field_validator("timestamp")
    @classmethod
    def _a_time(cls, value: float) -> float:
        if _ms(value) is None:
            raise ValueError("not a time in milliseconds since 1970")
        return value


class _Buckets(WireModel):
    briefs: list[_Bucket]


def _traffic_bucket(bucket: _Bucket) -> TrafficBucket:
    start = _ms(bucket.timestamp)
    assert start is not None  # checked by _Bucket
    return TrafficBucket(
        start=start,
        up=bucket.up.count,
        up_lost=bucket.up.countLost,
        down=bucket.dw.count,
        down_failed=bucket.dw.countFailed,
        rssi_mean=bucket.rssiMean,
        snr_mean=bucket.snrMean,
        esp_mean=bucket.espMean,
    )


def traffic_bucket_from_brief(brief: dict[str, Any]) -> TrafficBucket:
    """One bucket of `…/frames/aggregated`: up/down counters and radio means."""
    return _traffic_bucket(_Bucket.model_validate(brief))


_SEVERITIES = {s.value for s in AlarmSeverity}
_ACKED_STATES = {"ACKED", "ACKNOWLEDGED", "ACK"}
#: Where an alarm brief may say when it last occurred, and when it was raised, in that order.
_OCCURRED = (
    "lastOccurrenceTimestamp",
    "lastOccurrenceDate",
    "occurrenceTimestamp",
    "creationTimestamp",
    "creationDate",
    "timestamp",
    "raisedTimestamp",
)
_RAISED = ("creationTimestamp", "creationDate", "raisedTimestamp")


class _AlarmDevice(WireModel):
    EUI: str | None = None
    name: str | None = None


class _AlarmBrief(WireModel):
    alarmUid: Key | None = None
    ID: Key | None = None
    device: _AlarmDevice | None = None
    type: Key | None = None
    alarmType: Key | None = None
    severity: str | None = None
    state: str | None = None
    ackState: str | None = None
    acknowledged: bool | None = None
    acked: bool | None = None
    ackUser: str | None = None
    ackTimestamp: float | None = None
    message: str | None = None
    description: str | None = None
    cause: str | None = None
    lastOccurrenceTimestamp: float | None = None
    lastOccurrenceDate: float | None = None
    occurrenceTimestamp: float | None = None
    creationTimestamp: float | None = None
    creationDate: float | None = None
    timestamp: float | None = None
    raisedTimestamp: float | None = None


def _first_time(
    brief: _AlarmBrief, names: tuple[str, ...], default: datetime | None = None
) -> datetime | None:
    given = (getattr(brief, name) for name in names)
    return next((_ms(value) for value in given if value is not None), default)


def _alarm(brief: _AlarmBrief) -> Alarm:
    device = brief.device or _AlarmDevice()
    severity = (brief.severity or "").upper()
    ack_state = (brief.ackState or "").upper()
    acknowledged = bool(
        brief.acknowledged
        or brief.acked
        or ack_state in _ACKED_STATES
        or (brief.state or "").upper() in _ACKED_STATES
        or brief.ackUser
        or brief.ackTimestamp
    )
    kind = brief.type or brief.alarmType
    if kind is None and brief.ID is not None:
        kind = f"alarm {brief.ID}"  # the OSS alarm ID is the alarm type number (alarm004, …)
    occurred = _first_time(brief, _OCCURRED)
    raised = _first_time(brief, _RAISED, occurred)
    return Alarm(
        key=brief.alarmUid or brief.ID or "",
        device_key=device.EUI or None,
        device_name=device.name or None,
        type=kind or None,
        severity=severity if severity in _SEVERITIES else AlarmSeverity.INDETERMINATE,
        state=brief.state or None,
        acknowledged=acknowledged,
        raised_at=raised,
        occurred_at=occurred,
        message=brief.message or brief.description or brief.cause or None,
    )


def alarm_from_brief(brief: dict[str, Any]) -> Alarm:
    """One device alarm brief; its key is the `alarmUid`, which DX Core acknowledges by.

    The vendor page elides everything but `ID`, `alarmUid`, `device` and `href`, so the other
    fields are read by the OSS resource names when present (`severity`, `state`, `ackState`, …).
    """
    return _alarm(_AlarmBrief.model_validate(brief))


class _ModelBrief(WireModel):
    ID: Key | None = None
    commercialName: str | None = None
    vendor: _Ref | None = None
    connectivity: str | None = None


def _device_model(brief: _ModelBrief) -> DeviceModel:
    return DeviceModel(
        key=brief.ID or "",
        name=brief.commercialName or brief.ID or "",
        vendor=brief.vendor.label if brief.vendor else None,
        connectivity=brief.connectivity or None,
    )


def device_model_from_brief(brief: dict[str, Any]) -> DeviceModel:
    return _device_model(_ModelBrief.model_validate(brief))


class _PlanBrief(WireModel):
    ID: Key | None = None
    commercialName: str | None = None
    supplier: _Ref | None = None
    used: Count = None
    granted: Count = None


def _connectivity_plan(brief: _PlanBrief) -> ConnectivityPlan:
    return ConnectivityPlan(
        key=brief.ID or "",
        name=brief.commercialName or brief.ID or "",
        supplier=brief.supplier.label if brief.supplier else None,
        used=brief.used,
        granted=brief.granted,
    )


def connectivity_plan_from_brief(brief: dict[str, Any]) -> ConnectivityPlan:
    return _connectivity_plan(_PlanBrief.model_validate(brief))


class _ContextBrief(WireModel):
    ID: Key | None = None
    name: str | None = None
    mode: str | None = None


def _network_context(brief: _ContextBrief) -> NetworkContext:
    return NetworkContext(key=brief.ID or "", name=brief.name or brief.ID or "", mode=brief.mode)


def network_context_from_brief(brief: dict[str, Any]) -> NetworkContext:
    return _network_context(_ContextBrief.model_validate(brief))


class _TpxIotFlow(WireModel):
    connectionId: Key | None = None


class _AppServerBrief(WireModel):
    ID: Key | None = None
    name: str | None = None
    type: str | None = None
    state: str | None = None
    healthState: str | None = None
    deviceCount: Count = None
    #: set on the application server of a DX Core IoT Flow connection
    tpxIotFlow: _TpxIotFlow | None = None


def _app_server(brief: _AppServerBrief) -> Connection:
    return Connection(
        key=brief.ID or "",
        name=brief.name or brief.ID or "",
        kind="app-server",
        type=brief.type or None,
        state=brief.state or None,
        health=brief.healthState or None,
        device_count=brief.deviceCount,
    )


def connection_from_app_server(brief: dict[str, Any]) -> Connection:
    """An OSS application server; its `ID` is what a device's `appServers` refers to."""
    return _app_server(_AppServerBrief.model_validate(brief))


class _DxConnection(WireModel):
    id: Key | None = None
    name: str | None = None
    connectorId: str | None = None
    state: str | None = None


_DX_LIST = TypeAdapter(list[_DxConnection])


def _dx_connection(body: _DxConnection) -> Connection:
    return Connection(
        key=body.id or "",
        name=body.name or body.id or "",
        kind="iot-flow",
        type=body.connectorId or None,
        state=body.state or None,
    )


def connection_from_dx(body: dict[str, Any]) -> Connection:
    """A DX Core IoT Flow connection; its key is the DX Core `id`."""
    return _dx_connection(_DxConnection.model_validate(body))


def _dx_connections(body: Any) -> list[Connection]:
    """DX Core lists come as a bare array; a wrapping object is tolerated as well."""
    if isinstance(body, dict):
        wrapped = ("connections", "items", "content", "briefs", "data")
        body = next((body[n] for n in wrapped if isinstance(body.get(n), list)), body)
    return [_dx_connection(c) for c in _DX_LIST.validate_python(body)]


# ---------------------------------------------------------------- request bodies


def _app_servers(keys: Iterable[str]) -> list[dict[str, str]]:
    return [{"ID": key} for key in keys]


def lorawan_device_body(spec: LoRaWanDeviceCreate) -> dict[str, Any]:
    """The body of "Adding a LoRaWAN device", field for field."""
    body: dict[str, Any] = {
        "connectivity": "LORAWAN",
        "activation": "OTAA",
        "EUI": spec.eui,
        "model": {"ID": spec.model_key},
        "networkSubscription": {"nwGeolocalization": False, "prAllowed": False},
        "appServers": _app_servers(spec.connection_keys),
        "name": spec.name,
        "appKey": spec.app_key,
    }
    if spec.app_eui:
        body["appEUI"] = spec.app_eui  # named as on the device resource
    return body


def cellular_device_body(spec: CellularDeviceCreate) -> dict[str, Any]:
    """The body of "Adding a cellular device"; `enforcedIMEI` only when an IMEI is enforced."""
    body: dict[str, Any] = {"connectivity": "CELLULAR"}
    if spec.imei:
        body["enforcedIMEI"] = spec.imei
    body.update(
        {
            "model": {"ID": spec.model_key},
            "networkSubscription": {"ID": spec.plan_key},
            "networkContext": {"ID": spec.network_context_key},
            "appServers": _app_servers(spec.connection_keys),
            "name": spec.name,
            "sim": {"ID": spec.sim_id},
        }
    )
    return body


def multicast_group_body(spec: MulticastGroupCreate) -> dict[str, Any]:
    """The body of "Adding the multicast group"; the AppSKey travels in the vendor's XML form."""
    return {
        "name": spec.name,
        "EUI": spec.eui,
        "nwAddress": spec.dev_addr,
        "nwKey": spec.nwk_skey,
        "appKeys": f'<AppSKeys><AppSKey Port="*">{spec.app_skey}</AppSKey></AppSKeys>',
        "class": spec.device_class,
        "downlinkDataRate": spec.downlink_data_rate,
        "downlinkFrequency": spec.downlink_frequency_mhz,
        "bss": {
            "tags": [
                {"name": tag, "namespace": MULTICAST_TAG_NAMESPACE}
                for tag in spec.base_station_tags
            ]
        },
        "appServers": _app_servers(spec.connection_keys),
    }


def basic_https_connection_body(spec: BasicHttpsConnectionCreate) -> dict[str, Any]:
    """The body of "Adding a Basic HTTPS connection"."""
    return {
        "contentType": spec.content_type,
        "destinations": [{"addresses": [spec.url], "ports": "*", "strategy": "SEQUENTIAL"}],
        "downlinkSecurity": {
            "downlinkAsKey": spec.as_key,
            "maxTimestampDeviation": spec.max_timestamp_deviation_s,
            "status": "DOWNLINK_AS_KEY",
        },
        "name": spec.name,
    }


def iot_flow_connection_body(spec: IotFlowMqttConnectionCreate) -> dict[str, Any]:
    """The body of "Adding a ThingPark X IoT Flow connection"; credentials only when given."""
    configuration: dict[str, Any] = {
        "uplinkTopicPattern": spec.uplink_topic,
        "downlinkTopicPattern": spec.downlink_topic,
        "hostName": spec.host,
        "protocol": spec.protocol,
    }
    if spec.username:
        configuration["username"] = spec.username
    if spec.password:
        configuration["password"] = spec.password
    return {"connectorId": "actility-mqtt-iot", "name": spec.name, "configuration": configuration}


def device_update_body(change: DeviceUpdate) -> dict[str, Any]:
    """Only the fields the user changed: the PUT leaves the others as they are."""
    body: dict[str, Any] = {}
    if change.name is not None:
        body["name"] = change.name
    if change.connection_keys is not None:
        body["appServers"] = _app_servers(change.connection_keys)
    return body


def downlink_params(downlink: Downlink) -> dict[str, str]:
    return {
        "payload": downlink.payload_hex,
        "fPort": str(downlink.fport),
        "confirmed": "true" if downlink.confirmed else "false",
        "flushDownlinkQueue": "true" if downlink.flush_queue else "false",
    }


def _eui(key: str) -> str:
    """The EUI a call is addressed to; an ApiError, before anything is sent, when blank."""
    return require_key(NAME, key, "the device").upper()


def _device_path(key: str) -> str:
    return f"{_DEVICES}/e{quote(_eui(key), safe='')}"


R = TypeVar("R")  # a row the console reads


# ---------------------------------------------------------------- the adapter


class _Tokens(ClientCredentialsAuth):
    """The client-credentials token, which `whoami` reads the claims of."""

    @property
    def current(self) -> str | None:
        return self._token.value if self._token is not None else None


def token_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT-shaped access token, unverified (only to name who it was issued to);
    empty when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(raw)
    except (ValueError, binascii.Error):
        return {}
    return (
        {k: v for k, v in claims.items() if isinstance(v, str | int)}
        if isinstance(claims, dict)
        else {}
    )


class ThingPark(
    HttpPlatform,
    DeviceDirectory,
    DeviceRows,
    DeviceCreation,
    DeviceEditing,
    DeviceCommands,
    TrafficHistory,
    Alarms,
    Connections,
    Identity,
):
    """One ThingPark subscriber account, reached with an OAuth2 client-credentials client."""

    name: ClassVar[str] = NAME
    title: ClassVar[str] = "Actility ThingPark"
    DEVICE_KEY: ClassVar[KeySpec] = KeySpec(
        "DevEUI",
        r"[0-9A-Fa-f]{16}",
        hint="16 hexadecimal digits",
        placeholder="70B3D5E75412A26D",
        upper=True,
    )
    # The vendor page documents no name filter for the device list: the screen filters.
    SERVER_LOOKUP: ClassVar[str | None] = None
    CONNECTION_KINDS: ClassVar[dict[str, tuple[str, str]]] = {
        "app-server": ("app server", "app servers"),
        "iot-flow": ("IoT Flow", "IoT Flow connections"),
    }

    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        token_url = self.base_url + TOKEN_PATH

        def token_request() -> httpx.Request:
            return httpx.Request(
                "POST",
                token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": client_secret,
                },
                headers={"Accept": "application/json"},
            )

        #: the token source; `auth.fetches` counts the tokens asked for
        self.auth: _Tokens = _Tokens(NAME, token_request, parse_error=parse_error)
        self._api: ApiClient = make_client(
            NAME,
            self.base_url,
            parse_error=parse_error,
            auth=self.auth,
            verify=verify,
            retry=retry,
            secrets=(client_secret,),
            username=client_id,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"ThingPark(base_url={self.base_url!r}, client_id={self.client_id!r})"

    # ------------------------------------------------------------ plumbing

    async def _call(self, method: str, url: str, **kwargs: Any) -> None:
        """A call whose answer says nothing the console reads (a DELETE, an ack, a downlink)."""
        await self._api.request(method, url, **kwargs)

    async def _page(
        self,
        url: str,
        brief: type[B],
        row: Callable[[B], R],
        cursor: str | None,
        params: dict[str, str],
    ) -> Page[R]:
        """One page of an OSS list after `cursor`: its rows, the next cursor, and the total
        (which comes with the first page only)."""
        if cursor:
            params = {**params, "pageAfter": cursor}
        answer = await self._api.answer("GET", url, params=params)
        await cursor_read(answer.read(lambda body: _PageHead.model_validate(body).next_cursor))

        def read(body: Any) -> Page[R]:
            page = _Page[brief].model_validate(body)  # type: ignore[valid-type]
            return Page[R](
                items=[row(b) for b in page.briefs],
                cursor=page.next_cursor,
                total=page.count if cursor is None else None,
            )

        return answer.read(read)

    async def _catalogue(
        self, url: str, brief: type[B], row: Callable[[B], R], params: dict[str, str]
    ) -> list[R]:
        """Every entry of an OSS catalogue, page after page."""
        params = {"sort": CATALOGUE_SORT, **params}

        def fetch(cursor: str | None) -> Awaitable[Page[R]]:
            return self._page(url, brief, row, cursor, params)

        return [entry async for page in walk(fetch, platform=NAME) for entry in page.items]

    async def _device_in(self, answer: Answer, eui: str | None) -> DeviceDetail:
        """The device an answer (of a PUT or a POST) holds, else read back by `eui` or, for a
        created device, by its `Location`."""
        resource = answer.read(optional_object_body)
        if resource is not None and resource.get("EUI") not in (None, ""):
            return answer.read(lambda _: device_detail_from_resource(resource))
        if eui:
            return await self.get_device(eui)
        location = answer.headers.get("location")
        if location:
            found = await self._api.answer("GET", location)
            return found.read(lambda body: device_detail_from_resource(object_body(body)))
        raise answer.unexpected("the platform created the device but did not say which one")

    # ------------------------------------------------------------ devices

    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        """One page in DevEUI order; `query` is ignored (no server filter is documented)."""
        return await self._page(_DEVICES, _DeviceBrief, _summary, cursor, {"sort": "EUI,asc"})

    async def list_device_rows(self, cursor: str | None = None) -> Page[dict[str, Any]]:
        """`list_devices`' page with each row as a dict of DeviceSummary's fields in its order
        (`model_dump()` of the summary), built without a model per row: for the CLI's JSON and
        CSV, which serialize the rows at once."""
        return await self._page(_DEVICES, _DeviceBrief, _row, cursor, {"sort": "EUI,asc"})

    async def get_device(self, key: str) -> DeviceDetail:
        eui = _eui(key)
        answer = await self._api.answer("GET", _device_path(eui))
        return answer.read(lambda body: device_detail_from_resource(object_body(body), eui))

    async def delete_device(self, key: str) -> None:
        await self._call("DELETE", _device_path(key))

    async def update_device(self, key: str, change: DeviceUpdate) -> DeviceDetail:
        body = device_update_body(change)
        if not body:
            return await self.get_device(key)
        # The PUT answers the updated resource; an empty or partial answer is read back.
        answer = await self._api.answer("PUT", _device_path(key), json=body)
        return await self._device_in(answer, key)

    async def whoami(self) -> str:
        """The client and subscriber the access token was issued to: Keycloak's token carries
        them as claims (`clientId`/`azp`, `subscriberId`); the client id the profile sent
        (`sub-<subscriberId>/<name>`) where the token says nothing readable. One call of the
        subscription's connectivity plans proves the token is taken."""
        await self._api.request(
            "GET",
            f"{OSS}/subscriptions/mine/networkSubscriptions",
            params={"connectivity": "LORAWAN"},
        )
        claims = token_claims(self.auth.current or "")
        client = claims.get("clientId") or claims.get("azp") or self.client_id
        subscriber = claims.get("subscriberId")
        if subscriber is None:
            said = re.fullmatch(r"sub-(\d+)/.*", str(client))
            subscriber = said.group(1) if said else None
        who = f"client {client}"
        return f"{who}, subscriber {subscriber}" if subscriber is not None else who

    async def device_models(self, connectivity: str) -> list[DeviceModel]:
        return await self._catalogue(
            f"{OSS}/subscriptions/mine/deviceProfiles",
            _ModelBrief,
            _device_model,
            {"connectivity": connectivity.upper()},
        )

    async def connectivity_plans(self, connectivity: str) -> list[ConnectivityPlan]:
        return await self._catalogue(
            f"{OSS}/subscriptions/mine/networkSubscriptions",
            _PlanBrief,
            _connectivity_plan,
            {"connectivity": connectivity.upper()},
        )

    async def network_contexts(self) -> list[NetworkContext]:
        return await self._catalogue(
            f"{OSS}/subscriptions/mine/cellularNetworkContexts", _ContextBrief, _network_context, {}
        )

    async def create_lorawan_device(self, spec: LoRaWanDeviceCreate) -> DeviceDetail:
        answer = await self._api.answer(
            "POST",
            _DEVICES,
            params={"networkSubscriptionsHandlingMode": "BASIC"},
            json=lorawan_device_body(spec),
            secrets=(spec.app_key,),
        )
        return await self._device_in(answer, spec.eui)

    async def create_cellular_device(self, spec: CellularDeviceCreate) -> DeviceDetail:
        # The vendor's cellular example has no networkSubscriptionsHandlingMode: the plan is named.
        answer = await self._api.answer("POST", _DEVICES, json=cellular_device_body(spec))
        return await self._device_in(answer, None)

    # ------------------------------------------------------------ traffic

    async def traffic(
        self, key: str, *, duration: str, step: str, timezone: str
    ) -> list[TrafficBucket]:
        answer = await self._api.answer(
            "GET",
            f"{_device_path(key)}/frames/aggregated",
            params={"duration": duration, "step": step, "timezone": timezone},
        )
        buckets = answer.read(
            lambda body: [_traffic_bucket(b) for b in _Buckets.model_validate(body).briefs]
        )
        return sorted(buckets, key=lambda b: b.start)

    # ------------------------------------------------------------ alarms

    async def list_alarms(
        self, cursor: str | None = None, *, device_key: str | None = None
    ) -> Page[Alarm]:
        """Alarms newest first (`alarmUid` descending), optionally of one device only.

        The vendor page shows no device filter; `deviceEUI` is the name DX Core's own device-alarm
        list filters by, and it keeps the one documented collection and its cursor scheme.
        """
        params = {"sort": ALARM_SORT}
        if device_key and device_key.strip():
            params["deviceEUI"] = device_key.strip().upper()
        return await self._page(f"{_DEVICES}/alarms", _AlarmBrief, _alarm, cursor, params)

    async def acknowledge_alarm(self, key: str) -> None:
        key = require_key(NAME, key, "the alarm")
        await self._call("POST", f"{DX}/deviceAlarms/{quote(key, safe='')}/acks")

    # ------------------------------------------------------------ connections

    async def list_connections(self) -> list[Connection]:
        """OSS application servers, then DX Core IoT Flow connections, each once.

        An IoT Flow connection also has an OSS application server (`tpxIotFlow.connectionId`
        names it, as the vendor page says): the two are one connection, listed as the DX one
        with its OSS twin's health and device count.
        """
        briefs = await self._catalogue(
            f"{OSS}/subscriptions/mine/appServers", _AppServerBrief, lambda b: b, {}
        )
        dx = await self._api.answer("GET", f"{DX}/connections")
        twins = {
            b.tpxIotFlow.connectionId: b
            for b in briefs
            if b.tpxIotFlow is not None and b.tpxIotFlow.connectionId
        }
        flows = [
            c.model_copy(update={"health": twin.healthState, "device_count": twin.deviceCount})
            if (twin := twins.get(c.key)) is not None
            else c
            for c in dx.read(_dx_connections)
        ]
        paired = {c.key for c in flows}
        servers = [
            _app_server(b)
            for b in briefs
            if b.tpxIotFlow is None or b.tpxIotFlow.connectionId not in paired
        ]
        return [*servers, *flows]

    async def create_basic_https_connection(self, spec: BasicHttpsConnectionCreate) -> Connection:
        answer = await self._api.answer(
            "POST",
            f"{OSS}/subscriptions/mine/appServers",
            json=basic_https_connection_body(spec),
            secrets=(spec.as_key,),
        )
        return answer.read(
            lambda body: connection_from_app_server(
                {"name": spec.name, "type": "HTTP", **(optional_object_body(body) or {})}
            )
        )

    async def create_iot_flow_connection(self, spec: IotFlowMqttConnectionCreate) -> Connection:
        answer = await self._api.answer(
            "POST",
            f"{DX}/connections",
            json=iot_flow_connection_body(spec),
            secrets=(spec.password,),
        )

        def created(body: Any) -> Connection:
            found = dict(optional_object_body(body) or {})
            if found.get("id") in (None, ""):
                # `Location: /connections/{id}` names the connection when the body does not.
                location = answer.headers.get("location", "")
                found["id"] = location.rstrip("/").rsplit("/", 1)[-1] or None
            found.setdefault("name", spec.name)
            found.setdefault("connectorId", "actility-mqtt-iot")
            return connection_from_dx(found)

        connection = answer.read(created)
        if not connection.key:
            raise answer.unexpected("the platform created the connection but did not say which")
        return connection

    # ------------------------------------------------------------ downlinks, multicast

    async def send_downlink(self, key: str, downlink: Downlink) -> None:
        await self._call(
            "POST", f"{_device_path(key)}/admins/downlink", params=downlink_params(downlink)
        )

    async def create_multicast_group(self, spec: MulticastGroupCreate) -> str:
        answer = await self._api.answer(
            "POST",
            _DEVICES,
            params={"networkSubscriptionsHandlingMode": "BASIC"},
            json=multicast_group_body(spec),
            secrets=(spec.nwk_skey, spec.app_skey),
        )
        return answer.read(
            lambda body: _DEVICE_BRIEF.validate_python(optional_object_body(body) or {}).get("EUI")
        ) or (spec.eui)

    # ------------------------------------------------------------ the capabilities' forms

    async def _model_choices(self, connectivity: str) -> list[Choice]:
        models = await self.device_models(connectivity)
        return [Choice(f"{m.name} · {m.vendor}" if m.vendor else m.name, m.key) for m in models]

    async def _plan_choices(self) -> list[Choice]:
        plans = await self.connectivity_plans("CELLULAR")
        return [Choice(f"{p.name} · {p.supplier}" if p.supplier else p.name, p.key) for p in plans]

    async def _context_choices(self) -> list[Choice]:
        contexts = await self.network_contexts()
        return [Choice(f"{c.name} ({c.mode})" if c.mode else c.name, c.key) for c in contexts]

    async def _app_server_choices(self) -> list[Choice]:
        """A device's appServers name OSS application servers (an IoT Flow connection's too)."""
        briefs = await self._catalogue(
            f"{OSS}/subscriptions/mine/appServers", _AppServerBrief, _app_server, {}
        )
        return [Choice(f"{c.name} ({c.type})" if c.type else c.name, c.key) for c in briefs]

    def device_forms(self) -> list[FormSpec]:
        connections = {"connection_keys": self._app_server_choices}
        return [
            FormSpec(
                "lorawan",
                "LoRaWAN OTAA device",
                LoRaWanDeviceCreate,
                key="l",
                choices={"model_key": lambda: self._model_choices("LORAWAN"), **connections},
                conflict_field="eui",
            ),
            FormSpec(
                "cellular",
                "cellular device",
                CellularDeviceCreate,
                key="c",
                choices={
                    "model_key": lambda: self._model_choices("CELLULAR"),
                    "plan_key": self._plan_choices,
                    "network_context_key": self._context_choices,
                    **connections,
                },
            ),
            FormSpec(
                "multicast",
                "multicast group",
                MulticastGroupCreate,
                key="m",
                choices=connections,
                conflict_field="eui",
            ),
        ]

    async def create_device(self, form: str, values: BaseModel) -> str:
        if form == "lorawan" and isinstance(values, LoRaWanDeviceCreate):
            return (await self.create_lorawan_device(values)).key or values.eui
        if form == "cellular" and isinstance(values, CellularDeviceCreate):
            return (await self.create_cellular_device(values)).key
        if form == "multicast" and isinstance(values, MulticastGroupCreate):
            return await self.create_multicast_group(values)
        raise ValueError(f"no device form {form!r} takes {type(values).__name__}")

    def created_key(self, form: str, values: BaseModel) -> str | None:
        # A LoRaWAN device and a multicast group are named by their DevEUI; a cellular
        # device's EUI is the platform's to assign.
        return getattr(values, "eui", None) if form in ("lorawan", "multicast") else None

    def device_edit_forms(self) -> list[FormSpec]:
        return [
            FormSpec("name", "name", NameChange, key="n", submit="Rename"),
            FormSpec(
                "connections",
                "connections",
                ConnectionsChange,
                key="c",
                submit="Set",
                choices={"connection_keys": self._app_server_choices},
            ),
        ]

    async def edit_device(self, key: str, form: str, values: BaseModel) -> None:
        if form == "name" and isinstance(values, NameChange):
            change = DeviceUpdate(name=values.name)
        elif form == "connections" and isinstance(values, ConnectionsChange):
            change = DeviceUpdate(connection_keys=values.connection_keys)
        else:
            raise ValueError(f"no edit form {form!r} takes {type(values).__name__}")
        await self.update_device(key, change)

    def command_forms(self) -> list[FormSpec]:
        return [FormSpec("downlink", "downlink", Downlink, key="d", submit="Send")]

    def device_commands(self, device: DeviceSummary) -> list[FormSpec]:
        # A downlink by FPort is a LoRaWAN frame: a cellular device takes none.
        connectivity = (device.connectivity or "").upper()
        return self.command_forms() if connectivity in ("", "LORAWAN") else []

    async def send_command(self, key: str, form: str, values: BaseModel) -> str:
        if form != "downlink" or not isinstance(values, Downlink):
            raise ValueError(f"no command {form!r} takes {type(values).__name__}")
        await self.send_downlink(key, values)
        size = len(values.payload_hex) // 2
        account = f"Queued {size} byte{'s' if size != 1 else ''} on FPort {values.fport}"
        flags = [
            f
            for f, on in (("confirmed", values.confirmed), ("queue flushed", values.flush_queue))
            if on
        ]
        return account + (", " + ", ".join(flags) if flags else "")

    def connection_forms(self) -> list[FormSpec]:
        return [
            FormSpec("basic-https", "Basic HTTPS connection", BasicHttpsConnectionCreate, key="h"),
            FormSpec("iot-flow", "IoT Flow MQTT connection", IotFlowMqttConnectionCreate, key="f"),
        ]

    async def create_connection(self, form: str, values: BaseModel) -> Connection:
        if form == "basic-https" and isinstance(values, BasicHttpsConnectionCreate):
            return await self.create_basic_https_connection(values)
        if form == "iot-flow" and isinstance(values, IotFlowMqttConnectionCreate):
            return await self.create_iot_flow_connection(values)
        raise ValueError(f"no connection form {form!r} takes {type(values).__name__}")
