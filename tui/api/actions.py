"""The bulk actions, one per capability: every platform that has the capability gets the action
with no code of its own.

| action id            | capability       | kind         | what it does to each target          |
|----------------------|------------------|--------------|--------------------------------------|
| `delete`             | DeviceDirectory  | idempotent   | deletes the device (gone already: done) |
| `command:<form>`     | DeviceCommands   | unverifiable | sends the command (a downlink…)      |
| `edit:<form>`        | DeviceEditing    | idempotent   | sets a field (its name, connections) |
| `create:<form>`      | DeviceCreation   | create       | creates a device from a CSV row      |
| `ack`                | Alarms           | idempotent   | acknowledges the alarm (where the platform acknowledges) |
| `provision`          | Provisioning     | idempotent   | puts the device on the network       |
| `deprovision`        | Provisioning     | idempotent   | takes it off the network (kept)      |
| `tag`                | DeviceTags       | idempotent   | puts the same tags on each device    |
| `template`           | ConfigurationTemplates | unverifiable | sends a configuration template |

An action's input is its form's pydantic model: the values common to every target (`params`,
such as a downlink's payload) merged with the target's own (`Target.values`, a CSV row), and
validated by the same model as the form, before anything is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from tui.api.bulk import Action, ActionKind, CannotTell, Target
from tui.api.errors import ApiError
from tui.api.forms import FormSpec
from tui.api.models import Created, DeviceSummary, TagsChange
from tui.api.platform import (
    Alarms,
    ConfigurationTemplates,
    DeviceCommands,
    DeviceCreation,
    DeviceDirectory,
    DeviceEditing,
    DeviceTags,
    Platform,
    Provisioning,
)

__all__ = [
    "AcknowledgeAlarms",
    "CreateDevices",
    "DeleteDevices",
    "DeprovisionDevices",
    "EditDevices",
    "ProvisionDevices",
    "SendCommand",
    "SendTemplate",
    "TagDevices",
    "input_error",
    "make_action",
]


def input_error(model: type[BaseModel], values: dict[str, Any]) -> tuple[str, str] | None:
    """(field, message) of the first thing `model` refuses in `values`, or None."""
    try:
        model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in error.get("loc") or ()) or "row"
        message = str(error["msg"]).removeprefix("Value error, ")
        head, sep, rest = message.partition(": ")
        if sep and head in model.model_fields:  # a rule across fields names its field first
            where, message = head, rest
        return where, message
    return None


def _form(forms: list[FormSpec], form_id: str, what: str) -> FormSpec:
    for spec in forms:
        if spec.id == form_id:
            return spec
    raise ValueError(f"this platform has no {what} form {form_id!r}")


class _FormAction(Action):
    """An action whose input is one of the platform's forms: common params + the target's row."""

    def __init__(self, spec: FormSpec, params: dict[str, Any]) -> None:
        self.spec = spec
        self._params = dict(params)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    def values(self, target: Target) -> BaseModel:
        return self.spec.model.model_validate({**self._params, **target.values})

    def cannot(self, target: Target) -> str | None:
        refused = input_error(self.spec.model, {**self._params, **target.values})
        return None if refused is None else f"{refused[0]}: {refused[1]}"


class DeleteDevices(Action):
    id = "delete"
    title = "Delete devices"
    kind = ActionKind.IDEMPOTENT
    destructive = True

    def __init__(self, platform: DeviceDirectory) -> None:
        self.platform = platform

    def describe(self, target: Target) -> str:
        return "delete"

    async def apply(self, target: Target) -> str:
        try:
            await self.platform.delete_device(target.key)
        except ApiError as exc:
            if exc.status != 404:  # gone already (a DELETE sent again after a crash): done
                raise
        return target.key


class SendCommand(_FormAction):
    kind = ActionKind.UNVERIFIABLE

    def __init__(self, platform: DeviceCommands, spec: FormSpec, params: dict[str, Any]) -> None:
        super().__init__(spec, params)
        self.platform = platform
        self.id = f"command:{spec.id}"
        self.title = f"Send {spec.title}"

    def cannot(self, target: Target) -> str | None:
        summary = DeviceSummary(
            key=target.key,
            name=target.label or target.key,
            connectivity=target.facts.get("connectivity") or None,
        )
        offered = {spec.id for spec in self.platform.device_commands(summary)}
        if self.spec.id not in offered:
            kind = target.facts.get("connectivity") or "this"
            return f"a {kind} device takes no {self.spec.title}"
        return super().cannot(target)

    def describe(self, target: Target) -> str:
        return f"send {self.spec.title}"

    async def apply(self, target: Target) -> str:
        await self.platform.send_command(target.key, self.spec.id, self.values(target))
        return target.key


class EditDevices(_FormAction):
    kind = ActionKind.IDEMPOTENT

    def __init__(self, platform: DeviceEditing, spec: FormSpec, params: dict[str, Any]) -> None:
        super().__init__(spec, params)
        self.platform = platform
        self.id = f"edit:{spec.id}"
        self.title = f"Set the {spec.title}"

    def describe(self, target: Target) -> str:
        values = {**self._params, **target.values}
        shown = ", ".join(str(v) for v in values.values()) or "—"
        return f"{self.spec.title} → {shown}"

    async def apply(self, target: Target) -> str:
        await self.platform.edit_device(target.key, self.spec.id, self.values(target))
        return target.key


class CreateDevices(_FormAction):
    kind = ActionKind.CREATE

    def __init__(self, platform: DeviceCreation, spec: FormSpec, params: dict[str, Any]) -> None:
        super().__init__(spec, params)
        self.platform = platform
        self.id = f"create:{spec.id}"
        self.title = f"Create {spec.title}s"
        # Where the platform creates many per request, the run sends them together.
        self.BATCH = max(1, platform.CREATE_BATCH)

    def describe(self, target: Target) -> str:
        return f"create {target.label or target.key or self.spec.title}"

    async def apply(self, target: Target) -> str:
        made = await self.platform.create_device(self.spec.id, self.values(target))
        # A secret shown once (EnOS's deviceSecret) is dropped here: a run keeps none.
        return made.key if isinstance(made, Created) else made

    async def apply_batch(self, targets: Sequence[Target]) -> list[str | ApiError]:
        if self.BATCH == 1:  # the platform creates one per request
            return await super().apply_batch(targets)
        made = await self.platform.create_devices(
            self.spec.id, [self.values(target) for target in targets]
        )
        return [m.key if isinstance(m, Created) else m for m in made]

    async def exists(self, target: Target) -> bool:
        key = self.platform.created_key(self.spec.id, self.values(target))
        if key is None or not isinstance(self.platform, DeviceDirectory):
            raise CannotTell(f"{self.spec.title}: the platform assigns the key")
        try:
            await self.platform.get_device(key)
        except ApiError as exc:
            if exc.status == 404:
                return False
            raise
        return True


class AcknowledgeAlarms(Action):
    id = "ack"
    title = "Acknowledge alarms"
    kind = ActionKind.IDEMPOTENT

    def __init__(self, platform: Alarms) -> None:
        self.platform = platform

    def cannot(self, target: Target) -> str | None:
        if not self.platform.ACKNOWLEDGES:
            title = getattr(self.platform, "title", "this platform")
            return f"{title} has no acknowledgement of alarms"
        return "acknowledged already" if target.facts.get("acknowledged") else None

    def describe(self, target: Target) -> str:
        return "acknowledge"

    async def apply(self, target: Target) -> str:
        await self.platform.acknowledge_alarm(target.key)
        return target.key


class ProvisionDevices(Action):
    id = "provision"
    title = "Provision devices"
    kind = ActionKind.IDEMPOTENT

    def __init__(self, platform: Provisioning) -> None:
        self.platform = platform

    def describe(self, target: Target) -> str:
        return "provision"

    async def apply(self, target: Target) -> str:
        await self.platform.provision_device(target.key)
        return target.key


class DeprovisionDevices(Action):
    id = "deprovision"
    title = "Deprovision devices"
    kind = ActionKind.IDEMPOTENT
    destructive = True

    def __init__(self, platform: Provisioning) -> None:
        self.platform = platform

    def describe(self, target: Target) -> str:
        return "deprovision (off the network, kept in the directory)"

    async def apply(self, target: Target) -> str:
        await self.platform.deprovision_device(target.key)
        return target.key


class TagDevices(Action):
    """The same tags on every target (`params` {"tags": [...]}, or a row's own `tags`)."""

    id = "tag"
    title = "Tag devices"
    kind = ActionKind.IDEMPOTENT

    def __init__(self, platform: DeviceTags, params: dict[str, Any]) -> None:
        self.platform = platform
        self._params = dict(params)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    def _values(self, target: Target) -> dict[str, Any]:
        return {**self._params, **target.values}

    def cannot(self, target: Target) -> str | None:
        refused = input_error(TagsChange, self._values(target))
        return None if refused is None else f"{refused[0]}: {refused[1]}"

    def describe(self, target: Target) -> str:
        tags = self._values(target).get("tags")
        return "tag " + (", ".join(map(str, tags)) if isinstance(tags, list) else str(tags or "—"))

    async def apply(self, target: Target) -> str:
        change = TagsChange.model_validate(self._values(target))
        await self.platform.set_tags(target.key, change.tags)
        return target.key


class SendTemplate(Action):
    """A configuration template (`params` {"template": uid}) sent to each target, one call each
    so that the journal knows which were sent; unverifiable, like any downlink."""

    id = "template"
    title = "Send a configuration template"
    kind = ActionKind.UNVERIFIABLE

    def __init__(self, platform: ConfigurationTemplates, params: dict[str, Any]) -> None:
        self.platform = platform
        self._params = dict(params)

    @property
    def params(self) -> dict[str, Any]:
        return dict(self._params)

    @property
    def template(self) -> str:
        return str(self._params.get("template") or "").strip()

    def cannot(self, target: Target) -> str | None:
        return None if self.template else "template: choose a configuration template"

    def describe(self, target: Target) -> str:
        return f"send configuration template {self.template}"

    async def apply(self, target: Target) -> str:
        await self.platform.send_configuration_template(self.template, [target.key])
        return target.key


def make_action(platform: Platform, action_id: str, params: dict[str, Any]) -> Action:
    """The action `action_id` on `platform`, with its common `params` (as the journal keeps
    them); ValueError when the platform cannot do it."""
    kind, _, form = action_id.partition(":")
    if kind == "delete" and isinstance(platform, DeviceDirectory):
        return DeleteDevices(platform)
    if kind == "ack" and isinstance(platform, Alarms) and platform.ACKNOWLEDGES:
        return AcknowledgeAlarms(platform)
    if kind == "provision" and isinstance(platform, Provisioning):
        return ProvisionDevices(platform)
    if kind == "deprovision" and isinstance(platform, Provisioning):
        return DeprovisionDevices(platform)
    if kind == "tag" and isinstance(platform, DeviceTags):
        return TagDevices(platform, params)
    if kind == "template" and isinstance(platform, ConfigurationTemplates):
        return SendTemplate(platform, params)
    if kind == "edit" and isinstance(platform, DeviceEditing):
        return EditDevices(platform, _form(platform.device_edit_forms(), form, "edit"), params)
    if kind == "create" and isinstance(platform, DeviceCreation):
        return CreateDevices(platform, _form(platform.device_forms(), form, "create"), params)
    if kind == "command" and isinstance(platform, DeviceCommands):
        return SendCommand(platform, _form(platform.command_forms(), form, "command"), params)
    raise ValueError(f"{getattr(platform, 'title', 'this platform')} cannot do {action_id!r}")
