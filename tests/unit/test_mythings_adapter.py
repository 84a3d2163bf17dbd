"""The MyThings adapter against `httpx.MockTransport` answers shaped as the vendor page shows
them: every request it sends (path, query, body, headers) and how it reads every answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tui.api.actions import (
    DeprovisionDevices,
    ProvisionDevices,
    SendTemplate,
    TagDevices,
    make_action,
)
from tui.api.bulk import Target, plan
from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.models import BaseStationLocation
from tui.api.paging import walk
from tui.api.platform import (
    Alarms,
    BaseStations,
    ConfigurationTemplates,
    ConnectionEditing,
    Connections,
    ConnectionSwitching,
    DeviceCommands,
    DeviceCreation,
    DeviceDirectory,
    DeviceEditing,
    DeviceLogs,
    DeviceTags,
    PlatformStatus,
    Provisioning,
    TrafficHistory,
)
from tui.api.platforms.mythings import API, MyThings
from tui.api.platforms.mythings_forms import (
    ConfigurationTemplateCommand,
    MyThingsDownlink,
    StreamDefinitionCreate,
    StreamDefinitionUpdate,
    ThingAbpCreate,
    ThingNameChange,
    ThingOtaaCreate,
)

HOST = "https://api.enco.io"
CLIENT_ID = "fleet-demo"
SECRET = "mythings-demo-secret"
TOKEN = "tok-0001"
PERMANENT = "perm-token-xyz"
THING_ID = "1234ABCDABCD3333"
APP_KEY = "12341234123412341234123412341234"

THING: dict[str, Any] = {
    "companyId": 987,
    "companyName": "Proximus Demo",
    "connectivityPlan": "pxs-iot-cs/96-up-transactions-0-down",
    "connectivityType": "LORA.OTAA",
    "description": "mythingsdescription",
    "insertionDate": "2024-03-01T10:00:00Z",
    "isPublic": False,
    "lastModifiedDate": "2024-03-02T11:30:00.000+00:00",
    "lastlocation": {"latitude": "50.85", "longitude": "4.35", "locationFN1": "Brussels"},
    "motionIndicator": "Random",
    "tags": ["tag1", "tag2"],
    "technologyDetails": {
        "activationType": "OTAA",
        "keysLoRaOTAA": {"applicationEUI": "1234123412341234", "applicationKey": APP_KEY},
        "networkReady": True,
        "provisioned": True,
    },
    "thingId": 4711,
    "thingIdentifier": THING_ID,
    "thingName": "Temperature and humidity",
    "thingType": "Temperature and humidity",
    "vendor": "NKE",
}
BASE_STATION = {
    "basestationId": "FF0107A5",
    "basestationName": "Brussels towers",
    "companyId": 987,
    "companyName": "Proximus Demo",
    "firmware": "2.4.1",
    "lastRestart": "2024-02-29T08:00:00Z",
    "location": {"latitude": "50", "longitude": "2", "name": "Wall street"},
    "state": "CONNECTED",
}
TRIGGERED = [
    {
        "businessRuleDTO": {"name": "Too hot", "operator": ">", "threshold": 30.0},
        "businessRuleId": 12,
        "company": "Proximus Demo",
        "timestamp": 1709290000000,
        "triggeredByDTO": {
            "triggeredContainer": {"container": "0x0402.0x0000.0.m2m", "name": "Temperature"},
            "triggeredThingDTO": {"name": "Door 4", "thingIdentifier": THING_ID},
            "value": "31.5",
        },
    },
    {
        "businessRuleId": 13,
        "timestamp": 1709390000000,
        "triggeredByDTO": {"triggeredThingDTO": {"thingIdentifier": "AAAAAAAAAAAAAAAA"}},
    },
]


def page(content: list[Any], number: int, total_pages: int) -> dict[str, Any]:
    return {
        "content": content,
        "first": number == 0,
        "last": number == total_pages - 1,
        "number": number,
        "numberOfElements": len(content),
        "size": 2,
        "totalElements": 2 * total_pages - 1,
        "totalPages": total_pages,
    }


class Vendor:
    """A scripted MyThings: `routes[(method, path)]` is a body, or a function of the request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.tokens = 0
        self.revoked: set[str] = set()
        self.token = TOKEN
        self.routes: dict[tuple[str, str], Any] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/token":
            self.tokens += 1
            return httpx.Response(
                200,
                json={
                    "scope": "openid",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "access_token": self.token,
                },
            )
        if path == "/revoke":
            form = parse_qs(request.content.decode())
            self.revoked.add(form["token"][0])
            self.token = TOKEN + "-next"
            return httpx.Response(200)
        bearer = request.headers.get("authorization", "")
        if bearer.removeprefix("Bearer ") in self.revoked or not bearer.startswith("Bearer "):
            return httpx.Response(401, json={"code": "900901", "message": "Invalid Credentials"})
        route = self.routes.get((request.method, path))
        if route is None:
            return httpx.Response(404, json={"code": "404", "message": f"no {path}"})
        if callable(route):
            return route(request)
        if isinstance(route, httpx.Response):
            return route
        return httpx.Response(200, json=route)

    def last(self, method: str, path: str) -> httpx.Request:
        return next(r for r in reversed(self.requests) if (r.method, r.url.path) == (method, path))

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith(API)]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


