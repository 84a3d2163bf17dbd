"""Pydantic models the screens read, and the validated inputs they send.

Read models are vendor-neutral: an adapter maps its vendor's JSON onto them. List rows
(`DeviceSummary`, `Alarm`) hold only what a list shows, so that a million of them stay small;
detail models keep the vendor's raw JSON as well. Input models validate as the vendors do, so a
form can show a field error before anything is sent, and an adapter never sends what the vendor
would refuse for a reason we could have known.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from tui.api.forms import ui
from tui.api.paging import Page

__all__ = [
    "Alarm",
    "AlarmSeverity",
    "AppServerRef",
    "Application",
    "BaseStation",
    "BaseStationLocation",
    "BasicHttpsConnectionCreate",
    "CellularDeviceCreate",
    "Connection",
    "ConnectionsChange",
    "ConnectivityPlan",
    "Created",
    "DetailField",
    "DetailSection",
    "DeviceDetail",
    "DeviceModel",
    "DeviceSummary",
    "DeviceUpdate",
    "Downlink",
    "IotFlowMqttConnectionCreate",
    "LoRaWanDeviceCreate",
    "LogEntry",
    "MulticastGroupCreate",
    "NameChange",
    "NetworkContext",
    "Page",
    "PlatformHealth",
    "TagsChange",
    "TemplateRef",
    "ThingDefinition",
    "TrafficBucket",
    "TrafficRange",
]

_HEX = re.compile(r"^[0-9A-Fa-f]*$")


#: the example a device's name field shows
_NAME_EG = "e.g. Lyon meter 0042"


def luhn_ok(digits: str) -> bool:
    """Whether the last digit is the Luhn check digit of the others (IMEI, ICCID)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _hex(value: str, length: int, what: str) -> str:
    value = value.strip()
    if len(value) != length or not _HEX.match(value):
        raise ValueError(f"{what} must be {length} hexadecimal characters")
    return value.upper()


def coordinate(value: str, field: str) -> str:
    """A latitude or longitude (`field` says which) as text of a number of degrees in range."""
    value = value.strip()
    limit = 90 if field == "latitude" else 180
    try:
        degrees = float(value)
    except ValueError:
        raise ValueError(f"{field} is a number of degrees") from None
    if not -limit <= degrees <= limit:
        raise ValueError(f"{field} is between -{limit} and {limit}")
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


# ---------------------------------------------------------------- read models


class DeviceSummary(_Frozen):
    """One row of a device list. `key` identifies the device on its platform (a DevEUI, a device_id)."""

    key: str
    name: str
    eui: str | None = None
    connectivity: str | None = None
    activation: str | None = None
    model: str | None = None
    connection: str | None = None
    health: str | None = None
    last_activity: datetime | None = None


class ThingDefinition(_Frozen):
    """A template of things (Telit's thing definition): its attributes, properties, alarms and
    methods, each key → name."""

    key: str
    name: str
    id: str | None = None
    version: str | None = None
    attributes: dict[str, str] = {}
    properties: dict[str, str] = {}
    alarms: dict[str, str] = {}
    methods: dict[str, str] = {}


class Application(_Frozen):
    """An application whose token lets gateways connect (and auto-register as things of its
    definition). Never its token, which creating it shows once."""

    key: str
    name: str
    definition: str | None = None
    auto_reg_tags: list[str] = []


class Created(_Frozen):
    """A device just created, when the platform hands back something shown only this once
    (EnOS's deviceSecret): the console shows it masked until revealed, and keeps it nowhere."""

    key: str
    secrets: dict[str, SecretStr] = {}


class DetailField(_Frozen):
    """One labelled value of a device detail; `secret` values are masked until revealed."""

    label: str
    value: str
    secret: bool = False


class DetailSection(_Frozen):
    title: str
    fields: list[DetailField]


class DeviceDetail(_Frozen):
    """Everything the vendor says about one device, grouped for display, plus the raw JSON."""

    key: str
    name: str
    summary: DeviceSummary
    sections: list[DetailSection]
    raw: dict[str, Any]


