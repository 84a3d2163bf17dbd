"""A plain MQTT gateway for the EnOS simulator's tests: amqtt's client, EnOS's login signed here
(never the client adapter under test elsewhere), and a request/reply helper."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any
from urllib.parse import quote

from amqtt.client import MQTTClient
from amqtt.errors import ConnectError

from tui.sim.enos.data import GATEWAY_DEVICE_KEY, GATEWAY_PRODUCT_KEY, GATEWAY_SECRET
from tui.sim.enos.signing import sign

#: A guard so that a broken simulator fails a test instead of hanging it; never asserted on.
REPLY_GUARD_S = 15.0

_ids = itertools.count(1)


def credentials(
    product_key: str,
    device_key: str,
    secret: str,
    *,
    timestamp: str | None = None,
    method: str = "sha256",
) -> tuple[str, str, str]:
    """(client id, username, password) as EnOS's login page signs them."""
    ts = timestamp or str(int(time.time() * 1000))
    client_id = f"{device_key}|securemode=2,signmethod={method},timestamp={ts}|"
    params = {
        "clientId": device_key,
        "deviceKey": device_key,
        "productKey": product_key,
        "timestamp": ts,
    }
    return client_id, f"{device_key}&{product_key}", sign(params, secret, method)


async def connect(
    address: str,
    client_id: str,
    username: str,
    password: str,
) -> MQTTClient:
    """A connected client; amqtt's ConnectError (with `return_code`) when the broker refuses."""
    client = MQTTClient(client_id=client_id, config={"auto_reconnect": False})
    host = address.removeprefix("mqtt://")
    uri = f"mqtt://{quote(username, safe='')}:{quote(password, safe='')}@{host}"
    try:
        await client.connect(uri, cleansession=True)
    except ConnectError:
        # amqtt's client leaves the refused connection's socket open: close it.
        handler = client._handler
        if handler is not None and handler.writer is not None:
            await handler.writer.close()
        raise
    return client


class Gateway:
    """A logged-in gateway that sends requests under its own topics and reads their replies."""

    def __init__(self, client: MQTTClient, product_key: str, device_key: str) -> None:
        self.client = client
        self.prefix = f"/sys/{product_key}/{device_key}/thing/"

    @classmethod
    async def login(
        cls,
        address: str,
        product_key: str = GATEWAY_PRODUCT_KEY,
        device_key: str = GATEWAY_DEVICE_KEY,
        secret: str = GATEWAY_SECRET,
    ) -> Gateway:
        client = await connect(address, *credentials(product_key, device_key, secret))
        gateway = cls(client, product_key, device_key)
        await client.subscribe([(gateway.prefix + "#", 1)])
        return gateway

    async def send(self, what: str, payload: bytes) -> None:
        """Publish a raw payload to `{prefix}{what}`, QoS 1."""
        await self.client.publish(self.prefix + what, payload, qos=1)

    async def reply(self) -> dict[str, Any]:
        """The next `_reply` delivered to this gateway."""
        while True:
            message = await self.client.deliver_message(timeout_duration=REPLY_GUARD_S)
            assert message is not None, "no reply from the simulator"
            if message.topic.endswith("_reply"):
                return {"topic": message.topic, **json.loads(bytes(message.data or b""))}

    async def request(self, what: str, params: Any, method: str | None = None) -> dict[str, Any]:
        """Send one request (`what` like "device/register") and return its reply, checked to
        carry the request's id on the request's `_reply` topic."""
        request_id = str(next(_ids))
        body = {
            "id": request_id,
            "version": "1.1",
            "method": method or "thing." + what.replace("/", "."),
            "params": params,
        }
        await self.send(what, json.dumps(body, ensure_ascii=False).encode())
        reply = await self.reply()
        assert reply["topic"] == self.prefix + what + "_reply"
        assert reply["id"] == request_id
        return reply

    async def close(self) -> None:
        await self.client.disconnect()


def sub_device(
    device_key: str | None,
    product_key: str = "fleetSubPK1",
    timezone: str = "+08:00",
    **extra: Any,
) -> dict[str, Any]:
    """One register request entry, as the vendor page's sample."""
    entry: dict[str, Any] = {
        "timezone": timezone,
        "productKey": product_key,
        "deviceName": {"defaultValue": "meter", "i18nValue": {"en_US": "Meter", "zh_CN": "电表"}},
        "deviceAttributes": {"location": "Shanghai"},
        "deviceDesc": "a test meter",
    }
    if device_key is not None:
        entry["deviceKey"] = device_key
    entry.update(extra)
    return entry