@pytest.fixture
def vendor() -> Vendor:
    return Vendor()


def make(vendor: Vendor, **kwargs: Any) -> MyThings:
    kwargs.setdefault("company_id", 987)
    kwargs.setdefault("retry", RetryPolicy(attempts=1))
    if "token" not in kwargs:
        kwargs.setdefault("client_id", CLIENT_ID)
        kwargs.setdefault("client_secret", SECRET)
    return MyThings(HOST, transport=httpx.MockTransport(vendor.handle), **kwargs)


@pytest.fixture
async def mt(vendor: Vendor) -> AsyncIterator[MyThings]:
    async with make(vendor) as platform:
        yield platform  # type: ignore[misc]


def things(path: str = "/things") -> tuple[str, str]:
    return ("GET", f"{API}{path}")


# ---------------------------------------------------------------- capabilities and auth


def test_it_is_every_capability_the_vendor_page_offers(vendor: Vendor) -> None:
    mt = make(vendor)
    for capability in (
        DeviceDirectory, DeviceCreation, DeviceEditing, DeviceCommands, Connections, Alarms,
        TrafficHistory, Provisioning, DeviceTags, ConfigurationTemplates, BaseStations,
        DeviceLogs, PlatformStatus, ConnectionSwitching, ConnectionEditing,
    ):  # fmt: skip
        assert isinstance(mt, capability), capability
    assert mt.DEVICE_KEY.check("1234abcdabcd3333") is None
    assert mt.DEVICE_KEY.check("eth-env:01") is None
    assert mt.DEVICE_KEY.check("a/b") is not None and mt.DEVICE_KEY.check(" ") is not None
    assert mt.DEVICE_KEY.normal(" 1234abcdabcd3333 ") == "1234abcdabcd3333"
    assert list(mt.LOG_KINDS) == ["latest", "decoded", "network", "locations"]
    assert SECRET not in repr(mt)
    with pytest.raises(ValueError):
        MyThings(HOST)


async def test_the_token_is_asked_for_as_the_vendors_curl_does_and_reused(
    vendor: Vendor, mt: MyThings
) -> None:
    vendor.routes[things()] = [THING]
    await mt.list_devices()
    await mt.list_devices()
    assert vendor.tokens == 1
    token = vendor.last("POST", "/token")
    query = dict(token.url.params)
    assert query == {
        "grant_type": "client_credentials",
        "scope": "openid",
        "client_id": CLIENT_ID,
        "client_secret": SECRET,
        "Accept": "application/json",
    }
    assert token.headers["content-type"] == "application/x-www-form-urlencoded"
    for request in vendor.api_requests():
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["accept"] == "application/json"


async def test_a_401_fetches_a_token_once_and_retries(vendor: Vendor, mt: MyThings) -> None:
    vendor.routes[things()] = [THING]
    await mt.list_devices()
    vendor.revoked.add(TOKEN)  # revoked behind our back (another client of the application)
    vendor.token = "tok-0002"
    assert (await mt.list_devices()).items[0].key == THING_ID
    assert vendor.tokens == 2


async def test_revoke_sends_the_form_without_a_bearer_and_forgets_the_token(
    vendor: Vendor, mt: MyThings
) -> None:
    assert await mt.revoke() is False  # no token yet: nothing to revoke, nothing sent
    assert not vendor.requests
    vendor.routes[things()] = [THING]
    await mt.list_devices()
    assert await mt.revoke() is True
    revoke = vendor.last("POST", "/revoke")
    assert "authorization" not in revoke.headers
    assert revoke.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(revoke.content.decode()) == {
        "token": [TOKEN],
        "client_id": [CLIENT_ID],
        "client_secret": [SECRET],
    }
    await mt.list_devices()
    assert vendor.tokens == 2
    assert vendor.api_requests()[-1].headers["authorization"] == f"Bearer {TOKEN}-next"


