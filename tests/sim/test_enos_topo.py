"""Topology over loopback MQTT: add (each sub-device signed with its own secret), get, delete."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from tests.sim.enos_gateway import Gateway, sub_device


def signed(pk: str, dk: str, secret: str, method: str = "sha256") -> dict[str, Any]:
    """A topo/add entry signed as EnOS's page says, computed here with hashlib."""
    ts = str(int(time.time() * 1000))
    content = f"clientId{dk}deviceKey{dk}productKey{pk}timestamp{ts}{secret}".encode()
    digest = hashlib.new(method.removeprefix("hmac").lower(), content).hexdigest()
    return {
        "productKey": pk,
        "deviceKey": dk,
        "clientId": dk,
        "timestamp": ts,
        "signMethod": method,
        "sign": digest.upper() if method == "hmacSha1" else digest,
    }


async def registered(gateway: Gateway, *keys: str) -> dict[str, str]:
    reply = await gateway.request("device/register", [sub_device(key) for key in keys])
    assert reply["code"] == 200
    return {d["deviceKey"]: d["deviceSecret"] for d in reply["data"]}


async def children(gateway: Gateway) -> set[tuple[str, str]]:
    reply = await gateway.request("topo/get", {})
    assert reply["code"] == 200
    return {(d["productKey"], d["deviceKey"]) for d in reply["data"]}


async def test_add_get_and_delete(gateway: Gateway) -> None:
    secrets = await registered(gateway, "new-01", "new-02")
    assert ("fleetSubPK1", "new-01") not in await children(gateway)
    entries = [
        signed("fleetSubPK1", "new-01", secrets["new-01"]),
        signed("fleetSubPK1", "new-02", secrets["new-02"], method="hmacSha1"),
    ]
    added = await gateway.request("topo/add", entries)
    assert added["code"] == 200
    attached = await children(gateway)
    assert {("fleetSubPK1", "new-01"), ("fleetSubPK1", "new-02")} <= attached
    assert len(attached) == 38
    deleted = await gateway.request(
        "topo/delete", [{"productKey": "fleetSubPK1", "deviceKey": "new-01"}]
    )
    assert deleted["code"] == 200
    after = await children(gateway)
    assert ("fleetSubPK1", "new-01") not in after and ("fleetSubPK1", "new-02") in after


async def test_a_bad_sign_attaches_none_of_the_request(gateway: Gateway) -> None:
    secrets = await registered(gateway, "good-01", "bad-01")
    entries = [
        signed("fleetSubPK1", "good-01", secrets["good-01"]),
        signed("fleetSubPK1", "bad-01", "not-its-secret"),
    ]
    reply = await gateway.request("topo/add", entries)
    assert reply["code"] == 1220 and "bad-01" in reply["message"]
    assert not {("fleetSubPK1", "good-01"), ("fleetSubPK1", "bad-01")} & await children(gateway)


async def test_an_unknown_sub_device_cannot_be_attached(gateway: Gateway) -> None:
    reply = await gateway.request("topo/add", [signed("fleetSubPK1", "ghost", "x")])
    assert reply["code"] == 1220 and "ghost" in reply["message"]


async def test_deleting_a_device_that_is_not_attached_is_refused(gateway: Gateway) -> None:
    reply = await gateway.request(
        "topo/delete",
        [
            {"productKey": "fleetSubPK1", "deviceKey": "fleet-sub-01"},
            {"productKey": "fleetSubPK1", "deviceKey": "never-attached"},
        ],
    )
    assert reply["code"] == 1220 and "never-attached" in reply["message"]
    assert ("fleetSubPK1", "fleet-sub-01") in await children(gateway)
