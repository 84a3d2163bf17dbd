"""The MyThings adapter over real HTTP against the embedded simulator: every adapter method,
tokens (reuse, expiry, a 401, revoke, a permanent token) and the vendor's errors."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.models import BaseStationLocation, DeviceSummary
from tui.api.paging import walk
from tui.api.platforms.mythings import MyThings
from tui.api.platforms.mythings_forms import (
    AbpKeysChange,
    ConfigurationTemplateCommand,
    LocationChange,
    MyThingsDownlink,
    OtaaKeysChange,
    StreamDefinitionCreate,
    StreamDefinitionUpdate,
    TagsReplace,
    ThingAbpCreate,
    ThingEthernetCreate,
    ThingNameChange,
    ThingOtaaCreate,
)
from tui.sim.credentials import (
    MYTHINGS_CLIENT_ID,
    MYTHINGS_CLIENT_SECRET,
    MYTHINGS_COMPANY_ID,
    MYTHINGS_PERMANENT_TOKEN,
)

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)


class Counting(httpx.AsyncBaseTransport):
    """A real HTTP transport that records (method, path, status) of every request sent."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self.calls: list[tuple[str, str, int]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        self.calls.append((request.method, request.url.path, response.status_code))
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

    def paths(self, path: str) -> list[tuple[str, str, int]]:
        return [c for c in self.calls if c[1] == path]


def connect(base_url: str, **kwargs: Any) -> MyThings:
    kwargs.setdefault("company_id", MYTHINGS_COMPANY_ID)
    if "token" in kwargs:
        return MyThings(base_url, **kwargs)
    secret = kwargs.pop("client_secret", MYTHINGS_CLIENT_SECRET)
    return MyThings(base_url, MYTHINGS_CLIENT_ID, secret, **kwargs)


def fresh_id() -> str:
    return "F1EE7" + secrets.token_hex(6).upper()[:11]


@pytest.fixture
async def mt(sim: Any) -> AsyncIterator[MyThings]:
    async with connect(sim.base_url) as platform:
        yield platform  # type: ignore[misc]


@pytest.fixture
async def small(make_sim: Any) -> AsyncIterator[MyThings]:
    """A small company of its own, for tests that change things."""
    server = make_sim(devices=40, alarms=30)
    async with connect(server.base_url) as platform:
        yield platform  # type: ignore[misc]


async def _lora(mt: MyThings) -> DeviceSummary:
    things = (await mt.list_devices()).items
    return next(t for t in things if (t.connectivity or "").startswith("LORA"))


def _otaa(identifier: str) -> ThingOtaaCreate:
    return ThingOtaaCreate(
        thing_identifier=identifier,
        thing_name="fleet test thing",
        thing_type_id="10",
        application_eui="70B3D57ED0000001",
        application_key=secrets.token_hex(16).upper(),
        tags=["fleet-test"],
        latitude="50.85",
        longitude="4.35",
    )


# ---------------------------------------------------------------- things


async def test_the_whole_company_in_one_answer(mt: MyThings) -> None:
    pages = [p async for p in walk(mt.list_devices)]
    assert len(pages) == 1 and pages[0].cursor is None
    things = pages[0].items
    assert len(things) == 5000
    assert len({t.key for t in things}) == len(things)
    assert all(mt.DEVICE_KEY.check(t.key) is None for t in things)
    name = things[7].name
    found = (await mt.list_devices(query=name)).items
    assert things[7].key in {t.key for t in found} and {t.name for t in found} == {name}
    contains = (await mt.list_things(thing_name=name.split()[0])).items  # the vendor's filter
    assert len(contains) > len(found)
    tagged = await mt.list_things(results=5)
    assert len(tagged.items) == 5


async def test_thing_detail_shows_identity_location_provisioning_tags_and_secret_keys(
    mt: MyThings,
) -> None:
    thing = await _lora(mt)
    detail = await mt.get_device(thing.key)
    assert detail.key == thing.key and detail.summary == thing
    titles = [s.title for s in detail.sections]
    assert titles[:3] == ["Identity", "Location", "Provisioning"]
    fields = [f for s in detail.sections for f in s.fields]
    keys = [f for f in fields if f.label.lower().endswith(("applicationkey", "networksessionkey"))]
    assert keys and all(f.secret for f in keys)
    assert not any(f.secret for f in fields if f.label.lower().endswith("applicationeui"))