async def test_a_permanent_token_asks_for_no_token(vendor: Vendor) -> None:
    vendor.revoked.add("nothing")
    vendor.routes[things()] = [THING]
    async with make(vendor, token=PERMANENT) as mt:
        await mt.list_devices()
        with pytest.raises(ApiError, match="dashboard"):
            await mt.revoke()
    assert vendor.tokens == 0
    assert vendor.api_requests()[0].headers["authorization"] == f"Bearer {PERMANENT}"


async def test_a_refused_token_is_an_api_error_without_the_secret(vendor: Vendor) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={"error": "invalid_client", "error_description": f"bad secret {SECRET}"},
        )

    transport = httpx.MockTransport(refuse)
    async with MyThings(HOST, CLIENT_ID, SECRET, transport=transport) as mt:
        with pytest.raises(ApiError) as info:
            await mt.list_devices()
    assert info.value.status == 401 and info.value.code == "invalid_client"
    assert SECRET not in str(info.value)


async def test_vendor_error_codes_and_field_messages_surface(vendor: Vendor, mt: MyThings) -> None:
    vendor.routes[("POST", f"{API}/things")] = httpx.Response(
        400,
        json={
            "code": "400",
            "message": "Validation failed",
            "errors": [
                {"field": "keys.applicationKey", "message": "ApplicationKey must be 32 characters"}
            ],
        },
    )
    spec = ThingOtaaCreate(
        thing_identifier=THING_ID,
        thing_type_id="10",
        application_eui="1234123412341234",
        application_key=APP_KEY,
    )
    with pytest.raises(ApiError) as info:
        await mt.create_thing(spec)
    assert info.value.status == 400 and info.value.code == "400"
    assert info.value.message == (
        "Validation failed; keys.applicationKey: ApplicationKey must be 32 characters"
    )
    vendor.routes[things(f"/things/{THING_ID}")] = httpx.Response(
        404, json={"status": 404, "error": "Not Found", "message": "Thing not found"}
    )
    with pytest.raises(ApiError) as missing:
        await mt.get_device(THING_ID)
    assert missing.value.status == 404 and missing.value.message == "Thing not found"


# ---------------------------------------------------------------- things


async def test_things_list_with_the_vendors_criteria(vendor: Vendor, mt: MyThings) -> None:
    vendor.routes[things()] = [THING, {"thingIdentifier": "ABCDAB22ABCDABC2"}]
    page_ = await mt.list_devices()
    assert page_.cursor is None
    first, bare = page_.items
    assert first.key == THING_ID and first.name == "Temperature and humidity"
    assert first.connectivity == "LORA.OTAA" and first.activation == "OTAA"
    assert first.model == "Temperature and humidity · NKE"
    assert first.connection == "pxs-iot-cs/96-up-transactions-0-down"
    assert first.health == "network ready"
    assert first.eui == THING_ID and first.last_activity is None  # modified is not heard from
    assert bare.name == "ABCDAB22ABCDABC2" and bare.health is None
    named = await mt.list_devices(query=" Temperature and humidity ")
    assert [t.key for t in named.items] == [THING_ID]  # exact: the server's match is narrowed
    assert dict(vendor.last(*things()).url.params) == {"thingName": "Temperature and humidity"}
    assert not (await mt.list_devices(query="Temperature")).items
    from datetime import UTC, datetime

    await mt.list_things(
        tags=["a", "b"],
        is_public=True,
        results=50,
        modified_since=datetime(2024, 1, 2, tzinfo=UTC),
        last_activity=datetime(2024, 1, 1, tzinfo=UTC),
    )
    params = vendor.last(*things()).url.params
    assert params.get_list("tags") == ["a", "b"]
    assert params["isPublic"] == "true" and params["results"] == "50"
    assert params["modifiedSince"] == "2024-01-02T00:00:00Z"
    assert params["lastActivity"] == "2024-01-01T00:00:00Z"


async def test_things_wrapped_in_a_page_resource_are_paged_through(
    vendor: Vendor, mt: MyThings
) -> None:
    def paged(request: httpx.Request) -> httpx.Response:
        number = int(request.url.params.get("page", "0"))
        rows = [{"thingIdentifier": f"{number:016X}"}]
        return httpx.Response(200, json=page(rows, number, 3))

    vendor.routes[things()] = paged
    pages = [p async for p in walk(mt.list_devices)]
    assert [p.cursor for p in pages] == ["1", "2", None]
    assert pages[0].total == 5 and pages[1].total is None
    assert [p.items[0].key for p in pages] == [f"{n:016X}" for n in range(3)]
    with pytest.raises(ApiError, match="not a page cursor"):
        await mt.list_devices("abc")


