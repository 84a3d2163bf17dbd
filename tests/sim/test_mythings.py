"""The MyThings simulator over real HTTP on loopback, with plain httpx (never the adapters):
tokens, things, catalogues, stream definitions, downlinks, business rules, faults and counters."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tui.sim import SimServer
from tui.sim.config import MIN_RATE_LIMIT
from tui.sim.credentials import (
    MYTHINGS_CLIENT_ID,
    MYTHINGS_CLIENT_SECRET,
    MYTHINGS_COMPANY_ID,
    MYTHINGS_PERMANENT_TOKEN,
    banner,
)
from tui.sim.mythings.data import Things

API = "/mythings/1.1.0"
CREDS = {
    "grant_type": "client_credentials",
    "scope": "openid",
    "client_id": MYTHINGS_CLIENT_ID,
    "client_secret": MYTHINGS_CLIENT_SECRET,
}
TEMPLATE = "2c9f8a7e-0b1d-4c6e-8f10-000000000001"

MakeSim = Callable[..., SimServer]


def get_token(base_url: str) -> dict[str, Any]:
    """A token asked for as the vendor page's curl does: everything in the query."""
    got = httpx.post(base_url + "/token", params=CREDS)
    assert got.status_code == 200, got.text
    return got.json()


def authed(server: SimServer) -> httpx.Client:
    token = get_token(server.base_url)["access_token"]
    return httpx.Client(
        base_url=server.base_url + API,
        timeout=60,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )


@pytest.fixture(scope="module")
def api(sim: SimServer) -> Iterator[httpx.Client]:
    """The shared demo simulator (5,000 things): read-only tests only."""
    with authed(sim) as client:
        yield client


@pytest.fixture
def small(make_sim: MakeSim) -> Iterator[httpx.Client]:
    """A client of a fresh 300-thing simulator, for tests that change things."""
    with authed(make_sim(devices=300, alarms=0)) as client:
        yield client


def vendor_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The back end's error body: code (the status, a string), message, errors."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == str(status) and body["message"]
    return body


def violations(response: httpx.Response) -> list[str]:
    """The messages of a 400 validation answer, checked against its `message`."""
    body = vendor_error(response, 400)
    messages = [e["message"] for e in body["errors"]]
    assert body["message"] == "[" + ", ".join(messages) + "]"
    return messages