async def test_create_read_update_tag_provision_and_delete_an_otaa_thing(small: MyThings) -> None:
    mt = small
    key = fresh_id()
    spec = _otaa(key)
    assert await mt.create_device("lora-otaa", spec) == key
    detail = await mt.get_device(key)
    assert detail.summary.connectivity == "LORA.OTAA" and detail.summary.name == "fleet test thing"
    await mt.edit_device(key, "name", ThingNameChange(thing_name="renamed"))
    await mt.edit_device(key, "location", LocationChange(latitude="51", location_fn1="Gent"))
    keys = OtaaKeysChange(application_eui="70B3D57ED0000002", application_key="AB" * 16)
    await mt.edit_device(key, "otaa-keys", keys)
    detail = await mt.get_device(key)
    assert detail.name == "renamed"
    assert "AB" * 16 in str(detail.raw) and "Gent" in str(detail.raw)
    assert "extra-tag" in await mt.set_tags(key, ["extra-tag"])
    assert "fleet-test" in await mt.set_tags(key, ["extra-tag"])  # added, nothing lost
    await mt.edit_device(key, "tags", TagsReplace(tags=["only", "these"]))
    assert (await mt.get_device(key)).raw["tags"] == ["only", "these"]  # replaced
    assert await mt.deprovision_device(key)
    assert (await mt.get_device(key)).summary.health == "not provisioned"
    assert await mt.provision_device(key)
    assert (await mt.get_device(key)).summary.health in ("provisioned", "network ready")
    containers = await mt.thing_type(key)
    assert containers.containers
    name = containers.containers[0].name or ""
    assert await mt.delete_container(key, name)
    assert name not in {c.name for c in (await mt.thing_type(key)).containers or ()}
    await mt.delete_device(key)
    with pytest.raises(ApiError) as gone:
        await mt.get_device(key)
    assert gone.value.status == 404


async def test_create_an_abp_thing_with_a_reserved_address(small: MyThings) -> None:
    mt = small
    form = {f.id: f for f in mt.device_forms()}["lora-abp"]
    addresses = await form.choices["device_address"]()
    assert addresses
    types = await form.choices["thing_type_id"]()
    plans = await form.choices["connectivity_plan"]()
    key = fresh_id()
    spec = ThingAbpCreate(
        thing_identifier=key,
        thing_type_id=types[0].value,
        connectivity_plan=plans[0].value,
        device_address=addresses[0].value,
        network_session_key=secrets.token_hex(16),
        application_session_keys=f"1:{secrets.token_hex(16)}",
    )
    await mt.create_device("lora-abp", spec)
    detail = await mt.get_device(key)
    assert detail.summary.activation == "ABP"
    assert addresses[0].value in str(detail.raw)
    assert addresses[0].value not in [c.value for c in await form.choices["device_address"]()]
    new = AbpKeysChange(network_session_key="CD" * 16, application_session_keys=f"2:{'EF' * 16}")
    await mt.edit_device(key, "abp-keys", new)
    assert "CD" * 16 in str((await mt.get_device(key)).raw)


async def test_an_ethernet_thing_takes_no_downlink(small: MyThings) -> None:
    mt = small
    key = "eth-env:" + secrets.token_hex(3)
    await mt.create_device(
        "ethernet",
        ThingEthernetCreate(thing_identifier=key, thing_type_id="24", serial_number="SN-42"),
    )
    assert (await mt.get_device(key)).key == key
    summary = (await mt.get_device(key)).summary
    assert summary.connectivity == "ETHERNET" and mt.device_commands(summary) == []
    with pytest.raises(ApiError) as refused:
        await mt.send_downlink(key, MyThingsDownlink(payload="00", fport=1))
    assert refused.value.status == 400


async def test_vendor_codes_and_messages_surface_in_api_errors(small: MyThings) -> None:
    mt = small
    thing = await _lora(mt)
    with pytest.raises(ApiError) as taken:
        await mt.create_thing(_otaa(thing.key))
    assert taken.value.status == 409 and taken.value.code == "409"
    with pytest.raises(ApiError) as invalid:
        await mt.update_thing(thing.key, {"keysLoRaOTAA": {"applicationKey": "12"}})
    assert invalid.value.status == 400 and invalid.value.code == "400"
    assert "ApplicationKey must be 32 characters" in invalid.value.message
    with pytest.raises(ApiError) as unknown_type:
        await mt.create_thing(_otaa(fresh_id()).model_copy(update={"thing_type_id": "999"}))
    assert unknown_type.value.status == 400 and "999" in unknown_type.value.message
    with pytest.raises(ApiError) as missing:
        await mt.get_device("FFFFFFFFFFFFFFF0")
    assert missing.value.status == 404 and missing.value.message


