"""Forms that create connections: a Basic HTTPS connection and an IoT Flow MQTT connection.

Both dismiss with the `Connection` the platform created (or None when cancelled), so that the
connections view can reload and put its cursor on it.
"""

from __future__ import annotations

from typing import Any

from tui.api.errors import ApiError
from tui.api.models import BasicHttpsConnectionCreate, Connection, IotFlowMqttConnectionCreate
from tui.api.platform import Connections
from tui.widgets.form import FieldSpec, FormScreen


def _connections(form: FormScreen[Any]) -> Connections:
    platform = form.platform
    if not isinstance(platform, Connections):
        raise ApiError("fleet", "this platform has no connections")
    return platform


class BasicHttpsConnectionForm(FormScreen[Connection | None]):
    """An NS-AS tunnel interface: the platform posts uplinks to a URL, signed with a shared key."""

    TITLE = "New Basic HTTPS connection"
    MODEL = BasicHttpsConnectionCreate
    SUBMIT_LABEL = "Create"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. Building management HTTPS"),
            FieldSpec("url", "URL", placeholder="https://www.example.com/myApp"),
            FieldSpec(
                "content_type",
                "Content type",
                kind="choice",
                value="jsontyped",
                options=(("JSON (typed)", "jsontyped"), ("JSON", "json"), ("XML", "xml")),
            ),
            FieldSpec(
                "as_key",
                "Tunnel key",
                kind="secret",
                placeholder="32 hex digits",
                help="tunnel interface authentication key",
            ),
            FieldSpec(
                "max_timestamp_deviation_s",
                "Max time skew (s)",
                kind="int",
                value=10,
                help="maximum timestamp deviation of a downlink, in seconds",
            ),
        ]

    async def submit(self, model: BasicHttpsConnectionCreate) -> Connection | None:
        return await _connections(self).create_basic_https_connection(model)


class IotFlowConnectionForm(FormScreen[Connection | None]):
    """A ThingPark X IoT Flow connection to an MQTT broker."""

    TITLE = "New IoT Flow MQTT connection"
    MODEL = IotFlowMqttConnectionCreate
    SUBMIT_LABEL = "Create"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec("name", "Name", placeholder="e.g. My MQTT connection"),
            FieldSpec("host", "Broker", placeholder="host:port, e.g. broker.example.com:8883"),
            FieldSpec(
                "uplink_topic",
                "Uplink topic",
                value="mqtt/things/{DevEUI}/uplink",
                help="a pattern with {DevEUI}",
            ),
            FieldSpec(
                "downlink_topic",
                "Downlink topic",
                value="mqtt/things/{DevEUI}/downlink",
                help="a pattern with {DevEUI}",
            ),
            FieldSpec(
                "protocol",
                "Protocol",
                kind="choice",
                value="SSL",
                options=(("SSL", "SSL"), ("TCP", "TCP"), ("WSS", "WSS"), ("WS", "WS")),
            ),
            FieldSpec("username", "Username", optional=True),
            FieldSpec("password", "Password", kind="secret", optional=True),
        ]

    def check(self, values: dict[str, Any]) -> dict[str, str]:
        # The vendor refuses a password without a username.
        if values.get("password") and not values.get("username"):
            return {"username": "required with a password"}
        return {}

    async def submit(self, model: IotFlowMqttConnectionCreate) -> Connection | None:
        return await _connections(self).create_iot_flow_connection(model)
