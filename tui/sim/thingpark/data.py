"""The simulated ThingPark fleet: devices computed lazily from their index, an overlay of changes, and alarms.

A generated device is a pure function of (seed, index): nothing is stored for it, so a fleet of a
million devices costs no memory and starts instantly. EUIs grow strictly with the index, inside five
blocks of EUIs (Microchip 0004A30B…, Milesight 24E124…, 70B3D5E75…, Elsys A81758FFFE… for LoRaWAN
and the platform-assigned F03D29… for cellular), so `sort=EUI,asc` is index order and finding where
a cursor's EUI falls is arithmetic. Created, updated and deleted devices live in an overlay (a dict
with a sorted key list, plus a set of deleted generated EUIs) merged in EUI order when paging.

Choices where the vendor page is silent (documented for adapter authors):
- device resource fields beyond the page: `ref` (the numeric id used in `href`/`Location`),
  `nwAddress` (the DevAddr, the vendor's own name in its multicast example), `ismBand`, `rfRegion`,
  `communicationType` (UNICAST or MULTICAST, the vendor's connectivity-plan vocabulary),
  `healthState` (ACTIVE, INACTIVE = silent for over a day, ERROR), `lastUplink`
  (`{timestamp, fPort, rssi, snr, spreadingFactor}` for LoRaWAN, `{timestamp, size}` for cellular;
  absent until the device has sent something), `creationDate` (ms), `state` (ACTIVE or SUSPENDED
  when a cellular device has no connectivity plan);
- keys are write-only: `appKey`, `nwKey` and `appKeys` are never returned, as the platform keeps them
  in its key store;
- briefs carry `ref`, name, model{ID, commercialName, logo}, connectivity, activation, EUI, href,
  `appServers` [{ID, name}], `healthState`, `lastUplink`, `communicationType`;
- an alarm's `ID` is its type number in the alarm catalogue (the page shows 4 and 17), `alarmUid`
  is a 24-hex ObjectId whose first 8 hex digits are its creation second, so ascending uid order is
  oldest first; alarm briefs add `type`, `severity`, `state`, `message`, `creationDate`,
  `lastOccurrenceDate`, `occurrenceCount`, `acked`, `ackUser`, `ackDate`. Alarm times are anchored
  at midnight UTC of the day the simulator starts (stable for a seed within a day), and alarms of a
  deleted device disappear with it.
"""

from __future__ import annotations

import bisect
import copy
import heapq
import itertools
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tui.sim import slices
from tui.sim.credentials import THINGPARK_CLIENT_ID
from tui.sim.slices import Scan
from tui.sim.thingpark.catalog import (
    MODELS_BY_ID,
    NETWORK_SUBSCRIPTIONS_BY_ID,
    SUB_HREF,
)

_M64 = (1 << 64) - 1
#: The demo subscriber's fleet size (the vendor page's own count); `SimConfig.devices` sets another.
DEFAULT_DEVICES = 62804
#: Refs (the numeric ids in hrefs) of generated devices start here; created ones follow them.
REF_BASE = 10000
_DAY_MS = 86_400_000

SITES = [
    "Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille",
    "Bordeaux", "Nice", "Rennes", "Grenoble", "Brussels", "Geneva",
]  # fmt: skip


