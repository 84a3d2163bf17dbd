"""The EnOS register form, and what a registration answers, per the vendor page.

`SubDeviceRegistration` is one sub-device of `thing.device.register` (vendor page 002): its
product, an optional deviceKey (EnOS generates one when absent), a name with its translations
(at least one of the default and en_US, as the vendor requires), a description, a timezone as a
UTC offset and custom attributes. `params()` is that sub-device's entry of the request's
`params`, written as the vendor's sample writes it. The same model validates the console's form
and each CSV row of a bulk registration.

`RegisterResult` is one sub-device's outcome; its deviceSecret is a `SecretStr` and never shows
in repr.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from tui.api.forms import ui

__all__ = [
    "DEVICE_KEY_PATTERN",
    "RegisterResult",
    "SubDeviceRegistration",
    "parse_attributes",
    "parse_utc_offset",
]

#: EnOS's deviceKey and productKey: letters, digits and `_ - . :`, at most 64. No `/`, which
#: fleet uses to join them into a sub-device's key, and no blank.
DEVICE_KEY_PATTERN = r"[A-Za-z0-9_.:-]{1,64}"
_OFFSET = re.compile(r"([+-])(\d{1,2}):(\d{2})")


def parse_utc_offset(text: str) -> str:
    """`text` as EnOS writes a timezone (`+08:00`), between -12:00 and +14:00; ValueError why not."""
    match = _OFFSET.fullmatch(text.strip())
    if match is None:
        raise ValueError("timezone is a UTC offset such as +08:00 or -05:30")
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3))
    if minutes > 59:
        raise ValueError("timezone minutes are 00 to 59")
    total = (hours * 60 + minutes) * (-1 if sign == "-" else 1)
    if not -12 * 60 <= total <= 14 * 60:
        raise ValueError("timezone is between -12:00 and +14:00")
    return f"{'-' if total < 0 else '+'}{hours:02d}:{minutes:02d}"


def parse_attributes(text: str | None) -> dict[str, str]:
    """Attributes typed one per line as `key=value` (blank lines skipped), or separated by `;`
    on one line (a CSV cell, as list columns are); ValueError naming the first line (or item)
    that is not one, or a key typed twice."""
    attributes: dict[str, str] = {}
    lines = (text or "").splitlines()
    items = lines if len(lines) > 1 else (text or "").split(";")
    where = "line" if len(lines) > 1 else "item"
    for number, line in enumerate(items, start=1):
        if not line.strip():
            continue
        key, equals, value = line.partition("=")
        key = key.strip()
        if not equals or not key:
            raise ValueError(f"attributes {where} {number}: write key=value")
        if key in attributes:
            raise ValueError(f"attributes {where} {number}: {key!r} is already set")
        attributes[key] = value.strip()
    return attributes


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class SubDeviceRegistration(BaseModel):
    """One sub-device to register under the gateway (`thing.device.register`)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    product_key: str = Field(
        title="Product key",
        description="the sub-device's product",
        json_schema_extra=ui(placeholder="fleetSubPK1"),
    )
    device_key: str | None = Field(
        default=None,
        title="Device key",
        description="blank: EnOS generates one; letters, digits and _ - . : (at most 64)",
        json_schema_extra=ui(placeholder="sample_dev_01"),
    )
    name_default: str | None = Field(default=None, max_length=255, title="Name (default)")
    name_en_us: str | None = Field(default=None, max_length=255, title="Name (en_US)")
    name_zh_cn: str | None = Field(default=None, max_length=255, title="Name (zh_CN)")
    description: str | None = Field(default=None, max_length=1024, title="Description")
    timezone: str = Field(
        default="+00:00",
        title="Timezone",
        description="a UTC offset, -12:00 to +14:00",
        json_schema_extra=ui(placeholder="+08:00"),
    )
    attributes: str | None = Field(
        default=None,
        title="Attributes",
        description="one per line, key=value",
        json_schema_extra=ui(multiline=True, placeholder="location=Shanghai"),
    )

    @field_validator(
        "device_key",
        "name_default",
        "name_en_us",
        "name_zh_cn",
        "description",
        "attributes",
        mode="before",
    )
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _blank_to_none(value)

    @field_validator("product_key", "device_key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(DEVICE_KEY_PATTERN, value):
            raise ValueError("a key is 1 to 64 letters, digits or _ - . :")
        return value

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return "+00:00"
        return parse_utc_offset(value) if isinstance(value, str) else value

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: str | None) -> str | None:
        parse_attributes(value)
        return value

    @model_validator(mode="after")
    def _named(self) -> SubDeviceRegistration:
        if not (self.name_default or self.name_en_us):
            raise ValueError("name_default: give a default or an en_US name (EnOS needs one)")
        return self

    @property
    def label(self) -> str:
        """What the user reads for this sub-device before it has a key."""
        name = self.name_default or self.name_en_us or ""
        key = f"{self.product_key}/{self.device_key}" if self.device_key else self.product_key
        return f"{key} ({name})" if name else key

    def params(self) -> dict[str, Any]:
        """This sub-device's entry of the register request's `params`, in the sample's shape."""
        entry: dict[str, Any] = {"timezone": self.timezone}
        if self.device_key:
            entry["deviceKey"] = self.device_key
        entry["productKey"] = self.product_key
        attributes = parse_attributes(self.attributes)
        if attributes:
            entry["deviceAttributes"] = attributes
        name: dict[str, Any] = {}
        if self.name_default:
            name["defaultValue"] = self.name_default
        i18n = {
            locale: value
            for locale, value in (("en_US", self.name_en_us), ("zh_CN", self.name_zh_cn))
            if value
        }
        if i18n:
            name["i18nValue"] = i18n
        entry["deviceName"] = name
        if self.description:
            entry["deviceDesc"] = self.description
        return entry


class RegisterResult(BaseModel):
    """One sub-device's outcome of a registration: `ok` with its assetId and deviceSecret, or
    the vendor's `code` and `message`. `device_key` is the one EnOS generated when none was
    given (None when it refused before generating one)."""

    model_config = ConfigDict(frozen=True)

    product_key: str
    device_key: str | None
    ok: bool
    code: str
    message: str
    asset_id: str | None = None
    device_secret: SecretStr | None = None

    @property
    def key(self) -> str | None:
        """The sub-device's fleet key, `{productKey}/{deviceKey}`, when it has a deviceKey."""
        return f"{self.product_key}/{self.device_key}" if self.device_key else None
