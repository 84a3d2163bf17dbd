"""The Telit demo organisation: thing definitions, things, applications, SIM connections and the CDP.

Everything is a function of the seed. The 3,000 things (`SimConfig.devices` scales them) are
generated lazily, by index, like the other platforms' fleets: a record is built when it is read,
and only changed, created and deleted things are held. Twelve thing definitions, five
applications and 500 connections over three carriers are small and built at start.

Ids are 24 hexadecimal digits (the portal's ids are MongoDB ObjectIds); generated things' keys are
`<definition key>-<index, 5 digits>`, so a key or an id leads back to its index without a table.
Times are ISO 8601 UTC strings with milliseconds, as TR50 answers them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from tui.sim.credentials import TELIT_APP_ID, TELIT_APP_TOKEN
from tui.sim.telit.validation import luhn_digit

DEFAULT_THINGS = 3000
DEFAULT_CONNECTIONS = 500
ORG_KEY = "FLEET_DEMO"
FIELD_ORG_KEY = "FLEET_FIELD"
#: the organisations' names, as `session.info` gives them
ORG_NAMES = {ORG_KEY: "Fleet demo", FIELD_ORG_KEY: "Fleet field team"}
#: 2026-01-01T00:00:00Z: the demo's things were created after it.
_T0_MS = 1_767_225_600_000
_SPAN_MS = 300 * 86_400_000

#: (key, name, properties (key, unit), alarms, methods) of the demo thing definitions.
_DEFS: list[tuple[str, str, list[tuple[str, str]], list[str], list[str]]] = [
    ("gateway", "Cellular gateway", [("rssi", "dBm"), ("uptime", "s")], ["offline"], ["reboot"]),
    ("tracker", "Asset tracker", [("battery", "%"), ("speed", "km/h")], ["geofence"], ["locate"]),
    ("meter", "Smart meter", [("energy", "kWh"), ("power", "W")], ["tamper"], ["read_now"]),
    ("thermo", "Cold-chain thermometer", [("temp", "°C"), ("battery", "%")], ["too_warm"], []),
    (
        "pump",
        "Irrigation pump",
        [("flow", "l/min"), ("pressure", "bar")],
        ["dry_run"],
        ["start", "stop"],
    ),
    ("vending", "Vending machine", [("stock", "items"), ("temp", "°C")], ["empty"], ["restock"]),
    ("ev-charger", "EV charger", [("power", "kW"), ("sessions", "")], ["fault"], ["unlock"]),
    ("door", "Door controller", [("opens", ""), ("battery", "%")], ["forced"], ["open"]),
    ("tank", "Tank level sensor", [("level", "%"), ("temp", "°C")], ["low_level"], []),
    ("light", "Street light", [("lux", "lx"), ("power", "W")], ["lamp_failure"], ["dim"]),
    ("parking", "Parking sensor", [("occupied", ""), ("battery", "%")], [], []),
    ("connection", "Cellular connection", [("data_usage", "MB")], [], []),
]
#: Generated things use the first eleven definitions ("connection" is the CDP's own).
_THING_DEFS = [d[0] for d in _DEFS[:-1]]
_SITES = ["antwerp", "brussels", "ghent", "liege", "namur", "bruges", "leuven", "mons"]
#: (carrier, rate plans, ICCID issuer prefix, IMSI MCC+MNC)
CARRIERS: list[tuple[str, list[str], str, str]] = [
    ("Proximus", ["PXM-IOT-10MB", "PXM-IOT-1GB"], "893203", "20601"),
    ("Orange", ["ORG-M2M-5MB", "ORG-M2M-500MB"], "893310", "20610"),
    ("Vodafone", ["VF-GDSP-25MB", "VF-GDSP-2GB"], "894410", "23415"),
]
CONNECTION_STATUSES = ["active", "active", "active", "suspended", "test", "deactivated"]


def iso(ms: int) -> str:
    """An epoch-millisecond instant as TR50 writes it."""
    t = datetime.fromtimestamp(ms / 1000, UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def mix(x: int) -> int:
    """A 64-bit hash (splitmix64's finaliser): the generator's source of every choice."""
    x = (x + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return x ^ (x >> 31)


def object_id(kind: int, n: int, seed: int) -> str:
    """A 24-hex id: 8 digits of the seed's hash, 4 of the kind, 12 of the number."""
    return f"{mix(seed) & 0xFFFFFFFF:08x}{kind:04x}{n:012x}"


#: Kinds of ids.
KIND_DEF, KIND_THING, KIND_APP, KIND_CONNECTION, KIND_CREATED_THING = 1, 2, 3, 4, 5


def _digits(r: random.Random, n: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(n))


def imei(r: random.Random) -> str:
    """A valid IMEI (TAC of a Telit module, serial, Luhn digit)."""
    body = "35" + _digits(r, 12)
    return body + luhn_digit(body)


def iccid(r: random.Random, prefix: str) -> str:
    """A valid 20-digit ICCID with this issuer prefix."""
    body = prefix + _digits(r, 19 - len(prefix))
    return body + luhn_digit(body)


def thing_defs(seed: int) -> dict[str, dict[str, Any]]:
    """The demo thing definitions by key."""
    out: dict[str, dict[str, Any]] = {}
    for n, (key, name, props, alarms, methods) in enumerate(_DEFS):
        out[key] = {
            "id": object_id(KIND_DEF, n, seed),
            "key": key,
            "name": name,
            "version": 1 + n % 3,
            "autoDefProps": False,
            "autoDefAttrs": False,
            "attributes": {
                "site": {"name": "Site", "default": ""},
                "serial": {"name": "Serial number", "default": ""},
            },
            "properties": {
                p: {"name": p.replace("_", " ").capitalize(), "unit": unit, "calcAggregates": True}
                for p, unit in props
            },
            "alarms": {
                a: {
                    "name": a.replace("_", " ").capitalize(),
                    "states": [
                        {"name": "normal", "color": "#00ff00"},
                        {"name": "active", "color": "#ff0000"},
                    ],
                }
                for a in alarms
            },
            "methods": {
                m: {"name": m.replace("_", " ").capitalize(), "notificationVariables": {}}
                for m in methods
            },
            "createdOn": iso(_T0_MS - (12 - n) * 86_400_000),
            "updatedOn": iso(_T0_MS - (12 - n) * 86_400_000),
        }
    return out


def applications(seed: int, defs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The demo applications by id: the gateway application (known id and token, the
    simulated gateway's) auto-registers "gateway" things; the tracker application registers
    "tracker" things in the field organisation; three without auto-registration."""
    r = random.Random(seed * 7919 + 11)
    rows = [
        ("Gateway auto-registration", "gateway", ["auto-registered"], ORG_KEY),
        ("Field trackers", "tracker", ["field", "auto-registered"], FIELD_ORG_KEY),
        ("Dashboard", None, [], ORG_KEY),
        ("Billing export", None, [], ORG_KEY),
        ("Maintenance tablet", None, [], ORG_KEY),
    ]
    out: dict[str, dict[str, Any]] = {}
    for n, (name, def_key, tags, org) in enumerate(rows):
        app_id = TELIT_APP_ID if n == 0 else object_id(KIND_APP, n, seed)
        token = TELIT_APP_TOKEN if n == 0 else "".join(r.choice("0123456789abcdef") for _ in range(32))  # fmt: skip
        out[app_id] = {
            "id": app_id,
            "name": name,
            "token": token,
            "autoRegThingDefId": defs[def_key]["id"] if def_key else None,
            "autoRegThingDefKey": def_key,
            "autoRegTags": tags,
            "roles": ["Device"] if def_key else ["Application"],
            "orgKey": org,
            "createdOn": iso(_T0_MS - n * 3_600_000),
        }
    return out


class Things:
    """The organisation's things: generated ones (by index), changed ones, created ones."""

    def __init__(self, seed: int, size: int, defs: dict[str, dict[str, Any]]) -> None:
        self.seed = seed
        self.size = size
        self.defs = defs
        self.deleted: set[int] = set()
        self.changed: dict[int, dict[str, Any]] = {}
        #: Created things by key, and their keys by id.
        self.created: dict[str, dict[str, Any]] = {}
        self.created_ids: dict[str, str] = {}
        self._next = 0
        self._id_prefix = object_id(KIND_THING, 0, seed)[:12]

    def _hash(self, i: int) -> int:
        return mix((self.seed << 32) ^ i)

    def def_key(self, i: int) -> str:
        return _THING_DEFS[self._hash(i) % len(_THING_DEFS)]

    def key_of(self, i: int) -> str:
        return f"{self.def_key(i)}-{i:05d}"

    def _index_of_key(self, key: str) -> int | None:
        _head, sep, tail = key.rpartition("-")
        if not sep or not tail.isdigit() or len(tail) < 5:
            return None
        i = int(tail)
        if i >= self.size or i in self.deleted or self.key_of(i) != key:
            return None
        return i

    def _index_of_id(self, thing_id: str) -> int | None:
        if len(thing_id) != 24 or not thing_id.startswith(self._id_prefix):
            return None
        try:
            i = int(thing_id[12:], 16)
        except ValueError:
            return None
        return i if i < self.size and i not in self.deleted else None

    def by_key(self, key: str) -> dict[str, Any] | None:
        found = self.created.get(key)
        if found is not None:
            return found
        i = self._index_of_key(key)
        return None if i is None else self.changed.get(i) or self.generate(i)

    def by_id(self, thing_id: str) -> dict[str, Any] | None:
        key = self.created_ids.get(thing_id)
        if key is not None:
            return self.created[key]
        i = self._index_of_id(thing_id)
        return None if i is None else self.changed.get(i) or self.generate(i)

    def new_id(self) -> str:
        self._next += 1
        return object_id(KIND_CREATED_THING, self._next, self.seed)

    def store(self, rec: dict[str, Any]) -> None:
        """Keep a created or changed record."""
        if rec["_index"] is None:
            self.created[rec["key"]] = rec
            self.created_ids[rec["id"]] = rec["key"]
        else:
            self.changed[rec["_index"]] = rec

    def delete(self, rec: dict[str, Any]) -> None:
        if rec["_index"] is None:
            del self.created[rec["key"]]
            del self.created_ids[rec["id"]]
        else:
            self.deleted.add(rec["_index"])
            self.changed.pop(rec["_index"], None)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every thing: generated ones in index order, then created ones in creation order."""
        for i in range(self.size):
            if i not in self.deleted:
                yield self.changed.get(i) or self.generate(i)
        yield from list(self.created.values())

    def __len__(self) -> int:
        return self.size - len(self.deleted) + len(self.created)

    def window(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Things `offset` to `offset + limit` in list order, building only those records (an
        unfiltered page of a fleet of millions costs its own size, not the fleet's)."""
        out: list[dict[str, Any]] = []
        live = self.size - len(self.deleted)
        if offset < live:
            i, skipped = 0, 0
            if not self.deleted:
                i, skipped = offset, offset
            while i < self.size and len(out) < limit:
                if i not in self.deleted:
                    if skipped >= offset:
                        out.append(self.changed.get(i) or self.generate(i))
                    skipped += 1
                i += 1
        created = list(self.created.values())
        start = max(0, offset - live)
        out.extend(created[start : start + limit - len(out)])
        return out

    def generate(self, i: int) -> dict[str, Any]:
        """Generated thing i's record (TR50's thing fields; private ones start with `_`)."""
        h = self._hash(i)
        r = random.Random(h)
        def_key = self.def_key(i)
        d = self.defs[def_key]
        site = _SITES[(h >> 8) % len(_SITES)]
        created = _T0_MS + i * (_SPAN_MS // max(1, self.size)) + (h >> 20) % 3_600_000
        tags = [site, def_key]
        if (h >> 12) % 7 == 0:
            tags.append("critical")
        rec: dict[str, Any] = {
            "_index": i,
            "id": f"{self._id_prefix}{i:012x}",
            "key": self.key_of(i),
            "name": f"{d['name']} {site.capitalize()} {i:05d}",
            "desc": "",
            "defId": d["id"],
            "defKey": def_key,
            "defName": d["name"],
            "tags": tags,
            "attrs": {
                "site": {"value": site, "ts": iso(created)},
                "serial": {"value": f"SN{h & 0xFFFFFF:06X}", "ts": iso(created)},
            },
            "orgKey": ORG_KEY,
            "createdOn": iso(created),
            "updatedOn": iso(created),
            "lastSeen": iso(created + (h >> 30) % (30 * 86_400_000)),
            "connected": (h >> 40) % 4 != 0,
        }
        if (h >> 44) % 3 != 0:
            rec["imei"] = imei(r)
        if linked(i, self.size):
            rec["iccid"] = new_connection(self.seed, i)["iccid"]
        return rec


def connections(seed: int, things: Things, count: int) -> dict[str, dict[str, Any]]:
    """The CDP's SIM connections by id; the first ones belong to generated things (their ICCID
    set on the thing too), about a third to none."""
    out: dict[str, dict[str, Any]] = {}
    for n in range(count):
        out_rec = new_connection(seed, n)
        if linked(n, things.size):
            out_rec["thingKey"] = things.key_of(n)
        out[out_rec["id"]] = out_rec
    return out


def linked(n: int, things: int) -> bool:
    """Whether the demo's n-th connection belongs to generated thing n (two in three do)."""
    return n < min(things, DEFAULT_CONNECTIONS) and n % 3 != 2


def new_connection(seed: int, n: int) -> dict[str, Any]:
    """The CDP's n-th connection as the carrier reports it (no thing yet)."""
    r = random.Random(mix(seed * 104_729 + n))
    carrier, plans, prefix, mccmnc = CARRIERS[n % len(CARRIERS)]
    at = _T0_MS + n * 3_600_000
    return {
        "id": object_id(KIND_CONNECTION, n, seed),
        "iccid": iccid(r, prefix),
        "imsi": mccmnc + _digits(r, 15 - len(mccmnc)),
        "imei": imei(r),
        "msisdn": "32" + _digits(r, 9),
        "carrier": carrier,
        "ratePlan": plans[(n // 3) % len(plans)],
        "status": CONNECTION_STATUSES[(n // 3) % len(CONNECTION_STATUSES)],
        "thingKey": None,
        "createdOn": iso(at),
        "updatedOn": iso(at),
    }
