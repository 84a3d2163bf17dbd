"""The simulated Huawei IoTDA over real HTTP: Huawei's own SDK unchanged, signature checks, product rules, paging, faults."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote_plus, urlencode, urlsplit

import httpx
import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkiotda.v5 import (
    AddDevice,
    AddDeviceRequest,
    AddProduct,
    AuthInfo,
    AuthInfoWithoutSecret,
    CreateProductRequest,
    DeleteDeviceRequest,
    IoTDAClient,
    ListDevicesRequest,
    ListProductsRequest,
    ServiceCapability,
    ServiceProperty,
    ShowDeviceRequest,
    ShowProductRequest,
    UpdateDevice,
    UpdateDeviceRequest,
)

from tui.sim import SimServer
from tui.sim.credentials import (
    IOTDA_ACCESS_KEY,
    IOTDA_IAM_TOKEN,
    IOTDA_INSTANCE_ID,
    IOTDA_PROJECT_ID,
    IOTDA_SECRET_KEY,
)
from tui.sim.iotda.catalog import DEFAULT_APP, TEST_APP, THERMOMETER_ID

BASE = f"/v5/iot/{IOTDA_PROJECT_ID}"


# -- a small signer written here from Huawei's algorithm, independent of tui/api ----------------


def sign(
    method: str,
    url: str,
    body: bytes = b"",
    *,
    ak: str = IOTDA_ACCESS_KEY,
    sk: str = IOTDA_SECRET_KEY,
    date: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """Headers carrying an SDK-HMAC-SHA256 signature of the request."""
    parts = urlsplit(url)
    stamp = (date or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    all_headers = {"Content-Type": "application/json", "Host": parts.netloc, "X-Sdk-Date": stamp}
    all_headers.update(headers or {})
    signed = sorted(k.lower() for k in all_headers if "_" not in k)
    values = {k.lower(): v.strip() for k, v in all_headers.items()}
    path = "/".join(quote(seg, safe="~") for seg in parts.path.split("/"))
    path = path if path.endswith("/") else path + "/"
    pairs = sorted(
        tuple(p.split("=", 1)) if "=" in p else (p, "") for p in parts.query.split("&") if p
    )
    query = "&".join(
        f"{quote(unquote_plus(k), safe='~')}={quote(unquote_plus(v), safe='~')}" for k, v in pairs
    )
    canonical = "\n".join(
        [
            method,
            path,
            query,
            "".join(f"{h}:{values[h]}\n" for h in signed),
            ";".join(signed),
            hashlib.sha256(body).hexdigest(),
        ]
    )
    to_sign = f"SDK-HMAC-SHA256\n{stamp}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.new(sk.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    all_headers["Authorization"] = (
        f"SDK-HMAC-SHA256 Access={ak}, SignedHeaders={';'.join(signed)}, Signature={signature}"
    )
    return all_headers


def call(
    sim: SimServer,
    method: str,
    path: str,
    params: dict[str, Any] | None = None,
    body: Any = None,
    **sign_kw: Any,
) -> httpx.Response:
    """A signed request to the simulator."""
    url = sim.base_url + BASE + path
    if params:
        url += "?" + urlencode(params, quote_via=quote)
    raw = json.dumps(body).encode() if body is not None else b""
    headers = sign(method, url, raw, **sign_kw)
    return httpx.request(method, url, content=raw, headers=headers)


def sdk_client(sim: SimServer, sk: str = IOTDA_SECRET_KEY) -> IoTDAClient:
    """Huawei's own client, unchanged, pointed at the simulator."""
    creds = BasicCredentials(IOTDA_ACCESS_KEY, sk, IOTDA_PROJECT_ID)
    return IoTDAClient.new_builder().with_credentials(creds).with_endpoints([sim.base_url]).build()


def thermometer_body(**changes: Any) -> dict[str, Any]:
    """A valid create body (the vendor page's example, with a fresh id and name)."""
    body: dict[str, Any] = {
        "name": "Thermometer.",
        "device_type": "Thermometer.",
        "protocol_type": "MQTT",
        "data_format": "json",
        "service_capabilities": [
            {
                "service_id": "Temperature.",
                "service_type": "temperature",
                "properties": [
                    {
                        "property_name": "temperature",
                        "data_type": "decimal",
                        "required": True,
                        "enum_list": None,
                        "min": "1",
                        "max": "100",
                        "max_length": 100,
                        "step": 0.1,
                        "unit": "centigrade",
                        "method": "RW",
                        "description": "force",
                        "default_value": {"color": "red", "size": 1},
                    }
                ],
                "commands": [
                    {
                        "command_name": "reboot",
                        "paras": [
                            {
                                "para_name": "force",
                                "data_type": "string",
                                "min": "1",
                                "max": "100",
                                "max_length": 100,
                                "step": 0.1,
                                "unit": "km/h",
                            }
                        ],
                        "responses": [{"response_name": "ACK", "paras": []}],
                    }
                ],
                "description": "temperature",
                "option": "Mandatory",
            }
        ],
        "manufacturer_name": "ABC",
        "industry": "smartCity",
        "description": "this is a thermometer produced by Huawei",
    }
    body.update(changes)
    return body


# -- the official SDK, unchanged ---------------------------------------------------------------


