"""The forms Huawei IoTDA offers in fleet: registering a device (AddDevice) and changing its name
or description (UpdateDevice), field rules as the
SDK documents them (node_id 1-64 and product_id 1-36 of ASCII letters, digits, `_` and `-`;
device_name up to 256 of letters, digits and `_?'#().,&%@!-`; a secret of 8-32 ID characters;
a description up to 2048 characters, spaces allowed).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tui.api.forms import ui
from tui.api.products import DEVICE_DESCRIPTION_CHARS, ID_CHARS, NAME_CHARS

__all__ = ["IotdaDescriptionChange", "IotdaDeviceCreate", "IotdaNameChange"]


def _chars(value: str, allowed: Any, what: str) -> str:
    if not allowed.allows(value):
        raise ValueError(f"{what} allows {allowed.text} only")
    return value


class IotdaDeviceCreate(BaseModel):
    """A directly connected device, authenticated by a secret (AddDevice, auth_type SECRET)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    node_id: str = Field(
        min_length=1,
        max_length=64,
        title="Node id",
        description="the device's own identifier (IMEI, MAC…), unique in the project",
        json_schema_extra=ui(placeholder="e.g. 864975040010001"),
    )
    device_name: str | None = Field(
        default=None,
        max_length=256,
        title="Name",
        description="the node id when blank",
        json_schema_extra=ui(placeholder="e.g. WaterMeter-Munich-0042"),
    )
    product_id: str = Field(min_length=1, max_length=36, title="Product")
    secret: str = Field(
        min_length=8,
        max_length=32,
        title="Secret",
        description="the device logs in with it: 8-32 letters, digits, _ or -",
        json_schema_extra=ui(secret=True),
    )
    description: str | None = Field(default=None, max_length=2048, title="Description")

    @field_validator("node_id", "product_id", "secret")
    @classmethod
    def _ids(cls, value: str) -> str:
        return _chars(value, ID_CHARS, "this field")

    @field_validator("device_name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if not value else _chars(value, NAME_CHARS, "a name")

    @field_validator("description")
    @classmethod
    def _description(cls, value: str | None) -> str | None:
        return None if not value else _chars(value, DEVICE_DESCRIPTION_CHARS, "a description")

    def body(self) -> dict[str, Any]:
        """The AddDevice request body."""
        body: dict[str, Any] = {"node_id": self.node_id, "product_id": self.product_id}
        if self.device_name:
            body["device_name"] = self.device_name
        body["auth_info"] = {"auth_type": "SECRET", "secret": self.secret}
        if self.description:
            body["description"] = self.description
        return body


class IotdaNameChange(BaseModel):
    """A device's new name (UpdateDevice `device_name`; in a bulk run, a CSV column `name`)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    name: str = Field(
        min_length=1,
        max_length=256,
        title="Name",
        json_schema_extra=ui(placeholder="e.g. WaterMeter-Munich-0042"),
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return _chars(value, NAME_CHARS, "a name")

    def body(self) -> dict[str, Any]:
        """The UpdateDevice request body."""
        return {"device_name": self.name}


class IotdaDescriptionChange(BaseModel):
    """A device's new description (UpdateDevice `description`)."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    description: str = Field(min_length=1, max_length=2048, title="Description")

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return _chars(value, DEVICE_DESCRIPTION_CHARS, "a description")

    def body(self) -> dict[str, Any]:
        """The UpdateDevice request body."""
        return {"description": self.description}