def gateway_fault(response: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    fault = response.json()["fault"]
    assert fault["code"] == code and fault["message"] and fault["description"]
    return fault


def otaa_body(ident: str, **changes: Any) -> dict[str, Any]:
    """The page's LORA.OTAA example, in the demo company."""
    body = {
        "connectivityType": "LORA.OTAA",
        "thingIdentifier": ident,
        "companyId": MYTHINGS_COMPANY_ID,
        "thingName": "mythingname",
        "description": "mythingsdescription",
        "isPublic": False,
        "thingTypeId": 10,
        "longitude": "mythingslongitude",
        "latitude": "mythingslatitude",
        "locationFN1": "mythingsfn1",
        "locationFN2": "mythingsfn1",
        "connectivityPlan": "pxs-iot-cs/288-up-transactions-24-down",
        "keys": {
            "applicationKey": "12341234123412341234123412341234",
            "applicationEUI": "1234123412341234",
        },
        "motionIndicator": "Random",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def abp_body(ident: str, address: str, **changes: Any) -> dict[str, Any]:
    """The page's LORA.ABP example, in the demo company."""
    body = {
        "connectivityType": "LORA.ABP",
        "thingIdentifier": ident,
        "companyId": MYTHINGS_COMPANY_ID,
        "thingName": "testmythingname",
        "isPublic": False,
        "thingTypeId": 33,
        "connectivityPlan": "pxs-iot-cs/96-up-transactions-0-down",
        "deviceAddress": address,
        "keys": {
            "applicationSessionkeys": [
                {"applicationSessionKey": "11111234123412341234123412341243", "port": "1"}
            ],
            "networkSessionKey": "44341234123412344444123412341241",
        },
        "tags": ["tag1", "tag2", "taggedyTagTag"],
        "motionIndicator": "Vehicle speed",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def first_thing(client: httpx.Client, **params: Any) -> dict[str, Any]:
    things = client.get("/things", params={"results": 1, **params}).json()
    assert len(things) == 1
    return things[0]


def ops(server: SimServer) -> dict[str, Any]:
    return httpx.get(server.base_url + "/_sim/ops").json()["mythings"]


# -- tokens ----------------------------------------------------------------------------------------


def test_one_active_token_per_application_whichever_way_the_credentials_come(
    make_sim: MakeSim,
) -> None:
    server = make_sim(devices=5, alarms=0)
    url = server.base_url + "/token"
    first = get_token(server.base_url)
    assert set(first) == {"scope", "token_type", "expires_in", "access_token"}
    assert first["token_type"] == "Bearer" and first["scope"] == "openid"
    assert first["expires_in"] == 3600
    form = httpx.post(url, data=CREDS).json()
    basic = httpx.post(
        url,
        data={"grant_type": "client_credentials", "scope": "openid"},
        auth=(MYTHINGS_CLIENT_ID, MYTHINGS_CLIENT_SECRET),
    ).json()
    assert form["access_token"] == basic["access_token"] == first["access_token"]
    assert 3590 <= basic["expires_in"] <= 3600


@pytest.mark.parametrize(
    ("params", "auth", "status", "error"),
    [
        ({**CREDS, "client_secret": "wrong"}, None, 401, "invalid_client"),
        ({**CREDS, "client_id": "other"}, None, 401, "invalid_client"),
        ({"grant_type": "client_credentials"}, None, 401, "invalid_client"),
        (
            {"grant_type": "client_credentials"},
            (MYTHINGS_CLIENT_ID, "wrong"),
            401,
            "invalid_client",
        ),
        ({**CREDS, "grant_type": "password"}, None, 400, "unsupported_grant_type"),
        ({k: v for k, v in CREDS.items() if k != "grant_type"}, None, 400, "invalid_request"),
    ],
)
def test_token_refusals(
    sim: SimServer,
    params: dict[str, str],
    auth: tuple[str, str] | None,
    status: int,
    error: str,
) -> None:
    got = httpx.post(sim.base_url + "/token", params=params, auth=auth)
    assert got.status_code == status
    assert got.json()["error"] == error and got.json()["error_description"]


def test_an_expired_token_is_refused_and_a_new_one_issued(make_sim: MakeSim) -> None:
    server = make_sim(devices=5, alarms=0, token_ttl=1)
    with authed(server) as client:
        assert client.get("/status").json() == "UP"
        old = client.headers["Authorization"].split()[1]
        time.sleep(1.2)
        gateway_fault(client.get("/status"), 401, 900901)
    fresh = get_token(server.base_url)
    assert fresh["access_token"] != old and fresh["expires_in"] == 1


def test_a_revoked_token_is_refused_and_the_next_token_is_new(make_sim: MakeSim) -> None:
    server = make_sim(devices=5, alarms=0)
    with authed(server) as client:
        token = client.headers["Authorization"].split()[1]
        wrong = httpx.post(
            server.base_url + "/revoke",
            data={"token": token, "client_id": MYTHINGS_CLIENT_ID, "client_secret": "x"},
        )
        assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
        assert client.get("/status").status_code == 200
        revoke = {
            "token": token,
            "client_id": MYTHINGS_CLIENT_ID,
            "client_secret": MYTHINGS_CLIENT_SECRET,
        }
        done = httpx.post(server.base_url + "/revoke", data=revoke)
        assert done.status_code == 200 and done.content == b""
        gateway_fault(client.get("/status"), 401, 900901)
        # Revoking again (or an unknown token) is no error (RFC 7009).
        assert httpx.post(server.base_url + "/revoke", data=revoke).status_code == 200
    assert get_token(server.base_url)["access_token"] != token


def test_the_permanent_token_never_expires_and_is_not_revoked(make_sim: MakeSim) -> None:
    server = make_sim(devices=5, alarms=0, token_ttl=1)
    headers = {"Authorization": f"Bearer {MYTHINGS_PERMANENT_TOKEN}"}
    revoke = {
        "token": MYTHINGS_PERMANENT_TOKEN,
        "client_id": MYTHINGS_CLIENT_ID,
        "client_secret": MYTHINGS_CLIENT_SECRET,
    }
    assert httpx.post(server.base_url + "/revoke", data=revoke).status_code == 200
    time.sleep(1.1)
    assert httpx.get(server.base_url + API + "/status", headers=headers).json() == "UP"


def test_the_api_needs_a_bearer(sim: SimServer) -> None:
    missing = httpx.get(sim.base_url + API + "/things")
    gateway_fault(missing, 401, 900902)
    assert missing.headers["www-authenticate"].startswith("OAuth2")
    bogus = httpx.get(sim.base_url + API + "/things", headers={"Authorization": "Bearer nope"})
    gateway_fault(bogus, 401, 900901)


def test_unknown_resources_are_the_gateways_404(api: httpx.Client) -> None:
    gateway_fault(api.get("/nothing/here"), 404, 900906)
    gateway_fault(api.post("/status"), 405, 900906)


def test_the_banner_shows_the_demo_credentials() -> None:
    text = banner("http://127.0.0.1:1")
    for value in (
        MYTHINGS_CLIENT_ID,
        MYTHINGS_CLIENT_SECRET,
        str(MYTHINGS_COMPANY_ID),
        MYTHINGS_PERMANENT_TOKEN,
        "http://127.0.0.1:1/token",
        "http://127.0.0.1:1/mythings/1.1.0",
    ):
        assert value in text


# -- things: lists and reads ---------------------------------------------------------------------


def test_the_demo_company_has_5000_things_of_several_types(api: httpx.Client) -> None:
    things = api.get("/things").json()
    assert len(things) == 5000
    ids = [t["thingId"] for t in things]
    assert ids == sorted(ids) and len(set(t["thingIdentifier"] for t in things)) == 5000
    assert {t["connectivityType"] for t in things} == {"LORA.OTAA", "LORA.ABP"}
    assert len({t["thingType"] for t in things}) >= 6 and len({t["vendor"] for t in things}) >= 4
    assert {t["companyId"] for t in things} == {MYTHINGS_COMPANY_ID}
    thing = things[0]
    assert {
        "companyName", "connectivityPlan", "description", "insertionDate", "isPublic",
        "lastModifiedDate", "lastlocation", "motionIndicator", "tags", "technologyDetails",
        "thingName", "thingKeysLoRaOTAA", "thingKeysLoRaABP", "iotProduct",
    } <= set(thing)  # fmt: skip
    assert thing["tags"] and len(thing["thingIdentifier"]) == 16
    details = thing["technologyDetails"]
    assert details["activationType"] in ("OTAA", "ABP") and len(details["deviceAddress"]) == 8
    abp = next(t for t in things if t["connectivityType"] == "LORA.ABP")
    assert len(abp["thingKeysLoRaABP"]["networkSessionKey"]) == 32
    otaa = next(t for t in things if t["connectivityType"] == "LORA.OTAA")
    assert len(otaa["thingKeysLoRaOTAA"]["applicationKey"]) == 32


def test_the_same_seed_gives_the_same_fleet(make_sim: MakeSim, api: httpx.Client) -> None:
    with authed(make_sim(alarms=0)) as other:
        assert (
            other.get("/things", params={"results": 50}).json()
            == api.get("/things", params={"results": 50}).json()
        )
    with authed(make_sim(seed=2, devices=50, alarms=0)) as reseeded:
        assert reseeded.get("/things").json() != api.get("/things", params={"results": 50}).json()


def test_devices_sizes_the_mythings_fleet(make_sim: MakeSim) -> None:
    with authed(make_sim(devices=37, alarms=0)) as client:
        assert len(client.get("/things").json()) == 37
    with authed(make_sim(devices=0, alarms=0)) as client:
        assert client.get("/things").json() == []
        assert client.get("/businessrulestriggered").json() == []


def test_list_filters(api: httpx.Client) -> None:
    assert len(api.get("/things", params={"results": 7}).json()) == 7
    some = api.get("/things", params={"results": 40}).json()
    name = some[3]["thingName"]
    by_name = api.get("/things", params={"thingName": name.upper()}).json()
    assert [t["thingIdentifier"] for t in by_name] == [some[3]["thingIdentifier"]]
    site = some[0]["tags"][0]
    by_site = api.get("/things", params={"tags": [site]}).json()
    assert by_site and all(site in t["tags"] for t in by_site)
    both = api.get("/things", params={"tags": [site, "critical"]}).json()
    assert 0 < len(both) < len(by_site)
    assert all({site, "critical"} <= set(t["tags"]) for t in both)
    public = api.get("/things", params={"isPublic": "true"}).json()
    assert public and all(t["isPublic"] for t in public) and len(public) < 1000
    cut = some[20]["lastModifiedDate"]
    recent = api.get("/things", params={"modifiedSince": cut}).json()
    assert recent and all(t["lastModifiedDate"] >= cut for t in recent)
    ever = api.get("/things", params={"lastActivity": "2020-01-01T00:00:00Z"}).json()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    active = api.get("/things", params={"lastActivity": yesterday}).json()
    never = api.get("/things", params={"lastActivity": "2100-01-01T00:00:00Z"}).json()
    assert len(ever) == 5000 and 4000 < len(active) < 5000 and never == []


@pytest.mark.parametrize(
    "params",
    [{"results": "0"}, {"results": "many"}, {"isPublic": "maybe"}, {"modifiedSince": "yesterday"}],
)
def test_bad_list_parameters(api: httpx.Client, params: dict[str, str]) -> None:
    vendor_error(api.get("/things", params=params), 400)


def test_get_a_thing_and_its_type(api: httpx.Client) -> None:
    thing = first_thing(api)
    ident = thing["thingIdentifier"]
    assert api.get(f"/things/{ident}").json() == thing
    assert api.get(f"/things/{ident.lower()}").json() == thing
    kind = api.get(f"/things/{ident}/type").json()
    assert kind["thingType"] == thing["thingType"] and kind["vendor"] == thing["vendor"]
    assert kind["connectivityType"] == thing["connectivityType"]
    assert {"thingTypeVersion", "vendorReference"} <= set(kind)
    assert kind["containers"] and {"container", "containerId", "name", "type"} == set(
        kind["containers"][0]
    )
    body = vendor_error(api.get("/things/0000000000000000"), 404)
    assert "0000000000000000" in body["message"]


# -- things: changes -----------------------------------------------------------------------------


def test_create_an_otaa_thing(small: httpx.Client) -> None:
    created = small.post("/things", json=otaa_body("abcdab22abcdabc2"))
    assert created.status_code == 200, created.text
    thing = created.json()
    assert thing["thingIdentifier"] == "ABCDAB22ABCDABC2"
    assert thing["thingType"] == "Temperature and humidity"
    assert thing["thingKeysLoRaOTAA"] == otaa_body("x")["keys"]
    assert thing["technologyDetails"]["provisioned"] is True
    assert thing["connectivityPlan"] == "pxs-iot-cs/288-up-transactions-24-down"
    assert small.get("/things/ABCDAB22ABCDABC2").json() == thing
    assert small.get("/things").json()[-1] == thing
    duplicate = small.post("/things", json=otaa_body("ABCDAB22ABCDABC2"))
    assert "already exists" in vendor_error(duplicate, 409)["message"]


def test_create_validation_messages_are_the_vendors(small: httpx.Client) -> None:
    assert violations(small.post("/things", json={})) == [
        "CompanyId may not be null",
        "ConnectivityType may not be null",
        "ConnectivityType may not be blank",
        "may not be null",
        "ThingTypeId may not be null",
    ]
    assert violations(small.post("/things", json=otaa_body("1" * 16, connectivityType="LORA"))) == [
        "ConnectivityType can only be of type 'LORA.ABP', 'LORA.OTAA' or 'ETHERNET'"
    ]
    assert violations(small.post("/things", json=otaa_body("1" * 16, connectivityType=" "))) == [
        "ConnectivityType may not be blank",
        "ConnectivityType can only be of type 'LORA.ABP', 'LORA.OTAA' or 'ETHERNET'",
    ]
    short = otaa_body("1" * 16, keys={"applicationKey": "1234", "applicationEUI": "12341234"})
    assert violations(small.post("/things", json=short)) == [
        "ApplicationEUI must be 16 characters",
        "ApplicationKey must be 32 characters",
    ]
    assert violations(small.post("/things", json=otaa_body("1" * 16, keys=None))) == [
        "ApplicationEUI may not be null",
        "ApplicationKey may not be null",
    ]
    moving = otaa_body("1" * 16, motionIndicator="Flying")
    assert violations(small.post("/things", json=moving))[0].startswith(
        "MotionIndicator can only be"
    )
    bad_abp = abp_body(
        "2" * 16,
        "ABC",
        keys={
            "applicationSessionkeys": [{"applicationSessionKey": "1111", "port": "1"}],
            "networkSessionKey": "4434",
        },
    )
    assert violations(small.post("/things", json=bad_abp)) == [
        "DeviceAddress must be 8 characters",
        "ApplicationSessionKey must be 32 characters",
        "NetworksKey must be 32 characters",
    ]
    no_keys = abp_body("2" * 16, "07FFF010", keys={})
    assert violations(small.post("/things", json=no_keys)) == ["NetworkSessionKey may not be null"]


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"companyId": 77}, 403),
        ({"thingTypeId": 99}, 400),
        ({"thingTypeId": 24}, 400),  # an ETHERNET type for a LoRa thing
        ({"connectivityPlan": "pxs-iot-cs/unknown"}, 400),
        ({"thingIdentifier": "XYZ"}, 400),
        ({"keys": {"applicationKey": "Z" * 32, "applicationEUI": "1" * 16}}, 400),
        ({"companyId": "not a number"}, 400),
    ],
)
def test_create_refusals(small: httpx.Client, changes: dict[str, Any], status: int) -> None:
    body = otaa_body("1234123412341234")
    body.update(changes)
    vendor_error(small.post("/things", json=body), status)


