"""The Telit IoT Portal adapter: things, thing definitions, application tokens and SIM connections
over TR50 (`tui.api.tr50`).

Things are the devices of the shared list (a thing's key is its key; `thing.list` pages by
offset, PAGE_SIZE things a page, the cursor is the next offset); a thing's detail comes with the
thing definitions in one POST, to name its attributes, properties and alarms. Connections are
the SIMs of the connectivity data providers (`cdp.connection.search`), each row with its ICCID,
IMSI, carrier, rate plan, status and thing. Application tokens are applications (`app.create`:
the token comes back once, in a `Created`).

Where the vendor docs are silent: the CDP's "auto create things for connections" is the
`autoCreateThings` flag of `cdp.config.find`, set with `cdp.config.update`; a thing is made from
a connection by `thing.create` with the connection's identifiers, then `cdp.connection.update`
links the connection to it (`thingKey`).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr

from tui.api.errors import ApiError, require_key
from tui.api.forms import Choice, FormSpec, KeySpec
from tui.api.http import CallRecord, RetryPolicy
from tui.api.models import (
    Application,
    Connection,
    Created,
    DetailField,
    DetailSection,
    DeviceDetail,
    DeviceSummary,
    ThingDefinition,
)
from tui.api.paging import Page, cursor_read
from tui.api.platform import (
    ApplicationTokens,
    Connections,
    ConnectionThings,
    DeviceCreation,
    DeviceDirectory,
    DeviceTags,
    HttpPlatform,
    Identity,
    ThingDefinitions,
)
from tui.api.platforms.telit_forms import (
    THING_KEY_PATTERN,
    ApplicationCreate,
    ThingCreate,
    ThingDefinitionCreate,
    ThingFromConnection,
)
from tui.api.tr50 import Tr50Client
from tui.api.wire import Count, Key, WireModel, reason

__all__ = [
    "CONFLICT_CODES",
    "IDENTIFIERS",
    "MAX_LIMIT",
    "NOT_FOUND_CODES",
    "PAGE_SIZE",
    "CdpConfig",
    "Telit",
    "connection_from_row",
    "device_detail_from_thing",
    "device_summary_from_thing",
]

NAME = "telit"
#: `thing.list` and `cdp.connection.search` take at most 2000 a page
MAX_LIMIT = 2000
#: things per page of the shared list
PAGE_SIZE = 500
#: TR50 codes of a refusal as not found, and as already there (the simulator's choices: the
#: vendor's pages list none); the message "… not found" is taken too
NOT_FOUND_CODES = frozenset({"-90005"})
CONFLICT_CODES = ("-90006",)
#: a thing's identifiers, in the vendor page's order, with their labels
IDENTIFIERS: tuple[tuple[str, str], ...] = (
    ("iccid", "ICCID"),
    ("esn", "ESN"),
    ("imei", "IMEI"),
    ("meid", "MEID"),
    ("imsi", "IMSI"),
)


# ---------------------------------------------------------------- the vendor's wire shapes


class _Thing(WireModel):
    key: str
    id: Key | None = None
    name: str | None = None
    defKey: str | None = None
    defId: Key | None = None
    desc: str | None = None
    tags: list[str] | None = None
    iccid: Key | None = None
    esn: Key | None = None
    imei: Key | None = None
    meid: Key | None = None
    imsi: Key | None = None
    connected: bool | None = None
    lastSeen: Any = None
    createdOn: Any = None
    attrs: dict[str, Any] | None = None
    properties: dict[str, Any] | None = None
    alarms: dict[str, Any] | None = None


class _Listing(WireModel):
    count: Count = None
    result: list[dict[str, Any]] = []


class _SessionInfo(WireModel):
    """`session.info`: who the session is (never its id)."""

    username: str | None = None
    appId: str | None = None
    thingKey: str | None = None
    orgKey: str | None = None
    orgName: str | None = None


class _Definition(WireModel):
    key: str
    id: Key | None = None
    name: str | None = None
    version: Key | None = None
    attributes: dict[str, Any] | list[Any] | None = None
    properties: dict[str, Any] | list[Any] | None = None
    alarms: dict[str, Any] | list[Any] | None = None
    methods: dict[str, Any] | list[Any] | None = None


class _App(WireModel):
    id: Key
    name: str | None = None
    autoRegThingDefKey: str | None = None
    autoRegThingDefId: Key | None = None
    autoRegTags: list[str] | None = None


class _Sim(WireModel):
    id: Key
    iccid: Key | None = None
    imsi: Key | None = None
    imei: Key | None = None
    msisdn: Key | None = None
    carrier: str | None = None
    ratePlan: str | None = None
    status: str | None = None
    thingKey: str | None = None


# ---------------------------------------------------------------- what the screens read


class _Read(BaseModel):
    model_config = ConfigDict(frozen=True)


class CdpConfig(_Read):
    """The connectivity data provider's settings."""

    auto_create: bool
    raw: dict[str, Any] = {}


