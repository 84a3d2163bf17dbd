"""Every IoTDA adapter method, served generated answers over loopback: a correct result or an
ApiError that says the answer could not be read, never another exception and never a silent blank."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.answers import ANSWERS, Rig, answers, refused, text_of
from tests.unit.test_products import VENDOR_EXAMPLE
from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.platforms.iotda import Iotda
from tui.api.products import Product

ROOT = "/v5/iot/p1"
PRODUCT_ID = VENDOR_EXAMPLE["product_id"]
PRODUCT_PATH = f"{ROOT}/products/{PRODUCT_ID}"
DEVICE_ID = "5e4e0a9a-devi-ce01"
DEVICE_PATH = f"{ROOT}/devices/{DEVICE_ID}"

PRODUCTS = {
    "products": [
        {
            "app_id": "jeQDJQZltU8iKgFFoW060F5SGZka",
            "app_name": "Default",
            "product_id": PRODUCT_ID,
            "name": "Thermometer",
            "device_type": "Thermometer",
            "protocol_type": "MQTT",
            "data_format": "json",
            "manufacturer_name": "ABC",
            "industry": "smartCity",
            "create_time": "20190303T081011Z",
        }
    ],
    "page": {"count": 10, "marker": "5c90fa7d3c4e4405e8525079"},
}
BRIEF = {
    "app_id": "jeQDJQZltU8iKgFFoW060F5SGZka",
    "device_id": DEVICE_ID,
    "node_id": "ABC123456789",
    "gateway_id": DEVICE_ID,
    "device_name": "dianadevice",
    "node_type": "GATEWAY",
    "product_id": PRODUCT_ID,
    "product_name": "Thermometer",
    "status": "ONLINE",
    "tags": [{"tag_key": "site", "tag_value": "Lyon"}],
}
DEVICES = {"devices": [BRIEF], "page": {"count": 10, "marker": "5c90fa7d3c4e4405e8525079"}}
DEVICE = {
    **BRIEF,
    "auth_info": {"auth_type": "SECRET", "secure_access": True, "timeout": 0},
    "create_time": "20190303T081011Z",
    "active_time": "2019-03-03T08:20:11.000Z",
    "connection_status_update_time": "2024-01-03T01:02:03.456Z",
}
PRODUCT = copy.deepcopy(VENDOR_EXAMPLE)


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig[Iotda]]:
    made = Rig(
        lambda url: Iotda(url, "p1", token="iam-token", retry=RetryPolicy(attempts=1)),
        lambda request: None,
    )
    yield made
    made.close()


def _check_page(page: Any, body: Any, items: str, key: str) -> None:
    assert isinstance(body, dict)
    rows = body[items]
    assert [row.key if key == "device_id" else row.product_id for row in page.items] == [
        text_of(b.get(key)) for b in rows
    ]
    info = body.get("page") or {}
    count, marker = info.get("count"), info.get("marker")
    good = isinstance(count, int) and not isinstance(count, bool) and count >= 0
    assert page.total == (count if good else None)
    assert page.cursor == (marker if marker and len(rows) >= 50 else None)


# ---------------------------------------------------------------- products


@ANSWERS
@given(body=answers(PRODUCTS))
def test_list_products(rig: Rig[Iotda], body: Any) -> None:
    path = f"{ROOT}/products"
    result = rig.answer(lambda iotda: iotda.list_products(), {("GET", path): body})
    if not refused(result, "GET", path, body, PRODUCTS):
        _check_page(result, body, "products", "product_id")


@ANSWERS
@given(body=answers(PRODUCT))
def test_get_product(rig: Rig[Iotda], body: Any) -> None:
    result = rig.answer(lambda iotda: iotda.get_product(PRODUCT_ID), {("GET", PRODUCT_PATH): body})
    if not refused(result, "GET", PRODUCT_PATH, body, PRODUCT):
        assert result.name == body["name"] and result.product_id == body.get("product_id")


@ANSWERS
@given(body=answers(PRODUCT))
def test_create_product(rig: Rig[Iotda], body: Any) -> None:
    path = f"{ROOT}/products"
    new = Product.model_validate(PRODUCT)
    result = rig.answer(lambda iotda: iotda.create_product(new), {("POST", path): body}, 201)
    if not refused(result, "POST", path, body, PRODUCT):
        assert result.name == body["name"]


@ANSWERS
@given(body=answers(PRODUCT))
def test_update_product(rig: Rig[Iotda], body: Any) -> None:
    changed = Product.model_validate(PRODUCT)
    result = rig.answer(lambda iotda: iotda.update_product(changed), {("PUT", PRODUCT_PATH): body})
    if not refused(result, "PUT", PRODUCT_PATH, body, PRODUCT):
        assert result.name == body["name"]


@ANSWERS
@given(body=answers(None))
def test_delete_product_reads_nothing(rig: Rig[Iotda], body: Any) -> None:
    result = rig.answer(
        lambda iotda: iotda.delete_product(PRODUCT_ID), {("DELETE", PRODUCT_PATH): body}
    )
    assert result is None


# ---------------------------------------------------------------- devices


@ANSWERS
@given(body=answers(DEVICES))
def test_list_devices(rig: Rig[Iotda], body: Any) -> None:
    path = f"{ROOT}/devices"
    result = rig.answer(lambda iotda: iotda.list_devices(), {("GET", path): body})
    if not refused(result, "GET", path, body, DEVICES):
        _check_page(result, body, "devices", "device_id")


@ANSWERS
@given(body=answers(DEVICE))
def test_get_device(rig: Rig[Iotda], body: Any) -> None:
    result = rig.answer(lambda iotda: iotda.get_device(DEVICE_ID), {("GET", DEVICE_PATH): body})
    if not refused(result, "GET", DEVICE_PATH, body, DEVICE):
        assert result.raw == body
        assert result.key == (text_of(body.get("device_id")) or DEVICE_ID)


@ANSWERS
@given(body=answers(None))
def test_delete_device_reads_nothing(rig: Rig[Iotda], body: Any) -> None:
    result = rig.answer(
        lambda iotda: iotda.delete_device(DEVICE_ID), {("DELETE", DEVICE_PATH): body}
    )
    assert result is None


# ---------------------------------------------------------------- blank keys


@ANSWERS
@given(
    key=st.text(alphabet=" \t\r\n", max_size=3),
    method=st.sampled_from(["get device", "delete device", "get product", "delete product"]),
)
def test_a_blank_key_is_refused_before_anything_is_sent(
    rig: Rig[Iotda], key: str, method: str
) -> None:
    calls = {
        "get device": lambda iotda: iotda.get_device(key),
        "delete device": lambda iotda: iotda.delete_device(key),
        "get product": lambda iotda: iotda.get_product(key),
        "delete product": lambda iotda: iotda.delete_product(key),
    }
    result = rig.answer(calls[method], {})
    assert isinstance(result, ApiError) and "blank key" in result.message
    assert rig.server.received == []


def test_updating_a_product_without_its_id_is_refused_before_anything_is_sent(
    rig: Rig[Iotda],
) -> None:
    nameless = Product.model_validate({**PRODUCT, "product_id": None})
    result = rig.answer(lambda iotda: iotda.update_product(nameless), {})
    assert isinstance(result, ApiError) and "blank key" in result.message
    assert rig.server.received == []
