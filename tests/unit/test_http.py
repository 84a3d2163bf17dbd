"""Unit tests of the shared HTTP layer: retry rules, token refresh and error mapping."""

from __future__ import annotations

import json
import re
from base64 import b64encode
from collections.abc import Callable
from urllib.parse import quote, quote_plus

import httpx
import pytest

from tui.api.errors import ApiError
from tui.api.http import (
    ClientCredentialsAuth,
    ErrorBody,
    RetryPolicy,
    Scrubber,
    error_from_response,
    make_client,
    parse_retry_after,
)

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers from a script and records what it was sent."""

    def __init__(self, *answers: httpx.Response | type[Exception]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, type):
            raise answer("scripted failure", request=request)
        return answer


def vendor_error(body: object) -> ErrorBody:
    assert isinstance(body, dict)
    return ErrorBody(
        str(body["code"]) if "code" in body else None, body.get("message"), body.get("errorId")
    )


def client(handler: Handler, *, sleeps: list[float] | None = None, **kwargs: object):
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    return make_client(
        "testvendor",
        "http://vendor.test",
        parse_error=vendor_error,
        transport=httpx.MockTransport(handler),
        sleep=sleep,
        **kwargs,  # type: ignore[arg-type]
    )


# ------------------------------------------------------------------ retries


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_get_is_retried_on_gateway_errors(status: int) -> None:
    rec = Recorder(httpx.Response(status), httpx.Response(200, json={"ok": True}))
    api = client(rec)
    assert await api.json("GET", "/things") == {"ok": True}
    assert len(rec.requests) == 2


async def test_post_is_not_retried_after_a_server_error() -> None:
    rec = Recorder(httpx.Response(503, json={"code": 503, "message": "busy"}), httpx.Response(201))
    api = client(rec)
    with pytest.raises(ApiError) as err:
        await api.request("POST", "/things", json={"a": 1})
    assert len(rec.requests) == 1
    assert err.value.status == 503 and err.value.code == "503" and err.value.message == "busy"


async def test_post_is_not_retried_after_a_read_timeout() -> None:
    rec = Recorder(httpx.ReadTimeout, httpx.Response(201))
    api = client(rec)
    with pytest.raises(ApiError) as err:
        await api.request("POST", "/things", json={})
    assert len(rec.requests) == 1
    assert err.value.status is None and "timed out" in err.value.message


async def test_post_is_retried_when_the_connection_never_opened() -> None:
    rec = Recorder(httpx.ConnectError, httpx.Response(201, json={"id": "1"}))
    api = client(rec)
    assert await api.json("POST", "/things", json={}) == {"id": "1"}
    assert len(rec.requests) == 2


async def test_429_honours_retry_after_for_any_method() -> None:
    rec = Recorder(httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(201, json={}))
    sleeps: list[float] = []
    api = client(rec, sleeps=sleeps)
    await api.request("POST", "/things", json={})
    assert sleeps == [2.0]
    assert len(rec.requests) == 2


async def test_429_with_a_long_retry_after_reaches_the_caller() -> None:
    rec = Recorder(
        httpx.Response(
            429, headers={"Retry-After": "600"}, json={"code": 429, "message": "slow down"}
        )
    )
    api = client(rec)
    with pytest.raises(ApiError) as err:
        await api.request("GET", "/things")
    assert err.value.status == 429 and len(rec.requests) == 1


async def test_retries_stop_after_the_policy_attempts_with_growing_backoff() -> None:
    rec = Recorder(httpx.Response(503))
    sleeps: list[float] = []
    api = client(rec, sleeps=sleeps, retry=RetryPolicy(attempts=4, base_delay=1.0, max_delay=100))
    with pytest.raises(ApiError) as err:
        await api.request("GET", "/things")
    assert len(rec.requests) == 4
    assert len(sleeps) == 3
    # full jitter: each wait is within [0, base * 2**n]
    assert all(0 <= s <= 2**n for n, s in enumerate(sleeps))
    assert err.value.status == 503


async def test_client_errors_are_not_retried() -> None:
    rec = Recorder(httpx.Response(404, json={"code": 40401, "message": "Device not found"}))
    api = client(rec)
    with pytest.raises(ApiError) as err:
        await api.request("GET", "/things/x")
    assert len(rec.requests) == 1
    assert (err.value.status, err.value.code, err.value.message) == (
        404,
        "40401",
        "Device not found",
    )


async def test_connection_refused_becomes_an_api_error_without_status() -> None:
    rec = Recorder(httpx.ConnectError)
    api = client(rec)
    with pytest.raises(ApiError) as err:
        await api.request("GET", "/things")
    assert err.value.status is None and err.value.is_network
    assert "cannot reach vendor.test" in err.value.message


def test_retry_after_parses_seconds_and_http_dates() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now=784111777.0 - 3) == 3.0


# ------------------------------------------------------------------ error bodies


def test_error_from_a_vendor_json_body_keeps_code_message_and_request_id() -> None:
    response = httpx.Response(
        400, json={"code": 1001, "message": "Invalid DevEUI", "errorId": "e-42"}
    )
    err = error_from_response("thingpark", response, vendor_error)
    assert (err.status, err.code, err.message, err.request_id) == (
        400,
        "1001",
        "Invalid DevEUI",
        "e-42",
    )
    assert str(err) == "thingpark 400 [1001] Invalid DevEUI (request e-42)"


def test_error_from_a_non_json_body_says_so_plainly() -> None:
    html = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"
    response = httpx.Response(502, text=html, headers={"content-type": "text/html"})
    err = error_from_response("thingpark", response, vendor_error)
    assert err.status == 502 and err.code is None
    assert "non-JSON answer (text/html)" in err.message
    assert "502 Bad Gateway nginx" in err.message and "<h1>" not in err.message


def test_error_from_an_empty_body_and_an_unexpected_json_shape() -> None:
    assert "non-JSON" in error_from_response("x", httpx.Response(500), vendor_error).message
    odd = error_from_response("x", httpx.Response(500, json=["not", "a", "dict"]), vendor_error)
    assert odd.status == 500 and odd.code is None


def test_request_id_falls_back_to_the_header() -> None:
    response = httpx.Response(500, text="oops", headers={"X-Request-Id": "abc"})
    assert error_from_response("x", response).request_id == "abc"


# ------------------------------------------------------------------ bearer tokens


class TokenServer:
    """A fake vendor: issues numbered tokens, and answers 401 to tokens it has revoked."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.issued = 0
        self.expires_in = expires_in
        self.revoked: set[str] = set()
        self.seen_tokens: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            form = dict(httpx.QueryParams(request.content.decode()))
            if form.get("client_secret") != "s3cret":
                return httpx.Response(
                    401, json={"error": "invalid_client", "error_description": "bad"}
                )
            self.issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"tok{self.issued}",
                    "expires_in": self.expires_in,
                    "token_type": "Bearer",
                },
            )
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        self.seen_tokens.append(token)
        if token in self.revoked or not token:
            return httpx.Response(401, json={"code": 401, "message": "Unauthorized"})
        return httpx.Response(200, json={"token": token})