def test_official_sdk_lists_shows_creates_and_pages(make_sim: Any) -> None:
    sim = make_sim()
    client = sdk_client(sim)
    products = client.list_products(ListProductsRequest(limit=50))
    assert products.page.count == 25 and len(products.products) == 25
    ids = [p.product_id for p in products.products]
    assert THERMOMETER_ID in ids and ids == sorted(ids, reverse=True)

    thermo = client.show_product(ShowProductRequest(product_id=THERMOMETER_ID))
    assert thermo.name == "Thermometer" and thermo.app_name == "testAPP01"
    assert thermo.service_capabilities[0].properties[0].step == 0.1

    body = AddProduct(
        name="SdkProduct",
        device_type="Sensor",
        protocol_type="MQTT",
        data_format="json",
        service_capabilities=[
            ServiceCapability(
                service_id="s1",
                service_type="s1",
                properties=[ServiceProperty(property_name="p", data_type="int", method="R")],
            )
        ],
    )
    created = client.create_product(CreateProductRequest(instance_id=IOTDA_INSTANCE_ID, body=body))
    assert created.status_code == 201 and len(created.product_id) == 24
    assert created.service_capabilities[0].option == "Optional"

    first = client.list_devices(ListDevicesRequest(limit=50))
    assert first.page.count == 20_000 and len(first.devices) == 50
    second = client.list_devices(ListDevicesRequest(limit=50, marker=first.page.marker))
    assert first.devices[-1].device_id != second.devices[0].device_id
    one = client.show_device(ShowDeviceRequest(device_id=second.devices[0].device_id))
    assert one.device_id == second.devices[0].device_id and one.create_time

    with pytest.raises(ClientRequestException) as exc:
        sdk_client(sim, sk="wrong").list_products(ListProductsRequest())
    assert exc.value.status_code == 401 and exc.value.error_code == "APIGW.0301"


# -- authentication ----------------------------------------------------------------------------


def test_signed_request_passes_and_bad_signatures_are_401(sim: SimServer) -> None:
    assert call(sim, "GET", "/products", {"limit": 5}).status_code == 200
    wrong_sk = call(sim, "GET", "/products", sk="nope")
    assert wrong_sk.status_code == 401 and wrong_sk.json()["error_code"] == "APIGW.0301"
    assert call(sim, "GET", "/products", ak="UNKNOWNAK").status_code == 401
    stale = datetime.fromtimestamp(time.time() - 16 * 60, UTC)
    assert call(sim, "GET", "/products", date=stale).status_code == 401
    fresh = datetime.fromtimestamp(time.time() - 14 * 60, UTC)
    assert call(sim, "GET", "/products", date=fresh).status_code == 200

    # Tampered query: signed for limit=5, sent with limit=6.
    url = sim.base_url + BASE + "/products?limit=5"
    headers = sign("GET", url)
    tampered = httpx.get(url.replace("limit=5", "limit=6"), headers=headers)
    assert tampered.status_code == 401
    # Tampered body.
    url = sim.base_url + BASE + "/products"
    raw = json.dumps(thermometer_body(name="Tamper")).encode()
    headers = sign("POST", url, raw)
    assert (
        httpx.post(url, content=raw.replace(b"Tamper", b"Tamp3r"), headers=headers).status_code
        == 401
    )
    # Missing and malformed Authorization.
    assert httpx.get(url).status_code == 401
    bad = httpx.get(url, headers={"Authorization": "SDK-HMAC-SHA256 nonsense", "X-Sdk-Date": "x"})
    assert bad.status_code == 401 and bad.json()["error_msg"].startswith("Incorrect IAM")


def test_unicode_and_spaces_in_query_are_signed_like_the_sdk(sim: SimServer) -> None:
    got = call(sim, "GET", "/products", {"product_name": "Thermomètre é x", "limit": 3})
    assert got.status_code == 200 and got.json()["page"]["count"] == 0


def test_token_auth_project_and_instance(sim: SimServer) -> None:
    url = sim.base_url + BASE + "/products"
    assert httpx.get(url, headers={"X-Auth-Token": IOTDA_IAM_TOKEN}).status_code == 200
    wrong = httpx.get(url, headers={"X-Auth-Token": "other"})
    assert wrong.status_code == 401 and wrong.json()["error_code"] == "APIGW.0307"
    ok = {"X-Auth-Token": IOTDA_IAM_TOKEN}
    other = sim.base_url + "/v5/iot/ffffffffffffffffffffffffffffffff/products"
    assert httpx.get(other, headers=ok).json()["error_code"] == "IOTDA.000002"
    assert httpx.get(url, headers={**ok, "Instance-Id": IOTDA_INSTANCE_ID}).status_code == 200
    assert httpx.get(url, headers={**ok, "Instance-Id": "nope"}).status_code == 403
    assert (
        call(sim, "GET", "/products", headers={"Instance-Id": IOTDA_INSTANCE_ID}).status_code == 200
    )


# -- products ----------------------------------------------------------------------------------


def test_product_crud(make_sim: Any) -> None:
    sim = make_sim()
    created = call(sim, "POST", "/products", body=thermometer_body(product_id="my-thermo-1"))
    assert created.status_code == 201, created.text
    product = created.json()
    assert product["product_id"] == "my-thermo-1" and product["create_time"].endswith("Z")
    assert product["service_capabilities"][0]["commands"][0]["paras"][0]["required"] is False
    again = call(sim, "POST", "/products", body=thermometer_body(product_id="my-thermo-2"))
    assert again.status_code == 409 and again.json()["error_code"] == "IOTDA.013001"
    dup_id = call(
        sim, "POST", "/products", body=thermometer_body(product_id="my-thermo-1", name="X")
    )
    assert dup_id.status_code == 409

    listed = call(sim, "GET", "/products", {"limit": 1}).json()
    assert listed["products"][0]["product_id"] == "my-thermo-1" and listed["page"]["count"] == 26
    assert "service_capabilities" not in listed["products"][0]

    updated = call(
        sim,
        "PUT",
        "/products/my-thermo-1",
        body={"description": "new text", "service_capabilities": []},
    )
    assert updated.status_code == 200 and updated.json()["description"] == "new text"
    shown = call(sim, "GET", "/products/my-thermo-1").json()
    assert shown["service_capabilities"] == [] and shown["name"] == "Thermometer."
    assert (
        call(sim, "PUT", "/products/my-thermo-1", body={"name": "Thermometer"}).status_code == 200
    )
    clash = call(sim, "PUT", "/products/my-thermo-1", body={"name": "Smart_Plug"})
    assert clash.status_code == 409

    assert call(sim, "DELETE", "/products/my-thermo-1").status_code == 204
    gone = call(sim, "GET", "/products/my-thermo-1")
    assert gone.status_code == 404 and gone.json()["error_code"] == "IOTDA.013000"
    busy = call(sim, "DELETE", f"/products/{THERMOMETER_ID}")
    assert busy.status_code == 409 and busy.json()["error_code"] == "IOTDA.013002"