async def test_device_addresses_reserve_and_assign(small: MyThings) -> None:
    mt = small
    reserved = await mt.reserve_device_addresses(2)
    assert len(reserved) == 2
    assert set(reserved) <= set(await mt.device_addresses(1000))
    assert await mt.assign_device_addresses(reserved[:1]) == reserved[:1]
    assert reserved[0] not in await mt.device_addresses(1000)
    with pytest.raises(ApiError) as refused:
        await mt.device_addresses(0)
    assert refused.value.status == 400 and "Amount" in refused.value.message


# ---------------------------------------------------------------- catalogues, base stations


async def test_catalogues(mt: MyThings) -> None:
    plans = await mt.connectivity_plans()
    assert plans and all(p.key and p.name for p in plans)
    types = await mt.thing_types()
    assert {t.key for t in types} >= {"10", "24"}
    models = await mt.device_models()
    assert len(models) == len(types)
    assert "Elsys" in await mt.vendors()
    definitions = await mt.container_definitions("Temperature and humidity")
    assert {d.name for d in definitions} >= {"temperature", "humidity"}
    assert all(d.thingTypeName == "Temperature and humidity" for d in definitions)


async def test_base_stations_and_their_location(small: MyThings) -> None:
    mt = small
    stations = await mt.list_base_stations()
    assert stations
    station = await mt.get_base_station(stations[0].key)
    assert station.key == stations[0].key
    where = BaseStationLocation(latitude="50.5", longitude="4.25", location_name="Wall street")
    moved = await mt.set_base_station_location(station.key, where)
    assert (moved.latitude, moved.longitude, moved.location_name) == ("50.5", "4.25", "Wall street")
    assert (await mt.get_base_station(station.key)).location_name == "Wall street"


# ---------------------------------------------------------------- downlinks


async def test_downlink_and_configuration_templates(small: MyThings) -> None:
    mt = small
    things = [t for t in (await mt.list_devices()).items if t.health == "network ready"][:2]
    account = await mt.send_command(
        things[0].key, "downlink", MyThingsDownlink(payload="04FD20D9", fport=9, ack=True)
    )
    assert account.startswith("Sent 4 bytes on fPort 9, ack")
    templates = await mt.configuration_templates()
    assert templates
    said = await mt.send_command(
        things[0].key, "template", ConfigurationTemplateCommand(template=templates[0].key)
    )
    assert templates[0].key in said
    assert (
        await mt.send_configuration_template(templates[0].key, [t.key for t in things]) is not None
    )
    with pytest.raises(ApiError) as refused:
        await mt.send_configuration_template(templates[0].key, [things[0].key, "FFFFFFFFFFFFFFF0"])
    assert refused.value.status == 400 and "FFFFFFFFFFFFFFF0" in refused.value.message


# ---------------------------------------------------------------- logs, counts, values


async def test_logs_are_paged_by_number_behind_the_cursor(mt: MyThings) -> None:
    thing = await _lora(mt)
    first = await mt.device_log(thing.key, "decoded")
    assert first.cursor == "1" and first.total and len(first.items) == 20
    second = await mt.device_log(thing.key, "decoded", first.cursor)
    assert second.cursor == "2" and second.total is None
    assert first.items[0].raw != second.items[0].raw
    assert all(e.at is not None and e.source for e in first.items)
    frames = await mt.device_log(thing.key, "network")
    assert frames.items and all(e.at is not None for e in frames.items)
    recent = [p async for p in walk(lambda c: mt.device_log(thing.key, "network", c, timeframe=2))]
    rows = [e for p in recent for e in p.items]
    assert len(rows) == (recent[0].total or 0)
    assert len({str(e.raw) for e in rows}) == len(rows)


async def test_tracker_locations(mt: MyThings) -> None:
    things = (await mt.list_devices()).items
    tracker = next(t for t in things if (t.model or "").startswith("GPS tracker"))
    where = await mt.device_log(tracker.key, "locations")
    assert where.items and "," in where.items[0].value


async def test_counts_by_interval_and_traffic(mt: MyThings) -> None:
    thing = await _lora(mt)
    for interval in ("HOURLY", "DAILY", "WEEKLY", "MONTHLY"):
        buckets = await mt.log_counts(thing.key, "decoded", interval)
        assert buckets and buckets == sorted(buckets, key=lambda b: b.start)
    daily = await mt.traffic(thing.key, duration="P7D", step="P1D", timezone="Europe/Brussels")
    assert 7 <= len(daily) <= 8 and sum(b.up for b in daily) > 0
    hourly = await mt.traffic(thing.key, duration="PT6H", step="PT1H", timezone="UTC")
    assert 6 <= len(hourly) <= 7


