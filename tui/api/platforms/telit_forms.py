"""The forms the Telit IoT Portal offers in fleet, with the identifier rules of the vendor page.

A thing is created from a thing definition with a name, a key, one identifier (ICCID, ESN, IMEI,
MEID or IMSI) and tags (`thing.create`); a thing definition with a few attributes, properties
and alarms typed as lines (`thing_def.create`); an application token bound to the definition its
gateways auto-register as (`app.create`); a thing from a SIM connection.

The identifier is a kind picker and a value (`identifier_kind`, `identifier`): one field to type
in the form, two plain columns in a CSV, and "exactly one identifier" holds by construction.
Rules: ICCID 19–20 digits with a valid Luhn check digit, IMEI 15 digits with a valid Luhn check
digit, IMSI 14–15 digits, MEID 14 hex digits, ESN 8 hex digits. Each message starts with the
field it is about (`identifier: …`), as tui/api/forms.py asks of a rule that spans fields.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tui.api.forms import ui
from tui.api.models import luhn_ok

__all__ = [
    "IDENTIFIER_KINDS",
    "THING_KEY_PATTERN",
    "ApplicationCreate",
    "IdentifierKind",
    "ThingCreate",
    "ThingDefinitionCreate",
    "ThingFromConnection",
    "identifier_problem",
]

#: a thing (or definition) key as fleet accepts it: letters, digits and `_ . : @ -`
THING_KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}"
IdentifierKind = Literal["iccid", "esn", "imei", "meid", "imsi"]
#: the identifier kinds in the vendor page's order, with their labels
IDENTIFIER_KINDS: tuple[tuple[str, str], ...] = (
    ("ICCID", "iccid"),
    ("ESN", "esn"),
    ("IMEI", "imei"),
    ("MEID", "meid"),
    ("IMSI", "imsi"),
)
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_KEY = re.compile(THING_KEY_PATTERN)


def identifier_problem(kind: str, value: str) -> str | None:
    """Why `value` is not a valid identifier of `kind`, or None."""
    if kind == "iccid":
        if not _DIGITS.fullmatch(value) or not 19 <= len(value) <= 20:
            return "an ICCID is 19 or 20 digits"
        return None if luhn_ok(value) else "the ICCID's check digit (Luhn) is wrong"
    if kind == "imei":
        if not _DIGITS.fullmatch(value) or len(value) != 15:
            return "an IMEI is 15 digits"
        return None if luhn_ok(value) else "the IMEI's check digit (Luhn) is wrong"
    if kind == "imsi":
        ok = _DIGITS.fullmatch(value) and 14 <= len(value) <= 15
        return None if ok else "an IMSI is 14 or 15 digits"
    if kind == "meid":
        ok = _HEX.fullmatch(value) and len(value) == 14
        return None if ok else "a MEID is 14 hexadecimal digits"
    if kind == "esn":
        ok = _HEX.fullmatch(value) and len(value) == 8
        return None if ok else "an ESN is 8 hexadecimal digits"
    return f"unknown identifier kind {kind!r}"


def _clean_tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in tags if t.strip()))


def _key(value: str, what: str) -> str:
    if not _KEY.fullmatch(value):
        raise ValueError(f"a {what} is letters, digits and _ . : @ - (at most 128)")
    return value


class _Form(BaseModel):
    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)


def _tags_field() -> Any:
    return Field(
        default=[],
        title="Tags",
        description="comma separated",
        json_schema_extra=ui(placeholder="e.g. floor-2, meters"),
    )


class _Thing(_Form):
    """What every thing form checks: its key, and its tags without blanks or repeats."""

    @field_validator("key", check_fields=False)
    @classmethod
    def _thing_key(cls, value: str) -> str:
        return _key(value, "thing key")

    @field_validator("tags", check_fields=False)
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _clean_tags(value)


class ThingCreate(_Thing):
    """The New thing form (and a CSV row of a bulk create): `thing.create`."""

    definition: str = Field(min_length=1, title="Definition", description="the thing definition")
    name: str = Field(min_length=1, max_length=255, title="Name")
    key: str = Field(
        title="Key",
        description="the thing key, unique in the organisation",
        json_schema_extra=ui(placeholder="e.g. pump-0042"),
    )
    identifier_kind: IdentifierKind = Field(
        default="imei", title="Identifier kind", json_schema_extra=ui(options=IDENTIFIER_KINDS)
    )
    identifier: str = Field(
        title="Identifier",
        description="ICCID 19–20 digits, IMEI 15 digits, IMSI 14–15 digits, MEID 14 hex, ESN 8 hex",
        json_schema_extra=ui(placeholder="e.g. 490154203237518"),
    )
    description: str | None = Field(default=None, max_length=1024, title="Description")
    tags: list[str] = _tags_field()

    @field_validator("identifier")
    @classmethod
    def _compact(cls, value: str) -> str:
        return value.replace(" ", "")

    @model_validator(mode="after")
    def _identifier_rule(self) -> ThingCreate:
        problem = identifier_problem(self.identifier_kind, self.identifier)
        if problem is not None:
            raise ValueError(f"identifier: {problem}")
        return self

    def params(self) -> dict[str, Any]:
        """The `thing.create` params."""
        params: dict[str, Any] = {
            "name": self.name,
            "key": self.key,
            "defKey": self.definition,
            self.identifier_kind: self.identifier,
        }
        if self.description:
            params["desc"] = self.description
        if self.tags:
            params["tags"] = self.tags
        return params


class ThingFromConnection(_Thing):
    """A thing made of a SIM connection: its identifiers come from the connection."""

    definition: str = Field(min_length=1, title="Definition", description="the thing definition")
    name: str = Field(min_length=1, max_length=255, title="Name")
    key: str = Field(title="Key", json_schema_extra=ui(placeholder="e.g. sim-8944…"))
    tags: list[str] = _tags_field()


_LINE = re.compile(r"^\s*([A-Za-z0-9_.:-]+)\s*(?::\s*(.*?))?\s*$")


def _lines(text: str, what: str) -> dict[str, dict[str, Any]]:
    """`key: Name` lines (blank lines skipped) as TR50's `{key: {"name": …}}`."""
    found: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"line {number}: a {what} is `key` or `key: Name`")
        key, name = match.group(1), match.group(2) or match.group(1)
        if key in found:
            raise ValueError(f"line {number}: {what} {key!r} is there twice")
        found[key] = {"name": name}
    return found


