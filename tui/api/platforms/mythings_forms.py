"""The forms Proximus MyThings offers in fleet, with the vendor's own rules and messages.

Things are created per connectivity type (`ThingCreateRequest`: LORA.ABP, LORA.OTAA, ETHERNET),
changed with `ThingUpdateRequest`, sent downlinks (`DownlinkRequest`: even-length hex of at most
50 bytes, fPort 1-255, ack and encrypted flags 0/1) and configuration templates; stream
definitions carry device data to an application. Where the vendor page words a rule
(`ApplicationKey must be 32 characters`, `DeviceAddress must be 8 characters`…) the message is
the vendor's string; the company id is the profile's and is added by the adapter.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from tui.api.forms import ui
from tui.api.models import coordinate

__all__ = [
    "CONNECTIVITY_TYPES",
    "MOTION_INDICATORS",
    "STREAM_CONTENT_TYPES",
    "STREAM_TYPES",
    "AbpKeysChange",
    "ConfigurationTemplateCommand",
    "DescriptionChange",
    "LocationChange",
    "MyThingsDownlink",
    "OtaaKeysChange",
    "PublicChange",
    "StreamDefinitionCreate",
    "StreamDefinitionEdit",
    "StreamDefinitionUpdate",
    "TagsReplace",
    "ThingAbpCreate",
    "ThingEthernetCreate",
    "ThingNameChange",
    "ThingOtaaCreate",
    "parse_headers",
    "template_text",
]

CONNECTIVITY_TYPES = ("LORA.ABP", "LORA.OTAA", "ETHERNET")
#: "Only for LoRa Things with LBS enabled" (ThingCreateRequest.motionIndicator)
MOTION_INDICATORS = ("Near static", "Walking speed", "Vehicle speed", "Random")
#: "Type: NETWORK/DECODED/LBS" (Stream Definitions)
STREAM_TYPES = ("NETWORK", "DECODED", "LBS")
STREAM_CONTENT_TYPES = ("JSON", "XML", "FREEFORM")
#: DownlinkRequest.payload: "HEX with even bytes (max 50 bytes)"
DOWNLINK_MAX_BYTES = 50

_HEX = re.compile(r"[0-9A-Fa-f]*")


def _sized_hex(value: str | None, length: int, missing: str, wrong: str) -> str:
    """A key of `length` hex digits: the vendor's `missing` and `wrong` messages, and ours for
    a key of the right length that is not hexadecimal."""
    value = (value or "").strip().replace(" ", "")
    if not value:
        raise ValueError(missing)
    if len(value) != length:
        raise ValueError(wrong)
    if not _HEX.fullmatch(value):
        raise ValueError(f"{wrong.split(' must ')[0]} must be hexadecimal")
    return value.upper()


def _identifier(value: str, connectivity: str) -> str:
    """A LoRa thing is known by its DevEUI; an Ethernet thing by a name of its own (the vendor
    page shows 16 hex digits for both, and sets no rule for Ethernet: letters, digits and
    `-_:.` keep it usable in a URL path)."""
    value = value.strip()
    if connectivity == "ETHERNET":
        if not re.fullmatch(r"[A-Za-z0-9_.:-]{1,64}", value):
            raise ValueError("thing identifier is 1-64 letters, digits, -, _, : or .")
        return value
    if not re.fullmatch(r"[0-9A-Fa-f]{16}", value):
        raise ValueError("thing identifier must be 16 hexadecimal characters (the DevEUI)")
    return value.upper()


def _type_id(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValueError("ThingTypeId may not be null")
    if not value.isdigit() or int(value) >= 2**31:
        raise ValueError("ThingTypeId is a number")
    return value


def _degrees(value: str | None, info: ValidationInfo) -> str | None:
    return coordinate(value, info.field_name or "") if value and value.strip() else None


def _clean_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in tags if t.strip()))


class _Form(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)


_LOCATION_FIELDS = ("latitude", "longitude", "location_fn1", "location_fn2")
_WIRE_NAMES = {
    "thing_name": "thingName",
    "description": "description",
    "is_public": "isPublic",
    "latitude": "latitude",
    "longitude": "longitude",
    "location_fn1": "locationFN1",
    "location_fn2": "locationFN2",
    "tags": "tags",
    "connectivity_plan": "connectivityPlan",
    "motion_indicator": "motionIndicator",
}


def _wire(model: BaseModel, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields `names` that are set, by their wire names."""
    body: dict[str, Any] = {}
    for name in names:
        value = getattr(model, name)
        if value is not None and value != []:
            body[_WIRE_NAMES[name]] = value
    return body


