"""The fixed demo credentials the simulator accepts, and the banner `fleet sim` prints."""

from __future__ import annotations

from tui.sim.enos import data as enos
from tui.sim.ops import PREFIX

THINGPARK_CLIENT_ID = "sub-199983788/fleet-demo"
THINGPARK_CLIENT_SECRET = "thingpark-demo-secret"
THINGPARK_SUBSCRIBER_ID = "199983788"

IOTDA_ACCESS_KEY = "FLEETDEMOIOTDAAK0001"
IOTDA_SECRET_KEY = "iotda-demo-secret-key"
IOTDA_PROJECT_ID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
IOTDA_INSTANCE_ID = "fleet-demo-instance"
#: The IAM user token accepted in `X-Auth-Token` (the alternative to AK/SK signing).
IOTDA_IAM_TOKEN = "iotda-demo-iam-token"

MYTHINGS_CLIENT_ID = "fleet-demo"
MYTHINGS_CLIENT_SECRET = "mythings-demo-secret"
MYTHINGS_COMPANY_ID = 987
#: A permanent token of the demo application (made in the vendor's "TOKEN" dashboard): no expiry,
#: not revoked by `/revoke`.
MYTHINGS_PERMANENT_TOKEN = "5e3f7a1c-2b8d-4c6e-9f0a-1d2c3b4a5e6f"

TELIT_USERNAME = "demo@fleet.example"
TELIT_PASSWORD = "telit-demo-password"
#: The demo application whose token a simulated gateway presents (`fleet sim-gateway`): it
#: auto-registers things of the "gateway" thing definition.
TELIT_APP_ID = "5f7e1a2b3c4d5e6f7a8b9c01"
TELIT_APP_TOKEN = "telit-demo-app-token"

#: One block per simulated platform, then the simulator's own: (title, [(label, value-or-path)]);
#: a value starting with "/" is a path on the simulator and is printed after the base URL. Other
#: platforms add blocks.
_PLATFORMS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Actility ThingPark",
        [
            ("token URL", "/users-auth/protocol/openid-connect/token"),
            ("API base", "/thingpark/wireless/rest"),
            ("DX Core base", "/thingpark/dx/core/latest/api"),
            ("client_id", THINGPARK_CLIENT_ID),
            ("client_secret", THINGPARK_CLIENT_SECRET),
            ("subscriber", THINGPARK_SUBSCRIBER_ID),
        ],
    ),
    (
        "Huawei IoTDA v5",
        [
            ("endpoint", "/"),
            ("API base", f"/v5/iot/{IOTDA_PROJECT_ID}"),
            ("project_id", IOTDA_PROJECT_ID),
            ("instance_id", IOTDA_INSTANCE_ID),
            ("access_key", IOTDA_ACCESS_KEY),
            ("secret_key", IOTDA_SECRET_KEY),
            ("IAM token", IOTDA_IAM_TOKEN),
        ],
    ),
    (
        "Proximus MyThings",
        [
            ("token URL", "/token"),
            ("revoke URL", "/revoke"),
            ("API base", "/mythings/1.1.0"),
            ("client_id", MYTHINGS_CLIENT_ID),
            ("client_secret", MYTHINGS_CLIENT_SECRET),
            ("company id", str(MYTHINGS_COMPANY_ID)),
            ("permanent token", MYTHINGS_PERMANENT_TOKEN),
        ],
    ),
    (
        "Telit IoT Portal (deviceWISE TR50)",
        [
            ("API endpoint (POST)", "/api"),
            ("username", TELIT_USERNAME),
            ("password", TELIT_PASSWORD),
            ("gateway appId", TELIT_APP_ID),
            ("gateway appToken", TELIT_APP_TOKEN),
            ("simulated gateway", "fleet sim-gateway THING_KEY"),
        ],
    ),
    (
        "The simulator's own test surface (no auth, no faults, not a vendor API)",
        [
            ("operation counters", PREFIX + "ops"),
            ("reset them (POST)", PREFIX + "ops/reset"),
            ("EnOS registry", PREFIX + "enos"),
            ("Telit counts", PREFIX + "telit"),
        ],
    ),
]


def _enos(mqtt_address: str) -> tuple[str, list[tuple[str, str]]]:
    return (
        "EnOS (MQTT 3.1.1, gateway sub-device registration)",
        [
            ("broker", mqtt_address),
            ("productKey", enos.GATEWAY_PRODUCT_KEY),
            ("deviceKey", enos.GATEWAY_DEVICE_KEY),
            ("deviceSecret", enos.GATEWAY_SECRET),
            ("sub-products", ", ".join(enos.SUB_PRODUCT_KEYS)),
        ],
    )


def banner(base_url: str, mqtt_address: str | None = None) -> str:
    """The multi-line text `fleet sim` prints: its base URL, then each platform's URLs and demo
    credentials (EnOS's when the MQTT broker's address is given)."""
    base = base_url.rstrip("/")
    lines = [f"fleet sim listening on {base}"]
    blocks = list(_PLATFORMS)
    if mqtt_address is not None:
        blocks.insert(-1, _enos(mqtt_address))
    for title, rows in blocks:
        lines.append("")
        lines.append(title)
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            shown = base + value if value.startswith("/") else value
            lines.append(f"  {label.ljust(width)}  {shown}")
    return "\n".join(lines) + "\n"
