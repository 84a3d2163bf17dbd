"""Each platform's server-side look-ups (`DeviceDirectory.find_devices(text, by=…)`) and its
`whoami`, over real loopback HTTP (MQTT for EnOS) against the simulator, and the overview's
search that asks them all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.integration.test_enos import gateway
from tests.integration.test_iotda import connect as iotda
from tests.integration.test_mythings import connect as mythings
from tests.integration.test_telit import user
from tests.integration.test_thingpark import connect as thingpark
from tui.api.overview import find_devices
from tui.api.platforms.iotda import mask_access_key
from tui.api.platforms.telit import Telit
from tui.sim.credentials import (
    IOTDA_ACCESS_KEY,
    IOTDA_IAM_TOKEN,
    IOTDA_PROJECT_ID,
    IOTDA_SECRET_KEY,
    MYTHINGS_CLIENT_ID,
    MYTHINGS_COMPANY_ID,
    MYTHINGS_PERMANENT_TOKEN,
    TELIT_APP_ID,
    TELIT_APP_TOKEN,
    TELIT_USERNAME,
    THINGPARK_CLIENT_ID,
    THINGPARK_CLIENT_SECRET,
    THINGPARK_SUBSCRIBER_ID,
)
from tui.sim.enos.data import GATEWAY_DEVICE_KEY, GATEWAY_PRODUCT_KEY, GATEWAY_SECRET
from tui.sim.server import SimServer

# ---------------------------------------------------------------- IoTDA


async def test_iotda_finds_a_device_by_its_node_id_an_imei(sim: SimServer) -> None:
    async with iotda(sim) as platform:
        device = next(d for d in (await platform.list_devices()).items if (d.eui or "").isdigit())
        assert device.eui is not None and len(device.eui) == 15  # an NB-IoT device's IMEI
        found = await platform.find_devices(device.eui, by="node_id")
        assert [d.key for d in found] == [device.key]
        assert await platform.find_devices("000000000000000", by="node_id") == []
        # The overview asks the id, the name and the node id at once: the IMEI finds it once.
        assert [d.key for d in await find_devices(platform, device.eui)] == [device.key]
        assert [d.key for d in await find_devices(platform, device.key)] == [device.key]
        assert [d.key for d in await find_devices(platform, device.name)] == [device.key]
        # Longer than the vendor's filters take: nothing found, nothing refused.
        assert await find_devices(platform, "x" * 300) == []


async def test_iotda_whoami_is_the_project_and_the_masked_access_key(sim: SimServer) -> None:
    async with iotda(sim) as platform:
        who = await platform.whoami()
    assert who.startswith(f"project {IOTDA_PROJECT_ID}, instance ")
    assert mask_access_key(IOTDA_ACCESS_KEY) in who
    assert IOTDA_ACCESS_KEY not in who and IOTDA_SECRET_KEY not in who
    async with iotda(sim, token=IOTDA_IAM_TOKEN) as platform:
        who = await platform.whoami()
    assert who.endswith("with an IAM token") and IOTDA_IAM_TOKEN not in who


# ---------------------------------------------------------------- Telit


async def _raw_things(platform: Telit) -> list[dict[str, object]]:
    answer = await platform.tr50.call("thing.list", {"limit": 50})
    return list(answer["result"])


async def test_telit_finds_a_thing_by_its_imei_and_its_iccid(sim: SimServer) -> None:
    async with user(sim.base_url) as platform:
        things = await _raw_things(platform)
        with_imei = next(t for t in things if t.get("imei"))
        with_iccid = next(t for t in things if t.get("iccid"))
        found = await platform.find_devices(str(with_imei["imei"]), by="imei")
        assert with_imei["key"] in [d.key for d in found]
        found = await platform.find_devices(str(with_iccid["iccid"]), by="iccid")
        assert [d.key for d in found] == [with_iccid["key"]]
        assert await platform.find_devices("89000000000000000000", by="iccid") == []
        # Not an IMEI at all: not asked.
        assert await platform.find_devices("pump", by="imei") == []
        # The overview's search finds both, and the thing key too.
        found = await find_devices(platform, str(with_iccid["iccid"]))
        assert [d.key for d in found] == [with_iccid["key"]]
        found = await find_devices(platform, str(with_imei["key"]))
        assert [d.key for d in found] == [with_imei["key"]]


async def test_telit_whoami_is_the_session_user_or_application(
    make_sim: Callable[..., SimServer],
) -> None:
    small = make_sim(devices=40, alarms=0)
    async with user(small.base_url) as platform:
        assert await platform.whoami() == f"user {TELIT_USERNAME}, organisation Fleet demo"
    app = Telit(small.base_url, app_id=TELIT_APP_ID, app_token=TELIT_APP_TOKEN, thing_key="gw-7")
    async with app as platform:
        who = await platform.whoami()
    assert who.startswith(f"application {TELIT_APP_ID} as thing gw-7, organisation ")
    assert TELIT_APP_TOKEN not in who


# ---------------------------------------------------------------- MyThings


async def test_mythings_finds_a_thing_by_identifier_and_by_name(sim: SimServer) -> None:
    async with mythings(sim.base_url) as platform:
        thing = (await platform.list_devices()).items[3]
        assert [d.key for d in await platform.find_devices(thing.key, by="key")] == [thing.key]
        assert thing.key in [d.key for d in await platform.find_devices(thing.name, by="name")]
        assert await platform.find_devices("FFFFFFFFFFFFFFF0", by="key") == []
        assert [d.key for d in await find_devices(platform, thing.key)] == [thing.key]
        # No IMEI look-up on MyThings: an IMEI is asked as a name only, and finds nothing.
        assert await find_devices(platform, "350000000000007") == []


async def test_mythings_whoami_is_the_application(sim: SimServer) -> None:
    async with mythings(sim.base_url) as platform:
        who = await platform.whoami()
    assert who == f"application {MYTHINGS_CLIENT_ID}, company {MYTHINGS_COMPANY_ID}"
    async with mythings(sim.base_url, token=MYTHINGS_PERMANENT_TOKEN) as platform:
        who = await platform.whoami()
    assert who.startswith("a permanent token") and MYTHINGS_PERMANENT_TOKEN not in who


# ---------------------------------------------------------------- ThingPark


async def test_thingpark_finds_a_device_by_its_deveui_only(sim: SimServer) -> None:
    async with thingpark(sim.base_url) as platform:
        device = (await platform.list_devices()).items[5]
        found = await find_devices(platform, device.key.lower())
        assert [d.key for d in found] == [device.key]
        assert await find_devices(platform, device.name) == []  # no name look-up: not walked
        assert await find_devices(platform, "F1EE700000000000") == []


async def test_thingpark_whoami_is_the_tokens_client_and_subscriber(sim: SimServer) -> None:
    async with thingpark(sim.base_url) as platform:
        who = await platform.whoami()
    assert who == f"client {THINGPARK_CLIENT_ID}, subscriber {THINGPARK_SUBSCRIBER_ID}"
    assert THINGPARK_CLIENT_SECRET not in who


# ---------------------------------------------------------------- EnOS


async def test_enos_finds_a_sub_device_by_its_key_and_names_the_gateway(
    make_sim: Callable[..., SimServer], tmp_path: Path
) -> None:
    server = make_sim(devices=0, alarms=0)
    platform = gateway(server.mqtt_address, registry=tmp_path / "enos-registry.db")
    try:
        device = (await platform.list_devices()).items[0]
        assert [d.key for d in await find_devices(platform, device.key)] == [device.key]
        assert await find_devices(platform, f"{device.model}/nobody_here") == []
        assert await find_devices(platform, "not a key") == []
        who = await platform.whoami()
        assert who.startswith(f"gateway {GATEWAY_PRODUCT_KEY}/{GATEWAY_DEVICE_KEY}, login ")
        assert GATEWAY_SECRET not in who
    finally:
        await platform.aclose()
