"""The simulated IoTDA project: the demo products plus created ones, and 20,000 devices generated from the seed.

A device is a function of (seed, index); the few columns that list filters read (product, status)
are computed once, on the first device request, for all 20,000 (a few milliseconds), everything
else when the device is shown. Record ids (the list markers) are 24-hex ObjectIds whose first 8
digits are the creation second, growing with the index, so "descending id below the marker" is a
bisection over the index.

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

import bisect
import itertools
import time
from datetime import UTC, datetime
from typing import Any

from tui.sim.iotda.catalog import APPS, PRODUCTS, ProductSpec
from tui.sim.iotda.validation import normalise_services

DEVICES = 20_000
GATEWAY_EVERY = 40
MAX_MARKER = "ffffffffffffffffffffffff"
#: Device records start on 2024-01-02 and one is registered every 20 minutes (~278 days).
_DEVICE_T0 = int(datetime(2024, 1, 2, tzinfo=UTC).timestamp())
_DEVICE_STEP = 1200
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
    """The demo project: products keyed by record id, and the generated devices."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._key = mix(seed & _M64)
        # record id -> product; demo products' record ids are their product ids.
        self.products: dict[str, dict[str, Any]] = {
            spec.product_id: product_from_spec(spec) for spec in PRODUCTS
        }
        self._counter = itertools.count(mix(self._key) & 0xFFFFFF)
        self._specs = {spec.product_id: spec for spec in PRODUCTS}
        self._gateway_spec = next(s for s in PRODUCTS if s.kind == "gateway")
        self._others = [s for s in PRODUCTS if s.kind != "gateway"]
        self._wheel = [i for i, s in enumerate(self._others) for _ in range(s.weight)]
        self._columns: tuple[list[int], list[str], list[int]] | None = None
        self._device_ids: dict[str, int] | None = None
        self._count_cache: dict[tuple[Any, ...], int] = {}

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

    def devices_of(self, product_id: str) -> int:
        """How many devices use a product."""
        return self.count({"product_id": product_id})

    # -- devices ---------------------------------------------------------------------------

    def _hash(self, i: int) -> int:
        return mix(self._key ^ (i * 0x9E3779B97F4A7C15 & _M64))

    def columns(self) -> tuple[list[int], list[str], list[int]]:
        """(record ids as ints, product ids, status indexes) of every device, computed once."""
        if self._columns is None:
            index_of = {id(s): k for k, s in enumerate(PRODUCTS)}
            gateway = index_of[id(self._gateway_spec)]
            others = [index_of[id(s)] for s in self._others]
            wheel, n = self._wheel, len(self._wheel)
            rids, products, statuses = [], [], []
            for i in range(DEVICES):
                h = self._hash(i)
                rids.append(((_DEVICE_T0 + i * _DEVICE_STEP) << 64) | h)
                k = gateway if i % GATEWAY_EVERY == 0 else others[wheel[h % n]]
                products.append(PRODUCTS[k].product_id)
                statuses.append((h >> 20) % 100)
            self._columns = (rids, products, statuses)
        return self._columns

    def node_id(self, i: int) -> str:
        """Device i's node id (IMEI, MAC or sub-device address)."""
        spec = self._specs[self.columns()[1][i]]
        h = self._hash(i)
        if spec.kind == "sub":
            return f"{spec.device_type.lower()}-{i:05d}"
        if spec.protocol_type in ("CoAP", "UDP"):
            return f"8649{(h >> 8) % 10_000:04d}{i:07d}"
        oui = ((h >> 40) & 0xFCFFFF) | 0x020000
        return f"{oui:06X}{i:06X}"

    def device_id(self, i: int) -> str:
        """Device i's device id: `{product_id}_{node_id}`."""
        return f"{self.columns()[1][i]}_{self.node_id(i)}"

    def device_name(self, i: int) -> str:
        spec = self._specs[self.columns()[1][i]]
        return f"{spec.device_type}-{SITES[(self._hash(i) >> 32) % len(SITES)]}-{i:05d}"

    def gateway_of(self, i: int) -> int:
        """The index of the device whose id is device i's gateway_id (itself unless a sub-device)."""
        spec = self._specs[self.columns()[1][i]]
        return i - i % GATEWAY_EVERY if spec.kind == "sub" else i

    def index_of_device(self, device_id: str) -> int | None:
        """The index of a device id (a dict built on first use)."""
        if self._device_ids is None:
            self._device_ids = {self.device_id(i): i for i in range(DEVICES)}
        return self._device_ids.get(device_id)

    def matches(self, i: int, filters: dict[str, str]) -> bool:
        """Whether device i passes every list filter."""
        _, products, _ = self.columns()
        product_id = products[i]
        if "product_id" in filters and product_id != filters["product_id"]:
            return False
        if "app_id" in filters and self._specs[product_id].app_id != filters["app_id"]:
            return False
        if "gateway_id" in filters:
            g = self.gateway_of(i)
            if g == i or self.device_id(g) != filters["gateway_id"]:
                return False
        if "node_id" in filters and self.node_id(i) != filters["node_id"]:
            return False
        return "device_name" not in filters or self.device_name(i) == filters["device_name"]

    def count(self, filters: dict[str, str]) -> int:
        """Devices matching the filters (a scan, cached: the devices never change)."""
        key = tuple(sorted(filters.items()))
        if key not in self._count_cache:
            if not filters:
                self._count_cache[key] = DEVICES
            else:
                self._count_cache[key] = sum(1 for i in range(DEVICES) if self.matches(i, filters))
        return self._count_cache[key]

    def page(self, filters: dict[str, str], marker: int, offset: int, limit: int) -> list[int]:
        """Indexes of the page: matching devices with record id below the marker, descending."""
        rids, _, _ = self.columns()
        out: list[int] = []
        skip = offset
        for i in range(bisect.bisect_left(rids, marker) - 1, -1, -1):
            if filters and not self.matches(i, filters):
                continue
            if skip:
                skip -= 1
                continue
            out.append(i)
            if len(out) == limit:
                break
        return out

    def record_id(self, i: int) -> str:
        return f"{self.columns()[0][i]:024x}"

    def brief(self, i: int) -> dict[str, Any]:
        """A device as the list shows it (QueryDeviceSimplify)."""
        _, products, statuses = self.columns()
        spec = self._specs[products[i]]
        h = self._hash(i)
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
            "description": f"{spec.name} #{i}",
            "fw_version": f"{1 + (h >> 8) % 3}.{(h >> 12) % 10}.{(h >> 16) % 20}",
            "sw_version": f"V{100 + (h >> 24) % 20}R00{1 + (h >> 28) % 3}C00",
            "device_sdk_version": ""
            if spec.kind == "sub"
            else f"C_v{1 + (h >> 32) % 2}.{(h >> 36) % 6}.0",
            "product_id": spec.product_id,
            "product_name": spec.name,
            "status": STATUSES[statuses[i]],
            "tags": [
                {"tag_key": "site", "tag_value": SITES[(h >> 32) % len(SITES)]},
                {
                    "tag_key": "batch",
                    "tag_value": f"B{2024 + i * 4 // DEVICES}-{(i // 500) % 100:02d}",
                },
            ],
        }

    def detail(self, i: int) -> dict[str, Any]:
        """A device as Query a Device shows it."""
        out = self.brief(i)
        h = self._hash(i)
        created = _DEVICE_T0 + i * _DEVICE_STEP
        status = out["status"]
        tags = out.pop("tags")
        out["auth_info"] = {
            "auth_type": "SECRET" if (h >> 44) % 5 else "CERTIFICATES",
            "secure_access": True,
            "timeout": 0,
        }
        out["create_time"] = huawei_time(created)
        if status != "INACTIVE":
            out["active_time"] = iso_millis(created + 600 + (h >> 48) % 86_400)
            out["connection_status_update_time"] = iso_millis(
                created + 86_400 + (h >> 40) % 8_000_000
            )
        out["tags"] = tags
        out["modules"] = [{"module_name": "firmware", "module_version": out["fw_version"]}]
        out["extension_info"] = {}
        return out
