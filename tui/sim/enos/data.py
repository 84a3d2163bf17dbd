"""The demo organisation: the gateway of the demo profile and 36 sub-devices already registered
and attached, the same for every run of the same seed."""

from __future__ import annotations

import hashlib

from tui.sim.enos.registry import Device, Registry

GATEWAY_PRODUCT_KEY = "fleetGwPK"
GATEWAY_DEVICE_KEY = "fleet-gw-01"
GATEWAY_SECRET = "enos-demo-gateway-secret"
SUB_PRODUCT_KEYS = ("fleetSubPK1", "fleetSubPK2")
DEMO_SUB_DEVICES = 36

_SITES = [
    ("Shanghai", "上海", "+08:00"),
    ("Beijing", "北京", "+08:00"),
    ("Tokyo", "东京", "+09:00"),
    ("Hamburg", "汉堡", "+01:00"),
    ("London", "伦敦", "+00:00"),
    ("Houston", "休斯敦", "-06:00"),
]
_KINDS = [("Inverter", "逆变器"), ("Meter", "电表"), ("Turbine", "风机")]


def _derived(seed: int, what: str, length: int) -> str:
    """A stable opaque string (assetId, secret) for a demo device."""
    return hashlib.sha256(f"{seed}:{what}".encode()).hexdigest()[:length]


def demo_registry(seed: int = 1, max_devices: int = 1000) -> Registry:
    """The registry the simulator starts with; `max_devices` is each product's quota."""
    registry = Registry(seed=seed, max_devices=max_devices)
    registry.add_product(GATEWAY_PRODUCT_KEY)
    for product_key in SUB_PRODUCT_KEYS:
        registry.add_product(product_key)
    gateway = (GATEWAY_PRODUCT_KEY, GATEWAY_DEVICE_KEY)
    registry.add_device(
        Device(
            product_key=GATEWAY_PRODUCT_KEY,
            device_key=GATEWAY_DEVICE_KEY,
            asset_id=_derived(seed, "asset:gateway", 8),
            secret=GATEWAY_SECRET,
            name={"defaultValue": "Fleet gateway 01", "i18nValue": {"zh_CN": "车队网关 01"}},
            timezone="+08:00",
            desc="The demo profile's gateway",
        )
    )
    for n in range(1, DEMO_SUB_DEVICES + 1):
        product_key = SUB_PRODUCT_KEYS[(n - 1) % len(SUB_PRODUCT_KEYS)]
        site, site_zh, timezone = _SITES[(n - 1) % len(_SITES)]
        kind, kind_zh = _KINDS[(n - 1) % len(_KINDS)]
        device_key = f"fleet-sub-{n:02d}"
        registry.add_device(
            Device(
                product_key=product_key,
                device_key=device_key,
                asset_id=_derived(seed, f"asset:{device_key}", 8),
                secret=_derived(seed, f"secret:{device_key}", 20),
                name={
                    "defaultValue": f"{kind} {n:02d}",
                    "i18nValue": {
                        "en_US": f"{site} {kind} {n:02d}",
                        "zh_CN": f"{site_zh}{kind_zh} {n:02d}",
                    },
                },
                timezone=timezone,
                desc=f"Demo {kind.lower()} in {site}",
                attributes={"location": site},
            )
        )
        registry.attach(gateway, (product_key, device_key))
    return registry
