"""One handler per TR50 command, over the demo organisation's state (`Portal`).

A handler takes the command's `params` and the caller's session and answers the reply's
`params` (None for commands that answer only `{"success": true}`), or raises `Tr50Error`.

Choices where Telit's pages are silent:
- lists (`thing.list`, `thing_def.list`, `app.list`, `cdp.connection.search`) take `offset`
  (default 0) and `limit` (1 to 2000, default 100; more is -90004, not clipped) and answer
  `{"result": [...]}`, plus `"count"` (every match, not only the page) when `showCount` is
  true; `sort` is a field name with `+` (ascending, the default) or `-` (descending), e.g.
  `+name`, `-createdOn`; unsorted lists are in creation order (generated things in key order);
- `thing.list` `tags` keeps things that carry every tag given, `keys` only those keys, and
  `iccid`, `imei`, `esn`, `meid`, `imsi` (the identifiers `thing.create` takes) only the things
  whose identifier is that value exactly (case aside): the pages name no search on a thing's
  identifiers, and the portal's thing list does find a thing by them;
- `session.info` answers who the session is: `username` (a user) or `appId` and `thingKey`
  (an application), `orgKey` and `orgName`, and the session's `expires` (epoch seconds); never
  the session id itself (the pages name the command, not its answer);
  `cdp.connection.search` filters exactly on `carrier`, `status`, `ratePlan`, `iccid`, and
  `hasThing` true/false;
- `thing.create` needs `key`, `name` and `defKey` or `defId`; each identifier given is checked
  (validation.py); a key taken is -90006. A thing's identifiers need not be unique. When its
  ICCID is a connection's, the connection becomes the thing's ("creating a thing from a
  connection": `thing.create` with the connection's ICCID; a connection that already belongs
  to a thing is -90006). `thing.update` changes the fields given (`tags` replaces the list,
  `attrs` sets the given attributes); `thing.delete` also frees the thing's connections;
- `thing_def.delete` of a definition that things or an application's auto-registration use is
  -90007;
- `app.create` answers `{id, token}` (a random 32-hex token unless one is given);
  `app.list` and `app.find` answer the token too, as the portal shows it to administrators;
- the CDP: one connectivity data provider aggregates the three carriers; `cdp.config.find`
  answers its settings, `cdp.config.update` (the simulator's choice of name) changes
  `autoCreateThings` and `autoCreateDefKey` (the definition of the things it creates, by default
  "connection"); `cdp.connection.update` changes `status`, `ratePlan`, `desc` and links the
  connection to a thing (`thingKey`; "" unlinks); `cdp.connection.sync` (simulator-only: the
  real portal syncs with the carriers on a schedule) brings `count` (default 1, at most 100) new
  connections from the carriers and, with auto creation on, creates a thing for each (key = the
  ICCID, name "SIM <ICCID>", the connection's ICCID, IMSI and IMEI, tag "auto-created").
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tui.sim.config import SimConfig
from tui.sim.ops import OpCounter
from tui.sim.telit import data
from tui.sim.telit import validation as v
from tui.sim.telit.auth import Session, Sessions, password_ok
from tui.sim.telit.errors import (
    AUTH_FAILED,
    AUTH_MESSAGE,
    IN_USE,
    NOT_AUTHORIZED,
    PARAM_MISSING,
    UNKNOWN_COMMAND,
    Tr50Error,
    duplicate,
    invalid,
    not_found,
)

MAX_LIMIT = 2000
DEFAULT_LIMIT = 100
CDP_ID = "cdp-fleet-demo"

Handler = Callable[[dict[str, Any], Session], dict[str, Any] | None]


@dataclass(frozen=True)
class Command:
    """A TR50 command's handler, and whether a user session is required for it."""

    handler: Handler
    users_only: bool


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    """A record as answered: its private `_` fields left out."""
    return {k: val for k, val in rec.items() if not k.startswith("_")}


def _lookup(
    table: dict[str, dict[str, Any]], params: dict[str, Any], names: tuple[str, str], what: str
) -> dict[str, Any]:
    """A record chosen by one of two parameters: the first is the table's own key, the second a
    field of its records (`key` or `id` of a definition, `id` or `iccid` of a connection)."""
    name, value = v.one_of(params, names)
    if name == names[0]:
        found = table.get(value)
    else:
        found = next((r for r in table.values() if r[name] == value), None)
    if found is None:
        raise not_found(what)
    return found