def test_abp_things_take_reserved_device_addresses(small: httpx.Client) -> None:
    reserved = small.get(
        "/deviceaddress/reserve", params={"companyId": MYTHINGS_COMPANY_ID, "amount": 2}
    ).json()
    assert reserved["amount"] == 2 and reserved["companyId"] == MYTHINGS_COMPANY_ID
    one, two = reserved["devAddresses"]
    created = small.post("/things", json=abp_body("1234ABCDABCD3333", one.lower()))
    assert created.status_code == 200, created.text
    thing = created.json()
    assert thing["technologyDetails"]["deviceAddress"] == one
    assert thing["thingKeysLoRaABP"] == abp_body("x", one)["keys"]
    taken = small.post("/things", json=abp_body("1234ABCDABCD4444", one))
    assert "in use" in vendor_error(taken, 409)["message"]
    stranger = small.post("/things", json=abp_body("1234ABCDABCD4444", "01020304"))
    assert "not reserved" in vendor_error(stranger, 400)["message"]
    # Moved to another reserved address, the first one is free again.
    moved = small.put("/things/1234ABCDABCD3333", json={"deviceAddress": two})
    assert moved.json()["technologyDetails"]["deviceAddress"] == two
    again = small.post("/things", json=abp_body("1234ABCDABCD4444", one))
    assert again.status_code == 200, again.text
    # The page's example: removing the application session keys.
    cleared = small.put(
        "/things/1234ABCDABCD3333", json={"keysLoRaABP": {"applicationSessionkeys": [{}]}}
    ).json()
    assert cleared["thingKeysLoRaABP"] == {
        "applicationSessionkeys": [],
        "networkSessionKey": "44341234123412344444123412341241",
    }