def marker_pages(sim: SimServer, path: str, items: str, limit: int) -> list[dict[str, Any]]:
    """Every non-empty page of a marker-paged list, each page asked for below the last marker."""
    pages: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    while (page := call(sim, "GET", path, params).json())[items]:
        pages.append(page)
        params["marker"] = page["page"]["marker"]
    return pages


def test_product_list_paging_and_filters(sim: SimServer) -> None:
    seen = [
        p["product_id"]
        for page in marker_pages(sim, "/products", "products", 7)
        for p in page["products"]
    ]
    assert len(seen) == 25 and seen == sorted(seen, reverse=True)
    by_app = call(sim, "GET", "/products", {"app_id": "jeQDJQZltU8iKgFFoW060F5SGZka"}).json()
    assert {p["name"] for p in by_app["products"]} == {"Thermometer", "Retail_Freezer"}
    by_name = call(sim, "GET", "/products", {"product_name": "Thermometer"}).json()
    assert by_name["page"]["count"] == 1 and by_name["products"][0]["product_id"] == THERMOMETER_ID
    assert (
        call(sim, "GET", "/products", {"app_id": "unknownapp"}).json()["error_code"]
        == "IOTDA.001000"
    )
    assert (
        call(sim, "GET", "/products", {"offset": 3, "limit": 2}).json()["products"][0]["product_id"]
        == seen[3]
    )