def _page(params: dict[str, Any], rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """`offset`/`limit`/`sort`/`showCount` over an iterable of records."""
    offset = v.integer(params, "offset", 0, 0, 2**31 - 1)
    limit = v.integer(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    show_count = v.boolean(params, "showCount")
    sort = v.string(params, "sort")
    if sort is not None:
        desc = sort.startswith("-")
        field = sort.lstrip("+-")
        if not field:
            raise invalid("sort", "name a field, e.g. +name")
        ordered = sorted(rows, key=lambda r: str(r.get(field) or ""), reverse=desc)
        rows = ordered
    result: list[dict[str, Any]] = []
    count = 0
    for rec in rows:
        if offset <= count < offset + limit:
            result.append(_public(rec))
        count += 1
        if count >= offset + limit and not show_count:
            break
    answer: dict[str, Any] = {"result": result}
    if show_count:
        answer["count"] = count
    return answer


class Portal:
    """The simulated organisation and its command handlers."""

    def __init__(self, config: SimConfig, ops: OpCounter) -> None:
        self.config = config
        self.ops = ops
        self.sessions = Sessions(config.telit_session_ttl)
        self.defs = data.thing_defs(config.seed)
        self.things = data.Things(config.seed, config.fleet_size(data.DEFAULT_THINGS), self.defs)
        self.apps = data.applications(config.seed, self.defs)
        self.connections = data.connections(config.seed, self.things, data.DEFAULT_CONNECTIONS)
        self._next_connection = data.DEFAULT_CONNECTIONS
        self._next_def = len(self.defs)
        self._next_app = len(self.apps)
        self._tokens = random.Random()
        self.cdp: dict[str, Any] = {
            "id": CDP_ID,
            "name": "Fleet demo connectivity",
            "carriers": [c[0] for c in data.CARRIERS],
            "autoCreateThings": False,
            "autoCreateDefKey": "connection",
        }
        self.commands: dict[str, Command] = {
            "thing_def.list": Command(self.thing_def_list, False),
            "thing_def.find": Command(self.thing_def_find, False),
            "thing_def.create": Command(self.thing_def_create, True),
            "thing_def.update": Command(self.thing_def_update, True),
            "thing_def.delete": Command(self.thing_def_delete, True),
            "session.info": Command(self.session_info, False),
            "thing.list": Command(self.thing_list, False),
            "thing.find": Command(self.thing_find, False),
            "thing.create": Command(self.thing_create, True),
            "thing.update": Command(self.thing_update, False),
            "thing.delete": Command(self.thing_delete, True),
            "app.list": Command(self.app_list, True),
            "app.find": Command(self.app_find, True),
            "app.create": Command(self.app_create, True),
            "cdp.connection.search": Command(self.connection_search, True),
            "cdp.connection.find": Command(self.connection_find, True),
            "cdp.connection.update": Command(self.connection_update, True),
            "cdp.connection.sync": Command(self.connection_sync, True),
            "cdp.config.find": Command(self.config_find, True),
            "cdp.config.update": Command(self.config_update, True),
        }

    def now(self) -> str:
        """The platform's now, as TR50 writes times."""
        frozen = self.config.frozen_at_ms
        return data.iso(int(time.time() * 1000) if frozen is None else frozen)

    def run(self, command: str, params: dict[str, Any], session: Session) -> dict[str, Any] | None:
        """Run one authenticated command (not `api.authenticate`, which routes.py runs)."""
        found = self.commands.get(command)
        if found is None:
            raise Tr50Error(UNKNOWN_COMMAND, f"The command '{command}' is not supported.")
        if found.users_only and not session.is_user:
            raise Tr50Error(NOT_AUTHORIZED, f"The session is not authorized to run '{command}'.")
        return found.handler(params, session)

    # -- api.authenticate ----------------------------------------------------------------------

    def authenticate(self, params: dict[str, Any]) -> dict[str, Any]:
        """A user login or an application login; the latter auto-registers its thing."""
        if "appId" in params or "appToken" in params:
            return self._app_login(params)
        username = v.string(params, "username", required=True)
        password = v.string(params, "password", required=True)
        assert username is not None and password is not None
        if not password_ok(username, password):
            raise Tr50Error(AUTH_FAILED, AUTH_MESSAGE)
        session = Session(0, username=username.lower(), org_key=data.ORG_KEY)
        return {"sessionId": self.sessions.open(session)}

    def _app_login(self, params: dict[str, Any]) -> dict[str, Any]:
        app_id = v.string(params, "appId", required=True)
        token = v.string(params, "appToken", required=True)
        thing_key = v.key(params, "thingKey", required=True)
        assert app_id is not None and token is not None and thing_key is not None
        app = self.apps.get(app_id)
        if app is None or app["token"] != token:
            raise Tr50Error(AUTH_FAILED, AUTH_MESSAGE)
        thing = self.things.by_key(thing_key)
        if thing is None:
            def_key = app["autoRegThingDefKey"]
            if def_key is None or def_key not in self.defs:
                raise Tr50Error(AUTH_FAILED, AUTH_MESSAGE)
            thing = self._new_thing(
                thing_key, thing_key, self.defs[def_key], "", list(app["autoRegTags"]), {}
            )
            thing["orgKey"] = app["orgKey"]
        thing["connected"] = True
        thing["lastSeen"] = self.now()
        self.things.store(thing)
        session = Session(0, app_id=app_id, thing_key=thing_key, org_key=app["orgKey"])
        return {"sessionId": self.sessions.open(session)}

    # -- thing definitions ---------------------------------------------------------------------

    def _def(self, params: dict[str, Any]) -> dict[str, Any]:
        return _lookup(self.defs, params, ("key", "id"), "Thing definition")

    def thing_def_list(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        return _page(params, list(self.defs.values()))

    def thing_def_find(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        return _public(self._def(params))

    def _def_fields(self, params: dict[str, Any], rec: dict[str, Any]) -> None:
        name = v.string(params, "name")
        if name is not None:
            rec["name"] = name
        if "version" in params:
            rec["version"] = v.integer(params, "version", 1, 1, 2**31 - 1)
        for part in ("attributes", "properties", "alarms", "methods"):
            found = v.definitions(params, part)
            if found is not None:
                rec[part] = found

    def thing_def_create(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        key = v.key(params, "key", required=True)
        v.string(params, "name", required=True)
        assert key is not None
        if key in self.defs:
            raise duplicate(f"Thing definition '{key}'")
        rec: dict[str, Any] = {
            "id": data.object_id(data.KIND_DEF, self._next_def, self.config.seed),
            "key": key,
            "version": 1,
            "autoDefProps": v.boolean(params, "autoDefProps"),
            "autoDefAttrs": v.boolean(params, "autoDefAttrs"),
            "attributes": {},
            "properties": {},
            "alarms": {},
            "methods": {},
            "createdOn": self.now(),
            "updatedOn": self.now(),
        }
        self._def_fields(params, rec)
        self._next_def += 1
        self.defs[key] = rec
        self.ops.count(f"thing_def/{key}", "create")
        return {"id": rec["id"]}

    def thing_def_update(self, params: dict[str, Any], _: Session) -> None:
        rec = self._def(params)
        changed = dict(rec)
        self._def_fields(params, changed)
        if changed != rec:
            changed["updatedOn"] = self.now()
            rec.update(changed)
            self.ops.count(f"thing_def/{rec['key']}", "update")
        return None

    def thing_def_delete(self, params: dict[str, Any], _: Session) -> None:
        rec = self._def(params)
        if any(a["autoRegThingDefKey"] == rec["key"] for a in self.apps.values()) or any(
            t["defKey"] == rec["key"] for t in self.things
        ):
            raise Tr50Error(IN_USE, f"Thing definition '{rec['key']}' is in use.")
        del self.defs[rec["key"]]
        self.ops.count(f"thing_def/{rec['key']}", "delete")
        return None

    # -- things --------------------------------------------------------------------------------

    def _thing(self, params: dict[str, Any], session: Session) -> dict[str, Any]:
        name, value = v.one_of(params, ("key", "id"))
        found = self.things.by_key(value) if name == "key" else self.things.by_id(value)
        if found is None or (not session.is_user and found["key"] != session.thing_key):
            raise not_found("Thing")
        return found

    def _def_for_thing(self, params: dict[str, Any]) -> dict[str, Any]:
        def_key = v.string(params, "defKey")
        def_id = v.string(params, "defId")
        if def_key is None and def_id is None:
            raise Tr50Error(PARAM_MISSING, "The parameter 'defKey' or 'defId' is required.")
        found = (
            self.defs.get(def_key)
            if def_key is not None
            else next((d for d in self.defs.values() if d["id"] == def_id), None)
        )
        if found is None:
            raise not_found("Thing definition")
        return found

    def _new_thing(
        self,
        key: str,
        name: str,
        definition: dict[str, Any],
        desc: str,
        tags: list[str],
        ids: dict[str, str],
    ) -> dict[str, Any]:
        """A created thing's record (stored, counted, linked to its ICCID's connection)."""
        now = self.now()
        rec: dict[str, Any] = {
            "_index": None,
            "id": self.things.new_id(),
            "key": key,
            "name": name,
            "desc": desc,
            "defId": definition["id"],
            "defKey": definition["key"],
            "defName": definition["name"],
            "tags": tags,
            "attrs": {},
            "orgKey": data.ORG_KEY,
            "createdOn": now,
            "updatedOn": now,
            "lastSeen": None,
            "connected": False,
            **{k: val for k, val in ids.items() if val},
        }
        if rec.get("iccid"):
            self._link_iccid(rec["iccid"], key)
        self.things.store(rec)
        self.ops.count(key, "create")
        return rec

    def _link_iccid(self, iccid: str, key: str) -> None:
        conn = next((c for c in self.connections.values() if c["iccid"] == iccid), None)
        if conn is None:
            return
        if conn["thingKey"] not in (None, key):
            raise duplicate(f"A thing of the connection '{iccid}' ('{conn['thingKey']}')")
        conn["thingKey"] = key
        conn["updatedOn"] = self.now()

    def thing_create(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        key = v.key(params, "key", required=True)
        name = v.string(params, "name", required=True)
        assert key is not None and name is not None
        definition = self._def_for_thing(params)
        ids = v.identifiers(params)
        tags = v.string_list(params, "tags") or []
        attrs = v.mapping(params, "attrs") or {}
        desc = v.string(params, "desc") or ""
        if self.things.by_key(key) is not None:
            raise duplicate(f"Thing '{key}'")
        iccid = ids.get("iccid")
        if iccid:
            conn = next((c for c in self.connections.values() if c["iccid"] == iccid), None)
            if conn is not None and conn["thingKey"] is not None:
                raise duplicate(f"A thing of the connection '{iccid}' ('{conn['thingKey']}')")
        rec = self._new_thing(key, name, definition, desc, tags, ids)
        rec["attrs"] = {k: {"value": val, "ts": rec["createdOn"]} for k, val in attrs.items()}
        return {"id": rec["id"]}

    def session_info(self, _: dict[str, Any], session: Session) -> dict[str, Any]:
        who: dict[str, Any] = (
            {"username": session.username}
            if session.is_user
            else {"appId": session.app_id, "thingKey": session.thing_key}
        )
        org_name = data.ORG_NAMES.get(session.org_key, session.org_key)
        return {
            **who,
            "orgKey": session.org_key,
            "orgName": org_name,
            "expires": int(session.expires),
        }

    def thing_list(self, params: dict[str, Any], session: Session) -> dict[str, Any]:
        tags = v.string_list(params, "tags")
        keys = v.string_list(params, "keys")
        ids = {kind: v.string(params, kind) for kind in v.IDENTIFIERS}
        wanted = {kind: value.upper() for kind, value in ids.items() if value is not None}
        filtered = tags or keys is not None or wanted or params.get("sort")
        if session.is_user and not filtered:
            # The unfiltered list: only the page's records are built, the count is known.
            offset = v.integer(params, "offset", 0, 0, 2**31 - 1)
            limit = v.integer(params, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
            answer: dict[str, Any] = {
                "result": [_public(t) for t in self.things.window(offset, limit)]
            }
            if v.boolean(params, "showCount"):
                answer["count"] = len(self.things)
            return answer

        def rows() -> Iterable[dict[str, Any]]:
            if keys is not None:
                found = (self.things.by_key(k) for k in keys)
                source: Iterable[dict[str, Any]] = [t for t in found if t is not None]
            else:
                source = self.things
            for rec in source:
                if not session.is_user and rec["key"] != session.thing_key:
                    continue
                if tags and not set(tags) <= set(rec["tags"]):
                    continue
                if any(str(rec.get(k) or "").upper() != val for k, val in wanted.items()):
                    continue
                yield rec

        return _page(params, rows())

    def thing_find(self, params: dict[str, Any], session: Session) -> dict[str, Any]:
        return _public(self._thing(params, session))

    def thing_update(self, params: dict[str, Any], session: Session) -> None:
        rec = self._thing(params, session)
        new = dict(rec)
        for name in ("name", "desc"):
            value = v.string(params, name)
            if value is not None:
                new[name] = value
        if "defKey" in params or "defId" in params:
            d = self._def_for_thing(params)
            new.update(defId=d["id"], defKey=d["key"], defName=d["name"])
        tags = v.string_list(params, "tags")
        if tags is not None:
            new["tags"] = tags
        attrs = v.mapping(params, "attrs")
        if attrs:
            new["attrs"] = {**rec["attrs"]}
            for k, val in attrs.items():
                new["attrs"][k] = {"value": val, "ts": self.now()}
        for kind, value in v.identifiers(params).items():
            if value:
                new[kind] = value
            else:
                new.pop(kind, None)
        if new.get("iccid") and new.get("iccid") != rec.get("iccid"):
            self._link_iccid(new["iccid"], rec["key"])
        if new != rec:
            new["updatedOn"] = self.now()
            self.things.store(new)
            self.ops.count(rec["key"], "update")
        return None

    def thing_delete(self, params: dict[str, Any], session: Session) -> None:
        rec = self._thing(params, session)
        self.things.delete(rec)
        for conn in self.connections.values():
            if conn["thingKey"] == rec["key"]:
                conn["thingKey"] = None
        self.ops.count(rec["key"], "delete")
        return None

    # -- applications --------------------------------------------------------------------------

    def app_list(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        return _page(params, list(self.apps.values()))

    def app_find(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        return dict(_lookup(self.apps, params, ("id", "name"), "Application"))

    def app_create(self, params: dict[str, Any], session: Session) -> dict[str, Any]:
        name = v.string(params, "name", required=True)
        token = v.string(params, "token")
        if token is not None and not 8 <= len(token) <= 128:
            raise invalid("token", "a token is 8 to 128 characters")
        if token is not None and any(a["token"] == token for a in self.apps.values()):
            raise duplicate("An application with this token")
        def_key = v.string(params, "autoRegThingDefKey")
        def_id = v.string(params, "autoRegThingDefId")
        definition = None
        if def_key is not None or def_id is not None:
            definition = self._def_for_thing({"defKey": def_key, "defId": def_id})
        tags = v.string_list(params, "autoRegTags") or []
        roles = v.string_list(params, "roles") or ["Device"]
        app_id = data.object_id(data.KIND_APP, self._next_app, self.config.seed)
        self._next_app += 1
        if token is None:
            token = "".join(self._tokens.choice("0123456789abcdef") for _ in range(32))
        self.apps[app_id] = {
            "id": app_id,
            "name": name,
            "token": token,
            "autoRegThingDefId": definition["id"] if definition else None,
            "autoRegThingDefKey": definition["key"] if definition else None,
            "autoRegTags": tags,
            "roles": roles,
            "orgKey": session.org_key,
            "createdOn": self.now(),
        }
        self.ops.count(f"app/{app_id}", "create")
        return {"id": app_id, "token": token}

    # -- connections and the CDP ---------------------------------------------------------------

    def _connection(self, params: dict[str, Any]) -> dict[str, Any]:
        return _lookup(self.connections, params, ("id", "iccid"), "Connection")

    def connection_search(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        exact = {f: v.string(params, f) for f in ("carrier", "status", "ratePlan", "iccid")}
        has_thing = params.get("hasThing")
        if has_thing is not None and not isinstance(has_thing, bool):
            raise invalid("hasThing", "it must be true or false")

        def rows() -> Iterable[dict[str, Any]]:
            for conn in self.connections.values():
                if any(want is not None and conn[f] != want for f, want in exact.items()):
                    continue
                if has_thing is not None and (conn["thingKey"] is not None) != has_thing:
                    continue
                yield conn

        return _page(params, rows())

    def connection_find(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        return dict(self._connection(params))

    def connection_update(self, params: dict[str, Any], _: Session) -> None:
        conn = self._connection(params)
        new = dict(conn)
        status = v.string(params, "status")
        if status is not None:
            if status not in set(data.CONNECTION_STATUSES):
                raise invalid("status", "one of active, suspended, test, deactivated")
            new["status"] = status
        plan = v.string(params, "ratePlan")
        if plan is not None:
            plans = next(c[1] for c in data.CARRIERS if c[0] == conn["carrier"])
            if plan not in plans:
                raise invalid("ratePlan", f"{conn['carrier']}'s plans are {', '.join(plans)}")
            new["ratePlan"] = plan
        desc = v.string(params, "desc")
        if desc is not None:
            new["desc"] = desc
        if "thingKey" in params:
            key = params["thingKey"]
            if key in (None, ""):
                new["thingKey"] = None
            else:
                if not isinstance(key, str) or self.things.by_key(key) is None:
                    raise not_found("Thing")
                new["thingKey"] = key
        if new != conn:
            new["updatedOn"] = self.now()
            conn.update(new)
            self.ops.count(f"connection/{conn['iccid']}", "update")
        return None

    def connection_sync(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        count = v.integer(params, "count", 1, 1, 100)
        added: list[str] = []
        for _n in range(count):
            conn = data.new_connection(self.config.seed, self._next_connection)
            self._next_connection += 1
            conn["createdOn"] = conn["updatedOn"] = self.now()
            self.connections[conn["id"]] = conn
            added.append(conn["id"])
            if self.cdp["autoCreateThings"]:
                self._auto_create(conn)
        return {"added": added}

    def _auto_create(self, conn: dict[str, Any]) -> None:
        definition = self.defs.get(self.cdp["autoCreateDefKey"])
        if definition is None or self.things.by_key(conn["iccid"]) is not None:
            return
        ids = {"iccid": conn["iccid"], "imsi": conn["imsi"], "imei": conn["imei"]}
        self._new_thing(
            conn["iccid"], f"SIM {conn['iccid']}", definition, "", ["auto-created"], ids
        )

    def config_find(self, params: dict[str, Any], _: Session) -> dict[str, Any]:
        cdp_id = v.string(params, "id")
        if cdp_id is not None and cdp_id != CDP_ID:
            raise not_found("CDP")
        return dict(self.cdp)

    def config_update(self, params: dict[str, Any], _: Session) -> None:
        cdp_id = v.string(params, "id")
        if cdp_id is not None and cdp_id != CDP_ID:
            raise not_found("CDP")
        new = dict(self.cdp)
        if "autoCreateThings" in params:
            new["autoCreateThings"] = v.boolean(params, "autoCreateThings")
        def_key = v.string(params, "autoCreateDefKey")
        if def_key is not None:
            if def_key not in self.defs:
                raise not_found("Thing definition")
            new["autoCreateDefKey"] = def_key
        if new != self.cdp:
            self.cdp = new
            self.ops.count(f"cdp/{CDP_ID}", "update")
        return None

    def snapshot(self) -> dict[str, Any]:
        """What `GET /_sim/telit` shows: counts and the CDP's settings, no secret."""
        return {
            "things": len(self.things),
            "thingDefs": len(self.defs),
            "applications": len(self.apps),
            "connections": len(self.connections),
            "sessions": len(self.sessions),
            "cdp": {k: self.cdp[k] for k in ("id", "autoCreateThings", "autoCreateDefKey")},
        }


__all__ = ["Command", "Portal"]
