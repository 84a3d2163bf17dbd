"""The simulated MyThings company: things generated lazily from the seed, their 30 days of history,
base stations, the device address pool and the triggered business rules.

A generated thing is a pure function of (seed, index), so any fleet size starts at once: 5,000 by
default (`SimConfig.devices` sets another size). Its identifier (the DevEUI) is its vendor's
6-hex block followed by the index in 10 hex digits, so finding a thing by identifier is a parse
and a check, never a scan. A generated thing that changes is stored whole beside the fleet (by
index); created things are stored by identifier; deleted generated indexes are a set. The list
is the generated things in index order, then the created ones: `thingId` order.

History is arithmetic too: a thing sends an uplink every `period` seconds of its type at a phase of
its own (uplink k at `phase + k * period`), from its insertion or the start of the 30-day window,
up to the data clock's now (`SimConfig.frozen_at_ms`, else the wall clock), or up to the moment it
went silent; so page n of its logs, or the count of a bucket, is computed without walking the
history. Each uplink has an RSSI, SNR, spreading factor, gateway count (1 to 4 connected base
stations) and frame counter, and one decoded value per container of the thing's type.

Choices where the vendor page is silent (documented for adapter authors):
- generated things are LoRa: 80 % LORA.OTAA, 20 % LORA.ABP (their device addresses are
  06000000 + index, outside the company's pool); 5 % are silent for 2 to 20 days, 2 % are
  deprovisioned (no uplink for over 30 days, `provisioned` false), 5 % are public, 10 % are
  tagged `critical` beside their site, floor and type tags;
- a thing's `lastActivity` (a list filter, not a field of ThingResource) is its last uplink;
- things created through the API have no history until the simulator's clock says so: they send
  nothing (their logs are empty pages), and a thing deprovisioned through the API sends nothing
  after that moment (provisioned again, its history is as if it never stopped);
- dates in answers are ISO 8601 UTC with milliseconds (`2024-03-01T10:00:00.000Z`); `time`,
  `ts`, `date` and `timestamp` fields typed int64 are epoch milliseconds;
- the company's device address pool is 07FFF000 to 07FFFFFF: 64 reserved at start (the first
  8 already assigned), the rest free to reserve;
- base stations: 40 (30 CONNECTED, 6 CONNECTIONLOST, 4 NEVERCONNECTED), ids are LRR ids
  (`FF01xxxx`) as in the vendor's network stream example;
- business rules fired over the last 30 days (before the simulator started) on generated things
  whose type has the rule's container, newest first.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from tui.sim.mythings.catalog import (
    COMPANY_ID,
    COMPANY_NAME,
    GENERATED_TYPES,
    PLAN_IDS,
    RULES,
    THING_TYPES_BY_ID,
    ContainerDef,
    Rule,
    ThingType,
)

DEFAULT_THINGS = 5000
THING_ID_BASE = 100_000
DAY_MS = 86_400_000
HISTORY_MS = 30 * DAY_MS
#: Generated things were inserted from 2023-01-02 over ~700 days.
_T0_MS = int(datetime(2023, 1, 2, tzinfo=UTC).timestamp() * 1000)
_SPAN_MS = 700 * DAY_MS
_M64 = (1 << 64) - 1
ABP_BASE = 0x06000000
POOL_START = 0x07FFF000
POOL_END = 0x08000000
SITES: tuple[tuple[str, float, float], ...] = (
    ("Brussels", 50.8503, 4.3517), ("Antwerp", 51.2194, 4.4025), ("Ghent", 51.0543, 3.7174),
    ("Liège", 50.6326, 5.5797), ("Namur", 50.4674, 4.8720), ("Leuven", 50.8798, 4.7005),
    ("Mons", 50.4542, 3.9567), ("Bruges", 51.2093, 3.2247),
)  # fmt: skip


def mix(x: int) -> int:
    """splitmix64: a fast, well-spread hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def iso(ms: int) -> str:
    """ISO 8601 UTC with milliseconds."""
    stamp = datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{ms % 1000:03d}Z"


def _hex(h: int, digits: int) -> str:
    return f"{h & ((1 << (4 * digits)) - 1):0{digits}X}"


