"""AK/SK signing: fixed vectors computed with Huawei's SDK signer, and a live comparison with it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from urllib.parse import quote

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.platforms.iotda_signer import (
    UNSIGNED,
    AkSkAuth,
    TokenAuth,
    canonical_query,
    canonical_request,
    canonical_uri,
)

AK = "FLEETDEMOIOTDAAK0001"
SK = "iotda-demo-secret-key"
PID = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
WHEN = datetime(2026, 11, 22, 4, 30, 0, tzinfo=UTC)


def _signed(request: httpx.Request) -> httpx.Request:
    AkSkAuth(AK, SK, project_id=PID, clock=lambda: WHEN).sign(request)
    return request


# The expected values below were computed once with huaweicloudsdkcore.signer.signer.Signer on
# SdkRequests carrying the same method, host, path, query pairs, headers and body.


def test_get_with_a_query() -> None:
    request = _signed(
        httpx.Request(
            "GET",
            f"http://127.0.0.1:8765/v5/iot/{PID}/products",
            params={
                "limit": "10",
                "product_name": "Thermometer",
                "app_id": "jeQDJQZltU8iKgFFoW060F5SGZka",
            },
            headers={"Instance-Id": "fleet-demo-instance"},
        )
    )
    assert request.headers["X-Sdk-Date"] == "20261122T043000Z"
    assert request.headers["Host"] == "127.0.0.1:8765"
    assert request.headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=FLEETDEMOIOTDAAK0001, "
        "SignedHeaders=content-type;host;instance-id;x-project-id;x-sdk-date, "
        "Signature=2001ea87bf7b106775e45deb245ef90f5efefad39a697796e1553d257ad30c5c"
    )
    # The query goes out in the canonical (signed) order and encoding.
    assert request.url.query == (
        b"app_id=jeQDJQZltU8iKgFFoW060F5SGZka&limit=10&product_name=Thermometer"
    )


def test_post_with_a_json_body() -> None:
    body = json.dumps(
        {
            "name": "Thermometer",
            "device_type": "Thermometer",
            "protocol_type": "MQTT",
            "data_format": "json",
            "service_capabilities": [],
        },
        separators=(",", ":"),
    ).encode()
    request = _signed(
        httpx.Request(
            "POST",
            f"https://iotda.cn-north-4.myhuaweicloud.com/v5/iot/{PID}/products",
            content=body,
            headers={"Content-Type": "application/json"},
        )
    )
    # The default https port is not written in Host, as the SDK's endpoint netloc has none.
    assert request.headers["Host"] == "iotda.cn-north-4.myhuaweicloud.com"
    assert request.headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=FLEETDEMOIOTDAAK0001, "
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        "Signature=72f04ac61925b2aba4314b19476c7b672331b2b6f365a0af1136b60c7fba05f3"
    )


def test_unicode_and_spaces_in_the_query() -> None:
    request = _signed(
        httpx.Request(
            "GET",
            f"http://127.0.0.1:8765/v5/iot/{PID}/devices",
            params={"device_name": "Pumpe Süd 01", "node_id": "a b+c/d", "limit": "50"},
        )
    )
    assert request.headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=FLEETDEMOIOTDAAK0001, "
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        "Signature=ed46d87b45c07856ee281bb729519ff1fd2dea25a5a6034c9de6d125883606e5"
    )
    assert request.url.query == (
        b"device_name=Pumpe%20S%C3%BCd%2001&limit=50&node_id=a%20b%2Bc%2Fd"
    )


def test_canonical_pieces() -> None:
    assert canonical_uri("/v5/iot/p/products") == "/v5/iot/p/products/"
    assert canonical_uri("/v5/iot/p/devices/a%20b") == "/v5/iot/p/devices/a%20b/"
    assert canonical_query([("b", "2"), ("a", "x y"), ("a", "1")]) == "a=1&a=x%20y&b=2"
    text = canonical_request(
        "get", "/x", [], {"Host": "h", "X-Sdk-Date": "d"}, ["host", "x-sdk-date"], b""
    )
    assert text == (
        "GET\n/x/\n\nhost:h\nx-sdk-date:d\n\nhost;x-sdk-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )


def test_resigning_replaces_the_authorization() -> None:
    request = httpx.Request("GET", "http://h/v5/iot/p/products")
    _signed(request)
    first = request.headers["Authorization"]
    _signed(request)
    assert request.headers["Authorization"] == first
    assert "authorization" not in request.headers["Authorization"].lower().split("signedheaders")[1]


def test_token_auth_sets_the_header() -> None:
    request = httpx.Request("GET", "http://h/x")
    flow = TokenAuth("tok").auth_flow(request)
    sent = next(flow)
    assert sent.headers["X-Auth-Token"] == "tok"
    assert "Authorization" not in sent.headers


def test_missing_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        AkSkAuth("", SK)
    with pytest.raises(ValueError):
        TokenAuth("")


# ---------------------------------------------------------------- live comparison with the SDK

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=12)


@settings(max_examples=60, deadline=None)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    segment=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1).filter(
        lambda s: s not in {".", ".."}
    ),
    query=st.lists(st.tuples(_text.filter(bool), _text), max_size=4),
    body=st.one_of(st.none(), st.dictionaries(_text, _text, max_size=3)),
    port=st.sampled_from([None, 8080]),
)
def test_agrees_with_the_sdk_signer(
    method: str,
    segment: str,
    query: list[tuple[str, str]],
    body: dict[str, str] | None,
    port: int | None,
) -> None:
    from huaweicloudsdkcore.auth.credentials import BasicCredentials
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    host = "iotda.example.com" + (f":{port}" if port else "")
    url = f"https://{host}/v5/iot/{PID}/devices/{quote(segment, safe='')}"
    content = None if body is None else json.dumps(body).encode()
    request = httpx.Request(
        method, url, params=query, content=content, headers={"Instance-Id": "inst"}
    )
    _signed(request)

    headers = {
        k: v
        for k, v in request.headers.items()
        if k.lower() not in UNSIGNED and k.lower() != "authorization"
    }
    sdk_request = SdkRequest(
        method=method,
        schema="https",
        host=host,
        resource_path=request.url.raw_path.split(b"?")[0].decode(),
        query_params=list(query),
        header_params=headers,
        body=content,
    )
    Signer(BasicCredentials(AK, SK)).sign(sdk_request)
    assert request.headers["Authorization"] == sdk_request.header_params["Authorization"]