def _set(body: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(body)
    node: Any = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


PROP = ["service_capabilities", 0, "properties", 0]
PARA = ["service_capabilities", 0, "commands", 0, "paras", 0]
_SVC2 = {"service_id": "Temperature.", "service_type": "t"}
_PROP_DUP = {"property_name": "temperature", "data_type": "int", "method": "R"}

CASES = [
    (["name"], None, "name is required"),
    (["name"], "x" * 65, "name must be 1 to 64 characters"),
    (["name"], "has space", "name contains characters that are not allowed"),
    (["product_id"], "bad id!", "product_id contains characters that are not allowed"),
    (["device_type"], "y" * 33, "device_type must be 1 to 32 characters"),
    (["protocol_type"], "mqtt", "protocol_type must be one of MQTT, CoAP"),
    (["data_format"], "xml", "data_format must be one of json, binary"),
    (["description"], "tab\there", "description contains characters"),
    (["app_id"], "", "app_id must be 1 to 36 characters"),
    (["service_capabilities"], "x", "service_capabilities must be an array"),
    (["service_capabilities", 0, "service_id"], "a b", "service_capabilities[0].service_id contains"),
    (["service_capabilities", 0, "option"], "Maybe", "service_capabilities[0].option must be one of"),
    ([*PROP, "data_type"], "float", "service_capabilities[0].properties[0].data_type must be one of"),
    ([*PROP, "method"], "X", "service_capabilities[0].properties[0].method must be one of"),
    ([*PROP, "method"], None, "service_capabilities[0].properties[0].method is required"),
    ([*PROP, "min"], "abc", "service_capabilities[0].properties[0].min must be a number"),
    ([*PROP, "min"], "", "service_capabilities[0].properties[0].min must be 1 to 16 characters"),
    ([*PROP, "max"], "0", "service_capabilities[0].properties[0].max must not be less than min"),
    ([*PROP, "step"], 500, "service_capabilities[0].properties[0].step must not exceed max - min"),
    ([*PROP, "step"], -1, "service_capabilities[0].properties[0].step must not be negative"),
    ([*PROP, "max_length"], 1.5, "service_capabilities[0].properties[0].max_length must be an integer"),
    ([*PROP, "max_length"], -1, "service_capabilities[0].properties[0].max_length must be between 0"),
    ([*PROP, "unit"], "u" * 17, "service_capabilities[0].properties[0].unit must be at most 16"),
    ([*PROP, "required"], "yes", "service_capabilities[0].properties[0].required must be a boolean"),
    ([*PROP, "data_type"], "enum", "service_capabilities[0].properties[0].enum_list is required when"),
    ([*PROP, "enum_list"], ["a", "a"], "service_capabilities[0].properties[0].enum_list[1] duplicates"),
    ([*PARA, "para_name"], "p" * 33, "service_capabilities[0].commands[0].paras[0].para_name must be 1 to 32"),
    ([*PARA, "data_type"], "int", "service_capabilities[0].commands[0].paras[0].step must be a whole number"),
    (["service_capabilities", 0, "commands", 0, "responses", 0, "response_name"], "", "responses[0].response_name must be 1 to 128"),
    (["service_capabilities", 1], _SVC2, "service_capabilities[1].service_id duplicates service_capabilities[0].service_id"),
    ([*PROP[:3], 1], _PROP_DUP, "service_capabilities[0].properties[1].property_name duplicates"),
    ([*PROP[:3]], [_PROP_DUP | {"property_name": f"p{i}"} for i in range(501)], "service_capabilities[0].properties must have at most 500 items"),
    (["service_capabilities", 0, "events"], [{"event_type": "e" * 33}], "service_capabilities[0].events[0].event_type must be 1 to 32"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "value", "expected"), CASES)
def test_every_rule_answers_400_naming_the_field(
    sim: SimServer, path: list[Any], value: Any, expected: str
) -> None:
    body = thermometer_body(name="RuleCheck")
    if path == ["service_capabilities", 1]:
        body["service_capabilities"].append(value)
    elif path == [*PROP[:3], 1]:
        body["service_capabilities"][0]["properties"].append(value)
    elif value is None:
        node: Any = body
        for key in path[:-1]:
            node = node[key]
        node.pop(path[-1])
    else:
        body = _set(body, path, value)
    got = call(sim, "POST", "/products", body=body)
    assert got.status_code == 400, got.text
    error = got.json()
    assert error["error_code"] == "IOTDA.000006"
    assert error["error_msg"].startswith("Invalid input data. ")
    assert expected in error["error_msg"]


def test_content_size_and_malformed_body(sim: SimServer) -> None:
    big = [
        {"service_id": f"s{i}", "service_type": "t", "description": "d" * 128,
         "properties": [{"property_name": f"p{j}", "data_type": "string", "method": "R",
                         "description": "x" * 128} for j in range(20)]}
        for i in range(150)
    ]  # fmt: skip
    got = call(
        sim, "POST", "/products", body=thermometer_body(name="Big", service_capabilities=big)
    )
    assert got.status_code == 400
    assert (
        got.json()["error_msg"]
        == "Invalid input data. service_capabilities must not exceed 500 KB."
    )
    url = sim.base_url + BASE + "/products"
    headers = sign("POST", url, b"{not json")
    bad = httpx.post(url, content=b"{not json", headers=headers)
    assert bad.status_code == 400 and bad.json()["error_code"] == "IOTDA.000008"


def test_the_vendor_example_is_accepted(make_sim: Any) -> None:
    sim = make_sim()
    body = thermometer_body(
        product_id="5ba24f5ebbe8f56f5a14f606", app_id="jeQDJQZltU8iKgFFoW060F5SGZka"
    )
    body["name"] = "Thermometer2."
    assert call(sim, "POST", "/products", body=body).status_code == 201


# -- devices -----------------------------------------------------------------------------------


def test_walk_all_devices_by_marker(sim: SimServer) -> None:
    started = time.monotonic()
    marker = "ffffffffffffffffffffffff"
    seen: list[str] = []
    with httpx.Client() as client:
        while True:
            url = f"{sim.base_url}{BASE}/devices?limit=50&marker={marker}"
            page = client.get(url, headers=sign("GET", url)).json()
            if not page["devices"]:
                break
            seen += [d["device_id"] for d in page["devices"]]
            assert page["page"]["count"] == 20_000
            assert page["page"]["marker"] < marker
            marker = page["page"]["marker"]
    assert len(seen) == 20_000 and len(set(seen)) == 20_000
    assert time.monotonic() - started < 30


def test_device_filters_offset_and_limits(sim: SimServer) -> None:
    page = call(sim, "GET", "/devices").json()
    assert len(page["devices"]) == 10
    device = page["devices"][0]
    assert device["status"] in {"ONLINE", "OFFLINE", "ABNORMAL", "INACTIVE", "FROZEN"}
    assert device["device_id"] == f"{device['product_id']}_{device['node_id']}"
    shifted = call(sim, "GET", "/devices", {"offset": 3, "limit": 2}).json()
    assert shifted["devices"][0]["device_id"] == page["devices"][3]["device_id"]

    by_product = call(sim, "GET", "/devices", {"product_id": THERMOMETER_ID, "limit": 50}).json()
    assert 0 < by_product["page"]["count"] < 20_000
    assert all(d["product_name"] == "Thermometer" for d in by_product["devices"])

    gateways = call(
        sim, "GET", "/devices", {"product_id": "5e79be009f8ced15319d1199", "limit": 50}
    ).json()
    gw = gateways["devices"][0]["device_id"]
    children = call(sim, "GET", "/devices", {"gateway_id": gw, "limit": 50}).json()
    assert children["devices"] and all(
        d["gateway_id"] == gw and d["node_type"] == "ENDPOINT" for d in children["devices"]
    )

    target = page["devices"][5]
    for key in ("node_id", "device_name"):
        got = call(sim, "GET", "/devices", {key: target[key]}).json()
        assert [d["device_id"] for d in got["devices"]] == [target["device_id"]]
    detail = call(sim, "GET", f"/devices/{target['device_id']}").json()
    assert detail["auth_info"]["secure_access"] is True and "secret" not in detail["auth_info"]
    missing = call(sim, "GET", "/devices/nope")
    assert missing.status_code == 404 and missing.json()["error_code"] == "IOTDA.014000"

    assert call(sim, "GET", "/devices", {"limit": 51}).json()["error_code"] == "IOTDA.000017"
    assert call(sim, "GET", "/devices", {"limit": 0}).status_code == 400
    assert call(sim, "GET", "/devices", {"marker": "xyz"}).json()["error_code"] == "IOTDA.000018"
    assert call(sim, "GET", "/devices", {"offset": 501}).json()["error_code"] == "IOTDA.000006"


# -- device create and delete ------------------------------------------------------------------

CREATE_TIME = re.compile(r"\d{8}T\d{6}Z")  # yyyyMMdd'T'HHmmss'Z'
ISO_MILLIS = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"
)  # yyyy-MM-dd'T'HH:mm:ss.SSS'Z'
#: A product of the default resource space, for devices created without an app_id.
TRACKER_ID = "5fb6260062f5b655e3990dfc"