class Things:
    """The company's things: generated ones (by index), changed ones, created ones."""

    def __init__(self, seed: int, size: int) -> None:
        self.seed = seed
        self.size = size
        self.deleted: set[int] = set()
        self.changed: dict[int, dict[str, Any]] = {}
        self.created: dict[str, dict[str, Any]] = {}
        self.next_id = THING_ID_BASE + size
        self._total = sum(t.weight for t in GENERATED_TYPES)
        #: Bumped by every change, so cached counts know they are stale.
        self.version = 0

    def hash(self, i: int) -> int:
        return mix((self.seed << 32) ^ i)

    def type_of(self, i: int) -> ThingType:
        pick = self.hash(i) % self._total
        for t in GENERATED_TYPES:
            if pick < t.weight:
                return t
            pick -= t.weight
        raise AssertionError("unreachable")

    def identifier(self, i: int) -> str:
        return f"{self.type_of(i).prefix}{i:010X}"

    def index_of(self, identifier: str) -> int | None:
        """The index of a live generated thing with this identifier."""
        ident = identifier.upper()
        if len(ident) != 16 or any(c not in "0123456789ABCDEF" for c in ident):
            return None
        i = int(ident[6:], 16)
        if i >= self.size or i in self.deleted or self.identifier(i) != ident:
            return None
        return i

    def get(self, identifier: str) -> dict[str, Any] | None:
        """A thing's record, by identifier (any case)."""
        found = self.created.get(identifier.upper()) or self.created.get(identifier)
        if found is not None:
            return found
        i = self.index_of(identifier)
        if i is None:
            return None
        return self.changed.get(i) or self.generate(i)

    def store(self, rec: dict[str, Any]) -> None:
        """Keep a changed or created record."""
        self.version += 1
        if rec["_index"] is None:
            self.created[rec["thingIdentifier"]] = rec
        else:
            self.changed[rec["_index"]] = rec

    def delete(self, rec: dict[str, Any]) -> None:
        self.version += 1
        if rec["_index"] is None:
            del self.created[rec["thingIdentifier"]]
        else:
            self.deleted.add(rec["_index"])
            self.changed.pop(rec["_index"], None)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Every thing in thingId order."""
        for i in range(self.size):
            if i not in self.deleted:
                yield self.changed.get(i) or self.generate(i)
        yield from list(self.created.values())

    def plans(self) -> Iterator[str | None]:
        """Every thing's connectivity plan, in thingId order (no record built for unchanged
        generated things: a hash each)."""
        for i in range(self.size):
            if i not in self.deleted:
                rec = self.changed.get(i)
                yield rec["connectivityPlan"] if rec else self.plan_of(i)
        for rec in list(self.created.values()):
            yield rec["connectivityPlan"]

    def plan_of(self, i: int) -> str:
        """Generated thing i's connectivity plan as generated."""
        return PLAN_IDS[(self.hash(i) >> 28) % len(PLAN_IDS)]

    def new_thing_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def generate(self, i: int) -> dict[str, Any]:
        """Generated thing i's record (fields of ThingResource, private ones prefixed `_`)."""
        h = self.hash(i)
        t = self.type_of(i)
        site, lat, lon = SITES[(h >> 8) % len(SITES)]
        floor = (h >> 12) % 8
        abp = (h >> 16) % 5 == 0
        r = (h >> 20) % 100
        ident = self.identifier(i)
        insertion = _T0_MS + i * (_SPAN_MS // max(1, self.size)) + (h >> 24) % 3_600_000
        k = mix(h)
        tags = [site.lower(), f"floor-{floor}", t.short.lower()]
        if r % 10 == 3:
            tags.append("critical")
        rec: dict[str, Any] = {
            "thingId": THING_ID_BASE + i,
            "thingIdentifier": ident,
            "thingName": f"{t.short} {site} {i:05d}",
            "description": f"{t.name}, {site}, floor {floor}",
            "isPublic": r < 5,
            "tags": tags,
            "companyId": COMPANY_ID,
            "connectivityType": "LORA.ABP" if abp else "LORA.OTAA",
            "connectivityPlan": self.plan_of(i),
            "thingTypeId": t.id,
            "motionIndicator": (
                ("Vehicle speed", "Walking speed")[(h >> 30) % 2]
                if t.short == "GPS"
                else "Near static"
            ),
            "latitude": f"{lat + ((h >> 32) % 1000 - 500) / 20000:.6f}",
            "longitude": f"{lon + ((h >> 42) % 1000 - 500) / 20000:.6f}",
            "locationFN1": f"{site} site {(h >> 52) % 20 + 1}",
            "locationFN2": f"Floor {floor}",
            "deviceAddress": f"{ABP_BASE + i:08X}" if abp else f"{0x0E000000 | (k & 0xFFFFFF):08X}",
            "keysOTAA": None
            if abp
            else {
                "applicationEUI": f"70B3D57ED000{_hex(k, 4)}",
                "applicationKey": _hex(mix(k), 32),
            },
            "keysABP": {
                "applicationSessionkeys": [
                    {"applicationSessionKey": _hex(mix(k), 32), "port": "1"}
                ],
                "networkSessionKey": _hex(mix(k + 1), 32),
            }
            if abp
            else None,
            "serialNumber": None,
            "provisioned": r >= 2,
            "removed": [],
            "insertion": insertion,
            "modified": insertion + (h >> 40) % (30 * DAY_MS),
            "_index": i,
            "_h": h,
            "_period": t.period,
            "_phase": (h >> 36) % t.period,
            # Silent things stop 2-20 days before now; deprovisioned ones 40 days before.
            "_silent_ms": (2 + r % 19) * DAY_MS
            if r < 7 and r >= 2
            else (40 * DAY_MS if r < 2 else 0),
            "_stopped": None,
            "_rssi": -70 - (h >> 44) % 50,
            "_snr": 10 - (h >> 50) % 25,
        }
        return rec


def thing_type(rec: dict[str, Any]) -> ThingType:
    return THING_TYPES_BY_ID[rec["thingTypeId"]]


def containers(rec: dict[str, Any]) -> list[ContainerDef]:
    """The thing's containers: its type's, minus those deleted from it."""
    return [c for c in thing_type(rec).containers if c.name not in rec["removed"]]


def location(rec: dict[str, Any], ts: int | None = None) -> dict[str, Any]:
    """The page's `Location` of a thing."""
    return {
        "altitude": 0,
        "estimatedradius": 0,
        "latitude": rec["latitude"],
        "locationFN1": rec["locationFN1"],
        "locationFN2": rec["locationFN2"],
        "locationtype": "STATIC",
        "longitude": rec["longitude"],
        "name": rec["locationFN1"],
        "timestamp": iso(ts if ts is not None else rec["modified"]),
    }


def render_thing(rec: dict[str, Any]) -> dict[str, Any]:
    """ThingResource."""
    t = thing_type(rec)
    lora = rec["connectivityType"].startswith("LORA")
    details = None
    if lora:
        details = {
            "activationType": rec["connectivityType"].split(".")[1],
            "deviceAddress": rec["deviceAddress"],
            "keysLoRaABP": rec["keysABP"],
            "keysLoRaOTAA": rec["keysOTAA"],
            "networkReady": rec["provisioned"],
            "provisioned": rec["provisioned"],
        }
    return {
        "companyId": rec["companyId"],
        "companyName": COMPANY_NAME,
        "connectivityPlan": rec["connectivityPlan"],
        "connectivityType": rec["connectivityType"],
        "description": rec["description"],
        "insertionDate": iso(rec["insertion"]),
        "iotProduct": "MyThings LoRa" if lora else "MyThings Ethernet",
        "isPublic": rec["isPublic"],
        "lastModifiedDate": iso(rec["modified"]),
        "lastlocation": location(rec),
        "motionIndicator": rec["motionIndicator"],
        "tags": list(rec["tags"]),
        "technologyDetails": details,
        "thingId": rec["thingId"],
        "thingIdentifier": rec["thingIdentifier"],
        "thingKeysLoRaABP": rec["keysABP"],
        "thingKeysLoRaOTAA": rec["keysOTAA"],
        "thingName": rec["thingName"],
        "thingType": t.name,
        "vendor": t.vendor,
    }


# -- history --------------------------------------------------------------------------------------


def _horizon(rec: dict[str, Any], now_ms: int) -> int:
    """The last moment the thing may have sent an uplink."""
    end = now_ms - rec.get("_silent_ms", 0)
    if rec.get("_stopped") is not None:
        end = min(end, rec["_stopped"])
    return end


def uplinks(
    rec: dict[str, Any], now_ms: int, start: int | None = None, end: int | None = None
) -> tuple[int, int] | None:
    """(first k, last k) of the uplinks inside the 30-day history and [start, end], or None."""
    period = rec.get("_period")
    if not period:
        return None
    p, ph = period * 1000, rec["_phase"] * 1000
    lo = max(now_ms - HISTORY_MS, rec["insertion"], start if start is not None else 0)
    hi = min(_horizon(rec, now_ms), end if end is not None else now_ms)
    if hi < lo:
        return None
    first, last = -((ph - lo) // p), (hi - ph) // p
    return (first, last) if first <= last else None


def uplink_ms(rec: dict[str, Any], k: int) -> int:
    return rec["_phase"] * 1000 + k * rec["_period"] * 1000


def last_activity(rec: dict[str, Any], now_ms: int) -> int | None:
    """When the thing last sent an uplink (before the history window too)."""
    period = rec.get("_period")
    if not period:
        return None
    hi = _horizon(rec, now_ms)
    k = (hi - rec["_phase"] * 1000) // (period * 1000)
    ts = uplink_ms(rec, k)
    return ts if ts >= rec["insertion"] else None


def count_in(rec: dict[str, Any], now_ms: int, a: int, b: int) -> int:
    """Uplinks of the history in [a, b)."""
    span = uplinks(rec, now_ms, a, b - 1)
    return 0 if span is None else span[1] - span[0] + 1


def _r(rec: dict[str, Any], k: int, salt: int = 0) -> random.Random:
    return random.Random(mix(rec["_h"] ^ (k * 0x9E3779B1) ^ salt))


def value(rec: dict[str, Any], c: ContainerDef, k: int) -> str:
    """The decoded value of container c in uplink k."""
    ts = uplink_ms(rec, k)
    h = rec["_h"]
    r = _r(rec, k, c.container_id)
    hour = (ts // 3_600_000) % 24
    day = math.sin(2 * math.pi * ((ts % DAY_MS) / DAY_MS - 0.35))
    if c.kind == "temperature":
        return f"{18 + (h % 60) / 10 + 3 * day + r.uniform(-0.4, 0.4):.2f}"
    if c.kind == "humidity":
        return f"{45 + (h >> 6) % 20 - 8 * day + r.uniform(-1, 1):.1f}"
    if c.kind == "battery":
        age = (ts - rec["insertion"]) / (3 * 365 * DAY_MS)
        return f"{max(2.9, 3.65 - 0.5 * age - (h % 7) / 100):.2f}"
    if c.kind == "motion":
        return str(r.randrange(13) if 7 <= hour <= 19 else r.randrange(2) * r.randrange(2))
    if c.kind == "co2":
        return str(int(420 + (900 * max(0.0, day) if 8 <= hour <= 18 else 0) + r.uniform(0, 120)))
    if c.kind == "door":
        return "1" if r.random() < 0.1 else "0"
    if c.kind == "pulse":
        return str((k - rec["insertion"] // (rec["_period"] * 1000)) * (1 + h % 5))
    lat, lon = gps(rec, k)
    return f"{lat:.6f},{lon:.6f}"


def gps(rec: dict[str, Any], k: int) -> tuple[float, float]:
    """A tracker's position at uplink k: a slow walk around its site."""
    base_lat, base_lon = float(rec["latitude"]), float(rec["longitude"])
    phase = (rec["_h"] % 628) / 100
    return (
        base_lat + 0.03 * math.sin(k / 40 + phase),
        base_lon + 0.05 * math.cos(k / 55 + phase),
    )


def decoded_entry(rec: dict[str, Any], c: ContainerDef, k: int, total: int) -> dict[str, Any]:
    """`SensorHistory`: one decoded value of one container in one uplink."""
    ts = uplink_ms(rec, k)
    t = thing_type(rec)
    return {
        "clusterName": "LoRa",
        "company": {"companyId": COMPANY_ID, "companyid": COMPANY_ID, "name": COMPANY_NAME},
        "container": {
            "container": c.container,
            "containerId": c.container_id,
            "name": c.name,
            "type": c.type,
        },
        "count": 1,
        "data": [{"time": ts, "ts": ts, "type": c.type, "value": value(rec, c, k)}],
        "date": ts,
        "location": location(rec, ts),
        "sensor": {
            "active": rec["provisioned"],
            "locationName": rec["locationFN1"],
            "mac": rec["thingIdentifier"],
            "name": rec["thingName"],
            "sensorId": rec["thingId"],
            "type": t.name,
        },
        "sensorgroup": {"sensorGroupId": t.id, "sensorGroupName": t.name},
        "totalCount": total,
    }


def location_entry(rec: dict[str, Any], k: int, total: int) -> dict[str, Any]:
    """`LocationHistory`: a tracker's position in one uplink."""
    ts = uplink_ms(rec, k)
    lat, lon = gps(rec, k)
    r = _r(rec, k, 77)
    t = thing_type(rec)
    return {
        "company": {"companyId": COMPANY_ID, "companyid": COMPANY_ID, "name": COMPANY_NAME},
        "count": 1,
        "created_on": iso(ts + 400),
        "data": [
            {
                "accuracy": round(r.uniform(3, 40), 1),
                "altRadius": 0.0,
                "altitude": round(r.uniform(10, 60), 1),
                "latitude": round(lat, 6),
                "locRadius": round(r.uniform(5, 60), 1),
                "longitude": round(lon, 6),
                "time": ts,
                "ts": ts,
                "type": "GPS",
                "value": f"{lat:.6f},{lon:.6f}",
            }
        ],
        "date": ts,
        "sensor": {
            "active": rec["provisioned"],
            "locationName": rec["locationFN1"],
            "mac": rec["thingIdentifier"],
            "name": rec["thingName"],
            "sensorId": rec["thingId"],
            "type": t.name,
        },
        "updated_on": ts + 400,
    }


def network_entry(rec: dict[str, Any], k: int, stations: list[dict[str, Any]]) -> dict[str, Any]:
    """`NetworkData`: one uplink as the LoRa network saw it."""
    ts = uplink_ms(rec, k)
    r = _r(rec, k, 1)
    rssi = rec["_rssi"] + r.uniform(-4, 4)
    snr = rec["_snr"] + r.uniform(-2, 2)
    sf = min(12, max(7, 7 + int(-rssi - 75) // 9))
    n = 1 + r.randrange(4)
    connected = [s for s in stations if s["state"] == "CONNECTED"] or stations
    picked = r.sample(connected, min(n, len(connected))) if connected else []
    lrrs = [
        {
            "lrrESP": f"{rssi - j * 6 - 1:.6f}",
            "lrrRSSI": f"{rssi - j * 6:.6f}",
            "lrrSNR": f"{snr - j * 3:.6f}",
            "lrrid": s["basestationId"],
        }
        for j, s in enumerate(picked)
    ]
    best = picked[0] if picked else None
    fcnt = k - rec["insertion"] // (rec["_period"] * 1000)
    payload = "".join(f"{r.randrange(256):02x}" for _ in range(2 + r.randrange(9)))
    return {
        "ackBit": "0",
        "adrBit": "1",
        "appSKey": None,
        "battery": None,
        "channel": f"LC{1 + r.randrange(3)}",
        "companyId": COMPANY_ID,
        "companyName": COMPANY_NAME,
        "createdOn": iso(ts + 350),
        "customerData": '{"alr":{"pro":"LORA/Generic","ver":"1"}}',
        "customerID": "100000987",
        "deliveryFailedCause1": None,
        "deliveryFailedCause2": None,
        "deliveryFailedCause3": None,
        "deliveryStatus": None,
        "devAddr": rec["deviceAddress"],
        "devEUI": rec["thingIdentifier"],
        "devLrrCnt": str(len(lrrs)),
        "fcntDn": str(fcnt // 20),
        "fcntUp": str(fcnt),
        "fport": str(1 + rec["_h"] % 4),
        "late": "0",
        "lrcid": "00000201",
        "lrrLAT": best["location"]["latitude"] if best else None,
        "lrrLON": best["location"]["longitude"] if best else None,
        "lrrRSSI": f"{rssi:.6f}",
        "lrrSNR": f"{snr:.6f}",
        "lrrid": best["basestationId"] if best else None,
        "lrrs": lrrs,
        "mType": "2",
        "margin": None,
        "mic_hex": f"{r.getrandbits(32):08x}",
        "modelCfg": "0",
        "payload_hex": payload,
        "spFact": str(sf),
        "subBand": f"G{r.randrange(2)}",
        "time": ts,
        "timeStr": iso(ts),
        "type": "UPLINK",
    }


# -- base stations, addresses, triggered rules -------------------------------------------------


def base_stations(seed: int, start_ms: int) -> list[dict[str, Any]]:
    """The company's 40 base stations (`BaseStationResponse`), by id."""
    r = random.Random(seed * 104729 + 40)
    ids = sorted({f"FF01{r.getrandbits(16):04X}" for _ in range(60)})[:40]
    states = ["CONNECTED"] * 30 + ["CONNECTIONLOST"] * 6 + ["NEVERCONNECTED"] * 4
    r.shuffle(states)
    out = []
    for n, (bs_id, state) in enumerate(zip(ids, states, strict=True)):
        site, lat, lon = SITES[n % len(SITES)]
        restart = start_ms - r.randrange(90 * DAY_MS)
        out.append(
            {
                "basestationId": bs_id,
                "basestationName": f"{site} rooftop {n // len(SITES) + 1}",
                "companyId": COMPANY_ID,
                "companyName": COMPANY_NAME,
                "firmware": ""
                if state == "NEVERCONNECTED"
                else f"2.{r.randrange(3, 6)}.{r.randrange(20)}",
                "lastRestart": None if state == "NEVERCONNECTED" else iso(restart),
                "location": {
                    "altitude": r.randrange(10, 120),
                    "estimatedradius": 0,
                    "latitude": f"{lat + r.uniform(-0.05, 0.05):.6f}",
                    "locationFN1": site,
                    "locationFN2": "",
                    "locationtype": "STATIC",
                    "longitude": f"{lon + r.uniform(-0.05, 0.05):.6f}",
                    "name": f"{site} rooftop {n // len(SITES) + 1}",
                    "timestamp": iso(restart),
                },
                "state": state,
            }
        )
    return out


class AddressPool:
    """The company's LoRa device addresses (for ABP things): free, reserved, assigned."""

    def __init__(self) -> None:
        self.reserved: list[int] = list(range(POOL_START, POOL_START + 64))
        self.assigned: set[int] = set(self.reserved[:8])
        self.next_free = POOL_START + 64

    def available(self, amount: int) -> list[str]:
        """The next `amount` reserved addresses not assigned yet."""
        free = (a for a in self.reserved if a not in self.assigned)
        return [f"{a:08X}" for _, a in zip(range(amount), free, strict=False)]

    def reserve(self, amount: int) -> list[str]:
        got = list(range(self.next_free, min(POOL_END, self.next_free + amount)))
        self.next_free += len(got)
        self.reserved.extend(got)
        return [f"{a:08X}" for a in got]

    def is_reserved(self, address: int) -> bool:
        return POOL_START <= address < self.next_free


def triggered(things: Things, now_ms: int) -> list[dict[str, Any]]:
    """Every rule firing of the last 30 days (`triggeredBusinessRule`), newest first."""
    r = random.Random(things.seed * 7919 + 501)
    events = []
    if not things.size:
        return []
    for rule in RULES:
        for _ in range(rule.fired):
            ts = now_ms - r.randrange(HISTORY_MS)
            i = r.randrange(things.size)
            for _ in range(40):
                if rule.container in things.type_of(i).containers:
                    break
                i = (i + 1) % things.size
            else:
                continue
            events.append((ts, rule, i, r.random()))
    events.sort(key=lambda e: -e[0])
    return [_event(things, ts, rule, i, x) for ts, rule, i, x in events]


def _event(things: Things, ts: int, rule: Rule, i: int, x: float) -> dict[str, Any]:
    t = things.type_of(i)
    c = rule.container
    if rule.operator == ">":
        shown = rule.threshold + 0.5 + 10 * x
    elif rule.operator == "<":
        shown = rule.threshold - 0.05 - x / 4
    else:
        shown = rule.threshold
    return {
        "businessRuleDTO": rule.dto(),
        "businessRuleId": rule.id,
        "company": COMPANY_NAME,
        "timestamp": ts,
        "triggeredByDTO": {
            "thingGroupName": None,
            "triggeredContainer": {
                "container": c.container,
                "containerId": c.container_id,
                "name": c.name,
                "type": c.type,
            },
            "triggeredThingDTO": {
                "name": things.generate(i)["thingName"],
                "thingIdentifier": things.identifier(i),
                "thingType": t.name,
            },
            "value": f"{shown:.2f}",
        },
    }
