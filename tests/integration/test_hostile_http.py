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


# ---------------------------------------------------------------- secrets echoed back

SECRETS = ["Pa55+w0rd/+&=X9", "pässwörd-ключ-密码/é", "correct horse battery staple"]
CLIENT_ID = "sub-199983788/fleet-console"


def _spellings(secret: str) -> dict[str, str]:
    from tests.unit.test_http import spellings

    return spellings(secret, CLIENT_ID)


def _echo(request: Received) -> str:
    headers = " ".join(f"{k}: {v}" for k, v in request.headers.items())
    # The body first: cut to a snippet, the secret would straddle the cut.
    return f"{request.body.decode(errors='replace')} {request.method} {request.target} {headers}"


def _shown(err: ApiError) -> str:
    return f"{err} {err!r} {err.message} {err.code} {err.request_id}"


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "html"])
async def test_a_token_endpoint_that_echoes_the_request_shows_no_secret(
    server: HostileServer, secret: str, as_json: bool
) -> None:
    from tui.api.platforms.thingpark import ThingPark

    def echo(request: Received) -> Reply:
        said = _echo(request)
        if as_json:
            return Reply.json({"error": "invalid_client", "error_description": said}, 401)
        return Reply(
            401, f"<html><body>{said}</body></html>".encode(), {"Content-Type": "text/html"}
        )

    server.handler = echo
    async with ThingPark(server.base_url, CLIENT_ID, secret, retry=FAST) as tp:
        with pytest.raises(ApiError) as err:
            await tp.list_devices()
    shown = _shown(err.value)
    assert "client_secret=***" in shown
    for how, spelled in _spellings(secret).items():
        assert spelled not in shown, how


async def test_the_token_obtained_at_run_time_is_masked_too(server: HostileServer) -> None:
    from base64 import b64encode

    from tui.api.platforms.thingpark import TOKEN_PATH, ThingPark

    token = "eyJhbGciOi.tok-" + "x7" * 20

    def answer(request: Received) -> Reply:
        if request.path == TOKEN_PATH:
            return Reply.json({"access_token": token, "expires_in": 3600})
        raw = b64encode(token.encode()).decode()
        return Reply.json({"code": 400, "message": f"token {token} ({raw}) may not list"}, 400)

    server.handler = answer
    async with ThingPark(server.base_url, CLIENT_ID, SECRETS[0], retry=FAST) as tp:
        with pytest.raises(ApiError) as err:
            await tp.list_devices()
    assert err.value.message == "token *** (***) may not list"


@pytest.mark.parametrize("secret", SECRETS)
async def test_an_iotda_gateway_that_echoes_the_token_shows_no_secret(
    server: HostileServer, secret: str
) -> None:
    from tui.api.platforms.iotda import Iotda

    # http.server reads headers as Latin-1: a UTF-8 token comes back as mojibake, one more spelling.
    server.handler = lambda request: Reply.json(
        {"error_code": "APIGW.0301", "error_msg": f"bad token {request.headers['x-auth-token']}"},
        401,
    )
    async with Iotda(server.base_url, "p1", token=secret, retry=FAST) as iotda:
        with pytest.raises(ApiError) as err:
            await iotda.list_products()
    assert err.value.message == "bad token ***"


# ---------------------------------------------------------------- one origin


async def test_a_location_on_another_origin_gets_no_credentials(server: HostileServer) -> None:
    from tests.unit.test_thingpark_parsing import CELLULAR_SPEC
    from tui.api.platforms.thingpark import TOKEN_PATH, ThingPark

    with HostileServer(lambda request: Reply.json({"EUI": "F03D290000000001"})) as elsewhere:
        location = f"{elsewhere.base_url}/thingpark/wireless/rest/subscriptions/32/devices/2227"

        def answer(request: Received) -> Reply:
            if request.path == TOKEN_PATH:
                return Reply.json(TOKEN)
            # Created, and the body does not say which device: the adapter reads `Location`.
            return Reply(201, b"", {"Location": location})

        server.handler = answer
        async with ThingPark(server.base_url, CLIENT_ID, SECRETS[0], retry=FAST) as tp:
            with pytest.raises(ApiError) as err:
                await tp.create_cellular_device(CELLULAR_SPEC)
    assert elsewhere.received == []  # not a byte, let alone an Authorization header
    assert elsewhere.base_url in err.value.message and server.base_url in err.value.message