class ThingDefinitionCreate(_Form):
    """A thing definition (`thing_def.create`): key, name, and attributes, properties and alarms,
    one `key: Name` per line."""

    key: str = Field(title="Key", json_schema_extra=ui(placeholder="e.g. water-pump"))
    name: str = Field(min_length=1, max_length=255, title="Name")
    attributes: str = Field(
        default="",
        title="Attributes",
        description="text values, one `key: Name` per line",
        json_schema_extra=ui(placeholder="serial: Serial number", multiline=True),
    )
    properties: str = Field(
        default="",
        title="Properties",
        description="numeric values, one `key: Name` per line",
        json_schema_extra=ui(placeholder="temp: Temperature", multiline=True),
    )
    alarms: str = Field(
        default="",
        title="Alarms",
        description="one `key: Name` per line",
        json_schema_extra=ui(placeholder="overheat: Overheating", multiline=True),
    )

    @field_validator("key")
    @classmethod
    def _definition_key(cls, value: str) -> str:
        return _key(value, "definition key")

    @field_validator("attributes")
    @classmethod
    def _attributes(cls, value: str) -> str:
        _lines(value, "attribute")
        return value

    @field_validator("properties")
    @classmethod
    def _properties(cls, value: str) -> str:
        _lines(value, "property")
        return value

    @field_validator("alarms")
    @classmethod
    def _alarms(cls, value: str) -> str:
        _lines(value, "alarm")
        return value

    def params(self) -> dict[str, Any]:
        """The `thing_def.create` params."""
        params: dict[str, Any] = {"key": self.key, "name": self.name}
        for field, what in (
            ("attributes", "attribute"),
            ("properties", "property"),
            ("alarms", "alarm"),
        ):
            lines = _lines(getattr(self, field), what)
            if lines:
                params[field] = lines
        return params


class ApplicationCreate(_Form):
    """An application token (`app.create`): the gateways that present it auto-register as
    things of `definition`, with `auto_reg_tags`. The token comes back once."""

    name: str = Field(min_length=1, max_length=255, title="Name")
    definition: str = Field(
        min_length=1, title="Thing definition", description="what its gateways register as"
    )
    auto_reg_tags: list[str] = Field(
        default=[],
        title="Auto-registration tags",
        description="comma separated; put on every thing it registers",
        json_schema_extra=ui(placeholder="e.g. field, gen-2"),
    )

    @field_validator("auto_reg_tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return _clean_tags(value)

    def params(self) -> dict[str, Any]:
        """The `app.create` params."""
        params: dict[str, Any] = {"name": self.name, "autoRegThingDefKey": self.definition}
        if self.auto_reg_tags:
            params["autoRegTags"] = self.auto_reg_tags
        return params
