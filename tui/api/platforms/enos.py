"""The EnOS adapter: one gateway device, its sub-devices registered and attached over MQTT.

EnOS's device protocol is the gateway's own MQTT connection (`tui.api.mqtt`, logged in as
`tui.api.enos_login` signs it): `thing.device.register` registers sub-devices (at most 1000 per
request, vendor page 002), `thing.topo.add` attaches them to the gateway (each signed with the
sub-device's own secret), `thing.topo.get` lists them and `thing.topo.delete` detaches them.
The shared device list is the gateway's topology; a sub-device's key is
`{productKey}/{deviceKey}`.

topo/get answers keys only, so the adapter keeps a local registry of what it registered (names,
timezone, assetId, attributes, when; never a secret) and fills the other columns from it.
Devices registered elsewhere show their keys only. The gateway protocol cannot delete a device:
`detach` is the real operation.
"""

from __future__ import annotations

import json
import re
import sqlite3
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, SecretStr

from tui.api.bulk import current_target
from tui.api.enos_login import gateway_login, sub_device_sign
from tui.api.errors import ApiError
from tui.api.forms import FormSpec, KeySpec
from tui.api.http import AUDIT_MESSAGE_CHARS, CallRecord, Scrubber
from tui.api.models import (
    Created,
    DetailField,
    DetailSection,
    DeviceDetail,
    DeviceSummary,
)
from tui.api.mqtt import MqttSession, Reply
from tui.api.paging import Page
from tui.api.platform import DeviceCreation, DeviceDirectory, Gateway, Identity, Platform
from tui.api.platforms.enos_forms import (
    DEVICE_KEY_PATTERN,
    RegisterResult,
    SubDeviceRegistration,
)

__all__ = [
    "REGISTER_LIMIT",
    "TOPO_LIMIT",
    "VENDOR_MESSAGES",
    "Enos",
    "RegisterResult",
    "RegistrationInterrupted",
    "SubDeviceRegistry",
    "split_broker",
]

NAME = "enos"
#: sub-devices per thing.device.register request (vendor page 002), and per topo request
REGISTER_LIMIT = 1000
TOPO_LIMIT = 1000
#: the vendor page's return codes and their messages, for replies that carry none
VENDOR_MESSAGES: dict[str, str] = {
    "702": "DeviceKey existed",
    "714": "Generate deviceKey failed",
    "739": "Exceed the product max device size",
}
_REGISTER = "thing/device/register"
_TOPO_ADD = "thing/topo/add"
_TOPO_GET = "thing/topo/get"
_TOPO_DELETE = "thing/topo/delete"
_METHODS = {
    _REGISTER: "thing.device.register",
    _TOPO_ADD: "thing.topo.add",
    _TOPO_GET: "thing.topo.get",
    _TOPO_DELETE: "thing.topo.delete",
}
#: protocol versions: register as the vendor page's sample, topology as EnOS's topo pages
_VERSIONS = {_REGISTER: "1.1", _TOPO_ADD: "1.0", _TOPO_GET: "1.0", _TOPO_DELETE: "1.0"}
_BROKER = re.compile(r"^(?:(mqtts?|ssl|tcp)://)?([^\s:/]+):(\d{1,5})/?$")

T = TypeVar("T")


def split_broker(address: str) -> tuple[str, int, bool]:
    """(host, port, tls) of `host:port`, `mqtt://host:port` or `mqtts://host:port`."""
    match = _BROKER.match(address.strip())
    if not match or not 0 < int(match.group(3)) < 65536:
        raise ValueError("the EnOS broker is host:port, mqtt://host:port or mqtts://host:port")
    return match.group(2), int(match.group(3)), match.group(1) in ("mqtts", "ssl")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def split_key(key: str) -> tuple[str, str]:
    """(productKey, deviceKey) of a sub-device key `{productKey}/{deviceKey}`; ApiError when not."""
    product_key, slash, device_key = key.strip().partition("/")
    if not slash or not re.fullmatch(DEVICE_KEY_PATTERN, product_key):
        raise ApiError(NAME, f"{key!r} is not productKey/deviceKey: nothing was sent")
    if not re.fullmatch(DEVICE_KEY_PATTERN, device_key):
        raise ApiError(NAME, f"{key!r} is not productKey/deviceKey: nothing was sent")
    return product_key, device_key


def _code_message(code: str, message: str | None) -> str:
    return message or VENDOR_MESSAGES.get(code) or f"EnOS answered code {code}"