async def test_thing_detail_groups_the_resource_and_hides_its_keys(
    vendor: Vendor, mt: MyThings
) -> None:
    vendor.routes[things(f"/things/{THING_ID}")] = THING
    detail = await mt.get_device(f" {THING_ID} ")
    assert detail.key == THING_ID and detail.raw == THING
    titles = [s.title for s in detail.sections]
    assert titles == ["Identity", "Location", "Provisioning", "Tags", "Timestamps"]
    fields = {f.label: f for s in detail.sections for f in s.fields}
    assert fields["technologyDetails.keysLoRaOTAA.applicationKey"].secret
    assert not fields["technologyDetails.keysLoRaOTAA.applicationEUI"].secret
    assert fields["technologyDetails.provisioned"].value == "yes"
    assert fields["tags"].value == "tag1, tag2"
    assert fields["lastlocation.latitude"].value == "50.85"
    assert fields["insertionDate"].value == "2024-03-01 10:00:00 UTC"


async def test_create_each_connectivity_type_in_the_profiles_company(
    vendor: Vendor, mt: MyThings
) -> None:
    vendor.routes[("POST", f"{API}/things")] = lambda r: httpx.Response(
        200, json={**THING, "thingIdentifier": body_of(r)["thingIdentifier"]}
    )
    forms = {f.id: f for f in mt.device_forms()}
    assert list(forms) == ["lora-otaa", "lora-abp", "ethernet"]
    otaa = forms["lora-otaa"].model.model_validate(
        {
            "thing_identifier": "abcdab22abcdabc2",
            "thing_type_id": "10",
            "application_eui": "1234123412341234",
            "application_key": APP_KEY,
        }
    )
    assert mt.created_key("lora-otaa", otaa) == "ABCDAB22ABCDABC2"
    assert await mt.create_device("lora-otaa", otaa) == "ABCDAB22ABCDABC2"
    sent = body_of(vendor.last("POST", f"{API}/things"))
    assert sent["companyId"] == 987 and sent["connectivityType"] == "LORA.OTAA"
    abp = ThingAbpCreate(
        thing_identifier=THING_ID,
        thing_type_id="33",
        device_address="07FFF001",
        network_session_key="4" * 32,
        application_session_keys="1:" + "1" * 32,
    )
    assert await mt.create_device("lora-abp", abp) == THING_ID
    assert body_of(vendor.last("POST", f"{API}/things"))["deviceAddress"] == "07FFF001"
    ethernet = forms["ethernet"].model.model_validate(
        {"thing_identifier": THING_ID, "thing_type_id": "24", "serial_number": "SN1"}
    )
    await mt.create_device("ethernet", ethernet)
    assert body_of(vendor.last("POST", f"{API}/things"))["serialNumber"] == "SN1"
    with pytest.raises(ValueError):
        await mt.create_device("lora-abp", otaa)


async def test_a_profile_without_company_cannot_create(vendor: Vendor) -> None:
    async with make(vendor, company_id=None) as mt:
        spec = StreamDefinitionCreate(name="s", url="https://h")
        with pytest.raises(ApiError, match="company_id"):
            await mt.create_stream_definition(spec)
    assert not vendor.requests


async def test_the_create_forms_pickers(vendor: Vendor, mt: MyThings) -> None:
    vendor.routes[things("/thingtypes")] = [
        {"name": "Temperature", "vendor": "NKE", "version": 1, "id": 10},
        {"name": "No id", "vendor": "X"},
    ]
    vendor.routes[things("/connectivityplans")] = [
        {
            "companyName": "Proximus Demo",
            "subscriberId": "100000136",
            "connectivityPlans": [
                {"id": "pxs/96", "name": "96 up", "connectivitytype": "LORA", "assignedthings": 3},
                {"id": "eth", "name": "Ethernet", "connectivitytype": "ETHERNET"},
            ],
        }
    ]
    vendor.routes[things("/deviceaddress")] = {
        "amount": 2,
        "companyId": 987,
        "devAddresses": ["07FFF001", "07FFF002"],
    }
    form = {f.id: f for f in mt.device_forms()}["lora-abp"]
    types = await form.choices["thing_type_id"]()
    assert [(c.label, c.value) for c in types] == [("Temperature · NKE", "10")]
    plans = await form.choices["connectivity_plan"]()
    assert [c.value for c in plans] == ["pxs/96"]
    every = await mt.connectivity_plans()
    assert [(p.key, p.supplier, p.used) for p in every] == [
        ("pxs/96", "Proximus Demo", 3),
        ("eth", "Proximus Demo", None),
    ]
    addresses = await form.choices["device_address"]()
    assert [c.value for c in addresses] == ["07FFF001", "07FFF002"]
    assert dict(vendor.last(*things("/deviceaddress")).url.params) == {
        "companyId": "987",
        "amount": "20",
    }
    models = await mt.device_models()
    assert models[0].key == "10" and models[0].name == "Temperature v1"


