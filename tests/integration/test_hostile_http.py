"""The shared HTTP layer over real loopback HTTP against hostile servers: hangs, redirects, echoes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.hostile import HANG, HostileServer, Received, Reply
from tui.api.errors import ApiError
from tui.api.http import ApiClient, ClientCredentialsAuth, ErrorBody, RetryPolicy, make_client

FAST = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
TOKEN = {"access_token": "tok-1", "expires_in": 3600, "token_type": "Bearer"}


def _keycloak(body: object) -> ErrorBody:
    if not isinstance(body, dict):
        return ErrorBody(None, None)
    return ErrorBody(body.get("error"), body.get("error_description"))


def token_auth(
    base_url: str, secret: str = "s3cret", client_id: str = "c"
) -> ClientCredentialsAuth:
    import httpx

    def build() -> httpx.Request:
        return httpx.Request(
            "POST",
            f"{base_url}/token",
            data={
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
            },
        )

    return ClientCredentialsAuth("testvendor", build, parse_error=_keycloak)


def client(server: HostileServer, **kwargs: object) -> ApiClient:
    kwargs.setdefault("auth", token_auth(server.base_url))
    kwargs.setdefault("retry", FAST)
    return make_client("testvendor", server.base_url, parse_error=_keycloak, **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as running:
        yield running


# ---------------------------------------------------------------- token requests: timeouts, cancel


async def test_a_token_endpoint_that_never_answers_times_out(server: HostileServer) -> None:
    server.handler = lambda request: HANG
    api = client(server, timeout=0.5)
    with pytest.raises(ApiError) as err:
        await asyncio.wait_for(api.request("GET", "/things"), 10)
    await api.aclose()
    assert err.value.status is None and err.value.is_network
    assert "timed out" in err.value.message
    assert [r.path for r in server.received] == ["/token"]


async def test_waiting_for_a_token_can_be_cancelled(server: HostileServer) -> None:
    server.handler = lambda request: HANG
    api = client(server, timeout=120.0)
    task = asyncio.create_task(api.request("GET", "/things"))

    async def token_asked() -> None:
        while not server.received:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(token_asked(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    await api.aclose()


# ---------------------------------------------------------------- redirects


async def test_an_https_redirect_is_not_an_empty_fleet(server: HostileServer) -> None:
    from tui.api.platforms.thingpark import TOKEN_PATH, ThingPark

    moved = "https://127.0.0.1:1/thingpark/wireless/rest/subscriptions/mine/devices"

    def answer(request: Received) -> Reply:
        if request.path == TOKEN_PATH:
            return Reply.json(TOKEN)
        return Reply(301, b"", {"Location": moved})

    server.handler = answer
    async with ThingPark(server.base_url, "sub-1/c", "s3cret", retry=FAST) as tp:
        with pytest.raises(ApiError) as listing:
            await tp.list_devices()
        with pytest.raises(ApiError) as deleting:
            await tp.delete_device("70B3D5E756000999")
    for err in (listing.value, deleting.value):
        assert err.status == 301 and moved in err.message and "base_url" in err.message


# ---------------------------------------------------------------- bodies that do not decode


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (Reply(200, b"\x1f\x8b broken", {"Content-Encoding": "gzip"}), "could not decode"),
        (Reply(200, b'{"briefs": [], "more": false, "x": "\xe9"}'), "not UTF-8"),
        (Reply(200, b"[" * 50_000), "expected JSON"),
    ],
    ids=["gzip", "latin-1", "deep"],
)
async def test_an_answer_that_does_not_decode_is_an_api_error(
    server: HostileServer, reply: Reply, says: str
) -> None:
    from tui.api.platforms.thingpark import TOKEN_PATH, ThingPark

    server.handler = lambda request: Reply.json(TOKEN) if request.path == TOKEN_PATH else reply
    async with ThingPark(server.base_url, "sub-1/c", "s3cret", retry=FAST) as tp:
        with pytest.raises(ApiError) as err:
            await tp.list_devices()
    assert says in err.value.message and "\n" not in err.value.message