def mix(x: int) -> int:
    """splitmix64: a fast, well-spread hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def eui_str(value: int) -> str:
    """An EUI as the platform writes it: 16 upper-case hex digits."""
    return f"{value:016X}"


@dataclass(frozen=True)
class _Segment:
    """A block of consecutive device indices sharing an EUI prefix, a connectivity and models."""

    prefix: str
    connectivity: str
    models: tuple[str, ...]
    app_servers: tuple[int, ...]
    start: int
    length: int
    base: int
    stride: int

    @property
    def end(self) -> int:
        return self.start + self.length


# (EUI prefix, connectivity, models, app server refs, weight); prefixes in increasing order.
_BLOCKS: list[tuple[str, str, tuple[str, ...], tuple[int, ...], int]] = [
    ("0004A30B", "LORAWAN", ("MCHP/RN2483A.1_EU",), (1972, 1973, 1974, 1975), 10),
    (
        "24E124",
        "LORAWAN",
        ("MILESIGHT/EM300-TH.1_EU", "MILESIGHT/WS101.1_EU"),
        (1972, 1973, 1974, 1975),
        22,
    ),
    (
        "70B3D5E75",
        "LORAWAN",
        ("SMTC/LoRaMoteA.1_EU", "ADEUNIS/FTD.1_EU", "ADEUNIS/PULSE.1_EU"),
        (1972, 1973, 1974, 1975),
        30,
    ),
    (
        "A81758FFFE",
        "LORAWAN",
        ("ELSYS/ERS-CO2.1_EU", "ELSYS/EMS-DOOR.1_EU"),
        (1972, 1973, 1974, 1975),
        18,
    ),
    ("F03D29", "CELLULAR", ("CUSTOM/LTE_Dongle", "CUSTOM/NBIOT_Meter"), (1974, 1976), 20),
]
_SHORT = {model_id: model["_short"] for model_id, model in MODELS_BY_ID.items()}


def _segments(n: int) -> list[_Segment]:
    total = sum(b[4] for b in _BLOCKS)
    out: list[_Segment] = []
    cum = 0
    for prefix, conn, models, servers, weight in _BLOCKS:
        start = n * cum // total
        cum += weight
        end = n * cum // total
        length = end - start
        space = 16 ** (16 - len(prefix))
        base = int(prefix, 16) * space
        if conn == "CELLULAR":
            # The platform assigns cellular EUIs sequentially from F03D290000000001 (the page's example).
            base, stride = base + 1, 1
        else:
            stride = max(2, min(4096, space // (length + 1)))
            if length * stride > space:
                raise ValueError(f"fleet too large for the EUI block {prefix}")
        out.append(_Segment(prefix, conn, models, servers, start, length, base, stride))
    return out


class Fleet:
    """All devices of the demo subscriber: generated ones, plus an overlay of changes."""

    def __init__(self, seed: int, devices: int, app_servers: list[dict[str, Any]]) -> None:
        self.seed = seed
        self.size = devices
        self._key = mix(seed & _M64)
        self.segments = _segments(devices)
        self._starts = [s.start for s in self.segments]
        self.overlay: dict[int, dict[str, Any]] = {}
        self.overlay_keys: list[int] = []
        self.deleted: set[int] = set()
        self._extra = 0  # overlay devices that are not generated ones
        self._refs: dict[int, int] = {}  # ref of an overlay device -> EUI
        self._next_ref = REF_BASE + devices + 1000
        cell = self.segments[-1]
        self._next_cellular = cell.base + cell.length
        self.app_servers = app_servers
        self._count_app_servers()
        #: Bumped by every change, so cached filter counts know they are stale.
        self.version = 0
        self._count_cache: dict[tuple[str | None, str, int], int] = {}

    # -- generated devices -------------------------------------------------------------------

    def _hash(self, i: int) -> int:
        return mix(self._key ^ i)

    def _segment(self, i: int) -> _Segment:
        return self.segments[bisect.bisect_right(self._starts, i) - 1]

    def eui_of(self, i: int) -> int:
        """The EUI (as an int) of generated device `i`."""
        seg = self._segment(i)
        j = i - seg.start
        jitter = self._hash(i) % seg.stride if seg.stride > 1 else 0
        return seg.base + j * seg.stride + jitter

    def index_after(self, eui: int) -> int:
        """The first generated index whose EUI is greater than `eui`."""
        for seg in self.segments:
            if seg.length == 0:
                continue
            if eui < seg.base:
                return seg.start
            j = (eui - seg.base) // seg.stride
            if j >= seg.length:
                continue
            i = seg.start + j
            return i if self.eui_of(i) > eui else i + 1
        return self.size

    def index_of(self, eui: int) -> int | None:
        """The generated index with exactly this EUI, if any (deleted or not)."""
        i = self.index_after(eui - 1)
        return i if i < self.size and self.eui_of(i) == eui else None

    def name_of(self, i: int) -> str:
        """A generated device's name (cheap: used by the name filter's scan)."""
        seg = self.segments[bisect.bisect_right(self._starts, i) - 1]
        h = mix(self._key ^ i)
        short = _SHORT[seg.models[(h >> 8) % len(seg.models)]]
        return f"{short}-{SITES[(h >> 16) % len(SITES)]}-{i + 1:06d}"

    def generated(self, i: int) -> dict[str, Any]:
        """The full stored record of generated device `i`."""
        seg = self._segment(i)
        j = i - seg.start
        h = self._hash(i)
        eui = self.eui_of(i)
        model = MODELS_BY_ID[seg.models[(h >> 8) % len(seg.models)]]
        server = self.app_server_by_ref(seg.app_servers[j % len(seg.app_servers)])
        created = 1_704_067_200_000 + (h >> 20) % (300 * _DAY_MS)  # during 2024
        health = (h >> 40) % 100
        rec: dict[str, Any] = {
            "occContext": {"version": 0, "lastUpdate": created, "who": "import@fleet-demo"},
            "name": f"{model['_short']}-{SITES[(h >> 16) % len(SITES)]}-{i + 1:06d}",
            "connectivity": seg.connectivity,
            "EUI": eui_str(eui),
            "ref": str(REF_BASE + i),
            "model": {
                "ID": model["ID"],
                "commercialName": model["commercialName"],
                "logo": model["_logo"],
            },
            "appServers": [{"ID": server["ID"], "name": server["name"]}] if server else [],
            "communicationType": "UNICAST",
            "state": "ACTIVE",
            "creationDate": created,
            "_period": (300, 600, 900, 1800, 3600)[(h >> 28) % 5],
            "_phase": (h >> 32) % 3600,
            "_size": 8 + (h >> 44) % 40,
            "_rssi": -55.0 - (h >> 48) % 60,
            "_snr": 9.5 - ((h >> 54) % 200) / 10,
            # 6% of devices went silent some days ago; 2% report an error state.
            "_silent_days": 1 + (h >> 36) % 20 if health < 6 else 0,
            "_error": 6 <= health < 8,
        }
        if seg.connectivity == "LORAWAN":
            plan = NETWORK_SUBSCRIPTIONS_BY_ID["actility-cs/lorawan-cp"]
            rec["activation"] = "ABP" if (h >> 24) % 10 == 0 else "OTAA"
            if rec["activation"] == "OTAA":
                rec["appEUI"] = f"{mix(h) & _M64:016X}"
            rec["nwAddress"] = f"{(h >> 3) & 0x01FFFFFF | 0x26000000:08X}"
            rec["ismBand"] = "eu868"
            rec["rfRegion"] = {"ID": "EU868", "name": "EU 863-870MHz"}
            rec["networkSubscription"] = {
                "ID": plan["ID"],
                "commercialName": plan["commercialName"],
                "nwGeolocalization": False,
                "prAllowed": False,
            }
        else:
            plan = NETWORK_SUBSCRIPTIONS_BY_ID["acme-cs/cellular-cp"]
            rec["networkSubscription"] = {
                "ID": plan["ID"],
                "commercialName": plan["commercialName"],
            }
            rec["networkContext"] = {"ID": "1AF3B" if j % 3 else "2C81D"}
            rec["sim"] = {"ID": f"8933{mix(h) % 10**16:016d}", "type": "SINGLE_IMSI"}
            rec["imei"] = _imei(35_000_000_000_000 + (h >> 12) % 10**13 // 10)
            rec["ipAddress"] = f"10.20.{(j >> 8) & 255}.{j & 255}"
        return rec

    # -- app servers -------------------------------------------------------------------------

    def app_server_by_ref(self, ref: int) -> dict[str, Any] | None:
        """An app server by its numeric ref."""
        for s in self.app_servers:
            if s["_ref"] == ref:
                return s
        return None

    def app_server_by_id(self, as_id: str) -> dict[str, Any] | None:
        """An app server by its OSS ID (TWA_…AS)."""
        for s in self.app_servers:
            if s["ID"] == as_id:
                return s
        return None

    def _count_app_servers(self) -> None:
        # deviceCount of generated devices, by arithmetic on the round-robin assignment.
        for seg in self.segments:
            k = len(seg.app_servers)
            for r, ref in enumerate(seg.app_servers):
                server = self.app_server_by_ref(ref)
                if server is not None:
                    server["deviceCount"] += seg.length // k + (1 if r < seg.length % k else 0)

    def _adjust_counts(self, rec: dict[str, Any] | None, delta: int) -> None:
        if rec is None:
            return
        field = (
            "multicastGroupCount" if rec.get("communicationType") == "MULTICAST" else "deviceCount"
        )
        for ref in rec.get("appServers", []):
            server = self.app_server_by_id(ref["ID"])
            if server is not None:
                server[field] += delta

    # -- lookups and changes -----------------------------------------------------------------

    def get(self, eui: int) -> dict[str, Any] | None:
        """The stored record of a device, or None if there is none."""
        rec = self.overlay.get(eui)
        if rec is not None:
            return rec
        if eui in self.deleted:
            return None
        i = self.index_of(eui)
        return None if i is None else self.generated(i)

    def eui_of_ref(self, ref: int) -> int | None:
        """The EUI of the device with this numeric ref."""
        if ref in self._refs:
            return self._refs[ref]
        i = ref - REF_BASE
        if 0 <= i < self.size:
            eui = self.eui_of(i)
            rec = self.get(eui)
            if rec is not None and rec["ref"] == str(ref):
                return eui
        return None

    def new_ref(self) -> str:
        """A fresh numeric ref for a created device."""
        self._next_ref += 1
        return str(self._next_ref)

    def next_cellular_eui(self) -> int:
        """The next platform-assigned cellular EUI (F03D29…)."""
        while True:
            eui = self._next_cellular
            self._next_cellular += 1
            if self.get(eui) is None:
                return eui

    def put(self, eui: int, rec: dict[str, Any]) -> None:
        """Store a created or updated device."""
        old = self.get(eui)
        self._adjust_counts(old, -1)
        self._adjust_counts(rec, +1)
        if eui not in self.overlay:
            bisect.insort(self.overlay_keys, eui)
            if eui in self.deleted:
                self.deleted.discard(eui)
            elif old is None:
                self._extra += 1
        self.overlay[eui] = rec
        self.version += 1
        self._refs[int(rec["ref"])] = eui

    def delete(self, eui: int) -> bool:
        """Remove a device; False if there was none."""
        rec = self.get(eui)
        if rec is None:
            return False
        self.version += 1
        self._adjust_counts(rec, -1)
        if eui in self.overlay:
            del self.overlay[eui]
            self.overlay_keys.pop(bisect.bisect_left(self.overlay_keys, eui))
            self._refs.pop(int(rec["ref"]), None)
        if self.index_of(eui) is not None:
            self.deleted.add(eui)
        else:
            self._extra -= 1
        return True

    @property
    def count(self) -> int:
        """How many devices the subscriber has."""
        return self.size - len(self.deleted) + self._extra

    # -- ordered iteration -------------------------------------------------------------------

    def _generated_from(
        self, after: int | None, connectivity: str | None
    ) -> Iterator[tuple[int, int]]:
        i = 0 if after is None else self.index_after(after)
        for seg in self.segments:
            if i >= seg.end:
                continue
            if connectivity is not None and seg.connectivity != connectivity:
                i = seg.end
                continue
            skip = self.deleted or self.overlay
            for k in range(max(i, seg.start), seg.end):
                eui = self.eui_of(k)
                if skip and (eui in self.deleted or eui in self.overlay):
                    continue
                yield eui, k
            i = seg.end

    def iter_devices(
        self, after: int | None = None, connectivity: str | None = None
    ) -> Iterator[tuple[int, int]]:
        """(EUI, index) of every device with an EUI above `after`, ascending; index -1 for overlay ones."""
        start = 0 if after is None else bisect.bisect_right(self.overlay_keys, after)
        overlay = (
            (e, -1)
            for e in self.overlay_keys[start:]
            if connectivity is None or self.overlay[e]["connectivity"] == connectivity
        )
        return heapq.merge(self._generated_from(after, connectivity), overlay)

    def record(self, eui: int, index: int) -> dict[str, Any]:
        """The record of a device yielded by `iter_devices`."""
        return self.generated(index) if index >= 0 else self.overlay[eui]

    def name(self, eui: int, index: int) -> str:
        """The name of a device yielded by `iter_devices` (cheap for generated ones)."""
        return self.name_of(index) if index >= 0 else self.overlay[eui]["name"]

    def page(
        self, after: int | None, connectivity: str | None, needle: str | None, size: int
    ) -> Scan[tuple[list[tuple[int, int]], bool]]:
        """(EUI, index) of the first `size` devices above `after` whose name contains `needle`
        (lower case), and whether another one follows: a scan (see `tui.sim.slices`)."""

        def pick(device: tuple[int, int]) -> tuple[int, int] | None:
            matches = needle is None or needle in self.name(*device).lower()
            return device if matches else None

        return (yield from slices.first(self.iter_devices(after, connectivity), pick, size))

    def count_matching(self, connectivity: str | None, name: str | None) -> Scan[int]:
        """How many devices pass the list filters: a scan of the names (cached until the fleet
        changes) with a name filter, arithmetic without one."""
        if name is None:
            if connectivity is None:
                return self.count
            n = sum(s.length for s in self.segments if s.connectivity == connectivity)
            n -= sum(1 for e in self.deleted if self._generated_connectivity(e) == connectivity)
            # Updates never change connectivity, so only created devices add to the blocks' sizes.
            n += sum(
                1
                for e, rec in self.overlay.items()
                if rec["connectivity"] == connectivity and self.index_of(e) is None
            )
            return n
        key = (connectivity, name.lower(), self.version)
        if key not in self._count_cache:
            needle = name.lower()

            def counted(i: int) -> bool:
                if needle not in self.name_of(i).lower():
                    return False
                eui = self.eui_of(i)
                return eui not in self.deleted and eui not in self.overlay

            generated = itertools.chain.from_iterable(
                range(seg.start, seg.end)
                for seg in self.segments
                if connectivity is None or seg.connectivity == connectivity
            )
            n = yield from slices.count(generated, counted)
            n += sum(
                1
                for rec in self.overlay.values()
                if needle in rec["name"].lower()
                and (connectivity is None or rec["connectivity"] == connectivity)
            )
            # In place: a snapshot shares this dict with the fleet it was taken from.
            self._count_cache.clear()
            self._count_cache[key] = n
        return self._count_cache[key]

    def snapshot(self) -> Fleet:
        """A copy whose changes (overlay, deletions) stay as they are now, for a scan that spans
        several slices while other requests change the fleet; generated devices are shared."""
        view = copy.copy(self)
        view.overlay = dict(self.overlay)
        view.overlay_keys = list(self.overlay_keys)
        view.deleted = set(self.deleted)
        return view

    def _generated_connectivity(self, eui: int) -> str:
        i = self.index_of(eui)
        return "" if i is None else self._segment(i).connectivity


def _imei(body14: int) -> str:
    """A 15-digit IMEI with its Luhn check digit."""
    digits = f"{body14:014d}"
    return digits + str(luhn_digit(digits))


def luhn_digit(digits: str) -> int:
    """The Luhn check digit to append to `digits`."""
    total = 0
    for pos, ch in enumerate(reversed(digits)):
        d = int(ch)
        if pos % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def render_device(rec: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """The full device resource as the API returns it (private keys dropped, dynamic fields set)."""
    out: dict[str, Any] = {"now": now_ms}
    out.update({k: v for k, v in rec.items() if not k.startswith("_")})
    out["href"] = f"{SUB_HREF}/devices/{rec['ref']}"
    last = last_uplink(rec, now_ms)
    if last is not None:
        out["lastUplink"] = last
    out["healthState"] = health_state(rec, last, now_ms)
    return out


_BRIEF_KEYS = ("ref", "name", "model", "connectivity", "activation", "EUI", "appServers")


def render_brief(rec: dict[str, Any], now_ms: int) -> dict[str, Any]:
    """The device brief of a list page."""
    out = {k: rec[k] for k in _BRIEF_KEYS if k in rec}
    out["communicationType"] = rec.get("communicationType", "UNICAST")
    last = last_uplink(rec, now_ms)
    out["healthState"] = health_state(rec, last, now_ms)
    if last is not None:
        out["lastUplink"] = last
    out["href"] = f"{SUB_HREF}/devices/{rec['ref']}"
    return out


def last_uplink_ms(rec: dict[str, Any], now_ms: int) -> int | None:
    """When the device last sent an uplink (None if never)."""
    period = rec.get("_period")
    if not period:
        return None
    period_ms = period * 1000
    phase_ms = rec["_phase"] * 1000
    horizon = now_ms - rec.get("_silent_days", 0) * _DAY_MS
    last = (horizon - phase_ms) // period_ms * period_ms + phase_ms
    return last if last >= rec.get("creationDate", 0) else None


def last_uplink(rec: dict[str, Any], now_ms: int) -> dict[str, Any] | None:
    """The `lastUplink` summary of a device."""
    ts = last_uplink_ms(rec, now_ms)
    if ts is None:
        return None
    if rec["connectivity"] == "CELLULAR":
        return {"timestamp": ts, "size": rec["_size"]}
    r = random.Random(mix(int(rec["EUI"], 16) ^ ts))
    return {
        "timestamp": ts,
        "fPort": 1 + int(rec["EUI"], 16) % 4,
        "rssi": round(rec["_rssi"] + r.uniform(-3, 3), 1),
        "snr": round(rec["_snr"] + r.uniform(-1.5, 1.5), 1),
        "spreadingFactor": 7 + int(-rec["_rssi"] - 55) // 12,
    }


def health_state(rec: dict[str, Any], last: dict[str, Any] | None, now_ms: int) -> str:
    """ACTIVE, INACTIVE (nothing heard for a day) or ERROR."""
    if rec.get("_error"):
        return "ERROR"
    if rec.get("_period") and (last is None or now_ms - last["timestamp"] > _DAY_MS):
        return "INACTIVE"
    return "ACTIVE"


# -- alarms -------------------------------------------------------------------------------------

#: ThingPark-style numbered device alarm types: (ID, type, severity, message).
ALARM_TYPES: list[tuple[int, str, str, str]] = [
    (1, "DEVICE_NO_UPLINK", "MAJOR", "No uplink received from the device for 24 hours"),
    (2, "BATTERY_LOW", "MINOR", "Device battery level is below 10%"),
    (4, "UPLINK_RSSI_LOW", "WARNING", "Average uplink RSSI is below -120 dBm"),
    (5, "UPLINK_SNR_LOW", "WARNING", "Average uplink SNR is below -15 dB"),
    (7, "DOWNLINK_FAILED", "MINOR", "Downlink could not be delivered"),
    (9, "DEVICE_RESET", "INDETERMINATE", "Device reported a reset"),
    (12, "JOIN_FAILURE", "MAJOR", "Repeated OTAA join requests rejected"),
    (17, "FRAME_COUNTER_RESET", "CRITICAL", "Uplink frame counter went back (possible replay)"),
]


@dataclass
class Alarm:
    """One device alarm; `ack` is (user, ms) once acknowledged."""

    uid: str
    number: int
    device_index: int
    kind: int
    created: int
    last: int
    occurrences: int
    cleared: bool
    ack: tuple[str, int] | None = None


class Alarms:
    """The subscriber's device alarms, sorted by alarmUid."""

    def __init__(self, fleet: Fleet, seed: int, count: int, now_ms: int | None = None) -> None:
        self.fleet = fleet
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        anchor_s = now_ms // _DAY_MS * _DAY_MS // 1000
        rng = random.Random(seed * 7919 + 17)
        span = 30 * 86400
        machine = rng.getrandbits(40)
        times = sorted(anchor_s - span + rng.randrange(span) for _ in range(count))
        self.items: list[Alarm] = []
        for n, ts in enumerate(times):
            uid = f"{ts:08x}{machine:010x}{n:06x}"
            kind = rng.randrange(len(ALARM_TYPES))
            occ = 1 + int(rng.expovariate(0.5))
            last = ts * 1000 + (rng.randrange(3 * 86400_000) if occ > 1 else 0)
            acked = rng.random() < 0.3
            alarm = Alarm(
                uid=uid,
                number=n,
                device_index=rng.randrange(fleet.size) if fleet.size else 0,
                kind=kind,
                created=ts * 1000,
                last=min(last, now_ms),
                occurrences=occ,
                cleared=rng.random() < 0.2,
                ack=("ops@fleet-demo", ts * 1000 + 3_600_000) if acked else None,
            )
            self.items.append(alarm)
        self.uids = [a.uid for a in self.items]
        self.by_uid = {a.uid: a for a in self.items}
        #: Bumped by every acknowledgement, so cached counts know they are stale.
        self.version = 0
        self._count_cache: dict[tuple[int | None, bool | None, int, int], int] = {}

    def visible(self, alarm: Alarm, device_eui: int | None, acked: bool | None) -> bool:
        """Whether an alarm passes the list filters (cheap: no device record is built)."""
        if acked is not None and (alarm.ack is not None) != acked:
            return False
        eui = self.device_eui(alarm)
        return eui is not None and (device_eui is None or eui == device_eui)

    def select(
        self, order: range, device_eui: int | None, acked: bool | None, size: int
    ) -> Scan[tuple[list[tuple[Alarm, dict[str, Any]]], bool]]:
        """The first `size` visible alarms in `order` (indexes into `items`) with their devices,
        and whether another one follows: a scan (see `tui.sim.slices`)."""

        def pick(i: int) -> tuple[Alarm, dict[str, Any]] | None:
            alarm = self.items[i]
            if not self.visible(alarm, device_eui, acked):
                return None
            device = self.device(alarm)
            return None if device is None else (alarm, device)

        return (yield from slices.first(order, pick, size))

    def count(self, device_eui: int | None, acked: bool | None) -> Scan[int]:
        """How many alarms pass the filters: a scan, cached until an alarm or the fleet changes."""
        key = (device_eui, acked, self.fleet.version, self.version)
        if key not in self._count_cache:
            n = yield from slices.count(
                self.items, lambda alarm: self.visible(alarm, device_eui, acked)
            )
            self._count_cache.clear()
            self._count_cache[key] = n
        return self._count_cache[key]

    def device_eui(self, alarm: Alarm) -> int | None:
        """The EUI of the alarm's device, None when that device is gone."""
        if not self.fleet.size:
            return None
        eui = self.fleet.eui_of(alarm.device_index)
        return None if eui in self.fleet.deleted else eui

    def device(self, alarm: Alarm) -> dict[str, Any] | None:
        """The alarm's device record, None when that device is gone."""
        if not self.fleet.size:
            return None
        return self.fleet.get(self.fleet.eui_of(alarm.device_index))

    def render(self, alarm: Alarm, device: dict[str, Any]) -> dict[str, Any]:
        """The alarm brief."""
        number, kind, severity, message = ALARM_TYPES[alarm.kind]
        return {
            "ID": number,
            "alarmUid": alarm.uid,
            "device": {"name": device["name"], "EUI": device["EUI"]},
            "type": kind,
            "severity": "CLEARED" if alarm.cleared else severity,
            "state": "CLEARED" if alarm.cleared else "ACTIVE",
            "message": message,
            "creationDate": alarm.created,
            "lastOccurrenceDate": alarm.last,
            "occurrenceCount": alarm.occurrences,
            "acked": alarm.ack is not None,
            "ackUser": alarm.ack[0] if alarm.ack else None,
            "ackDate": alarm.ack[1] if alarm.ack else None,
            "href": f"{SUB_HREF}/devices/{device['ref']}/alarms/{alarm.uid}",
        }

    def find(self, uid: str) -> Alarm | None:
        """An alarm by its alarmUid, None if unknown or if its device is gone."""
        alarm = self.by_uid.get(uid)
        if alarm is None or self.device(alarm) is None:
            return None
        return alarm

    def acknowledge(self, alarm: Alarm, now_ms: int) -> bool:
        """Acknowledge an alarm; False if it already was (the first ack is kept)."""
        if alarm.ack is not None:
            return False
        alarm.ack = (THINGPARK_CLIENT_ID, now_ms)
        self.version += 1
        return True