# ---------------------------------------------------------------- create


class _ThingCreate(_Form):
    """What every ThingCreateRequest has, whatever the connectivity."""

    thing_identifier: str = Field(
        title="Thing identifier",
        description="a LoRa thing's DevEUI; an Ethernet thing's own identifier",
        json_schema_extra=ui(placeholder="16 hex digits"),
    )
    thing_name: str | None = Field(
        default=None, max_length=255, title="Name", json_schema_extra=ui(placeholder="e.g. Door 4")
    )
    description: str | None = Field(default=None, max_length=1024, title="Description")
    thing_type_id: str = Field(
        default="", validate_default=True, title="Thing type", description="ThingTypeId"
    )
    is_public: bool = Field(default=False, title="Public")
    tags: list[str] = Field(
        default=[], title="Tags", description="comma separated", json_schema_extra=ui()
    )
    latitude: str | None = Field(default=None, title="Latitude")
    longitude: str | None = Field(default=None, title="Longitude")
    location_fn1: str | None = Field(default=None, max_length=255, title="Location name 1")
    location_fn2: str | None = Field(default=None, max_length=255, title="Location name 2")

    CONNECTIVITY_TYPE: ClassVar[str] = ""

    @field_validator("thing_identifier")
    @classmethod
    def _identifier(cls, value: str) -> str:
        return _identifier(value, cls.CONNECTIVITY_TYPE)

    @field_validator("thing_type_id")
    @classmethod
    def _type(cls, value: str) -> str:
        return _type_id(value)

    @field_validator("latitude", "longitude")
    @classmethod
    def _where(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _degrees(value, info)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _clean_tags(value)

    def _common(self, company_id: int) -> dict[str, Any]:
        return {
            "connectivityType": self.CONNECTIVITY_TYPE,
            "thingIdentifier": self.thing_identifier,
            "companyId": company_id,
            **_wire(self, ("thing_name", "description")),
            "isPublic": self.is_public,
            "thingTypeId": int(self.thing_type_id),
            **_wire(self, (*_LOCATION_FIELDS, "tags")),
        }

    def body(self, company_id: int) -> dict[str, Any]:
        """The POST /things body (ThingCreateRequest) for the profile's company."""
        raise NotImplementedError


class _LoRaCreate(_ThingCreate):
    connectivity_plan: str | None = Field(
        default=None,
        title="Connectivity plan",
        description="the company's default when blank",
    )
    motion_indicator: str | None = Field(
        default=None,
        title="Motion indicator",
        description="only for LoRa things with LBS enabled",
        json_schema_extra=ui(options=tuple((m, m) for m in MOTION_INDICATORS)),
    )

    @field_validator("motion_indicator")
    @classmethod
    def _motion(cls, value: str | None) -> str | None:
        if value and value not in MOTION_INDICATORS:
            raise ValueError(f"motion indicator is one of: {', '.join(MOTION_INDICATORS)}")
        return value or None


def _session_keys(text: str | None) -> str | None:
    """`port:key` entries, comma separated (one AppSKey per FPort; `*` stands for every port),
    normalised; None when there are none."""
    seen: dict[str, str] = {}
    for entry in (text or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        port, sep, key = entry.replace("=", ":").partition(":")
        port = port.strip()
        if not sep:
            raise ValueError("give each AppSKey as port:key, e.g. 1:2B7E1516…")
        if port != "*" and not (port.isdigit() and 1 <= int(port) <= 255):
            raise ValueError(f"port {port!r}: a port is 1-255 (or *)")
        if port in seen:
            raise ValueError(f"port {port}: one AppSKey per port")
        seen[port] = _sized_hex(
            key,
            32,
            "ApplicationSessionKey must be 32 characters",
            "ApplicationSessionKey must be 32 characters",
        )
    return ",".join(f"{port}:{key}" for port, key in seen.items()) or None


def _session_key_pairs(text: str | None) -> list[tuple[str, str]]:
    """(port, key) of normalised `port:key` entries."""
    return [
        (port, key) for port, _, key in (e.partition(":") for e in (text or "").split(",") if e)
    ]


def _session_keys_body(text: str | None) -> list[dict[str, str]]:
    return [{"applicationSessionKey": key, "port": port} for port, key in _session_key_pairs(text)]


def _device_address(value: str | None) -> str:
    return _sized_hex(
        value, 8, "DeviceAddress must be 8 characters", "DeviceAddress must be 8 characters"
    )


def _network_session_key(value: str | None) -> str:
    # "NetworksKey must be 32 characters" is the vendor's spelling, kept as it is.
    return _sized_hex(
        value, 32, "NetworkSessionKey may not be null", "NetworksKey must be 32 characters"
    )


class ThingAbpCreate(_LoRaCreate):
    """A LoRa thing activated by personalisation: a device address from the company's pool of
    reserved addresses, its NwkSKey and one AppSKey per FPort."""

    CONNECTIVITY_TYPE = "LORA.ABP"

    device_address: str = Field(
        default="",
        validate_default=True,
        title="Device address",
        description="DevAddr, from the addresses reserved for the company",
    )
    network_session_key: str = Field(
        default="",
        validate_default=True,
        title="NwkSKey",
        json_schema_extra=ui(placeholder="32 hex digits", secret=True),
    )
    application_session_keys: str | None = Field(
        default=None,
        title="AppSKeys",
        description="port:key, comma separated (one per FPort, * for every port)",
        json_schema_extra=ui(placeholder="1:32 hex digits", secret=True),
    )

    @field_validator("device_address")
    @classmethod
    def _address(cls, value: str) -> str:
        return _device_address(value)

    @field_validator("network_session_key")
    @classmethod
    def _nwk(cls, value: str) -> str:
        return _network_session_key(value)

    @field_validator("application_session_keys")
    @classmethod
    def _apps(cls, value: str | None) -> str | None:
        return _session_keys(value)

    def body(self, company_id: int) -> dict[str, Any]:
        return {
            **self._common(company_id),
            **_wire(self, ("connectivity_plan",)),
            "deviceAddress": self.device_address,
            "keys": {
                "applicationSessionkeys": _session_keys_body(self.application_session_keys),
                "networkSessionKey": self.network_session_key,
            },
            **_wire(self, ("motion_indicator",)),
        }

    @property
    def secrets(self) -> tuple[str, ...]:
        keys = (key for _, key in _session_key_pairs(self.application_session_keys))
        return (self.network_session_key, *keys)


def _application_eui(value: str | None) -> str:
    return _sized_hex(
        value, 16, "ApplicationEUI may not be null", "ApplicationEUI must be 16 characters"
    )


def _application_key(value: str | None) -> str:
    return _sized_hex(
        value, 32, "ApplicationKey may not be null", "ApplicationKey must be 32 characters"
    )


class ThingOtaaCreate(_LoRaCreate):
    """A LoRa thing that joins over the air with its AppEUI and AppKey."""

    CONNECTIVITY_TYPE = "LORA.OTAA"

    application_eui: str = Field(
        default="",
        validate_default=True,
        title="AppEUI",
        json_schema_extra=ui(placeholder="16 hex digits"),
    )
    application_key: str = Field(
        default="",
        validate_default=True,
        title="AppKey",
        json_schema_extra=ui(placeholder="32 hex digits", secret=True),
    )

    @field_validator("application_eui")
    @classmethod
    def _eui(cls, value: str) -> str:
        return _application_eui(value)

    @field_validator("application_key")
    @classmethod
    def _key(cls, value: str) -> str:
        return _application_key(value)

    def body(self, company_id: int) -> dict[str, Any]:
        return {
            **self._common(company_id),
            **_wire(self, ("connectivity_plan",)),
            "keys": {
                "applicationKey": self.application_key,
                "applicationEUI": self.application_eui,
            },
            **_wire(self, ("motion_indicator",)),
        }

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.application_key,)


class ThingEthernetCreate(_ThingCreate):
    """An Ethernet thing, known by its serial number ("available soon" on the vendor page)."""

    CONNECTIVITY_TYPE = "ETHERNET"

    serial_number: str = Field(
        min_length=1, max_length=64, title="Serial number", json_schema_extra=ui()
    )

    def body(self, company_id: int) -> dict[str, Any]:
        return {**self._common(company_id), "serialNumber": self.serial_number}

    @property
    def secrets(self) -> tuple[str, ...]:
        return ()


# ---------------------------------------------------------------- edit (ThingUpdateRequest)


class ThingNameChange(_Form):
    """A thing's new name (in a bulk run, a CSV column `thing_name`)."""

    thing_name: str = Field(min_length=1, max_length=255, title="Name")

    def body(self) -> dict[str, Any]:
        return {"thingName": self.thing_name}


class DescriptionChange(_Form):
    description: str = Field(min_length=1, max_length=1024, title="Description")

    def body(self) -> dict[str, Any]:
        return {"description": self.description}


class LocationChange(_Form):
    """Where a thing stands: coordinates and two friendly names, each optional."""

    latitude: str | None = Field(default=None, title="Latitude")
    longitude: str | None = Field(default=None, title="Longitude")
    location_fn1: str | None = Field(default=None, max_length=255, title="Location name 1")
    location_fn2: str | None = Field(default=None, max_length=255, title="Location name 2")

    @field_validator("latitude", "longitude")
    @classmethod
    def _where(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _degrees(value, info)

    def body(self) -> dict[str, Any]:
        return _wire(self, _LOCATION_FIELDS)


class TagsReplace(_Form):
    """A thing's whole tag list (ThingUpdateRequest.tags replaces it; PUT …/tags adds instead)."""

    tags: list[str] = Field(
        default=[],
        title="Tags",
        description="comma separated; they replace the thing's tags, blank removes them all",
        json_schema_extra=ui(placeholder="e.g. floor-2, meters"),
    )

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _clean_tags(value)

    def body(self) -> dict[str, Any]:
        return {"tags": self.tags}


class PublicChange(_Form):
    is_public: bool = Field(default=False, title="Public")

    def body(self) -> dict[str, Any]:
        return {"isPublic": self.is_public}


class OtaaKeysChange(_Form):
    """New OTAA keys of a LORA.OTAA thing (ThingUpdateRequest.keysLoRaOTAA)."""

    application_eui: str = Field(
        default="", validate_default=True, title="AppEUI", json_schema_extra=ui()
    )
    application_key: str = Field(
        default="", validate_default=True, title="AppKey", json_schema_extra=ui(secret=True)
    )

    @field_validator("application_eui")
    @classmethod
    def _eui(cls, value: str) -> str:
        return _application_eui(value)

    @field_validator("application_key")
    @classmethod
    def _key(cls, value: str) -> str:
        return _application_key(value)

    def body(self) -> dict[str, Any]:
        return {
            "keysLoRaOTAA": {
                "applicationKey": self.application_key,
                "applicationEUI": self.application_eui,
            }
        }

    @property
    def secrets(self) -> tuple[str, ...]:
        return (self.application_key,)


class AbpKeysChange(_Form):
    """New ABP session keys of a LORA.ABP thing (ThingUpdateRequest.keysLoRaABP)."""

    network_session_key: str = Field(
        default="", validate_default=True, title="NwkSKey", json_schema_extra=ui(secret=True)
    )
    application_session_keys: str | None = Field(
        default=None,
        title="AppSKeys",
        description="port:key, comma separated; blank removes them",
        json_schema_extra=ui(secret=True),
    )

    @field_validator("network_session_key")
    @classmethod
    def _nwk(cls, value: str) -> str:
        return _network_session_key(value)

    @field_validator("application_session_keys")
    @classmethod
    def _apps(cls, value: str | None) -> str | None:
        return _session_keys(value)

    def body(self) -> dict[str, Any]:
        # The vendor removes the AppSKeys with `[{}]`, not with an empty list.
        keys = _session_keys_body(self.application_session_keys) or [{}]
        return {
            "keysLoRaABP": {
                "applicationSessionkeys": keys,
                "networkSessionKey": self.network_session_key,
            }
        }

    @property
    def secrets(self) -> tuple[str, ...]:
        keys = (key for _, key in _session_key_pairs(self.application_session_keys))
        return (self.network_session_key, *keys)


# ---------------------------------------------------------------- commands


class MyThingsDownlink(_Form):
    """A LoRa downlink (DownlinkRequest): even-length hex of at most 50 bytes, fPort 1-255."""

    payload: str = Field(
        title="Payload (hex)",
        description=f"even number of hex digits, at most {DOWNLINK_MAX_BYTES} bytes",
        json_schema_extra=ui(placeholder="e.g. 04FD20D9"),
    )
    fport: int = Field(title="fPort", json_schema_extra=ui(placeholder="1-255"))
    ack: bool = Field(default=False, title="Acknowledged")
    encrypted: bool = Field(
        default=False, title="Encrypted", description="payload encrypted already"
    )

    @field_validator("payload")
    @classmethod
    def _payload(cls, value: str) -> str:
        value = value.strip().replace(" ", "")
        if not value or not _HEX.fullmatch(value):
            raise ValueError("payload must be hexadecimal")
        if len(value) % 2:
            raise ValueError("payload must have an even number of hex digits")
        if len(value) > 2 * DOWNLINK_MAX_BYTES:
            raise ValueError(f"payload must be at most {DOWNLINK_MAX_BYTES} bytes")
        return value.upper()

    @field_validator("fport")
    @classmethod
    def _fport(cls, value: int) -> int:
        if not 1 <= value <= 255:
            raise ValueError("fPort must be between 1 and 255")
        return value

    def body(self, dev_eui: str) -> dict[str, Any]:
        """The POST /downlink body, typed as DownlinkRequest says (fPort a string, flags 0/1)."""
        return {
            "devEUI": dev_eui,
            "fPort": str(self.fport),
            "payload": self.payload,
            "encrypted": int(self.encrypted),
            "ack": int(self.ack),
        }


class ConfigurationTemplateCommand(_Form):
    """A configuration template (its uid) to send as a downlink."""

    template: str = Field(min_length=1, title="Configuration template")


# ---------------------------------------------------------------- stream definitions

#: an HTTP header name (RFC 9110 token)
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def template_text(value: str | None) -> str | None:
    """A stream template as the platform should receive it.

    The vendor's page asks for "a backslash before every double-quote" of the template: that
    is what JSON encoding of the body writes, so quotes are typed as they are. A template pasted
    as the page writes it (every quote already behind a backslash) is unescaped first, so that
    it is not escaped twice.
    """
    if not value or not value.strip():
        return None
    if '\\"' in value and '"' not in value.replace('\\"', ""):
        value = value.replace('\\"', '"')
    return value


def parse_headers(text: str | None) -> dict[str, str]:
    """Headers typed one per line as `Name: value`; blank lines are skipped."""
    headers: dict[str, str] = {}
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not sep or not _HEADER_NAME.fullmatch(name):
            raise ValueError(f"line {number}: a header is written Name: value")
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError(f"line {number}: a header value holds no control characters")
        headers[name] = value
    return headers


class StreamDefinitionCreate(_Form):
    """A stream definition: where the platform posts a company's device data."""

    name: str = Field(
        min_length=1, max_length=255, title="Name", json_schema_extra=ui(placeholder="MyStream")
    )
    type: str = Field(
        default="DECODED",
        title="Type",
        json_schema_extra=ui(options=tuple((t, t) for t in STREAM_TYPES)),
    )
    url: str = Field(title="URL", json_schema_extra=ui(placeholder="https://my.streaming.url"))
    content_type: str = Field(
        default="JSON",
        title="Content type",
        json_schema_extra=ui(options=tuple((t, t) for t in STREAM_CONTENT_TYPES)),
    )
    template: str | None = Field(
        default=None,
        max_length=4096,
        title="Template",
        description="the body, with %placeholders% (%thingidentifier%, %value%…); type quotes "
        'as they are: fleet puts the backslash before each " that the vendor asks for',
        json_schema_extra=ui(multiline=True, placeholder='{"thing": "%thingidentifier%"}'),
    )
    active: bool = Field(default=False, title="Active")
    auto_link: bool = Field(default=True, title="Link things automatically")
    username: str | None = Field(default=None, title="Basic auth user")
    password: str | None = Field(
        default=None, title="Basic auth password", json_schema_extra=ui(secret=True)
    )

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        value = value.upper()
        if value not in STREAM_TYPES:
            raise ValueError(f"type is one of {', '.join(STREAM_TYPES)}")
        return value

    @field_validator("content_type")
    @classmethod
    def _content(cls, value: str) -> str:
        value = value.upper()
        if value not in STREAM_CONTENT_TYPES:
            raise ValueError(f"content type is one of {', '.join(STREAM_CONTENT_TYPES)}")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        # "Both HTTP and HTTPS is supported."
        if not re.fullmatch(r"https?://[^\s/:]+(:\d{1,5})?(/\S*)?", value, re.IGNORECASE):
            raise ValueError("URL must look like https://host[:port]/path")
        return value

    @field_validator("template")
    @classmethod
    def _template(cls, value: str | None) -> str | None:
        return template_text(value)

    @field_validator("password")
    @classmethod
    def _login(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and not info.data.get("username"):
            raise ValueError("username: required with a password")
        return value or None

    def body(self, company_id: int) -> dict[str, Any]:
        """The POST /streamdefinitions body, as the vendor's example writes it."""
        body: dict[str, Any] = {
            "active": self.active,
            "autoLink": self.auto_link,
            "companyId": company_id,
            "contentType": self.content_type,
            "basicAuth": bool(self.username),
            "mutualAuth": False,
            "name": self.name,
        }
        if self.template:
            body["template"] = self.template
        body.update({"type": self.type, "url": self.url})
        if self.username:
            body["userName"] = self.username
            body["password"] = self.password or ""
        return body


class StreamDefinitionUpdate(_Form):
    """What PUT /streamdefinitions/{id} changes: the active flag, headers, basic-auth login."""

    active: bool | None = None
    headers: dict[str, str] | None = None
    username: str | None = None
    password: str | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.active is not None:
            body["active"] = self.active
        if self.headers is not None:
            body["headers"] = [{"key": k, "value": v} for k, v in self.headers.items()]
        if self.password is not None:
            body["password"] = self.password
        if self.username is not None:
            body["userName"] = self.username
        return body


class StreamDefinitionEdit(_Form):
    """What the vendor lets change on a stream definition (its PUT): on or off, the headers
    it sends, its basic-auth login."""

    active: bool = Field(default=False, title="Active")
    headers: str | None = Field(
        default=None,
        title="Headers",
        description="one per line, Name: value; blank sends none",
        json_schema_extra=ui(multiline=True, placeholder="Content-Type: application/json"),
    )
    username: str | None = Field(default=None, max_length=255, title="Basic auth user")
    password: str | None = Field(
        default=None,
        title="Basic auth password",
        description="blank keeps the password it has",
        json_schema_extra=ui(secret=True),
    )

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: str | None) -> str | None:
        parse_headers(value)
        return value

    def update(self) -> StreamDefinitionUpdate:
        """The PUT's change: every header replaced by these, the password only when typed."""
        return StreamDefinitionUpdate(
            active=self.active,
            headers=parse_headers(self.headers),
            username=self.username or None,
            password=self.password or None,
        )