class AlarmSeverity(StrEnum):
    CRITICAL = "CRITICAL"
    MAJOR = "MAJOR"
    MINOR = "MINOR"
    WARNING = "WARNING"
    INDETERMINATE = "INDETERMINATE"
    CLEARED = "CLEARED"


class Alarm(_Frozen):
    key: str
    device_key: str | None = None
    device_name: str | None = None
    type: str | None = None
    severity: str = AlarmSeverity.INDETERMINATE
    state: str | None = None
    acknowledged: bool = False
    #: when the alarm was raised (lists are ordered by it) and when it last occurred
    raised_at: datetime | None = None
    occurred_at: datetime | None = None
    message: str | None = None


class Connection(_Frozen):
    """An application server / connection: OSS app servers and DX Core IoT Flow connections alike,
    and Telit's SIM connections."""

    key: str
    name: str
    kind: str  # "app-server" (OSS) or "iot-flow" (DX Core)
    type: str | None = None
    state: str | None = None
    health: str | None = None
    device_count: int | None = None
    # A SIM connection (Telit's connectivity data providers): its identifiers, its rate plan and
    # the key of the thing (device) it belongs to; its carrier is `type`, its status `state`.
    iccid: str | None = None
    imsi: str | None = None
    rate_plan: str | None = None
    device_key: str | None = None


class TrafficBucket(_Frozen):
    """Aggregated traffic over one step of a traffic history."""

    start: datetime
    up: int = 0
    up_lost: int = 0
    down: int = 0
    down_failed: int = 0
    rssi_mean: float | None = None
    snr_mean: float | None = None
    esp_mean: float | None = None


class TrafficRange(_Frozen):
    """One choice of traffic history a platform offers: the key that picks it, its label, and
    the ISO-8601 duration and step (bucket size) asked of `TrafficHistory.traffic`."""

    key: str
    label: str
    duration: str
    step: str

    @property
    def unit(self) -> Literal["hour", "day", "week", "month"]:
        """The bucket's size in words: what the chart's labels and the table's title show."""
        step = self.step.upper()
        if step.startswith("PT"):
            return "hour"
        if step.endswith("M"):
            return "month"
        if step.endswith("W") or step in ("P7D",):
            return "week"
        return "day"


class BaseStation(_Frozen):
    """A gateway (base station) of the network the platform runs, with where it stands."""

    key: str
    name: str
    state: str | None = None
    firmware: str | None = None
    last_restart: datetime | None = None
    latitude: str | None = None
    longitude: str | None = None
    location_name: str | None = None
    company: str | None = None
    raw: dict[str, Any] = {}


class LogEntry(_Frozen):
    """One line of a device's log of one kind (a decoded value, a network frame, a location)."""

    at: datetime | None = None
    #: what the line is about: a container ("temperature"), a frame type, a location source
    source: str | None = None
    #: what it says, in one line (a value with its unit, a payload, "lat, lon")
    value: str = ""
    raw: dict[str, Any] = {}


class PlatformHealth(_Frozen):
    """What the platform says of its own state: `up` None when its answer says neither."""

    up: bool | None
    text: str


class TemplateRef(_Frozen):
    """A named configuration (a downlink template) the platform can send to many devices."""

    key: str
    name: str


class DeviceModel(_Frozen):
    key: str
    name: str
    vendor: str | None = None
    connectivity: str | None = None


class ConnectivityPlan(_Frozen):
    key: str
    name: str
    supplier: str | None = None
    used: int | None = None
    granted: int | None = None


class NetworkContext(_Frozen):
    key: str
    name: str
    mode: str | None = None


# ---------------------------------------------------------------- inputs


class AppServerRef(_Frozen):
    key: str