def test_official_sdk_adds_shows_lists_and_deletes_devices(make_sim: Any) -> None:
    sim = make_sim()
    client = sdk_client(sim)
    body = AddDevice(
        node_id="ABC123456789",
        device_name="dianadevice",
        product_id=THERMOMETER_ID,
        auth_info=AuthInfo(
            auth_type="SECRET", secret="3b935a250c50dc2c", secure_access=True, timeout=300
        ),
        description="watermeter device",
        app_id=TEST_APP,
        extension_info={"aaa": "xxx", "bbb": 0},
    )
    added = client.add_device(AddDeviceRequest(instance_id=IOTDA_INSTANCE_ID, body=body))
    assert added.status_code == 201
    assert added.device_id == f"{THERMOMETER_ID}_ABC123456789" == added.gateway_id
    assert added.node_type == "GATEWAY" and added.status == "INACTIVE"
    assert added.app_name == "testAPP01" and added.product_name == "Thermometer"
    assert CREATE_TIME.fullmatch(added.create_time)
    assert added.auth_info.secret == "3b935a250c50dc2c" and added.auth_info.timeout == 300
    assert added.extension_info == {"aaa": "xxx", "bbb": 0}

    shown = client.show_device(ShowDeviceRequest(device_id=added.device_id))
    assert shown.device_name == "dianadevice" and shown.create_time == added.create_time
    assert shown.auth_info.secret is None  # only the create answer carries the secret
    newest = client.list_devices(ListDevicesRequest(limit=1))
    assert newest.devices[0].device_id == added.device_id and newest.page.count == 20_001

    generated = client.list_devices(ListDevicesRequest(limit=1, marker=newest.page.marker))
    victim = generated.devices[0].device_id
    for device_id in (added.device_id, victim):
        gone = client.delete_device(DeleteDeviceRequest(device_id=device_id))
        assert gone.status_code == 204
        with pytest.raises(ClientRequestException) as exc:
            client.show_device(ShowDeviceRequest(device_id=device_id))
        assert exc.value.status_code == 404 and exc.value.error_code == "IOTDA.014000"
        with pytest.raises(ClientRequestException) as exc:
            client.delete_device(DeleteDeviceRequest(device_id=device_id))
        assert exc.value.status_code == 404 and exc.value.error_code == "IOTDA.014000"
    assert client.list_devices(ListDevicesRequest(limit=1)).page.count == 19_999


def test_created_devices_list_newest_first_and_deleted_ones_disappear(make_sim: Any) -> None:
    sim = make_sim(devices=300)
    first = call(sim, "POST", "/devices", body={"node_id": "node-1", "product_id": TRACKER_ID})
    assert first.status_code == 201, first.text
    one = first.json()
    assert one["device_id"] == f"{TRACKER_ID}_node-1" and one["device_name"] == "node-1"
    assert one["app_id"] == DEFAULT_APP[0] and one["auth_info"]["auth_type"] == "SECRET"
    assert re.fullmatch(r"[0-9a-f]{32}", one["auth_info"]["secret"])  # made by the platform
    assert one["auth_info"]["secure_access"] is True and one["auth_info"]["timeout"] == 0
    two = call(
        sim,
        "POST",
        "/devices",
        body={"node_id": "node-2", "device_id": "my-own-id", "product_id": TRACKER_ID},
    ).json()
    assert two["device_id"] == "my-own-id"

    page = call(sim, "GET", "/devices", {"limit": 3}).json()
    assert [d["device_id"] for d in page["devices"][:2]] == ["my-own-id", one["device_id"]]
    assert page["page"]["count"] == 302 and "secret" not in json.dumps(page)
    after = call(sim, "GET", "/devices", {"limit": 1, "marker": page["page"]["marker"]}).json()
    fourth = call(sim, "GET", "/devices", {"limit": 4}).json()["devices"][3]
    assert after["devices"][0]["device_id"] == fourth["device_id"]
    by_node = call(sim, "GET", "/devices", {"node_id": "node-2"}).json()
    assert [d["device_id"] for d in by_node["devices"]] == ["my-own-id"]
    by_product = call(sim, "GET", "/devices", {"product_id": TRACKER_ID, "limit": 50}).json()
    tracker_count = by_product["page"]["count"]
    assert by_product["devices"][0]["device_id"] == "my-own-id"

    generated = page["devices"][2]
    assert call(sim, "DELETE", f"/devices/{generated['device_id']}").status_code == 204
    assert call(sim, "DELETE", "/devices/my-own-id").status_code == 204
    pages = marker_pages(sim, "/devices", "devices", 50)
    assert {page["page"]["count"] for page in pages} == {300}
    ids = {d["device_id"] for page in pages for d in page["devices"]}
    assert len(ids) == 300 and one["device_id"] in ids
    assert generated["device_id"] not in ids and "my-own-id" not in ids
    assert not call(sim, "GET", "/devices", {"node_id": generated["node_id"]}).json()["devices"]
    less = call(sim, "GET", "/devices", {"product_id": TRACKER_ID}).json()["page"]["count"]
    assert less == tracker_count - 1 - (generated["product_id"] == TRACKER_ID)
    # A deleted device's ids are free again.
    again = {"node_id": generated["node_id"], "product_id": generated["product_id"]}
    if generated["product_id"] != TRACKER_ID:
        again["app_id"] = generated["app_id"]
    assert call(sim, "POST", "/devices", body=again).json()["device_id"] == generated["device_id"]


def test_duplicates_are_the_vendors_device_exists(make_sim: Any) -> None:
    sim = make_sim(devices=100)
    existing = call(sim, "GET", "/devices", {"limit": 1}).json()["devices"][0]
    body = {"node_id": "dup-node", "product_id": TRACKER_ID}
    assert call(sim, "POST", "/devices", body=body).status_code == 201
    for clash in (
        body,
        {**body, "device_id": "another-id"},  # the same node_id
        {"node_id": "other-node", "product_id": TRACKER_ID, "device_id": f"{TRACKER_ID}_dup-node"},
        {"node_id": existing["node_id"], "product_id": TRACKER_ID},
        {"node_id": "fresh", "product_id": TRACKER_ID, "device_id": existing["device_id"]},
    ):
        got = call(sim, "POST", "/devices", body=clash)
        assert got.status_code == 400, clash
        assert got.json()["error_code"] == "IOTDA.014031"
        assert got.json()["error_msg"].startswith("Invalid input. The device already exists")


