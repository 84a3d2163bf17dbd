"""Reading EnOS replies: hostile bodies are ApiErrors naming the topic, never another exception;
a reply's codes mapped to each sub-device; a refused register as a result, not an exception."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.api.errors import ApiError
from tui.api.mqtt import MqttSession, Reply, parse_reply
from tui.api.platforms.enos import Enos, split_broker, split_key
from tui.api.platforms.enos_forms import SubDeviceRegistration

TOPIC = "/sys/pk/dk/thing/device/register_reply"

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(st.binary(max_size=200))
def test_any_bytes_are_a_reply_or_an_api_error(payload: bytes) -> None:
    try:
        parse_reply("enos", TOPIC, payload)
    except ApiError as error:
        assert TOPIC in error.message


@given(_json)
def test_any_json_is_a_reply_or_an_api_error(body: Any) -> None:
    try:
        reply = parse_reply("enos", TOPIC, json.dumps(body).encode())
    except ApiError as error:
        assert TOPIC in error.message
    else:
        assert isinstance(reply.id, str) and isinstance(reply.code, int)


@given(
    st.fixed_dictionaries(
        {"id": _json, "code": _json, "data": _json},
        optional={"message": _json},
    )
)
def test_replies_with_hostile_fields(body: dict[str, Any]) -> None:
    try:
        parse_reply("enos", TOPIC, json.dumps(body))
    except ApiError as error:
        assert TOPIC in error.message


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"id": 1, "code": 200}', "its id is not a string"),
        (b'{"id": "1", "code": "two hundred"}', "its code is not a number"),
        (b'{"id": "1", "code": true}', "its code is not a number"),
        (b"\xff\xfe", "not JSON"),
        (b"[" * 100000, "not JSON"),
    ],
)
def test_unreadable_replies_say_why(payload: bytes, why: str) -> None:
    with pytest.raises(ApiError, match=why) as caught:
        parse_reply("enos", TOPIC, payload)
    assert f"unreadable reply on {TOPIC}" in caught.value.message


def test_a_readable_reply() -> None:
    reply = parse_reply("enos", TOPIC, '{"id":"7","code":"702","message":"DeviceKey existed"}')
    assert reply == Reply("7", 702, "DeviceKey existed", None)
    assert "deviceSecret" not in repr(Reply("1", 200, None, [{"deviceSecret": "s"}]))


async def test_an_unreadable_reply_fails_the_requests_waiting_on_its_topic_only() -> None:
    session = MqttSession("enos", "127.0.0.1", 1, lambda: None, [TOPIC])  # type: ignore[arg-type,return-value]
    loop = asyncio.get_running_loop()
    mine, other = loop.create_future(), loop.create_future()
    from tui.api.mqtt import _Pending

    session._pending = {"1": _Pending(TOPIC, mine), "2": _Pending("/other_reply", other)}
    session._dispatch(TOPIC, b"<html>")
    with pytest.raises(ApiError, match="unreadable reply on"):
        mine.result()
    assert not other.done()
    session._dispatch("/other_reply", b'{"id":"2","code":200,"data":{}}')
    assert other.result().code == 200


def _gateway() -> Enos:
    return Enos("mqtt://127.0.0.1:1", "gwPK", "gw-01", "gateway-secret")


def _spec(pk: str, dk: str | None) -> SubDeviceRegistration:
    return SubDeviceRegistration(product_key=pk, device_key=dk, name_default="n")


def test_a_200_reply_maps_each_sub_device() -> None:
    enos = _gateway()
    reply = Reply(
        "1",
        200,
        None,
        [
            {"productKey": "p1", "deviceKey": "gen-1", "assetId": "A1", "deviceSecret": "s-1"},
            {"productKey": "p1", "deviceKey": "d2", "assetId": "A2", "deviceSecret": "s-2"},
        ],
    )
    results = enos._register_results([_spec("p1", "d2"), _spec("p1", None)], reply)
    assert [(r.key, r.ok, r.asset_id) for r in results] == [
        ("p1/d2", True, "A2"),
        ("p1/gen-1", True, "A1"),
    ]
    assert results[0].device_secret is not None
    assert results[0].device_secret.get_secret_value() == "s-2"
    # every deviceSecret seen is masked from then on
    assert enos.scrub("s-1 and s-2 and gateway-secret") == "*** and *** and ***"


def test_a_refusal_for_the_whole_request_goes_to_every_sub_device() -> None:
    results = _gateway()._register_results(
        [_spec("p1", "a"), _spec("p1", "b")], Reply("1", 739, None, None)
    )
    assert [(r.ok, r.code, r.message) for r in results] == [
        (False, "739", "Exceed the product max device size"),
        (False, "739", "Exceed the product max device size"),
    ]


def test_a_refusal_per_sub_device_where_the_reply_says_so() -> None:
    reply = Reply(
        "1",
        702,
        "some failed",
        [
            {"productKey": "p1", "deviceKey": "a", "code": 702},
            {"productKey": "p1", "deviceKey": "b", "assetId": "B", "deviceSecret": "s-b"},
        ],
    )
    results = _gateway()._register_results([_spec("p1", "a"), _spec("p1", "b")], reply)
    assert [(r.ok, r.code, r.message) for r in results] == [
        (False, "702", "DeviceKey existed"),
        (True, "200", "registered"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        "nope",
        [1],
        [{"productKey": 5}],
        [{"productKey": "p", "deviceSecret": ["s"]}],
        [{"deviceKey": "d"}],
        [{"productKey": "p", "code": [702]}],
    ],
)
def test_unreadable_register_data_is_an_api_error(data: Any) -> None:
    with pytest.raises(
        ApiError, match="unreadable reply on /sys/gwPK/gw-01/thing/device/register_reply"
    ):
        _gateway()._register_results([_spec("p", "d")], Reply("1", 200, None, data))


def test_keys_and_addresses() -> None:
    assert split_key("p/d") == ("p", "d")
    for bad in ("p", "/d", "p/", "p/d/e", "p/ d"):
        with pytest.raises(ApiError, match="not productKey/deviceKey"):
            split_key(bad)
    assert split_broker("mqtt://127.0.0.1:1884") == ("127.0.0.1", 1884, False)
    assert split_broker("mqtts://broker.example:18883") == ("broker.example", 18883, True)
    assert split_broker("host:1") == ("host", 1, False)
    with pytest.raises(ValueError):
        split_broker("http://h:1")
    assert Enos.DEVICE_KEY.check("fleetSubPK1/dev-01") is None
    assert Enos.DEVICE_KEY.check("dev-01") is not None


def test_the_gateway_secret_stays_out_of_repr_and_scrubbed_text() -> None:
    enos = _gateway()
    assert "gateway-secret" not in repr(enos)
    assert "gateway-secret" not in repr(enos.session)
    assert enos.scrub("x gateway-secret y") == "x *** y"


async def test_the_gateway_cannot_delete_a_device() -> None:
    with pytest.raises(ApiError, match="cannot delete a device"):
        await _gateway().delete_device("p/d")


def test_a_refusal_message_that_names_each_sub_device() -> None:
    # As the simulator words a mixed reply: the first refusal's code, every refused key named.
    reply = Reply(
        "1",
        702,
        "DeviceKey existed: p1/a (702), p1/(generated) (739)",
        [{"productKey": "p1", "deviceKey": "b", "assetId": "B", "deviceSecret": "s-b"}],
    )
    specs = [_spec("p1", "a"), _spec("p1", "b"), _spec("p1", None), _spec("p1", "aa")]
    results = _gateway()._register_results(specs, reply)
    assert [(r.ok, r.code, r.message) for r in results] == [
        (False, "702", "DeviceKey existed"),
        (True, "200", "registered"),
        (False, "739", "Exceed the product max device size"),
        (False, "702", "DeviceKey existed: p1/a (702), p1/(generated) (739)"),
    ]


def test_reconnection_waits_double_up_to_the_cap() -> None:
    from itertools import islice

    from tui.api.mqtt import backoff

    assert list(islice(backoff(0.5, 4.0), 6)) == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


async def test_a_failure_after_a_request_went_through_keeps_its_results(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.api.platforms.enos import RegistrationInterrupted

    enos = _gateway()
    sent: list[str] = []

    async def call(suffix: str, params: Any, *, mutating: bool) -> Reply:
        sent.append(suffix)
        if suffix.endswith("topo/add"):
            return Reply(str(len(sent)), 200, None, {})
        if sent.count(suffix) == 2:
            raise ApiError("enos", "EnOS did not answer thing.device.register within 10 s")
        data = [
            {
                "productKey": p["productKey"],
                "deviceKey": p["deviceKey"],
                "assetId": "A",
                "deviceSecret": "s-" + p["deviceKey"],
            }
            for p in params
        ]
        return Reply(str(len(sent)), 200, None, data)

    monkeypatch.setattr(enos, "_call", call)
    specs = [_spec("p1", f"d{n}") for n in range(1001)]
    with pytest.raises(RegistrationInterrupted) as caught:
        await enos.register_sub_devices(specs)
    assert len(caught.value.done) == 1000 and all(r.ok for r in caught.value.done)
    assert caught.value.done[0].message == "registered and attached"
    assert "after 1000 sub-devices were answered" in caught.value.message
    assert sent == ["thing/device/register", "thing/topo/add", "thing/device/register"]
    await enos.aclose()


@given(_json)
def test_any_register_data_is_results_or_an_api_error(data: Any) -> None:
    specs = [_spec("p1", "a"), _spec("p1", None)]
    for code in (200, 702):
        try:
            results = _gateway()._register_results(specs, Reply("1", code, None, data))
        except ApiError as error:
            assert (
                "unreadable reply on /sys/gwPK/gw-01/thing/device/register_reply" in error.message
            )
        else:
            assert len(results) == 2


@given(_json)
def test_any_topology_data_is_pairs_or_an_api_error(data: Any) -> None:
    try:
        pairs = _gateway()._read_topology(data)
    except ApiError as error:
        assert "unreadable reply on /sys/gwPK/gw-01/thing/topo/get_reply" in error.message
    else:
        assert all(isinstance(pk, str) and isinstance(dk, str) for pk, dk in pairs)