def _names(items: dict[str, Any] | list[Any] | None) -> dict[str, str]:
    """key → name of a definition's attributes (a `{key: {name}}` object, or a list of
    `{key, name}`)."""
    if isinstance(items, list):
        pairs = [(i.get("key"), i) for i in items if isinstance(i, dict)]
    else:
        pairs = list((items or {}).items())
    names: dict[str, str] = {}
    for key, item in pairs:
        if not isinstance(key, str) or not key:
            continue
        name = item.get("name") if isinstance(item, dict) else None
        names[key] = name if isinstance(name, str) and name else key
    return names


def _definition(body: dict[str, Any]) -> ThingDefinition:
    found = _Definition.model_validate(body)
    return ThingDefinition(
        key=found.key,
        name=found.name or found.key,
        id=found.id,
        version=found.version,
        attributes=_names(found.attributes),
        properties=_names(found.properties),
        alarms=_names(found.alarms),
        methods=_names(found.methods),
    )


def _when(value: Any) -> datetime | None:
    """A TR50 timestamp (ISO-8601 text) as a datetime; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _identifier(thing: _Thing) -> str | None:
    for field, label in IDENTIFIERS:
        value = getattr(thing, field)
        if value:
            return f"{label} {value}"
    return None


def _summary(thing: _Thing) -> DeviceSummary:
    return DeviceSummary(
        key=thing.key,
        name=thing.name or thing.key,
        eui=_identifier(thing),
        model=thing.defKey,
        connection=", ".join(thing.tags or []) or None,
        connectivity=None if thing.connected is None else "yes" if thing.connected else "no",
        last_activity=_when(thing.lastSeen),
    )


def device_summary_from_thing(body: dict[str, Any]) -> DeviceSummary:
    """A `thing.list` / `thing.find` thing as a row of the shared list."""
    return _summary(_Thing.model_validate(body))


def _value(item: Any) -> str:
    """A thing's attribute, property or alarm value (`{value|state, ts}` or a bare value)."""
    if isinstance(item, dict):
        said = item.get("value", item.get("state", item.get("msg")))
        text = "—" if said is None else str(said)
        ts = item.get("ts")
        return f"{text} ({ts})" if isinstance(ts, str) and ts else text
    return "—" if item is None else str(item)


def _section(title: str, values: dict[str, Any] | None, names: dict[str, str]) -> DetailSection:
    keys = list(dict.fromkeys([*names, *(values or {})]))
    fields = [DetailField(label=names.get(k, k), value=_value((values or {}).get(k))) for k in keys]
    return DetailSection(title=title, fields=fields or [DetailField(label="none", value="—")])


def device_detail_from_thing(
    body: dict[str, Any], definition: ThingDefinition | None = None
) -> DeviceDetail:
    """A `thing.find` thing as the detail view, named in its definition's words."""
    thing = _Thing.model_validate(body)
    summary = _summary(thing)
    identity = [
        DetailField(label="key", value=thing.key),
        DetailField(label="name", value=thing.name or "—"),
        DetailField(label="id", value=thing.id or "—"),
        DetailField(
            label="definition",
            value=f"{definition.name} ({definition.key})" if definition else thing.defKey or "—",
        ),
    ]
    if thing.desc:
        identity.append(DetailField(label="description", value=thing.desc))
    identifiers = [
        DetailField(label=label, value=str(getattr(thing, field)))
        for field, label in IDENTIFIERS
        if getattr(thing, field)
    ]
    seen = [
        DetailField(label="last seen", value=str(thing.lastSeen or "—")),
        DetailField(label="connected", value=summary.connectivity or "—"),
        DetailField(label="created", value=str(thing.createdOn or "—")),
    ]
    sections = [
        DetailSection(title="Identity", fields=identity),
        DetailSection(
            title="Identifiers", fields=identifiers or [DetailField(label="none", value="—")]
        ),
        DetailSection(
            title="Tags",
            fields=[DetailField(label="tags", value=", ".join(thing.tags or []) or "—")],
        ),
        _section("Attributes", thing.attrs, definition.attributes if definition else {}),
        _section("Properties", thing.properties, definition.properties if definition else {}),
        _section("Alarms", thing.alarms, definition.alarms if definition else {}),
        DetailSection(title="Last seen", fields=seen),
    ]
    return DeviceDetail(
        key=thing.key, name=summary.name, summary=summary, sections=sections, raw=body
    )