def test_an_ethernet_thing(small: httpx.Client) -> None:
    body = {
        "connectivityType": "ETHERNET",
        "thingIdentifier": "ETH-0001",
        "companyId": MYTHINGS_COMPANY_ID,
        "thingName": "mythingname",
        "thingTypeId": 24,
        "serialNumber": "1234123412341234",
    }
    created = small.post("/things", json=body)
    assert created.status_code == 200, created.text
    assert created.json()["technologyDetails"] is None
    assert created.json()["thingType"] == "Ethernet environment sensor"
    vendor_error(small.post("/things/ETH-0001/provision"), 400)
    vendor_error(small.delete("/things/ETH-0001/deprovision"), 400)
    vendor_error(small.post("/things", json={**body, "thingTypeId": 10}), 400)
    updated = small.put("/things/ETH-0001", json={"thingName": "ethernetDevice", "tags": ["a"]})
    assert updated.json()["thingName"] == "ethernetDevice" and updated.json()["tags"] == ["a"]
    vendor_error(small.put("/things/ETH-0001", json={"keysLoRaOTAA": otaa_body("x")["keys"]}), 400)


def test_update_a_thing(small: httpx.Client) -> None:
    thing = first_thing(small, isPublic="false")
    ident = thing["thingIdentifier"]
    kind = "keysLoRaOTAA" if thing["connectivityType"] == "LORA.OTAA" else "keysLoRaABP"
    other = "keysLoRaABP" if kind == "keysLoRaOTAA" else "keysLoRaOTAA"
    update = {
        "isPublic": True,
        "thingName": "updatedThingName",
        "description": "updatedDescription",
        "tags": ["tag1", "tag2", "tag3"],
        "latitude": "2",
        "longitude": "50",
        "locationFN1": "updateFn1",
        "locationFN2": "updateFn2",
    }
    updated = small.put(f"/things/{ident}", json=update)
    assert updated.status_code == 200, updated.text
    got = small.get(f"/things/{ident}").json()
    assert got == updated.json()
    for key in ("isPublic", "thingName", "description", "tags"):
        assert got[key] == update[key]
    location = got["lastlocation"]
    assert (location["latitude"], location["longitude"]) == ("2", "50")
    assert (location["locationFN1"], location["locationFN2"]) == ("updateFn1", "updateFn2")
    assert got["lastModifiedDate"] > thing["lastModifiedDate"]
    # A key of the other activation type, or a short one, is refused.
    vendor_error(small.put(f"/things/{ident}", json={other: {}}), 400)
    if kind == "keysLoRaOTAA":
        short = {kind: {"applicationKey": "5555", "applicationEUI": "4444123412344444"}}
        assert violations(small.put(f"/things/{ident}", json=short)) == [
            "ApplicationKey must be 32 characters"
        ]
    else:
        short = {kind: {"networkSessionKey": "5555"}}
        assert violations(small.put(f"/things/{ident}", json=short)) == [
            "NetworksKey must be 32 characters"
        ]
    assert violations(small.put(f"/things/{ident}", json={"deviceAddress": "123"})) == [
        "DeviceAddress must be 8 characters"
    ]
    vendor_error(small.put(f"/things/{ident}", json={"companyId": 162}), 403)
    vendor_error(small.put("/things/0000000000000000", json={"thingName": "x"}), 404)
    vendor_error(small.put(f"/things/{ident}", content=b"{not json"), 400)
    refused = small.put(f"/things/{ident}", content=b"{}", headers={"Content-Type": "text/plain"})
    vendor_error(refused, 415)


