"""The ThingPark HTTP surface: OSS `wireless/rest` routes, DX Core routes and the Keycloak token route.

Choices where the vendor page is silent:
- a subscription segment may be `mine` or this subscriber's id (199983788), as in the hrefs; any
  other id is 403; a device path accepts `e{EUI}` or the numeric `ref` of its href;
- device lists: `sort` may only be `EUI,asc` (any other is 400; `pageAfter` without it is 400),
  `pageSize` (1..1000) overrides the default page size, `name` filters by a case-insensitive
  "contains" and `connectivity` by LORAWAN/CELLULAR; `count` is the number of matching devices on
  the first page and null after (with a `name` filter that count is a scan of the fleet, about
  1.5 s a million devices, cached until the fleet changes); an empty page has `cursors.last: null`;
- scans (name filters, alarm filters and their counts) run in slices that give the event loop back
  (`tui/sim/slices.py`), so a slow one never holds up another request, and stop when their client
  disconnects; the only other bound on a request's work is the vendor's own, `pageSize`;
- the catalogues (`deviceProfiles`, `networkSubscriptions`, `cellularNetworkContexts`,
  `appServers`) page like the device list, by `ID`: `sort` may only be `ID,asc`, `pageAfter` needs
  it, `pageSize` 1..1000, `more`, `count` on the first page only (null after) and `cursors.last`;
  `connectivity` still filters device profiles and plans. The page examples show `"more": false`
  on short lists, which is what a one-page catalogue answers;
- the default page size is one for every cursor-paged list, devices, alarms and catalogues alike:
  `SimConfig.page_size`, 100 unless set, because the vendor's own device and alarm pages hold 100
  briefs (its second device page starts at "My device 101"); the demo's 500 device profiles
  therefore take five pages, the other catalogues one;
- cursors are standard base64 of compact JSON (`{"EUI":"…"}`, `{"alarmUid":"…"}`, `{"ID":"…"}`),
  as the page's examples decode; anything else is 400 (40003);
- alarm lists: `sort=alarmUid,asc` (oldest first, the default) or `alarmUid,desc` (newest first),
  filters `deviceEUI` (16 hex) and `acked` (true/false);
- POST devices: a body with `nwAddress` and no `activation` is a multicast group (as the page's
  example); `connectivity` defaults to LORAWAN; OTAA needs `appKey`, ABP needs `nwAddress`, `nwKey`
  and `appKeys`; `appEUI` is optional (derived from the EUI when absent); a cellular body must not
  carry an EUI (the platform assigns F03D29…), needs `sim.ID` (ICCID of 19-20 digits or a 32-digit
  eID) and an existing `networkContext`; an absent connectivity plan leaves it SUSPENDED; an
  `enforcedIMEI` must be 15 digits with a valid Luhn digit; a duplicate EUI is 409;
- PUT devices is a partial update (name, appServers, model, networkSubscription, networkContext,
  appKey, enforcedIMEI); changing EUI/connectivity/activation is 400; a stale `occContext.version`
  is 409 (optimistic concurrency, which is what occContext is for); answers 200 + the device; a
  PUT that changes no stored field (the write-only appKey included: the platform keeps it in its
  key store, the simulator in a private field) stores nothing and keeps `occContext` as it is,
  as an optimistic-locking store bumps the version of a changed record only;
- downlink: `payload` even-length hex of 1..242 bytes, `fPort` 1..223, `confirmed` and
  `flushDownlinkQueue` `true`/`false`; not for cellular devices (400); answers 200 with the queued
  downlink;
- POST appServers answers with the key hidden (`downlinkSecurity` without `downlinkAsKey`);
  `contentType` is jsontyped (default), json or xml; `strategy` SEQUENTIAL (default) or BLAST;
- DX Core: `GET /connections` is a plain JSON array; connector ids actility-mqtt-iot (its
  configuration is validated), actility-aws-iot and actility-azure-iot; the password is never
  echoed; `GET`/`DELETE /connections/{id}` exist;
- `POST /deviceAlarms/{ref}/acks` (ref = the alarmUid) acknowledges: 201 Created with the ack
  (`alarmUid`, `acked`, `ackUser`, `ackDate`). An alarm keeps one acknowledgement, so a second
  POST creates nothing: it answers 200 with the ack already there (the first one's user and date
  kept), idempotent rather than a 409, so that a client retrying an ack whose answer it lost
  reaches the state it asked for; an unknown alarm, or one whose device is gone, is 404;
- operation counters (`tui/sim/ops.py`): `create` (a device or multicast group, key = its EUI;
  a DX connection, key = its id), `update` (a PUT that changed a stored field, key = EUI),
  `delete` (key = EUI), `downlink` (every downlink queued, key = EUI) and `ack` (an alarm that
  became acknowledged, key = its alarmUid); errors and no-ops count nothing.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import copy
import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router

from tui.sim.config import SimConfig
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_SUBSCRIBER_ID
from tui.sim.ops import OpCounter
from tui.sim.slices import ClientGone, drive
from tui.sim.thingpark import traffic
from tui.sim.thingpark.auth import TOKEN_PATH, TokenStore
from tui.sim.thingpark.catalog import (
    NETWORK_CONTEXTS,
    NETWORK_CONTEXTS_BY_ID,
    NETWORK_SUBSCRIPTIONS,
    NETWORK_SUBSCRIPTIONS_BY_ID,
    OSS_BASE,
    SUB_HREF,
    app_server_id,
    device_profiles,
    iot_flow_app_server,
    public,
    seed_app_servers,
    seed_connections,
)
from tui.sim.thingpark.data import (
    DEFAULT_DEVICES,
    Alarms,
    Fleet,
    eui_str,
    luhn_digit,
    mix,
    render_brief,
    render_device,
)
from tui.sim.thingpark.errors import (
    CONFLICT,
    INVALID_CURSOR,
    MALFORMED_BODY,
    STALE_VERSION,
    ThingParkError,
    bad_request,
    error_response,
    not_found,
)

DX_BASE = "/thingpark/dx/core/latest/api"
FORBIDDEN = 40301

_HEX = re.compile(r"^[0-9A-Fa-f]*$")
_EUI = re.compile(r"[0-9A-Fa-f]{16}")
_ALARM_UID = re.compile(r"[0-9A-Fa-f]{24}")
#: Catalogue IDs (`SMTC/LoRaMoteA.1_EU`, `TWA_199983788.1972.AS`, `1AF3B`): printable, at most 255.
_CATALOGUE_ID = re.compile(r"[^\x00-\x1f]{1,255}")
_APPSKEY = re.compile(r"<AppSKey\s+Port=\"[^\"]*\"\s*>([0-9A-Fa-f]{32})</AppSKey>")
_HOSTPORT = re.compile(r"^[A-Za-z0-9.-]+(?::(\d{1,5}))?$")

Handler = Callable[[Request], Awaitable[Response]]


def wall_ms() -> int:
    """Epoch milliseconds of the wall clock."""
    return int(time.time() * 1000)


def _hex(value: Any, length: int, field: str) -> str:
    if not isinstance(value, str) or len(value) != length or not _HEX.match(value):
        raise bad_request(f"Invalid {field}: must be {length} hexadecimal characters")
    return value.upper()


def encode_cursor(key: str, value: str) -> str:
    """An opaque cursor as the platform builds it: base64 of `{"<key>":"<value>"}`."""
    return base64.b64encode(json.dumps({key: value}, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, key: str, pattern: re.Pattern[str]) -> str:
    """The sort key inside a cursor; 400 for anything that is not one of ours."""
    try:
        data = json.loads(base64.b64decode(cursor, validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad_request("Invalid pageAfter cursor", INVALID_CURSOR) from None
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise bad_request("Invalid pageAfter cursor", INVALID_CURSOR)
    return value


def page_body(
    briefs: list[dict[str, Any]], more: bool, count: int | None, key: str, **extra: Any
) -> JSONResponse:
    """A cursor-paged list answer: briefs, more, count (first page only), cursors.last."""
    last = encode_cursor(key, briefs[-1][key]) if briefs else None
    return JSONResponse(
        {"briefs": briefs, "more": more, **extra, "count": count, "cursors": {"last": last}}
    )


def _connectivity_param(request: Request) -> str | None:
    value = request.query_params.get("connectivity")
    if value is not None and value not in ("LORAWAN", "CELLULAR"):
        raise bad_request("Invalid connectivity: LORAWAN or CELLULAR")
    return value


def _bool_param(request: Request, name: str) -> bool | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise bad_request(f"Invalid {name}: must be true or false")
    return value.lower() == "true"


def _int_param(request: Request, name: str, lo: int, hi: int, default: int | None) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        raise bad_request(f"Invalid {name}: '{value}' is not an integer") from None
    if not lo <= n <= hi:
        raise bad_request(f"Invalid {name}: must be between {lo} and {hi}")
    return n


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Malformed JSON body", MALFORMED_BODY) from None
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object", MALFORMED_BODY)
    return body


def _ref_id(value: Any, field: str) -> str:
    """The `ID` of a `{"ID": …}` reference."""
    if not isinstance(value, dict) or not isinstance(value.get("ID"), str) or not value["ID"]:
        raise bad_request(f"Invalid {field}: an object with an ID is required")
    return value["ID"]


def _name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"Missing {field}")
    if len(value) > 255:
        raise bad_request(f"Invalid {field}: at most 255 characters")
    return value


class ThingParkApi:
    """The state of one simulated ThingPark subscriber and its request handlers."""

    def now_ms(self) -> int:
        """The platform's `now` in epoch ms: the wall clock, unless the config freezes it."""
        frozen = self.config.frozen_at_ms
        return wall_ms() if frozen is None else frozen

    def __init__(self, config: SimConfig, ops: OpCounter) -> None:
        self.config = config
        self.ops = ops
        self.tokens = TokenStore(config.token_ttl)
        self.profiles = device_profiles(config.seed)
        self.profiles_by_id = {m["ID"]: m for m in self.profiles}
        self.fleet = Fleet(
            config.seed,
            config.fleet_size(DEFAULT_DEVICES),
            seed_app_servers(seed_connections()),
        )
        self.alarms = Alarms(
            self.fleet, config.seed, config.alarms if self.fleet.size else 0, self.now_ms()
        )
        self.connections = seed_connections()
        self._next_as_ref = max(s["_ref"] for s in self.fleet.app_servers)
        self._next_connection = 1114

    # -- plumbing ------------------------------------------------------------------------------

    def _api(self, handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                self.tokens.check(request)
                sub = request.path_params.get("sub")
                if sub is not None and sub not in ("mine", THINGPARK_SUBSCRIBER_ID):
                    raise ThingParkError(403, FORBIDDEN, f"Access denied to subscription {sub}")
                return await handler(request)
            except ThingParkError as exc:
                return exc.response()
            except ClientGone:
                return Response(status_code=499)  # nobody reads it: the client has gone

        return endpoint

    def _device_eui(self, request: Request) -> int:
        """The EUI named by `{dev}` (`e{EUI}` or a numeric ref); 404 if there is no such device."""
        dev = request.path_params["dev"]
        eui: int | None = None
        if len(dev) == 17 and dev[0] in "eE" and _HEX.match(dev[1:]):
            eui = int(dev[1:], 16)
        elif dev.isdigit():
            eui = self.fleet.eui_of_ref(int(dev))
        if eui is None or self.fleet.get(eui) is None:
            raise not_found(f"Device {dev} not found")
        return eui

    def _app_servers_ref(self, value: Any) -> list[dict[str, str]]:
        if not isinstance(value, list) or not value:
            raise bad_request("Missing appServers: at least one connection is required")
        out = []
        for item in value:
            as_id = _ref_id(item, "appServers")
            server = self.fleet.app_server_by_id(as_id)
            if server is None:
                raise bad_request(f"Unknown appServer {as_id}")
            out.append({"ID": server["ID"], "name": server["name"]})
        return out

    def _model_ref(self, value: Any, connectivity: str) -> dict[str, Any]:
        model_id = _ref_id(value, "model")
        model = self.profiles_by_id.get(model_id)
        if model is None or model["connectivity"] != connectivity:
            raise bad_request(f"Unknown {connectivity} device model {model_id}")
        return {
            "ID": model["ID"],
            "commercialName": model["commercialName"],
            "logo": model["_logo"],
        }

    def _plan_ref(self, value: Any, connectivity: str, multicast: bool = False) -> dict[str, Any]:
        plan_id = _ref_id(value, "networkSubscription")
        plan = NETWORK_SUBSCRIPTIONS_BY_ID.get(plan_id)
        kind = "MULTICAST" if multicast else "UNICAST"
        if (
            plan is None
            or plan["connectivity"] != connectivity
            or plan["communicationType"] != kind
        ):
            raise bad_request(f"Unknown {connectivity} connectivity plan {plan_id}")
        return {"ID": plan["ID"], "commercialName": plan["commercialName"]}

    def _paging(
        self, request: Request, key: str, pattern: re.Pattern[str]
    ) -> tuple[str | None, int]:
        """The cursor's sort key (None on the first page) and the page size of a list sorted by
        `key` ascending: `sort` may only be `{key},asc`, and `pageAfter` needs it."""
        q = request.query_params
        sort = q.get("sort")
        if sort is not None and sort.replace(" ", "") != f"{key},asc":
            raise bad_request(f"Unsupported sort '{sort}': cursor paging needs sort={key},asc")
        cursor = q.get("pageAfter")
        after = None
        if cursor is not None:
            if sort is None:
                raise bad_request(f"pageAfter requires sort={key},asc", INVALID_CURSOR)
            after = decode_cursor(cursor, key, pattern)
        size = _int_param(request, "pageSize", 1, 1000, self.config.page_size)
        assert size is not None
        return after, size

    def _catalogue(self, request: Request, rows: list[dict[str, Any]]) -> Response:
        """One page of a catalogue in `ID` order, with the cursor scheme of the device list."""
        after, size = self._paging(request, "ID", _CATALOGUE_ID)
        ordered = sorted(rows, key=lambda row: row["ID"])
        start = 0 if after is None else bisect.bisect_right([r["ID"] for r in ordered], after)
        briefs = [public(row) for row in ordered[start : start + size]]
        count = len(ordered) if after is None else None
        return page_body(briefs, start + size < len(ordered), count, "ID")

    # -- devices -------------------------------------------------------------------------------

    async def list_devices(self, request: Request) -> Response:
        cursor, size = self._paging(request, "EUI", _EUI)
        after = None if cursor is None else int(cursor, 16)
        connectivity = _connectivity_param(request)
        needle = (request.query_params.get("name") or "").strip().lower() or None
        now = self.now_ms()
        fleet = self.fleet.snapshot()
        found, more = await drive(fleet.page(after, connectivity, needle, size), request)
        briefs = [render_brief(fleet.record(eui, index), now) for eui, index in found]
        count = (
            await drive(fleet.count_matching(connectivity, needle), request)
            if after is None
            else None
        )
        return page_body(briefs, more, count, "EUI", now=now)

    async def create_device(self, request: Request) -> Response:
        body = await _json_object(request)
        mode = request.query_params.get("networkSubscriptionsHandlingMode")
        if mode is not None and mode not in ("BASIC", "ADVANCED"):
            raise bad_request("Invalid networkSubscriptionsHandlingMode: BASIC or ADVANCED")
        now = self.now_ms()
        name = _name(body.get("name"))
        connectivity = body.get("connectivity", "LORAWAN")
        if connectivity not in ("LORAWAN", "CELLULAR"):
            raise bad_request("Invalid connectivity: LORAWAN or CELLULAR")
        rec: dict[str, Any] = {
            "occContext": {"version": 0, "lastUpdate": now, "who": THINGPARK_CLIENT_ID},
            "name": name,
            "connectivity": connectivity,
        }
        if connectivity == "CELLULAR":
            eui = self._cellular(body, rec)
        elif "activation" not in body and "nwAddress" in body:
            eui = self._multicast(body, rec)
        else:
            eui = self._lorawan(body, rec)
        rec["EUI"] = eui_str(eui)
        rec["ref"] = self.fleet.new_ref()
        rec["creationDate"] = now
        rec.setdefault("state", "ACTIVE")
        self.fleet.put(eui, rec)
        self.ops.count(rec["EUI"], "create")
        location = f"{SUB_HREF}/devices/{rec['ref']}"
        return JSONResponse(
            render_device(rec, now), status_code=201, headers={"Location": location}
        )

    def _check_new_eui(self, body: dict[str, Any]) -> int:
        if "EUI" not in body:
            raise bad_request("Missing EUI")
        eui = int(_hex(body["EUI"], 16, "EUI"), 16)
        if self.fleet.get(eui) is not None:
            raise ThingParkError(409, CONFLICT, f"A device with EUI {eui_str(eui)} already exists")
        return eui

    def _lorawan(self, body: dict[str, Any], rec: dict[str, Any]) -> int:
        activation = body.get("activation")
        if activation not in ("OTAA", "ABP"):
            raise bad_request("Invalid activation: OTAA or ABP")
        # Validate in the order a form shows the fields; the duplicate check comes last.
        eui_text = _hex(body.get("EUI"), 16, "EUI") if "EUI" in body else None
        if eui_text is None:
            raise bad_request("Missing EUI")
        if activation == "OTAA":
            if "appKey" not in body:
                raise bad_request("Missing appKey: required for OTAA activation")
            rec["_appKey"] = _hex(body["appKey"], 32, "appKey")
            app_eui = body.get("appEUI")
            rec["appEUI"] = (
                _hex(app_eui, 16, "appEUI")
                if app_eui is not None
                else f"{mix(int(eui_text, 16)):016X}"
            )
        else:
            for field, length in (("nwAddress", 8), ("nwKey", 32)):
                if field not in body:
                    raise bad_request(f"Missing {field}: required for ABP activation")
                _hex(body[field], length, field)
            rec["nwAddress"] = body["nwAddress"].upper()
            self._app_keys(body)
        rec["activation"] = activation
        rec["model"] = self._model_ref(body.get("model"), "LORAWAN")
        rec["appServers"] = self._app_servers_ref(body.get("appServers"))
        plan = body.get("networkSubscription") or {}
        if not isinstance(plan, dict):
            raise bad_request("Invalid networkSubscription")
        ref = (
            self._plan_ref(plan, "LORAWAN")
            if "ID" in plan
            else self._plan_ref({"ID": "actility-cs/lorawan-cp"}, "LORAWAN")
        )
        ref["nwGeolocalization"] = bool(plan.get("nwGeolocalization", False))
        ref["prAllowed"] = bool(plan.get("prAllowed", False))
        rec["networkSubscription"] = ref
        rec["ismBand"] = body.get("ismBand", "eu868")
        rec["rfRegion"] = {"ID": "EU868", "name": "EU 863-870MHz"}
        rec["communicationType"] = "UNICAST"
        return self._check_new_eui(body)

    def _app_keys(self, body: dict[str, Any]) -> None:
        keys = body.get("appKeys")
        if not isinstance(keys, str) or not _APPSKEY.search(keys):
            raise bad_request(
                'Invalid appKeys: expected <AppSKeys><AppSKey Port="*">32 hex</AppSKey></AppSKeys>'
            )

    def _multicast(self, body: dict[str, Any], rec: dict[str, Any]) -> int:
        _hex(body.get("EUI"), 16, "EUI")
        rec["nwAddress"] = _hex(body.get("nwAddress"), 8, "nwAddress")
        _hex(body.get("nwKey"), 32, "nwKey")
        self._app_keys(body)
        klass = body.get("class")
        if klass not in ("B", "C"):
            raise bad_request("Invalid class: a multicast group is class B or C")
        rate = body.get("downlinkDataRate")
        if rate is not None and (not isinstance(rate, int) or not 0 <= rate <= 15):
            raise bad_request("Invalid downlinkDataRate: an integer from 0 to 15")
        freq = body.get("downlinkFrequency")
        if freq is not None and (not isinstance(freq, int | float) or not 100 <= freq <= 1100):
            raise bad_request("Invalid downlinkFrequency: in MHz")
        rec |= {
            "activation": "ABP",
            "class": klass,
            "downlinkDataRate": rate,
            "downlinkFrequency": freq,
            "bss": body.get("bss", {"tags": []}),
            "communicationType": "MULTICAST",
            "networkSubscription": self._plan_ref(
                body.get("networkSubscription") or {"ID": "actility-cs/lorawan-mc-cp"},
                "LORAWAN",
                multicast=True,
            ),
        }
        rec["appServers"] = self._app_servers_ref(body.get("appServers"))
        return self._check_new_eui(body)

    def _cellular(self, body: dict[str, Any], rec: dict[str, Any]) -> int:
        if "EUI" in body:
            raise bad_request(
                "EUI must not be set: the platform assigns the EUI of a cellular device"
            )
        if "activation" in body:
            raise bad_request("activation does not apply to a cellular device")
        rec["model"] = self._model_ref(body.get("model"), "CELLULAR")
        sim = body.get("sim")
        sim_id = _ref_id(sim, "sim")
        if not (re.fullmatch(r"\d{18,19}[\dF]", sim_id) or re.fullmatch(r"\d{32}", sim_id)):
            raise bad_request("Invalid sim.ID: an ICCID (19-20 digits) or an eID (32 digits)")
        rec["sim"] = {"ID": sim_id, "type": "SINGLE_IMSI"}
        imei = body.get("enforcedIMEI")
        if imei is not None:
            if not isinstance(imei, str) or not re.fullmatch(r"\d{15}", imei):
                raise bad_request("Invalid enforcedIMEI: 15 digits")
            if luhn_digit(imei[:14]) != int(imei[14]):
                raise bad_request("Invalid enforcedIMEI: wrong check digit")
            rec["enforcedIMEI"] = imei
        if body.get("networkSubscription") is None:
            rec["state"] = "SUSPENDED"  # the page: no connectivity plan, the device is suspended
        else:
            rec["networkSubscription"] = self._plan_ref(body["networkSubscription"], "CELLULAR")
        ctx_id = _ref_id(body.get("networkContext"), "networkContext")
        if ctx_id not in NETWORK_CONTEXTS_BY_ID:
            raise bad_request(f"Unknown cellular network context {ctx_id}")
        rec["networkContext"] = {"ID": ctx_id}
        rec["appServers"] = self._app_servers_ref(body.get("appServers"))
        rec["communicationType"] = "UNICAST"
        return self.fleet.next_cellular_eui()

    async def get_device(self, request: Request) -> Response:
        rec = self.fleet.get(self._device_eui(request))
        assert rec is not None
        return JSONResponse(render_device(rec, self.now_ms()))

    async def update_device(self, request: Request) -> Response:
        eui = self._device_eui(request)
        body = await _json_object(request)
        old = self.fleet.get(eui)
        assert old is not None
        rec = copy.deepcopy(old)
        for field in ("EUI", "connectivity", "activation", "ref"):
            if field in body and str(body[field]).upper() != str(rec.get(field)).upper():
                raise bad_request(f"{field} cannot be changed")
        occ = body.get("occContext")
        if (
            isinstance(occ, dict)
            and "version" in occ
            and occ["version"] != rec["occContext"]["version"]
        ):
            raise ThingParkError(
                409, STALE_VERSION, "The device was modified by someone else (stale occContext)"
            )
        if "name" in body:
            rec["name"] = _name(body["name"])
        if "appServers" in body:
            rec["appServers"] = self._app_servers_ref(body["appServers"])
        if "model" in body:
            rec["model"] = self._model_ref(body["model"], rec["connectivity"])
        if "networkSubscription" in body:
            multicast = rec.get("communicationType") == "MULTICAST"
            ref = self._plan_ref(body["networkSubscription"], rec["connectivity"], multicast)
            if rec["connectivity"] == "LORAWAN" and not multicast:
                for flag in ("nwGeolocalization", "prAllowed"):
                    ref[flag] = bool(body["networkSubscription"].get(flag, False))
            rec["networkSubscription"] = ref
            if rec.get("state") == "SUSPENDED":
                rec["state"] = "ACTIVE"
        if "networkContext" in body and rec["connectivity"] == "CELLULAR":
            ctx_id = _ref_id(body["networkContext"], "networkContext")
            if ctx_id not in NETWORK_CONTEXTS_BY_ID:
                raise bad_request(f"Unknown cellular network context {ctx_id}")
            rec["networkContext"] = {"ID": ctx_id}
        if "appKey" in body:
            if rec.get("activation") != "OTAA":
                raise bad_request("appKey applies to OTAA devices only")
            rec["_appKey"] = _hex(body["appKey"], 32, "appKey")
        if "enforcedIMEI" in body and rec["connectivity"] == "CELLULAR":
            imei = body["enforcedIMEI"]
            if not isinstance(imei, str) or not re.fullmatch(r"\d{15}", imei):
                raise bad_request("Invalid enforcedIMEI: 15 digits")
            if luhn_digit(imei[:14]) != int(imei[14]):
                raise bad_request("Invalid enforcedIMEI: wrong check digit")
            rec["enforcedIMEI"] = imei
        now = self.now_ms()
        if rec == old:  # nothing changed: no new version, nothing stored
            return JSONResponse(render_device(old, now))
        rec["occContext"] = {
            "version": rec["occContext"]["version"] + 1,
            "lastUpdate": now,
            "who": THINGPARK_CLIENT_ID,
        }
        self.fleet.put(eui, rec)
        self.ops.count(rec["EUI"], "update")
        return JSONResponse(render_device(rec, now))

    async def delete_device(self, request: Request) -> Response:
        eui = self._device_eui(request)
        self.fleet.delete(eui)
        self.ops.count(eui_str(eui), "delete")
        return Response(status_code=204)

    async def frames_aggregated(self, request: Request) -> Response:
        rec = self.fleet.get(self._device_eui(request))
        assert rec is not None
        q = request.query_params
        duration = traffic.parse_duration(q.get("duration", "P7D"), "duration")
        step = traffic.parse_duration(q.get("step", "P1D"), "step")
        tz = traffic.parse_timezone(q.get("timezone", "UTC"))
        now = self.now_ms()
        starts = traffic.bucket_starts(traffic.now_dt(now), duration, step, tz)
        return JSONResponse({"now": now, "briefs": traffic.aggregated(rec, starts, step, now)})

    async def downlink(self, request: Request) -> Response:
        eui = self._device_eui(request)
        rec = self.fleet.get(eui)
        assert rec is not None
        payload = request.query_params.get("payload")
        if not payload:
            raise bad_request("Missing payload")
        if not _HEX.match(payload) or len(payload) % 2:
            raise bad_request("Invalid payload: an even number of hexadecimal characters")
        if len(payload) > 2 * 242:
            raise bad_request("Invalid payload: at most 242 bytes")
        if request.query_params.get("fPort") is None:
            raise bad_request("Missing fPort")
        fport = _int_param(request, "fPort", 1, 223, None)
        confirmed = _bool_param(request, "confirmed") or False
        flush = _bool_param(request, "flushDownlinkQueue") or False
        if rec["connectivity"] != "LORAWAN":
            raise bad_request("Downlinks by fPort apply to LoRaWAN devices only")
        self.ops.count(rec["EUI"], "downlink")
        return JSONResponse(
            {
                "now": self.now_ms(),
                "EUI": rec["EUI"],
                "payload": payload.upper(),
                "fPort": fport,
                "confirmed": confirmed,
                "flushDownlinkQueue": flush,
                "status": "QUEUED",
            }
        )

    # -- alarms --------------------------------------------------------------------------------

    async def list_alarms(self, request: Request) -> Response:
        q = request.query_params
        sort = (q.get("sort") or "alarmUid,asc").replace(" ", "")
        if sort not in ("alarmUid,asc", "alarmUid,desc"):
            raise bad_request(f"Unsupported sort '{sort}': alarmUid,asc or alarmUid,desc")
        desc = sort.endswith("desc")
        cursor = q.get("pageAfter")
        if cursor is not None and q.get("sort") is None:
            raise bad_request("pageAfter requires sort=alarmUid,asc", INVALID_CURSOR)
        after = (
            decode_cursor(cursor, "alarmUid", _ALARM_UID).lower() if cursor is not None else None
        )
        size = _int_param(request, "pageSize", 1, 1000, self.config.page_size)
        device_eui = q.get("deviceEUI")
        if device_eui is not None:
            device_eui = _hex(device_eui, 16, "deviceEUI")
        acked = _bool_param(request, "acked")
        wanted = int(device_eui, 16) if device_eui is not None else None
        alarms = self.alarms
        n = len(alarms.items)
        if desc:
            start = n - 1 if after is None else bisect.bisect_left(alarms.uids, after) - 1
            order = range(start, -1, -1)
        else:
            start = 0 if after is None else bisect.bisect_right(alarms.uids, after)
            order = range(start, n)
        found, more = await drive(alarms.select(order, wanted, acked, size), request)
        briefs = [alarms.render(alarm, device) for alarm, device in found]
        count = await drive(alarms.count(wanted, acked), request) if after is None else None
        return page_body(briefs, more, count, "alarmUid", now=self.now_ms())

    async def ack_alarm(self, request: Request) -> Response:
        ref = request.path_params["ref"]
        alarm = self.alarms.find(ref.lower())
        if alarm is None:
            raise not_found(f"Device alarm {ref} not found")
        # The request body (an optional comment) is accepted but not required.
        created = self.alarms.acknowledge(alarm, self.now_ms())
        if created:
            self.ops.count(alarm.uid, "ack")
        assert alarm.ack is not None
        return JSONResponse(
            {
                "alarmUid": alarm.uid,
                "acked": True,
                "ackUser": alarm.ack[0],
                "ackDate": alarm.ack[1],
            },
            status_code=201 if created else 200,
        )

    # -- app servers and catalogues ------------------------------------------------------------

    def _new_app_server_ref(self) -> int:
        self._next_as_ref += 1
        return self._next_as_ref

    async def list_app_servers(self, request: Request) -> Response:
        return self._catalogue(request, self.fleet.app_servers)

    async def get_app_server(self, request: Request) -> Response:
        ref = request.path_params["ref"]
        server = (
            self.fleet.app_server_by_ref(int(ref))
            if ref.isdigit()
            else self.fleet.app_server_by_id(ref)
        )
        if server is None:
            raise not_found(f"AppServer {ref} not found")
        return JSONResponse(public(server))

    async def create_app_server(self, request: Request) -> Response:
        body = await _json_object(request)
        name = _name(body.get("name"))
        content_type = body.get("contentType", "jsontyped")
        if content_type not in ("jsontyped", "json", "xml"):
            raise bad_request("Invalid contentType: jsontyped, json or xml")
        destinations = body.get("destinations")
        if not isinstance(destinations, list) or not destinations:
            raise bad_request("Missing destinations: at least one is required")
        clean_dest = []
        for dest in destinations:
            if not isinstance(dest, dict):
                raise bad_request("Invalid destinations")
            addresses = dest.get("addresses")
            if not isinstance(addresses, list) or not addresses:
                raise bad_request("Missing destinations.addresses")
            for address in addresses:
                url = urlparse(address) if isinstance(address, str) else None
                if url is None or url.scheme not in ("http", "https") or not url.netloc:
                    raise bad_request(f"Invalid destination address '{address}': an HTTP(S) URL")
            strategy = dest.get("strategy", "SEQUENTIAL")
            if strategy not in ("SEQUENTIAL", "BLAST"):
                raise bad_request("Invalid destinations.strategy: SEQUENTIAL or BLAST")
            ports = dest.get("ports", "*")
            if not isinstance(ports, str):
                raise bad_request("Invalid destinations.ports")
            clean_dest.append({"addresses": addresses, "ports": ports, "strategy": strategy})
        security: dict[str, Any] = {"status": "NONE"}
        sec = body.get("downlinkSecurity")
        if sec is not None:
            if not isinstance(sec, dict):
                raise bad_request("Invalid downlinkSecurity")
            status = sec.get("status", "DOWNLINK_AS_KEY")
            if status not in ("DOWNLINK_AS_KEY", "NONE"):
                raise bad_request("Invalid downlinkSecurity.status: DOWNLINK_AS_KEY or NONE")
            deviation = sec.get("maxTimestampDeviation", 10)
            if not isinstance(deviation, int) or deviation < 0:
                raise bad_request("Invalid downlinkSecurity.maxTimestampDeviation: seconds >= 0")
            if status == "DOWNLINK_AS_KEY":
                if "downlinkAsKey" not in sec:
                    raise bad_request("Missing downlinkSecurity.downlinkAsKey")
                _hex(sec["downlinkAsKey"], 32, "downlinkAsKey")
            security = {"status": status, "maxTimestampDeviation": deviation}
        ref = self._new_app_server_ref()
        now = self.now_ms()
        server = {
            "occContext": {"version": 0, "lastUpdate": now, "who": THINGPARK_CLIENT_ID},
            "name": name,
            "ID": app_server_id(ref),
            "href": f"{SUB_HREF}/appServers/{ref}",
            "type": "HTTP",
            "state": "ACTIVE",
            "healthState": "ACTIVE",
            "validationState": "VALIDATED",
            "contentType": content_type,
            "destinations": clean_dest,
            "downlinkSecurity": security,
            "baseStationCount": 0,
            "deviceCount": 0,
            "multicastGroupCount": 0,
            "notification": {"baseStationAlarms": False, "deviceAlarms": False},
            "_ref": ref,
        }
        self.fleet.app_servers.append(server)
        return JSONResponse(
            public(server),
            status_code=201,
            headers={"Location": f"{SUB_HREF}/appServers/{ref}"},
        )

    async def device_profiles(self, request: Request) -> Response:
        conn = _connectivity_param(request)
        rows = [m for m in self.profiles if conn is None or m["connectivity"] == conn]
        return self._catalogue(request, rows)

    async def network_subscriptions(self, request: Request) -> Response:
        conn = _connectivity_param(request)
        rows = []
        for plan in NETWORK_SUBSCRIPTIONS:
            if conn is None or plan["connectivity"] == conn:
                used = sum(
                    s.length for s in self.fleet.segments if s.connectivity == plan["connectivity"]
                )
                rows.append(plan | {"used": used if plan["communicationType"] == "UNICAST" else 0})
        return self._catalogue(request, rows)

    async def network_contexts(self, request: Request) -> Response:
        return self._catalogue(request, NETWORK_CONTEXTS)

    # -- DX Core connections -------------------------------------------------------------------

    async def list_connections(self, request: Request) -> Response:
        return JSONResponse(list(self.connections.values()))

    def _connection(self, request: Request) -> dict[str, Any]:
        conn = self.connections.get(request.path_params["id"])
        if conn is None:
            raise not_found(f"Connection {request.path_params['id']} not found")
        return conn

    async def get_connection(self, request: Request) -> Response:
        return JSONResponse(self._connection(request))

    async def delete_connection(self, request: Request) -> Response:
        conn_id = self._connection(request)["id"]
        del self.connections[conn_id]
        # Its OSS twin goes with it; devices that used it lose that connection.
        self.fleet.app_servers[:] = [
            s
            for s in self.fleet.app_servers
            if s.get("tpxIotFlow", {}).get("connectionId") != conn_id
        ]
        return Response(status_code=204)

    async def create_connection(self, request: Request) -> Response:
        body = await _json_object(request)
        connector = body.get("connectorId")
        if connector not in ("actility-mqtt-iot", "actility-aws-iot", "actility-azure-iot"):
            raise bad_request(f"Unknown connectorId '{connector}'")
        name = _name(body.get("name"))
        config = body.get("configuration")
        if not isinstance(config, dict):
            raise bad_request("Missing configuration")
        if connector == "actility-mqtt-iot":
            host = config.get("hostName")
            match = _HOSTPORT.match(host) if isinstance(host, str) else None
            if match is None or (match.group(1) and not 0 < int(match.group(1)) < 65536):
                raise bad_request("Invalid configuration.hostName: host or host:port")
            for field in ("uplinkTopicPattern", "downlinkTopicPattern"):
                value = config.get(field)
                if field == "uplinkTopicPattern" and value is None:
                    raise bad_request("Missing configuration.uplinkTopicPattern")
                if value is not None and (not isinstance(value, str) or not value.strip()):
                    raise bad_request(f"Invalid configuration.{field}")
            if config.get("protocol", "SSL") not in ("TCP", "SSL", "WS", "WSS"):
                raise bad_request("Invalid configuration.protocol: TCP, SSL, WS or WSS")
            if "password" in config and "username" not in config:
                raise bad_request("configuration.password needs configuration.username")
        conn_id = str(self._next_connection)
        self._next_connection += 1
        conn = {
            "id": conn_id,
            "connectorId": connector,
            "name": name,
            "state": "OPENED",
            "configuration": {k: v for k, v in config.items() if k != "password"},
        }
        self.connections[conn_id] = conn
        self.fleet.app_servers.append(iot_flow_app_server(self._new_app_server_ref(), conn))
        self.ops.count(conn_id, "create")
        return JSONResponse(conn, status_code=201, headers={"Location": f"/connections/{conn_id}"})

    # -- routing -------------------------------------------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """The token route and the OSS and DX Core mounts."""
        a = self._api
        sub = "/subscriptions/{sub}"
        dev = sub + "/devices/{dev}"
        oss = [
            Route(sub + "/devices", a(self.list_devices), methods=["GET"]),
            Route(sub + "/devices", a(self.create_device), methods=["POST"]),
            Route(sub + "/devices/alarms", a(self.list_alarms), methods=["GET"]),
            Route(dev, a(self.get_device), methods=["GET"]),
            Route(dev, a(self.update_device), methods=["PUT"]),
            Route(dev, a(self.delete_device), methods=["DELETE"]),
            Route(dev + "/frames/aggregated", a(self.frames_aggregated), methods=["GET"]),
            Route(dev + "/admins/downlink", a(self.downlink), methods=["POST"]),
            Route(sub + "/appServers", a(self.list_app_servers), methods=["GET"]),
            Route(sub + "/appServers", a(self.create_app_server), methods=["POST"]),
            Route(sub + "/appServers/{ref}", a(self.get_app_server), methods=["GET"]),
            Route(sub + "/deviceProfiles", a(self.device_profiles), methods=["GET"]),
            Route(sub + "/networkSubscriptions", a(self.network_subscriptions), methods=["GET"]),
            Route(sub + "/cellularNetworkContexts", a(self.network_contexts), methods=["GET"]),
        ]
        dx = [
            Route("/connections", a(self.list_connections), methods=["GET"]),
            Route("/connections", a(self.create_connection), methods=["POST"]),
            Route("/connections/{id}", a(self.get_connection), methods=["GET"]),
            Route("/connections/{id}", a(self.delete_connection), methods=["DELETE"]),
            Route("/deviceAlarms/{ref}/acks", a(self.ack_alarm), methods=["POST"]),
        ]
        return [
            Route(TOKEN_PATH, self.tokens.token_endpoint, methods=["POST"]),
            Mount(OSS_BASE, app=Router(oss, default=_not_found)),
            Mount(DX_BASE, app=Router(dx, default=_not_found)),
        ]


async def _not_found(scope: Any, receive: Any, send: Any) -> None:
    """Unknown paths under a ThingPark base answer the vendor's 404 body."""
    await error_response(404, 40401, f"Resource not found: {scope.get('path', '')}")(
        scope, receive, send
    )