def token_auth(
    secret: str = "s3cret", clock: Callable[[], float] | None = None
) -> ClientCredentialsAuth:
    def build() -> httpx.Request:
        return httpx.Request(
            "POST",
            "http://vendor.test/token",
            data={"grant_type": "client_credentials", "client_id": "c", "client_secret": secret},
        )

    def parse(body: object) -> ErrorBody:
        assert isinstance(body, dict)
        return ErrorBody(body.get("error"), body.get("error_description"))

    kwargs = {"clock": clock} if clock else {}
    return ClientCredentialsAuth("testvendor", build, parse_error=parse, **kwargs)  # type: ignore[arg-type]


async def test_token_is_fetched_once_and_reused() -> None:
    server = TokenServer()
    auth = token_auth()
    api = client(server, auth=auth)
    for _ in range(3):
        assert await api.json("GET", "/things") == {"token": "tok1"}
    assert server.issued == 1 and auth.fetches == 1


async def test_token_is_refreshed_before_it_expires() -> None:
    now = [1000.0]
    server = TokenServer(expires_in=60)
    auth = token_auth(clock=lambda: now[0])
    api = client(server, auth=auth)
    await api.json("GET", "/things")
    now[0] += 31  # inside the 30 s refresh margin of a 60 s token
    assert await api.json("GET", "/things") == {"token": "tok2"}
    assert server.issued == 2


async def test_a_401_refreshes_the_token_once_and_retries() -> None:
    server = TokenServer()
    api = client(server, auth=token_auth())
    await api.json("GET", "/things")
    server.revoked.add("tok1")
    assert await api.json("GET", "/things") == {"token": "tok2"}
    assert server.seen_tokens == ["tok1", "tok1", "tok2"]


async def test_a_second_401_reaches_the_caller_without_looping() -> None:
    server = TokenServer()
    api = client(server, auth=token_auth())
    server.revoked.update({"tok1", "tok2", "tok3"})
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert err.value.status == 401
    assert server.issued == 2