def connection_from_row(body: dict[str, Any]) -> Connection:
    """A `cdp.connection.search` row as a row of the shared connections screen."""
    sim = _Sim.model_validate(body)
    return Connection(
        key=sim.id,
        name=sim.iccid or sim.msisdn or sim.id,
        kind="sim",
        type=sim.carrier,
        state=sim.status,
        iccid=sim.iccid,
        imsi=sim.imsi,
        rate_plan=sim.ratePlan,
        device_key=sim.thingKey,
    )


def _not_found(error: ApiError) -> ApiError:
    """A refusal that says the thing is not there, with status 404: the shared layer's word for
    it (a bulk delete sent again is done, a create looked up is not there). The TR50 answer
    itself came with HTTP 200."""
    if error.status is None or not (
        error.code in NOT_FOUND_CODES or "not found" in error.message.lower()
    ):
        return error
    return ApiError(NAME, error.message, status=404, code=error.code, request_id=error.request_id)


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    if not cursor.isdigit():
        raise ApiError(NAME, f"{cursor[:40]!r} is not an offset: nothing was sent")
    return int(cursor)


def _next_offset(offset: int, got: int, asked: int, count: int | None) -> str | None:
    """The next page's offset, or None at the end (the count says so, or a short page)."""
    after = offset + got
    if got == 0 or (count is not None and after >= count) or (count is None and got < asked):
        return None
    return str(after)


def _read(answer: Any, parse: Callable[[Any], Any], command: str) -> Any:
    """`parse(answer)`; what it cannot read is the ApiError of an unexpected answer."""
    try:
        return parse(answer)
    except ApiError:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise ApiError(NAME, f"unexpected answer to {command}: {reason(exc)}") from None