def test_delete_provision_deprovision_and_tags(small: httpx.Client) -> None:
    thing = first_thing(small)
    ident = thing["thingIdentifier"]
    gone = small.delete(f"/things/{ident}")
    assert gone.status_code == 200 and gone.content == b""
    vendor_error(small.get(f"/things/{ident}"), 404)
    vendor_error(small.delete(f"/things/{ident}"), 404)
    assert ident not in {t["thingIdentifier"] for t in small.get("/things").json()}

    ident = first_thing(small)["thingIdentifier"]
    down = small.delete(f"/things/{ident}/deprovision")
    assert down.status_code == 200 and down.json()["status"] == "OK" and down.json()["message"]
    assert small.get(f"/things/{ident}").json()["technologyDetails"]["provisioned"] is False
    assert small.delete(f"/things/{ident}/deprovision").status_code == 200
    up = small.post(f"/things/{ident}/provision")
    assert up.status_code == 200 and up.json()["status"] == "OK"
    assert small.get(f"/things/{ident}").json()["technologyDetails"]["provisioned"] is True

    tags = small.get(f"/things/{ident}").json()["tags"]
    single = small.put(f"/things/{ident}/tags", json=["dummyTag"]).json()
    assert single["tags"] == [*tags, "dummyTag"]
    multiple = small.put(f"/things/{ident}/tags", json=["tag0", "tag1", "dummyTag"]).json()
    assert multiple["tags"] == [*tags, "dummyTag", "tag0", "tag1"]
    vendor_error(small.put(f"/things/{ident}/tags", json={"tags": ["x"]}), 400)
    vendor_error(small.post("/things/0000000000000000/provision"), 404)


def test_delete_a_container(small: httpx.Client) -> None:
    ident = first_thing(small)["thingIdentifier"]
    containers = small.get(f"/things/{ident}/type").json()["containers"]
    name = containers[-1]["name"]
    done = small.delete(f"/things/{ident}/{name}")
    assert done.status_code == 200 and done.json()["status"] == "OK"
    left = small.get(f"/things/{ident}/type").json()["containers"]
    assert [c["name"] for c in left] == [c["name"] for c in containers[:-1]]
    decoded = small.get(f"/things/{ident}/logs/decoded").json()["content"]
    assert name not in {entry["container"]["name"] for entry in decoded}
    vendor_error(small.delete(f"/things/{ident}/{name}"), 404)
    vendor_error(small.get(f"/things/{ident}/type/{name}/values"), 404)


# -- catalogues, base stations, device addresses -------------------------------------------------