async def test_a_refused_token_request_names_the_vendor_error_and_hides_the_secret() -> None:
    server = TokenServer()
    api = client(server, auth=token_auth(secret="wrong-secret-value"))
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert err.value.status == 401 and err.value.code == "invalid_client"
    assert "wrong-secret-value" not in str(err.value) and "wrong-secret-value" not in repr(
        err.value
    )


async def test_a_non_json_body_on_a_success_is_a_clear_error() -> None:
    api = client(Recorder(httpx.Response(200, text="<html>login page</html>")))
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert "expected JSON" in err.value.message


def test_api_error_summary_without_status() -> None:
    err = ApiError("iotda", "cannot reach host", request_id=None)
    assert err.summary == "iotda cannot reach host"
    assert json.dumps(err.summary)


async def test_a_short_lived_token_is_reused_until_half_its_life() -> None:
    now = [0.0]
    server = TokenServer(expires_in=10)
    api = client(server, auth=token_auth(clock=lambda: now[0]))
    await api.json("GET", "/things")
    now[0] = 4.0
    await api.json("GET", "/things")
    assert server.issued == 1
    now[0] = 5.5
    await api.json("GET", "/things")
    assert server.issued == 2


async def test_the_token_answer_is_read_over_a_streaming_transport() -> None:
    """Real transports hand the auth flow an unread response (MockTransport reads it eagerly)."""

    class Streaming(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            answer = TokenServer()(request)
            return httpx.Response(
                answer.status_code, headers=answer.headers, stream=_Chunks(answer.content)
            )

    api = make_client("testvendor", "http://vendor.test", transport=Streaming(), auth=token_auth())
    assert await api.json("GET", "/things") == {"token": "tok1"}


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self):  # type: ignore[override]
        yield self.data


async def test_the_token_request_carries_the_client_timeout() -> None:
    server = TokenServer()
    timeouts: dict[str, object] = {}

    def record(request: httpx.Request) -> httpx.Response:
        timeouts[request.url.path] = request.extensions.get("timeout")
        return server(request)

    api = client(record, auth=token_auth(), timeout=7.0)
    await api.json("GET", "/things")
    assert timeouts["/token"] == timeouts["/things"]
    assert timeouts["/token"] == {"connect": 5.0, "read": 7.0, "write": 7.0, "pool": 7.0}


# ------------------------------------------------------------------ redirects


@pytest.mark.parametrize("method", ["GET", "DELETE", "POST"])
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_an_error_that_names_where_it_pointed(method: str, status: int) -> None:
    rec = Recorder(httpx.Response(status, headers={"Location": "https://vendor.test/things"}))
    api = client(rec)
    with pytest.raises(ApiError) as err:
        await api.request(method, "/things")
    assert err.value.status == status
    assert "https://vendor.test/things" in err.value.message
    assert "base_url" in err.value.message
    assert len(rec.requests) == 1


async def test_a_redirect_without_location_is_still_an_error() -> None:
    api = client(Recorder(httpx.Response(302)))
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert err.value.status == 302 and "no Location" in err.value.message