async def test_update_delete_provision_tags_and_containers(vendor: Vendor, mt: MyThings) -> None:
    path = f"{API}/things/{THING_ID}"
    vendor.routes[("PUT", path)] = lambda r: httpx.Response(200, json={**THING, **body_of(r)})
    vendor.routes[("DELETE", path)] = httpx.Response(200)
    vendor.routes[("POST", f"{path}/provision")] = {"status": "OK", "message": "provisioned"}
    vendor.routes[("DELETE", f"{path}/deprovision")] = {"status": "OK", "message": "removed"}
    vendor.routes[("PUT", f"{path}/tags")] = lambda r: httpx.Response(
        200, json={**THING, "tags": THING["tags"] + body_of(r)}
    )
    vendor.routes[("GET", f"{path}/type")] = {
        "connectivityType": "LORA",
        "thingType": "Temperature",
        "containers": [{"container": "0x0402", "containerId": 1, "name": "Temperature"}],
    }
    vendor.routes[("DELETE", f"{path}/Temperature C")] = {"status": "OK"}
    await mt.edit_device(THING_ID, "name", ThingNameChange(thing_name="Renamed"))
    assert body_of(vendor.last("PUT", path)) == {"thingName": "Renamed"}
    with pytest.raises(ValueError):
        await mt.edit_device(THING_ID, "location", ThingNameChange(thing_name="x"))
    assert [f.id for f in mt.device_edit_forms()] == [
        "name", "description", "location", "public", "tags", "otaa-keys", "abp-keys",
    ]  # fmt: skip
    assert await mt.provision_device(THING_ID) == "OK · provisioned"
    assert await mt.deprovision_device(THING_ID) == "OK · removed"
    assert await mt.set_tags(THING_ID, ["dummyTag"]) == ["tag1", "tag2", "dummyTag"]
    assert body_of(vendor.last("PUT", f"{path}/tags")) == ["dummyTag"]
    containers = await mt.thing_type(THING_ID)
    assert containers.containers and containers.containers[0].name == "Temperature"
    assert await mt.delete_container(THING_ID, "Temperature C") == "OK"
    await mt.delete_device(THING_ID)
    with pytest.raises(ApiError, match="blank key"):
        await mt.delete_device("  ")


async def test_device_addresses(vendor: Vendor, mt: MyThings) -> None:
    answer = {"amount": 1, "companyId": 987, "devAddresses": ["07FFF001"]}
    vendor.routes[things("/deviceaddress/reserve")] = answer
    vendor.routes[("PUT", f"{API}/deviceaddress/assign")] = answer
    assert await mt.reserve_device_addresses(1) == ["07FFF001"]
    assert vendor.last(*things("/deviceaddress/reserve")).url.params["amount"] == "1"
    assert await mt.assign_device_addresses(["07FFF001"]) == ["07FFF001"]
    assert body_of(vendor.last("PUT", f"{API}/deviceaddress/assign")) == {
        "companyId": 987,
        "devAddresses": ["07FFF001"],
    }


async def test_base_stations(vendor: Vendor, mt: MyThings) -> None:
    vendor.routes[things("/basestations")] = [BASE_STATION]
    vendor.routes[things("/basestations/FF0107A5")] = BASE_STATION
    vendor.routes[("PUT", f"{API}/basestations/FF0107A5")] = BASE_STATION
    (station,) = await mt.list_base_stations()
    assert station.key == "FF0107A5" and station.state == "CONNECTED"
    assert station.location_name == "Wall street" and station.latitude == "50"
    assert (await mt.get_base_station("FF0107A5")) == station
    location = BaseStationLocation(latitude="50", longitude="2", location_name="Wall street")
    await mt.set_base_station_location("FF0107A5", location)
    assert body_of(vendor.last("PUT", f"{API}/basestations/FF0107A5")) == {
        "companyId": 987,
        "latitude": "50",
        "longitude": "2",
        "locationName": "Wall street",
    }


