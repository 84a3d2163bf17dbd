"""The simulated IoTDA project: the demo products plus created ones, and devices generated from the seed.

The demo has 20,000 devices (`SimConfig.devices` sets another size, up to ten million). A device
is a pure function of (seed, index): nothing is stored for it, so any size starts at once and costs
no memory. Record ids (the list markers) are 24-hex ObjectIds whose first 8 digits are the
registration second, growing with the index, so "descending id below the marker" is arithmetic on
the index; device ids, node ids and device names end with their index, so finding a device by any
of them is a parse and a check, never a scan (a generated device renamed by UpdateDevice is found
through a small index of the new names). Registrations are 20 minutes apart from 2024-01-02
up to 20,000 devices; a larger fleet is registered over the same ~278 days (2 seconds apart at ten
million), so its times stay in the past and its record ids distinct. Changes are small: a set of
the deleted generated indexes, the fields UpdateDevice changed on generated devices (by index),
and a dict of the created devices, merged in record-id order when listing (created devices,
registered now, list first).

Choices where the vendor is silent (documented for adapter authors):
- one in 40 devices (index 0, 40, 80, ...) is an Industrial Edge Gateway; devices of `sub` products
  are ENDPOINTs behind the gateway that precedes them (gateway_id = that gateway's device_id);
  others are direct (node_type GATEWAY, gateway_id = their own device_id, as the SDK documents);
- device_id = `{product_id}_{node_id}` (the platform's rule for ids it allocates); node_id is an
  IMEI for CoAP/UDP (NB-IoT) products, a MAC address for the others and `{type}-{index}` for
  sub-devices; status: ONLINE 55 %, OFFLINE 30 %, INACTIVE 10 %, ABNORMAL 4 %, FROZEN 1 %;
- list filters are exact matches (product_id, gateway_id = its sub-devices one level down,
  node_id, device_name, app_id); page.count is the number of records matching the filters (marker
  and offset aside); page.marker is the record id of the last record returned, null when none;
- products list the same way (descending record id: newest first); a demo product's record id is
  its product id, a created one gets a fresh ObjectId whatever product_id it asked for.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from tui.sim import slices
from tui.sim.iotda.catalog import APPS, PRODUCTS, ProductSpec
from tui.sim.iotda.validation import normalise_services
from tui.sim.slices import Scan

DEFAULT_DEVICES = 20_000
GATEWAY_EVERY = 40
MAX_MARKER = "ffffffffffffffffffffffff"
#: Device records start on 2024-01-02, one registered every 20 minutes (~278 days for the demo).
_DEVICE_T0 = int(datetime(2024, 1, 2, tzinfo=UTC).timestamp())
_DEVICE_STEP = 1200
_DEVICE_SPAN = DEFAULT_DEVICES * _DEVICE_STEP
_M64 = (1 << 64) - 1
STATUSES = ("ONLINE",) * 55 + ("OFFLINE",) * 30 + ("INACTIVE",) * 10 + ("ABNORMAL",) * 4 + ("FROZEN",)  # fmt: skip
SITES = ("Shenzhen", "Shanghai", "Beijing", "Munich", "Paris", "Madrid", "Dubai", "Singapore")


def mix(x: int) -> int:
    """splitmix64: a fast, well-spread hash of a 64-bit integer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def huawei_time(second: float) -> str:
    """yyyyMMdd'T'HHmmss'Z', the vendor's create_time format."""
    return datetime.fromtimestamp(second, UTC).strftime("%Y%m%dT%H%M%SZ")


def iso_millis(second: float) -> str:
    """yyyy-MM-dd'T'HH:mm:ss.SSS'Z', the vendor's format for status and activation times."""
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


#: A device of the project: a generated one's index or a created one's device id.
Device = int | str

_DEVICE_SUMMARY_KEYS = (
    "app_id", "app_name", "device_id", "node_id", "gateway_id", "device_name", "node_type",
    "description", "fw_version", "sw_version", "device_sdk_version", "product_id", "product_name",
    "status", "tags",
)  # fmt: skip