DEVICE_CASES = [
    ({"node_id": None}, "node_id is required"),
    ({"node_id": "n" * 65}, "node_id must be 1 to 64 characters"),
    ({"node_id": "bad id!"}, "node_id contains characters that are not allowed"),
    ({"node_id": 12}, "node_id must be a string"),
    ({"device_id": "d" * 129}, "device_id must be 1 to 128 characters"),
    ({"device_id": "a/b"}, "device_id contains characters that are not allowed"),
    ({"device_name": "x" * 257}, "device_name must be at most 256 characters"),
    ({"device_name": "semi;colon"}, "device_name contains characters that are not allowed"),
    ({"product_id": None}, "product_id is required"),
    ({"product_id": "p" * 37}, "product_id must be 1 to 36 characters"),
    ({"auth_info": "SECRET"}, "auth_info must be an object"),
    ({"auth_info": {"auth_type": "PASSWORD"}}, "auth_info.auth_type must be one of SECRET, CERTIFICATES"),
    ({"auth_info": {"secret": "short"}}, "auth_info.secret must be 8 to 32 characters"),
    ({"auth_info": {"secret": "s" * 33}}, "auth_info.secret must be 8 to 32 characters"),
    ({"auth_info": {"secret": "with space!"}}, "auth_info.secret contains characters"),
    ({"auth_info": {"auth_type": "CERTIFICATES", "secret": "12345678"}}, "auth_info.secret applies to auth_type SECRET only"),
    ({"auth_info": {"auth_type": "CERTIFICATES", "fingerprint": "abc"}}, "auth_info.fingerprint must be 40 or 64 hexadecimal digits"),
    ({"auth_info": {"fingerprint": "a" * 40}}, "auth_info.fingerprint applies to auth_type CERTIFICATES only"),
    ({"auth_info": {"secure_access": "yes"}}, "auth_info.secure_access must be a boolean"),
    ({"auth_info": {"timeout": 1.5}}, "auth_info.timeout must be an integer"),
    ({"auth_info": {"timeout": -1}}, "auth_info.timeout must be between 0 and 2147483647"),
    ({"description": "tab\there"}, "description contains characters that are not allowed"),
    ({"description": "d" * 2049}, "description must be at most 2048 characters"),
    ({"gateway_id": ""}, "gateway_id must be 1 to 128 characters"),
    ({"gateway_id": "no-such-gateway"}, "gateway_id names no existing device"),
    ({"app_id": "a" * 37}, "app_id must be 1 to 36 characters"),
    ({"extension_info": [1]}, "extension_info must be an object"),
    ({"extension_info": {"k": "v" * 1024}}, "extension_info must not exceed 1 KB"),
    ({"shadow": {}}, "shadow must be an array"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "expected"), DEVICE_CASES)
def test_every_device_rule_answers_400_naming_the_field(
    sim: SimServer, change: dict[str, Any], expected: str
) -> None:
    body = {"node_id": "rule-check", "product_id": TRACKER_ID, **change}
    body = {k: v for k, v in body.items() if v is not None}
    got = call(sim, "POST", "/devices", body=body)
    assert got.status_code == 400, got.text
    assert got.json()["error_code"] == "IOTDA.000006"
    assert got.json()["error_msg"].startswith(f"Invalid input data. {expected}")


def test_device_references_must_exist(sim: SimServer) -> None:
    unknown = call(sim, "POST", "/devices", body={"node_id": "n-1", "product_id": "nope"})
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "IOTDA.013000"
    # The Thermometer lives in testAPP01: without app_id the device goes to the default space.
    elsewhere = call(sim, "POST", "/devices", body={"node_id": "n-1", "product_id": THERMOMETER_ID})
    assert elsewhere.status_code == 404 and elsewhere.json()["error_code"] == "IOTDA.013000"
    app = call(
        sim, "POST", "/devices", body={"node_id": "n-1", "product_id": TRACKER_ID, "app_id": "nope"}
    )
    assert app.status_code == 403 and app.json()["error_code"] == "IOTDA.001000"
    assert call(sim, "POST", "/devices", body=[1]).json()["error_code"] == "IOTDA.000006"
    missing = call(sim, "DELETE", "/devices/no-such-device")
    assert missing.status_code == 404 and missing.json()["error_code"] == "IOTDA.014000"


def test_sub_devices_two_levels_deep_and_gateways_deleted_last(make_sim: Any) -> None:
    sim = make_sim(devices=100)

    def add(node: str, gateway: str | None = None) -> httpx.Response:
        body = {"node_id": node, "product_id": TRACKER_ID}
        if gateway:
            body["gateway_id"] = gateway
        return call(sim, "POST", "/devices", body=body)

    gateway = add("gw").json()["device_id"]
    child = add("child", gateway).json()
    assert child["node_type"] == "ENDPOINT" and child["gateway_id"] == gateway
    grandchild = add("grandchild", child["device_id"]).json()
    assert grandchild["gateway_id"] == child["device_id"]
    too_deep = add("great-grandchild", grandchild["device_id"])
    assert too_deep.status_code == 400 and too_deep.json()["error_code"] == "IOTDA.000006"
    assert too_deep.json()["error_msg"].startswith("Invalid input data. gateway_id ")
    listed = call(sim, "GET", "/devices", {"gateway_id": gateway}).json()
    assert [d["device_id"] for d in listed["devices"]] == [child["device_id"]]

    busy = call(sim, "DELETE", f"/devices/{gateway}")
    assert busy.status_code == 409 and busy.json()["error_code"] == "IOTDA.014002"
    assert call(sim, "DELETE", f"/devices/{child['device_id']}").status_code == 409
    for device_id in (grandchild["device_id"], child["device_id"], gateway):
        assert call(sim, "DELETE", f"/devices/{device_id}").status_code == 204

    # A generated edge gateway has generated sub-devices: they go first too.
    gw = call(sim, "GET", "/devices", {"product_id": "5e79be009f8ced15319d1199"}).json()["devices"][
        0
    ]
    subs = call(sim, "GET", "/devices", {"gateway_id": gw["device_id"]}).json()["devices"]
    assert subs and call(sim, "DELETE", f"/devices/{gw['device_id']}").status_code == 409
    sub = add("generated-gw-child", gw["device_id"]).json()
    assert sub["gateway_id"] == gw["device_id"]
    for device_id in [d["device_id"] for d in subs] + [sub["device_id"], gw["device_id"]]:
        assert call(sim, "DELETE", f"/devices/{device_id}").status_code == 204