class LoRaWanDeviceCreate(_Frozen):
    """A LoRaWAN OTAA device, as the vendor's "Adding a LoRaWAN device" asks for it."""

    name: str = Field(
        min_length=1, max_length=128, title="Name", json_schema_extra=ui(placeholder=_NAME_EG)
    )
    eui: str = Field(title="DevEUI", json_schema_extra=ui(placeholder="16 hex digits"))
    app_key: str = Field(
        title="AppKey", json_schema_extra=ui(placeholder="32 hex digits", secret=True)
    )
    app_eui: str | None = Field(
        default=None,
        title="AppEUI",
        description="JoinEUI; derived from the DevEUI when blank",
        json_schema_extra=ui(placeholder="16 hex digits"),
    )
    model_key: str = Field(min_length=1, title="Device model")
    connection_keys: list[str] = Field(min_length=1, title="Connections")

    @field_validator("eui")
    @classmethod
    def _eui(cls, v: str) -> str:
        return _hex(v, 16, "DevEUI")

    @field_validator("app_eui")
    @classmethod
    def _app_eui(cls, v: str | None) -> str | None:
        return None if not v else _hex(v, 16, "AppEUI")

    @field_validator("app_key")
    @classmethod
    def _app_key(cls, v: str) -> str:
        return _hex(v, 32, "AppKey")


class CellularDeviceCreate(_Frozen):
    """A cellular device; the platform assigns its EUI."""

    name: str = Field(
        min_length=1, max_length=128, title="Name", json_schema_extra=ui(placeholder=_NAME_EG)
    )
    model_key: str = Field(min_length=1, title="Device model")
    plan_key: str = Field(min_length=1, title="Connectivity plan")
    network_context_key: str = Field(min_length=1, title="Network context")
    connection_keys: list[str] = Field(min_length=1, title="Connections")
    sim_id: str = Field(
        title="SIM (ICCID/eID)",
        json_schema_extra=ui(placeholder="ICCID of 19-20 digits or a 32-digit eID"),
    )
    imei: str | None = Field(
        default=None,
        title="Enforced IMEI",
        description="only this IMEI may use the SIM",
        json_schema_extra=ui(placeholder="15 digits"),
    )

    @field_validator("sim_id")
    @classmethod
    def _sim(cls, v: str) -> str:
        v = v.strip()
        # An ICCID is 18-22 digits (the last may be F padding); an eID is 32 digits.
        if not re.fullmatch(r"\d{18,22}|\d{19}F|\d{32}", v):
            raise ValueError("SIM identifier must be an ICCID (18-22 digits) or an eID (32 digits)")
        return v

    @field_validator("imei")
    @classmethod
    def _imei(cls, v: str | None) -> str | None:
        if not v:
            return None
        v = v.strip()
        if not re.fullmatch(r"\d{15}", v):
            raise ValueError("IMEI must be 15 digits")
        if not luhn_ok(v):
            raise ValueError("IMEI check digit is wrong")  # the vendor refuses it too
        return v


class DeviceUpdate(_Frozen):
    """Fields a user may change on an existing device; None leaves a field as it is."""

    name: str | None = Field(default=None, min_length=1, max_length=128)
    connection_keys: list[str] | None = None


class NameChange(_Frozen):
    """A device's new name (in a bulk run, one per device: a CSV column `name`)."""

    name: str = Field(
        min_length=1, max_length=128, title="Name", json_schema_extra=ui(placeholder=_NAME_EG)
    )


class TagsChange(_Frozen):
    """Tags to put on a device (in a bulk run, the same tags on every target)."""

    tags: list[str] = Field(
        min_length=1,
        title="Tags",
        description="comma separated",
        json_schema_extra=ui(placeholder="e.g. floor-2, meters"),
    )

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        tags = [t.strip() for t in v if t.strip()]
        if not tags:
            raise ValueError("give at least one tag")
        return list(dict.fromkeys(tags))


class BaseStationLocation(_Frozen):
    """Where a base station stands, as a map shows it."""

    latitude: str = Field(title="Latitude", json_schema_extra=ui(placeholder="e.g. 50.8503"))
    longitude: str = Field(title="Longitude", json_schema_extra=ui(placeholder="e.g. 4.3517"))
    location_name: str | None = Field(
        default=None, title="Location name", json_schema_extra=ui(placeholder="e.g. Wall street")
    )

    @field_validator("latitude", "longitude")
    @classmethod
    def _degrees(cls, v: str, info: ValidationInfo) -> str:
        return coordinate(v, info.field_name or "")