async def test_catalogues(vendor: Vendor, mt: MyThings) -> None:
    vendor.routes[things("/vendors")] = [{"name": "NKE"}, {"name": "Adeunis"}, {}]
    vendor.routes[things("/containerdefinitions")] = [
        {"container": "0x0402", "name": "Temperature", "thingTypeName": "T"}
    ]
    assert await mt.vendors() == ["NKE", "Adeunis"]
    (definition,) = await mt.container_definitions("T")
    assert definition.name == "Temperature"
    assert vendor.last(*things("/containerdefinitions")).url.params["thingTypeName"] == "T"


# ---------------------------------------------------------------- downlinks


async def test_downlink_and_configuration_templates(vendor: Vendor, mt: MyThings) -> None:
    vendor.routes[("POST", f"{API}/downlink")] = {"code": "200", "message": "Downlink queued"}
    vendor.routes[("POST", f"{API}/downlink/template/uid-1")] = {"message": "queued"}
    vendor.routes[things("/configurationtemplates")] = [{"name": "Every hour", "uid": "uid-1"}]
    said = await mt.send_command(
        "9999888877776666", "downlink", MyThingsDownlink(payload="04FD20D9", fport=9, ack=True)
    )
    assert said == "Sent 4 bytes on fPort 9, ack (Downlink queued)"
    assert body_of(vendor.last("POST", f"{API}/downlink")) == {
        "devEUI": "9999888877776666",
        "fPort": "9",
        "payload": "04FD20D9",
        "encrypted": 0,
        "ack": 1,
    }
    (template,) = await mt.configuration_templates()
    assert (template.key, template.name) == ("uid-1", "Every hour")
    form = {f.id: f for f in mt.command_forms()}["template"]
    assert [c.value for c in await form.choices["template"]()] == ["uid-1"]
    said = await mt.send_command(
        THING_ID, "template", ConfigurationTemplateCommand(template="uid-1")
    )
    assert said == "Sent configuration template uid-1 (queued)"
    await mt.send_configuration_template("uid-1", ["BACBADBADADBADAD", " AAAAAAAAAAAAAAAA"])
    assert body_of(vendor.last("POST", f"{API}/downlink/template/uid-1")) == {
        "thingIdentifiers": ["BACBADBADADBADAD", "AAAAAAAAAAAAAAAA"]
    }


async def test_a_downlink_answer_listing_errors_is_an_api_error(
    vendor: Vendor, mt: MyThings
) -> None:
    vendor.routes[("POST", f"{API}/downlink")] = {
        "code": "400",
        "message": "Downlink refused",
        "errors": [{"field": "fPort", "message": "fPort must be between 1 and 255"}],
    }
    with pytest.raises(ApiError) as info:
        await mt.send_downlink(THING_ID, MyThingsDownlink(payload="00", fport=1))
    assert info.value.code == "400"
    assert info.value.message == "Downlink refused; fPort: fPort must be between 1 and 255"


def test_an_ethernet_thing_takes_no_downlink(vendor: Vendor) -> None:
    from tui.api.models import DeviceSummary

    mt = make(vendor)
    ethernet = DeviceSummary(key=THING_ID, name="x", connectivity="ETHERNET")
    lora = DeviceSummary(key=THING_ID, name="x", connectivity="LORA.ABP")
    assert mt.device_commands(ethernet) == []
    assert [f.id for f in mt.device_commands(lora)] == ["downlink", "template"]


# ---------------------------------------------------------------- logs, counts, values


async def test_logs_page_by_page_number(vendor: Vendor, mt: MyThings) -> None:
    decoded = {
        "container": {"name": "Temperature"},
        "data": [{"value": "23.79", "ts": 1487187830340}],
    }
    network = {"time": 1487187830340, "type": "UPLINK", "fport": "2", "payload_hex": "00"}
    location = {"date": 1487187830340, "data": [{"latitude": 50.86, "longitude": 4.36}]}

    def serve(row: dict[str, Any]) -> Callable[[httpx.Request], httpx.Response]:
        def answer(request: httpx.Request) -> httpx.Response:
            number = int(request.url.params.get("page", "0"))
            return httpx.Response(200, json=page([row, row], number, 2))

        return answer

    path = f"{API}/things/{THING_ID}"
    vendor.routes[("GET", f"{path}/logs/decoded")] = serve(decoded)
    vendor.routes[("GET", f"{path}/logs/network")] = serve(network)
    vendor.routes[("GET", f"{path}/locations")] = serve(location)
    first = await mt.device_log(THING_ID, "decoded")
    assert first.cursor == "1" and first.total == 3
    assert (first.items[0].source, first.items[0].value) == ("Temperature", "23.79")
    assert first.items[0].at is not None and first.items[0].at.year == 2017
    second = await mt.device_log(THING_ID, "decoded", first.cursor)
    assert second.cursor is None
    assert vendor.last("GET", f"{path}/logs/decoded").url.params["page"] == "1"
    frame = (await mt.device_log(THING_ID, "network")).items[0]
    assert (frame.source, frame.value) == ("UPLINK", "fPort 2 00")
    where = (await mt.device_log(THING_ID, "locations", timeframe=24)).items[0]
    assert where.value == "50.86, 4.36"
    assert vendor.last("GET", f"{path}/locations").url.params["timeframe"] == "24"
    with pytest.raises(ValueError):
        await mt.device_log(THING_ID, "alarms")