class RegistrationInterrupted(ApiError):
    """A register call failed after earlier requests of the same call went through: `done` holds
    the results of those (registered and attached, their deviceSecrets included), in order; the
    sub-devices after them were not answered (the failed request may or may not have registered
    its own)."""

    def __init__(self, error: ApiError, done: list[RegisterResult]) -> None:
        super().__init__(
            error.platform,
            f"{error.message} (after {len(done)} sub-devices were answered)",
            status=error.status,
            code=error.code,
            request_id=error.request_id,
        )
        self.done = done


class SubDeviceRegistry:
    """What this console registered under a gateway, kept locally because topo/get answers the
    keys only: names, description, timezone, assetId, attributes and when. Never a secret.
    SQLite at `path` (its folder is made), or in memory when `path` is None."""

    def __init__(self, path: Path | None, gateway: str) -> None:
        self.gateway = gateway
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        # Opened in the thread that opens the profile, used on the event loop: one at a time.
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), check_same_thread=False
        )
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS sub_devices (gateway TEXT NOT NULL, key TEXT NOT NULL,"
            " record TEXT NOT NULL, PRIMARY KEY (gateway, key))"
        )
        self._db.commit()

    def add(self, key: str, record: dict[str, Any]) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO sub_devices VALUES (?, ?, ?)",
            (self.gateway, key, json.dumps(record, ensure_ascii=False)),
        )
        self._db.commit()

    def get(self, key: str) -> dict[str, Any] | None:
        row = self._db.execute(
            "SELECT record FROM sub_devices WHERE gateway = ? AND key = ?", (self.gateway, key)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def all(self) -> dict[str, dict[str, Any]]:
        rows = self._db.execute(
            "SELECT key, record FROM sub_devices WHERE gateway = ?", (self.gateway,)
        )
        return {key: json.loads(record) for key, record in rows}

    def close(self) -> None:
        self._db.close()


def _record(spec: SubDeviceRegistration, asset_id: str | None) -> dict[str, Any]:
    """The registry's (non-secret) copy of a registered sub-device."""
    return {
        "assetId": asset_id,
        "name": {"default": spec.name_default, "en_US": spec.name_en_us, "zh_CN": spec.name_zh_cn},
        "description": spec.description,
        "timezone": spec.timezone,
        "attributes": spec.params().get("deviceAttributes", {}),
        "registeredAt": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _named_code(message: str | None, product_key: str, device_key: str | None) -> str | None:
    """The code a refusal's message gives this very sub-device, where it names each refused one
    as `productKey/deviceKey (code)` (a generated key is `(generated)`); None when it does not."""
    if not message:
        return None
    key = re.escape(f"{product_key}/{device_key or '(generated)'}")
    found = re.search(rf"(?<![\w.:/-]){key} \((\d+)\)", message)
    return found.group(1) if found else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class Enos(Platform, DeviceDirectory, DeviceCreation, Gateway, Identity):
    """One EnOS gateway device, logged in over MQTT with its productKey, deviceKey and secret."""

    name: ClassVar[str] = NAME
    title: ClassVar[str] = "EnOS"
    DEVICE_KEY: ClassVar[KeySpec] = KeySpec(
        "sub-device key",
        f"{DEVICE_KEY_PATTERN}/{DEVICE_KEY_PATTERN}",
        hint="productKey/deviceKey",
        placeholder="fleetSubPK1/sample_dev_01",
    )
    # Its gateway protocol detaches a sub-device; deleting one is the EnOS console's.
    DELETES: ClassVar[bool] = False
    # One register request takes up to 1000 sub-devices: a bulk registration sends them so.
    CREATE_BATCH: ClassVar[int] = REGISTER_LIMIT
    DEVICE_LABELS: ClassVar[dict[str, str | None]] = {
        "eui": "deviceKey",
        "model": "productKey",
        "connection": "assetId",
        "connectivity": "Timezone",
        "activation": None,
        "health": None,
        "last_activity": None,
    }

    def __init__(
        self,
        address: str,
        product_key: str,
        device_key: str,
        device_secret: str,
        *,
        verify: bool | ssl.SSLContext = True,
        registry: Path | None = None,
        reply_timeout: float = 10.0,
        broker_label: str | None = None,
    ) -> None:
        """`address` is the broker (`mqtt://host:port`, `mqtts://` for TLS, checked as
        `verify` says); `registry` the file of the local sub-device registry (None: memory)."""
        host, port, tls = split_broker(address)
        #: how the gateway's detail names its broker (the embedded simulator's port changes)
        self._broker_label = broker_label
        self.product_key = product_key
        self.device_key = device_key
        self._scrubber = Scrubber([device_secret])
        self._recorder: Callable[[CallRecord], None] | None = None
        self._registry = SubDeviceRegistry(registry, f"{product_key}/{device_key}")
        self._mqtt = MqttSession(
            NAME,
            host,
            port,
            lambda: gateway_login(product_key, device_key, device_secret),
            [self._topic(suffix) + "_reply" for suffix in _METHODS],
            tls=tls,
            verify=verify,
            reply_timeout=reply_timeout,
            vendor=self.title,
        )

    def __repr__(self) -> str:
        return (
            f"Enos({self._mqtt.address!r}, product_key={self.product_key!r}, "
            f"device_key={self.device_key!r})"
        )

    @property
    def session(self) -> MqttSession:
        """The gateway's MQTT session (its connection state, the reply timeout)."""
        return self._mqtt

    def _topic(self, suffix: str) -> str:
        return f"/sys/{self.product_key}/{self.device_key}/{suffix}"

    # ------------------------------------------------------------ plumbing

    async def aclose(self) -> None:
        await self._mqtt.aclose()
        self._registry.close()

    def scrub(self, text: str) -> str:
        return self._scrubber(text)

    def set_recorder(self, recorder: Callable[[CallRecord], None] | None) -> None:
        self._recorder = recorder

    def _record_call(self, topic: str, ok: bool, code: str | None, message: str | None) -> None:
        if self._recorder is None:
            return
        text = None
        if message:
            text = " ".join(self._scrubber(message).split())
            if len(text) > AUDIT_MESSAGE_CHARS:
                text = text[: AUDIT_MESSAGE_CHARS - 1] + "…"
        self._recorder(
            CallRecord(
                at=time.time(),
                platform=NAME,
                method="MQTT",
                path=topic,
                target=current_target.get(),
                ok=ok,
                code=code,
                message=text,
            )
        )

    async def _call(self, suffix: str, params: Any, *, mutating: bool) -> Reply:
        """One request and its reply (any code); a mutating one is recorded for the audit."""
        topic = self._topic(suffix)
        try:
            reply = await self._mqtt.request(
                topic, _METHODS[suffix], params, version=_VERSIONS[suffix]
            )
        except ApiError as error:
            if mutating:
                self._record_call(topic, False, error.code, error.message)
            raise self._scrubber.error(error) from None
        if mutating:
            code = str(reply.code)
            ok = reply.code == 200
            self._record_call(topic, ok, code, "OK" if ok else _code_message(code, reply.message))
        return reply

    def _refused(self, reply: Reply) -> ApiError:
        code = str(reply.code)
        return ApiError(NAME, self._scrubber(_code_message(code, reply.message)), code=code)

    def _unreadable(self, suffix: str, why: str) -> ApiError:
        return ApiError(NAME, f"unreadable reply on {self._topic(suffix)}_reply: {why}")

    # ------------------------------------------------------------ registration

    async def register_sub_devices(
        self, specs: Sequence[SubDeviceRegistration]
    ) -> list[RegisterResult]:
        """Register `specs` (requests of at most REGISTER_LIMIT) and attach the new ones to the
        gateway at once; one result per spec, in order. ApiError only when a call itself fails
        (not connected, no reply in time, an unreadable reply); a refusal is a result. When a
        request fails after others went through, the error is a `RegistrationInterrupted` that
        carries the results of those (their deviceSecrets are not asked for again)."""
        results: list[RegisterResult] = []
        for chunk in _chunks(specs, REGISTER_LIMIT):
            try:
                reply = await self._call(_REGISTER, [s.params() for s in chunk], mutating=True)
                done = self._register_results(chunk, reply)
            except ApiError as error:
                if not results:
                    raise
                raise RegistrationInterrupted(error, results) from None
            for spec, result in zip(chunk, done, strict=True):
                if result.ok and result.key is not None:
                    self._registry.add(result.key, _record(spec, result.asset_id))
            results.extend(await self._attach_registered(done))
        return results

    def _register_results(
        self, chunk: Sequence[SubDeviceRegistration], reply: Reply
    ) -> list[RegisterResult]:
        """Each spec's outcome: the reply's entry for it (by productKey and deviceKey; a spec
        without deviceKey takes the next entry of its product), else the reply's own code."""
        entries = self._register_entries(reply.data)
        code = str(reply.code)
        fallback = _code_message(code, reply.message)
        unused = list(entries)
        matched: list[dict[str, Any] | None] = []
        for spec in chunk:
            found = next(
                (
                    e
                    for e in unused
                    if e["productKey"] == spec.product_key
                    and (spec.device_key is None or e["deviceKey"] == spec.device_key)
                    and (spec.device_key is not None or e["deviceSecret"] is not None)
                ),
                None,
            )
            if found is not None:
                unused.remove(found)
            matched.append(found)
        results = []
        for spec, entry in zip(chunk, matched, strict=True):
            if entry is None:
                named = _named_code(reply.message, spec.product_key, spec.device_key)
                own = named or code
                if reply.code == 200:
                    message = "EnOS returned nothing for this sub-device"
                else:
                    message = VENDOR_MESSAGES.get(own, fallback) if named else fallback
                results.append(
                    RegisterResult(
                        product_key=spec.product_key,
                        device_key=spec.device_key,
                        ok=False,
                        code=own,
                        message=self._scrubber(message),
                    )
                )
                continue
            entry_code = entry["code"] or ("200" if entry["deviceSecret"] else code)
            ok = entry_code == "200" and entry["deviceSecret"] is not None
            secret = entry["deviceSecret"]
            if secret:
                self._scrubber.add(secret)
            results.append(
                RegisterResult(
                    product_key=spec.product_key,
                    device_key=entry["deviceKey"] or spec.device_key,
                    ok=ok,
                    code=entry_code,
                    message="registered"
                    if ok
                    else self._scrubber(_code_message(entry_code, entry["message"])),
                    asset_id=entry["assetId"] if ok else None,
                    device_secret=SecretStr(secret) if ok and secret else None,
                )
            )
        return results

    def _register_entries(self, data: Any) -> list[dict[str, Any]]:
        """The reply's `data` read as entries of {productKey, deviceKey, assetId, deviceSecret}
        (and, where EnOS says so per sub-device, code and message); ApiError when unreadable."""
        if data is None or data == {}:
            return []
        if not isinstance(data, list):
            raise self._unreadable(_REGISTER, "its data is not a list")
        entries = []
        for item in data:
            if not isinstance(item, dict):
                raise self._unreadable(_REGISTER, "an entry of its data is not an object")
            entry: dict[str, Any] = {}
            for field in ("productKey", "deviceKey", "assetId", "deviceSecret", "message"):
                value = item.get(field)
                if value is not None and not isinstance(value, str):
                    raise self._unreadable(_REGISTER, f"an entry's {field} is not text")
                entry[field] = value or None
            code = item.get("code")
            if code is not None and (isinstance(code, bool) or not isinstance(code, int | str)):
                raise self._unreadable(_REGISTER, "an entry's code is not a number")
            entry["code"] = None if code is None else str(code)
            if entry["productKey"] is None:
                raise self._unreadable(_REGISTER, "an entry has no productKey")
            entries.append(entry)
        return entries

    async def _attach_registered(self, results: list[RegisterResult]) -> list[RegisterResult]:
        """Attach the sub-devices just registered; one whose attachment failed stays registered
        (its secret is shown all the same) with a message that says so."""
        fresh = [
            (r.product_key, r.device_key, r.device_secret)
            for r in results
            if r.ok and r.device_key and r.device_secret is not None
        ]
        why: dict[str | None, str] = {}
        for chunk in _chunks(fresh, TOPO_LIMIT):
            try:
                await self.attach(chunk)
            except ApiError as error:
                why.update(
                    (f"{pk}/{dk}", f"registered, not attached: {error.message}")
                    for pk, dk, _ in chunk
                )
        return [
            r.model_copy(update={"message": why.get(r.key, "registered and attached")})
            if r.ok
            else r
            for r in results
        ]

    # ------------------------------------------------------------ topology

    async def topology(self) -> list[tuple[str, str]]:
        """The gateway's sub-devices as (productKey, deviceKey), as topo/get answers them."""
        reply = await self._call(_TOPO_GET, {}, mutating=False)
        if reply.code != 200:
            raise self._refused(reply)
        return self._read_topology(reply.data)

    def _read_topology(self, data: Any) -> list[tuple[str, str]]:
        """topo/get's `data` as (productKey, deviceKey) pairs; ApiError when unreadable."""
        if data is None:
            return []
        if not isinstance(data, list):
            raise self._unreadable(_TOPO_GET, "its data is not a list")
        pairs: list[tuple[str, str]] = []
        for item in data:
            pk = item.get("productKey") if isinstance(item, dict) else None
            dk = item.get("deviceKey") if isinstance(item, dict) else None
            if not isinstance(pk, str) or not isinstance(dk, str):
                raise self._unreadable(_TOPO_GET, "an entry is not {productKey, deviceKey}")
            pairs.append((pk, dk))
        return pairs

    async def attach(self, devices: Sequence[tuple[str, str, SecretStr | str]]) -> None:
        """Attach registered sub-devices, each given as (productKey, deviceKey, deviceSecret):
        topo/add signed with each one's own secret, at most TOPO_LIMIT per request."""
        for chunk in _chunks(devices, TOPO_LIMIT):
            params = []
            for product_key, device_key, secret in chunk:
                text = secret.get_secret_value() if isinstance(secret, SecretStr) else secret
                self._scrubber.add(text)
                params.append(sub_device_sign(product_key, device_key, text))
            reply = await self._call(_TOPO_ADD, params, mutating=True)
            if reply.code != 200:
                raise self._refused(reply)

    async def detach(self, keys: Sequence[str]) -> None:
        """Detach sub-devices (`{productKey}/{deviceKey}`) from the gateway: topo/delete, at most
        TOPO_LIMIT per request. They stay registered on EnOS."""
        pairs = [split_key(key) for key in keys]
        for chunk in _chunks(pairs, TOPO_LIMIT):
            params = [{"productKey": pk, "deviceKey": dk} for pk, dk in chunk]
            reply = await self._call(_TOPO_DELETE, params, mutating=True)
            if reply.code != 200:
                raise self._refused(reply)

    # ------------------------------------------------------------ the shared device list

    def _summary(self, product_key: str, device_key: str) -> DeviceSummary:
        key = f"{product_key}/{device_key}"
        record = self._registry.get(key) or {}
        names = record.get("name") or {}
        name = names.get("default") or names.get("en_US") or names.get("zh_CN") or device_key
        return DeviceSummary(
            key=key,
            name=name,
            eui=device_key,
            model=product_key,
            connection=_text(record.get("assetId")),
            connectivity=_text(record.get("timezone")),
        )

    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        """The gateway's whole topology in one page (topo/get does not page); the columns
        beyond the keys come from the local registry."""
        items = [self._summary(pk, dk) for pk, dk in await self.topology()]
        return Page[DeviceSummary](items=items, total=len(items))

    async def get_device(self, key: str) -> DeviceDetail:
        """A sub-device of the gateway, from the keys topo/get answers and the local registry;
        never its secret."""
        product_key, device_key = split_key(key)
        if (product_key, device_key) not in await self.topology():
            raise ApiError(NAME, f"{key} is not a sub-device of this gateway", code="not found")
        summary = self._summary(product_key, device_key)
        record = self._registry.get(summary.key)
        sections = [
            DetailSection(
                title="Identity",
                fields=[
                    DetailField(label="productKey", value=product_key),
                    DetailField(label="deviceKey", value=device_key),
                    DetailField(label="assetId", value=summary.connection or "—"),
                ],
            )
        ]
        if record is None:
            sections.append(
                DetailSection(
                    title="Registered",
                    fields=[
                        DetailField(
                            label="by",
                            value="elsewhere: EnOS's gateway protocol answers only the keys "
                            "of a sub-device this console did not register",
                        )
                    ],
                )
            )
            return DeviceDetail(
                key=summary.key, name=summary.name, summary=summary, sections=sections, raw={}
            )
        names = record.get("name") or {}
        name_fields = [
            DetailField(label=locale, value=names.get(locale) or "—")
            for locale in ("default", "en_US", "zh_CN")
        ]
        if record.get("description"):
            name_fields.append(DetailField(label="description", value=str(record["description"])))
        sections.append(DetailSection(title="Name", fields=name_fields))
        sections.append(
            DetailSection(
                title="Timezone",
                fields=[DetailField(label="UTC offset", value=summary.connectivity or "—")],
            )
        )
        attributes = record.get("attributes") or {}
        if attributes:
            sections.append(
                DetailSection(
                    title="Attributes",
                    fields=[DetailField(label=k, value=str(v)) for k, v in attributes.items()],
                )
            )
        sections.append(
            DetailSection(
                title="Registered",
                fields=[
                    DetailField(label="when", value=str(record.get("registeredAt") or "—")),
                    DetailField(label="by", value="this console"),
                ],
            )
        )
        return DeviceDetail(
            key=summary.key, name=summary.name, summary=summary, sections=sections, raw=record
        )

    async def find_devices(self, text: str, *, by: str) -> list[DeviceSummary]:
        """A sub-device by its key (`productKey/deviceKey`), among the keys topo/get answers:
        the gateway protocol looks up nothing else."""
        asked = self.lookup_text(text, by)
        if asked is None:
            return []
        product_key, device_key = split_key(asked)
        if (product_key, device_key) not in await self.topology():
            return []
        return [self._summary(product_key, device_key)]

    async def whoami(self) -> str:
        """The gateway whose login (productKey, deviceKey, signed with its secret) the broker
        acknowledged: EnOS names the connection by nothing else."""
        await self._mqtt.connect()
        broker = self._broker_label or self._mqtt.address
        return f"gateway {self.product_key}/{self.device_key}, login accepted by {broker}"

    async def delete_device(self, key: str) -> None:
        raise ApiError(
            NAME,
            "EnOS's gateway protocol cannot delete a device: detach it from the gateway instead",
        )

    async def gateway_detail(self) -> DeviceDetail:
        """The gateway itself, for the gateway view: its keys, the broker, TLS, whether it is
        connected and how many sub-devices it has (asked for when connected)."""
        count: str = "—"
        try:
            count = str(len(await self.topology()))
        except ApiError as error:
            count = f"unknown ({error.message})"
        key = f"{self.product_key}/{self.device_key}"
        summary = DeviceSummary(
            key=key, name=self.device_key, eui=self.device_key, model=self.product_key
        )
        fields = [
            DetailField(label="productKey", value=self.product_key),
            DetailField(label="deviceKey", value=self.device_key),
            DetailField(label="broker", value=self._broker_label or self._mqtt.address),
            DetailField(label="TLS", value="on" if self._mqtt.tls else "off"),
            DetailField(label="connected", value="yes" if self._mqtt.connected else "no"),
            DetailField(label="sub-devices", value=count),
        ]
        return DeviceDetail(
            key=key,
            name=self.device_key,
            summary=summary,
            sections=[DetailSection(title="Gateway", fields=fields)],
            raw={},
        )

    # ------------------------------------------------------------ the register form

    def device_forms(self) -> list[FormSpec]:
        return [
            FormSpec(
                "register",
                "sub-device",
                SubDeviceRegistration,
                key="r",
                submit="Register",
                conflict_field="device_key",
                conflict_codes=("702",),
            )
        ]

    async def create_device(self, form: str, values: BaseModel) -> str | Created:
        """Register and attach one sub-device; its deviceSecret comes back once, in `Created`.
        A refusal is an ApiError with the vendor's code and message (702 DeviceKey existed)."""
        if form != "register" or not isinstance(values, SubDeviceRegistration):
            raise ValueError(f"no device form {form!r} takes {type(values).__name__}")
        (result,) = await self.register_sub_devices([values])
        if not result.ok or result.key is None or result.device_secret is None:
            raise ApiError(NAME, result.message, code=result.code)
        return Created(key=result.key, secrets={"deviceSecret": result.device_secret})

    async def create_devices(
        self, form: str, values: Sequence[BaseModel]
    ) -> list[str | Created | ApiError]:
        """Register and attach these in one request (at most CREATE_BATCH): per sub-device, its
        key with its deviceSecret (`Created`), or the vendor's refusal of that one."""
        specs = [v for v in values if isinstance(v, SubDeviceRegistration)]
        if form != "register" or len(specs) != len(values):
            raise ValueError(f"no device form {form!r} takes these values")
        made: list[str | Created | ApiError] = []
        for result in await self.register_sub_devices(specs):
            if result.ok and result.key is not None and result.device_secret is not None:
                made.append(Created(key=result.key, secrets={"deviceSecret": result.device_secret}))
            else:
                made.append(ApiError(NAME, result.message, code=result.code))
        return made

    def created_key(self, form: str, values: BaseModel) -> str | None:
        if isinstance(values, SubDeviceRegistration) and values.device_key:
            return f"{values.product_key}/{values.device_key}"
        return None