class ConnectionsChange(_Frozen):
    """Where a device's data goes from now on: the connections it is attached to."""

    connection_keys: list[str] = Field(min_length=1, title="Connections")


class MulticastGroupCreate(_Frozen):
    """A LoRaWAN multicast group (class B or C), as "Adding the multicast group" asks for it."""

    name: str = Field(
        min_length=1,
        max_length=128,
        title="Name",
        json_schema_extra=ui(placeholder="e.g. Street lights, district 3"),
    )
    eui: str = Field(title="DevEUI", json_schema_extra=ui(placeholder="16 hex digits"))
    dev_addr: str = Field(title="DevAddr", json_schema_extra=ui(placeholder="8 hex digits"))
    nwk_skey: str = Field(
        title="NwkSKey", json_schema_extra=ui(placeholder="32 hex digits", secret=True)
    )
    app_skey: str = Field(
        title="AppSKey", json_schema_extra=ui(placeholder="32 hex digits", secret=True)
    )
    device_class: str = Field(
        default="C",
        title="Class",
        json_schema_extra=ui(options=(("Class C (continuous)", "C"), ("Class B (beacon)", "B"))),
    )
    downlink_data_rate: int = Field(
        ge=0, le=15, title="Downlink DR", json_schema_extra=ui(placeholder="0-15")
    )
    downlink_frequency_mhz: float = Field(
        gt=0, title="Frequency (MHz)", json_schema_extra=ui(placeholder="869.525")
    )
    base_station_tags: list[str] = Field(
        default=[],
        title="Base station tags",
        description="comma separated",
        json_schema_extra=ui(placeholder="tag1, tag2"),
    )
    connection_keys: list[str] = Field(min_length=1, title="Connections")

    @field_validator("eui")
    @classmethod
    def _eui(cls, v: str) -> str:
        return _hex(v, 16, "DevEUI")

    @field_validator("dev_addr")
    @classmethod
    def _addr(cls, v: str) -> str:
        return _hex(v, 8, "DevAddr")

    @field_validator("nwk_skey")
    @classmethod
    def _nwk(cls, v: str) -> str:
        return _hex(v, 32, "NwkSKey")

    @field_validator("app_skey")
    @classmethod
    def _app(cls, v: str) -> str:
        return _hex(v, 32, "AppSKey")

    @field_validator("device_class")
    @classmethod
    def _class(cls, v: str) -> str:
        v = v.strip().upper()
        if v not in {"B", "C"}:
            raise ValueError("a multicast group is class B or C")
        return v

    @field_validator("downlink_frequency_mhz")
    @classmethod
    def _mhz(cls, v: float) -> float:
        # The vendor takes MHz; a value in Hz or kHz is a typing slip worth catching here.
        if not 100 <= v <= 1100:
            raise ValueError("frequency is in MHz, e.g. 869.525")
        return v


class BasicHttpsConnectionCreate(_Frozen):
    """An OSS application server of the NS-AS tunnel kind ("Basic HTTPS connection")."""

    name: str = Field(
        min_length=1,
        max_length=128,
        title="Name",
        json_schema_extra=ui(placeholder="e.g. Building management HTTPS"),
    )
    url: str = Field(title="URL", json_schema_extra=ui(placeholder="https://www.example.com/myApp"))
    content_type: str = Field(
        default="jsontyped",
        title="Content type",
        json_schema_extra=ui(
            options=(("JSON (typed)", "jsontyped"), ("JSON", "json"), ("XML", "xml"))
        ),
    )
    as_key: str = Field(
        title="Tunnel key",
        description="tunnel interface authentication key",
        json_schema_extra=ui(placeholder="32 hex digits", secret=True),
    )
    max_timestamp_deviation_s: int = Field(
        default=10,
        ge=1,
        le=3600,
        title="Max time skew (s)",
        description="maximum timestamp deviation of a downlink, in seconds",
    )

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        v = v.strip()
        if not re.fullmatch(r"https?://[^\s/:]+(:\d{1,5})?(/\S*)?", v):
            raise ValueError("URL must look like https://host[:port]/path")
        return v

    @field_validator("as_key")
    @classmethod
    def _key(cls, v: str) -> str:
        return _hex(v, 32, "Tunnel interface authentication key")

    @field_validator("content_type")
    @classmethod
    def _ct(cls, v: str) -> str:
        if v not in {"jsontyped", "xml", "json"}:
            raise ValueError("content type is one of jsontyped, json, xml")
        return v