async def test_counts_and_traffic(vendor: Vendor, mt: MyThings) -> None:
    path = f"{API}/things/{THING_ID}/logs"
    counts = [
        {"count": 7, "startTime": "2024-03-02T00:00:00Z", "endTime": "2024-03-03T00:00:00Z"},
        {"count": 5, "startTime": "2024-03-01T00:00:00Z", "endTime": "2024-03-02T00:00:00Z"},
    ]
    vendor.routes[("GET", f"{path}/network/count")] = counts
    vendor.routes[("GET", f"{path}/decoded/count")] = counts
    buckets = await mt.traffic(THING_ID, duration="P7D", step="P1D", timezone="Europe/Brussels")
    assert [(b.start.day, b.up) for b in buckets] == [(1, 5), (2, 7)]
    params = vendor.last("GET", f"{path}/network/count").url.params
    assert params["interval"] == "DAILY" and "startTime" in params and "endTime" in params
    await mt.traffic(THING_ID, duration="P30D", step="PT1H", timezone="UTC")
    assert vendor.last("GET", f"{path}/network/count").url.params["interval"] == "HOURLY"
    await mt.log_counts(THING_ID, "decoded", "monthly")
    assert dict(vendor.last("GET", f"{path}/decoded/count").url.params) == {"interval": "MONTHLY"}
    with pytest.raises(ApiError):
        await mt.traffic(THING_ID, duration="a week", step="P1D", timezone="UTC")


async def test_container_values(vendor: Vendor, mt: MyThings) -> None:
    from datetime import UTC, datetime

    path = f"{API}/things/{THING_ID}/type/Temperature/values"
    vendor.routes[("GET", path)] = [
        {"container": "Temperature", "timestamp": 1487187830340, "value": "23.79"}
    ]
    (value,) = await mt.container_values(
        THING_ID, "Temperature", start=datetime(2024, 1, 1, tzinfo=UTC), results=10
    )
    assert value.value == "23.79"
    assert dict(vendor.last("GET", path).url.params) == {
        "startTime": "2024-01-01T00:00:00Z",
        "results": "10",
    }


# ---------------------------------------------------------------- streams, rules, status


async def test_stream_definitions(vendor: Vendor, mt: MyThings) -> None:
    path = f"{API}/streamdefinitions"
    vendor.routes[("GET", path)] = [
        {"id": 5, "name": "CLOE", "type": "DECODED", "active": "true", "url": "https://x"},
        {"id": 6, "type": "NETWORK", "active": False, "url": "https://y"},
    ]
    vendor.routes[("POST", path)] = lambda r: httpx.Response(200, json={"id": 7, **body_of(r)})
    vendor.routes[("PUT", f"{path}/7")] = lambda r: httpx.Response(200, json=body_of(r))
    vendor.routes[("GET", f"{path}/7")] = {"id": 7, "name": "MyStream"}
    vendor.routes[("DELETE", f"{path}/7")] = httpx.Response(200)
    listed = await mt.list_connections()
    assert [(c.key, c.name, c.kind, c.type, c.state) for c in listed] == [
        ("5", "CLOE", "stream", "DECODED", "active"),
        ("6", "https://y", "stream", "NETWORK", "inactive"),
    ]
    spec = StreamDefinitionCreate(name="MyStream", url="https://my.streaming.url")
    created = await mt.create_connection("stream", spec)
    assert (created.key, created.name, created.state) == ("7", "MyStream", "inactive")
    assert body_of(vendor.last("POST", path))["companyId"] == 987
    assert (await mt.get_stream_definition("7"))["name"] == "MyStream"
    activated = await mt.activate_stream_definition("7")
    assert activated is not None and activated.state == "active"
    assert body_of(vendor.last("PUT", f"{path}/7")) == {"active": True}
    await mt.deactivate_stream_definition("7")
    assert body_of(vendor.last("PUT", f"{path}/7")) == {"active": False}
    await mt.update_stream_definition("7", StreamDefinitionUpdate(username="u", password="p"))
    await mt.delete_stream_definition("7")
    assert vendor.last("DELETE", f"{path}/7") is not None


