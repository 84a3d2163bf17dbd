"""The Actility ThingPark adapter: OSS "wireless" REST API and DX Core, behind the capability interfaces."""

from __future__ import annotations

import re
import ssl
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from tui.api.errors import ApiError
from tui.api.http import (
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
    NetworkContext,
    TrafficBucket,
)
from tui.api.paging import Page
from tui.api.platform import (
    Alarms,
    Connections,
    DeviceDirectory,
    DeviceProvisioning,
    Downlinks,
    MulticastGroups,
    Platform,
    TrafficHistory,
)

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


def _str(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _ref_name(value: Any) -> str | None:
    """The display name of a `{"ID", "name"/"commercialName"}` reference, or its ID."""
    if isinstance(value, dict):
        return _str(value.get("commercialName") or value.get("name") or value.get("ID"))
    return _str(value)


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _briefs(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        items = body.get("briefs")
        if isinstance(items, list):
            return [b for b in items if isinstance(b, dict)]
    return []


def page_from_briefs(body: Any) -> tuple[list[dict[str, Any]], str | None, int | None]:
    """The briefs, next cursor and total of a cursor-paged OSS list answer.

    The cursor is `cursors.last` only when `more` is true: the last page also carries a cursor,
    which would otherwise start an empty extra request.
    """
    briefs = _briefs(body)
    cursor: str | None = None
    total: int | None = None
    if isinstance(body, dict):
        cursors = body.get("cursors")
        if body.get("more") and isinstance(cursors, dict):
            cursor = _str(cursors.get("last"))
        count = body.get("count")
        total = count if isinstance(count, int) and not isinstance(count, bool) else None
    return briefs, cursor, total


def _connection_names(app_servers: Any) -> str | None:
    if not isinstance(app_servers, list):
        return None
    names = [n for n in (_ref_name(a) for a in app_servers) if n]
    return ", ".join(names) or None


def _last_uplink(brief: dict[str, Any]) -> datetime | None:
    # `lastUpTimestamp` is the OSS resource's field; some deployments summarise the last uplink
    # as a `lastUplink` object with its own `timestamp` instead.
    when = _ms(brief.get("lastUpTimestamp"))
    last = brief.get("lastUplink")
    if when is None and isinstance(last, dict):
        when = _ms(last.get("timestamp"))
    return when


def device_summary_from_brief(brief: dict[str, Any]) -> DeviceSummary:
    """One device brief of `GET /subscriptions/mine/devices` as a list row keyed by its EUI."""
    eui = str(brief.get("EUI") or "")
    return DeviceSummary(
        key=eui,
        name=_str(brief.get("name")) or eui,
        eui=eui or None,
        connectivity=_str(brief.get("connectivity")),
        activation=_str(brief.get("activation")),
        model=_ref_name(brief.get("model")),
        connection=_connection_names(brief.get("appServers")),
        health=_str(brief.get("healthState")),
        last_activity=_last_uplink(brief),
    )


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


def device_detail_from_resource(resource: dict[str, Any]) -> DeviceDetail:
    """A device resource (`GET …/devices/e{EUI}`) grouped into sections; every field is shown once."""
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
    summary = device_summary_from_brief(resource)
    return DeviceDetail(
        key=summary.key, name=summary.name, summary=summary, sections=sections, raw=resource
    )


def traffic_bucket_from_brief(brief: dict[str, Any]) -> TrafficBucket:
    """One bucket of `…/frames/aggregated`: up/down counters and radio means."""
    up = brief.get("up") if isinstance(brief.get("up"), dict) else {}
    dw = brief.get("dw") if isinstance(brief.get("dw"), dict) else {}
    start = _ms(brief.get("timestamp")) or datetime.fromtimestamp(0, tz=UTC)
    return TrafficBucket(
        start=start,
        up=_int(up.get("count")),
        up_lost=_int(up.get("countLost")),
        down=_int(dw.get("count")),
        down_failed=_int(dw.get("countFailed")),
        rssi_mean=_float(brief.get("rssiMean")),
        snr_mean=_float(brief.get("snrMean")),
        esp_mean=_float(brief.get("espMean")),
    )


_SEVERITIES = {s.value for s in AlarmSeverity}
_ACKED_STATES = {"ACKED", "ACKNOWLEDGED", "ACK"}


def alarm_from_brief(brief: dict[str, Any]) -> Alarm:
    """One device alarm brief; its key is the `alarmUid`, which DX Core acknowledges by.

    The vendor page elides everything but `ID`, `alarmUid`, `device` and `href`, so the other
    fields are read by the OSS resource names when present (`severity`, `state`, `ackState`, …).
    """
    device = brief.get("device") if isinstance(brief.get("device"), dict) else {}
    severity = str(brief.get("severity") or "").upper()
    state = _str(brief.get("state"))
    ack_state = str(brief.get("ackState") or "").upper()
    acknowledged = bool(
        brief.get("acknowledged")
        or brief.get("acked")
        or ack_state in _ACKED_STATES
        or (state or "").upper() in _ACKED_STATES
        or brief.get("ackUser")
        or brief.get("ackTimestamp")
    )
    kind = brief.get("type") or brief.get("alarmType")
    if kind is None and brief.get("ID") is not None:
        kind = f"alarm {brief['ID']}"  # the OSS alarm ID is the alarm type number (alarm004, …)
    occurred = next(
        (
            _ms(brief[name])
            for name in (
                "lastOccurrenceTimestamp",
                "lastOccurrenceDate",
                "occurrenceTimestamp",
                "creationTimestamp",
                "creationDate",
                "timestamp",
                "raisedTimestamp",
            )
            if brief.get(name) is not None
        ),
        None,
    )
    raised = next(
        (
            _ms(brief[name])
            for name in ("creationTimestamp", "creationDate", "raisedTimestamp")
            if brief.get(name) is not None
        ),
        occurred,
    )
    return Alarm(
        key=str(brief.get("alarmUid") or brief.get("ID") or ""),
        device_key=_str(device.get("EUI")),
        device_name=_str(device.get("name")),
        type=_str(kind),
        severity=severity if severity in _SEVERITIES else AlarmSeverity.INDETERMINATE,
        state=state,
        acknowledged=acknowledged,
        raised_at=raised,
        occurred_at=occurred,
        message=_str(brief.get("message") or brief.get("description") or brief.get("cause")),
    )


def device_model_from_brief(brief: dict[str, Any]) -> DeviceModel:
    return DeviceModel(
        key=str(brief.get("ID") or ""),
        name=_str(brief.get("commercialName")) or str(brief.get("ID") or ""),
        vendor=_ref_name(brief.get("vendor")),
        connectivity=_str(brief.get("connectivity")),
    )


def connectivity_plan_from_brief(brief: dict[str, Any]) -> ConnectivityPlan:
    used, granted = brief.get("used"), brief.get("granted")
    return ConnectivityPlan(
        key=str(brief.get("ID") or ""),
        name=_str(brief.get("commercialName")) or str(brief.get("ID") or ""),
        supplier=_ref_name(brief.get("supplier")),
        used=used if isinstance(used, int) else None,
        granted=granted if isinstance(granted, int) else None,
    )


def network_context_from_brief(brief: dict[str, Any]) -> NetworkContext:
    return NetworkContext(
        key=str(brief.get("ID") or ""),
        name=_str(brief.get("name")) or str(brief.get("ID") or ""),
        mode=_str(brief.get("mode")),
    )


def connection_from_app_server(brief: dict[str, Any]) -> Connection:
    """An OSS application server; its `ID` is what a device's `appServers` refers to."""
    count = brief.get("deviceCount")
    return Connection(
        key=str(brief.get("ID") or ""),
        name=_str(brief.get("name")) or str(brief.get("ID") or ""),
        kind="app-server",
        type=_str(brief.get("type")),
        state=_str(brief.get("state")),
        health=_str(brief.get("healthState")),
        device_count=count if isinstance(count, int) else None,
    )


def connection_from_dx(body: dict[str, Any]) -> Connection:
    """A DX Core IoT Flow connection; its key is the DX Core `id`."""
    return Connection(
        key=str(body.get("id") or ""),
        name=_str(body.get("name")) or str(body.get("id") or ""),
        kind="iot-flow",
        type=_str(body.get("connectorId")),
        state=_str(body.get("state")),
    )


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


def _device_path(eui: str) -> str:
    return f"{_DEVICES}/e{eui.strip().upper()}"


# ---------------------------------------------------------------- the adapter


class ThingPark(
    Platform,
    DeviceDirectory,
    DeviceProvisioning,
    TrafficHistory,
    Alarms,
    Connections,
    Downlinks,
    MulticastGroups,
):
    """One ThingPark subscriber account, reached with an OAuth2 client-credentials client."""

    name: ClassVar[str] = NAME
    title: ClassVar[str] = "Actility ThingPark"
    # The vendor page documents no name filter for the device list: the screen filters.
    SERVER_FILTER: ClassVar[bool] = False

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
        self.auth: ClientCredentialsAuth = ClientCredentialsAuth(
            NAME, token_request, parse_error=parse_error
        )
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

    async def aclose(self) -> None:
        await self._api.aclose()

    # ------------------------------------------------------------ plumbing

    async def _call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self._api.request(method, url, **kwargs)

    async def _json(self, method: str, url: str, **kwargs: Any) -> Any:
        return await self._api.json(method, url, **kwargs)

    async def _created_device(self, response: httpx.Response, eui: str | None) -> DeviceDetail:
        """The device a POST created: from its body, else read back by EUI or `Location`."""
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        if isinstance(body, dict) and (body.get("EUI") or eui):
            if not body.get("EUI"):
                body = {**body, "EUI": eui}
            return device_detail_from_resource(body)
        if eui:
            return await self.get_device(eui)
        location = response.headers.get("location")
        if location:
            resource = await self._json("GET", location)
            if isinstance(resource, dict):
                return device_detail_from_resource(resource)
        raise ApiError(NAME, "the platform created the device but did not say which one")

    # ------------------------------------------------------------ devices

    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        """One page in DevEUI order; `query` is ignored (no server filter is documented)."""
        params = {"sort": "EUI,asc"}
        if cursor:
            params["pageAfter"] = cursor
        body = await self._json("GET", _DEVICES, params=params)
        briefs, next_cursor, total = page_from_briefs(body)
        return Page[DeviceSummary](
            items=[device_summary_from_brief(b) for b in briefs],
            cursor=next_cursor,
            total=total if cursor is None else None,
        )

    async def get_device(self, key: str) -> DeviceDetail:
        body = await self._json("GET", _device_path(key))
        if not isinstance(body, dict):
            raise ApiError(NAME, f"device {key} came back empty")
        return device_detail_from_resource(body)

    async def delete_device(self, key: str) -> None:
        await self._call("DELETE", _device_path(key))

    async def update_device(self, key: str, change: DeviceUpdate) -> DeviceDetail:
        body = device_update_body(change)
        if not body:
            return await self.get_device(key)
        answer = await self._json("PUT", _device_path(key), json=body)
        # The PUT answers the updated resource; an empty or partial answer is read back.
        if isinstance(answer, dict) and answer.get("EUI"):
            return device_detail_from_resource(answer)
        return await self.get_device(key)

    async def device_models(self, connectivity: str) -> list[DeviceModel]:
        body = await self._json(
            "GET",
            f"{OSS}/subscriptions/mine/deviceProfiles",
            params={"connectivity": connectivity.upper()},
        )
        return [device_model_from_brief(b) for b in _briefs(body)]

    async def connectivity_plans(self, connectivity: str) -> list[ConnectivityPlan]:
        body = await self._json(
            "GET",
            f"{OSS}/subscriptions/mine/networkSubscriptions",
            params={"connectivity": connectivity.upper()},
        )
        return [connectivity_plan_from_brief(b) for b in _briefs(body)]

    async def network_contexts(self) -> list[NetworkContext]:
        body = await self._json("GET", f"{OSS}/subscriptions/mine/cellularNetworkContexts")
        return [network_context_from_brief(b) for b in _briefs(body)]

    async def create_lorawan_device(self, spec: LoRaWanDeviceCreate) -> DeviceDetail:
        response = await self._call(
            "POST",
            _DEVICES,
            params={"networkSubscriptionsHandlingMode": "BASIC"},
            json=lorawan_device_body(spec),
            secrets=(spec.app_key,),
        )
        return await self._created_device(response, spec.eui)

    async def create_cellular_device(self, spec: CellularDeviceCreate) -> DeviceDetail:
        # The vendor's cellular example has no networkSubscriptionsHandlingMode: the plan is named.
        response = await self._call("POST", _DEVICES, json=cellular_device_body(spec))
        return await self._created_device(response, None)

    # ------------------------------------------------------------ traffic

    async def traffic(
        self, key: str, *, duration: str, step: str, timezone: str
    ) -> list[TrafficBucket]:
        body = await self._json(
            "GET",
            f"{_device_path(key)}/frames/aggregated",
            params={"duration": duration, "step": step, "timezone": timezone},
        )
        buckets = [traffic_bucket_from_brief(b) for b in _briefs(body)]
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
        if device_key:
            params["deviceEUI"] = device_key.strip().upper()
        if cursor:
            params["pageAfter"] = cursor
        body = await self._json("GET", f"{_DEVICES}/alarms", params=params)
        briefs, next_cursor, total = page_from_briefs(body)
        return Page[Alarm](
            items=[alarm_from_brief(b) for b in briefs],
            cursor=next_cursor,
            total=total if cursor is None else None,
        )

    async def acknowledge_alarm(self, key: str) -> None:
        await self._call("POST", f"{DX}/deviceAlarms/{key}/acks")

    # ------------------------------------------------------------ connections

    async def list_connections(self) -> list[Connection]:
        """OSS application servers, then DX Core IoT Flow connections.

        Both are listed as they are: an IoT Flow connection also has an OSS application server
        (`tpxIotFlow.connectionId`), and that OSS `ID` is the one a device refers to.
        """
        oss = await self._json("GET", f"{OSS}/subscriptions/mine/appServers")
        dx = await self._json("GET", f"{DX}/connections")
        connections = [connection_from_app_server(b) for b in _briefs(oss)]
        connections.extend(connection_from_dx(c) for c in _dx_items(dx))
        return connections

    async def create_basic_https_connection(self, spec: BasicHttpsConnectionCreate) -> Connection:
        body = await self._json(
            "POST",
            f"{OSS}/subscriptions/mine/appServers",
            json=basic_https_connection_body(spec),
            secrets=(spec.as_key,),
        )
        answer = body if isinstance(body, dict) else {}
        return connection_from_app_server({"name": spec.name, "type": "HTTP", **answer})

    async def create_iot_flow_connection(self, spec: IotFlowMqttConnectionCreate) -> Connection:
        response = await self._call(
            "POST",
            f"{DX}/connections",
            json=iot_flow_connection_body(spec),
            secrets=(spec.password,),
        )
        body: Any = None
        if response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        answer = dict(body) if isinstance(body, dict) else {}
        if not answer.get("id"):
            # `Location: /connections/{id}` names the connection when the body does not.
            location = response.headers.get("location", "")
            answer["id"] = location.rstrip("/").rsplit("/", 1)[-1] or None
        answer.setdefault("name", spec.name)
        answer.setdefault("connectorId", "actility-mqtt-iot")
        return connection_from_dx(answer)

    # ------------------------------------------------------------ downlinks, multicast

    async def send_downlink(self, key: str, downlink: Downlink) -> None:
        await self._call(
            "POST", f"{_device_path(key)}/admins/downlink", params=downlink_params(downlink)
        )

    async def create_multicast_group(self, spec: MulticastGroupCreate) -> str:
        body = await self._json(
            "POST",
            _DEVICES,
            params={"networkSubscriptionsHandlingMode": "BASIC"},
            json=multicast_group_body(spec),
            secrets=(spec.nwk_skey, spec.app_skey),
        )
        if isinstance(body, dict) and body.get("EUI"):
            return str(body["EUI"])
        return spec.eui


def _dx_items(body: Any) -> list[dict[str, Any]]:
    """DX Core lists come as a bare array; tolerate a wrapping object as well."""
    if isinstance(body, list):
        return [c for c in body if isinstance(c, dict)]
    if isinstance(body, dict):
        for name in ("connections", "items", "content", "briefs", "data"):
            if isinstance(body.get(name), list):
                return [c for c in body[name] if isinstance(c, dict)]
    return []
