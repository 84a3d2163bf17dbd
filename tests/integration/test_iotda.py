"""The IoTDA adapter over real HTTP against the embedded simulator: signing, paging, CRUD, validation."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.test_products import (
    PARA_MUTATIONS,
    PRODUCT_MUTATIONS,
    PROPERTY_MUTATIONS,
    SERVICE_MUTATIONS,
    VENDOR_EXAMPLE,
    Mutation,
    paras,
    products,
    properties,
)
from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.platforms.iotda import Iotda
from tui.api.platforms.iotda_signer import AkSkAuth
from tui.api.products import Product, diff_products, validate_product
from tui.sim import SimServer
from tui.sim.credentials import (
    IOTDA_ACCESS_KEY,
    IOTDA_IAM_TOKEN,
    IOTDA_INSTANCE_ID,
    IOTDA_PROJECT_ID,
    IOTDA_SECRET_KEY,
)

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.05)
ROOT = f"/v5/iot/{IOTDA_PROJECT_ID}"


def connect(sim: SimServer, **kwargs: Any) -> Iotda:
    auth = (
        {"token": kwargs.pop("token")}
        if "token" in kwargs
        else {
            "access_key": kwargs.pop("access_key", IOTDA_ACCESS_KEY),
            "secret_key": kwargs.pop("secret_key", IOTDA_SECRET_KEY),
        }
    )
    return Iotda(
        sim.base_url,
        IOTDA_PROJECT_ID,
        instance_id=IOTDA_INSTANCE_ID,
        retry=FAST,
        **auth,
        **kwargs,
    )


@pytest.fixture
def fresh(make_sim: Callable[..., SimServer]) -> SimServer:
    """A simulator of its own, for tests that change products."""
    return make_sim(devices=0, alarms=0)


# ---------------------------------------------------------------- reading


async def test_lists_products_with_marker_paging(sim: SimServer) -> None:
    async with connect(sim) as iotda:
        first = await iotda.list_products()
        assert first.total is not None and first.total >= 20
        seen = [p.product_id for p in first.items]
        cursor = first.cursor
        while cursor:
            page = await iotda.list_products(cursor)
            seen += [p.product_id for p in page.items]
            cursor = page.cursor
        assert len(seen) == len(set(seen)) == first.total
        by_name = await iotda.list_products(name="Thermometer")
        assert [p.name for p in by_name.items] == ["Thermometer"]
        product = await iotda.get_product(by_name.items[0].product_id)
        assert validate_product(product.body()) == []
        assert product.service_capabilities


async def test_walks_every_device_once_in_descending_id_order(sim: SimServer) -> None:
    async with connect(sim) as iotda:
        first = await iotda.list_devices()
        total = first.total
        assert total is not None and total > 1000
        ids = [d.key for d in first.items]
        markers = [first.cursor]
        cursor = first.cursor
        while cursor:
            page = await iotda.list_devices(cursor)
            assert page.total is None  # the total is given with the first page only
            ids += [d.key for d in page.items]
            cursor = page.cursor
            if cursor:
                markers.append(cursor)
        assert len(ids) == len(set(ids)) == total
        # The marker is the record id of a page's last row: strictly descending page after page.
        assert markers == sorted(markers, reverse=True)
        assert len(set(markers)) == len(markers)


async def test_device_filters_and_detail(sim: SimServer) -> None:
    async with connect(sim) as iotda:
        first = await iotda.list_devices()
        sample = first.items[0]
        detail = await iotda.get_device(sample.key)
        assert detail.key == sample.key
        assert {s.title for s in detail.sections} >= {"Identity", "Status"}
        raw = detail.raw
        named = await iotda.list_devices(query=raw["device_name"])
        assert sample.key in [d.key for d in named.items]
        assert all(d.name == raw["device_name"] for d in named.items)
        by_product = await iotda.list_devices(product_id=raw["product_id"])
        assert by_product.items and by_product.total is not None
        assert by_product.total < first.total  # type: ignore[operator]
        for d in by_product.items[:5]:
            assert (await iotda.get_device(d.key)).raw["product_id"] == raw["product_id"]
        by_node = await iotda.list_devices(node_id=raw["node_id"])
        assert [d.key for d in by_node.items] == [sample.key]
        # gateway_id lists a gateway's sub-devices (a direct device's gateway_id is itself).
        for d in first.items:
            sub = (await iotda.get_device(d.key)).raw
            if sub["gateway_id"] != sub["device_id"]:
                by_gateway = await iotda.list_devices(gateway_id=sub["gateway_id"])
                assert d.key in [x.key for x in by_gateway.items]
                assert sub["gateway_id"] not in [x.key for x in by_gateway.items]
                break
        else:
            pytest.fail("no sub-device on the first page to try the gateway filter with")
        with pytest.raises(ApiError) as caught:
            await iotda.get_device("no-such-device")
        assert caught.value.status == 404
        assert caught.value.code and caught.value.code.startswith("IOTDA.")
        assert caught.value.request_id


async def test_token_auth(sim: SimServer) -> None:
    async with connect(sim, token=IOTDA_IAM_TOKEN) as iotda:
        assert (await iotda.list_products()).items
    async with connect(sim, token="not-the-token") as iotda:
        with pytest.raises(ApiError) as caught:
            await iotda.list_products()
        assert caught.value.status == 401


# ---------------------------------------------------------------- signatures


async def test_wrong_secret_key_is_refused(sim: SimServer) -> None:
    async with connect(sim, secret_key="not-the-secret") as iotda:
        with pytest.raises(ApiError) as caught:
            await iotda.list_products()
    assert caught.value.status == 401
    assert caught.value.code == "APIGW.0301"


async def test_a_stale_date_is_refused(sim: SimServer) -> None:
    stale = AkSkAuth(
        IOTDA_ACCESS_KEY,
        IOTDA_SECRET_KEY,
        project_id=IOTDA_PROJECT_ID,
        clock=lambda: datetime.now(UTC) - timedelta(minutes=16),
    )
    async with connect(sim, auth=stale) as iotda:
        with pytest.raises(ApiError) as caught:
            await iotda.list_products()
    assert caught.value.status == 401


class Tamper(httpx.BaseTransport):
    """Changes a signed request after signing, then sends it."""

    def __init__(self, change: Callable[[httpx.Request], httpx.Request]) -> None:
        self._inner = httpx.HTTPTransport()
        self._change = change

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(self._change(request))


def _signed_client(sim: SimServer, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=sim.base_url,
        auth=AkSkAuth(IOTDA_ACCESS_KEY, IOTDA_SECRET_KEY, project_id=IOTDA_PROJECT_ID),
        transport=transport,
    )


def _other_query(request: httpx.Request) -> httpx.Request:
    return httpx.Request(
        request.method,
        request.url.copy_with(query=b"limit=11"),
        headers=request.headers,
        content=request.content,
    )


def _other_body(request: httpx.Request) -> httpx.Request:
    body = request.content.replace(b"Thermometer", b"Thermostat")
    headers = httpx.Headers(request.headers)
    headers["Content-Length"] = str(len(body))
    return httpx.Request(request.method, request.url, headers=headers, content=body)


def _other_signature(request: httpx.Request) -> httpx.Request:
    value = request.headers["Authorization"]
    last = value[-1]
    request.headers["Authorization"] = value[:-1] + ("0" if last != "0" else "1")
    return request


def _other_signed_header(request: httpx.Request) -> httpx.Request:
    request.headers["Instance-Id"] = "someone-else"
    return request


@pytest.mark.parametrize(
    ("change", "method"),
    [
        (_other_query, "GET"),
        (_other_body, "POST"),
        (_other_signature, "GET"),
        (_other_signed_header, "GET"),
    ],
)
def test_a_tampered_request_is_refused(
    sim: SimServer, change: Callable[[httpx.Request], httpx.Request], method: str
) -> None:
    body = {**copy.deepcopy(VENDOR_EXAMPLE), "product_id": None}
    body.pop("product_id")
    body.pop("app_id")
    kwargs: dict[str, Any] = {"json": body} if method == "POST" else {"params": {"limit": 10}}
    url = f"{ROOT}/products"
    headers = {"Instance-Id": IOTDA_INSTANCE_ID}
    with _signed_client(sim) as honest:
        ok = honest.request("GET", url, params={"limit": 10}, headers=headers)
        assert ok.status_code == 200
    with _signed_client(sim, Tamper(change)) as client:
        answer = client.request(method, url, headers=headers, **kwargs)
    assert answer.status_code == 401, answer.text
    assert answer.json()["error_code"] == "APIGW.0301"


# ---------------------------------------------------------------- products CRUD


async def test_product_crud(fresh: SimServer) -> None:
    body = copy.deepcopy(VENDOR_EXAMPLE)
    body.pop("app_id")
    body["product_id"] = "fleet-crud-1"
    body["name"] = "Fleet-crud"
    async with connect(fresh) as iotda:
        created = await iotda.create_product(Product.model_validate(body))
        assert created.product_id == "fleet-crud-1"
        assert created.create_time
        assert diff_products(body, created.body()) == []

        page = await iotda.list_products(name="Fleet-crud")
        assert [p.product_id for p in page.items] == ["fleet-crud-1"]

        changed = created.model_copy(deep=True)
        changed.description = "changed by fleet"
        service = changed.service_capabilities[0]
        assert service.properties is not None
        service.properties[0].max = "90"
        updated = await iotda.update_product(changed)
        assert updated.description == "changed by fleet"
        reread = await iotda.get_product("fleet-crud-1")
        assert diff_products(changed.body(), reread.body()) == []
        assert {c.path for c in diff_products(created.body(), reread.body())} == {
            "description",
            "service_capabilities[Temperature.].properties[temperature].max",
        }

        bad = changed.model_copy(deep=True)
        bad.protocol_type = "Telepathy"
        with pytest.raises(ApiError) as caught:
            await iotda.update_product(bad)
        assert caught.value.status == 400
        assert caught.value.code == "IOTDA.000006"
        assert "protocol_type" in caught.value.message

        await iotda.delete_product("fleet-crud-1")
        with pytest.raises(ApiError) as caught:
            await iotda.get_product("fleet-crud-1")
        assert caught.value.status == 404


# ---------------------------------------------------------------- validator ⇔ simulator

_names = itertools.count()


def _place(product: dict[str, Any], data: st.DataObject) -> str | None:
    """Break at most one rule somewhere in `product`; return the expected path, or None."""
    where = data.draw(
        st.sampled_from(["none", "header", "service", "property", "command_para", "event_para"])
    )
    if where == "none":
        return None
    if where == "header":
        mutate: Mutation = data.draw(st.sampled_from(PRODUCT_MUTATIONS))
        return mutate(product) or None
    service = {"service_id": "cross-check", "service_type": "t"}
    product["service_capabilities"] = [*product.get("service_capabilities", []), service]
    prefix = f"service_capabilities[{len(product['service_capabilities']) - 1}]"
    if where == "service":
        service["properties"] = [data.draw(properties())]
        service["commands"] = [{"command_name": "c"}]
        field = data.draw(st.sampled_from(SERVICE_MUTATIONS))(service)
        return f"{prefix}.{field}" if field else None
    if where == "property":
        node = data.draw(properties())
        service["properties"] = [node]
        return f"{prefix}.properties[0].{data.draw(st.sampled_from(PROPERTY_MUTATIONS))(node)}"
    node = data.draw(paras())
    if where == "command_para":
        service["commands"] = [{"command_name": "c", "paras": [node]}]
        inner = "commands[0].paras[0]"
    else:
        service["events"] = [{"event_type": "e", "paras": [node]}]
        inner = "events[0].paras[0]"
    return f"{prefix}.{inner}.{data.draw(st.sampled_from(PARA_MUTATIONS))(node)}"


@pytest.fixture(scope="module")
def cross_sim() -> Iterator[SimServer]:
    server = SimServer()
    server.start()
    yield server
    server.stop()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(product=products(with_ids=False), data=st.data())
def test_validator_and_simulator_agree(
    cross_sim: SimServer, product: dict[str, Any], data: st.DataObject
) -> None:
    # A unique valid name, so that the simulator's "name taken" (409) never answers instead.
    product["name"] = f"xc-{next(_names)}"
    expected = _place(product, data)
    errors = validate_product(product)
    paths = {e.path for e in errors}
    if expected is not None:
        assert expected in paths
    with _signed_client(cross_sim) as client:
        answer = client.post(
            f"{ROOT}/products",
            content=json.dumps(product).encode(),
            headers={"Content-Type": "application/json"},
        )
        if answer.status_code == 201:
            client.delete(f"{ROOT}/products/{answer.json()['product_id']}")
    if not errors:
        assert answer.status_code == 201, answer.text
        return
    assert answer.status_code == 400, (errors, answer.text)
    body = answer.json()
    assert body["error_code"] == "IOTDA.000006"
    named = body["error_msg"].removeprefix("Invalid input data. ").split(" ")[0]
    assert named in paths, (named, errors)


# ---------------------------------------------------------------- the session builds the adapter


class _Running:
    def __init__(self, sim: SimServer) -> None:
        self._url = sim.base_url

    def ensure(self) -> str:
        return self._url


@pytest.mark.parametrize("auth", ["aksk", "token"])
async def test_the_demo_profile_opens_an_iotda_session(sim: SimServer, auth: str) -> None:
    from tui.config import demo_profiles
    from tui.secrets import SecretResolver
    from tui.session import open_platform

    profile = demo_profiles()["demo-iotda"].model_copy(update={"auth": auth})
    _, platform = open_platform(profile, SecretResolver(), _Running(sim))  # type: ignore[arg-type]
    assert isinstance(platform, Iotda)
    async with platform:
        assert (await platform.list_products()).items
        assert (await platform.list_devices()).items


async def test_an_unknown_instance_is_refused(sim: SimServer) -> None:
    iotda = Iotda(
        sim.base_url,
        IOTDA_PROJECT_ID,
        access_key=IOTDA_ACCESS_KEY,
        secret_key=IOTDA_SECRET_KEY,
        instance_id="not-mine",
        retry=FAST,
    )
    async with iotda:
        with pytest.raises(ApiError) as caught:
            await iotda.list_products()
    assert caught.value.status == 403


# ---------------------------------------------------------------- times in the vendor's formats


async def test_status_times_are_read_in_the_vendors_formats(
    make_sim: Callable[..., SimServer],
) -> None:
    """connection_status_update_time is yyyy-MM-dd'T'HH:mm:ss.SSS'Z' (create_time is compact)."""
    server = make_sim(devices=60, alarms=0)
    seen = 0
    async with connect(server) as iotda:
        for row in (await iotda.list_devices()).items[:15]:
            detail = await iotda.get_device(row.key)
            said = detail.raw.get("connection_status_update_time")
            if said is None:
                assert detail.summary.last_activity is None
                continue
            seen += 1
            expected = datetime.strptime(said, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
            assert detail.summary.last_activity == expected
    assert seen, "no device of the sample had a connection status time"