async def test_container_values(mt: MyThings) -> None:
    thing = await _lora(mt)
    container = ((await mt.thing_type(thing.key)).containers or [])[0]
    values = await mt.container_values(thing.key, container.name or "", results=5)
    assert 0 < len(values) <= 5 and all(v.value is not None for v in values)


async def test_latest_value_of_each_container(mt: MyThings) -> None:
    thing = await _lora(mt)
    containers = (await mt.thing_type(thing.key)).containers or []
    latest = await mt.device_log(thing.key, "latest")
    assert latest.cursor is None and len(latest.items) == len(containers) > 0
    assert [e.source for e in latest.items] == [c.name for c in containers]
    for entry, container in zip(latest.items, containers, strict=True):
        newest = await mt.container_values(thing.key, container.name or "", results=1)
        assert entry.value == str(newest[0].value) and entry.at is not None


async def test_weekly_and_monthly_ranges_count_by_their_interval(mt: MyThings) -> None:
    thing = await _lora(mt)
    ranges = {r.key: r for r in mt.TRAFFIC_RANGES}
    assert {r.unit for r in ranges.values()} == {"hour", "day", "week", "month"}
    weekly = await mt.traffic(
        thing.key, duration=ranges["w"].duration, step=ranges["w"].step, timezone="UTC"
    )
    monthly = await mt.traffic(
        thing.key, duration=ranges["y"].duration, step=ranges["y"].step, timezone="UTC"
    )
    assert 13 <= len(weekly) <= 14 and 12 <= len(monthly) <= 13
    assert sum(b.up for b in weekly) == sum(b.up for b in monthly) > 0


# ---------------------------------------------------------------- streams, rules, status


async def test_stream_definitions_two_per_company(small: MyThings) -> None:
    mt = small
    before = await mt.list_connections()
    assert len(before) == 1  # the CLOE stream account linking creates
    spec = StreamDefinitionCreate(name="MyStream", url="https://my.streaming.url")
    created = await mt.create_connection("stream", spec)
    assert created.key and created.name == "MyStream" and created.state == "inactive"
    with pytest.raises(ApiError) as third:
        await mt.create_stream_definition(spec.model_copy(update={"name": "third"}))
    assert third.value.status == 400
    assert third.value.message == "You can define 2 stream definitions per company."
    activated = await mt.activate_stream_definition(created.key)
    assert activated is not None and activated.state == "active"
    change = StreamDefinitionUpdate(
        headers={"X-Fleet": "1"}, username="admin", password="pw-" + secrets.token_hex(4)
    )
    await mt.update_stream_definition(created.key, change)
    stored = await mt.get_stream_definition(created.key)
    assert stored["userName"] == "admin" and "password" not in stored
    await mt.deactivate_stream_definition(created.key)
    assert {c.key: c.state for c in await mt.list_connections()}[created.key] == "inactive"
    await mt.delete_stream_definition(created.key)
    assert [c.key for c in await mt.list_connections()] == [c.key for c in before]


async def test_a_stream_definition_edit_form_holds_its_settings(small: MyThings) -> None:
    mt = small
    typed = '{"thing": "%thingidentifier%", "value": "%value%"}'
    spec = StreamDefinitionCreate(
        name="Quotes", url="https://h.example/in", content_type="FREEFORM", template=typed
    )
    created = await mt.create_connection("stream", spec)
    assert (await mt.get_stream_definition(created.key))["template"] == typed
    form = await mt.connection_edit_form(created.key)
    assert form.values == {"active": False, "headers": None}
    password = "pw-" + secrets.token_hex(4)
    change = form.model(active=True, headers="X-Fleet: 1\nX-Env: test", username="ops")
    await mt.edit_connection(created.key, form.id, change.model_copy(update={"password": password}))
    again = await mt.connection_edit_form(created.key)
    assert again.values == {"active": True, "headers": "X-Fleet: 1\nX-Env: test", "username": "ops"}
    assert password not in repr(again) and password not in repr(await mt.list_connections())