async def test_triggered_rules_are_the_alarms_and_cannot_be_acknowledged(
    vendor: Vendor, mt: MyThings
) -> None:
    vendor.routes[things("/businessrulestriggered")] = TRIGGERED
    vendor.routes[things("/businessrulestriggered/12")] = TRIGGERED[:1]
    vendor.routes[things("/businessrules")] = {
        "body": [{"name": "Too hot", "operator": ">", "threshold": 30}],
        "statusCode": "OK",
        "statusCodeValue": 200,
    }
    page_ = await mt.list_alarms()
    newest, older = page_.items
    assert newest.key == "13@1709390000000" and newest.device_key == "AAAAAAAAAAAAAAAA"
    assert older.type == "Too hot" and older.device_name == "Door 4"
    assert older.message == "Temperature = 31.5" and older.state == "TRIGGERED"
    assert not older.acknowledged and page_.cursor is None
    mine = await mt.list_alarms(device_key=THING_ID.lower())
    assert [a.key for a in mine.items] == [older.key]
    await mt.triggered_rules("12", action="EMAIL", container="Temperature")
    assert dict(vendor.last(*things("/businessrulestriggered/12")).url.params) == {
        "action": "EMAIL",
        "containerName": "Temperature",
    }
    assert (await mt.business_rules())[0]["name"] == "Too hot"
    assert mt.ACKNOWLEDGES is False
    with pytest.raises(ApiError, match="no acknowledgement"):
        await mt.acknowledge_alarm(older.key)


@pytest.mark.parametrize(
    ("answer", "up", "text"),
    [
        (httpx.Response(200, text="UP"), True, "UP"),
        (httpx.Response(200, json="DOWN"), False, "DOWN"),
        (httpx.Response(200, json={"status": "UP"}), True, "UP"),
        (
            httpx.Response(200, text="maintenance\x1b[2J\n" + "x" * 200),
            None,
            "maintenance[2J " + "x" * 65,
        ),
    ],
)
async def test_status(
    vendor: Vendor, mt: MyThings, answer: httpx.Response, up: bool | None, text: str
) -> None:
    vendor.routes[things("/status")] = answer
    health = await mt.status()
    assert (health.up, health.text) == (up, text)


# ---------------------------------------------------------------- bulk actions


async def test_bulk_actions_of_the_new_capabilities(vendor: Vendor, mt: MyThings) -> None:
    path = f"{API}/things/{THING_ID}"
    vendor.routes[("POST", f"{path}/provision")] = {"status": "OK"}
    vendor.routes[("DELETE", f"{path}/deprovision")] = {"status": "OK"}
    vendor.routes[("PUT", f"{path}/tags")] = THING
    vendor.routes[("POST", f"{API}/downlink/template/uid-1")] = {"message": "queued"}
    provision = make_action(mt, "provision", {})
    deprovision = make_action(mt, "deprovision", {})
    tag = make_action(mt, "tag", {"tags": ["floor-2"]})
    template = make_action(mt, "template", {"template": "uid-1"})
    assert isinstance(provision, ProvisionDevices) and isinstance(deprovision, DeprovisionDevices)
    assert isinstance(tag, TagDevices) and tag.params == {"tags": ["floor-2"]}
    assert isinstance(template, SendTemplate) and template.kind == "unverifiable"
    target = Target(THING_ID, "Door 4")
    for action in (provision, deprovision, tag, template):
        assert await action.apply(target) == THING_ID
    assert body_of(vendor.last("PUT", f"{path}/tags")) == ["floor-2"]
    assert body_of(vendor.last("POST", f"{API}/downlink/template/uid-1")) == {
        "thingIdentifiers": [THING_ID]
    }
    assert tag.describe(target) == "tag floor-2"
    refused = plan(make_action(mt, "tag", {}), [target])
    assert refused.refused and refused.refused[0][1].startswith("tags:")
    assert make_action(mt, "template", {}).cannot(target) == (
        "template: choose a configuration template"
    )
    with pytest.raises(ValueError, match="cannot do 'ack'"):
        make_action(mt, "ack", {})
    downlink = make_action(mt, "command:downlink", {"payload": "0A1", "fport": 2})
    assert "even number" in (downlink.cannot(target) or "")
