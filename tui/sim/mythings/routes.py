"""The MyThings HTTP surface under /mythings/1.1.0: provisioning, downlink, query, status and stream
definition APIs, behind the bearer check, beside the `/token` and `/revoke` endpoints.

Choices where the vendor page is silent:
- `GET /things` answers a JSON array of ThingResource (the page names ThingResource as its
  schema; it is a list of them), in thingId order, streamed a slice at a time so that a fleet of
  any size is answered without holding it in memory or holding up other requests. `results` is
  the most things the answer holds (a positive integer; absent = all of them, as the page says
  "all the things you own"); `thingName` is a case-insensitive "contains"; `tags` (repeated,
  `tags=a&tags=b`) keeps things that carry every tag given; `lastActivity` keeps things whose
  last uplink is at or after it, `modifiedSince` those modified at or after it (ISO 8601, or
  epoch milliseconds); `isPublic` true/false; the parameters are checked before the answer
  starts; over a fleet of millions a filtered list is a long walk, given back to the event loop
  every `SLICE` things;
- ThingResource: `lastlocation` is the thing's own location (latitude, longitude,
  locationFN1/FN2; `timestamp` = its last modification); LoRa identifiers and device
  addresses are answered in upper case whatever case they were sent in (keys as sent) and found
  in any case; an ETHERNET thing's identifier is 1 to 64 letters, digits, `-`, `_`, `:` or `.`
  (the page's example is a 16-hex serial), its `technologyDetails` null;
- `POST /things`: the body is checked (validation.py), then the company (`companyId` other than
  the caller's 987 is 403), the thing type (unknown is 400, `ThingType <id> does not exist`; one
  of another connectivity is 400), the identifier (16 hex digits for LoRa things; taken is 409),
  the connectivity plan (one of /connectivityplans; absent = the first one), and for LORA.ABP the
  device address, which must be one the company reserved (400 otherwise) and not in use by
  another thing (409); LoRa things are provisioned at once ("if needed provision it on the
  network"); the answer is 200 with the ThingResource;
- `PUT /things/{id}` changes only the fields the body carries; `tags` there replaces the list,
  while `PUT /things/{id}/tags` adds the given tags to the thing's own (the page: "Add a tag");
  keys of the other activation type are 400; `DELETE /things/{id}` answers 200 with no body, and
  frees an ABP thing's device address (back to reserved);
- provision / deprovision answer StatusMessageDTO `{"message", "status": "OK"}`; doing it again
  changes nothing and answers the same; for an ETHERNET thing they are 400;
- `DELETE /things/{id}/{containerFriendlyName}` removes that container from the thing (its type,
  its decoded logs and values); an unknown container is 404;
- logs and locations page by page number, zero-based (Spring's `PageResource.number`), 20 items a
  page, newest first; `page` below 0 is 400 "Page index must not be less than zero!"; a page past
  the end is an empty `content` with `last: true`; `timeframe` is a number of hours back from now
  (1 to 720, the 30 days of history; absent = all of them); `links` hold self, first, prev, next
  and last (absolute URLs); `sort` is `{"sorted": true, "unsorted": false, "empty": false}`;
  decoded logs hold one SensorHistory per container per uplink; locations exist for GPS trackers
  only (others answer an empty page);
- counts (`/count`) answer one CountResponse per interval bucket (HOURLY: clock hours, DAILY:
  UTC days, WEEKLY: ISO weeks from Monday, MONTHLY: calendar months) from the bucket holding the
  start (startTime, else 30 days ago) to the one holding the end (endTime, else now), oldest first,
  `startTime`/`endTime` ISO 8601 bounds of each bucket; a missing interval is 400 "Interval may
  not be null", another value 400 "Interval can only be one of HOURLY, DAILY, WEEKLY, MONTHLY";
- container values: `containerName` is the container's name (`temperature`) or its container
  (`0x0402.0x0000.0.m2m`); `results` 1..1000 (default 100), newest first;
- device addresses: `amount` 1..1000 ("Amount may not be null", "Amount must be between 1 and
  1000"), `companyId` required ("CompanyId may not be null") and the caller's; reserve answers
  the addresses reserved (fewer when the pool runs out); assign moves reserved addresses to
  assigned (one not reserved by the company is 400);
- base stations: `PUT /basestations/{id}` sets `location` (latitude, longitude, name =
  locationName) and answers the BaseStationResponse;
- stream definitions: the page's `streamrequest` types every field a string, so answers do too
  (`"active": "true"`, `"companyId": "987"`), plus the `id` its paths need, `name`, `template`,
  `headers` and `userName` (the password is never answered); required fields missing are 400
  `<Field> may not be null`; `type` NETWORK, DECODED or LBS (a NETWORK stream is XML, as the page
  says); `contentType` JSON, XML or FREEFORM; `url` an http(s) URL; `basicAuth` needs userName and
  password; `mutualAuth` true is 400 (not activated for the company, the page's default); a third
  definition of the company is 400 "You can define 2 stream definitions per company."; the demo
  company starts with one (the "CLOE" stream account linking creates); `PUT` and `DELETE` take
  the id in the path or as `?streamDefinitionId=` (the page's list of paths shows them without
  one); `DELETE` answers 200 with no body;
- downlink: answers DownlinkResponse `{"code": "200", "message", "errors": []}`; an unknown thing
  is 404, an ETHERNET or deprovisioned one 400; a template goes to at most 1000 things, all or
  none: an unknown or non-LoRa thing among them is 400 listing each in `errors` (field
  `thingIdentifiers[n]`) and sends nothing;
- `GET /businessrules` answers Spring's serialized ResponseEntity, as the page says:
  `{"body": [rules], "statusCode": "OK", "statusCodeValue": 200}`; each rule is the page's
  `rule` model plus `businessRuleId`; `/businessrulestriggered/{id}` of an unknown rule is 404,
  `action` and `containerName` filter exactly;
- `GET /status` answers the JSON string `"UP"` (the page's schema is the value itself);
- a body that is not JSON is 400 "JSON parse error: …"; a body sent with a Content-Type other
  than application/json is 415, as the page requires that header;
- operation counters (`tui/sim/ops.py`), key = thingIdentifier: `create`, `update` (a PUT that
  changed a field, or a container deleted), `delete`, `tag` (tags added), `provision`,
  `deprovision`, `downlink` (per thing, template downlinks included); base station locations
  count `update` under the basestationId, stream definitions `create`/`update`/`delete` under
  `streamdefinition/<id>`; errors and no-ops count nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route, Router

from tui.sim import slices
from tui.sim.config import SimConfig
from tui.sim.mythings import data, validation
from tui.sim.mythings.auth import REVOKE_PATH, TOKEN_PATH, TokenStore
from tui.sim.mythings.catalog import (
    COMPANY_ID,
    COMPANY_NAME,
    CONFIGURATION_TEMPLATES,
    CONNECTIVITY_PLANS,
    PLAN_IDS,
    RULES,
    RULES_BY_ID,
    SUBSCRIBER_ID,
    TEMPLATES_BY_UID,
    THING_TYPES,
    THING_TYPES_BY_ID,
    VENDORS,
    container_definitions,
    thing_type_dto,
)
from tui.sim.mythings.data import DEFAULT_THINGS, HISTORY_MS, Things, iso, render_thing
from tui.sim.mythings.errors import (
    GatewayFault,
    MyThingsError,
    bad_request,
    forbidden,
    invalid,
    not_found,
)
from tui.sim.mythings.validation import Violations, as_bool, as_int, as_object, as_str, as_tags
from tui.sim.ops import OpCounter
from tui.sim.slices import SLICE, ClientGone, drive

BASE = "/mythings/1.1.0"
PAGE_SIZE = 20
INTERVALS = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY")
MAX_STREAMS = 2
_SORT = {"sorted": True, "unsorted": False, "empty": False}

Handler = Callable[[Request], Awaitable[Response]]


def _status(message: str) -> JSONResponse:
    """StatusMessageDTO."""
    return JSONResponse({"message": message, "status": "OK"})


def _downlink_answer(message: str) -> JSONResponse:
    """DownlinkResponse."""
    return JSONResponse({"code": "200", "message": message, "errors": []})


async def _json(request: Request) -> Any:
    ctype = request.headers.get("content-type", "")
    if ctype and "json" not in ctype.lower():
        raise MyThingsError(415, f"Content type '{ctype}' not supported")
    raw = await request.body()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("JSON parse error: the request body is not valid JSON") from None


async def _json_object(request: Request) -> dict[str, Any]:
    body = await _json(request)
    if not isinstance(body, dict):
        raise bad_request("JSON parse error: the request body must be a JSON object")
    return body


def _query_int(request: Request, name: str, lo: int, hi: int, message: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(message, name) from None
    if not lo <= value <= hi:
        raise bad_request(message, name)
    return value


def _query_time(request: Request, name: str) -> int | None:
    """A date-time query parameter in epoch ms: ISO 8601 (UTC when no offset) or epoch ms."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    if raw.isdigit():
        return int(raw)
    try:
        stamp = datetime.fromisoformat(raw.replace(" ", "+"))
    except ValueError:
        raise bad_request(f"{name} must be an ISO 8601 date-time", name) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return int(stamp.timestamp() * 1000)


