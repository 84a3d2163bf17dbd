"""The Telit adapter over real loopback HTTP against the simulator's TR50 endpoint: logins (user
and application), things paged by offset, a thing's detail with its definition in one POST,
create / tag / delete, thing definitions, application tokens and auto-registration, SIM
connections, a thing from a connection, the CDP's auto creation, and expired sessions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from tui.api.errors import ApiError
from tui.api.http import CallRecord
from tui.api.models import Created
from tui.api.paging import walk
from tui.api.platforms.telit import PAGE_SIZE, Telit
from tui.api.platforms.telit_forms import (
    ApplicationCreate,
    ThingCreate,
    ThingDefinitionCreate,
    ThingFromConnection,
)
from tui.sim.credentials import TELIT_APP_ID, TELIT_APP_TOKEN, TELIT_PASSWORD, TELIT_USERNAME
from tui.sim.server import SimServer

IMEI = "490154203237518"


def user(base_url: str, password: str = TELIT_PASSWORD) -> Telit:
    return Telit(base_url, username=TELIT_USERNAME, password=password)


def new_thing(key: str, **values: Any) -> ThingCreate:
    fields: dict[str, Any] = {
        "definition": values.pop("definition", "gateway"),
        "name": f"Thing {key}",
        "key": key,
        "identifier_kind": "imei",
        "identifier": IMEI,
    }
    return ThingCreate(**{**fields, **values})


@pytest.fixture
async def telit(sim: SimServer) -> AsyncIterator[Telit]:
    """The demo organisation (3,000 things), read only."""
    async with user(sim.base_url) as platform:
        yield platform  # type: ignore[misc]


@pytest.fixture
def small(make_sim: Callable[..., SimServer]) -> SimServer:
    """An organisation of its own (40 things), for tests that change it."""
    return make_sim(devices=40, alarms=0)


@pytest.fixture
async def own(small: SimServer) -> AsyncIterator[Telit]:
    async with user(small.base_url) as platform:
        yield platform  # type: ignore[misc]


async def test_things_page_by_offset_to_the_last_of_3000(telit: Telit) -> None:
    first = await telit.list_devices()
    assert first.total == 3000 and len(first.items) == PAGE_SIZE and first.cursor == "500"
    keys: list[str] = []
    async for page in walk(telit.list_devices):
        keys += [t.key for t in page.items]
    assert len(keys) == len(set(keys)) == 3000
    thing = first.items[0]
    assert thing.model and thing.eui and thing.last_activity is not None
    assert telit.tr50.logins == 1


async def test_a_key_is_looked_up_exactly_on_the_server(telit: Telit) -> None:
    some = (await telit.list_devices()).items[7]
    found = await telit.list_devices(query=some.key)
    assert [t.key for t in found.items] == [some.key] and found.cursor is None
    assert (await telit.list_devices(query="no-such-thing")).items == []


async def test_a_thing_detail_names_its_values_as_its_definition_does(telit: Telit) -> None:
    some = (await telit.list_devices()).items[3]
    detail = await telit.get_device(some.key)
    sections = {s.title: {f.label: f.value for f in s.fields} for s in detail.sections}
    assert sections["Identity"]["key"] == some.key
    assert "Serial number" in sections["Attributes"] and "Site" in sections["Attributes"]
    assert some.model and some.model in sections["Identity"]["definition"]
    assert set(sections) >= {"Identifiers", "Tags", "Properties", "Alarms", "Last seen"}


async def test_an_unknown_thing_is_the_vendors_not_found(telit: Telit) -> None:
    with pytest.raises(ApiError) as caught:
        await telit.get_device("no-such-thing")
    assert caught.value.code == "-90005" and caught.value.platform == "telit"
    assert caught.value.status == 404  # the shared layer's "not found" (a bulk run reads it)
    with pytest.raises(ApiError) as refused:
        await telit.tr50.call("thing.find", {"key": "no-such-thing"})
    assert refused.value.status == 200  # the HTTP status of the answer that refused it


async def test_a_thing_is_created_tagged_and_deleted(own: Telit) -> None:
    records: list[CallRecord] = []
    own.set_recorder(records.append)
    key = await own.create_device("thing", new_thing("made-1", tags=["x"]))
    assert key == "made-1" and own.created_key("thing", new_thing("made-1")) == key
    detail = await own.get_device(key)
    fields = {f.label: f.value for s in detail.sections for f in s.fields}
    assert fields["IMEI"] == IMEI and fields["tags"] == "x"
    assert await own.set_tags(key, ["a", "b", "a", " "]) == ["a", "b"]
    assert (await own.get_device(key)).summary.connection == "a, b"
    await own.delete_device(key)
    with pytest.raises(ApiError, match="not found"):
        await own.get_device(key)
    with pytest.raises(ApiError) as again:
        await own.delete_device(key)
    assert again.value.status == 404
    assert [(r.path, r.ok) for r in records] == [
        ("/api thing.create", True),
        ("/api thing.update", True),
        ("/api thing.delete", True),
        ("/api thing.delete", False),
    ]


async def test_a_taken_key_and_a_bad_identifier_are_refused_with_their_codes(own: Telit) -> None:
    await own.create_device("thing", new_thing("twice"))
    with pytest.raises(ApiError) as caught:
        await own.create_device("thing", new_thing("twice"))
    assert caught.value.code == "-90006"
    form = own.device_forms()[0]
    assert form.conflict_field == "key" and caught.value.code in form.conflict_codes
    # the simulator holds the same rule as the form: an IMEI with a wrong check digit
    with pytest.raises(ApiError) as refused:
        await own.tr50.call(
            "thing.create",
            {"key": "bad", "name": "b", "defKey": "gateway", "imei": IMEI[:-1] + "9"},
        )
    assert refused.value.code == "-90004"


async def test_the_new_thing_form_picks_among_the_definitions(telit: Telit) -> None:
    (form,) = telit.device_forms()
    choices = await form.choices["definition"]()
    assert len(choices) == 12 and all(c.value for c in choices)


async def test_thing_definitions_are_listed_found_created_and_deleted(own: Telit) -> None:
    definitions = await own.thing_definitions()
    assert len(definitions) == 12
    one = await own.thing_definition(definitions[0].key)
    assert one.attributes and one.properties and one.alarms and one.methods
    spec = ThingDefinitionCreate(
        key="fleet-pump", name="Fleet pump", attributes="serial: Serial", properties="temp: Temp"
    )
    assert await own.create_thing_definition(spec) == "fleet-pump"
    made = await own.thing_definition("fleet-pump")
    assert made.name == "Fleet pump" and made.attributes == {"serial": "Serial"}
    assert made.properties == {"temp": "Temp"}
    await own.delete_thing_definition("fleet-pump")
    with pytest.raises(ApiError):
        await own.thing_definition("fleet-pump")


async def test_an_application_token_is_shown_once_and_auto_registers_a_gateway(
    own: Telit, small: SimServer
) -> None:
    apps = await own.applications()
    assert any(a.key == TELIT_APP_ID for a in apps)
    assert TELIT_APP_TOKEN not in repr(apps)
    created = await own.create_app(
        ApplicationCreate(name="Pumps", definition="gateway", auto_reg_tags=["pumps"])
    )
    assert isinstance(created, Created)
    token = created.secrets["token"].get_secret_value()
    assert token and token not in repr(created)
    assert any(a.key == created.key and a.definition == "gateway" for a in await own.applications())
    async with Telit(
        small.base_url, app_id=created.key, app_token=token, thing_key="pump-gw-1"
    ) as gateway:
        assert (await gateway.get_device("pump-gw-1")).summary.connection == "pumps"
        with pytest.raises(ApiError) as caught:
            await gateway.applications()
        assert caught.value.code == "-90010" and token not in str(caught.value)
    found = await own.get_device("pump-gw-1")
    assert found.summary.model == "gateway"


async def test_a_bad_password_is_refused_and_never_shown(small: SimServer) -> None:
    async with user(small.base_url, password="wrong-password-123") as platform:
        with pytest.raises(ApiError) as caught:
            await platform.list_devices()
    assert caught.value.code == "-90002"
    assert "wrong-password-123" not in str(caught.value) + repr(caught.value) + repr(platform)


async def test_sim_connections_carry_carrier_plan_status_and_thing(telit: Telit) -> None:
    connections = await telit.list_connections()
    assert len(connections) == 500
    assert len({c.type for c in connections}) == 3 and all(c.kind == "sim" for c in connections)
    assert all(c.iccid and c.imsi and c.rate_plan and c.state for c in connections)
    assert any(c.device_key for c in connections) and any(not c.device_key for c in connections)
    one = await telit.get_connection(connections[0].key)
    assert one == connections[0]
    assert telit.connection_forms() == []


async def test_a_thing_is_created_from_a_connection(own: Telit) -> None:
    free = next(c for c in await own.list_connections() if not c.device_key)
    spec = ThingFromConnection(definition="connection", name="From SIM", key="from-sim", tags=["s"])
    assert await own.create_thing_from_connection(free.key, spec) == "from-sim"
    linked = await own.get_connection(free.key)
    assert linked.device_key == "from-sim"
    fields = {
        f.label: f.value for s in (await own.get_device("from-sim")).sections for f in s.fields
    }
    assert fields["ICCID"] == free.iccid and fields["IMSI"] == free.imsi


async def test_auto_creation_makes_a_new_connection_a_thing(own: Telit) -> None:
    assert (await own.cdp_config()).auto_create is False
    assert (await own.set_auto_create(True)).auto_create is True
    (new_id,) = await own.sync_connections(1)
    connection = await own.get_connection(new_id)
    assert connection.device_key == connection.iccid
    assert (await own.get_device(connection.iccid or "")).summary.connection == "auto-created"
    assert (await own.set_auto_create(False)).auto_create is False


async def test_a_batch_answers_each_command_in_one_post(telit: Telit) -> None:
    answers = await telit.tr50.batch(
        {
            "things": ("thing.list", {"limit": 2, "showCount": True}),
            "missing": ("thing.find", {"key": "no-such-thing"}),
        }
    )
    things = answers["things"]
    assert isinstance(things, dict) and things["count"] == 3000 and len(things["result"]) == 2
    missing = answers["missing"]
    assert isinstance(missing, ApiError) and missing.code == "-90005"


async def test_an_unknown_session_logs_in_once_more_and_retries(own: Telit) -> None:
    await own.list_devices()
    own.tr50._session = "0" * 32  # a session the server does not know (or forgot)
    assert len((await own.list_devices()).items) == 40
    assert own.tr50.logins == 2


async def test_an_expired_session_logs_in_once_more_and_retries(
    make_sim: Callable[..., SimServer],
) -> None:
    server = make_sim(devices=5, alarms=0, telit_session_ttl=1)
    async with user(server.base_url) as platform:
        await platform.list_devices()
        session = platform.tr50._session
        await asyncio.sleep(1.2)  # the session's one-second life is over
        assert len((await platform.list_devices()).items) == 5
        assert platform.tr50.logins == 2 and platform.tr50._session != session


async def test_the_demo_profile_opens_from_a_thread() -> None:
    from tui.config import demo_profiles
    from tui.secrets import SecretResolver
    from tui.session import EmbeddedSimulator, open_platform

    simulator = EmbeddedSimulator(devices=10, alarms=0)
    resolver = SecretResolver(keyring_timeout=0.2, environ={})
    try:
        profile, platform = await asyncio.to_thread(
            open_platform, demo_profiles()["demo-telit"], resolver, simulator
        )
        assert isinstance(platform, Telit) and profile.base_url.startswith("http://127.0.0.1:")
        async with platform:
            assert (await platform.list_devices()).total == 10
            assert TELIT_PASSWORD not in repr(platform)
    finally:
        simulator.stop()