# -- UpdateDevice ----------------------------------------------------------------------------


def test_official_sdk_updates_a_device(make_sim: Any) -> None:
    sim = make_sim(devices=100)
    client = sdk_client(sim)
    target = client.list_devices(ListDevicesRequest(limit=1)).devices[0]
    body = UpdateDevice(
        device_name="dianadevice",
        description="watermeter device",
        extension_info={"aaa": "xxx", "bbb": 0},
        auth_info=AuthInfoWithoutSecret(secure_access=False, timeout=300),
    )
    request = UpdateDeviceRequest(
        instance_id=IOTDA_INSTANCE_ID, device_id=target.device_id, body=body
    )
    updated = client.update_device(request)
    assert updated.status_code == 200 and updated.device_id == target.device_id
    assert updated.device_name == "dianadevice" and updated.description == "watermeter device"
    assert updated.extension_info == {"aaa": "xxx", "bbb": 0}
    assert updated.auth_info.secure_access is False and updated.auth_info.timeout == 300
    assert updated.auth_info.secret is None and updated.node_id == target.node_id
    assert updated.status == target.status and updated.fw_version == target.fw_version

    shown = client.show_device(ShowDeviceRequest(device_id=target.device_id))
    assert shown.to_json_object() == updated.to_json_object()
    listed = client.list_devices(ListDevicesRequest(device_name="dianadevice"))
    assert [d.device_id for d in listed.devices] == [target.device_id]
    assert listed.page.count == 1 and listed.devices[0].description == "watermeter device"
    newest = client.list_devices(ListDevicesRequest(limit=1)).devices[0]
    assert newest.device_id == target.device_id and newest.device_name == "dianadevice"

    for device_id, body, status, code in (
        ("no-such-device", UpdateDevice(device_name="x"), 404, "IOTDA.014000"),
        (target.device_id, UpdateDevice(device_name="semi;colon"), 400, "IOTDA.000006"),
    ):
        with pytest.raises(ClientRequestException) as exc:
            client.update_device(UpdateDeviceRequest(device_id=device_id, body=body))
        assert exc.value.status_code == status and exc.value.error_code == code


def test_update_keeps_what_the_body_leaves_out(make_sim: Any) -> None:
    sim = make_sim(devices=100)
    created = call(
        sim,
        "POST",
        "/devices",
        body={
            "node_id": "keep-1",
            "product_id": TRACKER_ID,
            "description": "first words",
            "extension_info": {"a": 1, "b": 2},
            "auth_info": {"secret": "3b935a250c50dc2c", "timeout": 30},
        },
    ).json()
    path = f"/devices/{created['device_id']}"
    before = call(sim, "GET", path).json()
    for body in ({}, {"device_name": None, "auth_info": None}, {"device_name": ""}, {"x": 1}):
        same = call(sim, "PUT", path, body=body)
        assert same.status_code == 200, same.text
        assert same.json() == before
    # Fields change one by one; extension_info is replaced whole, an empty description clears it.
    got = call(sim, "PUT", path, body={"extension_info": {"c": 3}}).json()
    assert got["extension_info"] == {"c": 3} and got["description"] == "first words"
    got = call(sim, "PUT", path, body={"auth_info": {"secure_access": False}}).json()
    assert got["auth_info"] == {"auth_type": "SECRET", "secure_access": False, "timeout": 30}
    got = call(sim, "PUT", path, body={"description": "", "auth_info": {"timeout": 0}}).json()
    assert got["description"] == "" and got["auth_info"]["timeout"] == 0
    # auth_type and secret are not UpdateDevice's fields: ignored, like any unknown key.
    ignored = {"auth_info": {"auth_type": "CERTIFICATES", "secret": "x"}, "node_id": "other"}
    assert call(sim, "PUT", path, body=ignored).json() == call(sim, "GET", path).json()
    assert call(sim, "GET", "/devices", {"node_id": "keep-1"}).json()["page"]["count"] == 1


def test_renamed_generated_devices_are_found_by_their_new_name_only(make_sim: Any) -> None:
    sim = make_sim(devices=300)
    first, second = call(sim, "GET", "/devices", {"limit": 2}).json()["devices"]
    old_name = first["device_name"]
    # The first device takes the second one's name: device names need not be unique.
    renamed = call(sim, "PUT", f"/devices/{first['device_id']}", body={"device_name": second["device_name"]})  # fmt: skip
    assert renamed.status_code == 200 and renamed.json()["device_name"] == second["device_name"]
    assert call(sim, "GET", "/devices", {"device_name": old_name}).json()["page"]["count"] == 0
    both = call(sim, "GET", "/devices", {"device_name": second["device_name"]}).json()
    assert [d["device_id"] for d in both["devices"]] == [first["device_id"], second["device_id"]]
    assert both["page"]["count"] == 2
    # Renamed again, it leaves that name; its generated name is found again once given back.
    call(sim, "PUT", f"/devices/{first['device_id']}", body={"device_name": "Pump_7"})
    again = call(sim, "GET", "/devices", {"device_name": second["device_name"]}).json()
    assert [d["device_id"] for d in again["devices"]] == [second["device_id"]]
    call(sim, "PUT", f"/devices/{first['device_id']}", body={"device_name": old_name})
    back = call(sim, "GET", "/devices", {"device_name": old_name}).json()["devices"]
    assert [d["device_id"] for d in back] == [first["device_id"]]
    assert not call(sim, "GET", "/devices", {"device_name": "Pump_7"}).json()["devices"]
    # A deleted device is gone under its new name too.
    call(sim, "PUT", f"/devices/{second['device_id']}", body={"device_name": "Doomed"})
    assert call(sim, "DELETE", f"/devices/{second['device_id']}").status_code == 204
    assert call(sim, "GET", "/devices", {"device_name": "Doomed"}).json()["page"]["count"] == 0
    gone = call(sim, "PUT", f"/devices/{second['device_id']}", body={"device_name": "x"})
    assert gone.status_code == 404 and gone.json()["error_code"] == "IOTDA.014000"
    pages = marker_pages(sim, "/devices", "devices", 50)
    names = {d["device_id"]: d["device_name"] for page in pages for d in page["devices"]}
    assert len(names) == 299 and names[first["device_id"]] == old_name