async def test_a_redirected_token_request_is_an_error() -> None:
    def sso(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(302, headers={"Location": "https://sso.example/login"})
        return httpx.Response(200, json={"ok": True})

    api = client(sso, auth=token_auth())
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert err.value.status == 302
    assert "https://sso.example/login" in err.value.message and "base_url" in err.value.message


# ------------------------------------------------------------------ transport failures


@pytest.mark.parametrize("expires_in", ["soon", -5, "-1", "inf", "NaN", [1], {"s": 1}, True])
async def test_a_token_lifetime_that_is_no_number_of_seconds_is_an_error(
    expires_in: object,
) -> None:
    def issue(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": "t", "expires_in": expires_in})

    api = client(issue, auth=token_auth())
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert err.value.status == 200
    assert "expires_in" in err.value.message and "\n" not in err.value.message


async def test_an_infinite_token_lifetime_is_an_error() -> None:
    def issue(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"access_token": "t", "expires_in": 1e400}')

    api = client(issue, auth=token_auth())
    with pytest.raises(ApiError, match="expires_in"):
        await api.json("GET", "/things")


@pytest.mark.parametrize("access_token", [None, "", 42, {"a": 1}, ["t"]])
async def test_a_token_answer_without_a_token_string_is_an_error(access_token: object) -> None:
    def issue(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": access_token, "expires_in": 60})

    api = client(issue, auth=token_auth())
    with pytest.raises(ApiError, match="no access_token"):
        await api.json("GET", "/things")


@pytest.mark.parametrize("expires_in", [3600, "3600", 0, None])
async def test_usual_token_lifetimes_are_accepted(expires_in: object) -> None:
    def issue(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": expires_in})
        return httpx.Response(200, json={"ok": True})

    assert await client(issue, auth=token_auth()).json("GET", "/things") == {"ok": True}


async def test_a_broken_gzip_body_is_an_error() -> None:
    broken = httpx.Response(
        200, stream=httpx.ByteStream(b"not gzip at all"), headers={"Content-Encoding": "gzip"}
    )
    api = client(Recorder(broken))
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert "decode" in err.value.message and "\n" not in err.value.message


@pytest.mark.parametrize("url", ["http://vendor.test:abc/x", "http://[::1/x", "/x\x00y"])
async def test_an_invalid_url_is_an_error_before_anything_is_sent(url: str) -> None:
    rec = Recorder(httpx.Response(200, json={}))
    api = client(rec)
    with pytest.raises(ApiError) as err:
        await api.json("GET", url)
    assert "invalid URL" in err.value.message and err.value.status is None
    assert rec.requests == []


def test_an_invalid_base_url_is_an_error() -> None:
    with pytest.raises(ApiError, match="invalid base URL"):
        make_client("testvendor", "http://[::1")


@pytest.mark.parametrize(
    "failure",
    [httpx.TooManyRedirects, httpx.HTTPError, httpx.LocalProtocolError, httpx.UnsupportedProtocol],
)
async def test_any_other_httpx_failure_is_an_error(failure: type[Exception]) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure("scripted failure")

    api = client(fail)
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert failure.__name__ in err.value.message and err.value.status is None


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"name": "caf\xe9"}', {}),
        (b'{"name": "\xff\xfe"}', {"Content-Type": "application/json; charset=utf-8"}),
    ],
)
async def test_a_body_that_is_not_utf8_is_an_error(content: bytes, headers: dict[str, str]) -> None:
    api = client(Recorder(httpx.Response(200, content=content, headers=headers)))
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    assert "not UTF-8" in err.value.message and "\n" not in err.value.message
    assert err.value.status == 200


@pytest.mark.parametrize(
    "content", [b"[" * 100_000, b'{"a": NaN}', b'{"a": Infinity}'], ids=["deep", "NaN", "Infinity"]
)
async def test_json_that_python_would_bend_is_an_error(content: bytes) -> None:
    api = client(Recorder(httpx.Response(200, content=content)))
    with pytest.raises(ApiError, match="expected JSON"):
        await api.json("GET", "/things")


# ------------------------------------------------------------------ scrubbing secrets

SECRETS = ["Pa55+w0rd/+&=X9", "pässwörd-ключ-密码/é", "correct horse battery staple"]


def _hex_case(text: str, upper: bool) -> str:
    """Percent-escapes and \\u-escapes of `text` with their hex digits in one case."""

    def recase(match: re.Match[str]) -> str:
        mark = match.group(1) or match.group(3)
        digits = match.group(2) or match.group(4)
        return mark + (digits.upper() if upper else digits.lower())

    return re.sub(r"(%)([0-9A-Fa-f]{2})|(\\u)([0-9A-Fa-f]{4})", recase, text)


def spellings(secret: str, user: str = "sub-1/console") -> dict[str, str]:
    """Every way a secret travels, computed here independently of the scrubber."""
    as_json = json.dumps(secret)[1:-1]
    return {
        "literal": secret,
        "form": quote_plus(secret),
        "form lower hex": _hex_case(quote_plus(secret), upper=False),
        "percent": quote(secret, safe=""),
        "percent lower hex": _hex_case(quote(secret, safe=""), upper=False),
        "percent default safe": quote(secret),
        "percent default safe lower hex": _hex_case(quote(secret), upper=False),
        "json": as_json,
        "json upper hex": _hex_case(as_json, upper=True),
        "json unicode": json.dumps(secret, ensure_ascii=False)[1:-1],
        "json escaped slash": as_json.replace("/", "\\/"),
        "utf-8 read as latin-1": secret.encode().decode("latin-1"),
        "base64": b64encode(secret.encode()).decode(),
        "basic": b64encode(f"{user}:{secret}".encode()).decode(),
    }


@pytest.mark.parametrize("secret", SECRETS)
def test_the_scrubber_masks_every_spelling_of_a_secret(secret: str) -> None:
    scrub = Scrubber([secret], username="sub-1/console")
    for how, spelled in spellings(secret).items():
        text = f"the server said: <{spelled}> and more"
        assert scrub(text) == "the server said: <***> and more", how


def test_the_scrubber_masks_tokens_learnt_at_run_time_and_leaves_other_text() -> None:
    scrub = Scrubber(["s3cret-value"])
    scrub.add("tok-ABCdef123")
    assert scrub("token tok-ABCdef123 refused") == "token *** refused"
    assert scrub("Authorization: Bearer other.token") == "Authorization: Bearer ***"
    assert scrub("nothing secret here") == "nothing secret here"
    assert scrub.extended(["per-call-key"])("per-call-key and s3cret-value") == "*** and ***"
    assert scrub("per-call-key") == "per-call-key"  # extended() leaves the original alone


def test_a_scrubbed_error_keeps_everything_but_the_secret() -> None:
    scrub = Scrubber(["hunter22"])
    err = ApiError("x", "bad hunter22", status=400, code="c-hunter22", request_id="r1")
    clean = scrub.error(err)
    assert (clean.platform, clean.status, clean.request_id) == ("x", 400, "r1")
    assert clean.message == "bad ***" and clean.code == "c-***"
    assert "hunter22" not in str(clean) + repr(clean)


@pytest.mark.parametrize("secret", SECRETS)
async def test_a_vendor_that_echoes_the_token_request_shows_no_secret(secret: str) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        said = f"{request.content.decode()} {request.headers.get('authorization')}"
        return httpx.Response(401, json={"error": "invalid_client", "error_description": said})

    def build() -> httpx.Request:
        return httpx.Request(
            "POST",
            "http://vendor.test/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sub-1/console",
                "client_secret": secret,
            },
            headers={"Authorization": "Basic " + spellings(secret)["basic"]},
        )

    auth = ClientCredentialsAuth(
        "testvendor", build, parse_error=lambda b: ErrorBody(b["error"], b["error_description"])
    )
    api = client(echo, auth=auth, secrets=[secret], username="sub-1/console")
    with pytest.raises(ApiError) as err:
        await api.json("GET", "/things")
    shown = f"{err.value} {err.value!r}"
    assert "client_secret=***" in shown
    for how, spelled in spellings(secret).items():
        assert spelled not in shown, how