def test_catalogues(api: httpx.Client) -> None:
    types = api.get("/thingtypes").json()
    by_id = {t["id"]: t for t in types}
    assert {10, 24, 33} <= set(by_id) and by_id[24]["connectivityType"] == "ETHERNET"
    assert {"connectivityType", "name", "vendor", "vendorReference", "version"} <= set(by_id[10])
    vendors = api.get("/vendors").json()
    assert {t["vendor"] for t in types} == {v["name"] for v in vendors}
    plans = api.get("/connectivityplans").json()
    assert len(plans) == 1 and plans[0]["subscriberId"] and plans[0]["companyName"]
    assert sum(p["assignedthings"] for p in plans[0]["connectivityPlans"]) == 5000
    assert {p["connectivitytype"] for p in plans[0]["connectivityPlans"]} == {"LORA"}
    definitions = api.get("/containerdefinitions").json()
    assert {"connectivityType", "container", "name", "thingTypeName", "vendor"} == set(
        definitions[0]
    )
    gps = api.get("/containerdefinitions", params={"thingTypeName": "GPS tracker"}).json()
    assert gps and {d["thingTypeName"] for d in gps} == {"GPS tracker"}
    templates = api.get("/configurationtemplates").json()
    assert templates and {"name", "uid"} == set(templates[0])
    assert api.get("/status").json() == "UP"


def test_base_stations(small: httpx.Client) -> None:
    stations = small.get("/basestations").json()
    assert len(stations) == 40
    assert {s["state"] for s in stations} == {"CONNECTED", "NEVERCONNECTED", "CONNECTIONLOST"}
    station = stations[5]
    assert set(station) == {
        "basestationId", "basestationName", "companyId", "companyName", "firmware",
        "lastRestart", "location", "state",
    }  # fmt: skip
    path = f"/basestations/{station['basestationId']}"
    assert small.get(path).json() == station
    body = {"companyId": 987, "latitude": "50", "locationName": "Wall street", "longitude": "2"}
    located = small.put(path, json=body)
    assert located.status_code == 200, located.text
    location = located.json()["location"]
    assert (location["latitude"], location["longitude"], location["name"]) == (
        "50",
        "2",
        "Wall street",
    )
    assert small.get(path).json() == located.json()
    vendor_error(small.put(path, json={**body, "companyId": 1}), 403)
    vendor_error(small.get("/basestations/FFFFFFFF"), 404)


def test_device_addresses(small: httpx.Client) -> None:
    company = {"companyId": MYTHINGS_COMPANY_ID}
    free = small.get("/deviceaddress", params={**company, "amount": 3}).json()
    assert free["amount"] == 3 and len(free["devAddresses"]) == 3
    assigned = small.put(
        "/deviceaddress/assign", json={**company, "devAddresses": free["devAddresses"][:1]}
    )
    assert assigned.status_code == 200 and assigned.json()["devAddresses"] == free["devAddresses"][:1]  # fmt: skip
    after = small.get("/deviceaddress", params={**company, "amount": 3}).json()["devAddresses"]
    assert after[:2] == free["devAddresses"][1:]
    reserved = small.get("/deviceaddress/reserve", params={**company, "amount": 5}).json()
    assert len(set(reserved["devAddresses"])) == 5
    assert not set(reserved["devAddresses"]) & set(after)
    assert violations(small.get("/deviceaddress", params={})) == [
        "CompanyId may not be null",
        "Amount may not be null",
    ]
    assert violations(small.get("/deviceaddress/reserve", params={**company, "amount": 0})) == [
        "Amount must be between 1 and 1000"
    ]
    vendor_error(small.get("/deviceaddress", params={"companyId": 77, "amount": 1}), 403)
    stranger = small.put("/deviceaddress/assign", json={**company, "devAddresses": ["01020304"]})
    vendor_error(stranger, 400)
    assert violations(small.put("/deviceaddress/assign", json=company)) == [
        "DevAddresses may not be empty"
    ]


# -- stream definitions --------------------------------------------------------------------------


STREAM = {
    "active": False,
    "autoLink": True,
    "companyId": 987,
    "contentType": "JSON",
    "basicAuth": False,
    "mutualAuth": False,
    "name": "MyStream",
    "template": '{"timestamp": "%timestamp[yyyy-MM-dd HH:mm:ss.SSS]%","value": "%value%"}',
    "type": "DECODED",
    "url": "https://my.streaming.url",
}


def test_stream_definitions_at_most_two_per_company(small: httpx.Client) -> None:
    existing = small.get("/streamdefinitions").json()
    assert len(existing) == 1
    created = small.post("/streamdefinitions", json=STREAM)
    assert created.status_code == 200, created.text
    stream = created.json()
    assert stream["name"] == "MyStream" and stream["template"] == STREAM["template"]
    assert (stream["active"], stream["autoLink"], stream["companyId"]) == ("false", "true", "987")
    third = small.post("/streamdefinitions", json={**STREAM, "name": "Third"})
    body = vendor_error(third, 400)
    assert body["message"] == "You can define 2 stream definitions per company."
    path = f"/streamdefinitions/{stream['id']}"
    assert small.get(path).json() == stream
    update = {
        "active": True,
        "headers": [{"key": "Content-Type", "value": "application/json"}],
        "password": "admin",
        "userName": "admin",
    }
    updated = small.put(path, json=update).json()
    by_query = small.put(
        "/streamdefinitions", params={"streamDefinitionId": stream["id"]}, json={"name": "Renamed"}
    )
    assert by_query.json()["name"] == "Renamed" and by_query.json()["active"] == "true"
    vendor_error(small.put("/streamdefinitions", json={"name": "x"}), 404)
    assert updated["active"] == "true" and updated["headers"] == update["headers"]
    assert updated["userName"] == "admin" and "password" not in updated
    assert small.delete(path).status_code == 200
    vendor_error(small.get(path), 404)
    again = small.post("/streamdefinitions", json=STREAM).json()
    assert small.delete("/streamdefinitions", params={"streamDefinitionId": again["id"]}).status_code == 200  # fmt: skip
    assert [s["id"] for s in small.get("/streamdefinitions").json()] == [existing[0]["id"]]


