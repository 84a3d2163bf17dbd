"""What a platform asks of the user, declared once: a pydantic model per form, and the device key.

A platform offers forms (create a LoRaWAN device, send a downlink, create a connection…) as
`FormSpec`s: the form's id and title, the input model that validates it, and where its pickers
get their options. The console generates the form from the model, field by field: the title
is the label, `description` the help line, and `ui(...)` in `json_schema_extra` says what the
model alone cannot (a placeholder, a secret to mask, fixed options).
The same model validates the form as the user types, a CSV row in a bulk run, and what the
adapter sends, so a rule lives in one place. A rule that spans fields is a model validator
whose message starts with the field it is about: `"username: required with a password"`.

`KeySpec` says how a platform names and checks a device's key (a DevEUI, an IoTDA device id),
so that a prompt for one (the alarms view's `d`) needs no knowledge of the vendor.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

__all__ = ["Choice", "ChoiceLoader", "FormSpec", "KeySpec", "field_of", "ui"]


@dataclass(frozen=True)
class Choice:
    """One option of a picker: what the user reads, and the value the model receives."""

    label: str
    value: str


#: an async look-up of a picker's options (device models, connections…) on the platform
ChoiceLoader = Callable[[], Awaitable[list[Choice]]]


def ui(
    *,
    placeholder: str = "",
    secret: bool = False,
    options: tuple[tuple[str, str], ...] = (),
    multiline: bool = False,
) -> dict[str, Any]:
    """The `json_schema_extra` of a form field: what the console needs beyond the type.

    `secret` masks the value until revealed; `options` are fixed (label, value) choices;
    `multiline` text is typed in an editor of several lines (a template, headers). A
    `list[str]` field without choices is typed as one line of comma-separated text.
    """
    return {
        "ui": {
            "placeholder": placeholder,
            "secret": secret,
            "options": [list(o) for o in options],
            "multiline": multiline,
        }
    }


def field_of(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The `ui(...)` declaration of a model field (empty when it has none)."""
    extra = model.model_fields[name].json_schema_extra
    return dict(extra.get("ui", {})) if isinstance(extra, dict) else {}  # type: ignore[arg-type]


@dataclass(frozen=True)
class FormSpec:
    """One form a platform offers (see the module docstring).

    `key` is the menu accelerator; `choices` maps a field to the look-up of its options;
    `values` fills fields with what they hold now (an edit form), in place of the defaults;
    `conflict_field` is the field a refusal as a duplicate is about (HTTP 409, or one of the
    vendor's `conflict_codes`: IoTDA says 400 IOTDA.014031); `note` is a line shown under the
    title.
    """

    id: str
    title: str
    model: type[BaseModel]
    key: str = ""
    submit: str = "Create"
    choices: Mapping[str, ChoiceLoader] = field(default_factory=dict)
    conflict_field: str | None = None
    conflict_codes: tuple[str, ...] = ()
    note: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KeySpec:
    """How a platform names a device's key and what a valid one looks like."""

    label: str
    pattern: str | None = None
    hint: str = ""
    placeholder: str = ""
    upper: bool = False

    def check(self, text: str) -> str | None:
        """The reason `text` is not a valid key, or None."""
        value = text.strip()
        if not value:
            return f"type a {self.label}"
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"a {self.label} is {self.hint}" if self.hint else f"not a valid {self.label}"
        return None

    def normal(self, text: str) -> str:
        """The key as the platform writes it (e.g. a DevEUI in upper case)."""
        value = text.strip()
        return value.upper() if self.upper else value