def _company(value: int | None) -> None:
    if value is not None and value != COMPANY_ID:
        raise forbidden(f"Access denied to company {value}")


def _bucket_start(ms: int, interval: str) -> datetime:
    t = datetime.fromtimestamp(ms / 1000, UTC)
    if interval == "HOURLY":
        return t.replace(minute=0, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if interval == "DAILY":
        return day
    if interval == "WEEKLY":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_bucket(t: datetime, interval: str) -> datetime:
    if interval == "HOURLY":
        return t + timedelta(hours=1)
    if interval == "DAILY":
        return t + timedelta(days=1)
    if interval == "WEEKLY":
        return t + timedelta(weeks=1)
    return (t.replace(day=28) + timedelta(days=4)).replace(day=1)


def _ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


class MyThingsApi:
    """The state of the simulated demo company and its request handlers."""

    def __init__(self, config: SimConfig, ops: OpCounter) -> None:
        self.config = config
        self.ops = ops
        self.tokens = TokenStore(config.token_ttl)
        self.things = Things(config.seed, config.fleet_size(DEFAULT_THINGS))
        self.started_ms = self.now_ms()
        self.stations = data.base_stations(config.seed, self.started_ms)
        self.stations_by_id = {s["basestationId"]: s for s in self.stations}
        self.addresses = data.AddressPool()
        #: Device addresses of the pool in use by things created through the API.
        self.address_users: dict[int, str] = {}
        self._triggered: list[dict[str, Any]] | None = None
        self._plan_counts: tuple[int, dict[str, int]] | None = None
        self.streams: dict[int, dict[str, Any]] = {
            1: {
                "id": 1,
                "name": "CloudEngine",
                "active": True,
                "autoLink": True,
                "basicAuth": False,
                "companyId": COMPANY_ID,
                "contentType": "JSON",
                "mutualAuth": False,
                "type": "CLOE",
                "url": "https://cloudengine.enco.io/mythings/inbound",
                "template": None,
                "headers": [],
                "userName": None,
            }
        }
        self._next_stream = 1

    def now_ms(self) -> int:
        """The platform's now in epoch ms: the wall clock, unless the config freezes it."""
        frozen = self.config.frozen_at_ms
        return int(time.time() * 1000) if frozen is None else frozen

    # -- plumbing ------------------------------------------------------------------------------

    def _api(self, handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                self.tokens.check(request)
                return await handler(request)
            except (MyThingsError, GatewayFault) as exc:
                return exc.response()
            except ClientGone:
                return Response(status_code=499)  # nobody reads it: the client has gone

        return endpoint

    def _thing(self, request: Request) -> dict[str, Any]:
        ident = request.path_params["thingIdentifier"]
        rec = self.things.get(ident)
        if rec is None:
            raise not_found(f"Thing with identifier {ident} not found")
        return rec

    def _changed(self, rec: dict[str, Any]) -> None:
        rec["modified"] = self.now_ms()
        self.things.store(rec)

    # -- things --------------------------------------------------------------------------------

    async def list_things(self, request: Request) -> Response:
        q = request.query_params
        results = _query_int(request, "results", 1, 2**31 - 1, "results must be a positive integer")
        name = (q.get("thingName") or "").lower() or None
        tags = [t for t in q.getlist("tags") if t]
        last_activity = _query_time(request, "lastActivity")
        modified = _query_time(request, "modifiedSince")
        public = q.get("isPublic")
        if public is not None and public.lower() not in ("true", "false"):
            raise bad_request("isPublic must be true or false", "isPublic")
        want_public = None if public is None else public.lower() == "true"
        now = self.now_ms()

        def keep(rec: dict[str, Any]) -> bool:
            if name is not None and name not in rec["thingName"].lower():
                return False
            if any(t not in rec["tags"] for t in tags):
                return False
            if want_public is not None and rec["isPublic"] != want_public:
                return False
            if modified is not None and rec["modified"] < modified:
                return False
            if last_activity is not None:
                seen = data.last_activity(rec, now)
                return seen is not None and seen >= last_activity
            return True

        async def stream() -> AsyncIterator[str]:
            yield "["
            sent = 0
            for n, rec in enumerate(self.things, 1):
                if results is not None and sent >= results:
                    break
                if keep(rec):
                    yield ("," if sent else "") + json.dumps(render_thing(rec))
                    sent += 1
                if not n % SLICE:
                    await asyncio.sleep(0)
            yield "]"

        return StreamingResponse(stream(), media_type="application/json")

    async def get_thing(self, request: Request) -> Response:
        return JSONResponse(render_thing(self._thing(request)))

    def _check_abp_address(self, address: str, owner: str | None) -> int:
        validation.check_hex(address, "deviceAddress", "DeviceAddress")
        value = int(address, 16)
        if not self.addresses.is_reserved(value):
            raise bad_request(
                f"Device address {address.upper()} is not reserved for company {COMPANY_ID}",
                "deviceAddress",
            )
        user = self.address_users.get(value)
        if user is not None and user != owner:
            raise MyThingsError(409, f"Device address {address.upper()} is already in use")
        return value

    def _take_address(self, value: int, ident: str, old: str | None) -> None:
        if old is not None:
            self.address_users.pop(int(old, 16), None)
        self.address_users[value] = ident
        self.addresses.assigned.add(value)

    def _type_for(self, type_id: int, conn: str) -> None:
        t = THING_TYPES_BY_ID.get(type_id)
        if t is None:
            raise bad_request(f"ThingType {type_id} does not exist", "thingTypeId")
        if t.connectivity != conn.split(".")[0]:
            raise bad_request(
                f"ThingType {type_id} is not a thing type of connectivity {conn}", "thingTypeId"
            )

    def _plan(self, plan: str | None) -> None:
        if plan is not None and plan not in PLAN_IDS:
            raise bad_request(f"Connectivity plan {plan} does not exist", "connectivityPlan")

    async def create_thing(self, request: Request) -> Response:
        body = await _json_object(request)
        v: Violations = []
        company = as_int(body, "companyId")
        if company is None:
            v.append(("companyId", "CompanyId may not be null"))
        conn = as_str(body, "connectivityType")
        validation.connectivity(v, conn)
        description = as_str(body, "description")
        public = as_bool(body, "isPublic")
        lat, lon = as_str(body, "latitude"), as_str(body, "longitude")
        fn1, fn2 = as_str(body, "locationFN1"), as_str(body, "locationFN2")
        tags = as_tags(body)
        name = as_str(body, "thingName")
        motion = as_str(body, "motionIndicator")
        validation.motion(v, motion)
        ident = as_str(body, "thingIdentifier")
        if ident is None:
            v.append(("thingIdentifier", "may not be null"))
        type_id = as_int(body, "thingTypeId")
        if type_id is None:
            v.append(("thingTypeId", "ThingTypeId may not be null"))
        plan = as_str(body, "connectivityPlan")
        address = as_str(body, "deviceAddress")
        keys = as_object(body, "keys")
        otaa = abp = None
        if conn == "LORA.OTAA":
            otaa = validation.otaa_keys(v, keys, "keys.")
        elif conn == "LORA.ABP":
            validation.sized(v, address, "deviceAddress", "DeviceAddress", 8, False)
            abp = validation.abp_keys(v, keys, "keys.", update=False)
            abp["applicationSessionkeys"] = abp["applicationSessionkeys"] or []
        if v:
            raise invalid(v)
        assert conn is not None and ident is not None and type_id is not None
        validation.check_key_hex(otaa, abp, "keys.")
        _company(company)
        self._type_for(type_id, conn)
        lora = conn != "ETHERNET"
        if lora:
            if len(ident) != 16 or not validation.HEX.fullmatch(ident):
                raise bad_request(
                    "ThingIdentifier must be 16 hexadecimal characters", "thingIdentifier"
                )
            ident = ident.upper()
            self._plan(plan)
        elif not (1 <= len(ident) <= 64) or not all(c.isalnum() or c in "-_:." for c in ident):
            raise bad_request(
                "ThingIdentifier must be 1 to 64 letters, digits, '-', '_', ':' or '.'",
                "thingIdentifier",
            )
        if self.things.get(ident) is not None:
            raise MyThingsError(409, f"Thing with identifier {ident} already exists")
        pool_address = None
        if abp is not None:
            assert address is not None
            pool_address = self._check_abp_address(address, None)
        now = self.now_ms()
        rec: dict[str, Any] = {
            "thingId": self.things.new_thing_id(),
            "thingIdentifier": ident,
            "thingName": name if name is not None else ident,
            "description": description or "",
            "isPublic": bool(public),
            "tags": list(dict.fromkeys(tags or [])),
            "companyId": COMPANY_ID,
            "connectivityType": conn,
            "connectivityPlan": (plan or PLAN_IDS[0]) if lora else None,
            "thingTypeId": type_id,
            "motionIndicator": motion if lora else None,
            "latitude": lat or "",
            "longitude": lon or "",
            "locationFN1": fn1 or "",
            "locationFN2": fn2 or "",
            "deviceAddress": address.upper() if address else None,
            "keysOTAA": otaa,
            "keysABP": abp,
            "serialNumber": as_str(body, "serialNumber"),
            "provisioned": lora,
            "removed": [],
            "insertion": now,
            "modified": now,
            "_index": None,
        }
        if pool_address is not None:
            self._take_address(pool_address, ident, None)
        self.things.store(rec)
        self.ops.count(ident, "create")
        return JSONResponse(render_thing(rec))

    async def update_thing(self, request: Request) -> Response:
        body = await _json_object(request)
        v: Violations = []
        company = as_int(body, "companyId")
        plan = as_str(body, "connectivityPlan")
        description = as_str(body, "description")
        address = as_str(body, "deviceAddress")
        validation.sized(v, address, "deviceAddress", "DeviceAddress", 8, True)
        public = as_bool(body, "isPublic")
        raw_abp, raw_otaa = as_object(body, "keysLoRaABP"), as_object(body, "keysLoRaOTAA")
        abp = (
            validation.abp_keys(v, raw_abp, "keysLoRaABP.", update=True)
            if raw_abp is not None
            else None
        )
        otaa = validation.otaa_keys(v, raw_otaa, "keysLoRaOTAA.") if raw_otaa is not None else None
        fields = {
            k: as_str(body, k) for k in ("latitude", "locationFN1", "locationFN2", "longitude")
        }
        motion = as_str(body, "motionIndicator")
        validation.motion(v, motion)
        tags = as_tags(body)
        name = as_str(body, "thingName")
        type_id = as_int(body, "thingTypeId")
        if v:
            raise invalid(v)
        validation.check_key_hex(otaa, abp, "keysLoRaOTAA." if otaa else "keysLoRaABP.")
        rec = self._thing(request)
        conn = rec["connectivityType"]
        _company(company)
        if otaa is not None and conn != "LORA.OTAA":
            raise bad_request(f"keysLoRaOTAA does not apply to a {conn} thing", "keysLoRaOTAA")
        if (abp is not None or address is not None) and conn != "LORA.ABP":
            field = "keysLoRaABP" if abp is not None else "deviceAddress"
            raise bad_request(f"{field} does not apply to a {conn} thing", field)
        if type_id is not None:
            self._type_for(type_id, conn)
        if conn != "ETHERNET":
            self._plan(plan)
        elif plan is not None:
            raise bad_request("connectivityPlan does not apply to an ETHERNET thing", "connectivityPlan")  # fmt: skip
        pool_address = None
        if address is not None and address.upper() != rec["deviceAddress"]:
            pool_address = self._check_abp_address(address, rec["thingIdentifier"])
        new = dict(rec)
        new.update({k: value for k, value in fields.items() if value is not None})
        for key, value in (
            ("description", description),
            ("isPublic", public),
            ("thingName", name),
            ("connectivityPlan", plan),
            ("motionIndicator", motion),
        ):
            if value is not None:
                new[key] = value
        if tags is not None:
            new["tags"] = list(dict.fromkeys(tags))
        if type_id is not None and type_id != rec["thingTypeId"]:
            new["thingTypeId"] = type_id
            new["removed"] = []
        if pool_address is not None:
            new["deviceAddress"] = f"{pool_address:08X}"
        if otaa is not None:
            new["keysOTAA"] = otaa
        if abp is not None:
            keys = dict(rec["keysABP"] or {})
            if abp["applicationSessionkeys"] is not None:
                keys["applicationSessionkeys"] = abp["applicationSessionkeys"]
            if abp["networkSessionKey"] is not None:
                keys["networkSessionKey"] = abp["networkSessionKey"]
            new["keysABP"] = keys
        if new != rec:
            if pool_address is not None:
                old = rec["deviceAddress"]
                mine = self.address_users.get(int(old, 16)) == rec["thingIdentifier"]
                self._take_address(pool_address, rec["thingIdentifier"], old if mine else None)
            self._changed(new)
            self.ops.count(rec["thingIdentifier"], "update")
            rec = new
        return JSONResponse(render_thing(rec))

    async def delete_thing(self, request: Request) -> Response:
        rec = self._thing(request)
        address = rec.get("deviceAddress")
        if address and self.address_users.get(int(address, 16)) == rec["thingIdentifier"]:
            del self.address_users[int(address, 16)]
            self.addresses.assigned.discard(int(address, 16))
        self.things.delete(rec)
        self.ops.count(rec["thingIdentifier"], "delete")
        return Response(status_code=200)

    def _lora(self, rec: dict[str, Any], what: str) -> None:
        if not rec["connectivityType"].startswith("LORA"):
            raise bad_request(f"{what} only applies to LoRa things")

    async def provision(self, request: Request) -> Response:
        rec = self._thing(request)
        self._lora(rec, "Provisioning")
        ident = rec["thingIdentifier"]
        if not rec["provisioned"]:
            new = dict(rec, provisioned=True, _stopped=None)
            self._changed(new)
            self.ops.count(ident, "provision")
        return _status(f"Thing {ident} is provisioned on the network")

    async def deprovision(self, request: Request) -> Response:
        rec = self._thing(request)
        self._lora(rec, "Deprovisioning")
        ident = rec["thingIdentifier"]
        if rec["provisioned"]:
            new = dict(rec, provisioned=False, _stopped=self.now_ms())
            self._changed(new)
            self.ops.count(ident, "deprovision")
        return _status(f"Thing {ident} is removed from the network")

    async def add_tags(self, request: Request) -> Response:
        body = await _json(request)
        if not isinstance(body, list) or not all(isinstance(t, str) for t in body):
            raise bad_request("JSON parse error: tags must be an array of strings", "tags")
        rec = self._thing(request)
        tags = list(dict.fromkeys([*rec["tags"], *body]))
        if tags != rec["tags"]:
            rec = dict(rec, tags=tags)
            self._changed(rec)
            self.ops.count(rec["thingIdentifier"], "tag")
        return JSONResponse(render_thing(rec))

    async def thing_type(self, request: Request) -> Response:
        rec = self._thing(request)
        t = data.thing_type(rec)
        return JSONResponse(
            {
                "connectivityType": rec["connectivityType"],
                "containers": [
                    {
                        "container": c.container,
                        "containerId": c.container_id,
                        "name": c.name,
                        "type": c.type,
                    }
                    for c in data.containers(rec)
                ],
                "thingType": t.name,
                "thingTypeVersion": str(t.version),
                "vendor": t.vendor,
                "vendorReference": t.vendor_reference,
            }
        )

    def _container(self, rec: dict[str, Any], name: str) -> data.ContainerDef:
        for c in data.containers(rec):
            if name in (c.name, c.container):
                return c
        raise not_found(f"Container {name} not found for thing {rec['thingIdentifier']}")

    async def delete_container(self, request: Request) -> Response:
        rec = self._thing(request)
        c = self._container(rec, request.path_params["containerFriendlyName"])
        self._changed(dict(rec, removed=[*rec["removed"], c.name]))
        self.ops.count(rec["thingIdentifier"], "update")
        return _status(f"Container {c.name} removed from thing {rec['thingIdentifier']}")

    # -- history -------------------------------------------------------------------------------

    def _window(self, request: Request, with_times: bool) -> tuple[int | None, int | None]:
        timeframe = _query_int(
            request, "timeframe", 1, 720, "timeframe must be a number of hours from 1 to 720"
        )
        start = self.now_ms() - timeframe * 3_600_000 if timeframe is not None else None
        end = None
        if with_times:
            begin = _query_time(request, "startTime")
            end = _query_time(request, "endTime")
            if begin is not None:
                start = begin if start is None else max(start, begin)
        return start, end

    def _page_number(self, request: Request) -> int:
        raw = request.query_params.get("page")
        if raw is None or raw == "":
            return 0
        try:
            page = int(raw)
        except ValueError:
            raise bad_request("page must be an integer", "page") from None
        if page < 0:
            raise bad_request("Page index must not be less than zero!", "page")
        return page

    def _page(
        self, request: Request, page: int, total: int, content: list[dict[str, Any]]
    ) -> JSONResponse:
        """PageResource."""
        pages = -(-total // PAGE_SIZE)
        last_page = max(pages - 1, 0)

        def link(rel: str, n: int) -> dict[str, Any]:
            return {
                "href": str(request.url.include_query_params(page=n)),
                "rel": rel,
                "templated": False,
            }

        links = [link("self", page), link("first", 0)]
        if page > 0:
            links.append(link("prev", min(page - 1, last_page)))
        if page < last_page:
            links.append(link("next", page + 1))
        links.append(link("last", last_page))
        return JSONResponse(
            {
                "content": content,
                "first": page == 0,
                "last": page >= last_page,
                "links": links,
                "number": page,
                "numberOfElements": len(content),
                "size": PAGE_SIZE,
                "sort": _SORT,
                "totalElements": total,
                "totalPages": pages,
            }
        )

    async def decoded_logs(self, request: Request) -> Response:
        rec = self._thing(request)
        start, _ = self._window(request, False)
        page = self._page_number(request)
        span = data.uplinks(rec, self.now_ms(), start)
        cs = data.containers(rec)
        total = 0 if span is None or not cs else (span[1] - span[0] + 1) * len(cs)
        content = []
        for j in range(page * PAGE_SIZE, min(total, (page + 1) * PAGE_SIZE)):
            assert span is not None
            k = span[1] - j // len(cs)
            content.append(data.decoded_entry(rec, cs[j % len(cs)], k, total))
        return self._page(request, page, total, content)

    async def network_logs(self, request: Request) -> Response:
        rec = self._thing(request)
        start, end = self._window(request, True)
        page = self._page_number(request)
        span = data.uplinks(rec, self.now_ms(), start, end)
        total = 0 if span is None else span[1] - span[0] + 1
        content = [
            data.network_entry(rec, span[1] - j, self.stations)
            for j in range(page * PAGE_SIZE, min(total, (page + 1) * PAGE_SIZE))
            if span is not None
        ]
        return self._page(request, page, total, content)

    async def locations(self, request: Request) -> Response:
        rec = self._thing(request)
        start, _ = self._window(request, False)
        page = self._page_number(request)
        gps = any(c.kind == "location" for c in data.containers(rec))
        span = data.uplinks(rec, self.now_ms(), start) if gps else None
        total = 0 if span is None else span[1] - span[0] + 1
        content = [
            data.location_entry(rec, span[1] - j, total)
            for j in range(page * PAGE_SIZE, min(total, (page + 1) * PAGE_SIZE))
            if span is not None
        ]
        return self._page(request, page, total, content)

    def _counts(
        self, request: Request, rec: dict[str, Any], per_uplink: int, with_times: bool
    ) -> JSONResponse:
        """CountResponse per interval bucket: uplinks (times `per_uplink`) in each."""
        interval = request.query_params.get("interval")
        if not interval:
            raise invalid([("interval", "Interval may not be null")])
        if interval not in INTERVALS:
            raise invalid(
                [("interval", "Interval can only be one of HOURLY, DAILY, WEEKLY, MONTHLY")]
            )
        now = self.now_ms()
        start, end = now - HISTORY_MS, now
        if with_times:
            start = _query_time(request, "startTime") or start
            end = _query_time(request, "endTime") or end
            if end < start:
                raise bad_request("endTime must not be before startTime", "endTime")
            if end - start > 400 * 86_400_000 and interval == "HOURLY":
                raise bad_request("At most 400 days of HOURLY counts", "interval")
        out = []
        t = _bucket_start(start, interval)
        while _ms(t) <= end:
            nxt = _next_bucket(t, interval)
            a, b = max(_ms(t), start), min(_ms(nxt), end + 1)
            count = data.count_in(rec, now, a, b) * per_uplink
            out.append({"count": count, "endTime": iso(_ms(nxt)), "startTime": iso(_ms(t))})
            t = nxt
        return JSONResponse(out)

    async def decoded_count(self, request: Request) -> Response:
        rec = self._thing(request)
        return self._counts(request, rec, len(data.containers(rec)), False)

    async def network_count(self, request: Request) -> Response:
        return self._counts(request, self._thing(request), 1, True)

    async def container_values(self, request: Request) -> Response:
        rec = self._thing(request)
        c = self._container(rec, request.path_params["containerName"])
        results = _query_int(request, "results", 1, 1000, "results must be from 1 to 1000")
        start, end = _query_time(request, "startTime"), _query_time(request, "endTime")
        span = data.uplinks(rec, self.now_ms(), start, end)
        t = data.thing_type(rec)
        out = []
        if span is not None:
            for k in range(span[1], max(span[0], span[1] - (results or 100) + 1) - 1, -1):
                out.append(
                    {
                        "container": c.container,
                        "thingType": t.name,
                        "timestamp": data.uplink_ms(rec, k),
                        "value": data.value(rec, c, k),
                    }
                )
        return JSONResponse(out)

    # -- catalogues ----------------------------------------------------------------------------

    def _plan_usage(self) -> slices.Scan[dict[str, int]]:
        """Things per connectivity plan: a scan of the fleet, cached until it changes."""
        version = self.things.version
        if self._plan_counts is None or self._plan_counts[0] != version:
            counts = dict.fromkeys(PLAN_IDS, 0)
            for n, plan in enumerate(self.things.plans(), 1):
                if plan in counts:
                    counts[plan] += 1
                if not n % SLICE:
                    yield
            self._plan_counts = (version, counts)
        return self._plan_counts[1]

    async def connectivity_plans(self, request: Request) -> Response:
        used = await drive(self._plan_usage(), request)
        return JSONResponse(
            [
                {
                    "companyName": COMPANY_NAME,
                    "connectivityPlans": [
                        {
                            "assignedthings": used[plan_id],
                            "connectivitytype": "LORA",
                            "id": plan_id,
                            "name": name,
                        }
                        for plan_id, name in CONNECTIVITY_PLANS
                    ],
                    "subscriberId": SUBSCRIBER_ID,
                }
            ]
        )

    async def thing_types(self, request: Request) -> Response:
        return JSONResponse([thing_type_dto(t) for t in THING_TYPES])

    async def vendors(self, request: Request) -> Response:
        return JSONResponse([{"name": name} for name in VENDORS])

    async def container_definitions(self, request: Request) -> Response:
        wanted = request.query_params.get("thingTypeName")
        rows = container_definitions()
        return JSONResponse([r for r in rows if not wanted or r["thingTypeName"] == wanted])

    async def configuration_templates(self, request: Request) -> Response:
        return JSONResponse([{"name": name, "uid": uid} for uid, name, _, _ in CONFIGURATION_TEMPLATES])  # fmt: skip

    # -- base stations -------------------------------------------------------------------------

    def _station(self, request: Request) -> dict[str, Any]:
        bs_id = request.path_params["basestationId"]
        station = self.stations_by_id.get(bs_id.upper())
        if station is None:
            raise not_found(f"Basestation {bs_id} not found")
        return station

    async def list_stations(self, request: Request) -> Response:
        return JSONResponse(self.stations)

    async def get_station(self, request: Request) -> Response:
        return JSONResponse(self._station(request))

    async def locate_station(self, request: Request) -> Response:
        body = await _json_object(request)
        company = as_int(body, "companyId")
        fields = {k: as_str(body, k) for k in ("latitude", "longitude", "locationName")}
        station = self._station(request)
        _company(company)
        location = dict(station["location"])
        for key, target in (("latitude", "latitude"), ("longitude", "longitude"), ("locationName", "name")):  # fmt: skip
            if fields[key] is not None:
                location[target] = fields[key]
        if location != station["location"]:
            location["timestamp"] = iso(self.now_ms())
            station["location"] = location
            self.ops.count(station["basestationId"], "update")
        return JSONResponse(station)

    # -- device addresses ----------------------------------------------------------------------

    def _amount_and_company(self, request: Request) -> int:
        v: Violations = []
        q = request.query_params
        amount = company = None
        if not q.get("companyId"):
            v.append(("companyId", "CompanyId may not be null"))
        else:
            company = _query_int(request, "companyId", -(2**31), 2**31 - 1, "companyId must be an integer")  # fmt: skip
        if not q.get("amount"):
            v.append(("amount", "Amount may not be null"))
        else:
            try:
                amount = int(q["amount"])
            except ValueError:
                amount = 0
            if not 1 <= amount <= 1000:
                v.append(("amount", "Amount must be between 1 and 1000"))
        if v:
            raise invalid(v)
        _company(company)
        assert amount is not None
        return amount

    @staticmethod
    def _addresses(addresses: list[str]) -> JSONResponse:
        return JSONResponse(
            {"amount": len(addresses), "companyId": COMPANY_ID, "devAddresses": addresses}
        )

    async def device_addresses(self, request: Request) -> Response:
        # Addresses in use by things are assigned too, so "available" leaves them out.
        return self._addresses(self.addresses.available(self._amount_and_company(request)))

    async def reserve_addresses(self, request: Request) -> Response:
        amount = self._amount_and_company(request)
        return self._addresses(self.addresses.reserve(amount))

    async def assign_addresses(self, request: Request) -> Response:
        body = await _json_object(request)
        v: Violations = []
        company = as_int(body, "companyId")
        if company is None:
            v.append(("companyId", "CompanyId may not be null"))
        raw = body.get("devAddresses")
        if raw is None or raw == []:
            v.append(("devAddresses", "DevAddresses may not be empty"))
        elif not isinstance(raw, list) or not all(isinstance(a, str) for a in raw):
            raise bad_request("JSON parse error: devAddresses must be an array of strings")
        if v:
            raise invalid(v)
        _company(company)
        wanted = []
        for address in raw:
            validation.sized(v, address, "devAddresses", "DeviceAddress", 8, False)
            if v:
                raise invalid(v)
            validation.check_hex(address, "devAddresses", "DeviceAddress")
            if not self.addresses.is_reserved(int(address, 16)):
                raise bad_request(
                    f"Device address {address.upper()} is not reserved for company {COMPANY_ID}",
                    "devAddresses",
                )
            wanted.append(int(address, 16))
        self.addresses.assigned.update(wanted)
        return self._addresses([f"{a:08X}" for a in wanted])

    # -- stream definitions --------------------------------------------------------------------

    @staticmethod
    def _stream_out(stream: dict[str, Any]) -> dict[str, Any]:
        """`streamrequest`: every documented field a string, as the page types them."""
        out = {}
        for key, value in stream.items():
            if key.startswith("_"):
                continue
            if key in ("id", "headers", "name", "template", "userName"):
                out[key] = value
            else:
                out[key] = str(value).lower() if isinstance(value, bool) else str(value)
        return out

    @staticmethod
    def _stream_id(request: Request) -> str | None:
        """The id in the path, or in `?streamDefinitionId=` (the page lists PUT and DELETE on
        /streamdefinitions with no id in the path)."""
        return request.path_params.get("streamId") or request.query_params.get("streamDefinitionId")

    def _stream(self, stream_id: str | None) -> dict[str, Any]:
        if stream_id is None or not stream_id.isdigit() or int(stream_id) not in self.streams:
            raise not_found(f"Stream definition {stream_id} not found")
        return self.streams[int(stream_id)]

    def _stream_fields(self, body: dict[str, Any], *, create: bool) -> dict[str, Any]:
        v: Violations = []
        out: dict[str, Any] = {}
        for key in ("active", "autoLink", "basicAuth"):
            out[key] = as_bool(body, key)
        out["companyId"] = as_int(body, "companyId")
        out["contentType"] = as_str(body, "contentType")
        out["mutualAuth"] = as_bool(body, "mutualAuth")
        out["type"] = as_str(body, "type")
        out["url"] = as_str(body, "url")
        if create:
            for key in ("active", "autoLink", "basicAuth", "companyId", "contentType", "mutualAuth", "type", "url"):  # fmt: skip
                if out[key] is None:
                    v.append((key, f"{key[0].upper()}{key[1:]} may not be null"))
        if out["type"] is not None and out["type"] not in ("NETWORK", "DECODED", "LBS"):
            v.append(("type", "Type can only be of type 'NETWORK', 'DECODED' or 'LBS'"))
        if out["contentType"] is not None and out["contentType"] not in ("JSON", "XML", "FREEFORM"):
            v.append(("contentType", "ContentType can only be of type 'JSON', 'XML' or 'FREEFORM'"))  # fmt: skip
        if out["url"] is not None:
            url = urlparse(out["url"])
            if url.scheme not in ("http", "https") or not url.netloc:
                v.append(("url", "Url must be a valid HTTP or HTTPS URL"))
        if v:
            raise invalid(v)
        for key in ("name", "template", "userName", "password"):
            out[key] = as_str(body, key)
        headers = body.get("headers")
        if headers is not None:
            if not isinstance(headers, list) or not all(
                isinstance(h, dict) and isinstance(h.get("key"), str) and isinstance(h.get("value"), str)
                for h in headers
            ):  # fmt: skip
                raise bad_request("JSON parse error: headers must be an array of {key, value}")
            out["headers"] = [{"key": h["key"], "value": h["value"]} for h in headers]
        _company(out["companyId"])
        return {k: value for k, value in out.items() if value is not None}

    def _stream_rules(self, stream: dict[str, Any], password: str | None) -> None:
        if stream.get("mutualAuth"):
            raise bad_request(f"Mutual authentication is not activated for company {COMPANY_ID}", "mutualAuth")  # fmt: skip
        if stream.get("basicAuth") and (not stream.get("userName") or not password):
            raise invalid(
                [("userName", "UserName and password may not be null when basicAuth is true")]
            )
        if stream.get("type") == "NETWORK" and stream.get("contentType") != "XML":
            raise bad_request("A NETWORK stream definition sends XML: contentType can only be 'XML'", "contentType")  # fmt: skip

    async def list_streams(self, request: Request) -> Response:
        return JSONResponse([self._stream_out(s) for s in self.streams.values()])

    async def get_stream(self, request: Request) -> Response:
        return JSONResponse(self._stream_out(self._stream(request.path_params["streamId"])))

    async def create_stream(self, request: Request) -> Response:
        body = await _json_object(request)
        fields = self._stream_fields(body, create=True)
        password = fields.pop("password", None)
        self._stream_rules(fields, password)
        if len(self.streams) >= MAX_STREAMS:
            raise bad_request(f"You can define {MAX_STREAMS} stream definitions per company.")
        self._next_stream += 1
        stream_id = self._next_stream
        stream = {
            "id": stream_id,
            "name": fields.pop("name", None) or f"Stream {stream_id}",
            "template": None,
            "headers": [],
            "userName": None,
            **fields,
            "_password": password,
        }
        self.streams[stream_id] = stream
        self.ops.count(f"streamdefinition/{stream_id}", "create")
        return JSONResponse(self._stream_out(self._public(stream)))

    @staticmethod
    def _public(stream: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in stream.items() if not k.startswith("_")}

    async def update_stream(self, request: Request) -> Response:
        body = await _json_object(request)
        fields = self._stream_fields(body, create=False)
        stream = self._stream(self._stream_id(request))
        password = fields.pop("password", None)
        new = {**stream, **fields}
        if password is not None:
            new["_password"] = password
        self._stream_rules(new, new.get("_password"))
        if new != stream:
            self.streams[stream["id"]] = new
            self.ops.count(f"streamdefinition/{stream['id']}", "update")
        return JSONResponse(self._stream_out(self._public(new)))

    async def delete_stream(self, request: Request) -> Response:
        stream = self._stream(self._stream_id(request))
        del self.streams[stream["id"]]
        self.ops.count(f"streamdefinition/{stream['id']}", "delete")
        return Response(status_code=200)

    # -- downlink ------------------------------------------------------------------------------

    def _downlinkable(self, rec: dict[str, Any]) -> str | None:
        """Why a downlink cannot go to this thing, or None."""
        if not rec["connectivityType"].startswith("LORA"):
            return f"Thing {rec['thingIdentifier']} is not a LoRa thing"
        if not rec["provisioned"]:
            return f"Thing {rec['thingIdentifier']} is not provisioned on the network"
        return None

    async def downlink(self, request: Request) -> Response:
        body = await _json_object(request)
        v, req = validation.downlink(body)
        if v:
            raise invalid(v)
        rec = self.things.get(req["devEUI"])
        if rec is None:
            raise not_found(f"Thing with identifier {req['devEUI']} not found")
        why = self._downlinkable(rec)
        if why is not None:
            raise bad_request(why, "devEUI")
        self.ops.count(rec["thingIdentifier"], "downlink")
        return _downlink_answer(
            f"Downlink {req['payload'].upper()} on port {req['fPort']} queued for {rec['thingIdentifier']}"
        )

    async def downlink_template(self, request: Request) -> Response:
        uid = request.path_params["templateUid"]
        template = TEMPLATES_BY_UID.get(uid)
        body = await _json_object(request)
        idents = body.get("thingIdentifiers")
        if idents is None or idents == []:
            raise invalid([("thingIdentifiers", "ThingIdentifiers may not be empty")])
        if not isinstance(idents, list) or not all(isinstance(i, str) for i in idents):
            raise bad_request("JSON parse error: thingIdentifiers must be an array of strings")
        if len(idents) > 1000:
            raise invalid([("thingIdentifiers", "ThingIdentifiers may hold at most 1000 things")])
        if template is None:
            raise not_found(f"Configuration template {uid} not found")
        errors, targets = [], []
        for n, ident in enumerate(idents):
            rec = self.things.get(ident)
            why = (
                f"Thing with identifier {ident} not found"
                if rec is None
                else self._downlinkable(rec)
            )
            if why is not None:
                errors.append({"field": f"thingIdentifiers[{n}]", "message": why})
            else:
                assert rec is not None
                targets.append(rec["thingIdentifier"])
        if errors:
            raise MyThingsError(400, "[" + ", ".join(e["message"] for e in errors) + "]", errors)
        for ident in dict.fromkeys(targets):
            self.ops.count(ident, "downlink")
        return _downlink_answer(
            f"Configuration template {template[1]} queued for {len(set(targets))} things"
        )

    # -- business rules and status -------------------------------------------------------------

    def _triggered_rules(self) -> list[dict[str, Any]]:
        if self._triggered is None:
            self._triggered = data.triggered(self.things, self.started_ms)
        return self._triggered

    async def business_rules(self, request: Request) -> Response:
        rules = [{"businessRuleId": r.id, **r.dto()} for r in RULES]
        return JSONResponse({"body": rules, "statusCode": "OK", "statusCodeValue": 200})

    async def triggered(self, request: Request) -> Response:
        return JSONResponse(self._triggered_rules())

    async def triggered_by_rule(self, request: Request) -> Response:
        raw = request.path_params["businessRuleId"]
        if not raw.isdigit():
            raise bad_request("businessRuleId must be an integer", "businessRuleId")
        if int(raw) not in RULES_BY_ID:
            raise not_found(f"Business rule {raw} not found")
        action = request.query_params.get("action")
        container = request.query_params.get("containerName")
        rows = [
            e
            for e in self._triggered_rules()
            if e["businessRuleId"] == int(raw)
            and (not action or e["businessRuleDTO"]["action"] == action)
            and (
                not container
                or container
                in (
                    e["triggeredByDTO"]["triggeredContainer"]["name"],
                    e["triggeredByDTO"]["triggeredContainer"]["container"],
                )
            )
        ]
        return JSONResponse(rows)

    async def status(self, request: Request) -> Response:
        return JSONResponse("UP")

    # -- routing -------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """The token and revoke routes and the API mount."""
        a = self._api
        thing = "/things/{thingIdentifier}"
        api = [
            Route("/things", a(self.list_things), methods=["GET"]),
            Route("/things", a(self.create_thing), methods=["POST"]),
            Route(thing, a(self.get_thing), methods=["GET"]),
            Route(thing, a(self.update_thing), methods=["PUT"]),
            Route(thing, a(self.delete_thing), methods=["DELETE"]),
            Route(thing + "/deprovision", a(self.deprovision), methods=["DELETE"]),
            Route(thing + "/provision", a(self.provision), methods=["POST"]),
            Route(thing + "/tags", a(self.add_tags), methods=["PUT"]),
            Route(thing + "/type", a(self.thing_type), methods=["GET"]),
            Route(
                thing + "/type/{containerName}/values", a(self.container_values), methods=["GET"]
            ),
            Route(thing + "/locations", a(self.locations), methods=["GET"]),
            Route(thing + "/logs/decoded", a(self.decoded_logs), methods=["GET"]),
            Route(thing + "/logs/decoded/count", a(self.decoded_count), methods=["GET"]),
            Route(thing + "/logs/network", a(self.network_logs), methods=["GET"]),
            Route(thing + "/logs/network/count", a(self.network_count), methods=["GET"]),
            Route(thing + "/{containerFriendlyName}", a(self.delete_container), methods=["DELETE"]),
            Route("/basestations", a(self.list_stations), methods=["GET"]),
            Route("/basestations/{basestationId}", a(self.get_station), methods=["GET"]),
            Route("/basestations/{basestationId}", a(self.locate_station), methods=["PUT"]),
            Route("/deviceaddress", a(self.device_addresses), methods=["GET"]),
            Route("/deviceaddress/assign", a(self.assign_addresses), methods=["PUT"]),
            Route("/deviceaddress/reserve", a(self.reserve_addresses), methods=["GET"]),
            Route("/connectivityplans", a(self.connectivity_plans), methods=["GET"]),
            Route("/thingtypes", a(self.thing_types), methods=["GET"]),
            Route("/vendors", a(self.vendors), methods=["GET"]),
            Route("/containerdefinitions", a(self.container_definitions), methods=["GET"]),
            Route("/streamdefinitions", a(self.list_streams), methods=["GET"]),
            Route("/streamdefinitions", a(self.create_stream), methods=["POST"]),
            Route("/streamdefinitions", a(self.update_stream), methods=["PUT"]),
            Route("/streamdefinitions", a(self.delete_stream), methods=["DELETE"]),
            Route("/streamdefinitions/{streamId}", a(self.get_stream), methods=["GET"]),
            Route("/streamdefinitions/{streamId}", a(self.update_stream), methods=["PUT"]),
            Route("/streamdefinitions/{streamId}", a(self.delete_stream), methods=["DELETE"]),
            Route("/downlink", a(self.downlink), methods=["POST"]),
            Route("/downlink/template/{templateUid}", a(self.downlink_template), methods=["POST"]),
            Route("/configurationtemplates", a(self.configuration_templates), methods=["GET"]),
            Route("/businessrules", a(self.business_rules), methods=["GET"]),
            Route("/businessrulestriggered", a(self.triggered), methods=["GET"]),
            Route(
                "/businessrulestriggered/{businessRuleId}",
                a(self.triggered_by_rule),
                methods=["GET"],
            ),
            Route("/status", a(self.status), methods=["GET"]),
        ]
        return [
            Route(TOKEN_PATH, self.tokens.token_endpoint, methods=["POST"]),
            Route(REVOKE_PATH, self.tokens.revoke_endpoint, methods=["POST"]),
            Mount(BASE, app=Router(api)),
        ]