def test_stream_definition_validation(small: httpx.Client) -> None:
    assert violations(small.post("/streamdefinitions", json={"name": "x"})) == [
        "Active may not be null",
        "AutoLink may not be null",
        "BasicAuth may not be null",
        "CompanyId may not be null",
        "ContentType may not be null",
        "MutualAuth may not be null",
        "Type may not be null",
        "Url may not be null",
    ]
    wrong = {**STREAM, "type": "RAW", "contentType": "CSV", "url": "ftp://x"}
    assert violations(small.post("/streamdefinitions", json=wrong)) == [
        "Type can only be of type 'NETWORK', 'DECODED' or 'LBS'",
        "ContentType can only be of type 'JSON', 'XML' or 'FREEFORM'",
        "Url must be a valid HTTP or HTTPS URL",
    ]
    vendor_error(small.post("/streamdefinitions", json={**STREAM, "mutualAuth": True}), 400)
    vendor_error(small.post("/streamdefinitions", json={**STREAM, "basicAuth": True}), 400)
    vendor_error(small.post("/streamdefinitions", json={**STREAM, "type": "NETWORK"}), 400)
    vendor_error(small.post("/streamdefinitions", json={**STREAM, "companyId": 5}), 403)
    network = {**STREAM, "type": "NETWORK", "contentType": "XML"}
    assert small.post("/streamdefinitions", json=network).status_code == 200


# -- downlink ------------------------------------------------------------------------------------


def downlink(**changes: Any) -> dict[str, Any]:
    body = {"devEUI": "", "fPort": "9", "payload": "04FD20D9", "encrypted": "0", "ack": 1}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_downlink(small: httpx.Client) -> None:
    ident = first_thing(small)["thingIdentifier"]
    sent = small.post("/downlink", json=downlink(devEUI=ident))
    assert sent.status_code == 200, sent.text
    assert sent.json()["code"] == "200" and sent.json()["errors"] == []
    assert (
        small.post("/downlink", json=downlink(devEUI=ident, payload="AB" * 50)).status_code == 200
    )
    assert small.post("/downlink", json=downlink(devEUI=ident, fPort=255)).status_code == 200
    assert small.post("/downlink", json=downlink(devEUI=ident, fPort=1)).status_code == 200


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        ({"payload": "04FD20D"}, ["Payload must be hexadecimal with an even number of characters"]),
        ({"payload": "04FZ"}, ["Payload must be hexadecimal with an even number of characters"]),
        ({"payload": "AB" * 51}, ["Payload must be at most 50 bytes"]),
        ({"fPort": "0"}, ["FPort must be between 1 and 255"]),
        ({"fPort": 256}, ["FPort must be between 1 and 255"]),
        ({"fPort": "nine"}, ["FPort must be between 1 and 255"]),
        ({"ack": 2, "encrypted": "yes"}, ["Encrypted must be 0 or 1", "Ack must be 0 or 1"]),
        (
            {"devEUI": None, "fPort": None, "payload": None},
            ["DevEUI may not be null", "FPort may not be null", "Payload may not be null"],
        ),
    ],
)
def test_downlink_rules(api: httpx.Client, changes: dict[str, Any], messages: list[str]) -> None:
    body = downlink(**{"devEUI": first_thing(api)["thingIdentifier"], **changes})
    assert violations(api.post("/downlink", json=body)) == messages


def test_downlink_to_things_that_cannot_take_one(small: httpx.Client) -> None:
    vendor_error(small.post("/downlink", json=downlink(devEUI="0000000000000000")), 404)
    ident = first_thing(small)["thingIdentifier"]
    small.delete(f"/things/{ident}/deprovision")
    assert "not provisioned" in vendor_error(small.post("/downlink", json=downlink(devEUI=ident)), 400)["message"]  # fmt: skip


def test_configuration_template_downlinks(small: httpx.Client) -> None:
    idents = [t["thingIdentifier"] for t in small.get("/things", params={"results": 2}).json()]
    sent = small.post(f"/downlink/template/{TEMPLATE}", json={"thingIdentifiers": idents})
    assert sent.status_code == 200, sent.text
    assert sent.json()["code"] == "200"
    vendor_error(small.post("/downlink/template/nope", json={"thingIdentifiers": idents}), 404)
    mixed = small.post(
        f"/downlink/template/{TEMPLATE}",
        json={"thingIdentifiers": [idents[0], "BACBADBADADBADAD"]},
    )
    body = vendor_error(mixed, 400)
    assert body["errors"] == [
        {
            "field": "thingIdentifiers[1]",
            "message": "Thing with identifier BACBADBADADBADAD not found",
        }
    ]
    assert violations(
        small.post(f"/downlink/template/{TEMPLATE}", json={"thingIdentifiers": []})
    ) == ["ThingIdentifiers may not be empty"]


# -- business rules ------------------------------------------------------------------------------