async def test_triggered_rules_are_alarms_that_are_not_acknowledged(mt: MyThings) -> None:
    alarms = (await mt.list_alarms()).items
    assert alarms and all(a.state == "TRIGGERED" and a.device_key for a in alarms)
    times = [a.raised_at for a in alarms]
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    one = alarms[0]
    mine = (await mt.list_alarms(device_key=one.device_key)).items
    assert mine and {a.device_key for a in mine} == {one.device_key}
    rules = await mt.business_rules()
    rule = rules[0]
    by_rule = await mt.triggered_rules(str(rule["businessRuleId"]))
    assert all(a.type == rule["name"] for a in by_rule)
    with pytest.raises(ApiError, match="no acknowledgement"):
        await mt.acknowledge_alarm(one.key)
    with pytest.raises(ApiError) as unknown:
        await mt.triggered_rules("999999")
    assert unknown.value.status == 404


async def test_status(mt: MyThings) -> None:
    health = await mt.status()
    assert health.up is True and health.text == "UP"


# ---------------------------------------------------------------- tokens


async def test_one_token_is_reused(sim: Any) -> None:
    transport = Counting()
    async with connect(sim.base_url, transport=transport) as mt:
        await mt.status()
        await mt.list_alarms()
        await mt.vendors()
        assert mt.auth.fetches == 1  # type: ignore[attr-defined]
    assert len(transport.paths("/token")) == 1


async def test_an_expired_token_is_refreshed(make_sim: Any) -> None:
    server = make_sim(devices=10, token_ttl=2)
    async with connect(server.base_url) as mt:
        await mt.status()
        first = mt.auth.fetches  # type: ignore[attr-defined]
        await asyncio.sleep(2.5)
        await mt.status()
        assert mt.auth.fetches > first  # type: ignore[attr-defined]


async def test_a_token_refused_with_a_401_is_refreshed_once(
    make_sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_sim(devices=10, token_ttl=2)
    transport = Counting()
    async with connect(server.base_url, transport=transport) as mt:
        # No early refresh: the token is used until the server itself refuses it.
        monkeypatch.setattr(mt.auth, "_margin", 0.0)
        monkeypatch.setattr(mt.auth, "_clock", lambda: 0.0)
        await mt.status()
        await asyncio.sleep(2.5)
        assert (await mt.status()).up is True
        assert mt.auth.fetches == 2  # type: ignore[attr-defined]
    assert [c[2] for c in transport.paths("/mythings/1.1.0/status")] == [200, 401, 200]


async def test_revoke_then_a_new_token(sim: Any) -> None:
    transport = Counting()
    async with connect(sim.base_url, transport=transport) as mt:
        await mt.status()
        old = mt.auth.current  # type: ignore[attr-defined]
        assert await mt.revoke() is True
        assert await mt.revoke() is False  # nothing held any more
        await mt.status()
        assert mt.auth.current not in (None, old)  # type: ignore[attr-defined]
    assert [c[2] for c in transport.paths("/revoke")] == [200]
    assert 401 not in [c[2] for c in transport.calls]


async def test_a_permanent_token_asks_for_no_token(sim: Any) -> None:
    transport = Counting()
    async with connect(sim.base_url, token=MYTHINGS_PERMANENT_TOKEN, transport=transport) as mt:
        assert (await mt.status()).up is True
        assert (await mt.list_devices()).items
        with pytest.raises(ApiError, match="dashboard"):
            await mt.revoke()
    assert not transport.paths("/token")


async def test_a_wrong_secret_is_a_401_without_the_secret(sim: Any) -> None:
    wrong = "not-the-secret-" + secrets.token_hex(8)
    async with connect(sim.base_url, client_secret=wrong) as mt:
        with pytest.raises(ApiError) as info:
            await mt.status()
        assert wrong not in repr(mt)
    assert info.value.status == 401 and info.value.code == "invalid_client"
    assert info.value.message == "Client Authentication failed."
    assert wrong not in str(info.value) and wrong not in repr(info.value)


async def test_an_unknown_permanent_token_is_the_gateways_fault(sim: Any) -> None:
    bogus = "bogus-" + secrets.token_hex(8)
    async with connect(sim.base_url, token=bogus) as mt:
        with pytest.raises(ApiError) as info:
            await mt.status()
    assert info.value.status == 401 and info.value.code == "900901"
    assert info.value.message.startswith("Invalid Credentials")
    assert bogus not in str(info.value)


async def test_a_profile_without_company_cannot_create(sim: Any) -> None:
    async with connect(sim.base_url, company_id=None) as mt:
        with pytest.raises(ApiError, match="company_id"):
            await mt.create_thing(_otaa(fresh_id()))