# ------------------------------------------------------------------ one origin


@pytest.mark.parametrize(
    "url",
    ["https://vendor.test/things", "http://vendor.test:8080/things", "http://evil.test/things"],
)
async def test_no_request_leaves_the_profile_origin(url: str) -> None:
    server = TokenServer()
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return server(request)

    api = client(record, auth=token_auth())
    with pytest.raises(ApiError) as err:
        await api.json("GET", url)
    assert all(r.url.host == "vendor.test" and r.url.path == "/token" for r in sent)
    assert "http://vendor.test" in err.value.message and err.value.status is None
    assert url.rsplit("/", 1)[0] in err.value.message


@pytest.mark.parametrize(
    "url", ["/things", "http://vendor.test/things", "http://vendor.test:80/things"]
)
async def test_absolute_urls_of_the_profile_origin_are_fine(url: str) -> None:
    api = client(TokenServer(), auth=token_auth())
    assert await api.json("GET", url) == {"token": "tok1"}


# ------------------------------------------------------------------ reading answers


@pytest.mark.parametrize(
    ("body", "parse", "said"),
    [
        ({"more": False}, lambda body: body["briefs"], "missing 'briefs'"),
        ([1, 2], lambda body: body.get("x"), "'list' object has no attribute 'get'"),
        ([1, 2], lambda body: len(body[0]), "object of type 'int' has no len()"),
        ([1, 2], lambda body: body[5], "list index out of range"),
    ],
)
async def test_an_answer_the_adapter_cannot_read_is_an_api_error(
    body: object, parse: object, said: str
) -> None:
    api = client(Recorder(httpx.Response(200, json=body)))
    answer = await api.answer("GET", "/things")
    with pytest.raises(ApiError) as err:
        answer.read(parse)  # type: ignore[arg-type]
    assert err.value.message == f"unexpected answer from GET /things: {said}"
    assert err.value.status == 200


async def test_a_reason_never_shows_the_value_nor_a_secret() -> None:
    from pydantic import BaseModel

    class Wire(BaseModel):
        name: int

    api = client(
        Recorder(httpx.Response(200, json={"name": "hunter2-secret"})), secrets=["hunter2"]
    )
    answer = await api.answer("GET", "/things")
    with pytest.raises(ApiError) as err:
        answer.read(Wire.model_validate)
    assert "hunter2" not in str(err.value)
    assert (
        err.value.message
        == "unexpected answer from GET /things: name: Input should be a valid integer, unable to parse string as an integer"
    )


def test_an_invalid_base_url_shows_no_secret() -> None:
    with pytest.raises(ApiError) as err:
        make_client("testvendor", "http://user:hunter22@[::1", secrets=["hunter22"])
    assert "hunter22" not in str(err.value) and "***" in str(err.value)