class IotFlowMqttConnectionCreate(_Frozen):
    """A ThingPark X IoT Flow MQTT connection (DX Core `actility-mqtt-iot` connector)."""

    name: str = Field(
        min_length=1,
        max_length=128,
        title="Name",
        json_schema_extra=ui(placeholder="e.g. My MQTT connection"),
    )
    host: str = Field(
        title="Broker", json_schema_extra=ui(placeholder="host:port, e.g. broker.example.com:8883")
    )
    uplink_topic: str = Field(
        default="mqtt/things/{DevEUI}/uplink",
        title="Uplink topic",
        description="a pattern with {DevEUI}",
    )
    downlink_topic: str = Field(
        default="mqtt/things/{DevEUI}/downlink",
        title="Downlink topic",
        description="a pattern with {DevEUI}",
    )
    protocol: str = Field(
        default="SSL",
        title="Protocol",
        json_schema_extra=ui(
            options=(("SSL", "SSL"), ("TCP", "TCP"), ("WSS", "WSS"), ("WS", "WS"))
        ),
    )
    username: str | None = Field(default=None, title="Username")
    password: str | None = Field(default=None, title="Password", json_schema_extra=ui(secret=True))

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        v = v.strip()
        m = re.fullmatch(r"([A-Za-z0-9.-]+):(\d{1,5})", v)
        if not m or not 0 < int(m.group(2)) < 65536:
            raise ValueError("broker must be host:port, e.g. broker.example.com:8883")
        return v

    @field_validator("uplink_topic", "downlink_topic")
    @classmethod
    def _topic(cls, v: str) -> str:
        v = v.strip()
        if "{DevEUI}" not in v:
            raise ValueError("topic pattern must contain {DevEUI}")
        if any(c in v for c in "#+ "):
            raise ValueError("topic pattern must not contain wildcards or spaces")
        return v

    @field_validator("protocol")
    @classmethod
    def _proto(cls, v: str) -> str:
        if v not in {"SSL", "TCP", "WS", "WSS"}:
            raise ValueError("protocol is one of SSL, TCP, WS, WSS")
        return v

    @field_validator("password")
    @classmethod
    def _login(cls, v: str | None, info: ValidationInfo) -> str | None:
        # The vendor refuses a password without a username (a field validator, so that the
        # rule is checked even while another field is wrong; the form shows it at username).
        if v and not info.data.get("username"):
            raise ValueError("username: required with a password")
        return v


class Downlink(_Frozen):
    """A LoRaWAN downlink: hex payload and FPort, checked before sending."""

    payload_hex: str = Field(
        title="Payload (hex)",
        description="even number of hex digits, at most 242 bytes",
        json_schema_extra=ui(placeholder="e.g. 01A0FF"),
    )
    fport: int = Field(title="FPort", json_schema_extra=ui(placeholder="1-223"))
    confirmed: bool = Field(default=False, title="Confirmed")
    flush_queue: bool = Field(default=False, title="Flush queue first")

    @field_validator("fport")
    @classmethod
    def _fport(cls, v: int) -> int:
        # FPort 0 carries MAC commands and 224+ are reserved by LoRaWAN: applications use 1-223.
        if not 1 <= v <= 223:
            raise ValueError("FPort must be between 1 and 223")
        return v

    @field_validator("payload_hex")
    @classmethod
    def _payload(cls, v: str) -> str:
        v = v.strip().replace(" ", "")
        if not v or not _HEX.match(v):
            raise ValueError("payload must be hexadecimal")
        if len(v) % 2:
            raise ValueError("payload must have an even number of hex digits")
        if len(v) > 2 * 242:
            raise ValueError("payload must be at most 242 bytes")
        return v.upper()