#: The auth_info fields UpdateDevice changes (AuthInfoWithoutSecret).
_AUTH_KEYS = ("secure_access", "timeout")


def public(device: dict[str, Any]) -> dict[str, Any]:
    """A stored device without the simulator's private `_` keys."""
    return {k: v for k, v in device.items() if not k.startswith("_")}


def _created_matches(device: dict[str, Any], filters: dict[str, str]) -> bool:
    """Whether a created device passes every list filter."""
    for key in ("product_id", "app_id", "node_id", "device_name"):
        if key in filters and device[key] != filters[key]:
            return False
    gateway = filters.get("gateway_id")
    return gateway is None or (device["gateway_id"] == gateway != device["device_id"])


def product_from_spec(spec: ProductSpec) -> dict[str, Any]:
    """A demo product as the platform stores it (the full answer of Query a Product)."""
    return {
        "app_id": spec.app_id,
        "app_name": APPS[spec.app_id],
        "product_id": spec.product_id,
        "name": spec.name,
        "device_type": spec.device_type,
        "protocol_type": spec.protocol_type,
        "data_format": spec.data_format,
        "manufacturer_name": spec.manufacturer_name,
        "industry": spec.industry,
        "description": spec.description,
        "service_capabilities": normalise_services(spec.services),
        "create_time": huawei_time(int(spec.product_id[:8], 16)),
    }