def test_business_rules_and_their_history(api: httpx.Client) -> None:
    rules = api.get("/businessrules").json()
    assert rules["statusCode"] == "OK" and rules["statusCodeValue"] == 200
    rule = rules["body"][0]
    assert {"businessRuleId", "name", "operator", "threshold", "timeToWait", "triggerOnce"} <= set(rule)  # fmt: skip
    fired = api.get("/businessrulestriggered").json()
    assert len(fired) > 100
    stamps = [e["timestamp"] for e in fired]
    assert stamps == sorted(stamps, reverse=True)
    event = fired[0]
    assert {"businessRuleDTO", "businessRuleId", "company", "timestamp", "triggeredByDTO"} == set(event)  # fmt: skip
    thing = event["triggeredByDTO"]["triggeredThingDTO"]
    shown = api.get(f"/things/{thing['thingIdentifier']}").json()
    assert (shown["thingName"], shown["thingType"]) == (thing["name"], thing["thingType"])
    one = api.get(f"/businessrulestriggered/{rule['businessRuleId']}").json()
    assert one and {e["businessRuleId"] for e in one} == {rule["businessRuleId"]}
    name = rule["parameter1"]
    by_container = api.get(
        f"/businessrulestriggered/{rule['businessRuleId']}",
        params={"containerName": name, "action": rule["action"]},
    ).json()
    assert by_container == one
    none = api.get(f"/businessrulestriggered/{rule['businessRuleId']}", params={"action": "X"})
    assert none.json() == []
    vendor_error(api.get("/businessrulestriggered/9999"), 404)
    vendor_error(api.get("/businessrulestriggered/abc"), 400)


# -- faults and counters -------------------------------------------------------------------------


def test_fault_knobs_apply_to_the_api_but_not_to_tokens(make_sim: MakeSim) -> None:
    failing = make_sim(devices=5, alarms=0, fail_rate=1.0)
    with authed(failing) as client:  # the token endpoint is exempt
        got = client.get("/things")
        assert got.status_code in (500, 503)
        vendor_error(got, got.status_code)
    limited = make_sim(devices=5, alarms=0, rate_limit=MIN_RATE_LIMIT)
    with authed(limited) as client:
        assert client.get("/status").status_code == 200
        refused = client.get("/status")
        gateway_fault(refused, 429, 900800)
        assert int(refused.headers["retry-after"]) >= 1
        assert httpx.post(limited.base_url + "/token", params=CREDS).status_code == 200


def test_effective_changes_are_counted_once_per_thing(make_sim: MakeSim) -> None:
    server = make_sim(devices=50, alarms=0)
    with authed(server) as client:
        ident = "ABCDAB22ABCDABC2"
        assert client.post("/things", json=otaa_body(ident)).status_code == 200
        assert client.post("/things", json=otaa_body(ident)).status_code == 409
        assert client.post("/things", json=otaa_body("1" * 16, companyId=None)).status_code == 400
        assert client.put(f"/things/{ident}", json={"thingName": "renamed"}).status_code == 200
        assert client.put(f"/things/{ident}", json={"thingName": "renamed"}).status_code == 200
        assert client.put(f"/things/{ident}", json={}).status_code == 200
        assert client.put(f"/things/{ident}/tags", json=["x"]).status_code == 200
        assert client.put(f"/things/{ident}/tags", json=["x"]).status_code == 200
        assert client.delete(f"/things/{ident}/deprovision").status_code == 200
        assert client.delete(f"/things/{ident}/deprovision").status_code == 200
        assert client.post("/downlink", json=downlink(devEUI=ident)).status_code == 400
        assert client.post(f"/things/{ident}/provision").status_code == 200
        assert client.post(f"/things/{ident}/provision").status_code == 200
        for _ in range(2):
            assert client.post("/downlink", json=downlink(devEUI=ident)).status_code == 200
        assert client.post("/downlink", json=downlink(devEUI=ident, fPort=0)).status_code == 400
        generated = first_thing(client)["thingIdentifier"]
        targets = {"thingIdentifiers": [ident, generated, generated]}
        assert client.post(f"/downlink/template/{TEMPLATE}", json=targets).status_code == 200
        assert client.delete(f"/things/{generated}/temperature").status_code in (200, 404)
        assert client.delete(f"/things/{ident}").status_code == 200
        assert client.delete(f"/things/{ident}").status_code == 404
        client.get("/things")
        client.get(f"/things/{generated}/logs/network")
    counted = ops(server)
    assert counted[ident] == {
        "create": 1, "update": 1, "tag": 1, "deprovision": 1, "provision": 1, "downlink": 3,
        "delete": 1,
    }  # fmt: skip
    assert counted[generated]["downlink"] == 1
    assert set(counted) == {ident, generated}


def test_a_ten_million_thing_company_starts_at_once_and_finds_any_thing(
    make_sim: MakeSim,
) -> None:
    started = time.monotonic()
    server = make_sim(devices=10_000_000, alarms=0)
    assert time.monotonic() - started < 5
    last = Things(1, 10_000_000).identifier(9_999_999)
    with authed(server) as client:
        assert len(client.get("/things", params={"results": 3}).json()) == 3
        thing = client.get(f"/things/{last}").json()
        assert thing["thingId"] == 100_000 + 9_999_999 and thing["thingIdentifier"] == last
        assert client.get(f"/things/{last}/logs/network").json()["content"]