class Telit(
    HttpPlatform,
    DeviceDirectory,
    DeviceCreation,
    DeviceTags,
    Connections,
    ConnectionThings,
    ThingDefinitions,
    ApplicationTokens,
    Identity,
):
    """One Telit IoT Portal organisation, reached with a user login or an application token."""

    name: ClassVar[str] = NAME
    title: ClassVar[str] = "Telit IoT Portal"
    DEVICE_KEY: ClassVar[KeySpec] = KeySpec(
        "thing key",
        THING_KEY_PATTERN,
        hint="letters, digits and _ . : @ - (at most 128)",
        placeholder="pump-0042",
    )
    #: `query` goes to thing.list's `keys`: one thing key, exactly
    SERVER_LOOKUP: ClassVar[str | None] = "key"
    #: the overview's search: thing.list by `keys`, and by the identifiers a thing carries
    #: (thing.create's `imei`, `iccid`), each exactly
    LOOKUPS: ClassVar[tuple[str, ...]] = ("key", "imei", "iccid")
    DEVICE_LABELS: ClassVar[dict[str, str | None]] = {
        "eui": "Identifier",
        "model": "Definition",
        "connection": "Tags",
        "connectivity": "Connected",
        "activation": None,
        "health": None,
        "last_activity": "Last seen",
    }
    CONNECTION_KINDS: ClassVar[dict[str, tuple[str, str]]] = {
        "sim": ("SIM connection", "SIM connections"),
    }
    # A SIM connection's columns, in the portal's words: no health, no device count.
    CONNECTION_LABELS: ClassVar[dict[str, str | None]] = {
        "name": "ICCID",  # a SIM connection is named by its ICCID
        "kind": None,
        "imsi": "IMSI",
        "type": "Carrier",
        "rate_plan": "Rate plan",
        "state": "Status",
        "health": None,
        "device_count": None,
        "device_key": "Thing",
    }

    def __init__(
        self,
        base_url: str,
        *,
        username: str | None = None,
        password: str | None = None,
        app_id: str | None = None,
        app_token: str | None = None,
        thing_key: str | None = None,
        verify: bool | ssl.SSLContext = True,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        """A user (`username` + `password`) or an application (`app_id` + `app_token`, with
        the `thing_key` it logs in as)."""
        self.base_url = base_url.rstrip("/")
        self.tr50 = Tr50Client(
            NAME,
            self.base_url,
            username=username,
            password=password,
            app_id=app_id,
            app_token=app_token,
            thing_key=thing_key,
            verify=verify,
            transport=transport,
            retry=retry,
        )
        self._api = self.tr50.api

    def __repr__(self) -> str:
        return f"Telit(base_url={self.base_url!r})"

    def set_recorder(self, recorder: Callable[[CallRecord], None] | None) -> None:
        # Every TR50 call is a POST: the TR50 client records the commands that change something.
        self.tr50.recorder = recorder

    # ------------------------------------------------------------ things

    async def list_devices(
        self, cursor: str | None = None, *, query: str | None = None
    ) -> Page[DeviceSummary]:
        """One page of `thing.list` (PAGE_SIZE things, with the count); `query` is one thing
        key, looked up exactly."""
        offset = _offset(cursor)
        params: dict[str, Any] = {"offset": offset, "limit": PAGE_SIZE, "showCount": True}
        key = (query or "").strip()
        if key:
            params["keys"] = [key]
        answer = await self.tr50.call("thing.list", params)
        listing: _Listing = _read(answer, _Listing.model_validate, "thing.list")
        after = _next_offset(offset, len(listing.result), PAGE_SIZE, listing.count)
        await cursor_read(after)  # a walk asks for the next page before these rows are read

        def read(listing: _Listing) -> Page[DeviceSummary]:
            items = [device_summary_from_thing(row) for row in listing.result]
            return Page[DeviceSummary](items=items, cursor=after, total=listing.count)

        page: Page[DeviceSummary] = _read(listing, read, "thing.list")
        return page

    async def find_devices(self, text: str, *, by: str) -> list[DeviceSummary]:
        """One `thing.list` filtered on the key (`keys`) or on an identifier of the thing
        (`imei`, `iccid`), at most a page of what matches."""
        asked = self.lookup_text(text, by)
        if asked is None:
            return []
        if by == "key":
            return list((await self.list_devices(query=asked)).items)
        params: dict[str, Any] = {"limit": PAGE_SIZE, by: asked.upper()}
        answer = await self.tr50.call("thing.list", params)
        listing: _Listing = _read(answer, _Listing.model_validate, "thing.list")
        return _read(
            listing,
            lambda it: [device_summary_from_thing(row) for row in it.result],
            "thing.list",
        )

    async def whoami(self) -> str:
        """`session.info`: the user (or the application and the thing it logs in as) and the
        organisation the portal's session stands for."""
        answer = await self.tr50.call("session.info", {})
        info: _SessionInfo = _read(answer, _SessionInfo.model_validate, "session.info")
        if info.username:
            who = f"user {info.username}"
        elif info.appId:
            who = f"application {info.appId}"
            if info.thingKey:
                who += f" as thing {info.thingKey}"
        else:
            who = "an unnamed session"
        org = info.orgName or info.orgKey
        return f"{who}, organisation {org}" if org else who

    async def get_device(self, key: str) -> DeviceDetail:
        """`thing.find` with the thing definitions, in one POST: the detail names the thing's
        attributes, properties and alarms as its definition does."""
        key = require_key(NAME, key, "the thing")
        answers = await self.tr50.batch(
            {
                "thing": ("thing.find", {"key": key}),
                "defs": ("thing_def.list", {"limit": MAX_LIMIT}),
            }
        )
        thing = answers["thing"]
        if isinstance(thing, ApiError):
            raise _not_found(thing)
        definitions = answers["defs"]
        definition = None
        if isinstance(definitions, dict):
            found: list[ThingDefinition] = _read(definitions, _definitions, "thing_def.list")
            def_key = thing.get("defKey")
            definition = next((d for d in found if d.key == def_key), None)
        detail: DeviceDetail = _read(
            thing, lambda body: device_detail_from_thing(body, definition), "thing.find"
        )
        return detail

    async def delete_device(self, key: str) -> None:
        try:
            await self.tr50.call("thing.delete", {"key": require_key(NAME, key, "the thing")})
        except ApiError as error:
            raise _not_found(error) from None

    async def set_tags(self, key: str, tags: list[str]) -> list[str]:
        """`thing.update` with the thing's whole tag list."""
        clean = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
        await self.tr50.call(
            "thing.update", {"key": require_key(NAME, key, "the thing"), "tags": clean}
        )
        return clean

    # ------------------------------------------------------------ creating things

    async def _definition_choices(self) -> list[Choice]:
        return [Choice(f"{d.name} ({d.key})", d.key) for d in await self.thing_definitions()]

    def device_forms(self) -> list[FormSpec]:
        return [
            FormSpec(
                "thing",
                "thing",
                ThingCreate,
                key="t",
                choices={"definition": self._definition_choices},
                conflict_field="key",
                conflict_codes=CONFLICT_CODES,
            )
        ]

    async def create_device(self, form: str, values: BaseModel) -> str:
        """`thing.create`; answers the thing's key."""
        if form != "thing" or not isinstance(values, ThingCreate):
            raise ValueError(f"no device form {form!r} takes {type(values).__name__}")
        await self.tr50.call("thing.create", values.params())
        return values.key

    def created_key(self, form: str, values: BaseModel) -> str | None:
        return values.key if isinstance(values, ThingCreate) else None

    # ------------------------------------------------------------ thing definitions

    async def thing_definitions(self) -> list[ThingDefinition]:
        """Every thing definition (`thing_def.list`, one page of up to 2000)."""
        answer = await self.tr50.call("thing_def.list", {"limit": MAX_LIMIT})
        found: list[ThingDefinition] = _read(answer, _definitions, "thing_def.list")
        return found

    async def thing_definition(self, key: str) -> ThingDefinition:
        """`thing_def.find`: its attributes, properties, alarms and methods."""
        key = require_key(NAME, key, "the thing definition")
        answer = await self.tr50.call("thing_def.find", {"key": key})
        found: ThingDefinition = _read(answer, _definition, "thing_def.find")
        return found

    def definition_forms(self) -> list[FormSpec]:
        return [
            FormSpec(
                "definition",
                "thing definition",
                ThingDefinitionCreate,
                key="d",
                conflict_field="key",
                conflict_codes=CONFLICT_CODES,
            )
        ]

    async def create_definition(self, form: str, values: BaseModel) -> str:
        if form != "definition" or not isinstance(values, ThingDefinitionCreate):
            raise ValueError(f"no definition form {form!r} takes {type(values).__name__}")
        return await self.create_thing_definition(values)

    async def create_thing_definition(self, spec: ThingDefinitionCreate) -> str:
        """`thing_def.create`; answers the definition's key."""
        await self.tr50.call("thing_def.create", spec.params())
        return spec.key

    async def delete_thing_definition(self, key: str) -> None:
        key = require_key(NAME, key, "the thing definition")
        await self.tr50.call("thing_def.delete", {"key": key})

    # ------------------------------------------------------------ application tokens

    async def applications(self) -> list[Application]:
        """`app.list`, without the tokens."""
        answer = await self.tr50.call("app.list", {"limit": MAX_LIMIT})
        found: list[Application] = _read(answer, _applications, "app.list")
        return found

    def application_forms(self) -> list[FormSpec]:
        return [
            FormSpec(
                "application",
                "application token",
                ApplicationCreate,
                key="a",
                choices={"definition": self._definition_choices},
            )
        ]

    async def create_application(self, form: str, values: BaseModel) -> Created:
        """`app.create` from the form: its id and, shown once, its token."""
        if form != "application" or not isinstance(values, ApplicationCreate):
            raise ValueError(f"no application form {form!r} takes {type(values).__name__}")
        return await self.create_app(values)

    async def create_app(self, spec: ApplicationCreate) -> Created:
        """`app.create`: its id and, shown once, its token."""
        answer = await self.tr50.call("app.create", spec.params())

        def read(body: dict[str, Any]) -> Created:
            made = _AppCreated.model_validate(body)
            self.tr50.api.scrubber.add(made.token)
            return Created(key=made.id, secrets={"token": SecretStr(made.token)})

        created: Created = _read(answer, read, "app.create")
        return created

    # ------------------------------------------------------------ SIM connections

    async def connections_page(self, offset: int = 0, limit: int = MAX_LIMIT) -> Page[Connection]:
        """One page of `cdp.connection.search`; the cursor is the next offset."""
        params = {"offset": offset, "limit": min(limit, MAX_LIMIT), "showCount": True}
        answer = await self.tr50.call("cdp.connection.search", params)

        def read(body: dict[str, Any]) -> Page[Connection]:
            listing = _Listing.model_validate(body)
            items = [connection_from_row(row) for row in listing.result]
            after = _next_offset(offset, len(items), params["limit"], listing.count)
            return Page[Connection](items=items, cursor=after, total=listing.count)

        page: Page[Connection] = _read(answer, read, "cdp.connection.search")
        return page

    async def list_connections(self) -> list[Connection]:
        """Every SIM connection, page after page of up to 2000."""
        rows: list[Connection] = []
        offset = 0
        while True:
            page = await self.connections_page(offset)
            rows.extend(page.items)
            if page.cursor is None or int(page.cursor) <= offset:
                return rows
            offset = int(page.cursor)

    async def get_connection(self, connection_id: str) -> Connection:
        """`cdp.connection.find`."""
        connection_id = require_key(NAME, connection_id, "the connection")
        answer = await self.tr50.call("cdp.connection.find", {"id": connection_id})
        found: Connection = _read(answer, connection_from_row, "cdp.connection.find")
        return found

    def connection_forms(self) -> list[FormSpec]:
        # SIM connections come from the carriers' connectivity data providers.
        return []

    async def create_connection(self, form: str, values: BaseModel) -> Connection:
        raise ApiError(NAME, "SIM connections come from the connectivity data providers")

    def thing_from_connection_form(self) -> FormSpec:
        """The form of "create a thing from a connection"."""
        return FormSpec(
            "thing-from-connection",
            "thing from connection",
            ThingFromConnection,
            key="c",
            choices={"definition": self._definition_choices},
            conflict_field="key",
            conflict_codes=CONFLICT_CODES,
        )

    async def create_thing_from_connection(
        self, connection_id: str, spec: ThingFromConnection
    ) -> str:
        """A thing of `spec` with the connection's identifiers (`thing.create`), then the
        connection linked to it (`cdp.connection.update` with `thingKey`); answers its key."""
        sim = await self.get_connection(connection_id)
        params: dict[str, Any] = {"name": spec.name, "key": spec.key, "defKey": spec.definition}
        if sim.iccid:
            params["iccid"] = sim.iccid
        if sim.imsi:
            params["imsi"] = sim.imsi
        if spec.tags:
            params["tags"] = spec.tags
        await self.tr50.call("thing.create", params)
        await self.tr50.call("cdp.connection.update", {"id": sim.key, "thingKey": spec.key})
        return spec.key

    async def sync_connections(self, count: int = 1) -> list[str]:
        """Bring `count` new connections from the carriers (`cdp.connection.sync`); their ids.
        The simulator's command, so that a demo can watch auto creation: the real portal syncs
        with the carriers on its own schedule (and answers this command as unknown)."""
        answer = await self.tr50.call("cdp.connection.sync", {"count": count})
        added: list[str] = _read(answer, lambda body: _Synced.model_validate(body).added, "sync")
        return added

    async def cdp_config(self) -> CdpConfig:
        """`cdp.config.find`: whether a new connection creates a thing."""
        answer = await self.tr50.call("cdp.config.find", {})
        found: CdpConfig = _read(answer, _cdp_config, "cdp.config.find")
        return found

    async def auto_create_things(self) -> bool:
        return (await self.cdp_config()).auto_create

    async def set_auto_create_things(self, on: bool) -> bool:
        return (await self.set_auto_create(on)).auto_create

    async def set_auto_create(self, on: bool) -> CdpConfig:
        """Turn "auto create things for connections" on or off (`cdp.config.update`)."""
        await self.tr50.call("cdp.config.update", {"autoCreateThings": on})
        return await self.cdp_config()


class _AppCreated(WireModel):
    id: Key
    token: str


class _Synced(WireModel):
    added: list[Key]


class _Config(WireModel):
    autoCreateThings: bool


def _cdp_config(body: dict[str, Any]) -> CdpConfig:
    return CdpConfig(auto_create=_Config.model_validate(body).autoCreateThings, raw=body)


def _definitions(body: dict[str, Any]) -> list[ThingDefinition]:
    return [_definition(row) for row in _Listing.model_validate(body).result]


def _applications(body: dict[str, Any]) -> list[Application]:
    apps = []
    for row in _Listing.model_validate(body).result:
        app = _App.model_validate(row)
        apps.append(
            Application(
                key=app.id,
                name=app.name or app.id,
                definition=app.autoRegThingDefKey or app.autoRegThingDefId,
                auto_reg_tags=app.autoRegTags or [],
            )
        )
    return apps