class Project:
    """The demo project: products keyed by record id, the generated devices, the devices deleted
    from them (their indexes) and the devices created (by device id)."""

    def __init__(self, seed: int, devices: int = DEFAULT_DEVICES) -> None:
        self.seed = seed
        self.size = devices
        #: Seconds between two registrations (see the module docstring).
        self.step = _DEVICE_STEP if devices <= DEFAULT_DEVICES else max(1, _DEVICE_SPAN // devices)
        self._key = mix(seed & _M64)
        # record id -> product; demo products' record ids are their product ids.
        self.products: dict[str, dict[str, Any]] = {
            spec.product_id: product_from_spec(spec) for spec in PRODUCTS
        }
        self._counter = itertools.count(mix(self._key) & 0xFFFFFF)
        self._specs = {spec.product_id: spec for spec in PRODUCTS}
        self._gateway_spec = next(s for s in PRODUCTS if s.kind == "gateway")
        self._others = [s for s in PRODUCTS if s.kind != "gateway"]
        self._wheel = [s for s in self._others for _ in range(s.weight)]
        #: Generated devices by product id: one scan of the fleet, made on first need.
        self._product_counts: dict[str, int] | None = None
        #: Indexes of deleted generated devices.
        self.deleted: set[int] = set()
        #: Created devices by device id (the stored record: the create answer, its record id in
        #: `_rid`, its depth below a gateway in `_depth`), and their node ids.
        self.created: dict[str, dict[str, Any]] = {}
        self._created_nodes: dict[str, str] = {}
        #: What UpdateDevice changed on generated devices, by index (device_name, description,
        #: extension_info, secure_access, timeout), and the indexes of renamed ones by their new
        #: name (the device_name filter finds them there).
        self.overrides: dict[int, dict[str, Any]] = {}
        self._renamed: dict[str, set[int]] = {}

    # -- products --------------------------------------------------------------------------

    def new_record_id(self) -> str:
        """A fresh ObjectId: this second, then a per-simulator counter."""
        return f"{int(time.time()):08x}{self._key & 0xFFFFFFFFFF:010x}{next(self._counter) & 0xFFFFFF:06x}"

    def find_product(self, product_id: str) -> tuple[str, dict[str, Any]] | None:
        """(record id, product) of a product id, if it exists."""
        if product_id in self.products and self.products[product_id]["product_id"] == product_id:
            return product_id, self.products[product_id]
        for rid, product in self.products.items():
            if product["product_id"] == product_id:
                return rid, product
        return None

    def devices_of(self, product_id: str) -> Scan[int]:
        """How many devices use a product."""
        return self.count({"product_id": product_id})

    # -- generated devices: pure functions of the index --------------------------------------

    def _hash(self, i: int) -> int:
        return mix(self._key ^ (i * 0x9E3779B97F4A7C15 & _M64))

    def spec(self, i: int) -> ProductSpec:
        """Device i's product: every 40th is a gateway, the others drawn by product weight."""
        if i % GATEWAY_EVERY == 0:
            return self._gateway_spec
        return self._wheel[self._hash(i) % len(self._wheel)]

    def status(self, i: int) -> str:
        return STATUSES[(self._hash(i) >> 20) % 100]

    def registered(self, i: int) -> int:
        """Device i's registration second."""
        return _DEVICE_T0 + i * self.step

    def rid(self, i: int) -> int:
        """Device i's record id (the list marker) as an int: registration second, then its hash."""
        return (self.registered(i) << 64) | self._hash(i)

    def index_below(self, marker: int) -> int:
        """The highest index whose record id is below `marker`, -1 if none (arithmetic, no scan)."""
        i = min(max(((marker >> 64) - _DEVICE_T0) // self.step, -1), self.size - 1)
        while i >= 0 and self.rid(i) >= marker:
            i -= 1
        while i + 1 < self.size and self.rid(i + 1) < marker:
            i += 1
        return i

    def node_id(self, i: int) -> str:
        """Device i's node id (IMEI, MAC or sub-device address); each one ends with the index."""
        spec = self.spec(i)
        h = self._hash(i)
        if spec.kind == "sub":
            return f"{spec.device_type.lower()}-{i:05d}"
        if spec.protocol_type in ("CoAP", "UDP"):
            return f"8649{(h >> 8) % 10_000:04d}{i:07d}"
        oui = ((h >> 40) & 0xFCFFFF) | 0x020000
        return f"{oui:06X}{i:06X}"

    def device_id(self, i: int) -> str:
        """Device i's device id: `{product_id}_{node_id}`."""
        return f"{self.spec(i).product_id}_{self.node_id(i)}"

    def device_name(self, i: int) -> str:
        changed = self.overrides.get(i)
        if changed is not None and "device_name" in changed:
            return changed["device_name"]
        spec = self.spec(i)
        return f"{spec.device_type}-{SITES[(self._hash(i) >> 32) % len(SITES)]}-{i:05d}"

    def gateway_of(self, i: int) -> int:
        """The index of the device whose id is device i's gateway_id (itself unless a sub-device)."""
        return i - i % GATEWAY_EVERY if self.spec(i).kind == "sub" else i

    # -- finding generated devices without a scan --------------------------------------------

    def _live(self, i: int) -> bool:
        """Whether generated device i exists (in the fleet, not deleted)."""
        return 0 <= i < self.size and i not in self.deleted

    def _by_node_id(self, node_id: str) -> list[int]:
        """The index whose node id this is, read back from the id's tail and checked."""
        guesses = []
        tail = node_id.rpartition("-")[2]
        if tail.isdigit():  # a sub-device: {type}-{index}
            guesses.append(int(tail))
        if node_id.isdigit() and len(node_id) > 8:  # an IMEI: 8649, 4 digits, index
            guesses.append(int(node_id[8:]))
        if len(node_id) > 6 and all(c in "0123456789ABCDEF" for c in node_id):  # a MAC: OUI, index
            guesses.append(int(node_id[6:], 16))
        return [i for i in guesses if self._live(i) and self.node_id(i) == node_id][:1]

    def _by_device_name(self, name: str) -> list[int]:
        """The indexes named so: read back from a generated name's tail, or renamed so."""
        found = set(self._renamed.get(name, ()))
        tail = name.rpartition("-")[2]
        if tail.isdigit():
            found.add(int(tail))
        return sorted(i for i in found if self._live(i) and self.device_name(i) == name)

    def index_of_device(self, device_id: str) -> int | None:
        """The index of a generated device id, if that device exists."""
        for i in self._by_node_id(device_id.partition("_")[2]):
            if self.device_id(i) == device_id:
                return i
        return None

    def _sub_devices(self, gateway_id: str) -> list[int]:
        g = self.index_of_device(gateway_id)
        if g is None:
            return []
        end = min(g + GATEWAY_EVERY, self.size)
        return [i for i in range(g + 1, end) if self.gateway_of(i) == g and self._live(i)]

    def _pinned(self, filters: dict[str, str]) -> list[int] | None:
        """The few indexes that a node_id, device_name or gateway_id filter allows, ascending;
        None when no such filter is set (every index may match)."""
        if "node_id" in filters:
            return self._by_node_id(filters["node_id"])
        if "device_name" in filters:
            return self._by_device_name(filters["device_name"])
        if "gateway_id" in filters:
            return self._sub_devices(filters["gateway_id"])
        return None

    def _possible_products(self, filters: dict[str, str]) -> list[str]:
        """The product ids generated devices may have under the product_id and app_id filters."""
        specs = [self._gateway_spec, *self._others]
        return [
            s.product_id
            for s in specs
            if filters.get("product_id", s.product_id) == s.product_id
            and filters.get("app_id", s.app_id) == s.app_id
        ]

    def matches(self, i: int, filters: dict[str, str]) -> bool:
        """Whether device i passes every list filter."""
        spec = self.spec(i)
        if "product_id" in filters and spec.product_id != filters["product_id"]:
            return False
        if "app_id" in filters and spec.app_id != filters["app_id"]:
            return False
        if "gateway_id" in filters:
            g = self.gateway_of(i)
            if g == i or self.device_id(g) != filters["gateway_id"]:
                return False
        if "node_id" in filters and self.node_id(i) != filters["node_id"]:
            return False
        return "device_name" not in filters or self.device_name(i) == filters["device_name"]

    def product_counts(self) -> Scan[dict[str, int]]:
        """Generated devices by product id: a scan of the fleet, once (see `tui.sim.slices`)."""
        if self._product_counts is None:
            counts = dict.fromkeys(self._specs, 0)
            for i in range(self.size):
                counts[self.spec(i).product_id] += 1
                if not i % slices.SLICE:
                    yield
            self._product_counts = counts
        return self._product_counts

    def count(self, filters: dict[str, str]) -> Scan[int]:
        """Devices matching the filters (page.count): arithmetic, or a scan the first time a
        product_id or app_id filter is counted."""
        created = sum(1 for dev in self.created.values() if _created_matches(dev, filters))
        pinned = self._pinned(filters)
        if pinned is not None:
            return created + sum(1 for i in pinned if self.matches(i, filters))
        if not filters:
            return created + self.size - len(self.deleted)
        products = self._possible_products(filters)
        if not products:
            return created
        counts = yield from self.product_counts()
        gone = sum(1 for i in self.deleted if self.matches(i, filters))
        return created + sum(counts[p] for p in products) - gone

    def page(
        self, filters: dict[str, str], marker: int, offset: int, limit: int
    ) -> Scan[list[tuple[int, Device]]]:
        """(record id, device) of the page: matching devices with record id below the marker,
        descending, created and generated ones merged."""
        created = sorted(
            (
                (dev["_rid"], dev["device_id"])
                for dev in self.created.values()
                if dev["_rid"] < marker and _created_matches(dev, filters)
            ),
            reverse=True,
        )
        pinned = self._pinned(filters)
        generated: Iterable[tuple[int, Device]]
        if pinned is not None:
            generated = [(self.rid(i), i) for i in reversed(pinned) if self.rid(i) < marker]
        elif self._possible_products(filters):
            generated = ((self.rid(i), i) for i in range(self.index_below(marker), -1, -1))
        else:
            generated = []

        def pick(entry: tuple[int, Device]) -> tuple[int, Device] | None:
            device = entry[1]
            if isinstance(device, str) or (
                device not in self.deleted and self.matches(device, filters)
            ):
                return entry
            return None

        merged = heapq.merge(created, generated, reverse=True)
        found, _ = yield from slices.first(merged, pick, offset + limit)
        return found[offset:]

    # -- devices by id: generated (an index) or created (its device id) ------------------------

    def find(self, device_id: str) -> Device | None:
        """An existing device: a created one's device id, or a generated one's index."""
        return device_id if device_id in self.created else self.index_of_device(device_id)

    def node_taken(self, node_id: str) -> bool:
        return node_id in self._created_nodes or bool(self._by_node_id(node_id))

    def depth(self, device: Device) -> int:
        """How far below a directly connected device this one is (0 for direct ones)."""
        if isinstance(device, str):
            return self.created[device]["_depth"]
        return 0 if self.gateway_of(device) == device else 1

    def has_sub_devices(self, device: Device) -> bool:
        device_id = self.device_id_of(device)
        if isinstance(device, int) and self._sub_devices(device_id):
            return True
        return any(
            dev["gateway_id"] == device_id and dev["device_id"] != device_id
            for dev in self.created.values()
        )

    def delete(self, device: Device) -> None:
        if isinstance(device, str):
            del self._created_nodes[self.created.pop(device)["node_id"]]
        else:
            self.deleted.add(device)
            self._unname(device)
            self.overrides.pop(device, None)

    def update(self, device: Device, body: dict[str, Any]) -> bool:
        """Apply a valid UpdateDevice body; whether any stored field changed.

        A field the body does not carry (or carries as null) is kept; an empty device_name too,
        as a device always has a name (AddDevice gives it the node_id); an empty description
        clears it; extension_info is replaced whole.
        """
        auth = body.get("auth_info") or {}
        wanted = {key: body.get(key) for key in ("description", "extension_info")}
        wanted |= {key: auth.get(key) for key in _AUTH_KEYS}
        wanted["device_name"] = body.get("device_name") or None
        shown = self.show(device)
        current = {**shown, **shown["auth_info"]}
        changes = {k: v for k, v in wanted.items() if v is not None and current[k] != v}
        if isinstance(device, str):
            stored = self.created[device]
            for key, value in changes.items():
                (stored["auth_info"] if key in _AUTH_KEYS else stored)[key] = value
        elif changes:
            if "device_name" in changes:
                self._unname(device)
                self._renamed.setdefault(changes["device_name"], set()).add(device)
            self.overrides.setdefault(device, {}).update(changes)
        return bool(changes)

    def _unname(self, i: int) -> None:
        """Drop generated device i from the index of renamed devices."""
        name = self.overrides.get(i, {}).get("device_name")
        if name is not None:
            self._renamed[name].discard(i)
            if not self._renamed[name]:
                del self._renamed[name]

    def create(
        self,
        body: dict[str, Any],
        product: dict[str, Any],
        gateway: Device | None,
    ) -> dict[str, Any]:
        """Store a device from a valid AddDevice body whose product, gateway and ids were
        checked; returns the stored record."""
        rid = self.new_record_id()
        node_id = body["node_id"]
        device_id = body.get("device_id") or f"{product['product_id']}_{node_id}"
        gateway_id = device_id if gateway is None else self.device_id_of(gateway)
        auth = body.get("auth_info") or {}
        auth_type = auth.get("auth_type") or "SECRET"
        secret = None
        if auth_type == "SECRET":
            # The platform makes a secret when none is given; here it follows from the seed.
            made = random.Random(f"device-secret:{self.seed}:{rid}").getrandbits(128)
            secret = auth.get("secret") or f"{made:032x}"
        device = {
            "app_id": product["app_id"],
            "app_name": product["app_name"],
            "device_id": device_id,
            "node_id": node_id,
            "gateway_id": gateway_id,
            "device_name": body.get("device_name") or node_id,
            "node_type": "GATEWAY" if gateway is None else "ENDPOINT",
            "description": body.get("description"),
            "fw_version": None,
            "sw_version": None,
            "device_sdk_version": None,
            "auth_info": {
                "auth_type": auth_type,
                "secret": secret,
                "fingerprint": auth.get("fingerprint") if auth_type == "CERTIFICATES" else None,
                "secure_access": auth.get("secure_access", True),
                "timeout": auth.get("timeout", 0),
            },
            "product_id": product["product_id"],
            "product_name": product["name"],
            "status": "INACTIVE",
            "create_time": huawei_time(int(rid[:8], 16)),
            "tags": [],
            "modules": [],
            "extension_info": body.get("extension_info"),
            "_rid": int(rid, 16),
            "_depth": 0 if gateway is None else self.depth(gateway) + 1,
        }
        self.created[device_id] = device
        self._created_nodes[node_id] = device_id
        return device

    def device_id_of(self, device: Device) -> str:
        return device if isinstance(device, str) else self.device_id(device)

    def summary(self, device: Device) -> dict[str, Any]:
        """A device as the list shows it (QueryDeviceSimplify)."""
        if isinstance(device, int):
            return self.brief(device)
        stored = self.created[device]
        return {key: stored[key] for key in _DEVICE_SUMMARY_KEYS}

    def show(self, device: Device) -> dict[str, Any]:
        """A device as Query a Device shows it (no secret: only the create answer has it)."""
        if isinstance(device, int):
            return self.detail(device)
        out = public(self.created[device])
        out["auth_info"] = {
            k: out["auth_info"][k] for k in ("auth_type", "secure_access", "timeout")
        }
        return out

    def brief(self, i: int) -> dict[str, Any]:
        """A device as the list shows it (QueryDeviceSimplify)."""
        spec = self.spec(i)
        h = self._hash(i)
        changed = self.overrides.get(i, {})
        gateway = self.gateway_of(i)
        device_id = self.device_id(i)
        return {
            "app_id": spec.app_id,
            "app_name": APPS[spec.app_id],
            "device_id": device_id,
            "node_id": self.node_id(i),
            "gateway_id": device_id if gateway == i else self.device_id(gateway),
            "device_name": self.device_name(i),
            "node_type": "ENDPOINT" if spec.kind == "sub" else "GATEWAY",
            "description": changed.get("description", f"{spec.name} #{i}"),
            "fw_version": f"{1 + (h >> 8) % 3}.{(h >> 12) % 10}.{(h >> 16) % 20}",
            "sw_version": f"V{100 + (h >> 24) % 20}R00{1 + (h >> 28) % 3}C00",
            "device_sdk_version": ""
            if spec.kind == "sub"
            else f"C_v{1 + (h >> 32) % 2}.{(h >> 36) % 6}.0",
            "product_id": spec.product_id,
            "product_name": spec.name,
            "status": self.status(i),
            "tags": [
                {"tag_key": "site", "tag_value": SITES[(h >> 32) % len(SITES)]},
                {
                    "tag_key": "batch",
                    "tag_value": f"B{2024 + i * 4 // self.size}-{(i // 500) % 100:02d}",
                },
            ],
        }

    def detail(self, i: int) -> dict[str, Any]:
        """A device as Query a Device shows it."""
        out = self.brief(i)
        h = self._hash(i)
        changed = self.overrides.get(i, {})
        created = self.registered(i)
        status = out["status"]
        tags = out.pop("tags")
        out["auth_info"] = {
            "auth_type": "SECRET" if (h >> 44) % 5 else "CERTIFICATES",
            "secure_access": changed.get("secure_access", True),
            "timeout": changed.get("timeout", 0),
        }
        out["create_time"] = huawei_time(created)
        if status != "INACTIVE":
            out["active_time"] = iso_millis(created + 600 + (h >> 48) % 86_400)
            out["connection_status_update_time"] = iso_millis(
                created + 86_400 + (h >> 40) % 8_000_000
            )
        out["tags"] = tags
        out["modules"] = [{"module_name": "firmware", "module_version": out["fw_version"]}]
        out["extension_info"] = changed.get("extension_info", {})
        return out