UPDATE_CASES = [
    ({"device_name": "x" * 257}, "device_name must be at most 256 characters"),
    ({"device_name": "semi;colon"}, "device_name contains characters that are not allowed"),
    ({"device_name": 7}, "device_name must be a string"),
    ({"description": "d" * 2049}, "description must be at most 2048 characters"),
    ({"description": "tab\there"}, "description contains characters that are not allowed"),
    ({"extension_info": "text"}, "extension_info must be an object"),
    ({"extension_info": {"k": "v" * 1024}}, "extension_info must not exceed 1 KB"),
    ({"auth_info": [True]}, "auth_info must be an object"),
    ({"auth_info": {"secure_access": "yes"}}, "auth_info.secure_access must be a boolean"),
    ({"auth_info": {"timeout": "60"}}, "auth_info.timeout must be an integer"),
    ({"auth_info": {"timeout": True}}, "auth_info.timeout must be an integer"),
    ({"auth_info": {"timeout": 2_147_483_648}}, "auth_info.timeout must be between 0 and 2147483647"),
    # Several broken fields: the first in the SDK's order is named.
    ({"description": "a;", "device_name": "b;"}, "device_name "),
    ({"auth_info": {"timeout": -1}, "extension_info": [], "description": "c;"}, "description "),
    ({"auth_info": {"timeout": -1}, "extension_info": []}, "extension_info "),
    ({"auth_info": {"timeout": -1, "secure_access": 1}}, "auth_info.secure_access "),
]  # fmt: skip


@pytest.mark.parametrize(("body", "expected"), UPDATE_CASES)
def test_every_update_rule_answers_400_naming_the_field(
    sim: SimServer, body: dict[str, Any], expected: str
) -> None:
    target = call(sim, "GET", "/devices", {"limit": 1}).json()["devices"][0]
    for device_id in (target["device_id"], "no-such-device"):  # the body is checked first
        got = call(sim, "PUT", f"/devices/{device_id}", body=body)
        assert got.status_code == 400, got.text
        assert got.json()["error_code"] == "IOTDA.000006"
        assert got.json()["error_msg"].startswith(f"Invalid input data. {expected}")
    assert call(sim, "GET", f"/devices/{target['device_id']}").json()["device_name"] == target["device_name"]  # fmt: skip


def test_update_refuses_what_is_no_device_update(sim: SimServer) -> None:
    target = call(sim, "GET", "/devices", {"limit": 1}).json()["devices"][0]
    path = f"/devices/{target['device_id']}"
    url = sim.base_url + BASE + path
    garbage = httpx.put(url, content=b"{nope", headers=sign("PUT", url, b"{nope"))
    assert garbage.status_code == 400 and garbage.json()["error_code"] == "IOTDA.000008"
    listed = call(sim, "PUT", path, body=["device_name"])
    assert listed.status_code == 400 and listed.json()["error_code"] == "IOTDA.000006"
    unsigned = httpx.put(url, json={"device_name": "x"})
    assert unsigned.status_code == 401
    other = call(sim, "PUT", path, body={"device_name": "x"}, headers={"Instance-Id": "other"})
    assert other.status_code == 403 and other.json()["error_code"] == "IOTDA.000002"
    assert call(sim, "GET", path).json()["device_name"] == target["device_name"]


def test_device_times_keep_the_vendors_formats(sim: SimServer) -> None:
    page = call(sim, "GET", "/devices", {"limit": 50}).json()["devices"]
    online = next(d for d in page if d["status"] == "ONLINE")
    shown = call(sim, "GET", f"/devices/{online['device_id']}").json()
    assert CREATE_TIME.fullmatch(shown["create_time"])
    assert ISO_MILLIS.fullmatch(shown["active_time"])
    assert ISO_MILLIS.fullmatch(shown["connection_status_update_time"])


def test_a_product_with_created_devices_cannot_be_deleted(make_sim: Any) -> None:
    sim = make_sim(devices=0)
    product = call(sim, "POST", "/products", body=thermometer_body(name="Deletable")).json()
    device = call(
        sim, "POST", "/devices", body={"node_id": "d-1", "product_id": product["product_id"]}
    ).json()
    busy = call(sim, "DELETE", f"/products/{product['product_id']}")
    assert busy.status_code == 409 and busy.json()["error_code"] == "IOTDA.013002"
    assert call(sim, "DELETE", f"/devices/{device['device_id']}").status_code == 204
    assert call(sim, "DELETE", f"/products/{product['product_id']}").status_code == 204


def test_unknown_path_is_the_gateways_404(sim: SimServer) -> None:
    got = httpx.get(sim.base_url + BASE + "/nothing")
    assert got.status_code == 404 and got.json()["error_code"] == "APIGW.0101"


# -- faults ------------------------------------------------------------------------------------


def test_rate_limit_is_429_iotda_021101(make_sim: Any) -> None:
    sim = make_sim(rate_limit=2)
    codes = [call(sim, "GET", "/products") for _ in range(6)]
    limited = [r for r in codes if r.status_code == 429]
    assert limited and limited[0].json()["error_code"] == "IOTDA.021101"
    assert int(limited[0].headers["Retry-After"]) >= 1


def test_fail_rate_answers_iotda_bodies(make_sim: Any) -> None:
    sim = make_sim(fail_rate=1.0)
    got = call(sim, "GET", "/products")
    assert got.status_code in (500, 503) and got.json()["error_code"] in (
        "IOTDA.000001",
        "IOTDA.000022",
    )
